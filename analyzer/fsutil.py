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


@contextmanager
def atomic_text_file(path: Path) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` only when the block ends normally; an
    interrupted write leaves the old file (or none) and no temporary file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_text_file(path) as fh:
        fh.write(text)


def write_json_atomic(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Write JSON atomically. Compact documents are streamed: a large one is never built as
    one string in memory (see :func:`dump_compact`)."""
    import json

    with atomic_text_file(path) as fh:
        if indent is None:
            dump_compact(data, fh)
        else:
            json.dump(data, fh, ensure_ascii=False, indent=indent)
        fh.write("\n")


def dump_compact(data: Any, fh: IO[str], batch: int = 2000) -> None:
    """Compact JSON of ``data`` to ``fh``. The values of a top-level dict that are lists or
    iterators are written ``batch`` items at a time through ``json.dumps``: ``json.dump``
    to a file uses the pure-Python encoder, several times slower than the C one."""
    import json
    from itertools import islice

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    if not isinstance(data, dict):
        fh.write(dumps(data))
        return
    fh.write("{")
    for n, (key, value) in enumerate(data.items()):
        fh.write(("," if n else "") + dumps(str(key)) + ":")
        if isinstance(value, (dict, str, int, float, bool, type(None), tuple)):
            fh.write(dumps(value))
            continue
        items = iter(value)
        fh.write("[")
        first = True
        while chunk := list(islice(items, batch)):
            fh.write(("" if first else ",") + dumps(chunk)[1:-1])
            first = False
        fh.write("]")
    fh.write("}")
