"""Writing the scaffold safely: never over an existing folder without --force, never outside the
output folder whatever the names, all or nothing, and one clear line from the CLI."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analyzer.scaffold as scaffold_pkg
from analyzer.cli import app
from analyzer.errors import OutputError, OutputExistsError, UsageError
from analyzer.scaffold import MANIFEST, build_context, render_files, scaffold
from analyzer.scaffold.writer import check_relative, write_tree

_spec = importlib.util.spec_from_file_location("scaffold_support", Path(__file__).parent / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_scaffold_writes_the_tree_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = scaffold(support.shop(), out)
    assert summary.startswith("scaffolded 3 services (8 interface operations, 8 monolith URLs, 1 WebSocket endpoint, "
                              "4 clients)")
    written = tree(out)
    assert written == render_files(build_context(support.shop()))
    manifest = json.loads(written[MANIFEST])
    assert manifest["schema"] == "msa-scaffold/1"
    assert [s["slug"] for s in manifest["services"]] == ["catalog", "orders", "payments"]
    assert set(manifest["files"]) == set(written) - {MANIFEST}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary sibling left


def test_an_existing_folder_is_not_replaced_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="pass --force"):
        scaffold(support.shop(), out)
    assert tree(out) == {"mine.txt": "keep me"}
    scaffold(support.shop(), out, force=True)
    assert "mine.txt" not in tree(out) and MANIFEST in tree(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_folder_or_a_missing_parent_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    scaffold(support.shop(), tmp_path / "empty")
    scaffold(support.shop(), tmp_path / "deep" / "er" / "out")
    assert (tmp_path / "deep" / "er" / "out" / MANIFEST).is_file()


def test_a_file_or_a_symlink_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a folder"):
        scaffold(support.shop(), tmp_path / "file", force=True)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(OutputExistsError, match="symbolic link"):
        scaffold(support.shop(), tmp_path / "link", force=True)


def test_an_output_under_a_file_is_one_error_and_nothing_is_left(tmp_path: Path, monkeypatch) -> None:
    """A file where a folder of the output path should be, or a disk that fills up while the
    files are written: one error naming the output, nothing of the scaffold left behind."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match=r"cannot write .*out: .*file is not a folder"):
        scaffold(support.shop(), tmp_path / "file" / "out")
    real_open = open

    def full_disk(path, *args, **kwargs):
        if str(path).endswith("Dockerfile"):
            raise OSError(28, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        scaffold(support.shop(), tmp_path / "out")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_force_never_replaces_the_current_folder_or_the_analyzed_repo(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    (work / "inner").mkdir(parents=True)
    (work / "x.txt").write_text("x", encoding="utf-8")
    monkeypatch.chdir(work / "inner")
    with pytest.raises(UsageError, match="refusing to replace"):
        scaffold(support.shop(), work, force=True)
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    doc = support.shop()
    doc.root = str(repo / "src")
    with pytest.raises(UsageError, match="refusing to replace"):
        scaffold(doc, repo, force=True)
    assert (work / "x.txt").exists() and (repo / "src").is_dir()


def test_an_interrupted_run_leaves_the_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    scaffold(support.shop(), out)
    before = tree(out)
    real_open = open
    written: list[str] = []

    def failing_open(path, *args, **kwargs):  # stands in for builtins.open
        if str(path).endswith(".py") and len(written) > 5:
            raise KeyboardInterrupt
        written.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("analyzer.scaffold.writer.open", failing_open, raising=False)
    with pytest.raises(KeyboardInterrupt):
        scaffold(support.shop(), out, force=True)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.undo()
    with pytest.raises(KeyboardInterrupt):
        monkeypatch.setattr(scaffold_pkg, "render_files", lambda ctx: (_ for _ in ()).throw(KeyboardInterrupt()))
        scaffold(support.shop(), tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "a\\b", "", ".", "a/./b", "a b/c", "{{x}}"])
def test_writer_refuses_paths_that_could_escape(path: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="refusing to write"):
        check_relative(path)
    with pytest.raises(ValueError):
        write_tree({path: "x"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_hostile_service_names_stay_inside_and_are_never_evaluated(tmp_path: Path) -> None:
    doc = support.hostile(support.shop())
    out = tmp_path / "nest" / "out"
    scaffold(doc, out)
    everything = [p.resolve() for p in tmp_path.rglob("*")]
    assert all(p == out.parent.resolve() or out.resolve() in [p, *p.parents] for p in everything)
    written = tree(out)
    assert sorted(p.split("/")[1] for p in written if p.startswith("services/") and p.endswith("/pyproject.toml")) \
        == ["a-b", "etc", "svc-7-7"]
    # the Jinja-looking name is written as text, quoted, never evaluated to 49
    readme = written["services/svc-7-7/README.md"]
    assert "`{{ 7*7 }}`" in readme
    assert not any("svc-49" in p or "= 49" in t for p, t in written.items())
    settings = written["services/svc-7-7/svc_7_7_service/settings.py"]
    assert 'SERVICE = "svc-7-7"' in settings
    compile_all(written)


def test_colliding_names_get_distinct_folders(tmp_path: Path) -> None:
    doc = support.renamed(support.shop(), {"catalog": "Orders", "orders": "orders", "payments": "gateway"})
    written = render_files(build_context(doc))
    folders = sorted({p.split("/")[1] for p in written if p.startswith("services/")})
    assert folders == ["gateway-2", "orders", "orders-2"]
    compile_all(written)


def test_a_single_service_has_no_clients(tmp_path: Path) -> None:
    written = render_files(build_context(support.single_service(support.shop())))
    assert not any("/clients/" in p for p in written)
    assert "services/everything/everything_service/api.py" in written
    compile_all(written)


def compile_all(written: dict[str, str]) -> None:
    for path, text in written.items():
        if path.endswith(".py"):
            compile(text, path, "exec")


# -- through the CLI ---------------------------------------------------------------------------------


def test_cli_scaffold_and_its_one_line_error(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["scaffold", str(support.FIXTURE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / MANIFEST).is_file()
    again = runner.invoke(app, ["scaffold", str(support.FIXTURE), "-o", str(out)])
    assert again.exit_code == 1
    assert "pass --force" in again.output and "Traceback" not in again.output
    forced = runner.invoke(app, ["scaffold", str(support.FIXTURE), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert os.listdir(tmp_path) == ["out"]


def test_hostile_text_from_the_code_is_quoted_everywhere(tmp_path: Path) -> None:
    """Paths, names and signatures with quotes, newlines, markup and template syntax."""
    import dataclasses

    import yaml

    evil = '{{ 7*7 }}"""\n<script>`|'
    doc = support.shop()
    doc.modules = [dataclasses.replace(m, path=f"{evil}/{m.path}") for m in doc.modules]
    doc.entities = [dataclasses.replace(e, name=f"{e.name}{evil}") for e in doc.entities]
    doc.symbols = [dataclasses.replace(s, signature=f"({evil})") if s.signature else s for s in doc.symbols]
    doc.routes = [dataclasses.replace(r, name=evil) for r in doc.routes]
    written = render_files(build_context(doc))
    compile_all(written)
    for path, text in written.items():
        if path.endswith((".yaml", ".yml")):
            list(yaml.safe_load_all(text))
        if path.endswith(".json"):
            json.loads(text)
        if path.endswith(".md"):  # raw markup only inside code spans, where Markdown shows it as text
            outside = re.sub(r"(`+)(?:(?!\1).)+?\1", "", text)
            assert "<script>" not in outside, path
        elif path.endswith((".conf", ".ini", ".yaml", ".yml", "Dockerfile")):
            assert "<script>" not in text, path
    # the text reaches the generated code exactly, as a string literal (never as template code)
    api = ast.parse(written["services/orders/orders_service/api.py"])
    sources = {call.args[1].value for call in ast.walk(api) if isinstance(call, ast.Call)
               and getattr(call.func, "id", None) == "not_ported"}
    assert f"{evil}/shop/orders/services.py:42" in sources
