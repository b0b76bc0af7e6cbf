"""``[tool.msa]`` configuration: what a project can set once instead of on every command.

Read from ``<root>/msa.toml`` when it exists (its top level, or its ``[tool.msa]`` table),
else from ``[tool.msa]`` in ``<root>/pyproject.toml``; no file means the defaults. Every
problem in the table is collected and reported at once in one ``ConfigError``. Command-line
flags override these values (see ``ClusterOptions.from_config``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError

KEYS = (
    "services", "algorithm", "seed", "resolution", "weights", "pins", "together", "apart", "shared",
    "exclude", "include_tests", "include_migrations",
)


@dataclass(frozen=True)
class MsaConfig:
    services: int | None = None
    algorithm: str | None = None
    seed: int | None = None
    resolution: float | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    pins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # service -> members
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, ...], ...] = ()
    shared: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # glob patterns, relative to the root
    include_tests: bool = False
    include_migrations: bool = False
    source: str | None = None  # the file the values came from

    def pin_map(self) -> dict[str, str]:
        """member -> service (the form clustering takes)."""
        return {m: svc for svc, members in sorted(self.pins.items()) for m in members}


def load_config(root: Path) -> MsaConfig:
    """The configuration of the project at ``root`` (defaults when there is none)."""
    root = Path(root)
    dedicated = root / "msa.toml"
    if dedicated.is_file():
        data = _read(dedicated)
        table = data.get("tool", {}).get("msa") if isinstance(data.get("tool"), dict) else None
        return parse_config(table if isinstance(table, dict) else data, str(dedicated))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read(pyproject)
        tool = data.get("tool")
        table = tool.get("msa") if isinstance(tool, dict) else None
        if table is None:
            return MsaConfig()
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.msa] must be a table")
        return parse_config(table, f"{pyproject} [tool.msa]")
    return MsaConfig()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def parse_config(table: Mapping[str, Any], source: str = "[tool.msa]") -> MsaConfig:
    """Validate one ``[tool.msa]`` table; every problem is reported together."""
    from analyzer.cluster import ALGORITHMS
    from analyzer.cluster.weights import DEFAULT_WEIGHTS

    problems: list[str] = []
    for key in sorted(table):
        if key not in KEYS:
            problems.append(f"unknown key {key!r} (known: {', '.join(KEYS)})")
    values: dict[str, Any] = {}

    services = table.get("services")
    if services is not None:
        if isinstance(services, bool) or not isinstance(services, int) or services < 1:
            problems.append(f"services must be an integer >= 1 (got {services!r})")
        else:
            values["services"] = services
    algorithm = table.get("algorithm")
    if algorithm is not None:
        if algorithm not in ALGORITHMS:
            problems.append(f"algorithm must be one of {', '.join(ALGORITHMS)} (got {algorithm!r})")
        else:
            values["algorithm"] = algorithm
    seed = table.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            problems.append(f"seed must be an integer >= 0 (got {seed!r})")
        else:
            values["seed"] = seed
    resolution = table.get("resolution")
    if resolution is not None:
        if isinstance(resolution, bool) or not isinstance(resolution, (int, float)) or resolution <= 0:
            problems.append(f"resolution must be a number > 0 (got {resolution!r})")
        else:
            values["resolution"] = float(resolution)

    weights = table.get("weights")
    if weights is not None:
        if not isinstance(weights, dict):
            problems.append("weights must be a table of edge kind = number")
        else:
            good = {}
            for kind, w in sorted(weights.items()):
                if kind not in DEFAULT_WEIGHTS:
                    problems.append(f"weights: unknown edge kind {kind!r} (known: {', '.join(DEFAULT_WEIGHTS)})")
                elif isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                    problems.append(f"weights.{kind} must be a number >= 0 (got {w!r})")
                else:
                    good[kind] = float(w)
            values["weights"] = good

    pins = table.get("pins")
    if pins is not None:
        if not isinstance(pins, dict):
            problems.append("pins must be a table of service = [members]")
        else:
            good_pins: dict[str, tuple[str, ...]] = {}
            seen: dict[str, str] = {}
            for svc, members in sorted(pins.items()):
                if not _str_list(members):
                    problems.append(f"pins.{svc} must be a list of member names")
                    continue
                for m in members:
                    if m in seen and seen[m] != svc:
                        problems.append(f"pins: {m!r} is pinned to both {seen[m]!r} and {svc!r}")
                    seen[m] = svc
                good_pins[svc] = tuple(members)
            values["pins"] = good_pins

    for key in ("together", "apart"):
        groups = table.get(key)
        if groups is None:
            continue
        if not isinstance(groups, list) or not all(_str_list(g) for g in groups):
            problems.append(f"{key} must be a list of lists of member names")
        elif any(len(g) < 2 for g in groups):
            problems.append(f"{key}: every group needs at least two members")
        else:
            values[key] = tuple(tuple(g) for g in groups)

    for key in ("shared", "exclude"):
        items = table.get(key)
        if items is None:
            continue
        if not _str_list(items):
            problems.append(f"{key} must be a list of strings")
        else:
            values[key] = tuple(items)

    for key in ("include_tests", "include_migrations"):
        flag = table.get(key)
        if flag is None:
            continue
        if not isinstance(flag, bool):
            problems.append(f"{key} must be true or false (got {flag!r})")
        else:
            values[key] = flag

    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return MsaConfig(source=source, **values)


__all__ = ["KEYS", "MsaConfig", "load_config", "parse_config"]
