"""Ctrl-C in the middle of ``msa analyze`` loses nothing: the old output stays whole, no
temporary file is left behind, and the cache still works on the next run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _make_tree(root: Path, modules: int = 1500) -> Path:
    pkg = root / "big" / "app"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for i in range(modules):
        body = "\n".join(
            f"def f{i}_{j}(x):\n    return f{i}_{j - 1}(x) + {j}\n" if j else f"def f{i}_{j}(x):\n    return x\n"
            for j in range(40)
        )
        (pkg / f"m{i}.py").write_text(body)
    return root / "big"


def test_interrupted_analysis_keeps_the_old_output_and_a_usable_cache(tmp_path):
    tree = _make_tree(tmp_path)
    out = tmp_path / "out" / "analysis.json"
    out.parent.mkdir()
    out.write_text('{"previous": true}\n')
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "analyzer.cli", "analyze", str(tree), "-o", str(out), "--cache-dir", str(cache)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.8)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # the machine was fast enough to finish first: nothing to interrupt
        assert json.loads(out.read_text())["schema"] == "msa-analysis/1"
    else:
        assert proc.returncode in (1, 130), err
        assert "Traceback" not in err
        assert out.read_text() == '{"previous": true}\n'
    assert [p.name for p in out.parent.iterdir()] == ["analysis.json"]  # no temporary leftovers
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["counts"]["files"] == 1501
