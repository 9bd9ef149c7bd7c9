"""The SQLite result cache: keys, stored documents, remembered failures, bounds, a bad file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from customer_snapshot.batch.cache import (
    CACHE_FILE,
    ResultCache,
    cache_key,
    file_sha256,
    settings_fingerprint,
)
from customer_snapshot.config import Config


def _put(cache: ResultCache, key: str, size: int = 10) -> None:
    cache.put(
        key,
        name=f"{key}.vtt",
        sha256="0" * 64,
        snapshot_json='{"schema_version": "1"}',
        renders={"md": b"# snapshot\n" + bytes(range(256)) * size},
        meta={"words": 12},
    )


def test_a_stored_result_comes_back_with_its_documents(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        assert cache.get("k", ["md"]) is None
        cache.put(
            "k",
            name="a.vtt",
            sha256="ab" * 32,
            snapshot_json='{"source": {"name": "a.vtt"}}',
            renders={"md": b"# A\n", "json": b"{}\n"},
            meta={"words": 3, "seconds": 1.5},
        )
        hit = cache.get("k", ["md", "html"])
        assert hit is not None
        assert hit.snapshot_json == '{"source": {"name": "a.vtt"}}'
        assert hit.renders == {"md": b"# A\n"}  # html was never stored
        assert hit.meta == {"words": 3, "seconds": 1.5}
        cache.add_renders("k", {"html": b"<html></html>"})
        hit = cache.get("k", ["html"])
        assert hit is not None and hit.renders == {"html": b"<html></html>"}
        assert len(cache) == 1
    # Persistent: a new connection (the next batch) sees it.
    with ResultCache(tmp_path / "c.sqlite3") as again:
        assert again.get("k", ["md"]) is not None


def test_replacing_a_result_drops_its_old_documents(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        _put(cache, "k")
        cache.put("k", name="k.vtt", sha256="1" * 64, snapshot_json="{}", renders={}, meta={})
        hit = cache.get("k", ["md"])
        assert hit is not None and hit.renders == {}


def test_only_failures_that_repeat_are_remembered(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        cache.put_failure(
            "k", name="bad.vtt", sha256="0" * 64, error="bad.vtt:1: not a transcript",
            error_type="TranscriptFormatError",
        )  # fmt: skip
        assert cache.get_failure("k") == ("bad.vtt:1: not a transcript", "TranscriptFormatError")
        assert cache.get_failure("other") is None
        with pytest.raises(ValueError, match="not repeatable"):
            cache.put_failure(
                "m", name="big.vtt", sha256="0" * 64, error="memory limit exceeded",
                error_type="MemoryLimitExceeded",
            )  # fmt: skip


def test_prune_drops_the_least_recently_used(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "c.sqlite3") as cache:
        for key in ("old", "mid", "new"):
            _put(cache, key, size=200)
        per_entry = cache.total_bytes() // 3
        assert cache.get("old", []) is not None  # "old" is now the most recently used
        dropped = cache.prune(max_bytes=2 * per_entry)
        assert dropped == 1
        assert cache.get("mid", []) is None
        assert cache.get("old", []) is not None and cache.get("new", []) is not None
        assert cache.prune(max_bytes=10**9) == 0


def test_an_unreadable_cache_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"this is not a database" * 100)
    with ResultCache(path) as cache:
        _put(cache, "k")
        assert cache.get("k", ["md"]) is not None
    assert (tmp_path / (CACHE_FILE + ".corrupt")).read_bytes().startswith(b"this is not")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone() == (1,)


def test_the_key_changes_with_content_name_and_analysis_settings(tmp_path: Path) -> None:
    f = tmp_path / "a.vtt"
    f.write_bytes(b"WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n")
    sha = file_sha256(f)
    base = Config.from_env({})
    fp = settings_fingerprint(base)
    key = cache_key(sha, "a.vtt", fp)
    assert key == cache_key(sha, "a.vtt", settings_fingerprint(Config.from_env({})))
    f.write_bytes(f.read_bytes() + b"\n00:03.000 --> 00:04.000\nmore\n")
    assert cache_key(file_sha256(f), "a.vtt", fp) != key
    assert cache_key(sha, "b.vtt", fp) != key
    for changed in (
        base.replace(strict=True),
        base.replace(speaker_map={"Speaker 1": "Jane"}),
        base.replace(spacy_model="blank:en"),
        base.replace(chunk_overlap=50),
    ):
        assert cache_key(sha, "a.vtt", settings_fingerprint(changed)) != key
    # Settings that only change how the batch runs do not.
    for same in (base.replace(batch_size=2), base.replace(memory_limit_per_worker=1024**3)):
        assert settings_fingerprint(same) == fp
