"""The batch result cache: one SQLite file in ``SNAPSHOT_HOME``.

A result is keyed by what decides it: the transcript's bytes (SHA-256), the name the snapshot
shows, the settings that change the analysis (spaCy pipeline and its version, chunking,
``--strict``, the speaker map) and the customer-snapshot version. A hit needs no analysis: the
rendered documents are stored too, so serving one is a file write. A format that was not
rendered before is rendered from the stored snapshot (and stored).

Successes are stored, and failures that the same bytes always repeat (a file that is not a
transcript); a memory limit, a dead worker or a missing model are tried again. Entries are
written one by one as results arrive, so a batch that is interrupted resumes where it stopped.
The cache is bounded: past :data:`DEFAULT_MAX_BYTES` the least recently used results are
dropped, and past :data:`MAX_FAILURES` the oldest remembered failures. A cache file that is
not a readable database is moved aside (``*.corrupt``) and a new one started: the cache is
never a reason for a batch to fail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customer_snapshot._version import __version__
from customer_snapshot.config import Config

__all__ = [
    "CACHEABLE_FAILURES",
    "CACHE_FILE",
    "DEFAULT_MAX_BYTES",
    "MAX_FAILURES",
    "CachedResult",
    "ResultCache",
    "cache_key",
    "file_sha256",
    "settings_fingerprint",
]

log = logging.getLogger(__name__)

CACHE_FILE = "cache.sqlite3"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_FAILURES = 10_000
_SCHEMA = 1
_READ_BLOCK = 1024 * 1024

_DDL = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    snapshot BLOB NOT NULL,          -- zlib(JSON of the snapshot)
    meta TEXT NOT NULL,              -- JSON: words, seconds, peak_rss_mb, metrics, warnings
    size INTEGER NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS renders (
    key TEXT NOT NULL REFERENCES results(key) ON DELETE CASCADE,
    fmt TEXT NOT NULL,
    data BLOB NOT NULL,              -- zlib(document bytes)
    size INTEGER NOT NULL,
    PRIMARY KEY (key, fmt)
);
CREATE INDEX IF NOT EXISTS results_used ON results(used);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    error TEXT NOT NULL,
    error_type TEXT NOT NULL,
    created REAL NOT NULL
);
"""

# Failures that the same bytes with the same settings always repeat (not memory, not a dead
# worker, not a missing model): an unchanged corrupt file is not read again.
CACHEABLE_FAILURES = frozenset({"TranscriptFormatError"})


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in blocks (memory does not grow with the file)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_READ_BLOCK):
            h.update(block)
    return h.hexdigest()


def _model_version(name: str) -> str:
    """The installed version of a package (``"-"`` when not installed, e.g. ``blank:en``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except (PackageNotFoundError, ValueError):
        return "-"


def settings_fingerprint(config: Config) -> str:
    """A short hash of the settings that change a snapshot, with the versions that make it.

    >>> a = settings_fingerprint(Config.from_env({}))
    >>> a == settings_fingerprint(Config.from_env({"BATCH_SIZE": "3"}))  # not an analysis setting
    True
    >>> a == settings_fingerprint(Config.from_env({"CHUNK_SIZE": "300"}))
    False
    """
    settings = {
        "schema": _SCHEMA,
        "customer_snapshot": __version__,
        "spacy": _model_version("spacy"),
        "model": config.spacy_model,
        "model_version": _model_version(config.spacy_model),
        "strict": config.strict,
        "speaker_map": sorted(config.speaker_map.items()),
        "chunk_size": config.chunk_size,
        "chunk_overlap": config.chunk_overlap,
    }
    blob = json.dumps(settings, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def cache_key(sha256: str, name: str, fingerprint: str) -> str:
    """The key of one result.

    >>> cache_key("ab" * 32, "sub/call.vtt", "f" * 16)[:12]
    'dbe4ced6f1eb'
    """
    return hashlib.sha256(f"{sha256}\0{name}\0{fingerprint}".encode()).hexdigest()


@dataclass
class CachedResult:
    """A stored result: the snapshot JSON, its stored documents and the original figures."""

    key: str
    snapshot_json: str
    renders: dict[str, bytes] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


class ResultCache:
    """The SQLite result cache (one connection; use from one thread).

    Args:
        path: the database file (created with its folder).
        max_bytes: the size :meth:`prune` keeps the stored data under.
    """

    def __init__(self, path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(self.path.name + ".corrupt")
            log.warning("result cache %s is unreadable (%s); moved to %s", self.path, exc, aside)
            os.replace(self.path, aside)
            self._db = self._open()

    @classmethod
    def for_config(cls, config: Config) -> ResultCache:
        """The cache in ``config.snapshot_home``."""
        return cls(Path(config.snapshot_home) / CACHE_FILE)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(_DDL)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str, formats: Iterable[str] = ()) -> CachedResult | None:
        """The stored result for ``key`` with those of ``formats`` that are stored, or None."""
        row = self._db.execute(
            "SELECT snapshot, meta FROM results WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        renders: dict[str, bytes] = {}
        for fmt in formats:
            r = self._db.execute(
                "SELECT data FROM renders WHERE key = ? AND fmt = ?", (key, fmt)
            ).fetchone()
            if r is not None:
                renders[fmt] = zlib.decompress(r[0])
        self._db.execute("UPDATE results SET used = ? WHERE key = ?", (time.time(), key))
        return CachedResult(key, zlib.decompress(row[0]).decode(), renders, json.loads(row[1]))

    def put(
        self,
        key: str,
        *,
        name: str,
        sha256: str,
        snapshot_json: str,
        renders: Mapping[str, bytes],
        meta: Mapping[str, Any],
    ) -> None:
        """Store (or replace) one result and its documents."""
        snap = zlib.compress(snapshot_json.encode())
        packed = {fmt: zlib.compress(data) for fmt, data in renders.items()}
        size = len(snap) + sum(len(d) for d in packed.values())
        now = time.time()
        with self._transaction():
            self._db.execute("DELETE FROM renders WHERE key = ?", (key,))
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, name, sha256, snap, json.dumps(meta), size, now, now),
            )
            self._db.executemany(
                "INSERT INTO renders VALUES (?, ?, ?, ?)",
                [(key, fmt, data, len(data)) for fmt, data in packed.items()],
            )

    def add_renders(self, key: str, renders: Mapping[str, bytes]) -> None:
        """Store more documents of an existing result."""
        packed = {fmt: zlib.compress(data) for fmt, data in renders.items()}
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO renders VALUES (?, ?, ?, ?)",
                [(key, fmt, data, len(data)) for fmt, data in packed.items()],
            )
            self._db.execute(
                "UPDATE results SET size = size + ? WHERE key = ?",
                (sum(len(d) for d in packed.values()), key),
            )

    def put_failure(self, key: str, *, name: str, sha256: str, error: str, error_type: str) -> None:
        """Remember that this input fails, whatever the run (see :data:`CACHEABLE_FAILURES`)."""
        if error_type not in CACHEABLE_FAILURES:
            raise ValueError(f"{error_type} failures are not repeatable: not cached")
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?, ?)",
                (key, name, sha256, error, error_type, time.time()),
            )

    def get_failure(self, key: str) -> tuple[str, str] | None:
        """``(error, error_type)`` of a remembered failure, or None."""
        row = self._db.execute(
            "SELECT error, error_type FROM failures WHERE key = ?", (key,)
        ).fetchone()
        return (str(row[0]), str(row[1])) if row is not None else None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def total_bytes(self) -> int:
        """The stored (compressed) size of every entry."""
        return int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM results").fetchone()[0])

    def prune(self, max_bytes: int | None = None) -> int:
        """Drop least recently used results until the stored size is under the bound (and the
        oldest remembered failures past :data:`MAX_FAILURES`).

        Returns:
            how many entries were dropped.
        """
        bound = self.max_bytes if max_bytes is None else max_bytes
        with self._transaction():
            self._db.execute(
                "DELETE FROM failures WHERE key NOT IN "
                "(SELECT key FROM failures ORDER BY created DESC LIMIT ?)",
                (MAX_FAILURES,),
            )
        total = self.total_bytes()
        if total <= bound:
            return 0
        dropped: list[str] = []
        rows = self._db.execute("SELECT key, size FROM results ORDER BY used, created").fetchall()
        for key, size in rows:
            if total <= bound:
                break
            dropped.append(key)
            total -= size
        with self._transaction():
            self._db.executemany("DELETE FROM results WHERE key = ?", [(k,) for k in dropped])
        return len(dropped)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
