"""Side by side on real trees: msa against pyan3, PyCG and grimp (time, memory, graph size).

Usage::

    python benchmarks/bench_tools.py TREE [TREE ...] [--include-tests] [--timeout 600]
        [--pyan3 /tmp/pyanvenv/bin/pyan3] [--pycg-python /tmp/pycgvenv/bin/python]
        [--grimp-python /tmp/grimpvenv/bin/python] [--tools msa-analyze,pyan3,...] [--json OUT]

Each tool runs alone in a subprocess of its own (one at a time: the machine is shared), with
a time limit and an address-space limit; the wall time, the CPU time and the peak resident
memory (``os.wait4``'s ``ru_maxrss``: the largest process of the run, workers included) are
measured, then the tool's output is read to count what it produced. The tool is spawned by a
small runner (``python -I -S``, about 9 MiB) so that its peak memory does not start at the
size of this benchmark process; figures below about 10 MiB are that floor.

Every tool is given the same files: the modules ``msa analyze`` discovers in TREE (tests and
migrations left out unless ``--include-tests``), under the import root they share (the
folder that makes ``django/db/models/base.py`` module ``django.db.models.base``). grimp is
the exception: it takes package names, so it always sees whole packages, tests included.

Tools (each installed in its own venv, never into the project's):

* ``msa-analyze``: ``msa analyze TREE`` cold, with a fresh ``--cache-dir``, default jobs
  (one parsing process per core) and ``--jobs 1``;
* ``msa-callgraph``: ``msa callgraph TREE --no-cache`` (PyCG's format). That command always
  includes tests, so without ``--include-tests`` the same front end is run through a few
  lines of Python with ``include_tests=False`` instead;
* ``pyan3``: ``pyan3 FILES --uses --no-defines --dot --root ROOT``;
* ``pycg``: ``python -m pycg --package ROOT FILES`` (every file an entry point). The PyPI
  wheel of PyCG 0.0.8 installs as ``PyCG`` but imports ``pycg``: a symlink on PYTHONPATH
  makes it start (see ``bench_pycg_micro.pycg_shim``);
* ``grimp``: ``grimp.build_graph(PACKAGES, cache_dir=None)`` (import graph only).

Seconds depend on the machine and its load; compare the ratios to ``msa analyze`` measured
in the same run. On a shared machine CPU time (user + system, workers included) varies far
less than wall time, so the CPU ratio is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_CALLGRAPH_NO_TESTS = """\
import sys
from pathlib import Path
from analyzer.callgraph import render_callgraph
from analyzer.pipeline import AnalyzeOptions, run_front_end
front = run_front_end(Path(sys.argv[1]), AnalyzeOptions(include_tests=False, include_migrations=True,
                                                        use_cache=False, progress=False))
Path(sys.argv[2]).write_text(render_callgraph(front, "pycg"), encoding="utf-8")
"""

# Runs one tool and reports its rusage. A child's ru_maxrss starts at the resident size of the
# process it was forked from (Linux keeps the pre-exec high-water mark), so the tool is spawned
# from this small interpreter, not from the benchmark, whose own size would be the floor.
_RUNNER = """\
import json, os, resource, sys
limit, out, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, ru = os.wait4(pid, 0)
with open(out, "w") as f:
    json.dump({"cpu": ru.ru_utime + ru.ru_stime, "maxrss": ru.ru_maxrss}, f)
sys.exit(os.waitstatus_to_exitcode(status))
"""

_GRIMP = """\
import json, sys
sys.path.insert(0, sys.argv[1])
import grimp
graph = grimp.build_graph(*sys.argv[3:], cache_dir=None)
with open(sys.argv[2], "w") as f:
    json.dump({"modules": len(graph.modules), "imports": graph.count_imports()}, f)
"""


@dataclass(frozen=True)
class Tree:
    """The files every tool gets, and where imports are rooted."""

    path: Path
    root: Path
    files: tuple[Path, ...]
    packages: tuple[str, ...]  # importable top-level packages under root (what grimp is given)
    tops: tuple[str, ...]  # top-level names of every module: a name under one is project code
    lines: int
    include_tests: bool

    def is_project(self, name: str) -> bool:
        return name.split(".", 1)[0] in self.tops


@dataclass(frozen=True)
class Measure:
    status: str  # ok | timeout | out of memory | exit N: last stderr line
    wall: float
    cpu: float  # 0 when unknown (killed at the time limit)
    rss_kib: int  # 0 when unknown


@dataclass(frozen=True)
class Count:
    nodes: int
    edges: int
    note: str = ""


@dataclass(frozen=True)
class Result:
    tree: str
    tool: str
    produces: str
    measure: Measure
    count: Count | None

    @property
    def finished(self) -> bool:
        return self.measure.status == "ok"


@dataclass(frozen=True)
class Command:
    argv: list[str]
    output: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tool:
    name: str
    produces: str
    command: Callable[[Tree, Path], Command]
    count: Callable[[Path, Tree], Count]


# -- the trees -----------------------------------------------------------------------------
def import_root(path: Path, module: str, is_package: bool) -> Path:
    """The folder that must be on sys.path for ``path`` to be importable as ``module``."""
    depth = len(module.split("."))
    base = path.parent if is_package else path.with_suffix("")
    return base.parents[depth - 1]


def load_tree(path: Path, include_tests: bool) -> Tree:
    from analyzer.discover import discover

    found = discover(path, include_tests=include_tests).files
    if not found:
        raise SystemExit(f"{path}: no Python modules found")
    roots = Counter(import_root(f.path, f.module, f.is_package) for f in found)
    root = min(roots.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
    packages = sorted({f.module.split(".")[0] for f in found
                       if import_root(f.path, f.module, f.is_package) == root
                       and (root / f.module.split(".")[0] / "__init__.py").is_file()})
    files = tuple(sorted(f.path for f in found))
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    tops = tuple(sorted({f.module.split(".")[0] for f in found}))
    return Tree(path.resolve(), root, files, tuple(packages), tops, lines, include_tests)


# -- running one tool ----------------------------------------------------------------------
def measure(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float, mem_limit_mb: int,
            stderr_path: Path) -> Measure:
    """Run ``argv`` through the small runner, in its own process group; time, memory, how it ended."""
    usage_path = stderr_path.with_name("usage.json")
    runner = [sys.executable, "-I", "-S", "-c", _RUNNER, str(mem_limit_mb * 1024 * 1024), str(usage_path), *argv]
    start = time.perf_counter()
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(runner, cwd=cwd, env=dict(os.environ, **env), stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
    timed_out = False
    while True:
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # the group this run created: runner, tool, workers
            _, status, _ = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    cpu, rss = 0.0, 0  # unknown when the tool was killed: the runner never saw it end
    if usage_path.is_file():  # the tool's own figures, free of the runner's
        tool_usage = json.loads(usage_path.read_text(encoding="utf-8"))
        cpu, rss = tool_usage["cpu"], tool_usage["maxrss"]
    if timed_out:
        state = f"timeout ({timeout:.0f} s)"
    elif proc.returncode == 0:
        state = "ok"
    else:
        tail = stderr_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        last = tail[-1][:120] if tail else ""
        state = "out of memory" if "MemoryError" in last else f"exit {proc.returncode}: {last}"
    return Measure(state, wall, cpu, rss)


# -- counting what each tool produced ------------------------------------------------------
def count_analysis(path: Path, tree: Tree) -> Count:
    doc = json.loads(path.read_text(encoding="utf-8"))
    kinds = Counter(e["kind"] for e in doc["edges"])
    note = ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
    problems = Counter("skipped" if e.get("kind") == "skipped" else "parse errors" for e in doc.get("parse_errors", []))
    return Count(len(doc["symbols"]), len(doc["edges"]),
                 f"{note}; parse errors {problems['parse errors']}, files skipped {problems['skipped']}")


def _count_edges(edges: list[tuple[str, str]], tree: Tree) -> Count:
    nodes = {n for e in edges for n in e}
    internal = sum(1 for a, b in edges if tree.is_project(a) and tree.is_project(b))
    return Count(len(nodes), len(edges), f"{internal:,} edges between project nodes")


def count_pycg_format(path: Path, tree: Tree) -> Count:
    graph: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    count = _count_edges([(a, b) for a, bs in graph.items() for b in bs], tree)
    nodes = len(set(graph) | {c for cs in graph.values() for c in cs})
    return replace(count, nodes=nodes)


_DOT_EDGE = re.compile(r'^\s*"([^"]+)"\s*->\s*"([^"]+)"')
_DOT_NODE = re.compile(r'^\s*"([^"]+)"\s*\[label=')


def count_pyan_dot(path: Path, tree: Tree) -> Count:
    """pyan's DOT output: node ids are qualified names with ``.`` written as ``__``."""
    edges: list[tuple[str, str]] = []
    nodes: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _DOT_EDGE.match(line)
        if m:
            edges.append((m.group(1).replace("__", "."), m.group(2).replace("__", ".")))
            continue
        m = _DOT_NODE.match(line)
        if m:
            nodes.add(m.group(1).replace("__", "."))
    nodes |= {n for e in edges for n in e}
    return replace(_count_edges(edges, tree), nodes=len(nodes))


def count_grimp(path: Path, tree: Tree) -> Count:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Count(data["modules"], data["imports"], "modules and imports, whole packages")


# -- the tools -----------------------------------------------------------------------------
def make_tools(args: argparse.Namespace, work: Path) -> list[Tool]:
    py = sys.executable
    runs = {"n": 0}

    def analyze(jobs: int | None) -> Callable[[Tree, Path], Command]:
        def command(tree: Tree, out_dir: Path) -> Command:
            runs["n"] += 1
            out = out_dir / "analysis.json"
            argv = [py, "-m", "analyzer", "analyze", str(tree.path), "-o", str(out),
                    "--cache-dir", str(work / f"cache-{runs['n']}"), "--quiet"]
            if tree.include_tests:
                argv.append("--include-tests")
            if jobs:
                argv += ["--jobs", str(jobs)]
            return Command(argv, out)
        return command

    def callgraph(tree: Tree, out_dir: Path) -> Command:
        out = out_dir / "callgraph.json"
        if tree.include_tests:
            argv = [py, "-m", "analyzer.cli", "callgraph", str(tree.path), "--no-cache", "-o", str(out)]
        else:
            argv = [py, "-c", _CALLGRAPH_NO_TESTS, str(tree.path), str(out)]
        return Command(argv, out, {"PYTHONPATH": str(ROOT)})

    def pyan(tree: Tree, out_dir: Path) -> Command:
        out = out_dir / "pyan.dot"
        return Command([args.pyan3, *map(str, tree.files), "--uses", "--no-defines", "--dot",
                        "--root", str(tree.root), "--file", str(out)], out)

    def pycg(tree: Tree, out_dir: Path) -> Command:
        from bench_pycg_micro import pycg_shim

        out = out_dir / "pycg.json"
        shim = pycg_shim(args.pycg_python, work)
        return Command([args.pycg_python, "-m", "pycg", "--package", str(tree.root), *map(str, tree.files),
                        "-o", str(out)], out, {"PYTHONPATH": str(shim)})

    def grimp(tree: Tree, out_dir: Path) -> Command:
        out = out_dir / "grimp.json"
        return Command([args.grimp_python, "-c", _GRIMP, str(tree.root), str(out), *tree.packages], out)

    tools = [
        Tool("msa-analyze", "analysis (call+import graph, clusters)", analyze(None), count_analysis),
        Tool("msa-analyze-j1", "the same, --jobs 1", analyze(1), count_analysis),
        Tool("msa-callgraph", "call graph", callgraph, count_pycg_format),
    ]
    if args.pyan3:
        tools.append(Tool("pyan3", "call graph (uses)", pyan, count_pyan_dot))
    if args.pycg_python:
        tools.append(Tool("pycg", "call graph", pycg, count_pycg_format))
    if args.grimp_python:
        tools.append(Tool("grimp", "import graph", grimp, count_grimp))
    if args.tools:
        wanted = set(args.tools.split(","))
        unknown = wanted - {t.name for t in tools}
        if unknown:
            raise SystemExit(f"unknown or not installed tools: {', '.join(sorted(unknown))}")
        tools = [t for t in tools if t.name in wanted]
    return tools


def run_tool(tool: Tool, tree: Tree, work: Path, timeout: float, mem_limit_mb: int) -> Result:
    out_dir = work / f"{tree.path.name}-{tool.name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = tool.command(tree, out_dir)
    m = measure(cmd.argv, cwd=ROOT, env=cmd.env, timeout=timeout, mem_limit_mb=mem_limit_mb,
                stderr_path=out_dir / "stderr.txt")
    count = None
    if m.status == "ok":
        try:
            count = tool.count(cmd.output, tree)
        except (OSError, ValueError, KeyError) as exc:
            m = replace(m, status=f"unreadable output: {exc}")
    return Result(str(tree.path), tool.name, tool.produces, m, count)


# -- tables --------------------------------------------------------------------------------
def format_results(tree: Tree, results: list[Result], markdown: bool) -> str:
    base = next((r for r in results if r.tool == "msa-analyze" and r.finished), None)
    header = ["tool", "produces", "finished", "wall s", "× msa wall", "CPU s", "× msa CPU", "peak MiB",
              "× msa mem", "nodes", "edges", "note"]
    rows = []
    for r in results:
        m = r.measure
        ok = base is not None and r.finished
        ratio = f"{m.wall / base.measure.wall:.2f}" if ok else "-"
        cpu_ratio = f"{m.cpu / base.measure.cpu:.2f}" if ok and base.measure.cpu else "-"
        mem = f"{m.rss_kib / base.measure.rss_kib:.2f}" if ok and base.measure.rss_kib else "-"
        c = r.count
        rows.append([r.tool, r.produces, "yes" if r.finished else m.status, f"{m.wall:.1f}", ratio,
                     f"{m.cpu:.1f}" if m.rss_kib else "-", cpu_ratio,
                     f"{m.rss_kib / 1024:.0f}" if m.rss_kib else "-", mem,
                     f"{c.nodes:,}" if c else "-", f"{c.edges:,}" if c else "-", c.note if c else ""])
    title = (f"{tree.path}: {len(tree.files):,} files, {tree.lines:,} lines, import root {tree.root}, "
             f"packages {', '.join(tree.packages) or '-'}{', tests included' if tree.include_tests else ''}")
    if markdown:
        out = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+", type=Path)
    ap.add_argument("--include-tests", action="store_true", help="give every tool the test modules too")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per tool run (default 600)")
    ap.add_argument("--mem-limit-mb", type=int, default=8192, help="address-space limit per tool (0: none)")
    ap.add_argument("--pyan3", help="the pyan3 executable of its venv")
    ap.add_argument("--pycg-python", help="python of a venv with PyCG")
    ap.add_argument("--grimp-python", help="python of a venv with grimp")
    ap.add_argument("--tools", help="comma-separated subset: msa-analyze,msa-analyze-j1,msa-callgraph,pyan3,pycg,grimp")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--json", type=Path, help="write every measure here")
    args = ap.parse_args(argv)

    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  load: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    records = []
    with tempfile.TemporaryDirectory(prefix="msa-bench-tools-") as tmp:
        work = Path(tmp)
        tools = make_tools(args, work)
        for path in args.trees:
            tree = load_tree(path, args.include_tests)
            results = []
            for tool in tools:
                print(f"  running {tool.name} on {tree.path} ...", file=sys.stderr, flush=True)
                results.append(run_tool(tool, tree, work, args.timeout, args.mem_limit_mb))
            print()
            print(format_results(tree, results, args.markdown))
            for r in results:
                records.append({"tree": r.tree, "files": len(tree.files), "lines": tree.lines, "tool": r.tool,
                                "status": r.measure.status, "wall": round(r.measure.wall, 3),
                                "cpu": round(r.measure.cpu, 3), "peak_kib": r.measure.rss_kib,
                                "nodes": r.count.nodes if r.count else None,
                                "edges": r.count.edges if r.count else None,
                                "note": r.count.note if r.count else ""})
    if args.json:
        args.json.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
