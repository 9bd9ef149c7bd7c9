"""render(): one API for every format; process -f ... through the installed CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from customer_snapshot.errors import ConfigError, TemplateError
from customer_snapshot.render import FORMATS, output_name, render, render_bytes, resolve_formats

from .conftest import EXAMPLE, EXAMPLE_TEMPLATE

CLI = [sys.executable, "-m", "customer_snapshot"]


def test_resolve_formats() -> None:
    assert resolve_formats("all") == list(FORMATS)
    assert resolve_formats(["md", "all", "md"]) == ["md", "html", "docx", "json"]
    with pytest.raises(ConfigError, match="pdf"):
        resolve_formats("pdf")
    assert output_name("call", "docx") == "call.snapshot.docx"


def test_render_all_into_a_folder(example_snapshot: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    paths = render(example_snapshot, "all", out)
    assert [Path(p).name for p in paths] == [
        f"acme_onboarding.snapshot.{e}" for e in ("md", "html", "docx", "json")
    ]
    assert json.loads((out / "acme_onboarding.snapshot.json").read_text()) == example_snapshot
    Document(str(out / "acme_onboarding.snapshot.docx"))  # re-opens
    assert not list(out.glob(".*.tmp"))


def test_render_to_one_file_and_streams(example_snapshot: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    assert render(example_snapshot, "md", target) == [str(target)]
    assert target.read_text().startswith("# Customer Solution Snapshot")
    binary = io.BytesIO()
    assert render(example_snapshot, "docx", binary) == []
    assert binary.getvalue()[:2] == b"PK"
    text = io.StringIO()
    render(example_snapshot, "json", text)
    assert json.loads(text.getvalue())["schema_version"] == "1"
    with pytest.raises(ConfigError):
        render(example_snapshot, "docx", io.StringIO())
    with pytest.raises(ConfigError):
        render(example_snapshot, "all", io.BytesIO())


def test_a_failing_format_writes_nothing(example_snapshot: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "out"
    with pytest.raises(TemplateError):
        render(example_snapshot, "all", out, template=bad)
    assert not out.exists() or not any(out.iterdir())


def test_json_is_compact_on_stdout_and_pretty_in_a_file(example_snapshot: dict[str, Any]) -> None:
    assert b"\n  " in render_bytes(example_snapshot, "json")
    assert render_bytes(example_snapshot, "json", compact=True).count(b"\n") == 1


def test_user_template_folder_overrides_ours(
    example_snapshot: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "snapshot.md.j2").write_text(
        "{{ snapshot.sections | length }} sections for {{ snapshot.source.name }}\n"
    )
    md = render_bytes(example_snapshot, "md", template_dir=tmp_path)
    assert md == b"11 sections for acme_onboarding.vtt\n"
    (tmp_path / "snapshot.md.j2").write_text("{{ snapshot.no_such_key }}\n")
    with pytest.raises(TemplateError, match="no_such_key"):
        render_bytes(example_snapshot, "md", template_dir=str(tmp_path) + "/")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_cli_all_formats_next_to_the_input(tmp_path: Path) -> None:
    src = tmp_path / "call.vtt"
    src.write_bytes(EXAMPLE.read_bytes())
    proc = _run("process", str(src), "-f", "all", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "call.snapshot.docx", "call.snapshot.html", "call.snapshot.json", "call.snapshot.md",
        "call.vtt",
    ]  # fmt: skip
    assert proc.stdout == "" and proc.stderr.count("call.snapshot.") == 4


def test_cli_docx_template_and_stdout(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "process", str(EXAMPLE), "-f", "docx", "-o", "-", "-q",
         "--docx-template", str(EXAMPLE_TEMPLATE)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stderr == b""
    doc = Document(io.BytesIO(proc.stdout))
    assert doc.paragraphs[0].text.startswith("Customer Solution Snapshot: ")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-f", "all", "-o", "-"], 2, "four files"),
        (["-f", "md", "--docx-template", "x.docx"], 2, "--docx-template"),
        (["-f", "docx", "--docx-template", "missing.docx"], 2, "no such file"),
        (["-f", "md", "--template-dir", "missing"], 2, "no such folder"),
        (["-f", "pdf"], 2, "invalid choice"),
    ],
)
def test_cli_usage_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "x.docx").write_bytes(b"")
    proc = _run("process", str(EXAMPLE), "-o", str(tmp_path / "o") + "/", *args, cwd=tmp_path)
    assert proc.returncode == code and message in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_cli_broken_template_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_text("plain text, not a document")
    out = tmp_path / "out"
    proc = _run("process", str(EXAMPLE), "-f", "all", "-o", str(out), "--docx-template", str(bad))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "customer-snapshot: error: template bad.docx: not a Word document (.docx)"
    )
    assert not out.exists() or not any(out.iterdir())


def test_cli_empty_transcript_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.vtt"
    empty.write_text("WEBVTT\n\n")
    proc = _run("process", str(empty), "-f", "all")
    assert proc.returncode == 1 and "no cues" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.vtt"]
