"""Analyze-time benchmark: our analysis against bare ``libcst.parse_module`` on the same files.

Usage::

    python benchmarks/bench_analyze.py TREE [TREE ...] [--jobs N] [--include-tests] [--include-migrations]
                                       [--pairs N]

For each tree it prints files, lines and the bare single-process parse time; the cold
``msa analyze`` time as a ratio to that; then warm runs as ratios to cold: nothing changed,
options changed (``--services 5``), one file changed (a comment appended), one literal
changed inside a function (an edit the dependency graph does not show) and one function
added to a file (a code edit: a new symbol and a new call); the peak memory of
the analysis (of its largest process, and of all its processes together: the summed
proportional set sizes, sampled every quarter second, so that pages a forked child shares
with its parent count once) and the seconds of each stage. All figures come from one run on this machine;
compare ratios, not seconds (machines here are noisy). ``--pairs N`` times the bare parse and
the cold analysis N times, alternated, and prints each pair's ratio and their median: on a
shared machine the bare parse alone has moved by 40 % between runs minutes apart. With it
each warm run is also made N times: the median of each, over the median cold run.

The analyzer's bytecode is compiled first, as ``pip install`` does: without it (this
machine sets ``PYTHONDONTWRITEBYTECODE``) every run compiles the analyzer's own modules,
about half a second that no installed copy pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.file_index import SETTLED_NS


def bare_parse(paths: list[Path]) -> tuple[float, int]:
    import libcst

    from analyzer.parse import _decode

    failures = 0
    start = time.perf_counter()
    for p in paths:
        try:
            libcst.parse_module(_decode(p.read_bytes()))
        except Exception:
            failures += 1
    return time.perf_counter() - start, failures


def run_analyze(tree: Path, cache: Path, out: Path, extra: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB, the largest process of the run) of one ``msa analyze``;
    the peak of all its processes together is kept in :data:`TOTAL_PEAKS`."""
    cmd = [sys.executable, "-m", "analyzer", "analyze", str(tree), "-o", str(out), "--cache-dir", str(cache),
           "--quiet", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    sampler = _TotalMemory(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    TOTAL_PEAKS.append(sampler.stop())
    if status != 0:
        raise SystemExit(f"msa analyze failed on {tree} (status {status})")
    return elapsed, usage.ru_maxrss


TOTAL_PEAKS: list[int] = []  # KiB, per run_analyze call, in order


class _TotalMemory:
    """Samples the summed proportional set size (PSS) of a process and its descendants
    (parsing workers, forked children) every quarter second, from /proc (0 elsewhere)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak

    def _run(self) -> None:
        while not self._done.wait(0.25):
            self.peak = max(self.peak, sum(map(_pss, _descendants(self.pid))))


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found = [pid]
    for p in found:
        found.extend(children.get(p, ()))
    return found


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def change_a_literal(tree: Path, relpaths: list[str]) -> str | None:
    """Change one number inside a function of one file, keeping every line's length: the
    kind of edit the dependency graph does not show. Returns the file's path, or ``None``."""
    import io
    import tokenize

    for rel in relpaths[len(relpaths) // 2:] + relpaths[:len(relpaths) // 2]:
        path = tree / rel
        source = path.read_bytes()
        try:
            tokens = list(tokenize.tokenize(io.BytesIO(source).readline))
        except (tokenize.TokenError, SyntaxError):
            continue
        for tok in tokens:
            if tok.type == tokenize.NUMBER and tok.start[1] > 0 and tok.string.isdigit() and tok.line.startswith(" "):
                lines = source.decode("utf-8").splitlines(keepends=True)
                row, col = tok.start[0] - 1, tok.start[1]
                digit = "1" if tok.string[0] != "1" else "2"
                lines[row] = lines[row][:col] + digit + lines[row][col + 1:]
                path.write_text("".join(lines), encoding="utf-8")
                return rel
    return None


def stages(document: Path) -> tuple[str, str]:
    """Seconds per stage and the main process's peak memory after each, as the run
    recorded them in its document (``counts.timings``, ``counts.peak_mib``)."""
    import json

    counts = json.loads(document.read_text(encoding="utf-8")).get("counts", {})
    timings = ", ".join(f"{k} {v:.1f}" for k, v in counts.get("timings", {}).items() if v >= 0.05)
    peaks = ", ".join(f"{k} {v}" for k, v in counts.get("peak_mib", {}).items())
    return timings, peaks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--include-tests", action="store_true")
    ap.add_argument("--include-migrations", action="store_true")
    ap.add_argument("--pairs", type=int, default=1, help="bare parse and cold analysis, alternated, N times")
    args = ap.parse_args()
    import compileall

    compileall.compile_dir(str(ROOT / "analyzer"), quiet=1)
    from analyzer.discover import discover

    extra = []
    if args.jobs:
        extra += ["--jobs", str(args.jobs)]
    if args.include_tests:
        extra += ["--include-tests"]
    if args.include_migrations:
        extra += ["--include-migrations"]
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")
    for tree in args.trees:
        files = discover(tree, include_tests=args.include_tests, include_migrations=args.include_migrations).files
        paths = [f.path for f in files]
        lines = sum(p.read_bytes().count(b"\n") for p in paths)
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            out = Path(tmp) / "analysis.json"
            pairs = []
            for _ in range(max(1, args.pairs)):
                shutil.rmtree(cache, ignore_errors=True)
                bare, failures = bare_parse(paths)
                cold, cold_rss = run_analyze(tree, cache, out, extra)
                pairs.append((bare, cold))
            cold_stages = stages(out)
            cold_total = max(TOTAL_PEAKS[-len(pairs):])
            bare, cold = median([b for b, _ in pairs]), median([c for _, c in pairs])
            repeats = max(1, args.pairs)
            warm_runs = [run_analyze(tree, cache, out, extra) for _ in range(repeats)]
            warm, warm_rss = median([w for w, _ in warm_runs]), max(r for _, r in warm_runs)
            warm_total = max(TOTAL_PEAKS[-len(warm_runs):])
            # other options each time: the same ones again would come from the result cache
            options = median([run_analyze(tree, cache, out, [*extra, "--services", str(5 + k)])[0]
                              for k in range(repeats)])
            options_stages = stages(out)
            # one file changed: copy the tree, touch one file's content
            # the copy keeps the tree's folder name: when the tree is itself a package
            # (django/), its absolute imports name that folder
            copy = Path(tmp) / "copy" / tree.resolve().name
            shutil.copytree(tree, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
            # a file whose times are this recent is read again by the next run (file_index.py:
            # an edit in the same clock tick would keep its status); a user's files are older
            time.sleep(SETTLED_NS / 1e9 + 0.1)
            changed_cache = Path(tmp) / "cache2"
            run_analyze(copy, changed_cache, out, extra)
            victim = copy / files[len(files) // 2].relpath
            ones = []
            for k in range(repeats):  # a new edit each time, each run after the one before it
                victim.write_bytes(victim.read_bytes() + f"\n# changed {k}\n".encode())
                ones.append(run_analyze(copy, changed_cache, out, extra)[0])
            one = median(ones)
            one_stages = stages(out)
            literals = []
            for _ in range(repeats):
                literal_file = change_a_literal(copy, [f.relpath for f in files])
                literals.append(run_analyze(copy, changed_cache, out, extra)[0])
            literal = median(literals)
            literal_stages = stages(out)
            added = []
            for k in range(repeats):  # a code edit: a new function with a call (a new symbol, new edges)
                victim.write_bytes(victim.read_bytes() + f"\n\ndef _bench_added_{k}(value):\n    return len(value)\n".encode())
                added.append(run_analyze(copy, changed_cache, out, extra)[0])
            add = median(added)
            added_stages = stages(out)
        print(f"\n{tree}: {len(paths)} files, {lines:,} lines ({failures} not parsed by libcst)")
        print(f"  bare libcst.parse_module, 1 process : {bare:8.2f} s   (1.00)")
        print(f"  msa analyze cold                    : {cold:8.2f} s   ({cold / bare:.2f} x bare parse)")
        if len(pairs) > 1:
            print(f"  pairs (bare s, cold s, ratio)       : "
                  + ", ".join(f"({b:.2f}, {c:.2f}, {c / b:.2f})" for b, c in pairs))
            print(f"  cold / bare, median of {len(pairs)} pairs     : {median([c / b for b, c in pairs]):8.2f}")
            print(f"  (warm runs below: median of {repeats} each, as shares of the median cold run)")
        print(f"  msa analyze warm, nothing changed   : {warm:8.2f} s   ({warm / cold:.1%} of cold)")
        print(f"  msa analyze warm, one file changed  : {one:8.2f} s   ({one / cold:.1%} of cold)")
        print(f"  one literal changed ({literal_file or 'none found'}): {literal:8.2f} s   ({literal / cold:.1%} of cold)")
        print(f"  one function added ({victim.name}) : {add:8.2f} s   ({add / cold:.1%} of cold)")
        print(f"  options changed (--services 5, ...) : {options:8.2f} s   ({options / cold:.1%} of cold)")
        print(f"  peak memory (largest process)       : {max(cold_rss, warm_rss) / 1024:8.0f} MiB")
        print(f"  peak memory (all processes, PSS)    : {max(cold_total, warm_total) / 1024:8.0f} MiB")
        print(f"  cold, by stage (s)                  : {cold_stages[0]}")
        print(f"  cold, peak after each stage (MiB)   : {cold_stages[1]}")
        print(f"  one file changed, by stage (s)      : {one_stages[0]}")
        print(f"  one literal changed, by stage (s)   : {literal_stages[0]}")
        print(f"  one function added, by stage (s)    : {added_stages[0]}")
        print(f"  options changed, by stage (s)       : {options_stages[0]}")


if __name__ == "__main__":
    main()
