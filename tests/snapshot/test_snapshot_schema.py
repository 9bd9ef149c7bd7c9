"""The snapshot JSON validates against the schema that ships in the package."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from customer_snapshot import Config
from customer_snapshot.cli import main
from customer_snapshot.pipeline import generate_snapshot
from customer_snapshot.snapshot.model import SECTIONS

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "snapshot"
TRANSCRIPTS = [
    ROOT / "examples" / "acme_onboarding.vtt",
    *sorted(p for p in FIXTURES.iterdir() if p.suffix in (".vtt", ".srt")),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = resources.files("customer_snapshot.snapshot").joinpath("schema.json").read_text()
    data: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_snapshot_validates(path: Path, schema: dict[str, Any]) -> None:
    data = generate_snapshot(path, config=Config.from_env({})).to_dict()
    jsonschema.validate(data, schema)
    assert [s["key"] for s in data["sections"]] == [k for k, *_ in SECTIONS]
    # Every fact shown points to where it was said (charts are data, not claims).
    for sec in data["sections"]:
        for fact in [f for f in sec["fields"].values() if f] + [
            f for name, items in sec["items"].items() if name != "charts" for f in items
        ]:
            assert fact["evidence"], (sec["key"], fact["value"])
            assert all(e["text"] for e in fact["evidence"])


def test_schema_rejects_a_missing_section(schema: dict[str, Any]) -> None:
    data = generate_snapshot(TRANSCRIPTS[0], config=Config.from_env({})).to_dict()
    data["sections"] = data["sections"][:-1]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_process_json_to_stdout_file_and_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: dict[str, Any]
) -> None:
    src = TRANSCRIPTS[0]
    assert main(["process", str(src), "-f", "json", "-o", "-", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # compact on stdout
    jsonschema.validate(json.loads(out), schema)
    assert main(["process", str(src), "-o", str(tmp_path) + "/", "-q"]) == 0
    written = tmp_path / "acme_onboarding.snapshot.json"
    assert json.loads(written.read_text())["source"]["name"] == "acme_onboarding.vtt"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    named = tmp_path / "x.json"
    assert main(["process", str(src), "-o", str(named), "-q"]) == 0 and named.exists()


def test_process_invalid_input_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.vtt"
    bad.write_text("WEBVTT\n\nno cues here\n")
    assert main(["process", str(bad), "-o", str(tmp_path) + "/"]) == 1
    err = capsys.readouterr().err
    assert "no cues" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.vtt"]


def test_executive_summary_is_three_to_five_sentences_from_the_call() -> None:
    data = generate_snapshot(TRANSCRIPTS[0], config=Config.from_env({})).to_dict()
    summary = data["sections"][-1]
    highlights = summary["items"]["highlights"]
    assert 3 <= len(highlights) <= 5
    starts = [h["evidence"][0]["start"] for h in highlights]
    assert starts == sorted(starts)  # told in call order
    for h in highlights:
        assert h["value"].rstrip(" .…") in summary["summary"]
        assert h["evidence"][0]["text"]  # said in the call, not written by us
