"""The analyze pipeline: discover -> parse (parallel, cached) -> resolve -> frameworks ->
graph -> cluster -> score. Each stage lives in its own module; this one only wires them."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.errors import UsageError
from analyzer.facts import ModuleFacts
from analyzer.file_index import FileIndex, Learnt, status

PARALLEL_THRESHOLD = 64  # below this many files, one worker process is enough
KEEP_RESULTS = 4  # whole documents kept in the result cache, newest first
# symbols from which a forked child scores the baselines while clustering runs: below this,
# the baselines take less than a fork costs (Django's 12,000 symbols: 0.1 s of 1.0 saved)
FORK_SYMBOLS = 5_000


@dataclass
class AnalyzeOptions:
    include_tests: bool = False
    include_migrations: bool = False
    exclude: tuple[str, ...] = ()
    use_cache: bool = True
    cache_dir: Path | None = None
    jobs: int | None = None
    services: int | None = None
    algorithm: str | None = None
    seed: int | None = None  # None: [tool.msa] seed, else 0
    progress: bool = True
    executor: str | None = None  # None/"local" or "dask://host:port"
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class FrontEnd:
    """What the front end knows: facts per module, the resolution, skipped files."""

    root: Path
    facts: list[ModuleFacts]
    resolution: Any
    skipped: list[tuple[str, str]]
    timings: dict[str, float]
    cache_hits: int = 0
    peak_mib: dict[str, float] = field(default_factory=dict)  # after each stage, this process
    reused: list[str] = field(default_factory=list)  # stages taken from the stage cache
    keys: list[str] = field(default_factory=list)  # facts-cache key of each module, in order
    resolution_key: str = ""  # what resolution read (stage_cache.resolution_key); "" without a cache


def _parse_task(task: tuple[str, str, bool, bytes]) -> bytes:
    """One file's facts, encoded where they are made: the main process stores these very
    bytes in the cache and decodes them once (what receiving the objects would cost anyway)."""
    from dataclasses import replace

    from analyzer.facts import encode, resolution_shape
    from analyzer.parse import parse_module_facts

    relpath, module, is_package, source = task
    facts = parse_module_facts(relpath, module, source, is_package)
    if facts.error is None:
        facts = replace(facts, shape=resolution_shape(facts))
    return encode(facts)


def _parse_chunk(tasks: list[tuple[str, str, bool, bytes]]) -> list[bytes]:
    import gc

    # libcst allocates many short-lived objects and no cycles worth collecting mid-chunk:
    # a lazier collector saves about 15 % of the parse.
    gc.set_threshold(100_000, 50, 100)
    # Long (valid) expression chains recurse deeply in the walker; pure-Python recursion does
    # not grow the C stack on 3.11+, so a worker can afford a deeper limit than the default.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    return [_parse_task(t) for t in tasks]


def _peak_mib() -> float:
    """Peak resident memory of this process so far (MiB): which stage sets the peak."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return 0.0
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class _NoBar:
    """What a disabled progress bar does, without importing rich (a warm run's 20 ms)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def advance(self, *args: Any, **kwargs: Any) -> None:
        return None


def _progress(enabled: bool):
    if not enabled:
        return _NoBar()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    )


@contextmanager
def _status(enabled: bool, text: str):
    """A spinner on stderr while a serial stage runs, in a terminal only: on a million lines,
    resolution, the frameworks stage and clustering take a minute after the parse bar ends."""
    if not enabled:
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(text):
        yield


def parse_all(tasks: list[tuple[str, str, bool, bytes]], jobs: int | None, progress: bool,
              executor=None) -> list[ModuleFacts]:
    """The facts of every task, in task order (see :func:`parse_encoded`)."""
    from analyzer.facts import decode

    return [decode(b) for b in parse_encoded(tasks, jobs, progress, executor)]


def parse_encoded(tasks: list[tuple[str, str, bool, bytes]], jobs: int | None, progress: bool,
                  executor=None, on_parsed: Callable[[int, bytes], None] | None = None) -> list[bytes]:
    """Parse through an executor (or in-process for small inputs); encoded facts in task order.

    ``on_parsed(task index, encoded facts)`` is called as each result arrives, so that the
    caller can decode a chunk while the workers are still parsing the next ones.
    """
    return start_parsing(tasks, jobs, progress, executor, on_parsed)()


def start_parsing(tasks: list[tuple[str, str, bool, bytes]], jobs: int | None, progress: bool = False,
                  executor=None, on_parsed: Callable[[int, bytes], None] | None = None) -> Callable[[], list[bytes]]:
    """:func:`parse_encoded`, started now: the call returned waits for the encoded facts.
    The local workers parse while the caller does other work in between (a patched run
    loads the stored front end meanwhile)."""

    # Parsing runs in worker processes even for a few files: a native parser crash on a
    # hostile file must cost that file, not the whole run. Only an explicit ``jobs=1``
    # parses in-process (tests, debugging).
    if executor is None and (jobs == 1 or not tasks):
        def in_process() -> list[bytes]:
            import gc

            old = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)  # as in the workers: see _parse_chunk
            try:
                return _parse_in_process(tasks, progress, on_parsed)
            finally:
                gc.set_threshold(*old)

        return in_process
    return _parse_in_workers(tasks, jobs, progress, executor, on_parsed)


def _parse_in_process(tasks, progress: bool, on_parsed) -> list[bytes]:
    with _progress(progress) as bar:
        t = bar.add_task("parsing", total=len(tasks))
        out = []
        for i, task in enumerate(tasks):
            out.append(_parse_task(task))
            if on_parsed is not None:
                on_parsed(i, out[-1])
            bar.advance(t)
        return out


def _parse_in_workers(tasks, jobs: int | None, progress: bool, executor, on_parsed) -> Callable[[], list[bytes]]:
    from analyzer.executor import LocalExecutor, WorkerCrashed

    jobs = jobs or os.cpu_count() or 1
    if executor is None and len(tasks) < PARALLEL_THRESHOLD:
        jobs = min(jobs, 1 + len(tasks) // 16)
    executor = executor or LocalExecutor(jobs)
    chunks = _guided_chunks([len(t[3]) for t in tasks], jobs)
    answers = executor.map_chunks(_parse_chunk, [[tasks[i] for i in c] for c in chunks])

    def finish() -> list[bytes]:
        results: list[bytes | None] = [None] * len(tasks)
        failed: list[list[int]] = []
        with _progress(progress) as bar:
            t = bar.add_task("parsing", total=len(tasks))
            for k, facts in answers:
                if isinstance(facts, WorkerCrashed):
                    failed.append(chunks[k])
                    continue
                for i, f in zip(chunks[k], facts):
                    results[i] = f
                    if on_parsed is not None:
                        on_parsed(i, f)
                bar.advance(t, len(chunks[k]))
            for idxs in failed:  # a worker died (a native crash): find the file, keep the rest
                for i in idxs:
                    results[i] = _parse_isolated(tasks[i])
                    if on_parsed is not None:
                        on_parsed(i, results[i])
                    bar.advance(t)
        return results  # type: ignore[return-value]

    return finish


def _guided_chunks(sizes: list[int], jobs: int) -> list[list[int]]:
    """Task indices in chunks of shrinking size (guided self-scheduling): biggest files first,
    each chunk a quarter of what is left per worker, so the workers finish on small chunks
    together and the main process has little left to decode after the last one."""
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    left = sum(sizes) + len(sizes)
    floor = max(left // (jobs * 64), 1)
    chunks: list[list[int]] = []
    chunk: list[int] = []
    budget = 0
    for i in order:
        if not chunk:
            budget = max(left // (jobs * 4), floor)
        chunk.append(i)
        budget -= sizes[i] + 1
        left -= sizes[i] + 1
        if budget <= 0:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


def _parse_isolated(task: tuple[str, str, bool, bytes]) -> bytes:
    """Parse one file in a process of its own; a crash becomes that file's parse failure."""
    from analyzer.facts import ParseFailure, encode, source_hash

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_parse_task, task).result()
    except BrokenProcessPool:
        relpath, module, is_package, source = task
        return encode(ModuleFacts(module=module, path=relpath, is_package=is_package, lines=source.count(b"\n"),
                                  sha=source_hash(source),
                                  error=ParseFailure(relpath, None, "the parser crashed on this file", "crash")))


@dataclass
class Inputs:
    """The files of one run, each read at most once (not at all when the file index knows it
    unchanged): what every later step (and every cache key) uses."""

    root: Path
    # (relpath, module, is_package, source); source ``None``: unchanged since the file index
    # recorded it (analyzer/file_index.py), not read unless it must be parsed (:meth:`readied`)
    tasks: list[tuple[str, str, bool, bytes | None]]
    keys: list[str]  # facts-cache key per task
    skipped: list[tuple[str, str]]
    timings: dict[str, float]
    shas: list[str] = field(default_factory=list)  # content hash per task

    def readied(self, indices: list[int]) -> list[tuple[str, str, bool, bytes]]:
        """The tasks at ``indices`` with their sources, reading those not read yet; a file
        that no longer holds what its recorded hash says changed during the run."""
        from analyzer.errors import MsaError
        from analyzer.facts import source_hash

        out = []
        for i in indices:
            rel, module, is_package, source = self.tasks[i]
            if source is None:
                try:
                    source = (self.root / rel).read_bytes()
                except OSError as exc:
                    raise MsaError(f"{rel}: cannot read it any more ({exc.strerror or exc}); run again") from None
                if source_hash(source) != self.shas[i]:
                    raise MsaError(f"{rel}: changed while it was being analyzed; run again")
                self.tasks[i] = (rel, module, is_package, source)
            out.append((rel, module, is_package, source))
        return out


# A file whose head says it is generated (protoc's ``_pb2.py``, an OpenAPI client, anything
# marked ``DO NOT EDIT`` or ``@generated``) is no capability of the project: analyzed, it came
# out as a service of its own (lnbits' 2,352 lines of gRPC stubs). It is skipped and named in
# the skipped files; calls into it count as calls to a library.
GENERATED_HEAD = 1024  # bytes of a file's head searched for the marker
_GENERATED = re.compile(rb"(?i)\bdo not edit\b|@generated\b|generated by the protocol buffer compiler")
# what the marker must contain, lower-cased: the regex runs only on a head holding one (a
# case-insensitive search of every head took as long as reading the files)
_GENERATED_WORDS = (b"do not edit", b"@generated", b"generated by the protocol buffer compiler")


def _generated(source: bytes) -> bool:
    """Does the file's head say it is generated (:data:`_GENERATED`)?"""
    head = source[:GENERATED_HEAD].lower()
    return any(w in head for w in _GENERATED_WORDS) and _GENERATED.search(source, 0, GENERATED_HEAD) is not None


# A module that imports pytest at its top level cannot be imported where pytest is not
# installed: test support wherever it sits (pulpcore's ``pytest_plugin.py``, 1,600 lines of
# fixtures, came out as services of their own; celery's ``contrib/pytest.py``). Left out with
# the tests, unless such modules are most of the tree (a testing library is its own subject).
_TEST_SUPPORT = re.compile(rb"^(?:import|from) _?pytest\b", re.MULTILINE)


def collect_inputs(path: Path, options: AnalyzeOptions) -> Inputs:
    from analyzer.cache import FactsCache
    from analyzer.discover import discover
    from analyzer.facts import source_hash

    root = Path(path)
    if not root.exists():
        raise UsageError(f"{path}: no such folder")
    if not root.is_dir():
        raise UsageError(f"{path}: not a folder (give the root folder of the repository)")
    root = root.resolve()
    from analyzer.config import load_config

    config = load_config(root)  # [tool.msa] / msa.toml; flags add to it
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    found = discover(root, include_tests=options.include_tests or config.include_tests,
                     include_migrations=options.include_migrations or config.include_migrations,
                     exclude=tuple(options.exclude) + tuple(config.exclude))
    timings["discover"] = time.perf_counter() - t0
    if not found.files:
        _nothing_to_analyze(root, path, options, found)
    t0 = time.perf_counter()
    skipped = list(found.skipped)
    tasks: list[tuple[str, str, bool, bytes | None]] = []
    learnt: list[Learnt] = []
    index = FileIndex(_stage_cache(options), _file_index_key(root, options))
    for f in found.files:
        try:
            now = status(f.path)
            known = index.learnt(f.relpath, now)
            source = None
            if known is None:
                source = f.path.read_bytes()
                known = Learnt(source_hash(source), _generated(source),
                               b"pytest" in source and _TEST_SUPPORT.search(source) is not None)
                index.record(f.relpath, now, known)
        except OSError as exc:
            skipped.append((f.relpath, f"cannot read: {exc.strerror or exc}"))
            continue
        if known.generated:
            skipped.append((f.relpath, "generated code (its header says not to edit it): read as a library"))
            continue
        tasks.append((f.relpath, f.module, f.is_package, source))
        learnt.append(known)
    index.save()
    if not (options.include_tests or config.include_tests):
        tasks, learnt = _without_test_support(tasks, learnt, skipped)
    keys = [FactsCache.key(k.sha, mod, pkg, rel) for (rel, mod, pkg, _src), k in zip(tasks, learnt)]
    timings["read"] = time.perf_counter() - t0
    return Inputs(root, tasks, keys, sorted(skipped), timings, [k.sha for k in learnt])


def _file_index_key(root: Path, options: AnalyzeOptions) -> str:
    from analyzer.stage_cache import code_key, digest

    return digest("files", str(root), *code_key()) if options.use_cache else ""


def _without_test_support(tasks: list, learnt: list[Learnt], skipped: list[tuple[str, str]]):
    support = {i for i, k in enumerate(learnt) if k.support}
    if not support or 2 * len(support) > len(tasks):
        return tasks, learnt
    skipped.extend((tasks[i][0], "test support: imports pytest at its top level") for i in sorted(support))
    keep = [i for i in range(len(tasks)) if i not in support]
    return [tasks[i] for i in keep], [learnt[i] for i in keep]


def _nothing_to_analyze(root: Path, path: Path, options: AnalyzeOptions, found) -> None:
    """Stop with one line (exit 1) instead of writing an empty analysis over a good one."""
    from analyzer.discover import discover
    from analyzer.errors import MsaError

    if not options.include_tests or not options.include_migrations:
        more = discover(root, include_tests=True, include_migrations=True).files
        if more:
            flags = [f for f, on in (("--include-tests", not options.include_tests),
                                     ("--include-migrations", not options.include_migrations)) if on]
            raise MsaError(f"{path}: no Python modules to analyze: the {len(more)} Python files here are tests "
                           f"or migrations (add {' or '.join(flags)} to analyze them)")
    detail = f" ({len(found.skipped)} skipped: {found.skipped[0][1]})" if found.skipped else ""
    raise MsaError(f"{path}: no Python files to analyze{detail}")


def run_front_end(path: Path, options: AnalyzeOptions, inputs: Inputs | None = None,
                  preparsed: dict[str, ModuleFacts] | None = None) -> FrontEnd:
    """Parse (what the facts cache lacks), resolve: ``preparsed`` holds facts this run
    already parsed (by facts key), which count as parsed, not as cache hits."""
    inputs = inputs or collect_inputs(path, options)
    tasks, keys, timings = inputs.tasks, inputs.keys, dict(inputs.timings)
    preparsed = preparsed or {}
    cache = None
    hits: dict[str, ModuleFacts] = {}
    from analyzer.executor import make_executor
    from analyzer.facts import decode

    # decoding facts builds nothing but long-lived records: under the default collector a
    # third of the decoding time went to scanning them, on the core the workers need
    with _long_lived_heap():
        t0 = time.perf_counter()
        if options.use_cache:
            from analyzer.cache import FactsCache

            cache = FactsCache(options.cache_dir)
            hits = cache.get_many([k for k in keys if k not in preparsed])
        todo = [i for i in range(len(tasks)) if keys[i] not in hits and keys[i] not in preparsed]
        timings["cache"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        executor = make_executor(options.executor, options.jobs) if options.executor else None
        parsed: list[ModuleFacts] = [None] * len(todo)  # type: ignore[list-item]

        def received(i: int, blob: bytes) -> None:
            parsed[i] = decode(blob)

        finish = start_parsing(inputs.readied(todo), options.jobs, options.progress, executor, received)
        if len(todo) >= PARALLEL_THRESHOLD and options.jobs != 1:
            _import_later_stages()
        encoded = finish()
        timings["parse"] = time.perf_counter() - t0
    peaks = {"parse": _peak_mib()}
    facts: list[ModuleFacts] = [None] * len(tasks)  # type: ignore[list-item]
    for i in range(len(tasks)):
        if keys[i] in hits:
            facts[i] = hits[keys[i]]
        elif keys[i] in preparsed:
            facts[i] = preparsed[keys[i]]
    for i, f in zip(todo, parsed):
        facts[i] = f
    if cache is not None:
        t0 = time.perf_counter()
        cache.put_many([(keys[i], b) for i, b in zip(todo, encoded)])
        cache.close()
        timings["cache_write"] = time.perf_counter() - t0
    del encoded

    t0 = time.perf_counter()
    with _long_lived_heap() as freeze:
        freeze()  # the facts live to the end: the collector need not scan them while resolving
        with _status(options.progress, f"resolving the calls of {len(facts):,} modules"):
            resolution, reused, resolution_key = _resolve(facts, options, timings)
    timings["resolve"] = time.perf_counter() - t0
    peaks["resolve"] = _peak_mib()
    return FrontEnd(root=inputs.root, facts=facts, resolution=resolution, skipped=inputs.skipped,
                    timings=timings, cache_hits=len(hits), peak_mib=peaks,
                    reused=["resolve"] if reused else [], keys=list(keys), resolution_key=resolution_key)


# what resolution, the frameworks stage and clustering import (networkx is most of it)
_LATER_STAGES = ("analyzer.resolve", "analyzer.forked", "analyzer.frameworks", "analyzer.frameworks.access",
                 "analyzer.frameworks.routes_aiohttp", "analyzer.cluster", "analyzer.cluster.louvain",
                 "analyzer.metrics", "analyzer.interfaces")


def _import_later_stages() -> None:
    """Import the later stages while the workers parse: this process waits for them anyway,
    and these imports (a quarter of a second) would otherwise run alone after the parse."""
    import importlib

    for name in _LATER_STAGES:
        try:
            importlib.import_module(name)
        except ImportError:  # a stage being built, or an optional one: it is imported when used
            pass


def _stage_cache(options: AnalyzeOptions):
    """The stage cache of this run's cache folder, or ``None`` with ``--no-cache``."""
    if not options.use_cache:
        return None
    from analyzer.cache import default_cache_dir
    from analyzer.stage_cache import StageCache

    return StageCache(options.cache_dir or default_cache_dir())


def _resolve(facts: list[ModuleFacts], options: AnalyzeOptions, timings: dict[str, float]):
    """Resolution, whether its evaluation came from the stage cache, and its key: it is evaluated
    again only when some module's resolution shape changed, so an edit that moves lines or
    changes literals reuses the stored one."""
    from analyzer.resolve import Evaluation, resolve

    stages = _stage_cache(options)
    if stages is None:
        return resolve(facts), False, ""
    from analyzer.stage_cache import resolution_key

    key = resolution_key(facts)
    data = stages.get("resolve", key)
    if data is not None:
        try:
            return resolve(facts, known=Evaluation.unpack(data)), True, key
        except (ValueError, TypeError, KeyError, StopIteration):
            pass  # damaged or of other modules: evaluate afresh
    resolution = resolve(facts)
    t0 = time.perf_counter()
    stages.put("resolve", key, resolution.evaluation.pack())
    resolution.evaluation = None  # stored: not kept in memory through the frameworks stage
    timings["resolve_cache_write"] = time.perf_counter() - t0
    return resolution, False, key


def result_key(inputs: Inputs, options: AnalyzeOptions) -> str:
    """Everything an analysis result depends on: what the front end reads (file contents,
    skipped files, version), the root, the options and the configuration files."""
    from analyzer.stage_cache import digest, front_key

    configs = [name.encode() + b"=" + (inputs.root / name).read_bytes()
               for name in ("pyproject.toml", "msa.toml") if (inputs.root / name).is_file()]
    chosen = (options.include_tests, options.include_migrations, options.exclude, options.services,
              options.algorithm, options.seed)
    return digest(front_key(inputs.keys, inputs.skipped), str(inputs.root), repr(chosen), *configs)


def analyze_to_file(path: Path, options: AnalyzeOptions, output: Path):
    """Analyze and write the document; an unchanged tree is answered from the result cache.

    Returns the :class:`~analyzer.analysis.Analysis` when it was computed, else ``None`` with
    the summary counts of the cached document.
    """
    from analyzer import executor

    prestart_parsers(options)
    try:
        return _analyze_to_file(path, options, output)
    finally:
        executor.release()


def prestart_parsers(options: AnalyzeOptions) -> None:
    """Start the parsing workers this run will want (:func:`analyzer.executor.prestart`); a
    no-op when they are started already."""
    from analyzer import executor

    if options.executor in (None, "", "local") and options.jobs != 1:
        # a run with a facts cache usually parses a few edited files: one worker, which leaves
        # the other core to this process; a run without one parses everything
        executor.prestart(1 if _has_facts_cache(options) else options.jobs)


def _has_facts_cache(options: AnalyzeOptions) -> bool:
    from analyzer.cache import FactsCache, default_cache_dir

    return options.use_cache and (Path(options.cache_dir or default_cache_dir()) / FactsCache.FILE).is_file()


def _analyze_to_file(path: Path, options: AnalyzeOptions, output: Path):
    import json
    import shutil

    from analyzer.analysis import save

    inputs = collect_inputs(path, options)
    results = None
    key = ""
    if options.use_cache:
        from analyzer.cache import default_cache_dir

        results = Path(options.cache_dir or default_cache_dir()) / "results"
        key = result_key(inputs, options)
        doc, meta = results / f"{key}.json", results / f"{key}.counts.json"
        if doc.is_file() and meta.is_file():
            try:
                counts = json.loads(meta.read_text(encoding="utf-8"))
                output = Path(output)
                output.parent.mkdir(parents=True, exist_ok=True)
                tmp = output.with_name(f".{output.name}.tmp")
                shutil.copyfile(doc, tmp)
                tmp.replace(output)
                return None, counts
            except (OSError, ValueError):
                pass  # a damaged result cache entry: compute afresh
    with _long_lived_heap() as freeze, _write_behind(options):
        analysis = _run_analysis(path, options, inputs, freeze)
        freeze()  # writing makes a million short-lived rows: leave the document out of the scans
        with _status(options.progress, f"writing {output}"):
            save(analysis, output)
    if results is not None:
        try:
            results.mkdir(parents=True, exist_ok=True)
            # keep the cache bounded: a million-line tree's document is 170 MB
            docs = sorted((p for p in results.glob("*.json") if not p.name.endswith(".counts.json")),
                          key=lambda p: p.stat().st_mtime)
            for old in docs[:-(KEEP_RESULTS - 1)]:
                old.unlink(missing_ok=True)
                old.with_name(old.name.removesuffix(".json") + ".counts.json").unlink(missing_ok=True)
            tmp = results / f".{key}.tmp"
            shutil.copyfile(output, tmp)
            tmp.replace(results / f"{key}.json")
            from analyzer.fsutil import write_text_atomic

            write_text_atomic(results / f"{key}.counts.json", json.dumps(summary_counts(analysis)))
        except OSError:
            pass
    return analysis, summary_counts(analysis)


def summary_counts(analysis) -> dict[str, Any]:
    counts = dict(analysis.counts)
    counts["root"] = analysis.root
    if analysis.decomposition is not None:
        counts["decomposition"] = {"algorithm": analysis.decomposition.algorithm,
                                   "services": len(analysis.decomposition.services),
                                   "shared": len(analysis.decomposition.shared)}
    return counts


@contextmanager
def _long_lived_heap():
    """The analysis builds millions of small objects that live to the end (facts, symbols,
    edges) and almost no garbage cycles. The default collector keeps re-scanning them; a
    lazier young generation, and freezing what is built at each stage boundary, saves a
    tenth to a third of the whole-program stages on large trees."""
    import gc

    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        gc.set_threshold(*old)


def run_analysis(path: Path, options: AnalyzeOptions, inputs: Inputs | None = None):
    """The whole ``msa analyze``: returns an :class:`analyzer.analysis.Analysis`."""
    with _long_lived_heap() as freeze, _write_behind(options):
        return _run_analysis(path, options, inputs, freeze)


@contextmanager
def _write_behind(options: AnalyzeOptions):
    """Stage-cache entries are compressed and written in a thread while the run goes on
    (``stage_cache.written_behind``), and all of them are on disk when the run ends."""
    if not options.use_cache:
        yield
        return
    from analyzer.stage_cache import written_behind

    with written_behind():
        yield


def _run_analysis(path: Path, options: AnalyzeOptions, inputs: Inputs | None, freeze):
    from analyzer.stage_cache import front_key

    inputs = inputs or collect_inputs(path, options)
    stages = _stage_cache(options)
    key = front_key(inputs.keys, inputs.skipped)
    reused: list[str] = []
    got = _front_from_cache(stages, key, inputs) if stages is not None else None
    if got is not None:
        analysis, timings, peaks = got
        reused.append("front")
    else:
        parsed: dict[str, ModuleFacts] = {}  # files a patch attempt parsed: not parsed twice
        got = _patched_front(stages, inputs, options, parsed) if stages is not None else None
        if got is not None:  # nothing is stored: the next run patches the same front end again
            analysis, timings, peaks = got
            reused.append("patched-front")
        else:
            analysis, timings, peaks, reused, layout = _front(path, options, inputs, freeze, parsed)
            if stages is not None:
                from analyzer.front_patch import LAYOUT, layout_key
                from analyzer.stage_cache import pack_front

                t0 = time.perf_counter()
                stages.put("front", key, pack_front(analysis))
                if layout is not None:
                    stages.put(LAYOUT, layout_key(inputs), dict(layout, front=key))
                timings["front_cache_write"] = time.perf_counter() - t0
    freeze()
    t0 = time.perf_counter()
    with _status(options.progress, f"clustering {len(analysis.symbols):,} symbols into services"):
        _apply_clustering(analysis, inputs.root, options, stages, reused)
    timings["cluster"] = time.perf_counter() - t0
    peaks["cluster"] = _peak_mib()
    analysis.counts["reused"] = reused
    analysis.counts["timings"] = {k: round(v, 3) for k, v in timings.items()}
    analysis.counts["peak_mib"] = {k: round(v) for k, v in peaks.items()}
    options.timings.update(timings)
    return analysis


def _stored_front(stages, key: str) -> dict[str, Any] | None:
    """The ``front`` entry under ``key`` as keyword arguments for ``Analysis`` (less root and
    tool), or ``None`` when it is missing or of another layout."""
    from analyzer.stage_cache import unpack_front

    data = stages.get("front", key)
    try:
        return unpack_front(data) if data is not None else None
    except (KeyError, ValueError, TypeError):
        return None


def _document(inputs: Inputs, parts: dict[str, Any]):
    from analyzer.analysis import Analysis

    return Analysis(root=str(inputs.root), tool={"name": "msa-analyzer", "version": __version__}, **parts)


def _front_from_cache(stages, key: str, inputs: Inputs):
    """The analysis up to clustering from the stage cache, or ``None``: nothing is parsed,
    resolved or extracted again when no file changed since it was stored."""
    t0 = time.perf_counter()
    parts = _stored_front(stages, key)
    if parts is None:
        return None
    analysis = _document(inputs, parts)
    analysis.counts["cache_hits"] = len(inputs.tasks)  # every file's facts are unchanged
    timings = dict(inputs.timings)
    timings["front_cache"] = time.perf_counter() - t0
    return analysis, timings, {"front_cache": _peak_mib()}


def _patched_front(stages, inputs: Inputs, options: AnalyzeOptions, parsed: dict[str, ModuleFacts]):
    """The analysis up to clustering patched from the last one computed in full, its timings
    and peaks, or ``None`` (see :mod:`analyzer.front_patch`). The facts of the files it
    parsed are left in ``parsed`` (by facts key) for the full front end."""
    from analyzer.front_patch import patch_front

    t0 = time.perf_counter()
    timings = dict(inputs.timings)

    def facts_of(indices: list[int], earlier: list[str]):
        from analyzer.cache import FactsCache

        cache = FactsCache(options.cache_dir)
        try:
            found = cache.get_many([inputs.keys[i] for i in indices] + earlier)
            todo = [i for i in indices if inputs.keys[i] not in found]
            finish = start_parsing(inputs.readied(todo), options.jobs) if todo else None
        except BaseException:
            cache.close()
            raise
        if finish is None:
            cache.close()
            return (lambda: found), False

        def wait() -> dict[str, ModuleFacts]:
            from analyzer.facts import decode

            try:
                encoded = finish()
                cache.put_many([(inputs.keys[i], b) for i, b in zip(todo, encoded)])
            finally:
                cache.close()
            parsed.update((inputs.keys[i], decode(b)) for i, b in zip(todo, encoded))
            found.update(parsed)
            return found

        return wait, True

    got = patch_front(stages, inputs, facts_of, lambda key: _stored_front(stages, key))
    if got is None:
        return None
    analysis = _document(inputs, got)
    analysis.counts["cache_hits"] = len(inputs.tasks) - len(parsed)
    timings["patched_front"] = time.perf_counter() - t0
    return analysis, timings, {"patched_front": _peak_mib()}


def _front(path: Path, options: AnalyzeOptions, inputs: Inputs, freeze,
           parsed: dict[str, ModuleFacts] | None = None):
    """Parse, resolve and extract: the analysis up to clustering, its timings, peaks, the
    stages it reused and its ``layout`` record (``None`` without a stage cache)."""
    from analyzer.analysis import Analysis
    from analyzer.model import ModuleInfo

    front = run_front_end(path, options, inputs, parsed)
    freeze()
    res = front.resolution
    modules = [
        ModuleInfo(f.module, f.path, f.lines, f.sha, f.is_package, f.error.message if f.error else None)
        for f in front.facts
    ]
    parse_errors = [
        {"path": f.error.path, "line": f.error.line, "message": f.error.message, "kind": f.error.kind}
        for f in front.facts
        if f.error is not None
    ] + [{"path": rel, "line": None, "message": reason, "kind": "skipped"} for rel, reason in front.skipped]
    symbols = list(res.symbols)
    edges = list(res.edges)
    analysis = Analysis(
        root=str(front.root),
        modules=modules,
        symbols=symbols,
        edges=edges,
        parse_errors=parse_errors,
        tool={"name": "msa-analyzer", "version": __version__},
    )
    t0 = time.perf_counter()
    with _status(options.progress, "finding ORM entities, data access, routes and transactions"):
        _apply_frameworks(analysis, front, options)
    front.timings["frameworks"] = time.perf_counter() - t0
    front.peak_mib["frameworks"] = _peak_mib()
    analysis.unresolved = {
        "count": res.stats["unresolved"],
        "top": [{"expr": e, "count": c} for e, c in sorted(res.unresolved.items(), key=lambda x: (-x[1], x[0]))[:50]],
    }
    analysis.counts = _counts(analysis, front)
    layout = None
    if front.resolution_key:
        from analyzer.front_patch import layout_record

        layout = layout_record(front.keys, front.facts, res, front.resolution_key)
    # Clustering needs only the document: let the facts, the resolver and its memo go first
    # (on a million lines they are most of the memory). Reference counting frees them: no
    # cycle holds them, and a full collection here (0.1 s on Django, more on larger trees)
    # found nothing of theirs.
    front.facts = []
    res.resolver = None
    res.call_targets = {}
    res.implicit_calls = []
    del res
    import gc

    gc.unfreeze()
    return analysis, front.timings, front.peak_mib, front.reused, layout


def _apply_frameworks(analysis, front: FrontEnd, options: AnalyzeOptions) -> None:
    """ORM entities, reads/writes, transactions, routes, string references."""
    try:
        from analyzer.frameworks import extract
    except ImportError:  # the frameworks stage is optional while it is being built
        return
    found = _frameworks_from_cache(front, options)
    if found is not None:
        front.reused.append("frameworks")
    else:
        found = extract(front.facts, front.resolution)
        if front.resolution_key:
            from analyzer.stage_cache import pack_frameworks

            t0 = time.perf_counter()
            _stage_cache(options).put(
                "frameworks", front.resolution_key, {"keys": front.keys, "found": pack_frameworks(found)})
            front.timings["frameworks_cache_write"] = time.perf_counter() - t0
    analysis.symbols.extend(found.symbols)
    analysis.edges.extend(found.edges)
    analysis.entities = list(found.entities)
    analysis.routes = list(found.routes)
    analysis.transactions = list(found.transactions)
    analysis.references = list(found.references)
    analysis.counts.update(found.counts)


def _frameworks_from_cache(front: FrontEnd, options: AnalyzeOptions):
    """The frameworks stage's earlier output, when resolution read the same as then and
    every module that changed since looks the same to the stage (``frameworks_view``): the
    earlier facts of those modules come back from the facts cache to be compared."""
    if not front.resolution_key:
        return None
    from analyzer.cache import FactsCache
    from analyzer.frameworks import frameworks_view
    from analyzer.stage_cache import changed_since, unpack_frameworks

    data = _stage_cache(options).get("frameworks", front.resolution_key)
    changed = changed_since(data.get("keys"), front.keys) if isinstance(data, dict) else None
    if changed is None:
        return None
    if changed:
        cache = FactsCache(options.cache_dir)
        try:
            earlier = cache.get_many([data["keys"][i] for i in changed])
        finally:
            cache.close()
        for i in changed:
            old = earlier.get(data["keys"][i])
            if old is None or frameworks_view(old) != frameworks_view(front.facts[i]):
                return None
    try:
        return unpack_frameworks(data["found"])
    except (KeyError, ValueError, TypeError):
        return None


def _apply_clustering(analysis, root: Path, options: AnalyzeOptions, stages=None,
                      reused: list[str] | None = None) -> None:
    """Decompose and score. ``reused`` gets ``"cluster"`` when the whole result came from the
    stage cache (the same clustering inputs and options were clustered before),
    ``"replayed"`` when a stored run on the same graph held under new sizes
    (``cluster/replay.py``), or ``"partition"`` when only the base partition did."""
    reused = [] if reused is None else reused
    try:
        from analyzer.cluster import ClusterOptions, decompose
        from analyzer.config import load_config
        from analyzer.metrics import ScoringBase, SizeBase, baselines, resized, resized_baselines, score
    except ImportError:
        return
    config = load_config(root)
    cluster_options = ClusterOptions.from_config(config, services=options.services, algorithm=options.algorithm,
                                                 seed=options.seed)
    key = graph = plain = ""
    if stages is not None:
        from analyzer.cluster.digest import clustering_key, graph_digests
        from analyzer.stage_cache import code_fingerprint, pack_cluster, unpack_cluster

        sized, plain = graph_digests(analysis)
        graph, plain = f"{sized}-{code_fingerprint()}", f"{plain}-{code_fingerprint()}"
        key = clustering_key(analysis, cluster_options, graph)
        data = stages.get("cluster", key)
        if data is not None:
            try:
                for name, value in unpack_cluster(data).items():
                    setattr(analysis, name, value)
                reused.append("cluster")
                return
            except (KeyError, ValueError, TypeError):
                pass  # written by another layout: cluster afresh
    # Scores read sizes only to count lines (metrics.SIZE_KEYS). The baselines take no options
    # and their cuts read no size: a run with other options, or after an edit that only
    # changed sizes, counts their lines again and reuses the rest. So does a decomposition
    # scored before on the same graph (an edit that changed sizes and no decision).
    known = stages.get("baselines", plain) if stages is not None else None
    known = known if isinstance(known, dict) else None
    fresh_baselines = None
    if known is None and len(analysis.symbols) >= FORK_SYMBOLS:
        # the baselines read the graph, not the decomposition: a forked child scores them
        # while this process clusters (analyzer/forked.py)
        from analyzer.forked import shares

        result, fresh_baselines = shares(lambda part: baselines(analysis, ScoringBase.of(analysis)) if part else
                                         decompose(analysis, cluster_options, store=stages, plain_graph=plain),
                                         # measured at 1.2 M lines: the child's unique set
                                         # 0.45 of this process at the fork (990 MiB, the C
                                         # heap trimmed), which grew 0.11
                                         copies=0.45, grows=0.12)
    else:
        result = decompose(analysis, cluster_options, store=stages, plain_graph=plain)
    if result.replayed:
        reused.append("replayed")
    elif result.partition_reused:
        reused.append("partition")
    analysis.decomposition = result.decomposition
    analysis.clustering = result.info
    known_scores = None
    scores_key = ""
    if stages is not None:
        from analyzer.cluster.digest import canonical_bytes
        from analyzer.stage_cache import digest, pack_decomposition

        scores_key = digest(plain, canonical_bytes(pack_decomposition(result.decomposition)))
        known_scores = stages.get("scores", scores_key)
        known_scores = known_scores if isinstance(known_scores, dict) else None
    if known is not None and known_scores is not None:
        sizes = SizeBase.of(analysis, result.unit_of, result.unit_lines)
        analysis.metrics = resized(result.decomposition, known_scores, sizes)
        analysis.baselines = resized_baselines(analysis, known, sizes)
    else:
        base = ScoringBase.of(analysis, result.unit_of, result.unit_lines)
        analysis.metrics = score(analysis, result.decomposition, base)
        analysis.baselines = (fresh_baselines if fresh_baselines is not None
                              else baselines(analysis, base, known=known))
    if stages is not None:
        if known is None:
            stages.put("baselines", plain, analysis.baselines)
        if known_scores is None:
            stages.put("scores", scores_key, analysis.metrics)
        stages.put("cluster", key, pack_cluster(analysis))


def _counts(analysis, front: FrontEnd) -> dict[str, Any]:
    from collections import Counter

    kinds = Counter(s.kind for s in analysis.symbols)
    edge_kinds = Counter()
    for e in analysis.edges:
        edge_kinds[e.kind] += e.weight
    counts = dict(analysis.counts)
    counts.update({
        "files": len(front.facts),
        "lines": sum(f.lines for f in front.facts),
        "modules": sum(1 for f in front.facts if f.error is None),
        "parse_errors": sum(1 for f in front.facts if f.error is not None),
        "skipped": len(front.skipped),
        "cache_hits": front.cache_hits,
        "symbols": dict(sorted(kinds.items())),
        "edges": dict(sorted(edge_kinds.items())),
        "calls": front.resolution.stats,
    })
    return counts


def print_summary(counts: dict[str, Any], output: Path, console) -> None:
    c = counts
    calls = c.get("calls", {})
    console.print(
        f"[bold]msa analyze[/bold] {c.get('root', '')}: {c.get('files', 0)} files, {c.get('lines', 0):,} lines, "
        f"{c.get('parse_errors', 0)} parse errors, {c.get('skipped', 0)} skipped"
        + (" (unchanged: result from cache)" if c.get("from_cache") else "")
    )
    console.print(
        f"  call sites {calls.get('call_sites', 0):,}: {calls.get('resolved_internal', 0):,} to project code, "
        f"{calls.get('resolved_external', 0):,} to libraries, {calls.get('resolved_builtin', 0):,} builtins, "
        f"{calls.get('unresolved', 0):,} unresolved ({calls.get('resolved_share', 0):.1%} resolved)"
    )
    edges = c.get("edges", {})
    console.print("  edges: " + ", ".join(f"{k} {v:,}" for k, v in edges.items()))
    for key in ("entities", "routes", "transactions", "references", "reads", "writes"):
        if key in c:
            note = ""
            if key == "routes" and (c.get("runtime_path_routes") or c.get("unresolved_routes")):
                # what the route count leaves out or only half knows (docs/frameworks.md)
                parts = [f"{c['runtime_path_routes']} at paths built at run time"] if c.get("runtime_path_routes") else []
                parts += [f"{c['unresolved_routes']} not read"] if c.get("unresolved_routes") else []
                note = f" ({', '.join(parts)})"
            console.print(f"  {key}: {c[key]}{note}")
    reused = c.get("reused")
    if reused and not c.get("from_cache"):
        names = {"front": "parsing, resolution and frameworks", "resolve": "resolution",
                 "frameworks": "the frameworks stage", "cluster": "clustering", "partition": "the base partition"}
        console.print("  unchanged inputs, results reused: " + ", ".join(names.get(r, r) for r in reused))
    d = c.get("decomposition")
    if d:
        from analyzer.report.text import plural

        console.print(f"  decomposition ({d['algorithm']}): {plural(d['services'], 'service')}, "
                      f"{plural(d['shared'], 'shared-library unit')}")
    console.print(f"  written to {output}")
