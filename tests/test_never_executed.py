"""The analyzed code is read, never run: proof with a package that detonates on import.

tests/fixtures/never_executed holds modules (and a ``setup.py``) that, when imported or run,
write marker files next to themselves and into the working directory, bind a Unix socket
file, connect to a TCP port the test listens on, run ``touch`` through ``os.system`` and
call ``sys.exit(97)``. The test analyzes a copy through the CLI and checks that not one of
those things happened while the modules' functions still reached the analysis.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "never_executed"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def listener():
    """A TCP port the trap connects to if it ever runs; yields (port, accepted connections)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    accepted: list[bytes] = []

    def drain() -> list[bytes]:
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return accepted
            with conn:
                conn.settimeout(1)
                accepted.append(conn.recv(64))

    yield server.getsockname()[1], drain
    server.close()


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-pool"])
def test_analyzing_the_trap_package_runs_none_of_it(tmp_path, monkeypatch, listener, parallel):
    port, drain = listener
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    flags: tuple[str, ...] = ("--jobs", "1")
    if parallel:  # enough files that parsing goes to a process pool
        from analyzer.pipeline import PARALLEL_THRESHOLD

        for i in range(PARALLEL_THRESHOLD):
            (repo / "trap" / f"filler_{i}.py").write_text(f"def filler_{i}():\n    return {i}\n")
        flags = ("--jobs", "2")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("MSA_TRAP_PORT", str(port))
    before = _snapshot(repo)
    out = tmp_path / "a.json"

    result = CliRunner().invoke(app, ["analyze", str(repo), "-o", str(out), "--cache-dir",
                                      str(tmp_path / "cache"), *flags])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output  # a sys.exit(97) from the trap would show here
    assert "Traceback" not in result.output
    assert _snapshot(repo) == before  # no marker file, no socket file, nothing modified
    assert not any(repo.rglob("PWNED*")) and not any(repo.rglob("__pycache__"))
    assert list(workdir.iterdir()) == []  # nothing written into the working directory
    assert drain() == []  # nobody connected to the port

    doc = json.loads(out.read_text())
    assert doc["parse_errors"] == []
    symbols = {s["id"] for s in doc["symbols"]}
    assert {
        "setup.configure", "trap.Loader", "trap.Loader.__init__", "trap.Loader.load", "trap._effects.spring",
        "trap.boom.detonate", "trap.boom.arm", "trap.boom.Fuse.__init__", "trap.boom.Fuse.light",
        "trap.services.launch", "trap.services.explain",
    } <= symbols
    edges = {(e["source"], e["target"], e["kind"]) for e in doc["edges"]}
    assert ("trap.services.launch", "trap.boom.Fuse.light", "call") in edges
    assert ("trap.boom.arm", "trap.boom.detonate", "call") in edges


def test_the_trap_is_armed(tmp_path, monkeypatch, listener):
    """Guard against a toothless fixture: importing the copy for real does spring it."""
    import subprocess
    import sys

    port, drain = listener
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    env = {**os.environ, "MSA_TRAP_PORT": str(port), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(repo)}
    proc = subprocess.run([sys.executable, "-c", "import trap.boom"], cwd=tmp_path, env=env,
                          capture_output=True, timeout=30, check=False)
    assert proc.returncode == 97, proc.stderr.decode()
    assert (repo / "trap" / "PWNED_init_open").is_file()
    assert (repo / "trap" / "PWNED_write_package").is_file()
    assert (repo / "trap" / "PWNED_system_package").is_file()
    assert (repo / "trap" / "PWNED_package.sock").exists()
    assert (tmp_path / "PWNED_cwd_package").is_file()
    assert drain() == [b"package"]

    proc = subprocess.run([sys.executable, "setup.py"], cwd=repo, env=env, capture_output=True, timeout=30,
                          check=False)
    assert proc.returncode == 97, proc.stderr.decode()
    assert {p.name for p in repo.glob("PWNED_setup_*")} == {
        "PWNED_setup_write", "PWNED_setup_system", "PWNED_setup_subprocess"}
