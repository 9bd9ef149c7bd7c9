"""The command line: called as ``main([...])`` and once as the installed command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from customer_snapshot.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, build_parser, main

ROOT = Path(__file__).resolve().parent.parent
QUIRKS = ROOT / "tests" / "fixtures" / "quirks"
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
BIN = Path(sys.executable).parent


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("customer-snapshot ")


def test_validate_valid_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(QUIRKS / "zoom.vtt")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "valid WebVTT, 3 cues" in out and "Maya Chen (2)" in out


def test_validate_json_lists_problems_with_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--strict", "--json", str(QUIRKS / "teams_times.vtt")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False and report["cues"] == 0
    assert [p["line"] for p in report["problems"]] == [3, 6]


def test_validate_not_a_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.vtt"
    bad.write_text("meeting notes\nnothing timed here\n")
    assert main(["validate", str(bad)]) == EXIT_FAILURE
    out = capsys.readouterr().out
    assert "INVALID" in out and f"{bad}:1:" in out


def test_cues_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cues", str(QUIRKS / "subrip.srt")]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["speaker"] for r in rows] == ["Helen Park", "Helen Park", "Raj Mehta"]
    assert set(rows[0]) >= {"identifier", "start", "end", "raw_text", "text", "speaker", "line"}


def test_cues_speaker_map(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cues", str(QUIRKS / "no_header.vtt"), "--speaker-map", "Speaker 2=Raj Patel"]
    assert main(argv) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["speaker"] for r in rows] == ["Speaker 1", "Raj Patel"]


def test_cues_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (QUIRKS / "zoom.vtt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["cues", "-"]) == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_errors_are_one_line_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cues", "/nonexistent/call.vtt"]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "/nonexistent/call.vtt" in err


def test_a_bug_of_ours_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from customer_snapshot import cli

    def broken(args: object, config: object) -> int:
        raise KeyError("oops")

    monkeypatch.setattr(cli, "cmd_cues", broken)
    assert main(["cues", str(QUIRKS / "zoom.vtt")]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("customer-snapshot: internal error: KeyError: 'oops'")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == EXIT_USAGE
    assert main([]) == EXIT_USAGE
    assert main(["cues"]) == EXIT_USAGE


def test_bad_environment_value_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHUNK_SIZE", "lots")
    assert main(["validate", str(QUIRKS / "zoom.vtt")]) == EXIT_USAGE
    assert "CHUNK_SIZE" in capsys.readouterr().err


def test_every_command_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"customer-snapshot {name}" in readme, f"command {name} missing from README"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run(args, input=stdin, capture_output=True, env=env, timeout=120, check=False)


def test_installed_command_end_to_end() -> None:
    exe = BIN / "customer-snapshot"
    assert exe.exists(), "the console script is installed with the package"
    done = _run(str(exe), "validate", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    done = _run(str(exe), "cues", "-", stdin=EXAMPLE.read_bytes())
    assert done.returncode == 0 and done.stdout.count(b"\n") > 20
    done = _run(
        sys.executable,
        "-m",
        "customer_snapshot",
        "validate",
        "--strict",
        str(QUIRKS / "subrip.srt"),
    )
    assert done.returncode == 1 and b"Traceback" not in done.stdout + done.stderr


def test_help_does_not_import_spacy() -> None:
    code = (
        "import sys; from customer_snapshot.cli import main; main(['--help']); "
        "print('spacy' in sys.modules)"
    )
    done = _run(sys.executable, "-c", code)
    assert done.stdout.strip().endswith(b"False")


def test_sigterm_stops_process_with_exit_143_and_writes_nothing(tmp_path: Path) -> None:
    """SIGTERM mid-run (``docker stop``): one line, exit 143, no document, no temporary file."""
    import signal
    import time

    cues = "".join(
        f"{i // 60:02d}:{i % 60:02d}.000 --> {i // 60:02d}:{i % 60:02d}.900\n"
        f"<v Ana Ruiz>We moved the claims team onto the new scheduling tool in week {i}.\n\n"
        for i in range(3000)
    )
    src = tmp_path / "long.vtt"
    src.write_text("WEBVTT\n\n" + cues)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [str(BIN / "customer-snapshot"), "process", str(src), "-o", str(out), "-f", "all", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SNAPSHOT_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    import psutil

    # Past 150 MB the model is loaded (so main() runs and owns SIGTERM); the analysis of 3,000
    # cues takes seconds more, so the signal lands well before any write.
    deadline = time.monotonic() + 120
    while psutil.Process(proc.pid).memory_info().rss < 150 * 2**20:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr == "customer-snapshot: terminated\n"
    assert list(out.iterdir()) == []


def test_sigterm_handler_is_restored_after_main() -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    assert main(["--version"]) == EXIT_OK
    assert signal.getsignal(signal.SIGTERM) is before
