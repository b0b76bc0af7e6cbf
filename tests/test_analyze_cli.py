"""``msa analyze`` and ``msa callgraph`` through typer's CliRunner: document, schema, cache, errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from helpers import build_tree

SCHEMA = json.loads((Path(__file__).parent.parent / "analyzer" / "schema" / "analysis.schema.json").read_text())

runner = CliRunner()

FILES = {
    "shop/__init__.py": "",
    "shop/orders.py": """
        from shop.payments import charge

        def place_order(total: int) -> bool:
            return charge(total)
    """,
    "shop/payments.py": """
        def charge(amount):
            return amount > 0
    """,
    "shop/broken.py": "def broken(:\n    pass\n",
}


@pytest.fixture()
def repo(tmp_path):
    return build_tree(tmp_path / "repo", FILES)


def analyze(repo: Path, tmp_path: Path, *extra: str):
    out = tmp_path / "analysis.json"
    result = runner.invoke(app, ["analyze", str(repo), "-o", str(out), "--cache-dir", str(tmp_path / "cache"),
                                 *extra])
    return result, out


def test_analyze_writes_a_valid_versioned_document(repo, tmp_path):
    result, out = analyze(repo, tmp_path)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema"] == "msa-analysis/1"
    edges = {(e["source"], e["target"], e["kind"]) for e in doc["edges"]}
    assert ("shop.orders.place_order", "shop.payments.charge", "call") in edges
    assert ("shop.orders", "shop.payments", "import") in edges
    # the file that does not parse is reported and skipped; the rest is analyzed
    assert [e["path"] for e in doc["parse_errors"]] == ["shop/broken.py"]
    assert doc["counts"]["parse_errors"] == 1
    symbol = {s["id"]: s for s in doc["symbols"]}["shop.orders.place_order"]
    assert symbol["signature"] == "(total: int) -> bool"
    assert "1 parse errors" in result.output
    # where the time and the memory went, per stage (what bench_analyze prints)
    assert {"parse", "resolve", "frameworks", "cluster"} <= set(doc["counts"]["timings"])
    peaks = doc["counts"]["peak_mib"]
    assert list(peaks) == ["parse", "resolve", "frameworks", "cluster"]
    assert 0 < peaks["parse"] <= peaks["resolve"] <= peaks["cluster"]


def test_second_run_hits_the_cache(repo, tmp_path):
    _, out = analyze(repo, tmp_path)
    first = out.read_bytes()
    assert json.loads(first)["counts"]["cache_hits"] == 0
    out.unlink()
    result, out = analyze(repo, tmp_path)  # nothing changed: the whole result comes from the cache
    assert result.exit_code == 0
    assert "result from cache" in result.output
    assert out.read_bytes() == first
    (repo / "shop" / "payments.py").write_text("def charge(amount):\n    return True\n")
    result, out = analyze(repo, tmp_path)  # one file changed: the other three facts are reused
    assert "result from cache" not in result.output
    assert json.loads(out.read_text())["counts"]["cache_hits"] == 3


def test_corrupted_cache_is_rebuilt(repo, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "facts.sqlite").write_bytes(b"this is not a database" * 100)
    result, out = analyze(repo, tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["counts"]["cache_hits"] == 0
    (repo / "shop" / "payments.py").write_text("def charge(amount):\n    return 1\n")
    result, out = analyze(repo, tmp_path)
    assert json.loads(out.read_text())["counts"]["cache_hits"] == 3


def test_damaged_result_cache_entry_is_recomputed(repo, tmp_path):
    analyze(repo, tmp_path)
    for meta in (tmp_path / "cache" / "results").glob("*.counts.json"):
        meta.write_text("{not json")
    result, out = analyze(repo, tmp_path)
    assert result.exit_code == 0 and "result from cache" not in result.output
    assert json.loads(out.read_text())["schema"] == "msa-analysis/1"


def test_missing_path_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope"), "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 2
    assert "no such folder" in result.output
    assert "Traceback" not in result.output


def test_services_zero_is_a_usage_error(repo, tmp_path):
    result, _ = analyze(repo, tmp_path, "--services", "0")
    assert result.exit_code == 2
    assert "--services" in result.output


def test_callgraph_in_pycg_format(repo):
    result = runner.invoke(app, ["callgraph", str(repo), "--no-cache"])
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    assert graph["shop.orders.place_order"] == ["shop.payments.charge"]
    assert graph["shop.payments.charge"] == []
    assert "shop.orders" in graph  # module-level code is the module's own node


@pytest.mark.parametrize("fmt", ["json", "dot", "graphml"])
def test_callgraph_other_formats(repo, fmt):
    result = runner.invoke(app, ["callgraph", str(repo), "--format", fmt, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "shop.payments.charge" in result.stdout


def test_help_is_available():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("analyze", "report", "scaffold", "score", "compare", "callgraph"):
        assert command in result.output


def test_documents_of_an_older_schema_or_not_ours_are_refused_in_one_line(repo, tmp_path):
    _, out = analyze(repo, tmp_path)
    doc = json.loads(out.read_text())
    doc["schema"] = "msa-analysis/0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    for path in (old, repo / "shop" / "orders.py", tmp_path / "missing.json"):
        for command in (["report", str(path)], ["scaffold", str(path), "-o", str(tmp_path / "svc")]):
            result = runner.invoke(app, command)
            assert result.exit_code == 1, (command, result.output)
            assert "Traceback" not in result.output
            assert len(result.output.strip().splitlines()) == 1
    assert "run 'msa analyze' again" in runner.invoke(app, ["report", str(old)]).output
    assert not (tmp_path / "svc").exists()


def test_the_result_cache_keeps_the_newest_four_documents(repo, tmp_path):
    for services in range(1, 7):
        result, _ = analyze(repo, tmp_path, "--services", str(services))
        assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in (tmp_path / "cache" / "results").iterdir())
    documents = [n for n in kept if not n.endswith(".counts.json")]
    assert len(documents) == 4
    assert sorted(n.removesuffix(".counts.json") + ".json" for n in kept if n.endswith(".counts.json")) == documents


@pytest.mark.parametrize("args,expected", [
    (["report", "x.json"], None),
    (["analyze", "src"], {"use_cache": True, "jobs": None, "cache_dir": None}),
    (["analyze", "src", "--no-cache", "-j2", "-o", "out.json"], {"use_cache": False, "jobs": 2, "cache_dir": None}),
    (["analyze", "--cache-dir=/c", "src", "--jobs", "3", "-q"], {"use_cache": True, "jobs": 3, "cache_dir": Path("/c")}),
    (["analyze", "src", "--help"], None),
    (["analyze", "src", "--executor", "dask://h:1"], None),
    (["analyze", "src", "-j", "many"], None),
    (["analyze", "src", "--no-such-option"], None),
])
def test_the_console_entry_starts_the_parsers_from_the_options_that_decide_them(monkeypatch, args, expected):
    """``main`` forks the parsing workers before typer starts, reading only the options that
    decide them; anything it does not recognise leaves the start to the command."""
    from analyzer import launch, pipeline

    seen = []
    monkeypatch.setattr(pipeline, "prestart_parsers", seen.append)
    assert launch.prestart_parsers(args) is (expected is not None)
    if expected is None:
        assert seen == []
    else:
        (options,) = seen
        assert {k: getattr(options, k) for k in expected} == expected


def test_the_early_reading_knows_every_option_of_analyze():
    """``launch.prestart_parsers`` reads the command line before typer does: its lists of
    options must be those ``msa analyze`` declares (a new option would otherwise turn the
    early start off, or be read as the path)."""
    import typer.main

    from analyzer import launch

    command = typer.main.get_command(app).commands["analyze"]
    declared = {o for p in command.params for o in p.opts + p.secondary_opts if o.startswith("-")}
    flags = {o for p in command.params if getattr(p, "is_flag", False) for o in p.opts}
    assert declared == launch.VALUE_OPTIONS | launch.FLAGS
    assert flags == launch.FLAGS


def test_generated_code_is_skipped_and_read_as_a_library(tmp_path):
    """lnbits' gRPC stubs (``# Generated by the protocol buffer compiler.  DO NOT EDIT!``)
    came out as a service of 2,352 lines; generated code is named in the skipped files and
    calls into it are calls to a library."""
    build_tree(tmp_path / "repo", {
        "app/__init__.py": "",
        "app/wallet.py": "from app.rpc import boltz_pb2\n\n\ndef pay():\n    return boltz_pb2.PayRequest()\n",
        "app/rpc/__init__.py": "",
        "app/rpc/boltz_pb2.py": "# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
                                "class PayRequest:\n    pass\n",
        "app/client.py": '"""@generated by a tool."""\n\n\ndef call():\n    pass\n',
    })
    out = tmp_path / "a.json"
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "repo"), "-o", str(out), "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert {m["name"] for m in doc["modules"]} == {"app", "app.wallet", "app.rpc"}
    skipped = {e["path"]: e["message"] for e in doc["parse_errors"] if e.get("kind") == "skipped"}
    assert set(skipped) >= {"app/rpc/boltz_pb2.py", "app/client.py"}
    assert "generated code" in skipped["app/rpc/boltz_pb2.py"]
