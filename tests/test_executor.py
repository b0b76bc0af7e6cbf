"""Parsing fans out through an executor: the local pool, a Dask cluster, and a crashed worker."""

from __future__ import annotations

import time

import pytest

from analyzer.executor import DaskExecutor, LocalExecutor, WorkerCrashed, make_executor
from analyzer.errors import UsageError
from analyzer.pipeline import parse_all


def _tasks(n: int):
    return [(f"m{i}.py", f"m{i}", False, f"def f{i}():\n    return g{i}()\n".encode()) for i in range(n)]


def _crash_on_bomb(chunk):
    import os

    if any(t[1] == "bomb" for t in chunk):
        os._exit(1)  # what a native stack overflow in the parser looks like from outside
    from analyzer.pipeline import _parse_chunk

    return _parse_chunk(chunk)


def test_local_pool_keeps_task_order():
    tasks = _tasks(100)
    facts = parse_all(tasks, jobs=2, progress=False, executor=LocalExecutor(2))
    assert [f.module for f in facts] == [t[1] for t in tasks]
    assert all(f.error is None and f.definitions[1].name == f"f{i}" for i, f in enumerate(facts))


def test_a_crashed_worker_is_reported_not_fatal():
    results = dict(LocalExecutor(2).map_chunks(_crash_on_bomb, [[("a.py", "a", False, b"x = 1\n")],
                                                                [("b.py", "bomb", False, b"y = 2\n")]]))
    assert isinstance(results[1], WorkerCrashed) or isinstance(results[0], WorkerCrashed)


def test_unknown_executor_is_a_usage_error():
    with pytest.raises(UsageError):
        make_executor("ftp://nowhere", None)


def test_dask_local_cluster_parses_like_the_pool():
    distributed = pytest.importorskip("distributed")
    tasks = _tasks(80)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        facts = parse_all(tasks, jobs=2, progress=False, executor=DaskExecutor(client=client))
    local = parse_all(tasks, jobs=1, progress=False)
    assert facts == local


def test_guided_chunks_cover_every_file_once_and_shrink():
    import random

    from analyzer.pipeline import _guided_chunks

    rng = random.Random(7)
    sizes = [int(rng.expovariate(1 / 8000)) for _ in range(2000)]
    chunks = _guided_chunks(sizes, 2)
    assert sorted(i for c in chunks for i in c) == list(range(len(sizes)))
    weight = [sum(sizes[i] + 1 for i in c) for c in chunks]
    assert weight[0] > 4 * weight[-2]  # the workers end on small chunks
    assert max(sizes) == sizes[chunks[0][0]]  # the biggest file is parsed first
    assert _guided_chunks([], 2) == [] and _guided_chunks([10], 4) == [[0]]


def test_a_prestarted_pool_parses_the_next_chunks():
    from analyzer import executor

    executor.prestart(2)
    try:
        pool = executor._prestarted[0][0]
        facts = parse_all(_tasks(40), jobs=2, progress=False)
        assert not executor._prestarted  # taken by the parse, not started again
        assert pool._shutdown_thread  # and shut down once the parse was read
        assert [f.module for f in facts] == [f"m{i}" for i in range(40)]
    finally:
        executor.release()


def test_a_prestarted_pool_too_small_or_unused_is_released():
    from analyzer import executor

    executor.prestart(1)
    try:
        pool = executor._prestarted[0][0]
        workers = list(pool._processes.values())
        parse_all(_tasks(40), jobs=2, progress=False)  # wants two workers: a pool of its own
        assert executor._prestarted
    finally:
        executor.release()
    assert not executor._prestarted
    deadline = time.monotonic() + 10
    for p in workers:
        p.join(timeout=10)
        # the pool's own thread may reap the worker first, and is_alive() says "alive" until
        # that thread has stored the exit code: ask again rather than fail on the race
        while p.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not p.is_alive()


def test_a_released_pool_leaves_no_thread_to_race_the_exit():
    """An unused prestarted pool is stopped with its management thread joined: a thread left
    running raced the interpreter's exit on Python 3.11 ("Bad file descriptor" at exit)."""
    from analyzer import executor

    executor.prestart(1)
    pool = executor._prestarted[0][0]
    executor.release()
    thread = getattr(pool, "_executor_manager_thread", None)
    assert thread is None or not thread.is_alive()

