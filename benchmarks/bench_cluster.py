"""Clustering at scale: decompose a generated monolith with about 100,000 units.

Run from the repository root::

    .venv/bin/python benchmarks/bench_cluster.py [--services 450] [--seed 0]

Prints the size of the unit graph and the time of each stage; the target is the whole
``decompose`` in at most 30 s on a 2-core machine. Not a unit test: timings vary by machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _synth():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "tests" / "fixtures" / "cluster" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=450, help="planted capabilities")
    parser.add_argument("--modules", type=int, default=10, help="modules per capability")
    parser.add_argument("--units", type=int, default=20, help="functions per module")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--algorithm", default="louvain")
    args = parser.parse_args()

    from analyzer.cluster import ClusterOptions, decompose
    from analyzer.compare import adjusted_rand, mojofm
    from analyzer.metrics import score

    t0 = time.perf_counter()
    analysis, truth = _synth().generate(services=args.services, modules=args.modules, units=args.units,
                                        seed=args.seed)
    t1 = time.perf_counter()
    units = sum(1 for s in analysis.symbols if s.kind in ("module", "class", "function"))
    print(f"generated: {units:,} units, {len(analysis.entities):,} entities, {len(analysis.edges):,} edges "
          f"in {t1 - t0:.1f}s")
    result = decompose(analysis, ClusterOptions(algorithm=args.algorithm, seed=args.seed))
    t2 = time.perf_counter()
    info = result.info
    print(f"decompose ({info['algorithm']}): {t2 - t1:.1f}s  unit graph: {info['nodes']:,} nodes, "
          f"{info['edges']:,} edges; {info['base_communities']} base communities -> k={info['k']} "
          f"({info['chosen_by']})")
    found = result.decomposition.assignment()
    print(f"recovery of the planted services: MoJoFM {mojofm(found, truth):.2f}, "
          f"ARI {adjusted_rand(found, truth):.4f}")
    t3 = time.perf_counter()
    metrics = score(analysis, result.decomposition)
    print(f"score: {time.perf_counter() - t3:.1f}s  modularity {metrics['modularity']}, icp {metrics['icp']}")
    print(f"total clustering time {t2 - t1:.1f}s (target <= 30s): {'OK' if t2 - t1 <= 30 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
