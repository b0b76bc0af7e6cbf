"""Shares of one CPU-bound loop at once: all but the first in forked copies of this process.

Parsing is the only stage that fans out to a worker pool; what follows it (resolution, the
frameworks stage, clustering) runs on one core while the other waits. Some of its loops
evaluate many independent items against a large read-only state (the resolver, the
frameworks evaluator), too large to send to a worker. A forked child already has that
state: it evaluates the second share and sends back only its answers, while this process
evaluates the first (:func:`shares`). Louvain's restarts, when their number is odd, go in
three shares (:func:`parts`), so that two cores finish together.

Both shares start from the state at the fork. The child copies the pages whose objects it
touches (their reference counts change) and allocates what its share computes: the caller
says what share of this process's resident memory that may come to (``copies``), and how
much this process grows meanwhile with its own share (``grows``). Both were measured at
each call site on the largest trees. There is no fork when this process, its growth, the new
child and the children still running (what was promised to each at its fork) could exceed
:data:`MEMORY_BUDGET` together: the budget is that of the whole run, every process counted
(a million-line tree stays within it: time is traded for memory only below it). Nor is
there one when the free memory (the machine's, or the memory cgroup's) is short, or when
the platform has no ``os.fork``. Then the shares run here one after the other, the second
seeing what the first left behind; a caller whose answers could differ (memos of values cut
short by a cycle) passes ``isolated``, so that the second starts from the state the first
started from when the machine, not the budget, refused the child. The number of cores plays
no part: the child is forked on one core too. A child that fails is replaced by a second
fork, then by the share run here.

A loop that comes back round after round (resolution's fixed point) keeps one forked
:class:`Partner` instead: it answers its share of every round, and its memo, which a new
child per round would have to build again, stays with it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

MEMORY_BUDGET = 2 << 30  # bytes, this process and its forked children together

_promised: dict[int, int] = {}  # pid of a child still running -> the bytes promised to it at its fork


def can_fork(copies: float = 1.0, grows: float = 0.0) -> bool:
    """``os.fork`` exists and there is room for a child that comes to ``copies`` of this
    process's resident memory while this process grows by ``grows`` of it."""
    return hasattr(os, "fork") and _room_for_a_copy(copies, grows)


def within_budget(copies: float = 1.0, grows: float = 0.0) -> bool:
    """Would :data:`MEMORY_BUDGET` take such a child, whatever the machine's free memory and
    whether it forks at all? The budget is the same everywhere, the rest is the machine's."""
    memory = _memory()
    return memory is None or _fits(memory[0], memory[0] * (copies + grows))


def _fits(rss: int, added: float) -> bool:
    """This process of ``rss`` bytes, ``added`` more and the children still running, within the budget."""
    return rss + added + sum(_promised.values()) <= MEMORY_BUDGET


def _memory() -> tuple[int, int] | None:
    """This process's resident bytes and the bytes free to it (the machine's, and the memory
    cgroup's when it sets a limit: in a container, /proc/meminfo shows the host); ``None``
    without /proc. The C heap's free pages are handed back first (:func:`_trim`)."""
    _trim()
    try:
        with open("/proc/self/status", "rb") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith(b"VmRSS:")) * 1024
        with open("/proc/meminfo", "rb") as f:
            available = next(int(line.split()[1]) for line in f if line.startswith(b"MemAvailable:")) * 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    limit = _cgroup_room()
    return rss, available if limit is None else min(available, limit)


def _trim() -> None:
    """glibc's ``malloc_trim(0)``: return the free pages of the C heap to the system. The
    stage before a fork freed large tables (resolution's volatile memos, its stage-cache
    entry), which glibc keeps resident; counted, they refused forks that fit, and a child
    would map them too. A few milliseconds; nothing where the C library has no such call."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError, ImportError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None  # the C function, once looked up; False where there is none


def _room_for_a_copy(copies: float = 1.0, grows: float = 0.0) -> bool:
    """This process grown by ``grows``, a child of ``copies`` and the children still running
    stay within :data:`MEMORY_BUDGET`, and free memory exceeds twice what is added."""
    memory = _memory()
    if memory is None:
        return True  # no /proc (macOS): fork, as the platform allows
    rss, available = memory
    added = rss * (copies + grows)
    return _fits(rss, added) and available > 2 * added


def _promise(pid: int, copies: float) -> None:
    """Count a child just forked against the budget until it is reaped (:func:`_reaped`)."""
    memory = _memory()
    _promised[pid] = int(memory[0] * copies) if memory is not None else 0


def _reaped(pid: int) -> None:
    _promised.pop(pid, None)


def _cgroup_room() -> int | None:
    """Bytes the memory cgroup of this process may still use, if it has a limit (v2 or v1)."""
    try:
        with open("/proc/self/cgroup") as f:
            entries = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return None
    places = []
    for _, controllers, path in entries:
        if controllers == "":
            places += [(f"/sys/fs/cgroup{path}/memory.max", f"/sys/fs/cgroup{path}/memory.current")]
        elif "memory" in controllers.split(","):
            places += [(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes",
                        f"/sys/fs/cgroup/memory{path}/memory.usage_in_bytes")]
    places += [("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
               ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")]
    for limit_file, usage_file in places:
        try:
            with open(limit_file) as f:
                limit = f.read().strip()
            with open(usage_file) as f:
                usage = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:
            return None  # no limit
        return int(limit) - usage
    return None


def shares(job: Callable[[int], T], copies: float = 1.0, grows: float = 0.0,
           isolated: Callable[[], Callable[[Callable[[], T]], T]] | None = None) -> tuple[T, T]:
    """``(job(0), job(1))``, with ``job(1)`` computed in a forked child when there is room
    for one that comes to ``copies`` of this process's memory while this one grows by
    ``grows`` of it; its answer comes back pickled. ``job(1)`` must not rely on what
    ``job(0)`` leaves behind (see ``isolated`` in :func:`parts`)."""
    mine, theirs = parts(job, 2, copies, grows, isolated)
    return mine, theirs


def parts(job: Callable[[int], T], count: int, copies: float = 1.0, grows: float = 0.0,
          isolated: Callable[[], Callable[[Callable[[], T]], T]] | None = None) -> list[T]:
    """``[job(0), ..., job(count - 1)]``, each part after the first in a forked child of its
    own while there is room for one more (see :func:`shares`; the children forked before
    count against the budget: what finds no room runs here, after ``job(0)``). Three equal
    parts on two cores take one and a half parts' time where two shares of two and one take
    two.

    A forked part starts from this process's state before ``job(0)``; a part run here starts
    from what ``job(0)`` left, and a job whose answers depend on that (a memo with cycle cuts)
    would answer otherwise on a machine with less memory free or no ``fork``. ``isolated()``,
    called before ``job(0)`` when the part will run here although the budget would take its
    child, saves the state and gives ``rerun(fn)``, which runs ``fn`` from the saved state and
    puts back the state it found; it is for two shares, where at most one part runs here. A
    part the budget refuses runs after ``job(0)`` on every machine: it needs no saved state,
    and the 1.2 M-line tree, whose frameworks stage the budget keeps in one process, no copy."""
    if isolated is not None and count != 2:
        raise ValueError("isolated is for two shares: a saved state serves one part run here")
    children: dict[int, tuple[int, int]] = {}
    for part in range(1, count):
        if not can_fork(copies, grows):
            break
        children[part] = _start(job, part)
        _promise(children[part][0], copies)
    rerun = isolated() if isolated is not None and not children and within_budget(copies, grows) else None
    try:
        mine = job(0)
    except BaseException:
        for pid, read_end in children.values():
            _stop(pid, read_end)
        raise
    out: list[T] = [mine]
    for part in range(1, count):
        theirs = _answer(*children[part]) if part in children else None
        if theirs is None and part in children:  # the child died (memory, a signal): once more, else here
            theirs = _answer(*_start(job, part))
        if theirs is not None:
            out.append(theirs[0])
        else:
            out.append(rerun(lambda part=part: job(part)) if rerun is not None else job(part))
    return out


class Partner:
    """A forked copy of this process that answers requests in turns until it is closed, for
    a loop whose shares come back round after round (the rounds of a fixed point): the child
    keeps what it computed between turns (its memo), which a new fork per round would lose.

    ``serve(request)`` runs in the child on its own state; requests and answers are pickled.
    Without room to fork (see :func:`shares`), or once the child has failed, :meth:`answer`
    runs ``serve`` here instead, seeing what this process computed before."""

    def __init__(self, serve: Callable[[Any], Any], copies: float = 1.0, grows: float = 0.0) -> None:
        self._serve = serve
        self._pending: Any = None
        self.pid: int | None = None
        if not can_fork(copies, grows):
            return
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: answer until the requests end, then leave without exit code
            status = 1
            try:
                os.close(requests_write)
                os.close(answers_read)
                with os.fdopen(requests_read, "rb") as requests, os.fdopen(answers_write, "wb") as answers:
                    while (request := _read_message(requests)) is not None:
                        _write_message(answers, (serve(request[0]),))
                status = 0
            finally:
                os._exit(status)
        os.close(requests_read)
        os.close(answers_write)
        self.pid = pid
        _promise(pid, copies)
        self._requests = os.fdopen(requests_write, "wb")
        self._answers = os.fdopen(answers_read, "rb")

    def ask(self, request: Any) -> None:
        """Send the next request; its answer is read by :meth:`answer`, one turn at a time."""
        self._pending = request
        if self.pid is not None:
            try:
                _write_message(self._requests, (request,))
            except OSError:  # the child is gone
                self._end()

    def answer(self) -> Any:
        request, self._pending = self._pending, None
        if self.pid is not None:
            got = _read_message(self._answers)
            if got is not None:
                return got[0]
            self._end()  # it died (memory, a signal) or failed: this turn and the next run here
        return self._serve(request)

    def close(self) -> None:
        """End the child once it has answered (it reads the end of its requests and leaves)."""
        self._end()

    def stop(self) -> None:
        """End the child now, halfway through a long turn if need be (this process failed)."""
        if self.pid is not None:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._end()

    def _end(self) -> None:
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for stream in (self._requests, self._answers):
            try:
                stream.close()
            except OSError:
                pass
        os.waitpid(pid, 0)
        _reaped(pid)


def _write_message(stream, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def _read_message(stream) -> Any | None:
    """The next message, or ``None`` at the end of the stream or on a truncated one."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        return None
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None


def halves(items: Sequence[T], group: Callable[[T], Hashable]) -> tuple[Sequence[T], Sequence[T]]:
    """``items`` in two shares, cut at the first change of ``group`` from the middle on: items
    of one group (a module's call sites) ask much the same questions, so they stay together."""
    at = len(items) // 2
    while 0 < at < len(items) and group(items[at]) == group(items[at - 1]):
        at += 1
    return items[:at], items[at:]


def _start(job: Callable[[int], Any], part: int = 1) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit code
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps((job(part),), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _answer(pid: int, read_end: int) -> tuple[Any] | None:
    """The child's pickled answer, or ``None`` when it failed."""
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        while block := pipe.read(1 << 20):
            chunks.append(block)
    _, status = os.waitpid(pid, 0)
    _reaped(pid)
    if status != 0 or not chunks:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None  # a truncated or garbled answer


def _stop(pid: int, read_end: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.close(read_end)
    os.waitpid(pid, 0)
    _reaped(pid)
