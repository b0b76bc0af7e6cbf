"""Compare the tool's decomposition of a real monolith with its maintainers' own app boundaries.

Usage::

    python benchmarks/bench_real_boundaries.py ANALYSIS.json --root-package saleor [--layer graphql]

The reference decomposition puts every unit in the app (package directly below the root
package) that holds its module; ``--layer NAME`` folds a layered folder into the apps it
serves (``saleor.graphql.order.*`` belongs to ``order``), which is how the maintainers
split such code. Modules directly in the root package, and apps that hold fewer than
``--min-units`` units, are left out of both sides. Prints MoJoFM and ARI of the tool's
decomposition and of the trivial baselines against that reference.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def reference_labels(units: dict[str, str], root: str, layers: set[str]) -> dict[str, str]:
    """unit id -> maintainers' app, from the module path of each unit."""
    out = {}
    for unit, module in units.items():
        parts = module.split(".")
        if len(parts) < 2 or parts[0] != root:
            continue
        app = parts[1]
        if app in layers and len(parts) >= 3:
            app = parts[2]
        out[unit] = app
    return out


def main() -> None:
    from analyzer.analysis import load
    from analyzer.compare import adjusted_rand, mojofm
    from analyzer.graph import unit_map
    from analyzer.interfaces import service_of

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("analysis", type=Path)
    ap.add_argument("--root-package", required=True)
    ap.add_argument("--layer", action="append", default=[])
    ap.add_argument("--min-units", type=int, default=5)
    args = ap.parse_args()
    doc = load(args.analysis)
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


if __name__ == "__main__":
    main()
