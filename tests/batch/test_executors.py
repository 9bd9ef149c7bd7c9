"""Local worker processes (recycling, memory limits, a worker killed mid-file) and Dask."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from customer_snapshot.batch.executors import LocalExecutor
from customer_snapshot.batch.runner import run_batch
from customer_snapshot.batch.worker import Task
from customer_snapshot.config import Config

from .conftest import EXAMPLE, QUIRKS, write_long_cue


def tasks_for(paths: list[Path], out: Path) -> list[Task]:
    return [Task(i, str(p), p.name, str(out), p.stem) for i, p in enumerate(paths)]


def test_workers_are_recycled_after_n_files(config: Config, tmp_path: Path) -> None:
    files = [QUIRKS / "zoom.vtt", QUIRKS / "subrip.srt", QUIRKS / "name_role.vtt"]
    ex = LocalExecutor(
        workers=1,
        config=config.replace(spacy_model="blank:en"),  # fast to load; recycling is the point
        formats=["json"],
        limit_mb=None,
        recycle_after=2,
    )
    results = sorted(ex.run(tasks_for(files, tmp_path)), key=lambda r: r["index"])
    assert [r["status"] for r in results] == ["ok", "ok", "ok"]
    first, second = (w.pid for w in ex.worker_log)
    assert [r["worker"] for r in results] == [first, first, second]
    assert [w.files for w in ex.worker_log] == [2, 1]
    assert all(w.load_seconds is not None and w.exit == "exited with code 0" for w in ex.worker_log)
    assert not any(psutil.pid_exists(w.pid) and psutil.Process(w.pid).status() != "zombie"
                   for w in ex.worker_log if w.pid)  # fmt: skip
    data = json.loads((tmp_path / "zoom.snapshot.json").read_text())
    assert data["source"]["name"] == "zoom.vtt"


def _kill_worker_when_busy(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL our worker process once it is deep in a file (RSS past 300 MB)."""
    me = psutil.Process()
    while not stop.is_set():
        for child in me.children():
            try:
                if "customer_snapshot.batch.worker_process" not in " ".join(child.cmdline()):
                    continue
                if child.memory_info().rss > 300 * 1024 * 1024 and not killed:
                    child.send_signal(signal.SIGKILL)
                    killed.append(child.pid)
            except psutil.Error:
                continue
        time.sleep(0.02)


def test_a_worker_that_dies_fails_its_file_and_the_rest_go_on(
    config: Config, tmp_path: Path
) -> None:
    big = write_long_cue(tmp_path / "big.vtt")
    ex = LocalExecutor(workers=1, config=config, formats=["json"], limit_mb=None, batch_size=8)
    stop, killed = threading.Event(), []
    watcher = threading.Thread(target=_kill_worker_when_busy, args=(stop, killed), daemon=True)
    watcher.start()
    try:
        results = sorted(ex.run(tasks_for([big, EXAMPLE], tmp_path)), key=lambda r: r["index"])
    finally:
        stop.set()
        watcher.join()
    assert len(killed) == 1
    died, ok = results
    assert died["status"] == "failed" and died["error_type"] == "WorkerDied"
    assert died["error"] == (
        f"big.vtt: worker process {killed[0]} killed by signal SIGKILL while processing it "
        "(out of memory?)"
    )
    assert ok["status"] == "ok" and ok["worker"] != killed[0]  # a new worker took over
    assert [w.exit for w in ex.worker_log] == ["killed by signal SIGKILL", "exited with code 0"]


def test_dask_gives_the_same_outputs_as_local_workers(config: Config, tmp_path: Path) -> None:
    import distributed  # the dev extra installs it: this test must run, not skip

    files = [EXAMPLE, QUIRKS / "teams_closed_v.vtt"]
    local = run_batch(files, tmp_path / "local", formats=["md", "html", "json"], config=config,
                      workers=1, use_cache=False)  # fmt: skip
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        remote = run_batch(
            files, tmp_path / "dask", formats=["md", "html", "json"], config=config,
            executor="dask", scheduler=cluster.scheduler_address, use_cache=False,
        )  # fmt: skip
    assert remote.exit_code == local.exit_code == 0
    assert remote.settings["executor"] == "dask" and remote.settings["workers"] == 1
    assert [f["status"] for f in remote.files] == ["ok", "ok"]
    for name in ("acme_onboarding", "teams_closed_v"):
        for ext in ("md", "html"):
            a = (tmp_path / "local" / f"{name}.snapshot.{ext}").read_bytes()
            assert a == (tmp_path / "dask" / f"{name}.snapshot.{ext}").read_bytes()
        a_json, b_json = (
            json.loads((tmp_path / d / f"{name}.snapshot.json").read_text())
            for d in ("local", "dask")
        )
        a_json.pop("metrics"), b_json.pop("metrics")  # times and memory differ run to run
        assert a_json == b_json
    assert os.path.isfile(tmp_path / "dask" / "batch_report.json")


def test_no_dask_scheduler_at_the_address_is_a_usage_error(config: Config, tmp_path: Path) -> None:
    from customer_snapshot.batch.executors import DaskExecutor
    from customer_snapshot.errors import ConfigError

    ex = DaskExecutor(scheduler="tcp://127.0.0.1:9", config=config, formats=["json"],
                      limit_mb=None, connect_timeout=0.5)  # fmt: skip
    with pytest.raises(ConfigError, match=r"--scheduler='tcp://127\.0\.0\.1:9': no Dask scheduler"):
        list(ex.run(tasks_for([EXAMPLE], tmp_path)))
