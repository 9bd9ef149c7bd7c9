"""The error tree: structured context and the exit-code map."""

from __future__ import annotations

from customer_snapshot import errors
from customer_snapshot.cli import exit_code_for


def test_every_error_is_a_snapshot_error_and_documented() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.SnapshotError)
        assert name in doc


def test_structured_context() -> None:
    e = errors.TranscriptFormatError("call.vtt", 12, "bad timing")
    assert (e.path, e.line, e.reason, str(e)) == (
        "call.vtt",
        12,
        "bad timing",
        "call.vtt:12: bad timing",
    )
    m = errors.MemoryLimitExceeded(300, 312.5)
    assert isinstance(m, MemoryError) and (m.limit_mb, m.observed_mb) == (300, 312.5)


def test_memory_limit_message_never_reads_as_within_the_limit() -> None:
    assert str(errors.MemoryLimitExceeded(300, 312.4, "x")) == (
        "memory limit exceeded in x: 312 MB resident, limit 300 MB"
    )
    # Just past it, whole megabytes would say "350 MB resident, limit 350 MB".
    assert str(errors.MemoryLimitExceeded(350, 350.01)).endswith(
        ": 350.1 MB resident, limit 350 MB"
    )


def test_exit_codes() -> None:
    assert exit_code_for(errors.ConfigError("X", 1, "bad")) == 2
    assert exit_code_for(errors.TranscriptFormatError("a", 1, "b")) == 1
    assert exit_code_for(errors.MemoryLimitExceeded(1, 2)) == 3
    assert exit_code_for(errors.InputTooLargeError("a", 2, 1)) == 3
    assert exit_code_for(errors.TemplateError("t", "x")) == 1


def test_errors_survive_pickling_between_processes() -> None:
    import pickle

    samples = [
        errors.ConfigError("CHUNK_SIZE", "x", "expected a whole number"),
        errors.TranscriptFormatError("a.vtt", 3, "bad"),
        errors.InputTooLargeError("a.vtt", 10, 5),
        errors.MemoryLimitExceeded(300, 312.5, "analyze"),
        errors.ModelUnavailableError("xx", "not installed"),
        errors.TemplateError("t.j2", "missing"),
        errors.OutputError("out.md", "read-only"),
        errors.SnapshotError("plain"),
    ]
    for exc in samples:
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc)
        assert vars(back) == vars(exc)
