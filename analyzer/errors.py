"""The one exception hierarchy of msa-analyzer.

Errors carry data; only ``cli.py`` turns them into a one-line message and an exit code.
"""

from __future__ import annotations


class MsaError(Exception):
    """Base of every error a user can cause; printed as one line, exit code 1."""

    exit_code = 1


class UsageError(MsaError):
    """The command line or a path given on it is wrong (exit code 2)."""

    exit_code = 2


class ConfigError(ValueError, MsaError):
    """``[tool.msa]`` / ``msa.toml`` or a flag combination is invalid."""

    exit_code = 2


class PlanError(ValueError, MsaError):
    """A plan file is malformed or does not fit the analysis (names the place)."""


class AnalysisFileError(ValueError, MsaError):
    """An analysis document is missing, corrupted, foreign or of another schema version."""


class OutputError(OSError, MsaError):
    """A file the user asked for cannot be written: a missing or read-only folder, a full
    disk. Still an ``OSError``, so the caches, which skip what they cannot write, go on."""

    def __init__(self, path, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.strerror = reason


class OutputExistsError(MsaError):
    """The output folder exists and ``--force`` was not given."""
