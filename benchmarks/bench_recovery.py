"""Recovery of planted services per algorithm and noise level, on generated source trees.

Usage::

    python benchmarks/bench_recovery.py [--lines 10000 100000] [--cross 0.02 0.05 0.1 0.2]
                                        [--algorithms louvain agglomerative refine] [--services 12]

For every size and cross-talk level it writes a synthetic monolith (``synth_monolith.py``),
analyzes it once (front end), clusters it with each algorithm, and prints MoJoFM and ARI
against the planted truth plus the clustering time. One run, this machine: compare figures
within the table, not across machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    from analyzer.cluster import ClusterOptions, decompose
    from analyzer.compare import adjusted_rand, mojofm
    from analyzer.config import load_config
    from analyzer.interfaces import service_of
    from analyzer.pipeline import AnalyzeOptions, run_analysis
    from analyzer.plan import load_plan
    from synth_monolith import generate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--cross", type=float, nargs="+", default=[0.02, 0.05, 0.1, 0.2])
    ap.add_argument("--algorithms", nargs="+", default=["louvain", "agglomerative", "refine"])
    ap.add_argument("--services", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"{'lines':>9} {'cross':>6} {'algorithm':>14} {'MoJoFM':>7} {'ARI':>6} {'k':>4} {'cluster s':>10}")
    for lines in args.lines:
        for cross in args.cross:
            with tempfile.TemporaryDirectory() as tmp:
                tree = Path(tmp) / "tree"
                info = generate(tree, lines=lines, services=args.services, cross=cross, seed=args.seed)
                doc = run_analysis(tree, AnalyzeOptions(use_cache=False, progress=False))
                truth = load_plan(tree / "intended.toml", doc)
                want = service_of(doc, truth)
                for algorithm in args.algorithms:
                    options = ClusterOptions.from_config(load_config(tree), services=None, algorithm=algorithm,
                                                         seed=args.seed)
                    start = time.perf_counter()
                    result = decompose(doc, options)
                    elapsed = time.perf_counter() - start
                    got = service_of(doc, result.decomposition)
                    units = sorted(u for u in want if u in got and "." in u and not u.startswith("entity:"))
                    a = {u: got[u] for u in units}
                    b = {u: want[u] for u in units}
                    print(f"{info['lines']:>9,} {cross:>6.2f} {algorithm:>14} {mojofm(a, b):>7.1f} "
                          f"{adjusted_rand(a, b):>6.3f} {len(result.decomposition.services):>4} {elapsed:>10.2f}")


if __name__ == "__main__":
    main()
