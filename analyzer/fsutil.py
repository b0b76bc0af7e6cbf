"""Safe writes: a temporary file in the same folder, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def cannot_write(path: Path, exc: OSError):
    """The :class:`~analyzer.errors.OutputError` for an ``OSError`` met writing ``path``: a
    file where a folder of the path should be is said so, rather than "File exists"."""
    from analyzer.errors import OutputError

    if isinstance(exc, OutputError):
        return exc
    if isinstance(exc, FileExistsError):
        return OutputError(path, f"{exc.filename} is not a folder")
    return OutputError(path, exc.strerror or str(exc))


@contextmanager
def atomic_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A handle whose content replaces ``path`` only when the block ends normally; an
    interrupted write leaves the old file (or none) and no temporary file behind. A file
    that cannot be written raises :class:`~analyzer.errors.OutputError`, one line for the user."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # a full disk, a folder where the file should be
            raise cannot_write(path, exc) from None
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


def write_json_atomic(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Write JSON atomically. Compact documents are streamed: a large one is never built as
    one string in memory (see :func:`dump_compact`)."""
    import json

    if indent is not None:
        with atomic_file(path) as fh:
            json.dump(data, fh, ensure_ascii=False, indent=indent)
            fh.write("\n")
        return
    with atomic_file(path, binary=True) as fh:
        dump_compact(data, fh)
        fh.write(b"\n")


def _plain(value: Any) -> Any:
    """What orjson does not serialize itself: other mappings and iterables."""
    from collections.abc import Iterable, Mapping

    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dump_compact(data: Any, fh: IO[bytes], batch: int = 2000) -> None:
    """Compact UTF-8 JSON of ``data`` to the binary ``fh``, through orjson: records
    (dataclasses) are serialized natively, field by field in their order, about seven times
    faster than building a dict per record for ``json``. The values of a top-level dict that
    are lists or iterators are written ``batch`` items at a time, so a million-row document
    is never one string in memory."""
    from itertools import islice

    import orjson

    option = orjson.OPT_NON_STR_KEYS

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value, default=_plain, option=option)

    if not isinstance(data, dict):
        fh.write(dumps(data))
        return
    fh.write(b"{")
    for n, (key, value) in enumerate(data.items()):
        fh.write((b"," if n else b"") + dumps(str(key)) + b":")
        if isinstance(value, (dict, str, int, float, bool, type(None), tuple)):
            fh.write(dumps(value))
            continue
        items = iter(value)
        fh.write(b"[")
        first = True
        while chunk := list(islice(items, batch)):
            fh.write((b"" if first else b",") + dumps(chunk)[1:-1])
            first = False
        fh.write(b"]")
    fh.write(b"}")
