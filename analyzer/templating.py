"""Where the top-level ``templates/`` folder is, for the report and the scaffold alike.

An installed wheel carries ``templates/`` inside the package (pyproject's hatch
force-include); a source checkout has it next to the package. Both are tried, in that order.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import analyzer
from analyzer.errors import MsaError


def templates_root() -> Path:
    """The top-level ``templates`` folder: the packaged copy first, else the repository's."""
    try:
        packaged = importlib.resources.files("analyzer") / "templates"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, OSError):  # pragma: no cover - unusual installs
        pass
    repo = Path(analyzer.__file__).resolve().parent.parent / "templates"
    if repo.is_dir():
        return repo
    raise MsaError(f"templates not found (looked in the analyzer package and {repo})")
