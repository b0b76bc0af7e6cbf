"""Reading the analyzed repository again: the one step that may.

Extraction copies code, so it reads each module's file from the analysis document's ``root``
and ``modules[].path``. A file that is gone, unreadable or different from the one analyzed
(its hash no longer matches) stops the run with one line: copying code the analysis did not
see would put calls in services that nobody counted.
"""

from __future__ import annotations

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
            raise AnalysisFileError(f"{path}: not UTF-8; extraction copies UTF-8 sources only") from None
        self._text[module] = text
        return text
