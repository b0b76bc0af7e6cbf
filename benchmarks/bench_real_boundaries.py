"""Compare the tool's decomposition of a real monolith with its maintainers' own app boundaries.

Usage::

    python benchmarks/bench_real_boundaries.py ANALYSIS.json --root-package saleor [--layer graphql]
    python benchmarks/bench_real_boundaries.py ANALYSIS.json --root-package '' --recluster

The reference decomposition puts every unit in the app (package directly below the root
package; with an empty ``--root-package``, the top-level package) that holds its module;
``--layer NAME`` folds a layered folder into the apps it serves (``saleor.graphql.order.*``
belongs to ``order``), which is how the maintainers split such code. Modules directly in the
root package, and apps that hold fewer than ``--min-units`` units, are left out of both sides.
``--recluster`` runs the clustering stage again on the document's graph (no parsing), so a
change to ``analyzer/cluster`` is measured in seconds. Prints MoJoFM and ARI of the tool's
decomposition and of the trivial baseline against that reference, and the shape of the
decomposition (services, largest share of the code, shared library).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def reference_labels(units: dict[str, str], root: str, layers: set[str]) -> dict[str, str]:
    """unit id -> maintainers' app, from the module path of each unit."""
    out = {}
    depth = len(root.split(".")) if root else 0
    for unit, module in units.items():
        parts = module.split(".")
        if root and (len(parts) <= depth or parts[:depth] != root.split(".")):
            continue
        rest = parts[depth:]
        if not rest or (not root and len(rest) < 2):
            continue  # the root itself, or a top-level module of a flat tree (manage.py): no app
        app = rest[0]
        if app in layers and len(rest) >= 2:
            app = rest[1]
        out[unit] = app
    return out


def main() -> None:
    from analyzer.analysis import load
    from analyzer.compare import adjusted_rand, mojofm
    from analyzer.graph import unit_map
    from analyzer.interfaces import service_of, unit_lines
    from analyzer.model import SHARED

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("analysis", type=Path)
    ap.add_argument("--root-package", required=True)
    ap.add_argument("--layer", action="append", default=[])
    ap.add_argument("--min-units", type=int, default=5)
    ap.add_argument("--recluster", action="store_true", help="cluster the document's graph again")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--names", action="store_true", help="list the services with their sizes")
    args = ap.parse_args()
    doc = load(args.analysis)
    if args.recluster:
        from analyzer.cluster import ClusterOptions, decompose

        t0 = time.perf_counter()
        result = decompose(doc, ClusterOptions(seed=args.seed))
        print(f"reclustered in {time.perf_counter() - t0:.1f}s (curve k={result.info['curve_k']}, "
              f"folded {len(result.info['folded'])})")
        doc.decomposition = result.decomposition
    um = unit_map(doc.symbols)
    by_id = {s.id: s for s in doc.symbols}
    units = {u: by_id[u].module for u in set(um.values()) if u in by_id and by_id[u].kind in ("module", "class", "function")}
    ref = reference_labels(units, args.root_package, set(args.layer))
    sizes = Counter(ref.values())
    ref = {u: a for u, a in ref.items() if sizes[a] >= args.min_units}
    ours = service_of(doc, doc.decomposition)
    common = sorted(u for u in ref if u in ours)
    mine = {u: ours[u] for u in common}
    theirs = {u: ref[u] for u in common}
    print(f"{args.analysis}: {len(common)} units in {len(set(theirs.values()))} maintainers' apps; "
          f"the tool proposes {len(set(mine.values()))} groups (shared library counted as one)")
    print(f"  tool decomposition ({doc.decomposition.algorithm}): MoJoFM {mojofm(mine, theirs):.1f}, "
          f"ARI {adjusted_rand(mine, theirs):.3f}")
    one = {u: "all" for u in common}
    print(f"  baseline, everything in one service: MoJoFM {mojofm(one, theirs):.1f}, "
          f"ARI {adjusted_rand(one, theirs):.3f}")
    lines = unit_lines(doc, um)
    per: Counter[str] = Counter()
    for unit in units:
        per[ours.get(unit, SHARED)] += lines.get(unit, 0)
    total = sum(per.values()) or 1
    services = [s.name for s in doc.decomposition.services]
    biggest = max(services, key=lambda s: per[s], default="")
    print(f"  {len(services)} services, largest {biggest!r} holds {per[biggest] / total:.0%} of the code; "
          f"shared library {len(doc.decomposition.shared)} units, {per[SHARED] / total:.0%} of the code")
    if args.names:
        for name in sorted(services, key=lambda s: -per[s]):
            print(f"    {name:32} {per[name]:>8} lines")


if __name__ == "__main__":
    main()
