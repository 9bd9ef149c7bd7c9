"""The public Python API of DESIGN: the stages, importable from the package, loaded lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import customer_snapshot
from customer_snapshot import Config

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme_onboarding.vtt"


def test_import_is_cheap() -> None:
    code = "import sys, customer_snapshot; print('spacy' in sys.modules, 'jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_stages_compose(tmp_path: Path) -> None:
    from customer_snapshot import analyze, build_snapshot, generate_snapshot, read_cues, render

    config = Config.from_env({})
    analysis = analyze(read_cues(EXAMPLE), config=config)
    built = build_snapshot(analysis, config=config).to_dict()
    whole = generate_snapshot(EXAMPLE, config=config).to_dict()
    assert [s["key"] for s in built["sections"]] == [s["key"] for s in whole["sections"]]
    assert built["sections"][0]["fields"] == whole["sections"][0]["fields"]
    [path] = render(whole, "json", tmp_path / "s.json")
    assert json.loads(Path(path).read_text())["schema_version"] == "1"
    assert set(customer_snapshot.__all__) >= {
        "analyze", "build_snapshot", "generate_snapshot", "read_cues", "render", "Config",
    }  # fmt: skip
