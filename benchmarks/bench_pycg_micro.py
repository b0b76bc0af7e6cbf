"""Call-graph accuracy on PyCG's micro-benchmark: edge precision / recall against ground truth.

Usage::

    python benchmarks/bench_pycg_micro.py PATH [--pycg-python PY] [--via-cli] [--details] [--json OUT]

``PATH`` is PyCG's ``micro-benchmark`` folder (or its ``snippets`` folder): one folder per
case, ``<category>/<case>/main.py`` plus the expected call graph ``callgraph.json``. PyCG's
code and data are read from where they were extracted; nothing of them enters this repo.

For every case the call graph of ``msa callgraph`` is compared with the expected one as sets
of ``(caller, callee)`` edges. Per category and overall the script prints edge precision
and recall, and, as in PyCG's paper, how many cases are *complete* (no extra edge) and
*sound* (no missing edge). With ``--pycg-python`` it also runs PyCG itself (the reference
implementation, installed in its own venv) on the same cases for a side-by-side table.

Normalisation (the same for every tool, so the comparison stays fair):

* the case folder is the import root, as PyCG's harness makes it (``--package`` = the case
  folder, so ``main.py`` is module ``main`` and its siblings are top-level modules). Three
  cases also hold an empty ``__init__.py`` at the top, which would make the folder a package
  to our discovery (``relative_import.main``) and turn ``import to_import`` into an outside
  name; we analyse a temporary copy of those cases without that one empty file;
* PyCG's pseudo-modules for builtin types become ours: ``<**PyStr**>.join`` is compared as
  ``<builtin>.str.join`` (likewise ``PyDict``, ``PyList``, ``PyTuple``, ``PySet``...);
* PyCG analyses only the modules ``main.py`` imports (transitively); we analyse the whole
  folder. Our edges whose caller lies in a module that ``main`` never imports are dropped
  (a package's ``__init__`` counts as imported with any of its submodules); the number of
  edges dropped this way is printed, so the filter is visible.

Nothing else is mapped: external names (``ext.Cls.fun``), ``<builtin>.x`` and lambda or
nested-function names must match exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Edge = tuple[str, str]
CallGraph = dict[str, list[str]]

# PyCG's names for the types of literals -> the builtin type names we use
_PYCG_TYPES = {"PyStr": "str", "PyDict": "dict", "PyList": "list", "PyTuple": "tuple", "PySet": "set",
               "PyNum": "int", "PyInt": "int", "PyFloat": "float", "PyBool": "bool", "PyBytes": "bytes"}
_PYCG_TYPE_RE = re.compile(r"<\*\*(\w+)\*\*>")


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.category}/{self.name}"


@dataclass(frozen=True)
class Outcome:
    """One tool's result on one case: expected and produced edges, or why it produced none."""

    case: Case
    expected: frozenset[Edge]
    actual: frozenset[Edge]
    error: str | None = None
    dropped: int = 0  # our edges left out because main.py never imports their module

    @property
    def tp(self) -> int:
        return len(self.expected & self.actual)

    @property
    def fp(self) -> int:
        return len(self.actual - self.expected)

    @property
    def fn(self) -> int:
        return len(self.expected - self.actual)

    @property
    def complete(self) -> bool:
        return self.error is None and self.fp == 0

    @property
    def sound(self) -> bool:
        return self.error is None and self.fn == 0


@dataclass(frozen=True)
class Row:
    """Aggregated scores of one category (or of all cases)."""

    name: str
    cases: int
    tp: int
    fp: int
    fn: int
    complete: int
    sound: int
    exact: int
    errors: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def find_cases(path: Path) -> list[Case]:
    """Every ``<category>/<case>`` folder holding both ``main.py`` and ``callgraph.json``."""
    base = path / "snippets" if (path / "snippets").is_dir() else path
    if not base.is_dir():
        raise SystemExit(f"{path}: not a folder (give PyCG's micro-benchmark folder)")
    cases = []
    for cg in sorted(base.rglob("callgraph.json")):
        folder = cg.parent
        if not (folder / "main.py").is_file():
            continue
        rel = folder.relative_to(base).parts
        category = rel[0] if len(rel) > 1 else "."
        cases.append(Case(category, "/".join(rel[1:]) or rel[0], folder))
    if not cases:
        raise SystemExit(f"{path}: no <category>/<case>/callgraph.json found")
    return cases


def pycg_name(name: str) -> str:
    """``<**PyStr**>.join`` -> ``<builtin>.str.join``; other names unchanged."""
    return _PYCG_TYPE_RE.sub(lambda m: f"<builtin>.{_PYCG_TYPES.get(m.group(1), m.group(1))}", name)


def edges_of(cg: CallGraph) -> frozenset[Edge]:
    return frozenset((pycg_name(a), pycg_name(b)) for a, bs in cg.items() for b in bs)


def expected_edges(case: Case) -> frozenset[Edge]:
    return edges_of(json.loads((case.path / "callgraph.json").read_text(encoding="utf-8")))


# -- our call graph ------------------------------------------------------------------------
@contextmanager
def import_root(case: Case) -> Iterator[Path]:
    """The case laid out as PyCG sees it: the folder is the import root, not a package."""
    top_init = case.path / "__init__.py"
    if not top_init.is_file():
        yield case.path
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / case.path.name
        shutil.copytree(case.path, copy)
        (copy / "__init__.py").unlink()
        yield copy


def _reachable_modules(front, main: str) -> set[str]:
    """Modules Python runs when running ``main``: its imports, transitively, and their packages."""
    res = front.resolution
    modules = {f.module for f in front.facts if f.error is None}
    imports: dict[str, set[str]] = defaultdict(set)
    for e in res.edges:
        if e.kind == "import":
            target = e.target if e.target in modules else res.resolver.module_of(e.target)
            imports[e.source].add(target)
    seen = {main}
    todo = [main]
    while todo:
        m = todo.pop()
        parts = m.split(".")
        nxt = set(imports.get(m, ()))
        nxt |= {".".join(parts[:i]) for i in range(1, len(parts))}  # parent packages run first
        for t in sorted(nxt):
            if t in modules and t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def _restrict(front, graph: CallGraph, reachability: bool) -> tuple[CallGraph, int]:
    """Our graph restricted to the modules PyCG would analyse (see the module docstring)."""
    if not reachability:
        return graph, 0
    keep = _reachable_modules(front, "main")
    r = front.resolution.resolver
    out: CallGraph = {}
    dropped = 0
    for caller, callees in graph.items():
        module = caller if caller in r.facts else r.module_of(caller)
        if module in keep:
            out[caller] = callees
        else:
            dropped += len(callees)
    return out, dropped


def _front_end(path: Path):
    from analyzer.pipeline import AnalyzeOptions, run_front_end

    # the options of `msa callgraph --no-cache`, in one process
    options = AnalyzeOptions(include_tests=True, include_migrations=True, use_cache=False, progress=False, jobs=1)
    return run_front_end(path, options)


def run_ours(case: Case, reachability: bool = True, via_cli: bool = False) -> tuple[CallGraph, int]:
    """Our call graph of one case: what ``msa callgraph CASE --format pycg --no-cache`` prints."""
    from analyzer.callgraph import call_map

    with import_root(case) as path:
        front = _front_end(path)
        if not via_cli:
            return _restrict(front, call_map(front), reachability)
        proc = subprocess.run([sys.executable, "-m", "analyzer.cli", "callgraph", str(path), "--format", "pycg",
                               "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError((proc.stderr.strip().splitlines() or ["failed"])[-1])
        return _restrict(front, json.loads(proc.stdout), reachability)


def score_ours(cases: list[Case], via_cli: bool, reachability: bool) -> list[Outcome]:
    out = []
    for case in cases:
        expected = expected_edges(case)
        try:
            graph, dropped = run_ours(case, reachability, via_cli)
        except Exception as exc:  # noqa: BLE001 - a crash on one case is a finding, not the end of the run
            out.append(Outcome(case, expected, frozenset(), f"{type(exc).__name__}: {exc}"))
            continue
        out.append(Outcome(case, expected, edges_of(graph), None, dropped))
    return out


# -- PyCG itself ---------------------------------------------------------------------------
def pycg_shim(python: str, workdir: Path) -> Path:
    """A folder that makes PyCG importable as ``pycg``.

    The PyPI wheel of PyCG 0.0.8 installs its package as ``PyCG`` while its own modules import
    ``pycg``; on a case-sensitive file system it cannot start. A symlink named ``pycg`` on
    ``PYTHONPATH`` fixes that without touching PyCG's code.
    """
    find = ("import importlib.util as u\n"
            "for n in ('pycg', 'PyCG'):\n"
            "    s = u.find_spec(n)\n"
            "    if s and s.submodule_search_locations:\n"
            "        print(n, list(s.submodule_search_locations)[0]); break")
    probe = subprocess.run([python, "-c", find], check=False, capture_output=True, text=True, timeout=60)
    if probe.returncode != 0 or not probe.stdout.strip():
        raise SystemExit(f"{python}: PyCG is not installed there (pip install pycg)")
    name, location = probe.stdout.split(None, 1)
    shim = workdir / "shim"
    shim.mkdir(exist_ok=True)
    if name == "PyCG":
        link = shim / "pycg"
        if not link.exists():
            link.symlink_to(location.strip(), target_is_directory=True)
    return shim


def run_pycg(case: Case, python: str, shim: Path, timeout: float = 120) -> CallGraph:
    """PyCG on one case exactly as its own test harness calls it: entry ``main.py``, package = case folder."""
    env = dict(os.environ, PYTHONPATH=str(shim))
    proc = subprocess.run([python, "-m", "pycg", "--package", str(case.path), str(case.path / "main.py")],
                          check=False, cwd=case.path, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["failed"])[-1])
    return json.loads(proc.stdout)


def score_pycg(cases: list[Case], python: str) -> list[Outcome]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        shim = pycg_shim(python, Path(tmp))
        for case in cases:
            expected = expected_edges(case)
            try:
                graph = run_pycg(case, python, shim)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
                out.append(Outcome(case, expected, frozenset(), f"{type(exc).__name__}: {exc}"))
                continue
            out.append(Outcome(case, expected, edges_of(graph)))
    return out


# -- tables --------------------------------------------------------------------------------
def aggregate(name: str, outcomes: list[Outcome]) -> Row:
    return Row(
        name=name,
        cases=len(outcomes),
        tp=sum(o.tp for o in outcomes),
        fp=sum(o.fp for o in outcomes),
        fn=sum(o.fn for o in outcomes),
        complete=sum(o.complete for o in outcomes),
        sound=sum(o.sound for o in outcomes),
        exact=sum(o.complete and o.sound for o in outcomes),
        errors=sum(o.error is not None for o in outcomes),
    )


def rows_by_category(outcomes: list[Outcome]) -> list[Row]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.case.category].append(o)
    rows = [aggregate(cat, groups[cat]) for cat in sorted(groups)]
    rows.append(aggregate("all", outcomes))
    return rows


def format_table(title: str, rows: list[Row]) -> str:
    head = (f"{'category':<14}{'cases':>6}{'edges':>7}{'TP':>6}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}"
            f"{'complete':>10}{'sound':>7}{'exact':>7}{'errors':>8}")
    lines = [title, head, "-" * len(head)]
    for r in rows:
        if r.name == "all":
            lines.append("-" * len(head))
        lines.append(f"{r.name:<14}{r.cases:>6}{r.tp + r.fn:>7}{r.tp:>6}{r.fp:>5}{r.fn:>5}{r.precision:>11.1%}"
                     f"{r.recall:>8.1%}{r.complete:>10}{r.sound:>7}{r.exact:>7}{r.errors:>8}")
    return "\n".join(lines)


def format_side_by_side(ours: list[Row], theirs: list[Row]) -> str:
    by_name = {r.name: r for r in theirs}
    head = (f"{'category':<14}{'cases':>6}  {'msa P':>7}{'msa R':>7}{'msa C/S':>9}  "
            f"{'PyCG P':>7}{'PyCG R':>7}{'PyCG C/S':>9}")
    lines = ["side by side (P precision, R recall, C/S complete/sound cases)", head, "-" * len(head)]
    for a in ours:
        b = by_name[a.name]
        if a.name == "all":
            lines.append("-" * len(head))
        lines.append(f"{a.name:<14}{a.cases:>6}  {a.precision:>7.1%}{a.recall:>7.1%}{f'{a.complete}/{a.sound}':>9}  "
                     f"{b.precision:>7.1%}{b.recall:>7.1%}{f'{b.complete}/{b.sound}':>9}")
    return "\n".join(lines)


def format_details(tool: str, outcomes: list[Outcome]) -> str:
    lines = [f"cases {tool} does not get exactly right:"]
    for o in outcomes:
        if o.complete and o.sound:
            continue
        lines.append(f"  {o.case.label}" + (f"  ERROR {o.error}" if o.error else ""))
        for a, b in sorted(o.expected - o.actual):
            lines.append(f"      missing  {a} -> {b}")
        for a, b in sorted(o.actual - o.expected):
            lines.append(f"      extra    {a} -> {b}")
    return "\n".join(lines)


def to_json(outcomes: list[Outcome]) -> list[dict]:
    return [{"case": o.case.label, "tp": o.tp, "fp": o.fp, "fn": o.fn, "error": o.error, "dropped": o.dropped,
             "missing": sorted(map(list, o.expected - o.actual)), "extra": sorted(map(list, o.actual - o.expected))}
            for o in outcomes]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path, help="PyCG's micro-benchmark folder (or its snippets folder)")
    ap.add_argument("--pycg-python", help="python of a venv with PyCG installed, to score PyCG too")
    ap.add_argument("--via-cli", action="store_true", help="run `python -m analyzer.cli callgraph` per case")
    ap.add_argument("--no-reachability", action="store_true",
                    help="keep our edges from modules main.py never imports")
    ap.add_argument("--details", action="store_true", help="list every missing / extra edge")
    ap.add_argument("--json", type=Path, help="write per-case results here")
    args = ap.parse_args(argv)

    cases = find_cases(args.path)
    print(f"{len(cases)} cases in {len({c.category for c in cases})} categories from {args.path}")
    t0 = time.perf_counter()
    ours = score_ours(cases, args.via_cli, not args.no_reachability)
    ours_time = time.perf_counter() - t0
    ours_rows = rows_by_category(ours)
    print()
    print(format_table(f"msa callgraph ({ours_time:.1f} s)", ours_rows))
    dropped = sum(o.dropped for o in ours)
    print(f"edges dropped by the reachability filter (callers in modules main.py never imports): {dropped}")
    results = {"msa": to_json(ours)}
    if args.pycg_python:
        t0 = time.perf_counter()
        theirs = score_pycg(cases, args.pycg_python)
        pycg_time = time.perf_counter() - t0
        print()
        print(format_table(f"PyCG ({pycg_time:.1f} s)", rows_by_category(theirs)))
        print()
        print(format_side_by_side(ours_rows, rows_by_category(theirs)))
        results["pycg"] = to_json(theirs)
    if args.details:
        print()
        print(format_details("msa", ours))
        if args.pycg_python:
            print()
            print(format_details("PyCG", theirs))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
