"""The nested force layout of the HTML report (templates/report/layout.js), run under Node.

Invariants: every node is placed, siblings never overlap, children stay inside their box,
the same input gives the same picture, linked nodes end up closer than unlinked ones, and
a re-layout from the previous positions barely moves anything.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.report.resources import report_templates

NODE = shutil.which("node")
RUNNER = Path(__file__).parent / "fixtures" / "report" / "run_layout.js"
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(tree, edges, previous=None, **options):
    job = {"tree": tree, "edges": edges, "previous": previous or {}, "options": options}
    done = subprocess.run(
        [NODE, str(RUNNER), str(report_templates() / "layout.js")],
        input=json.dumps(job), capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(done.stdout)


def services_tree(services=6, modules=5, functions=4):
    """Services holding modules; the first module of each service is expanded into functions."""
    children = []
    edges = []
    for s in range(services):
        mods = []
        for m in range(modules):
            if m == 0:
                leaves = [{"id": f"f{s}.{f}", "r": 10 + f} for f in range(functions)]
                mods.append({"id": f"g{s}.0", "children": leaves})
                edges += [[f"f{s}.{f}", f"f{s}.{f + 1}", 2] for f in range(functions - 1)]
            else:
                mods.append({"id": f"m{s}.{m}", "r": 14 + 3 * m})
                edges.append([f"m{s}.{m}", f"f{s}.0", 1])
        children.append({"id": f"s{s}", "children": mods})
        edges.append([f"m{s}.1", f"m{(s + 1) % services}.2", 1])
    return {"id": "root", "children": children}, edges


def walk(node, parent=None):
    for child in node.get("children", []):
        yield parent, child, node
        yield from walk(child, child)


def rect(p):
    return p["x"] - p["hw"], p["x"] + p["hw"], p["y"] - p["hh"], p["y"] + p["hh"]


def test_every_node_placed_without_overlaps():
    tree, edges = services_tree()
    out = run(tree, edges, gap=[48, 26, 14], pad=24, aspect=1.5)
    pos = out["result"]
    ids = [child["id"] for _, child, _ in walk(tree)]
    assert sorted(pos) == sorted(ids)
    for node in [tree] + [c for _, c, _ in walk(tree)]:
        kids = node.get("children", [])
        for i, a in enumerate(kids):
            ax0, ax1, ay0, ay1 = rect(pos[a["id"]])
            for b in kids[i + 1:]:
                bx0, bx1, by0, by1 = rect(pos[b["id"]])
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a["id"], b["id"])
            if node is not tree:
                px0, px1, py0, py1 = rect(pos[node["id"]])
                assert px0 <= ax0 and ax1 <= px1 and py0 <= ay0 and ay1 <= py1, (node["id"], a["id"])


def test_deterministic_and_wide():
    tree, edges = services_tree()
    first = run(tree, edges, gap=[48, 26, 14], pad=24, aspect=1.5)["result"]
    second = run(tree, edges, gap=[48, 26, 14], pad=24, aspect=1.5)["result"]
    assert first == second
    tops = [first[c["id"]] for c in tree["children"]]
    width = max(p["x"] + p["hw"] for p in tops) - min(p["x"] - p["hw"] for p in tops)
    height = max(p["y"] + p["hh"] for p in tops) - min(p["y"] - p["hh"] for p in tops)
    assert width / height > 1.15  # shaped for a wide canvas


def test_linked_nodes_are_closer():
    leaves = [{"id": f"n{i}", "r": 10} for i in range(8)]
    edges = [["n0", "n1", 20], ["n2", "n3", 20], ["n4", "n5", 20]]
    pos = run({"id": "root", "children": leaves}, edges, gap=[20])["result"]

    def dist(a, b):
        return math.hypot(pos[a]["x"] - pos[b]["x"], pos[a]["y"] - pos[b]["y"])

    linked = [dist("n0", "n1"), dist("n2", "n3"), dist("n4", "n5")]
    others = [dist(f"n{i}", f"n{j}") for i in range(8) for j in range(i + 1, 8) if (i, j) not in
              ((0, 1), (2, 3), (4, 5))]
    assert max(linked) < sorted(others)[len(others) // 2]


def test_relayout_from_previous_positions_is_stable():
    tree, edges = services_tree()
    first = run(tree, edges, gap=[48, 26, 14], pad=24, aspect=1.5)["result"]
    previous = {k: {"x": v["x"], "y": v["y"]} for k, v in first.items()}
    again = run(tree, edges, previous, gap=[48, 26, 14], pad=24, aspect=1.5)["result"]
    extent = max(abs(v["x"]) + v["hw"] for v in first.values())
    moved = [math.hypot(first[k]["x"] - again[k]["x"], first[k]["y"] - again[k]["y"]) for k in first]
    assert sum(moved) / len(moved) < 0.25 * extent


def test_hundreds_of_nodes_are_fast():
    tree, edges = services_tree(services=12, modules=25, functions=6)
    out = run(tree, edges, gap=[48, 26, 14], pad=24, aspect=1.5)
    assert len(out["result"]) == 12 + 12 * 25 + 12 * 6
    assert out["ms"] < 3000
