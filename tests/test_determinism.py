"""The same tree gives the same analysis in every process: Python's string hashing changes
with each interpreter (``PYTHONHASHSEED``), so any result that follows a set's order differs
between runs. networkx's subgraph views did exactly that to the balance step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx

from analyzer.graph import induced

ROOT = Path(__file__).resolve().parent.parent


def test_induced_subgraph_keeps_the_graph_order():
    g = nx.Graph()
    names = [f"n{i:03d}" for i in range(200)]
    g.add_nodes_from((n, {"size": i}) for i, n in enumerate(reversed(names)))
    g.add_weighted_edges_from((names[i], names[(i * 7 + 3) % 200], 1.0 + i) for i in range(200))
    part = {n for i, n in enumerate(names) if i % 5 == 0}  # well under half: a view would use set order
    sub = induced(g, part)
    assert list(sub) == [n for n in g if n in part]
    for n in sub:
        assert list(sub[n]) == [m for m in g[n] if m in part]
        assert all(sub[n][m] == g[n][m] and sub[n][m] is not g[n][m] for m in sub[n])
    assert dict(sub.nodes(data="size")) == {n: g.nodes[n]["size"] for n in part}


def test_the_sample_analysis_is_the_same_under_any_hash_seed(tmp_path):
    docs = []
    for seed in ("1", "2"):
        out = tmp_path / f"analysis-{seed}.json"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(ROOT / "samples" / "shop"), "-o", str(out),
                        "--no-cache", "--quiet"], check=True, cwd=ROOT, env=env, timeout=300)
        doc = json.loads(out.read_text(encoding="utf-8"))
        docs.append({k: doc[k] for k in ("symbols", "edges", "entities", "routes", "decomposition", "metrics",
                                         "baselines")})
    assert docs[0] == docs[1]
