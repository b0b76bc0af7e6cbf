"""Bad and hostile input at the analyze stage, each case through the real ``msa analyze``.

Every repository is the healthy ``shop`` package (tests/fixtures/bad/base) plus the bad files
of one case. The contract (docs/robustness.md): the analysis completes with exit code 0, the
bad file is listed in ``parse_errors`` with its path, its line when known and a one-line
message, and everything else is analyzed; or the command stops with one clear line and a
documented exit code. Never a traceback.

Cases that could crash or hang the interpreter (deep nesting, a FIFO) run the CLI in a
subprocess with a timeout, so a native crash fails one test instead of killing the session.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from analyzer.cli import app

HERE = Path(__file__).parent
PROJECT = HERE.parent
CORPUS = HERE / "fixtures" / "bad"
SCHEMA = json.loads((PROJECT / "analyzer" / "schema" / "analysis.schema.json").read_text())
EXIT_FAILURE = 1

_spec = importlib.util.spec_from_file_location("bad_make_corpus", CORPUS / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

runner = CliRunner()

# what the healthy part of every repository must still give
BASE_SYMBOLS = {"shop", "shop.orders", "shop.orders.place_order", "shop.payments", "shop.payments.charge"}
BASE_CALL = ("shop.orders.place_order", "shop.payments.charge", "call")

# a subprocess run may take this long; a screened hostile file costs well under a second
ISOLATED_TIMEOUT = 15


# -- helpers -----------------------------------------------------------------------------------

def make_repo(tmp_path: Path, *cases: str, generated: tuple[str, ...] = (), base: bool = True) -> Path:
    """A fresh repository: the base package, the files of the named cases, generated files in shop/."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    for case in (("base",) if base else ()) + cases:
        shutil.copytree(CORPUS / case, repo, dirs_exist_ok=True)
    if generated:
        corpus.write(repo / "shop", generated)
    return repo


class Run:
    """The outcome of one ``msa analyze``: exit code, everything printed, the document."""

    def __init__(self, exit_code: int, output: str, out_file: Path):
        self.exit_code = exit_code
        self.output = output
        self.out_file = out_file
        self.doc = json.loads(out_file.read_text(encoding="utf-8")) if out_file.is_file() else None

    def error(self, path: str) -> dict:
        found = [e for e in self.doc["parse_errors"] if e["path"] == path]
        assert found, f"{path} is not listed in parse_errors: {self.doc['parse_errors']}"
        assert len(found) == 1, found
        return found[0]

    def error_paths(self) -> set[str]:
        return {e["path"] for e in self.doc["parse_errors"]}

    def symbols(self) -> set[str]:
        return {s["id"] for s in self.doc["symbols"]}

    def edges(self) -> set[tuple[str, str, str]]:
        return {(e["source"], e["target"], e["kind"]) for e in self.doc["edges"]}

    def modules(self) -> set[str]:
        return {m["name"] for m in self.doc["modules"]}


def _args(repo: Path, tmp_path: Path, extra: tuple[str, ...]) -> list[str]:
    return ["analyze", str(repo), "-o", str(tmp_path / "a.json"), "--cache-dir", str(tmp_path / "cache"), *extra]


def analyze(repo: Path, tmp_path: Path, *extra: str) -> Run:
    """``msa analyze`` in-process through typer's CliRunner."""
    result = runner.invoke(app, _args(repo, tmp_path, extra))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unhandled {type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert "Traceback" not in result.output, result.output
    return _checked(Run(result.exit_code, result.output, tmp_path / "a.json"))


def analyze_isolated(repo: Path, tmp_path: Path, *extra: str, timeout: float = ISOLATED_TIMEOUT,
                     pythonpath: tuple[str, ...] = ()) -> Run:
    """``msa analyze`` in a child interpreter, for inputs that may crash or hang it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((*pythonpath, str(PROJECT)))}
    try:
        proc = subprocess.run([sys.executable, "-m", "analyzer.cli", *_args(repo, tmp_path, extra)],
                              capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"msa analyze did not finish within {timeout} s")
    output = proc.stdout + proc.stderr
    assert proc.returncode >= 0, f"msa analyze was killed by signal {-proc.returncode}\n{output[-2000:]}"
    assert "Traceback" not in output, output[-4000:]
    return _checked(Run(proc.returncode, output, tmp_path / "a.json"))


def _checked(run: Run) -> Run:
    """Whatever the case: a written document is valid, and every listed error is one line."""
    if run.doc is not None and run.exit_code == 0:  # on a stop, the file is the user's old one
        jsonschema.validate(run.doc, SCHEMA)
        for e in run.doc["parse_errors"]:
            assert e["message"] and "\n" not in e["message"] and len(e["message"]) <= 300, e
            assert e["line"] is None or (isinstance(e["line"], int) and e["line"] >= 1), e
    return run


def assert_completed(run: Run) -> None:
    assert run.exit_code == 0, run.output
    assert run.doc is not None, run.output
    assert BASE_SYMBOLS <= run.symbols(), sorted(BASE_SYMBOLS - run.symbols())
    assert BASE_CALL in run.edges()
    assert run.doc["counts"]["parse_errors"] + run.doc["counts"]["skipped"] == len(run.doc["parse_errors"])


def assert_stopped_with_one_line(run: Run, exit_code: int, pattern: str) -> None:
    assert run.exit_code == exit_code, run.output
    lines = [line for line in run.output.splitlines() if line.strip()]
    assert len(lines) == 1, run.output
    assert lines[0].startswith("error: ") and re.search(pattern, lines[0]), lines[0]


# -- syntax ------------------------------------------------------------------------------------

def test_syntax_errors_are_listed_with_the_line_of_the_mistake(tmp_path):
    run = analyze(make_repo(tmp_path, "syntax_error"), tmp_path)
    assert_completed(run)
    assert run.error_paths() == {"shop/broken.py", "shop/unclosed.py", "shop/bad_dedent.py"}
    assert {m["name"]: m["error"] for m in run.doc["modules"]}["shop.broken"]
    assert "shop.broken.fine" not in run.symbols()  # nothing half-parsed leaks into the graph
    # where an editor should jump to: the line CPython itself would name
    assert run.error("shop/broken.py")["line"] == 5
    assert run.error("shop/bad_dedent.py")["line"] == 3
    assert run.error("shop/unclosed.py")["line"] == 2


def test_syntax_error_messages_say_what_is_wrong(tmp_path):
    run = analyze(make_repo(tmp_path, "syntax_error", "python2", generated=("mixed_tabs.py",)), tmp_path)
    assert_completed(run)
    assert "dent" in run.error("shop/bad_dedent.py")["message"].lower()
    assert "unterminated" in run.error("shop/unclosed.py")["message"].lower()
    assert "leading zeros" in run.error("shop/legacy_octal.py")["message"]
    assert "tab" in run.error("shop/mixed_tabs.py")["message"].lower()
    for e in run.doc["parse_errors"]:  # never only the position, which the line field already gives
        assert not re.fullmatch(r"Syntax Error @ \d+:\d+\.", e["message"]), e


def test_python2_modules_are_listed_not_fatal(tmp_path):
    run = analyze(make_repo(tmp_path, "python2"), tmp_path)
    assert_completed(run)
    legacy = {f"shop/{p.name}" for p in (CORPUS / "python2" / "shop").glob("*.py")}
    assert run.error_paths() == legacy
    for path in legacy:
        assert run.error(path)["kind"] == "syntax"
    assert run.error("shop/legacy_print.py")["line"] == 2
    assert run.error("shop/legacy_exec.py")["line"] == 2
    assert run.error("shop/legacy_backticks.py")["line"] == 2
    assert run.error("shop/legacy_octal.py")["line"] == 1


def test_python_312_and_313_syntax_is_analyzed(tmp_path):
    source = (CORPUS / "modern" / "shop" / "generics.py").read_text()
    if sys.version_info < (3, 12):  # the point of the case: the running interpreter's ast refuses it
        import ast

        with pytest.raises(SyntaxError):
            ast.parse(source)
    run = analyze(make_repo(tmp_path, "modern"), tmp_path)
    assert_completed(run)
    assert run.doc["parse_errors"] == []
    assert {
        "shop.generics.first", "shop.generics.settle", "shop.generics.with_default", "shop.generics.Box",
        "shop.generics.Box.label", "shop.generics.report",
    } <= run.symbols()
    assert ("shop.generics.settle", "shop.payments.charge", "call") in run.edges()
    assert ("shop.generics.settle", "shop.generics.first", "call") in run.edges()


# -- bytes and encodings -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["undecodable_utf8.py", "unknown_cookie.py", "lying_cookie.py",
                                  "utf16_without_cookie.py", "null_bytes.py"])
def test_undecodable_files_are_listed(tmp_path, name):
    run = analyze(make_repo(tmp_path, generated=(name,)), tmp_path)
    assert_completed(run)
    error = run.error(f"shop/{name}")
    assert error["kind"] == "decode"
    assert f"shop.{name[:-3]}.still_here" not in run.symbols()


def test_undecodable_messages_name_the_problem(tmp_path):
    run = analyze(make_repo(tmp_path, generated=("unknown_cookie.py", "null_bytes.py", "undecodable_utf8.py")),
                  tmp_path)
    assert "klingon" in run.error("shop/unknown_cookie.py")["message"]
    assert "null" in run.error("shop/null_bytes.py")["message"]
    assert "utf-8" in run.error("shop/undecodable_utf8.py")["message"].lower()


def test_bom_and_an_honest_coding_cookie_are_analyzed(tmp_path):
    run = analyze(make_repo(tmp_path, generated=("utf8_bom.py", "latin1_with_cookie.py")), tmp_path)
    assert_completed(run)
    assert run.doc["parse_errors"] == []
    assert {"shop.utf8_bom.with_bom", "shop.latin1_with_cookie.latin_ok"} <= run.symbols()
    assert {s["id"]: s for s in run.doc["symbols"]}["shop.utf8_bom.with_bom"]["line"] == 4


# -- size --------------------------------------------------------------------------------------

def test_a_20_mb_generated_module_is_listed_and_the_rest_analyzed(tmp_path):
    repo = make_repo(tmp_path, generated=("huge_module.py",))
    assert (repo / "shop" / "huge_module.py").stat().st_size >= 20 * corpus.MB
    started = time.perf_counter()
    run = analyze(repo, tmp_path)
    elapsed = time.perf_counter() - started
    assert_completed(run)
    error = run.error("shop/huge_module.py")
    assert error["kind"] == "size" and "MiB" in error["message"]
    assert elapsed < 30, f"a file over the size limit should be refused quickly, took {elapsed:.1f} s"


def test_a_10_mb_string_literal_is_listed_and_the_rest_analyzed(tmp_path):
    run = analyze(make_repo(tmp_path, generated=("huge_string.py",)), tmp_path)
    assert_completed(run)
    assert run.error("shop/huge_string.py")["kind"] == "size"


def test_a_6_mb_string_full_of_code_like_text_is_analyzed_with_exact_lines(tmp_path):
    repo = make_repo(tmp_path, generated=("big_docstring_with_code.py",))
    lines = (repo / "shop" / "big_docstring_with_code.py").read_bytes().count(b"\n")
    run = analyze(repo, tmp_path)
    assert_completed(run)
    assert run.doc["parse_errors"] == []
    symbols = {s["id"]: s for s in run.doc["symbols"]}
    assert "shop.big_docstring_with_code.fake" not in symbols  # text inside a string is not code
    assert symbols["shop.big_docstring_with_code.after"]["line"] == lines - 1
    assert ("shop.big_docstring_with_code.after", "shop.big_docstring_with_code.before", "call") in run.edges()


# -- nesting (may crash a native parser: isolated) ----------------------------------------------

@pytest.mark.parametrize("name", ["nested_brackets.py", "chain_one_line.py", "chain_many_lines.py",
                                  "and_chain.py", "not_chain.py", "call_chain.py"])
def test_deep_nesting_neither_crashes_nor_hangs(tmp_path, name):
    run = analyze_isolated(make_repo(tmp_path, generated=(name,)), tmp_path)
    assert_completed(run)
    if f"shop/{name}" in run.error_paths():
        assert run.error(f"shop/{name}")["kind"] == "syntax"
    else:  # analyzed after all: then the healthy function after the monster is there too
        assert f"shop.{name[:-3]}.still_here" in run.symbols()


@pytest.mark.parametrize("fillers", [0, 64], ids=["few-files", "many-files"])
def test_a_parser_crash_in_a_worker_is_listed_and_the_rest_analyzed(tmp_path, fillers):
    """A file that kills its parsing process (SIGSEGV, as a native parser crash does) is
    re-parsed alone and listed; the files that shared the worker are still analyzed, with a
    few files or with many. The screen stops every crash we know of, so the crash is
    injected: a ``sitecustomize`` on the child's path makes parsing one file kill its process."""
    repo = make_repo(tmp_path)
    (repo / "shop" / "segfault_here.py").write_text("def victim():\n    return 1\n")
    for i in range(fillers):
        (repo / "shop" / f"filler_{i}.py").write_text(f"def filler_{i}():\n    return {i}\n")
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import os, signal\n"
        "import analyzer.parse as parse\n"
        "real = parse.parse_module_facts\n"
        "def crashing(path, module, source, is_package=False):\n"
        "    if path.endswith('segfault_here.py'):\n"
        "        os.kill(os.getpid(), signal.SIGSEGV)\n"
        "    return real(path, module, source, is_package)\n"
        "parse.parse_module_facts = crashing\n"
    )
    run = analyze_isolated(repo, tmp_path, "--jobs", "2", "--no-cache", timeout=60,
                           pythonpath=(str(inject),))
    assert_completed(run)
    error = run.error("shop/segfault_here.py")
    assert error["kind"] == "crash" and "crashed" in error["message"]
    assert {f"shop.filler_{i}.filler_{i}" for i in range(fillers)} <= run.symbols()


def test_150_nested_if_blocks_are_listed_with_the_reason(tmp_path):
    run = analyze_isolated(make_repo(tmp_path, generated=("nested_ifs.py",)), tmp_path)
    assert_completed(run)
    error = run.error("shop/nested_ifs.py")
    assert "indentation" in error["message"]
    assert error["line"] == 101  # the 100th level, where CPython stops too


@pytest.mark.parametrize("name", ["float_table.py", "brackets_in_string.py"])
def test_valid_long_lines_are_not_mistaken_for_deep_nesting(tmp_path, name):
    """A table of negative floats or a string of brackets is flat code: it must be analyzed."""
    run = analyze(make_repo(tmp_path, generated=(name,)), tmp_path)
    assert_completed(run)
    assert run.doc["parse_errors"] == [], run.doc["parse_errors"]
    assert any(s.startswith(f"shop.{name[:-3]}.") for s in run.symbols())


# -- the file system -----------------------------------------------------------------------------

def test_symlink_loops_and_dangling_links(tmp_path):
    repo = make_repo(tmp_path)
    shop = repo / "shop"
    (shop / "loop").symlink_to(".")  # a folder that contains itself
    (shop / "up").symlink_to("..")  # a folder that contains its parent
    (shop / "ring_a.py").symlink_to("ring_b.py")  # two files pointing at each other
    (shop / "ring_b.py").symlink_to("ring_a.py")
    (shop / "self.py").symlink_to("self.py")
    (shop / "gone.py").symlink_to("nowhere/missing.py")
    (shop / "alias.py").symlink_to("payments.py")  # a healthy link to a file is a module
    run = analyze(repo, tmp_path)
    assert_completed(run)
    assert {"shop/ring_a.py", "shop/ring_b.py", "shop/self.py", "shop/gone.py"} <= run.error_paths()
    assert all(run.error(p)["kind"] == "skipped" for p in ("shop/gone.py", "shop/self.py"))
    assert "shop.alias.charge" in run.symbols()
    # nothing was reached twice through the looping folders
    assert not any(".loop." in m or ".up." in m or m.endswith((".loop", ".up")) for m in run.modules())
    assert len(run.doc["modules"]) == len({m["path"] for m in run.doc["modules"]})


def test_a_fifo_named_like_a_module_does_not_block_the_analysis(tmp_path):
    repo = make_repo(tmp_path)
    os.mkfifo(repo / "shop" / "pipe.py")  # reading it would wait forever for a writer
    run = analyze_isolated(repo, tmp_path)
    assert_completed(run)
    assert run.error("shop/pipe.py")["kind"] == "skipped"


def test_unreadable_files_and_folders_are_listed(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading, so nothing is unreadable")
    repo = make_repo(tmp_path)
    locked = repo / "shop" / "locked.py"
    locked.write_text("def secret():\n    return 1\n")
    vault = repo / "shop" / "vault"
    vault.mkdir()
    (vault / "__init__.py").write_text("")
    (vault / "inside.py").write_text("def hidden():\n    return 1\n")
    locked.chmod(0)
    vault.chmod(0)
    try:
        run = analyze(repo, tmp_path)
    finally:
        locked.chmod(0o644)
        vault.chmod(0o755)
    assert_completed(run)
    assert "cannot read" in run.error("shop/locked.py")["message"]
    assert "cannot read" in run.error("shop/vault")["message"]


def test_read_errors_are_listed_whoever_runs_the_tests(tmp_path, monkeypatch):
    """The same contract without chmod: the OS refuses one file and one folder (also as root)."""
    repo = make_repo(tmp_path)
    (repo / "shop" / "locked.py").write_text("def secret():\n    return 1\n")
    (repo / "shop" / "vault").mkdir()
    (repo / "shop" / "vault" / "inside.py").write_text("def hidden():\n    return 1\n")
    real_read, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(self):
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    def scandir(path="."):
        if Path(path).name == "vault":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    run = analyze(repo, tmp_path, "--no-cache")
    assert_completed(run)
    assert "cannot read" in run.error("shop/locked.py")["message"]
    assert "cannot read" in run.error("shop/vault")["message"]
    assert "shop.vault.inside.hidden" not in run.symbols()


def test_a_file_name_that_is_not_utf8_is_listed(tmp_path):
    repo = make_repo(tmp_path)
    raw = os.fsencode(repo / "shop") + b"/caf\xe9.py"  # Latin-1 bytes: not a UTF-8 file name
    try:
        with open(raw, "wb") as fh:
            fh.write(b"def latin_named():\n    return 1\n")
    except OSError as exc:  # some file systems (macOS APFS) refuse such names
        pytest.skip(f"the file system refuses non-UTF-8 names: {exc}")
    run = analyze(repo, tmp_path)
    assert_completed(run)
    listed = [e for e in run.doc["parse_errors"] if e["path"].startswith("shop/caf")]
    assert len(listed) == 1, run.doc["parse_errors"]
    assert listed[0]["kind"] == "skipped"


def test_unicode_and_unimportable_file_names(tmp_path):
    repo = make_repo(tmp_path, "odd_names")
    (repo / "tools").mkdir()
    (repo / "tools" / "build-media.py").write_text("from shop.payments import charge\n\ncharge(1)\n")
    run = analyze(repo, tmp_path)
    assert_completed(run)
    assert ("shop.café.pay_at_the_counter", "shop.payments.charge", "call") in run.edges()
    # a module in a package that no ``import`` can name (a Django command, loaded by its file
    # name) is analyzed under its own name; a hyphenated script outside any package is a
    # developer's tool and a name with a dot in it would read as a package: both listed
    assert ("shop.my-module.unreachable_by_import", "shop.payments.charge", "call") in run.edges()
    assert "shop/my-module.py" not in run.error_paths()
    assert "not importable" in run.error("tools/build-media.py")["message"]
    assert "not importable" in run.error("shop/gunicorn.conf.py")["message"]


def test_a_module_that_imports_pytest_at_its_top_is_test_support(tmp_path):
    """pulpcore's ``pytest_plugin.py`` (fixtures, outside any test folder) came out as a
    service of its own; a function that imports pytest only when called is not test support."""
    repo = make_repo(tmp_path)
    (repo / "shop" / "pytest_plugin.py").write_text(
        "import pytest\n\nfrom shop.payments import charge\n\n\n@pytest.fixture\ndef paid():\n    return charge(1)\n")
    (repo / "shop" / "selftest.py").write_text("def run():\n    import pytest\n    return pytest.main([])\n")
    run = analyze(repo, tmp_path)
    assert_completed(run)
    assert "shop.pytest_plugin" not in run.modules()
    assert run.error("shop/pytest_plugin.py")["message"] == "test support: imports pytest at its top level"
    assert "shop.selftest.run" in run.symbols()
    with_tests = analyze(repo, tmp_path / "t", "--include-tests")
    assert "shop.pytest_plugin.paid" in with_tests.symbols()


# -- repository shapes ----------------------------------------------------------------------------

def test_the_same_module_name_under_two_roots(tmp_path):
    run = analyze(make_repo(tmp_path, "two_roots"), tmp_path)
    assert_completed(run)
    by_name = {m["name"]: m["path"] for m in run.doc["modules"]}
    assert by_name["app.models"] == "svc_a/app/models.py"  # the first in path order wins, every time
    assert "app.models.load_a" in run.symbols() and "app.only_b.unique_to_b" in run.symbols()
    error = run.error("svc_b/app/models.py")
    assert error["kind"] == "skipped" and "svc_a/app/models.py" in error["message"]


def test_circular_imports_terminate_with_edges_both_ways(tmp_path):
    run = analyze(make_repo(tmp_path, "circular"), tmp_path)
    assert_completed(run)
    assert run.doc["parse_errors"] == []
    edges = run.edges()
    assert ("shop.cycle_a", "shop.cycle_b", "import") in edges
    assert ("shop.cycle_b", "shop.cycle_a.ping", "import") in edges or ("shop.cycle_b", "shop.cycle_a",
                                                                          "import") in edges
    assert ("shop.cycle_a.ping", "shop.cycle_b.pong", "call") in edges
    assert ("shop.cycle_b.pong", "shop.cycle_a.ping", "call") in edges
    assert ("shop.star_a.alpha", "shop.star_b.beta", "call") in edges
    assert ("shop.star_b.beta", "shop.star_a.alpha", "call") in edges
    assert ("shop.selfref.again", "shop.selfref.again", "call") in edges


@pytest.mark.parametrize("case", ["empty", "no_python", "tests_only"])
def test_nothing_to_analyze_stops_with_one_line_and_keeps_the_old_output(tmp_path, case):
    """Decision (docs/robustness.md): exit code 1, one line, and the output file untouched.

    A wrong folder must not overwrite yesterday's analysis with an empty one.
    """
    if case == "empty":
        repo = tmp_path / "repo"
        repo.mkdir()
    else:
        repo = make_repo(tmp_path, case, base=False)
    previous = '{"kept": true}\n'
    (tmp_path / "a.json").write_text(previous)
    run = analyze(repo, tmp_path)
    assert_stopped_with_one_line(run, EXIT_FAILURE, r"no Python (files|modules)")
    assert (tmp_path / "a.json").read_text() == previous


def test_only_tests_says_how_to_include_them(tmp_path):
    run = analyze(make_repo(tmp_path, "tests_only", base=False), tmp_path)
    assert run.exit_code == EXIT_FAILURE
    assert "--include-tests" in run.output
    run = analyze(make_repo(tmp_path / "again", "tests_only", base=False), tmp_path, "--include-tests")
    assert run.exit_code == 0, run.output


def test_a_repository_where_every_file_fails_still_completes(tmp_path):
    """Unlike an empty one: the list of failures is the answer the user needs."""
    run = analyze(make_repo(tmp_path, "python2", base=False), tmp_path)
    assert run.exit_code == 0, run.output
    assert run.error_paths() == {f"shop/{p.name}" for p in (CORPUS / "python2" / "shop").glob("*.py")}
    assert run.doc["counts"]["modules"] == 0


def test_a_missing_folder_or_a_file_is_a_usage_error(tmp_path):
    run = analyze(tmp_path / "nowhere", tmp_path)
    assert_stopped_with_one_line(run, 2, r"no such folder")
    (tmp_path / "single.py").write_text("x = 1\n")
    run = analyze(tmp_path / "single.py", tmp_path)
    assert_stopped_with_one_line(run, 2, r"not a folder")


def test_every_bad_case_at_once(tmp_path):
    """All the listed failures in one repository: each is listed, the healthy code is analyzed,
    and a second run answers from the cache with the same document."""
    small = ("undecodable_utf8.py", "unknown_cookie.py", "lying_cookie.py", "null_bytes.py", "utf8_bom.py",
             "latin1_with_cookie.py", "nested_brackets.py", "chain_one_line.py", "mixed_tabs.py")
    run = analyze_isolated(make_repo(tmp_path, "syntax_error", "python2", "modern", "circular", generated=small),
                           tmp_path)
    assert_completed(run)
    expected = {"shop/broken.py", "shop/unclosed.py", "shop/bad_dedent.py", "shop/undecodable_utf8.py",
                "shop/unknown_cookie.py", "shop/lying_cookie.py", "shop/null_bytes.py", "shop/nested_brackets.py",
                "shop/chain_one_line.py", "shop/mixed_tabs.py"}
    expected |= {f"shop/{p.name}" for p in (CORPUS / "python2" / "shop").glob("*.py")}
    assert run.error_paths() == expected
    assert run.doc["counts"]["parse_errors"] == len(expected)
    assert {"shop.generics.Box.label", "shop.utf8_bom.with_bom", "shop.cycle_a.ping"} <= run.symbols()
    first = run.out_file.read_bytes()
    run.out_file.unlink()
    again = analyze(tmp_path / "repo", tmp_path)
    assert again.exit_code == 0 and "result from cache" in again.output
    assert again.out_file.read_bytes() == first


def test_an_output_that_cannot_be_written_is_one_line(tmp_path):
    """``-o`` (or ``--plan``) under a file where a folder should be: one line, exit 1, no
    traceback, and no stray temporary file."""
    repo = make_repo(tmp_path)
    (tmp_path / "afile").write_text("x\n")
    result = runner.invoke(app, ["analyze", str(repo), "-o", str(tmp_path / "afile" / "a.json"),
                                 "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == EXIT_FAILURE and "Traceback" not in result.output, result.output
    assert re.search(r"cannot write .*afile.*a\.json: .*afile is not a folder", result.output), result.output
    result = runner.invoke(app, ["analyze", str(repo), "-o", str(tmp_path / "a.json"), "--cache-dir",
                                 str(tmp_path / "cache"), "--plan", str(tmp_path / "afile" / "plan.toml")])
    assert result.exit_code == EXIT_FAILURE and "cannot write" in result.output, result.output
    assert (tmp_path / "afile").read_text() == "x\n"


@pytest.mark.parametrize("flags, message", [
    (("--jobs", "0"), r"--jobs must be at least 1"),
    (("--executor", "foo://bar"), r"--executor must be 'local' or 'dask://HOST:PORT'"),
])
def test_bad_flags_are_refused_even_when_the_result_is_cached(tmp_path, flags, message):
    """A run answered from the result cache never parses, so it never met the executor."""
    repo = make_repo(tmp_path)
    assert_completed(analyze(repo, tmp_path))
    assert_stopped_with_one_line(analyze(repo, tmp_path, *flags), 2, message)
