"""``customer-snapshot batch`` end to end: the installed command on real transcripts."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
QUIRKS = ROOT / "tests" / "fixtures" / "quirks"
CLI = Path(sys.executable).with_name("customer-snapshot")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SNAPSHOT_HOME", str(home))
    return home


def batch(
    *args: str | Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(CLI), "batch", *map(str, args)],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    return done, time.perf_counter() - t0


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "batch_report.json").read_text())
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["status"] for f in data["files"]}


def test_dev_set_plus_a_corrupt_file_then_a_rerun_from_the_cache(
    dev_dir: Path, tmp_path: Path, home: Path
) -> None:
    src, out = tmp_path / "calls", tmp_path / "out"
    (src / "renewals").mkdir(parents=True)
    dev = sorted(p for p in dev_dir.iterdir() if p.suffix in (".vtt", ".srt"))
    assert len(dev) == 6
    for p in dev:
        shutil.copy(p, src / ("renewals" if p.suffix == ".srt" else "") / p.name)
    (src / "corrupt.vtt").write_bytes(os.urandom(4096))
    (src / "gone.vtt").symlink_to(tmp_path / "deleted.vtt")  # listed, but cannot be read
    env = {"BATCH_SIZE": "2", "MEMORY_LIMIT_PER_WORKER": "1.5GB"}

    first, first_s = batch(src, "-o", out, "-f", "md", "-f", "json", "--workers", "2", env=env)
    assert first.returncode == 1, first.stderr
    data = report(out)
    names = {p.name if p.suffix == ".vtt" else f"renewals/{p.name}" for p in dev}
    failed = {"corrupt.vtt": "failed", "gone.vtt": "failed"}
    assert statuses(data) == {**{n: "ok" for n in names}, **failed}
    bad = next(f for f in data["files"] if f["name"] == "corrupt.vtt")
    assert bad["error"].startswith("corrupt.vtt") and bad["error_type"] == "TranscriptFormatError"
    gone = next(f for f in data["files"] if f["name"] == "gone.vtt")
    assert gone["error"] == f"{src / 'gone.vtt'}: No such file or directory"
    assert data["workers"] == 2 and data["workers_reason"] == "--workers 2"
    assert data["batch_size"] == 2 and data["memory_limit_per_worker_mb"] == 1536
    for f in data["files"]:
        if f["name"] != "gone.vtt":  # never reached a worker
            assert f["seconds"] >= 0 and f["peak_rss_mb"] > 0
        if f["status"] == "ok":
            assert f["words"] > 0 and f["metrics"]["stages"]["analyze"]["seconds"] > 0
    # Two workers shared the work, each loading the model once.
    pids = {f["worker"] for f in data["files"]} - {None}
    assert len(pids) == 2 and len(data["worker_processes"]) == 2
    srt = out / "renewals" / "cobalt_renewal.snapshot.md"
    assert srt.is_file() and (out / "helio_qbr.snapshot.json").is_file()  # folders mirrored
    documents = {p: p.read_bytes() for p in out.rglob("*.snapshot.*")}
    assert len(documents) == 12
    # The summary table (stderr; stdout carries no data here), no progress bar off a terminal.
    assert first.stdout == ""
    table = first.stderr
    assert "corrupt.vtt" in table and "8 files: 6 succeeded (0 from the cache), 2 failed" in table
    assert "%|" not in table and "Traceback" not in table

    second, second_s = batch(src, "-o", out, "-f", "md", "-f", "json", "--workers", "2", env=env)
    assert second.returncode == 1, second.stderr
    data = report(out)
    assert statuses(data) == {**{n: "cached" for n in names}, **failed}
    assert "6 succeeded (6 from the cache), 2 failed" in second.stderr
    assert {p: p.read_bytes() for p in out.rglob("*.snapshot.*")} == documents
    # Served from the cache: a fraction of the first run's time, measured side by side here.
    assert second_s < 0.3 * first_s, (first_s, second_s)


def _wait_for_cached(home: Path, n: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            with sqlite3.connect(home / "cache.sqlite3", timeout=1) as db:
                if db.execute("SELECT COUNT(*) FROM results").fetchone()[0] >= n:
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    raise AssertionError("no result was cached in time")


def test_a_file_past_the_timeout_fails_alone_and_its_worker_is_replaced(
    tmp_path: Path, home: Path
) -> None:
    """``--timeout-per-file``: the slow file fails with ``Timeout`` (not cached: tried again next
    time), the file queued behind it on the same worker goes to a fresh worker and succeeds."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
    # One 500,000-character cue: over ten seconds of analysis here; the timeout is 4 s.
    (src / "a_slow.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n" + (words * 7000)[:500_000] + "\n"
    )
    shutil.copy(QUIRKS / "zoom.vtt", src / "b_quick.vtt")
    args = [src, "-o", out, "--workers", "1", "--batch-size", "2", "--timeout-per-file", "4"]
    done, _ = batch(*args)
    assert done.returncode == 1, done.stderr
    data = report(out)
    assert statuses(data) == {"a_slow.vtt": "failed", "b_quick.vtt": "ok"}
    slow = data["files"][0]
    assert slow["error_type"] == "Timeout"
    assert slow["error"] == (
        f"a_slow.vtt: took longer than 4 s (--timeout-per-file); "
        f"worker process {slow['worker']} stopped"
    )
    assert data["timeout_per_file"] == 4
    first, second = data["worker_processes"]
    assert first["exit"] == "stopped: a file passed the 4 s timeout" and first["failed"] == 1
    assert data["files"][1]["worker"] == second["pid"]
    assert not any(f.startswith("a_slow") for f in os.listdir(out))
    assert not psutil_children()

    again, _ = batch(*args)
    assert again.returncode == 1, again.stderr
    assert statuses(report(out)) == {"a_slow.vtt": "failed", "b_quick.vtt": "cached"}
    assert report(out)["files"][0]["error_type"] == "Timeout"  # analysed again, not remembered


def _quick_then_long(tmp_path: Path) -> tuple[Path, Path]:
    """``in/`` with a quick file, then a slow one to stop the batch in; and ``out/``."""
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "a_first.vtt")
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
    # One 500,000-character cue: seconds of parsing, hundreds of MB (past a 350 MB limit).
    (src / "b_long.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n" + (words * 7000)[:500_000] + "\n"
    )
    return src, out


def test_ctrl_c_stops_the_batch_and_a_rerun_resumes_where_it_stopped(
    tmp_path: Path, home: Path
) -> None:
    src, out = _quick_then_long(tmp_path)
    shutil.copy(QUIRKS / "zoom.vtt", src / "c_last.vtt")
    argv = [str(CLI), "batch", str(src), "-o", str(out), "--workers", "1", "--batch-size", "1",
            "--memory-limit-per-worker", "350MB"]  # fmt: skip

    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_cached(home, 1, proc)  # a_first is done and stored; b_long is being analysed
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "customer-snapshot: interrupted" in stderr and "Traceback" not in stderr
    data = report(out)
    assert data["status"] == "interrupted"
    assert statuses(data) == {"a_first.vtt": "ok", "b_long.vtt": "interrupted",
                              "c_last.vtt": "interrupted"}  # fmt: skip
    assert not any(f.startswith("b_long") for f in os.listdir(out))
    assert not [p for p in psutil_children()]  # the worker was stopped with the batch

    again, _ = batch(*argv[2:])
    data = report(out)
    assert again.returncode == 1, again.stderr
    assert statuses(data) == {"a_first.vtt": "cached", "b_long.vtt": "failed",
                              "c_last.vtt": "ok"}  # fmt: skip
    long, last = data["files"][1:]
    # Past its worker's memory limit: that file fails (nothing written), the batch goes on, and
    # the worker that passed its limit is replaced before the next file.
    assert long["error_type"] == "MemoryLimitExceeded"
    assert long["error"].startswith("memory limit exceeded in ")
    assert "limit 350 MB" in long["error"] and long["peak_rss_mb"] > 350
    assert not any(f.startswith("b_long") for f in os.listdir(out))
    assert last["worker"] != long["worker"] and len(data["worker_processes"]) == 2


def test_sigterm_stops_the_batch_like_ctrl_c_and_writes_the_report(
    tmp_path: Path, home: Path
) -> None:
    """``docker stop`` sends SIGTERM to the batch alone (not to its workers): the batch stops
    them, writes its report and exits 143, leaving no temporary file behind."""
    src, out = _quick_then_long(tmp_path)
    argv = [str(CLI), "batch", str(src), "-o", str(out), "--workers", "1", "--batch-size", "1"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_cached(home, 1, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.rstrip().endswith("customer-snapshot: terminated") and "Traceback" not in stderr
    data = report(out)
    assert data["status"] == "interrupted"
    assert statuses(data) == {"a_first.vtt": "ok", "b_long.vtt": "interrupted"}
    assert not [p.name for p in out.iterdir() if p.name.startswith((".", "b_long"))]
    assert not psutil_children()


def psutil_children() -> list[Any]:
    import psutil

    return [
        c for c in psutil.Process().children(recursive=True)
        if "customer_snapshot.batch.worker_process" in " ".join(c.cmdline())
    ]  # fmt: skip


def test_a_progress_bar_on_a_terminal_and_none_with_no_progress(tmp_path: Path, home: Path) -> None:
    env = {**os.environ, "SPACY_MODEL": "blank:en"}
    files = [str(QUIRKS / "zoom.vtt"), str(QUIRKS / "subrip.srt")]
    outputs = {}
    for flag in ("", "--no-progress"):  # the second run is served from the cache
        primary, replica = pty.openpty()
        # A terminal of 24 rows and 100 columns (a new pty has none).
        fcntl.ioctl(replica, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        argv = [str(CLI), "batch", *files, "-o", str(tmp_path / "out"), "--workers", "1"]
        proc = subprocess.Popen([*argv, *([flag] if flag else [])], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=replica, env=env)  # fmt: skip
        os.close(replica)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        assert proc.wait(timeout=120) == 0
        outputs[flag] = b"".join(chunks).decode(errors="replace")
    assert "batch: 100%" in outputs[""] and "2/2" in outputs[""]
    assert "batch:" not in outputs["--no-progress"]
    assert "2 files: 2 succeeded (2 from the cache)" in outputs["--no-progress"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers: must be at least 1"),
        (["--workers", "lots"], "--workers: expected a whole number, not 'lots' (or auto)"),
        (["--memory-limit-per-worker", "big"], "expected a size such as 512MB"),
        (["--batch-size", "0"], "--batch-size: must be at least 1"),
        (["--executor", "dask"], "--executor dask needs --scheduler ADDR"),
        (["--executor", "dask", "--scheduler", "tcp://x:1", "--workers", "2"],
         "the Dask cluster decides its workers"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "only with --executor dask"),
        (["--timeout-per-file", "0"], "--timeout-per-file: must be a number of seconds above 0"),
        (["--timeout-per-file", "soon"], "--timeout-per-file: expected seconds, not 'soon'"),
        (["--executor", "dask", "--scheduler", "tcp://x:1", "--timeout-per-file", "9"],
         "only with the local executor"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["batch", str(EXAMPLE), "-o", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_no_transcripts_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 2
    assert "no .vtt or .srt transcripts found" in capsys.readouterr().err


def test_help_and_the_written_out_recycle_default() -> None:
    from customer_snapshot.batch.executors import DEFAULT_RECYCLE_AFTER
    from customer_snapshot.commands.batch import RECYCLE_AFTER_HELP

    assert RECYCLE_AFTER_HELP == DEFAULT_RECYCLE_AFTER
    done = subprocess.run([str(CLI), "batch", "--help"], capture_output=True, text=True, check=True)
    for flag in (
        "--workers N|auto",
        "--batch-size",
        "--low-memory",
        "--memory-limit-per-worker",
        "--no-cache",
        "--executor",
        "--scheduler",
        "--no-progress",
        "--recycle-after",
    ):
        assert flag in done.stdout  # fmt: skip
