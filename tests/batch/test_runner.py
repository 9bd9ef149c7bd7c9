"""run_batch: worker sizing, usage errors, the cache between runs, the run-metrics records."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from customer_snapshot.batch.runner import resolve_workers, run_batch
from customer_snapshot.config import Config
from customer_snapshot.errors import ConfigError

from .conftest import QUIRKS


def test_auto_workers_come_from_memory_capped_by_cpus_and_max_workers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = Config.from_env({"MEMORY_LIMIT_PER_WORKER": "1GB"})
    with caplog.at_level(logging.INFO, logger="customer_snapshot"):
        n, why = resolve_workers("auto", cfg)
    assert n >= 1 and why.startswith("auto: available ") and "per worker" in why
    assert any("workers: auto: available" in r.getMessage() for r in caplog.records)
    assert resolve_workers(None, cfg)[0] == n
    capped = Config.from_env({"MEMORY_LIMIT_PER_WORKER": "1GB", "MAX_WORKERS": "1"})
    one, why_one = resolve_workers("auto", capped)
    assert one == 1
    if n > 1:
        assert "capped by max_workers=1" in why_one
    # A per-worker budget larger than the machine still gives one worker.
    huge = Config.from_env({"MEMORY_LIMIT_PER_WORKER": "100TB"})
    assert resolve_workers("auto", huge)[0] == 1
    assert resolve_workers(5, cfg) == (5, "--workers 5")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"executor": "dask"}, "--executor dask needs --scheduler"),
        ({"scheduler": "tcp://127.0.0.1:8786"}, "only with --executor dask"),
        ({"executor": "spark"}, "choose local or dask"),
        ({"workers": 0}, "must be at least 1"),
        ({"workers": "many"}, "expected a number or auto"),
        ({"formats": "pdf"}, "choose from md, html, docx, json"),
    ],
)
def test_bad_settings_are_usage_errors(
    config: Config, tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        run_batch([QUIRKS / "zoom.vtt"], tmp_path / "out", config=config, **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_no_transcripts_or_an_output_file_are_usage_errors(config: Config, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"no \.vtt or \.srt transcripts found"):
        run_batch([tmp_path / "empty"], tmp_path / "out", config=config)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="give a folder"):
        run_batch([QUIRKS / "zoom.vtt"], tmp_path / "file", config=config)


def test_a_rerun_is_served_from_the_cache_and_renders_new_formats_without_analysis(
    config: Config, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("zoom.vtt", "subrip.srt"):
        shutil.copy(QUIRKS / name, src / name)
    (src / "missing-later.vtt").write_text("not a transcript at all\n")
    cfg = config.replace(spacy_model="blank:en")  # the cache is the point, not the model
    first = run_batch([src, tmp_path / "nope.vtt"], tmp_path / "out", formats="md", config=cfg,
                      workers=1)  # fmt: skip
    assert [(f["name"], f["status"]) for f in first.files] == [
        ("missing-later.vtt", "failed"), ("subrip.srt", "ok"), ("zoom.vtt", "ok"),
        ("nope.vtt", "failed"),
    ]  # fmt: skip
    assert first.files[3]["error"] == f"{tmp_path / 'nope.vtt'}: no such file or folder"
    md = (tmp_path / "out" / "zoom.snapshot.md").read_bytes()
    (tmp_path / "out" / "zoom.snapshot.md").unlink()

    second = run_batch([src], tmp_path / "out", formats=["md", "html"], config=cfg, workers=1)
    assert [(f["name"], f["status"], f["from_cache"]) for f in second.files] == [
        ("missing-later.vtt", "failed", True), ("subrip.srt", "cached", True),
        ("zoom.vtt", "cached", True),
    ]  # fmt: skip
    assert second.settings["workers"] == 0 and "worker_processes" not in second.settings
    assert (tmp_path / "out" / "zoom.snapshot.md").read_bytes() == md
    html = (tmp_path / "out" / "zoom.snapshot.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "zoom.vtt" in html
    assert second.files[2]["metrics"]["stages"]["analyze"]["seconds"] >= 0  # the original run's

    (src / "zoom.vtt").write_text((src / "zoom.vtt").read_text() + "\n")  # changed: analysed
    third = run_batch([src], tmp_path / "out", formats="md", config=cfg, workers=1)
    assert [f["status"] for f in third.files] == ["failed", "cached", "ok"]
    forced = run_batch([src], tmp_path / "out", formats="md", config=cfg, workers=1,
                       use_cache=False)  # fmt: skip
    assert [f["status"] for f in forced.files] == ["failed", "ok", "ok"]
    assert not forced.files[0]["from_cache"]


def test_analysed_files_are_recorded_as_runs_of_the_batch(config: Config, tmp_path: Path) -> None:
    from customer_snapshot.ops.metrics import MetricsStore

    (tmp_path / "bad.vtt").write_text("nothing to see\n")
    cfg = config.replace(spacy_model="blank:en")
    report = run_batch([QUIRKS / "zoom.vtt", tmp_path / "bad.vtt"], tmp_path / "out",
                       config=cfg, workers=1)  # fmt: skip
    runs = MetricsStore.for_config(cfg).runs(batch_id=report.settings["batch_id"])
    assert sorted((r.source_name, r.status, r.command) for r in runs) == [
        ("bad.vtt", "failed", "batch"), ("zoom.vtt", "ok", "batch"),
    ]  # fmt: skip
    ok = next(r for r in runs if r.status == "ok")
    assert ok.words and ok.model == "blank:en (rules only)" and "analyze" in ok.stages
    # Cache hits ran no analysis: not recorded again.
    again = run_batch([QUIRKS / "zoom.vtt"], tmp_path / "out", config=cfg, workers=1)
    assert MetricsStore.for_config(cfg).runs(batch_id=again.settings["batch_id"]) == []
    data = json.loads((tmp_path / "out" / "batch_report.json").read_text())
    assert data["batch_id"] == again.settings["batch_id"]
