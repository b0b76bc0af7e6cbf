"""Where parsing runs: one interface, a local process pool by default, Dask as an option.

Parsing is the only embarrassingly parallel stage, so it is the only one that fans out. An
executor takes chunks of work and yields ``(chunk, result)`` as they finish; a chunk whose
worker died (a native crash in the parser) yields an exception instead, so the caller can
isolate the file that killed it and keep the rest. ``msa analyze --executor dask://HOST:PORT``
sends the chunks to a Dask distributed scheduler for monorepos that outgrow one machine
(``pip install 'msa-analyzer[dask]'``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from analyzer.errors import UsageError


class WorkerCrashed(RuntimeError):
    """The process that ran a chunk died before answering."""


class Executor(Protocol):
    def map_chunks(self, fn: Callable[[Any], Any], chunks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index of chunk, result or WorkerCrashed)`` for every chunk."""


class LocalExecutor:
    """A process pool on this machine (``jobs`` processes; default: all cores)."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or os.cpu_count() or 1

    def map_chunks(self, fn, chunks):
        """Every chunk is submitted before this returns: the workers start at once, and the
        caller may do other work before it reads the first result. The pool :func:`prestart`
        started is used when it has enough workers."""
        pool = _take_prestarted(self.jobs) or ProcessPoolExecutor(max_workers=self.jobs)
        try:
            futures = [pool.submit(fn, c) for c in chunks]
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        return self._results(pool, futures)

    @staticmethod
    def _results(pool: ProcessPoolExecutor, futures) -> Iterator[tuple[int, Any]]:
        with pool:
            for i, fut in enumerate(futures):
                try:
                    yield i, fut.result()
                except BrokenProcessPool:
                    yield i, WorkerCrashed("a parsing process died")


_prestarted: list[tuple[ProcessPoolExecutor, int]] = []  # at most one pool, not yet used


def _ready() -> None:
    """A prestarted worker's start: import the parser (libcst's import alone is about 0.1 s) and
    make its node constructors (analyzer/lean_nodes.py)."""
    import importlib

    for name in ("analyzer.facts", "analyzer.parse", "analyzer.resolve"):
        importlib.import_module(name)
    importlib.import_module("analyzer.lean_nodes").prepare()


def prestart(jobs: int | None = None) -> None:
    """Start the local pool's workers now, importing the parser, while this process discovers,
    reads and hashes the files and loads the cache: an edit of one file then waits for its
    parse only. The first :class:`LocalExecutor` with at most ``jobs`` workers takes the pool;
    :func:`release` stops it if none did (nothing needed parsing)."""
    if _prestarted:
        return
    jobs = jobs or os.cpu_count() or 1
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ready)
    try:
        pool.submit(int)  # with fork, the first task starts every worker
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    _prestarted.append((pool, jobs))


def release() -> None:
    """Stop the prestarted pool if nothing took it: its workers only imported the parser, so
    they are terminated rather than waited for (waiting would add their import to a run that
    changed nothing). The pool's own thread is then joined: left running, it raced the
    interpreter's exit on Python 3.11 (``OSError: Bad file descriptor`` printed at exit)."""
    while _prestarted:
        pool = _prestarted.pop()[0]
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            p.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def _take_prestarted(jobs: int) -> ProcessPoolExecutor | None:
    if _prestarted and _prestarted[0][1] >= jobs:
        return _prestarted.pop()[0]
    return None


class DaskExecutor:
    """Chunks sent to a Dask distributed cluster (an address, or an existing ``Client``)."""

    def __init__(self, address: str | None = None, client: Any = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("the Dask executor needs the 'dask' extra: pip install 'msa-analyzer[dask]'") from None
        self._own = client is None
        self.client = client if client is not None else Client(address)

    def map_chunks(self, fn, chunks):
        from distributed import as_completed

        futures = self.client.map(fn, list(chunks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in as_completed(futures):
                try:
                    yield index[fut.key], fut.result()
                except Exception as exc:  # KilledWorker and friends: isolate the chunk locally
                    yield index[fut.key], WorkerCrashed(f"dask worker failed: {type(exc).__name__}")
        finally:
            if self._own:
                self.client.close()


def check_spec(spec: str | None) -> None:
    """Refuse an ``--executor`` that names no executor, before the run (a run answered from
    the cache would never get to parsing and would not notice)."""
    if spec in (None, "", "local") or (spec.startswith("dask://") and len(spec) > len("dask://")):
        return
    raise UsageError(f"--executor must be 'local' or 'dask://HOST:PORT' (got {spec!r})")


def make_executor(spec: str | None, jobs: int | None) -> Executor:
    """``None``/``local`` -> :class:`LocalExecutor`; ``dask://host:port`` -> :class:`DaskExecutor`."""
    check_spec(spec)
    if spec in (None, "", "local"):
        return LocalExecutor(jobs)
    return DaskExecutor("tcp://" + spec[len("dask://"):])
