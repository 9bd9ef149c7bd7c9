"""The pipeline: every stage measured, tracked and limited; nothing written on failure."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from customer_snapshot import pipeline
from customer_snapshot.config import Config
from customer_snapshot.errors import MemoryLimitExceeded
from customer_snapshot.memory.rss import MB, peak_rss_mb, rss_mb
from customer_snapshot.nlp.model import load_model
from customer_snapshot.pipeline import (
    STAGES,
    ProcessResult,
    generate_snapshot,
    process_file,
    run_analysis,
    write_atomic,
)


def test_write_atomic_replaces_and_uses_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    old = os.umask(0o022)
    try:
        write_atomic(target, b"new")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_text("kept")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"half")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


# -- stage instrumentation -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
BIN = Path(sys.executable).parent
STAGE_KEYS = {"seconds", "peak_rss_mb", "rss_start_mb", "rss_end_mb"}


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProcessResult, Path]:
    out = tmp_path_factory.mktemp("processed")
    config = Config.from_env({}, progress=False)
    return process_file(EXAMPLE, formats="all", output=str(out) + os.sep, config=config), out


def test_every_stage_is_measured_into_the_metrics(
    processed: tuple[ProcessResult, Path],
) -> None:
    result, out = processed
    m = result.metrics
    assert list(m["stages"]) == list(STAGES)  # read, model, analyze, build, render; in order
    for name, stage in m["stages"].items():
        assert set(stage) == STAGE_KEYS, name
        assert stage["seconds"] >= 0
        assert stage["peak_rss_mb"] >= stage["rss_start_mb"] > 0
    assert m["stages"]["analyze"]["seconds"] > 0
    assert m["peak_rss_mb"] == max(s["peak_rss_mb"] for s in m["stages"].values())
    assert m["peak_rss_mb"] <= peak_rss_mb() + 0.1
    passed = m["stages"]["read"]["seconds"] + m["stages"]["analyze"]["seconds"]
    assert m["words_per_second"] == pytest.approx(result.snapshot.source["words"] / passed, 0.02)
    memory = m["memory"]
    assert memory["limit_mb"] == 1024  # MEMORY_LIMIT_MB's default
    assert memory["snapshots"] >= 9  # run start, model loaded, 2 per tracked stage, batches
    assert memory["recommendations"]
    assert result.snapshot.metrics == m
    # The written JSON was rendered during the render stage: it holds the stages before it.
    written = json.loads((out / "acme_onboarding.snapshot.json").read_text())
    assert list(written["metrics"]["stages"]) == ["read", "model", "analyze", "build"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"acme_onboarding.snapshot.{ext}" for ext in ("md", "html", "docx", "json")
    )


def test_stages_are_logged_and_tracked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="customer_snapshot.pipeline.memory")
    config = Config.from_env({"STREAMING_THRESHOLD_MB": "0.01", "GC_FREQUENCY": "20"})
    analysis = run_analysis(EXAMPLE, config=config)
    lines = [
        r.getMessage() for r in caplog.records if r.name == "customer_snapshot.pipeline.memory"
    ]
    for stage in ("read", "model", "analyze"):
        assert any(line.startswith(f"memory {stage}: ") and " peak " in line for line in lines)
    assert not any("line by line" in line for line in lines)
    # STREAMING_THRESHOLD_MB and GC_FREQUENCY reach the analysis: an 18 KB file streams.
    assert analysis.metrics["strategy"] == "streaming"
    assert analysis.metrics["gc_collections"] >= 170 // 10 - 1  # GC_FREQUENCY / 2 for streaming
    assert list(analysis.metrics["stages"]) == ["read", "model", "analyze"]


def test_enable_memory_profiling_logs_line_by_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="customer_snapshot.pipeline.memory")
    config = Config.from_env({"ENABLE_MEMORY_PROFILING": "true", "MEMORY_LIMIT_MB": "0"})
    snapshot = generate_snapshot(EXAMPLE, config=config)
    tables = [r.getMessage() for r in caplog.records if "line by line" in r.getMessage()]
    assert [t.split(",")[0] for t in tables] == [f"memory {s}" for s in STAGES[:4]]
    analyze_table = tables[2]
    assert "Mem usage" in analyze_table and "nlp.pipe(" in analyze_table
    assert snapshot.metrics["memory"]["limit_mb"] is None  # MEMORY_LIMIT_MB=0: no limit


def _hog_after_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the render stage allocate 10 MB at a time after rendering Markdown."""
    import customer_snapshot.render as render_module

    real = render_module.render_bytes

    def hungry(snapshot: object, fmt: str, **kwargs: object) -> bytes:
        data = real(snapshot, fmt, **kwargs)  # type: ignore[arg-type]
        if fmt == "html":
            hog = [b"x" * (10 * MB) for _ in range(100)]
            del hog
        return data

    monkeypatch.setattr(render_module, "render_bytes", hungry)


def test_a_stage_over_the_limit_stops_the_run_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config.from_env({}, progress=False)
    load_model(config.spacy_model)  # the limit is on top of what the process already holds
    config.memory_limit_mb = rss_mb() + 150
    _hog_after_markdown(monkeypatch)
    with pytest.raises(MemoryLimitExceeded) as info:
        process_file(EXAMPLE, formats="all", output=str(tmp_path) + os.sep, config=config)
    assert info.value.where == "the render stage"
    assert config.memory_limit_mb < info.value.observed_mb < config.memory_limit_mb + 150
    assert list(tmp_path.iterdir()) == []  # markdown was rendered, nothing was written
    with pytest.raises(MemoryLimitExceeded):
        process_file(EXAMPLE, formats="html", output="-", config=config)
    assert capsys.readouterr().out == ""
    monkeypatch.undo()
    config.memory_limit_mb = rss_mb() + 500
    result = process_file(EXAMPLE, formats="md", output="-", config=config)
    assert capsys.readouterr().out.startswith("# ")
    assert result.outputs == []


def test_writes_wait_for_the_end_of_the_render_stage(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    with pipeline._queued_writes() as queue:
        write_atomic(target, b"queued")
        assert not target.exists()
    assert not target.exists()
    queue.commit()
    assert target.read_bytes() == b"queued"
    write_atomic(target, b"direct")  # outside a queue: at once
    assert target.read_bytes() == b"direct"


def test_a_run_nested_in_another_joins_it() -> None:
    config = Config.from_env({})
    with pipeline._run_for(config) as outer, pipeline._run_for(config) as inner:
        assert inner is outer
    with pipeline._run_for(config) as fresh:
        assert fresh is not outer


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environ.update(env)
    return subprocess.run(
        [str(BIN / "customer-snapshot"), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_cli_memory_limit_is_one_line_and_exit_3(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(
        "process", str(EXAMPLE), "-f", "all", "-o", f"{out}/", "--memory-limit", "60",
        ENABLE_MEMORY_MONITORING="false",
    )  # fmt: skip
    assert done.returncode == 3
    assert re.fullmatch(
        r"customer-snapshot: error: memory limit exceeded in the (read|model) stage: "
        r"\d+(\.\d)? MB resident, limit 60 MB\n",
        done.stderr,
    ), done.stderr
    assert not out.exists() and done.stdout == ""
    done = _cli("process", str(EXAMPLE), "-o", "-", MEMORY_LIMIT_MB="60")
    assert done.returncode == 3 and done.stdout == ""
    # With the memory monitor on (the default) it is still one line: the monitor's CRITICAL
    # alert about the same moment goes to the metrics store, not to stderr.
    assert done.stderr.count("\n") == 1, done.stderr
    assert "memory limit exceeded" in done.stderr and "Traceback" not in done.stderr
    done = _cli("process", str(EXAMPLE), "-o", "-", MEMORY_LIMIT_MB="sixty")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "customer-snapshot: error: MEMORY_LIMIT_MB='sixty': expected a number"
    )


def test_cli_low_memory_reaches_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customer_snapshot.cli import main

    seen: list[Config] = []
    real = pipeline.process_file

    def spy(*args: object, config: Config, **kwargs: object) -> ProcessResult:
        seen.append(config)
        return real(*args, config=config, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process_file", spy)
    monkeypatch.setenv("BATCH_SIZE", "8")
    out = tmp_path / "low.json"
    assert main(["process", str(EXAMPLE), "-o", str(out), "--low-memory", "-q"]) == 0
    assert seen[0].low_memory and seen[0].batch_size == 4  # apply_low_memory's settings
    assert json.loads(out.read_text())["metrics"]["n_process"] == 1


@pytest.mark.parametrize("monitoring", ["true", "false"])
@pytest.mark.parametrize(
    "content", [b"hello\nthis is not a transcript\n", b"WEBVTT\n\nNOTE nothing here\n", b""]
)
def test_a_file_that_is_not_a_transcript_is_rejected_before_the_model_loads(
    tmp_path: Path, monitoring: str, content: bytes
) -> None:
    """The error comes in milliseconds, not after a second of loading spaCy: the first cue
    is read before the model stage (and before the monitor's warm-up)."""
    src = tmp_path / "notes.vtt"
    src.write_bytes(content)
    code = (
        "import sys\n"
        "from customer_snapshot.cli import main\n"
        f"rc = main(['process', {str(src)!r}, '-o', {str(tmp_path / 'out.json')!r}])\n"
        "print(rc, 'spacy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "ENABLE_MEMORY_MONITORING": monitoring,
             "SNAPSHOT_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.stdout == "1 False\n", (done.stdout, done.stderr)
    assert done.stderr.startswith(f"customer-snapshot: error: {src}")
    assert not (tmp_path / "out.json").exists()
