"""Instructions the whole-program stages execute, counted by valgrind: a figure the machine's
noise does not move.

Usage::

    python benchmarks/bench_instructions.py TREE [--include-tests] [--include-migrations]
                                            [--against CHECKOUT]

The shared machines this project is measured on move a timing by 10 to 30 % between runs
minutes apart, so a change worth 3 % cannot be seen in seconds. Instructions can: the same
code over the same facts executes the same instructions (the hash seed is fixed), and a
change's effect is their ratio. The tree is parsed once; then, each in one process of its
own under ``valgrind --tool=cachegrind --cache-sim=no`` (about 20 times slower), the facts
are loaded (with the analyzer's modules, compiled first), resolution runs, then the frameworks stage, with no forked partner or shares. The
instructions of each stage are the differences between runs that stop after it. With
``--against`` the same runs are made with another checkout's ``analyzer`` (the facts are
this checkout's), and each stage's ratio is printed, with whether both give the same edges,
entities and routes (both must read facts of the same layout). Needs valgrind
(``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import compileall
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ("load", "resolve", "frameworks")

# What each counted run executes: load the facts, then run the stages up to ``stop``, in this
# process only, and print a digest of what came out.
_RUN = r'''
import hashlib, pickle, sys
sys.path.insert(0, sys.argv[1])
sys.setrecursionlimit(20_000)
import gc
gc.set_threshold(100_000, 50, 100)
from analyzer import resolve
import analyzer.frameworks.access as access
resolve.FORK_SITES = access.FORK_SITES = 10**12
from analyzer.frameworks import extract
extract([], resolve.resolve([]))  # what the stages import on their first use counts as loading
with open(sys.argv[2], "rb") as f:
    facts = pickle.load(f)
gc.freeze()
stop, out = sys.argv[3], []
if stop != "load":
    res = resolve.resolve(facts)
    out.append(sorted(map(repr, res.edges)))
if stop == "frameworks":
    found = extract(facts, res)
    out.extend(sorted(map(repr, getattr(found, k))) for k in ("edges", "entities", "routes", "transactions"))
print("digest", hashlib.blake2b(repr(out).encode(), digest_size=8).hexdigest())
'''


def parse_facts(tree: Path, include_tests: bool, include_migrations: bool, out: Path) -> tuple[int, int]:
    """Parse the tree's files (all cores) and pickle the facts of those that parse."""
    from analyzer.discover import discover
    from analyzer.pipeline import parse_all

    files = discover(tree, include_tests=include_tests, include_migrations=include_migrations).files
    tasks = [(f.relpath, f.module, f.is_package, f.path.read_bytes()) for f in files]
    facts = [m for m in parse_all(tasks, None, progress=False) if m.error is None]
    out.write_bytes(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    return len(tasks), sum(t[3].count(b"\n") for t in tasks)


def count(code: Path, facts: Path, stop: str, script: Path) -> tuple[int, str]:
    """Instructions of one run (``Ir``) and the digest it printed."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, str(script), str(code), str(facts), stop],
        capture_output=True, text=True, env=env, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"the counted run failed ({code}, {stop}): {proc.stderr.strip().splitlines()[-1:]}")
    return int(found.group(1).replace(",", "")), proc.stdout.split()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--include-tests", action="store_true")
    ap.add_argument("--include-migrations", action="store_true")
    ap.add_argument("--against", type=Path, help="another checkout whose analyzer is counted too")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    if args.against is not None and not (args.against / "analyzer").is_dir():
        raise SystemExit(f"{args.against}: no analyzer/ there (give a checkout of this project)")
    with tempfile.TemporaryDirectory() as tmp:
        facts, script = Path(tmp) / "facts.pickle", Path(tmp) / "run.py"
        script.write_text(_RUN, encoding="utf-8")
        files, lines = parse_facts(args.tree, args.include_tests, args.include_migrations, facts)
        print(f"{args.tree}: {files} files, {lines:,} lines; instructions, one process, valgrind")
        codes = [ROOT] + ([args.against.resolve()] if args.against is not None else [])
        for code in codes:  # as ``pip install`` does: no run compiles the analyzer's modules
            compileall.compile_dir(str(code / "analyzer"), quiet=1)
        runs = {code: {stop: count(code, facts, stop, script) for stop in STAGES} for code in codes}
    for code, counted in runs.items():
        previous = 0
        parts = []
        for stop in STAGES:
            parts.append(f"{stop} {(counted[stop][0] - previous) / 1e9:.2f} G")
            previous = counted[stop][0]
        print(f"  {code}: " + ", ".join(parts))
    if args.against is not None:
        ours, theirs = runs[ROOT], runs[codes[1]]
        for stop in STAGES[1:]:
            before = STAGES[STAGES.index(stop) - 1]
            mine = ours[stop][0] - ours[before][0]
            other = theirs[stop][0] - theirs[before][0]
            same = "same output" if ours[stop][1] == theirs[stop][1] else "OTHER OUTPUT"
            print(f"  {stop}: this checkout / the other = {mine / other:.3f} ({same})")
        total = (ours["frameworks"][0] - ours["load"][0]) / (theirs["frameworks"][0] - theirs["load"][0])
        print(f"  resolution and frameworks together: {total:.3f}")


if __name__ == "__main__":
    main()
