"""Shares of a loop run at once, the second in a forked child (analyzer/forked.py), and the
frameworks stage that uses them: the same answers whether or not a child ran."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer import forked
from analyzer.frameworks import access, extract
from analyzer.stage_cache import pack_frameworks
from tests.helpers import front_end

ROOT = Path(__file__).resolve().parent.parent
needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="this platform does not fork")


def _count_shares(monkeypatch, module) -> list[float]:
    """``module.shares`` replaced by the real one that also records each call's ``copies``."""
    calls: list[float] = []
    real = forked.shares

    def counted(job, copies=1.0, grows=0.0, isolated=None):
        calls.append(copies)
        return real(job, copies, grows, isolated)

    monkeypatch.setattr(module, "shares", counted)
    return calls


@needs_fork
def test_second_share_runs_in_a_child_from_the_state_at_the_fork():
    state = {"seen": []}

    def job(part: int):
        state["seen"].append(part)  # what the child does stays in the child
        return part, os.getpid(), list(state["seen"])

    mine, theirs = forked.shares(job)
    assert mine == (0, os.getpid(), [0])
    assert theirs[0] == 1 and theirs[1] != os.getpid()
    assert theirs[2] == [1]  # the child did not see the parent's share
    assert state["seen"] == [0]


@needs_fork
def test_a_child_that_dies_is_replaced_then_its_share_runs_here(monkeypatch):
    parent = os.getpid()

    def job(part: int):
        if part == 1 and os.getpid() != parent:
            os._exit(3)  # a child killed before answering (memory, a signal)
        return part * 10

    assert forked.shares(job) == (0, 10)


@needs_fork
def test_an_error_in_the_first_share_stops_the_child():
    def job(part: int):
        if part == 0:
            raise ValueError("boom")
        import time

        time.sleep(30)
        return 1

    with pytest.raises(ValueError, match="boom"):
        forked.shares(job)


@needs_fork
def test_a_partner_keeps_its_state_between_turns_in_a_child():
    state = {"seen": []}

    def serve(request):
        state["seen"].append(request)
        return os.getpid(), list(state["seen"])

    partner = forked.Partner(serve)
    try:
        answers = []
        for request in ("a", "b", "c"):
            partner.ask(request)
            answers.append(partner.answer())
    finally:
        partner.close()
    pids = {pid for pid, _ in answers}
    assert len(pids) == 1 and os.getpid() not in pids  # one child answered every turn
    assert [seen for _, seen in answers] == [["a"], ["a", "b"], ["a", "b", "c"]]
    assert state["seen"] == []  # none of it happened here
    assert partner.pid is None


@needs_fork
def test_a_partner_that_dies_leaves_its_turns_to_this_process():
    parent = os.getpid()

    def serve(request):
        if request == "die" and os.getpid() != parent:
            os._exit(3)
        return request, os.getpid()

    partner = forked.Partner(serve)
    partner.ask("live")
    assert partner.answer()[1] != parent
    for request in ("die", "after"):
        partner.ask(request)
        assert partner.answer() == (request, parent)
    partner.close()


@needs_fork
def test_a_stopped_partner_ends_halfway_through_a_turn():
    import time

    partner = forked.Partner(lambda request: time.sleep(30))
    partner.ask("sleep")
    started = time.perf_counter()
    partner.stop()
    assert partner.pid is None and time.perf_counter() - started < 10


def test_without_fork_a_partner_serves_here(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)
    partner = forked.Partner(lambda request: (request, os.getpid()))
    partner.ask(1)
    assert partner.answer() == (1, os.getpid()) and partner.pid is None
    partner.close()


def test_without_fork_both_shares_run_here(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)
    assert forked.shares(lambda part: (part, os.getpid())) == ((0, os.getpid()), (1, os.getpid()))


def test_a_share_run_here_starts_from_the_state_the_first_started_from(monkeypatch):
    """Without room for the child, the second share runs here after the first; given
    ``isolated``, it runs from the state saved before the first, as a child forked then would,
    and the first share's state is what remains (kitsune's frameworks stage gave 263 row-method
    calls in one process against 269 in two: memo cuts depend on what was asked before)."""
    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)
    state = {"seen": []}

    def isolated():
        saved = list(state["seen"])

        def rerun(fn):
            found, state["seen"] = state["seen"], list(saved)
            try:
                return fn()
            finally:
                state["seen"] = found
        return rerun

    def job(part: int):
        state["seen"].append(part)
        return list(state["seen"])

    assert forked.shares(job, isolated=isolated) == ([0], [1])
    assert state["seen"] == [0]
    state["seen"] = []
    assert forked.shares(job) == ([0], [0, 1])  # without it, the second share sees the first's
    # a share the budget refuses runs after the first on every machine: no state saved, and
    # no time lost asking again what the first asked
    monkeypatch.setattr(forked, "MEMORY_BUDGET", 0)
    state["seen"] = []
    assert forked.shares(job, isolated=isolated) == ([0], [0, 1])


@needs_fork
def test_frameworks_stage_split_in_two_answers_the_same_with_or_without_the_fork(monkeypatch):
    facts, resolution = front_end(ROOT / "samples" / "shop")
    monkeypatch.setattr(access, "FORK_SITES", 1)
    forked_split = pack_frameworks(extract(facts, resolution))
    facts, resolution = front_end(ROOT / "samples" / "shop")
    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)
    assert pack_frameworks(extract(facts, resolution)) == forked_split


@needs_fork
def test_frameworks_stage_gives_the_same_answer_split_in_two(monkeypatch):
    facts, resolution = front_end(ROOT / "samples" / "shop")
    whole = pack_frameworks(extract(facts, resolution))
    facts, resolution = front_end(ROOT / "samples" / "shop")  # a fresh resolver and memo
    monkeypatch.setattr(access, "FORK_SITES", 1)
    calls = _count_shares(monkeypatch, access)
    split = pack_frameworks(extract(facts, resolution))
    assert calls, "the ORM sites were not split"
    assert split == whole
    assert whole["edges"]  # reads and writes were found at all


def test_no_fork_without_room_in_the_memory_cgroup(monkeypatch, tmp_path):
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    limit.write_text("1073741824\n")  # 1 GiB, of which 1 GiB - 1 MiB used
    usage.write_text(str((1 << 30) - (1 << 20)) + "\n")
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path) == "/sys/fs/cgroup/memory.max":
            return real_open(limit, *args, **kwargs)
        if str(path) == "/sys/fs/cgroup/memory.current":
            return real_open(usage, *args, **kwargs)
        if str(path).startswith("/sys/fs/cgroup"):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    assert forked._cgroup_room() == 1 << 20
    assert not forked._room_for_a_copy()
    limit.write_text("max\n")  # no limit: the machine's free memory decides
    assert forked._cgroup_room() is None


def test_no_fork_beyond_the_memory_budget(monkeypatch):
    if not forked.can_fork(0.5):
        pytest.skip("no room to fork here")
    monkeypatch.setattr(forked, "MEMORY_BUDGET", 1 << 20)  # 1 MiB: less than this process
    assert not forked.can_fork(0.5)
    parent = os.getpid()
    assert forked.shares(lambda part: os.getpid(), copies=0.5) == (parent, parent)


@needs_fork
def test_baselines_scored_in_a_child_while_clustering_are_the_same(monkeypatch):
    from analyzer import pipeline
    from analyzer.pipeline import AnalyzeOptions, _apply_clustering, run_analysis

    doc = run_analysis(ROOT / "samples" / "shop", AnalyzeOptions(use_cache=False, progress=False))
    expected = (doc.metrics, doc.baselines, doc.decomposition)
    calls = _count_shares(monkeypatch, forked)
    monkeypatch.setattr(pipeline, "FORK_SYMBOLS", 1)
    doc.decomposition = doc.metrics = doc.baselines = None
    _apply_clustering(doc, ROOT / "samples" / "shop", AnalyzeOptions(use_cache=False, progress=False))
    assert calls == [0.45]
    assert (doc.metrics, doc.baselines, doc.decomposition) == expected


@needs_fork
def test_louvain_restarts_split_with_a_child_keep_the_same_best_run(monkeypatch):
    import networkx as nx

    from analyzer.cluster import louvain

    g = nx.random_partition_graph([25] * 8, 0.4, 0.03, seed=5)
    g = nx.relabel_nodes(g, {n: f"u{n:03d}" for n in g})
    nx.set_edge_attributes(g, 1.0, "weight")
    whole = louvain.cluster(g, seed=3, restarts=5)  # under FORK_NODES: every run here
    even = louvain.cluster(g, seed=3, restarts=4)
    calls: list[tuple[int, float]] = []
    real = forked.parts

    def counted(job, count, copies=1.0, grows=0.0):
        calls.append((count, copies))
        return real(job, count, copies, grows)

    monkeypatch.setattr(forked, "parts", counted)
    monkeypatch.setattr(louvain, "FORK_NODES", 1)
    assert louvain.cluster(g, seed=3, restarts=5) == whole
    assert calls == [(3, 0.3)]  # an odd number of runs: three shares, so that two cores finish together
    assert louvain.cluster(g, seed=3, restarts=4) == even
    assert calls[-1] == (2, 0.3)
    assert louvain.cluster(g, seed=3, restarts=1) and len(calls) == 2  # one run: nothing to share


@needs_fork
def test_parts_after_the_first_run_in_children_of_their_own():
    state = {"seen": []}

    def job(part: int):
        state["seen"].append(part)
        return part, os.getpid(), list(state["seen"])

    out = forked.parts(job, 3)
    assert [o[0] for o in out] == [0, 1, 2]
    assert out[0][1] == os.getpid() and len({o[1] for o in out}) == 3
    assert [o[2] for o in out] == [[0], [1], [2]]  # each from the state at its fork
    assert state["seen"] == [0]


def test_parts_without_room_for_every_child_run_here_after_the_first(monkeypatch):
    """The children forked before count against the budget until they are reaped."""
    if not hasattr(os, "fork"):
        pytest.skip("this platform does not fork")
    mib = 1 << 20
    monkeypatch.setattr(forked, "_memory", lambda: (100 * mib, 1 << 40))  # 100 MiB here, plenty free
    monkeypatch.setattr(forked, "MEMORY_BUDGET", 175 * mib)  # this process and one child of 50 MiB
    out = forked.parts(lambda part: (part, os.getpid()), 3, copies=0.5)
    assert [o[0] for o in out] == [0, 1, 2]
    assert out[1][1] != os.getpid()  # the first child fitted
    assert out[2][1] == os.getpid()  # no room for a second beside it: its part ran here
    assert forked._promised == {}  # every child reaped, nothing still counted
    out = forked.parts(lambda part: (part, os.getpid()), 3, copies=0.5)
    assert out[1][1] != os.getpid()  # the first run's child no longer counts
    assert forked.parts(lambda part: (part, os.getpid()), 3, copies=0.5, grows=0.3) == [
        (p, os.getpid()) for p in range(3)]  # this process's own growth leaves no room


def test_a_partner_counts_against_the_budget_while_it_lives(monkeypatch):
    if not hasattr(os, "fork"):
        pytest.skip("this platform does not fork")
    mib = 1 << 20
    monkeypatch.setattr(forked, "_memory", lambda: (100 * mib, 1 << 40))
    monkeypatch.setattr(forked, "MEMORY_BUDGET", 175 * mib)
    partner = forked.Partner(lambda request: (request, os.getpid()), copies=0.5)
    try:
        assert partner.pid is not None
        assert not forked.can_fork(0.5)  # the partner's 50 MiB are promised
        partner.ask(1)
        assert partner.answer() == (1, partner.pid)
    finally:
        partner.close()
    assert forked._promised == {} and forked.can_fork(0.5)


def _resolution_answer(resolution):
    """What the split must not change: the edges, and per site and per flow every value but
    the outside ones (``x:``). Those are capped per parameter (resolve.MAX_OUTSIDE_FLOWS),
    and which of a long chain of outside attributes fill the cap depends on the order the
    flows arrive in."""
    def project(values):
        return frozenset(v for v in values if not v.startswith(("x:", "xi:")))

    ev = resolution.evaluation
    return ([project(t) for t in ev.targets], ev.entered, ev.wrapped,
            {k: project(v) for k, v in ev.flows.items() if project(v)},
            sorted((e.source, e.target, e.kind, e.weight) for e in resolution.edges))


@needs_fork
def test_resolution_split_with_a_partner_gives_the_same_answer(monkeypatch):
    """From FORK_SITES sites, a forked partner asks the later modules' sites of every round,
    then what their edges need."""
    from analyzer import resolve

    whole = _resolution_answer(front_end(ROOT / "samples" / "shop")[1])
    turns: list[bool] = []
    real_answer = forked.Partner.answer

    def answer(self):
        turns.append(self.pid is not None)  # a child is there to answer
        return real_answer(self)

    monkeypatch.setattr(forked.Partner, "answer", answer)
    monkeypatch.setattr(resolve, "FORK_SITES", 1)
    split = _resolution_answer(front_end(ROOT / "samples" / "shop")[1])
    assert len(turns) >= 2 and all(turns)  # rounds, then the edges' needs
    assert split == whole
    assert any(e[2] == "call" for e in whole[-1])
    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)  # both halves here, in turn
    assert _resolution_answer(front_end(ROOT / "samples" / "shop")[1]) == whole


@needs_fork
def test_a_parameter_made_megamorphic_by_both_shares_together_is_so_in_both(monkeypatch, tmp_path):
    """Each share hands ``show`` three node classes, under the bound of four; merged they are
    six, so this process makes the parameter megamorphic and tells the partner, whose
    evaluation of ``show`` must then read no flow either: the same edges as in one process."""
    from analyzer import resolve
    from tests.helpers import build_tree

    monkeypatch.setattr(resolve, "MAX_PROJECT_FLOWS", 4)
    nodes = "\n".join(f"class Node{i}:\n    def render(self):\n        return {i}\n" for i in range(6))
    build_tree(tmp_path, {
        "draw/__init__.py": "", "draw/nodes.py": nodes,
        "draw/a.py": "from draw.nodes import Node0, Node1, Node2\nfrom draw.z import show\n\n\n"
                     "def first():\n    Node0().render()\n    Node1().render()\n    show(Node0())\n    show(Node1())\n    show(Node2())\n",
        # ``relay`` hands ``show`` what ``last`` hands it, a round later; ``show`` returns its
        # argument, so ``relay`` is asked again in the round after the merge and hands the
        # three classes again: the partner must refuse them
        "draw/z.py": "from draw.nodes import Node3, Node4, Node5\n\n\n"
                     "def last():\n    relay(Node3())\n    relay(Node4())\n    relay(Node5())\n\n\n"
                     "def relay(n):\n    show(n)\n\n\n"
                     "def show(node):\n    node.render()\n",
    })
    whole = _resolution_answer(front_end(tmp_path)[1])
    monkeypatch.setattr(resolve, "FORK_SITES", 1)
    split_res = front_end(tmp_path)[1]
    assert _resolution_answer(split_res) == whole
    assert ("draw.z.show", "node") in split_res.resolver.megamorphic
    assert not any(e[0] == "draw.z.show" and e[2] == "call" for e in whole[-1])


def test_the_c_heap_is_trimmed_before_memory_is_read(monkeypatch):
    """Freed tables that glibc keeps resident would count against the budget (and a child
    would map them): the free pages go back to the system before each reading."""
    calls = []
    monkeypatch.setattr(forked, "_malloc_trim", lambda pad: calls.append(pad) or 1)
    forked._memory()
    assert calls == [0]
    monkeypatch.setattr(forked, "_malloc_trim", False)  # a C library without malloc_trim
    forked._trim()
    assert calls == [0]
