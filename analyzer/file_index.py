"""Which files changed since the last run, told by their status rather than by their content.

A warm run read and hashed every file to find the few that changed. The index keeps, for each
file read, its status (size, modification and status-change times in nanoseconds, inode) and
what was learnt from its content: its hash, whether its head marks it generated, whether it
imports pytest at its top level. A file whose status is the recorded one is not read again;
its bytes are read only if it has to be parsed after all (:meth:`Inputs.readied
<analyzer.pipeline.Inputs.readied>`), and checked against the recorded hash then.

An edit sets a file's modification and status-change times to the time of the edit, and the
status-change time cannot be set back (``touch -d`` and ``rsync -t`` set the modification
time, which itself changes the status-change time). What can fool a status is an edit within
the clock's granularity of the moment the file was read: so a file is recorded only when its
times are at least :data:`SETTLED_NS` older than the read (git's "racy" files), and a file
edited just before a run is read again by the next one.

The index is one stage-cache entry per analyzed folder (``files``), under the analyzer's own
code, since what is learnt from a file's content follows rules that may change.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

SETTLED_NS = 2_000_000_000  # a file's times this much older than its read: no later edit keeps them


class Learnt(NamedTuple):
    """What a file's content told, kept so that an unchanged file need not be read again."""

    sha: str
    generated: bool  # its head says it is generated code
    support: bool  # it imports pytest at its top level


Status = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def status(path: str | os.PathLike) -> Status:
    """The status compared with the record; taken before the file is read, so that an edit
    made while it is read leaves a status the record does not have."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


class FileIndex:
    """The recorded files of one folder (relative path -> status and what was learnt)."""

    def __init__(self, stages, key: str) -> None:
        self._stages = stages
        self._key = key
        known = stages.get("files", key) if stages is not None else None
        self._known: dict[str, tuple] = known if isinstance(known, dict) else {}
        self._now: dict[str, tuple] = {}
        self._read_at = time.time_ns()

    def learnt(self, relpath: str, now: Status) -> Learnt | None:
        """What was learnt of the file when it last had this status, or ``None`` (read it)."""
        row = self._known.get(relpath)
        if row is None or tuple(row[0]) != now:
            return None
        try:
            found = Learnt(*row[1:])
        except TypeError:  # a row of another layout
            return None
        self._now[relpath] = row
        return found

    def record(self, relpath: str, now: Status, learnt: Learnt) -> None:
        """Keep what was learnt of a file just read, unless it changed too recently to trust
        its status (:data:`SETTLED_NS`)."""
        if self._read_at - max(now[1], now[2]) >= SETTLED_NS:
            self._now[relpath] = (now, *learnt)

    def save(self) -> None:
        """Store the files of this run (those gone or unsettled are dropped), if any changed."""
        if self._stages is not None and self._now != self._known:
            self._stages.put("files", self._key, self._now)
