"""Reading the analyzed repository again: the one step that may.

Extraction copies code, so it reads each module's file from the analysis document's ``root``
and ``modules[].path``. A file that is gone, unreadable or different from the one analyzed
(its hash no longer matches) stops the run with one line: copying code the analysis did not
see would put calls in services that nobody counted. A source in another encoding it declares
(PEP 263) is read in that encoding and copied in UTF-8, its declaration saying so.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from analyzer.analysis import Analysis
from analyzer.errors import AnalysisFileError
from analyzer.model import ModuleInfo


class Sources:
    """Lazy, checked access to the text of the analyzed modules."""

    def __init__(self, doc: Analysis) -> None:
        self.root = Path(doc.root)
        self.modules: dict[str, ModuleInfo] = {m.name: m for m in doc.modules if m.error is None}
        self._text: dict[str, str] = {}

    def __contains__(self, module: str) -> bool:
        return module in self.modules

    def text(self, module: str) -> str:
        if module in self._text:
            return self._text[module]
        from analyzer.facts import source_hash

        info = self.modules[module]
        path = self.root / info.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AnalysisFileError(
                f"{path}: cannot read the analyzed source ({exc.strerror or exc}); extraction copies code from "
                f"the analysis root {self.root}"
            ) from None
        if source_hash(data) != info.sha:
            raise AnalysisFileError(f"{path}: changed since the analysis; run 'msa analyze' again before extracting")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _declared_text(data, path)
        self._text[module] = text
        return text


_COOKIE = re.compile(r"^([ \t\f]*#.*?coding[:=][ \t]*)([-\w.]+)")


def _declared_text(data: bytes, path: Path) -> str:
    """The text of a source in the encoding its first lines declare (PEP 263: ``# -*- coding:
    latin-1 -*-``), with the declaration saying ``utf-8``: the copies are written in UTF-8."""
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        raise AnalysisFileError(f"{path}: neither UTF-8 nor in the encoding its first lines declare") from None
    lines = text.split("\n", 2)  # the declaration is on one of the first two lines
    for at, line in enumerate(lines[:2]):
        if _COOKIE.match(line):
            lines[at] = _COOKIE.sub(r"\1utf-8", line, count=1)
            break
    return "\n".join(lines)
