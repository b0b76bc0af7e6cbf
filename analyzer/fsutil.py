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
    """Stream JSON to disk: a large document is never built as one string in memory."""
    import json

    with atomic_text_file(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=indent,
                  separators=(",", ":") if indent is None else None)
        fh.write("\n")
