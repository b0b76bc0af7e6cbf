"""A very small in-process task queue.

Functions decorated with ``@task`` are registered by name; ``enqueue`` queues a call and
``run_pending`` (called by the app after each request) runs the queue. Callers do not look
at what ``enqueue`` returns: it is fire-and-forget.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from shop.config import get_setting

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[..., Any]] = {}

_queue: deque["QueuedTask"] = deque()
_ids = itertools.count(1)


@dataclass
class QueuedTask:
    id: int
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    status: str = "queued"
    error: str | None = None


def task(fn: Callable[..., Any] | None = None, *, name: str | None = None):
    """Register ``fn`` as a task; ``fn.delay(...)`` is a shortcut for ``enqueue(fn, ...)``."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        task_name = name or f"{func.__module__.split('.')[-2]}.{func.__name__}"
        if task_name in TASKS and TASKS[task_name] is not func:
            raise ValueError(f"task {task_name!r} registered twice")
        TASKS[task_name] = func
        func.task_name = task_name  # type: ignore[attr-defined]
        func.delay = lambda *args, **kwargs: enqueue(func, *args, **kwargs)  # type: ignore[attr-defined]
        return func

    if fn is not None:
        return register(fn)
    return register


def _task_name(target: str | Callable[..., Any]) -> str:
    if isinstance(target, str):
        name = target
    else:
        name = getattr(target, "task_name", None)
        if name is None:
            raise ValueError(f"{target!r} is not a registered task")
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")
    return name


def enqueue(target: str | Callable[..., Any], *args: Any, **kwargs: Any) -> QueuedTask:
    item = QueuedTask(id=next(_ids), name=_task_name(target), args=args, kwargs=kwargs)
    _queue.append(item)
    if get_setting("TASKS_ALWAYS_EAGER", False):
        run_pending()
    return item


def _run(item: QueuedTask) -> None:
    func = TASKS[item.name]
    max_retries = get_setting("TASK_MAX_RETRIES", 2)
    while True:
        item.attempts += 1
        try:
            func(*item.args, **item.kwargs)
        except Exception as exc:  # a failing task must never break the request that queued it
            item.error = f"{type(exc).__name__}: {exc}"
            if item.attempts > max_retries:
                item.status = "failed"
                log.exception("task %s #%s failed after %s attempts", item.name, item.id, item.attempts)
                return
            continue
        item.status = "done"
        return


def run_pending(limit: int | None = None) -> int:
    done = 0
    while _queue and (limit is None or done < limit):
        _run(_queue.popleft())
        done += 1
    return done


def pending() -> list[QueuedTask]:
    return list(_queue)


def clear() -> None:
    _queue.clear()
