"""The ``msa`` command line: wiring only.

Heavy imports (libcst, networkx, jinja2) happen inside the commands so ``msa --help`` stays
instant. Results go to stdout, diagnostics and progress to stderr. Every ``MsaError``
becomes one red line on stderr and its exit code; nothing here prints a traceback for a
user's mistake.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.errors import MsaError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="msa",
    help="Cut a Python monolith into candidate microservices: analyze, report, scaffold.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _out_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def handle_errors(fn):
    """Turn the tool's own errors (and Ctrl-C) into one line and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MsaError as exc:
            _err_console().print(f"[red]error:[/red] {_escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _err_console().print("[red]interrupted[/red]: nothing was written")
            raise typer.Exit(130) from None

    return wrapper


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
@handle_errors
def analyze(
    path: Annotated[Path, typer.Argument(help="Root folder of the monolith to analyze.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the analysis JSON.")] = Path(
        "msa-analysis.json"
    ),
    plan_out: Annotated[
        Path | None, typer.Option("--plan", help="Also write the decomposition as an editable plan (TOML).")
    ] = None,
    services: Annotated[
        int | None, typer.Option("--services", "-k", help="Number of services (default: chosen by the tool).")
    ] = None,
    algorithm: Annotated[
        str | None, typer.Option("--algorithm", help="Clustering algorithm (louvain, agglomerative, ...).")
    ] = None,
    include_tests: Annotated[bool, typer.Option("--include-tests", help="Analyze test modules too.")] = False,
    include_migrations: Annotated[
        bool, typer.Option("--include-migrations", help="Analyze migrations too.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the caches (facts, stages, results).")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Cache folder (default: the user cache folder).")
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Parallel parsing processes.")] = None,
    executor: Annotated[
        str | None, typer.Option("--executor", help="Where parsing runs: local (default) or dask://HOST:PORT.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for the clustering algorithms (default: config, else 0).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
) -> None:
    """Analyze a repository: parse, resolve, cluster, score; write the analysis JSON."""
    from analyzer.pipeline import AnalyzeOptions, analyze_to_file, print_summary

    if services is not None and services < 1:
        raise _usage("--services must be at least 1")
    _check_jobs(jobs)
    from analyzer.executor import check_spec

    check_spec(executor)
    options = AnalyzeOptions(
        include_tests=include_tests,
        include_migrations=include_migrations,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        services=services,
        algorithm=algorithm,
        seed=seed,
        progress=not quiet,
        executor=executor,
    )
    result, counts = analyze_to_file(path, options, output)
    if result is None:
        counts["from_cache"] = True
    if plan_out is not None:
        if result is None:
            from analyzer.analysis import load

            result = load(output)
        if result.decomposition is not None:
            from analyzer.plan import write_plan

            write_plan(result.decomposition, plan_out)
    if not quiet:
        print_summary(counts, output, _err_console())
    global _heap_left
    _heap_left = True


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and jobs < 1:
        raise _usage("--jobs must be at least 1")


def _usage(message: str) -> MsaError:
    from analyzer.errors import UsageError

    return UsageError(message)


@app.command()
@handle_errors
def report(
    analysis: Annotated[Path, typer.Argument(help="Analysis JSON written by 'msa analyze'.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="term, html, md or json (default: from the --output suffix, else term).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="Report this plan instead of the analysis' own.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Show one service in detail.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here (-o PATH -f html).")] = None,
) -> None:
    """Show the decomposition: services, scores, interfaces and risks."""
    from analyzer.report import render_report

    if html is not None:
        if output is not None or fmt not in (None, "html"):
            raise _usage("--html writes the HTML report: give it alone, not with --output or another --format")
        output, fmt = html, "html"
    if fmt is None:  # ``-o report.html`` means HTML
        suffix = output.suffix.lower() if output is not None else ""
        fmt = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}.get(suffix, "term")
    doc = _load_with_plan(analysis, plan)
    if fmt not in ("term", "html", "md", "json"):
        raise _usage(f"--format must be one of term, html, md, json (got {fmt!r})")
    render_report(doc, fmt=fmt, output=output, service=service, console=_out_console())


def _load_with_plan(analysis_path: Path, plan_path: Path | None):
    from analyzer.analysis import load

    doc = load(analysis_path)
    if plan_path is not None:
        from analyzer.plan import apply_plan

        doc = apply_plan(doc, plan_path)
    return doc


@app.command()
@handle_errors
def scaffold(
    analysis: Annotated[Path, typer.Argument(help="Analysis JSON written by 'msa analyze'.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the services into.")],
    plan: Annotated[Path | None, typer.Option("--plan", help="Scaffold this plan instead of the analysis' own.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    base_port: Annotated[int, typer.Option("--base-port", help="Port of the first service on 127.0.0.1.")] = 8001,
    gateway_port: Annotated[int, typer.Option("--gateway-port", help="Port the nginx gateway listens on.")] = 8080,
    namespace: Annotated[str, typer.Option("--namespace", help="Kubernetes namespace of the manifests.")] = "default",
    extract: Annotated[
        bool, typer.Option("--extract", help="Also move each service's code in from the analyzed repository and "
                                             "rewire the calls between services.")
    ] = False,
) -> None:
    """Write one runnable service per cluster, an API gateway and deployment manifests."""
    from analyzer.scaffold import scaffold as run_scaffold
    from analyzer.scaffold.context import ScaffoldOptions

    doc = _load_with_plan(analysis, plan)
    options = ScaffoldOptions(base_port=base_port, gateway_port=gateway_port, namespace=namespace, extract=extract)
    summary = run_scaffold(doc, output, force=force, options=options)
    _err_console().print(summary)


@app.command()
@handle_errors
def score(
    plan: Annotated[Path, typer.Argument(help="A plan file (TOML) to score.")],
    analysis: Annotated[Path, typer.Option("--analysis", "-a", help="The analysis JSON the plan belongs to.")] = Path(
        "msa-analysis.json"
    ),
) -> None:
    """Re-score a plan the user edited."""
    from analyzer.report import render_report

    doc = _load_with_plan(analysis, plan)
    render_report(doc, fmt="term", output=None, service=None, console=_out_console(), scores_only=True)


@app.command()
@handle_errors
def compare(
    first: Annotated[Path, typer.Argument(help="A plan file or analysis JSON.")],
    second: Annotated[Path, typer.Argument(help="The reference plan file or analysis JSON.")],
    analysis: Annotated[
        Path | None, typer.Option("--analysis", "-a", help="Analysis JSON to resolve plan members against.")
    ] = None,
) -> None:
    """Compare two decompositions: MoJoFM and adjusted Rand index."""
    from analyzer.compare import compare_files

    result = compare_files(first, second, analysis)
    out = _out_console()
    for key, value in result.items():
        out.print(f"{key}: {value}")


@app.command()
@handle_errors
def callgraph(
    path: Annotated[Path, typer.Argument(help="Root folder to analyze.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="pycg, json, dot or graphml.")] = "pycg",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    include_tests: Annotated[
        bool, typer.Option("--include-tests/--exclude-tests", help="Analyze test modules too.")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the facts cache.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Parallel parsing processes.")] = None,
) -> None:
    """Print the resolved call graph (PyCG's JSON format by default)."""
    from analyzer.callgraph import render_callgraph
    from analyzer.pipeline import AnalyzeOptions, run_front_end

    if fmt not in ("pycg", "json", "dot", "graphml"):
        raise _usage(f"--format must be one of pycg, json, dot, graphml (got {fmt!r})")
    _check_jobs(jobs)
    front = run_front_end(
        path, AnalyzeOptions(include_tests=include_tests, include_migrations=True, use_cache=not no_cache,
                             progress=False, jobs=jobs)
    )
    text = render_callgraph(front, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        from analyzer.fsutil import write_text_atomic

        write_text_atomic(output, text)


_heap_left = False  # set once ``msa analyze`` has written its output


def heap_left() -> bool:
    """Has ``msa analyze`` written its output, leaving only its heap to free?"""
    return _heap_left


def main() -> None:  # pragma: no cover - console entry point
    """``python -m analyzer.cli``: the ``msa`` command (:func:`analyzer.launch.main`)."""
    from analyzer.launch import main as launch

    launch()


if __name__ == "__main__":  # pragma: no cover
    main()
