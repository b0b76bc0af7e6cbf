"""Whole-program stage results kept between runs: a stage whose inputs are unchanged is skipped.

The facts cache makes parsing incremental file by file; resolution, the frameworks stage and
clustering read the whole program. This cache keeps what they produce under a digest of
exactly what each reads (early cutoff, as build systems do it):

- ``front``: symbols, edges, entities, routes, ... as resolution and the frameworks stage
  made them, keyed by the contents of every file. A run that changes only options or
  configuration (``--services``, a pin, the weights) skips parsing, resolution and the
  frameworks stage and clusters again.
- ``resolve``: the evaluation of every call site (``resolve.Evaluation``), keyed by each
  module's resolution shape. An edit that moves lines or changes literals evaluates nothing
  again; edges and symbols are assembled with the new lines.
- ``frameworks``: the frameworks stage's output, keyed by the resolution's key, with the
  facts key of every module: it is reused when every module that changed since has the
  same facts as far as that stage reads them (``frameworks.frameworks_view``).
- ``layout``: per file layout, the last front end computed in full and where each module
  sits in it, for the patched front end (``analyzer.front_patch``).
- ``partition``: Louvain's base partition, keyed by the graph it partitions without sizes
  (``cluster.digest.partition_key``): an edit that only makes units longer clusters again
  from it.
- ``shared``: the shared library clustering sets aside, keyed by the graph without sizes,
  the weights and the user's placements; ``unit_edges``: the weighted unit graph, keyed by
  the graph without sizes, the weights and each package's hub.
- ``cluster``: the decomposition, its scores and the baselines, keyed by the digest of the
  graph clustering reads (:func:`analyzer.cluster.digest.clustering_key`). An edit that
  leaves the dependency graph and every unit's size as they were (a changed literal, a
  fixed condition) is clustered once, not again.
- ``baselines``: the scores of the trivial cuts, keyed by the graph without sizes (they
  take no options; their line counts are counted again).

Entries are plain rows (tuples of field values) pickled with no class allowed on load: a
cache file somebody else wrote cannot run code, and rows load about twice as fast as
pickled dataclasses. A damaged or foreign entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import operator
import os
import pickle
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from analyzer.model import (
    Decomposition,
    Edge,
    Entity,
    ModuleInfo,
    Route,
    Service,
    Symbol,
    Transaction,
    edge,
    symbol,
)

KEEP = 4  # newest entries kept per stage
_RECORDS = {c.__name__: c for c in (Symbol, Edge, Entity, Route, Transaction, ModuleInfo, Service)}
_MAKERS = {"Edge": edge, "Symbol": symbol}  # made past the frozen dataclass's __init__ (model.edge)


def code_fingerprint() -> str:
    """A hash of the analyzer's own source and a stamp of the libraries whose results it
    keeps (libcst parses, networkx clusters): a result made by other code is never reused,
    even when nobody bumped the version (a development checkout, a patched install, an
    upgraded dependency)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        package = Path(__file__).resolve().parent
        h = hashlib.blake2b(digest_size=12)
        for library in ("libcst", "networkx"):
            h.update(f"{library}={library_stamp(library)}\0".encode())
        for p in sorted(package.rglob("*.py")):
            h.update(p.relative_to(package).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


_FINGERPRINT: str | None = None


def library_stamp(name: str) -> str:
    """Where an installed library is and when it was written (its ``__init__``): another
    install or an upgrade gives another stamp. A stat, not an import: a warm run must not
    pay for importing libcst or networkx, nor ``importlib.metadata`` (25 ms)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        st = origin.stat() if origin is not None else None
    except (ImportError, ValueError, OSError):
        return "?"
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}" if st is not None else "?"


def digest(*parts: str | bytes) -> str:
    """The hex key of ``parts``, each hashed apart from the next (``"ab", "c"`` is not
    ``"a", "bc"``): every stage key is one of these."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def code_key() -> tuple[str, str, str]:
    """What every key of facts-derived results starts with: the version, the analyzer's own
    code and the facts version."""
    from analyzer import __version__
    from analyzer.cache import FACTS_VERSION

    return __version__, code_fingerprint(), FACTS_VERSION


def front_key(facts_keys: list[str], skipped: list[tuple[str, str]]) -> str:
    """What resolution and the frameworks stage read: every file (its facts-cache key names
    content, module and path) and what was skipped, with the analyzer's own code."""
    return digest(*code_key(), *facts_keys, *(f"{rel}|{reason}" for rel, reason in skipped))


MAX_CHANGED = 64  # changed files beyond which comparing them with their earlier facts does not pay


def changed_since(stored: list[str], keys: list[str]) -> list[int] | None:
    """The indices whose facts keys differ from the ``stored`` ones of an earlier run over
    the same files, or ``None`` when the files do not line up or more than
    :data:`MAX_CHANGED` changed (a stage then just runs)."""
    if stored is None or len(stored) != len(keys):
        return None
    changed = [i for i, (old, new) in enumerate(zip(stored, keys)) if old != new]
    return changed if len(changed) <= MAX_CHANGED else None


def resolution_key(facts) -> str:
    """What resolution reads: the resolution shape of every module that parsed, in order."""
    from analyzer import __version__
    from analyzer.facts import resolution_shape

    return digest(__version__, code_fingerprint(),
                  *(f"{m.module}={m.shape or resolution_shape(m)}" for m in facts if m.error is None))


def fast_pickle(value: Any) -> bytes | None:
    """A pickle without the memo ("fast" mode), or ``None`` for a value it cannot take.

    - Quick: remembering each of a million strings to write it once took nine tenths of
      the time (1.3 s instead of 0.13 s for the 1.2 M-line tree's edge rows); zlib folds
      the repeats.
    - Canonical: every string is written in full, so equal plain values give equal bytes
      whichever equal strings happen to be one object (with the memo they need not).
    - CPython's fast mode mishandles frozensets: a value holding more than 50 of them
      fails with a ``ValueError`` or ``KeyError``, hence ``None``.
    """
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (ValueError, KeyError):
        return None
    return out.getvalue()


def _dumps(value: Any) -> bytes:
    """An entry's bytes before compression: fast when it can be (the ``resolve`` entry's
    evaluation, full of frozensets, is pickled the usual way)."""
    fast = fast_pickle(value)
    return fast if fast is not None else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class _NoClassUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a stage cache entry names a class: {module}.{name}")


def _rows(records: list) -> tuple[str, tuple[str, ...], list[tuple]]:
    """(class name, field names, one tuple per record); records of one class."""
    if not records:
        return ("", (), [])
    cls = type(records[0])
    names = tuple(f.name for f in fields(cls))
    row = operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))
    return (cls.__name__, names, list(map(row, records)))


def _records(packed: tuple[str, tuple[str, ...], list[tuple]]) -> list:
    name, names, rows = packed
    if not name:
        return []
    cls = _RECORDS[name]
    if names != tuple(f.name for f in fields(cls)):
        raise ValueError(f"{name} has other fields now")
    return list(itertools.starmap(_MAKERS.get(name, cls), rows))  # a third faster than [cls(*r) for r in rows]


def _pack(obj, lists: tuple[str, ...], plain: tuple[str, ...]) -> dict[str, Any]:
    """The record lists ``lists`` of ``obj`` as rows, its ``plain`` attributes as they are."""
    out: dict[str, Any] = {k: _rows(list(getattr(obj, k))) for k in lists}
    out.update({k: getattr(obj, k) for k in plain})
    return out


def _unpack(data: dict[str, Any], lists: tuple[str, ...], plain: tuple[str, ...]) -> dict[str, Any]:
    """Keyword arguments rebuilding what :func:`_pack` packed."""
    out: dict[str, Any] = {k: _records(data[k]) for k in lists}
    out.update({k: data[k] for k in plain})
    return out


FRONT_LISTS = ("modules", "symbols", "edges", "entities", "routes", "transactions")
FRONT_PLAIN = ("parse_errors", "references", "unresolved", "counts")


def pack_front(analysis) -> dict[str, Any]:
    """What resolution and the frameworks stage put in the document, as plain rows."""
    return _pack(analysis, FRONT_LISTS, FRONT_PLAIN)


def unpack_front(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for :class:`~analyzer.analysis.Analysis` (less root and tool)."""
    return _unpack(data, FRONT_LISTS, FRONT_PLAIN)


def pack_decomposition(d: Decomposition | None) -> tuple | None:
    return None if d is None else (_rows(list(d.services)), d.shared, d.algorithm, d.params)


def unpack_decomposition(data: tuple | None) -> Decomposition | None:
    if data is None:
        return None
    services, shared, algorithm, params = data
    return Decomposition(services=tuple(_records(services)), shared=tuple(shared), algorithm=algorithm,
                         params=params)


def pack_cluster(analysis) -> dict[str, Any]:
    return {
        "decomposition": pack_decomposition(analysis.decomposition),
        "clustering": analysis.clustering, "metrics": analysis.metrics, "baselines": analysis.baselines,
    }


def unpack_cluster(data: dict[str, Any]) -> dict[str, Any]:
    return {"decomposition": unpack_decomposition(data["decomposition"]), "clustering": data["clustering"],
            "metrics": data["metrics"], "baselines": data["baselines"]}


FRAMEWORK_LISTS = ("symbols", "edges", "entities", "routes", "transactions")
FRAMEWORK_PLAIN = ("references", "counts")


def pack_frameworks(found) -> dict[str, Any]:
    """The frameworks stage's output (``FrameworkFacts``) as plain rows."""
    return _pack(found, FRAMEWORK_LISTS, FRAMEWORK_PLAIN)


def unpack_frameworks(data: dict[str, Any]):
    from analyzer.frameworks import FrameworkFacts

    return FrameworkFacts(**_unpack(data, FRAMEWORK_LISTS, FRAMEWORK_PLAIN))


class StageCache:
    """``<cache folder>/stages/<stage>-<key>.bin``: zlib-compressed pickles of plain rows."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "stages"

    def _path(self, stage: str, key: str) -> Path:
        return self.folder / f"{stage}-{key}.bin"

    def get(self, stage: str, key: str) -> Any | None:
        _WRITER.wait_for(self._path(stage, key))
        try:
            data = self._path(stage, key).read_bytes()
            return _NoClassUnpickler(io.BytesIO(zlib.decompress(data))).load()
        except Exception:  # missing, damaged, truncated or foreign: compute afresh
            return None

    def put(self, stage: str, key: str, value: Any) -> None:
        """Store ``value`` (plain data only); drops the oldest entries of the stage beyond
        :data:`KEEP`. Failing to write is not an error: the cache is an optimisation. The
        value is pickled now; it is compressed and written by :data:`_WRITER`."""
        try:
            raw = _dumps(value)
        except pickle.PicklingError:
            return
        _WRITER.submit(self._path(stage, key), lambda: self._write(stage, key, raw))

    def _write(self, stage: str, key: str, raw: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = zlib.compress(raw, 1)
            tmp = self.folder / f".{stage}-{key}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            tmp.replace(self._path(stage, key))
            # listed with scandir, not glob: this runs in the writer thread while the run may
            # fork (analyzer/forked.py), and should hold no lock a child could inherit held
            prefix = f"{stage}-"
            with os.scandir(self.folder) as entries:
                old = sorted((e.stat().st_mtime, e.path) for e in entries
                             if e.name.startswith(prefix) and e.name.endswith(".bin"))
            for _, path in old[:-KEEP]:
                Path(path).unlink(missing_ok=True)
        except OSError:
            pass


class _Writer:
    """Writes stage entries in one thread of the process that started it, in the order they
    were put. Compressing and writing release the GIL, so an entry written after resolution
    or the frameworks stage (the front end: 5 MB of pickle on Django, 0.06 s to compress) is
    written while clustering runs instead of before it. Anywhere else (not started, or a
    forked child of analyzer.forked, which leaves by ``os._exit``) an entry is written in
    place. A reader of an entry waits for its write; :meth:`stop` waits for all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = -1
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[Path, Future] = {}
        self._depth = 0

    def start(self) -> None:
        """Write in a thread from now on, in this process, until the matching :meth:`stop`.
        The thread starts with the first entry: resolution's partner forks before that."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._pending = {}
            self._depth = 0
            self._pool = None
        self._depth += 1

    def _here(self) -> bool:
        return self._depth > 0 and self._pid == os.getpid()

    def submit(self, path: Path, write: Callable[[], None]) -> None:
        if not self._here():
            write()
            return
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msa-stage-writer")
            self._pending[path] = self._pool.submit(write)

    def wait_for(self, path: Path) -> None:
        if not self._here():
            return
        with self._lock:
            pending = self._pending.get(path)
        if pending is not None:
            pending.exception()  # waits; a write that failed is a miss, as in place

    def stop(self) -> None:
        """Wait until every entry put in this process is written; write in place from now on."""
        if not self._here():
            return
        self._depth -= 1
        if self._depth:
            return  # a run inside a run: the outer one waits
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
            pool, self._pool = self._pool, None
        try:
            for f in pending:
                f.exception()  # waits; a failed write is no error: the cache is an optimisation
        finally:
            if pool is not None:
                pool.shutdown(wait=True)


_WRITER = _Writer()


@contextmanager
def written_behind():
    """Within it, this process's stage entries are compressed and written in a thread; all
    of them are on disk when it ends."""
    _WRITER.start()
    try:
        yield
    finally:
        _WRITER.stop()
