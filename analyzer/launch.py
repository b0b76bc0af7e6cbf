"""The ``msa`` entry point, kept light: nothing here imports the command-line layer.

``msa analyze`` forks its parsing workers first, from the few options that decide them, and
only then loads typer (a tenth of a second of imports) and reads the command line in full:
the workers import the parser meanwhile instead of after it. ``python -m analyzer`` and
``python -m analyzer.cli`` enter here too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# the options of ``msa analyze``, read before typer starts: those that take a value, and the flags
VALUE_OPTIONS = {"-o", "--output", "--plan", "--services", "-k", "--algorithm", "--seed",
                 "--cache-dir", "--jobs", "-j", "--executor"}
FLAGS = {"--no-cache", "--include-tests", "--include-migrations", "--quiet", "-q"}


def prestart_parsers(args: list[str]) -> bool:
    """Fork the parsing workers of ``msa analyze`` before typer reads the command line. Reads
    only the options that decide the workers; on anything it does not recognise it starts
    nothing (the command starts them as usual). Returns whether it started them."""
    if args[:1] != ["analyze"]:
        return False
    given: dict[str, str | None] = {}
    rest = iter(args[1:])
    for arg in rest:
        if not arg.startswith("-"):
            continue  # the path
        name, eq, value = arg.partition("=")
        if name.startswith("-j") and len(name) > 2:
            name, value, eq = "-j", name[2:], "="
        if name in VALUE_OPTIONS:
            given[name] = value if eq else next(rest, None)
        elif name in FLAGS:
            given[name] = None
        else:
            return False  # --help, or an option this does not know
    jobs = given.get("--jobs", given.get("-j"))
    if "--executor" in given or (jobs is not None and not jobs.isdigit()):
        return False
    from analyzer.pipeline import AnalyzeOptions
    from analyzer.pipeline import prestart_parsers as start

    cache_dir = given.get("--cache-dir")
    start(AnalyzeOptions(use_cache="--no-cache" not in given, jobs=int(jobs) if jobs else None,
                         cache_dir=Path(cache_dir) if cache_dir else None))
    return True


def main() -> None:  # pragma: no cover - console entry point
    """Run the command. After ``msa analyze`` the process ends with ``os._exit`` once its
    output is flushed, as mypy does: freeing a large analysis object by object took 0.15 s
    of a 13 s Django run, and nothing that outlives the process needs it."""
    early = prestart_parsers(sys.argv[1:])
    from analyzer import cli

    try:
        cli.app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        if early:
            from analyzer import executor

            executor.release()  # unless the run took them (a usage error, say)
    if not cli.heap_left() or not isinstance(code, int | None):
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)
