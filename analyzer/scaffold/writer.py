"""Write a rendered tree into the output folder: all of it, or nothing.

Files are written into a hidden sibling folder first and moved into place with a rename at
the end, so an interrupted run leaves the previous output (or none), never half a scaffold.
An existing output folder is replaced only with ``force``, and never when it holds the
current folder, the home folder, the file-system root or the analyzed repository.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from analyzer.errors import OutputExistsError, UsageError
from analyzer.fsutil import cannot_write

_SEGMENT = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")


def check_relative(path: str) -> PurePosixPath:
    """A relative POSIX path whose every segment is a plain name (no ``..``, no separators)."""
    if not path or path.startswith("/") or "\\" in path:
        raise ValueError(f"refusing to write {path!r}: not a plain relative path")
    for part in path.split("/"):
        if part in ("", ".", "..") or not _SEGMENT.match(part):
            raise ValueError(f"refusing to write {path!r}: unsafe path segment {part!r}")
    return PurePosixPath(path)


def write_tree(files: Mapping[str, str | bytes], out: Path, *, force: bool = False,
               protected: Iterable[Path] = ()) -> None:
    """Write ``files`` (relative path -> text, or bytes for a data file copied as it is) as
    the folder ``out``."""
    out = Path(os.path.abspath(out))
    relative = {check_relative(k): v for k, v in files.items()}
    replacing = _check_target(out, force=force, protected=protected)
    token = secrets.token_hex(4)
    tmp = out.parent / f".{out.name}.msa-new-{token}"
    old = out.parent / f".{out.name}.msa-old-{token}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise cannot_write(out, exc) from None
    try:
        try:
            for rel, text in sorted(relative.items()):
                target = tmp.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(text, bytes):
                    target.write_bytes(text)
                    continue
                with open(target, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
        except OSError as exc:  # a full disk: the folder the user had is untouched
            raise cannot_write(out, exc) from None
        if replacing:
            os.replace(out, old)
            try:
                os.replace(tmp, out)
            except BaseException:
                os.replace(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            if out.exists():  # an empty folder: nothing is lost by replacing it
                out.rmdir()
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _check_target(out: Path, *, force: bool, protected: Iterable[Path]) -> bool:
    """True when ``out`` holds something that will be replaced; raises when it must not be."""
    if out.is_symlink():
        raise OutputExistsError(f"{out} is a symbolic link; give the real folder or another name")
    if not out.exists():
        return False
    if not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder")
    if not any(out.iterdir()):
        return False
    if not force:
        raise OutputExistsError(f"{out} exists and is not empty; pass --force to replace it")
    real = out.resolve()
    guarded = [Path.cwd(), Path.home(), Path(real.anchor), *protected]
    for g in guarded:
        g = Path(g).resolve()
        if real == g or real in g.parents:
            raise UsageError(f"refusing to replace {out}: it holds {g}")
    return True
