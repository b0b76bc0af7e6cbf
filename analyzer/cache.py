"""Per-file facts cached by content hash in one SQLite file.

Lives in the user's cache folder (``$XDG_CACHE_HOME/msa-analyzer`` or ``~/.cache/...``),
never inside the analyzed repository unless asked. The key is the source hash plus what
else the facts depend on (module name, package flag, path, parser version), so an unchanged
file is never parsed twice. A corrupted or foreign cache file is detected, moved aside and
rebuilt; the cache is an optimisation and never a reason to fail.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from analyzer.facts import ModuleFacts, decode, layout_fingerprint


def _parser_stamp() -> str:
    import hashlib

    from analyzer.stage_cache import library_stamp

    return hashlib.blake2b(library_stamp("libcst").encode(), digest_size=4).hexdigest()


def _producer_stamp() -> str:
    """A hash of the code that makes the facts (the parser and the fact records, with the
    resolution shape computed beside them): facts another parser made are never read back,
    even when nobody bumped the number below. Two small files read at import, about 0.1 ms."""
    import hashlib

    here = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=4)
    for name in ("parse.py", "facts.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:  # a zipped or frozen install: the number and the layout still key it
            h.update(name.encode())
    return h.hexdigest()


# The number says when the facts changed meaning; the parser's own source, a change of
# shape (the fields of a fact class) or another install of libcst change the key by itself.
FACTS_VERSION = f"facts-12-{layout_fingerprint()}-{_parser_stamp()}-{_producer_stamp()}"
_APP_ID = 0x4D534131  # "MSA1": tells our cache from any other SQLite file


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "msa-analyzer" if base else Path.home() / ".cache" / "msa-analyzer"


class FactsCache:
    FILE = "facts.sqlite"

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder else default_cache_dir()
        self.path = self.folder / self.FILE
        self.db: sqlite3.Connection | None = None
        self.rebuilt = False
        self._open()

    def _open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.db = self._connect()
        except (sqlite3.DatabaseError, OSError):
            self._discard()
            try:
                self.db = self._connect()
            except (sqlite3.DatabaseError, OSError):
                self.db = None  # run without a cache

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in (0, _APP_ID) or (app_id == 0 and tables):
            db.close()
            raise sqlite3.DatabaseError("foreign cache file")
        db.execute(f"PRAGMA application_id = {_APP_ID}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        db.execute("PRAGMA integrity_check(1)").fetchone()
        return db

    def _discard(self) -> None:
        """Move a broken cache aside (kept for inspection) so a fresh one can be built."""
        self.rebuilt = True
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                try:
                    os.replace(p, Path(str(p) + ".corrupt"))
                except OSError:
                    pass

    @staticmethod
    def key(sha: str, module: str, is_package: bool, relpath: str) -> str:
        return f"{FACTS_VERSION}|{sha}|{module}|{int(is_package)}|{relpath}"

    def get_many(self, keys: list[str]) -> dict[str, ModuleFacts]:
        out: dict[str, ModuleFacts] = {}
        if self.db is None or not keys:
            return out
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                q = f"SELECT key, data FROM facts WHERE key IN ({','.join('?' * len(chunk))})"
                for k, data in self.db.execute(q, chunk):
                    try:
                        out[k] = decode(data)
                    except ValueError:
                        continue  # a damaged row is simply parsed again
        except sqlite3.DatabaseError:
            self._reset()
        return out

    def put_many(self, rows: list[tuple[str, bytes]]) -> None:
        """Store ``(key, facts.encode(...))`` rows: the bytes the parsing worker produced."""
        if self.db is None or not rows:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO facts (key, data) VALUES (?, ?)", rows)
        except sqlite3.DatabaseError:
            self._reset()

    def _reset(self) -> None:
        try:
            if self.db is not None:
                self.db.close()
        except sqlite3.Error:
            pass
        self.db = None
        self._discard()
        try:
            self.db = self._connect()
        except (sqlite3.DatabaseError, OSError):
            self.db = None

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None
