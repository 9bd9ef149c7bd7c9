"""Batch benchmarks: files per minute with 1 and 2 workers, peak memory per worker, cache hits.

    python benchmarks/bench_batch.py [--copies 4] [--repeat 3] [--format all] [--write FILE]

* The set: the six development transcripts (``../shared/data/dev``) ``--copies`` times, each
  copy in its own folder (so each file is a separate cache entry).
* Throughput: the installed ``customer-snapshot batch`` command on the whole set with
  ``--workers 1`` and ``--workers 2`` (``--no-cache``, a fresh ``SNAPSHOT_HOME`` and output folder
  each run), alternating which goes first; wall time of the command, from start to exit
  (worker start-up and model loading included), and CPU seconds of the command and its workers.
* Memory: each worker process's peak RSS, from the run's ``batch_report.json``.
* Cache: a run that fills a fresh cache, then the same command again (every file a hit).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _report import machine, median, replace_section  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev"
CLI = Path(sys.executable).with_name("customer-snapshot")


def make_set(folder: Path, copies: int) -> int:
    """Copy the development transcripts ``copies`` times into ``folder``; return the count."""
    dev = sorted(p for p in DEV.iterdir() if p.suffix in (".vtt", ".srt"))
    if len(dev) != 6:
        raise SystemExit(f"expected the six development transcripts in {DEV}")
    for k in range(copies):
        target = folder / f"copy{k + 1}"
        target.mkdir(parents=True)
        for p in dev:
            shutil.copy(p, target / p.name)
    return len(dev) * copies


def wait_idle(max_busy: float, max_wait: float) -> float:
    """Wait until the machine's CPUs are at most ``max_busy`` % busy over a second (others'
    work skews a throughput figure); returns the last reading."""
    import psutil

    deadline = time.monotonic() + max_wait
    busy = psutil.cpu_percent(interval=1.0)
    while busy > max_busy and time.monotonic() < deadline:
        busy = psutil.cpu_percent(interval=1.0)
    return busy


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process, every CPU) since boot."""
    import psutil

    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0))


def run(
    src: Path,
    work: Path,
    workers: int,
    fmt: str,
    *,
    home: Path | None = None,
    cache: bool = False,
    idle: tuple[float, float] = (100.0, 0.0),
    attempts: int = 1,
    max_others: float = 0.1,
) -> dict[str, Any]:
    """One batch command: wall time, its CPU time, the CPU other processes took meanwhile, and
    its report. A run during which other processes took more than ``max_others`` of a CPU is
    measured again (up to ``attempts`` times; the last one is kept either way)."""
    for attempt in range(attempts):
        m = _run_once(src, work, workers, fmt, home=home, cache=cache, idle=idle)
        m["attempts"] = attempt + 1
        if m["others"] <= max_others:
            break
        print(f"  (other processes took {m['others']:.2f} CPU during a {workers}-worker run: "
              "measuring again)", file=sys.stderr)  # fmt: skip
    return m


def _run_once(
    src: Path,
    work: Path,
    workers: int,
    fmt: str,
    *,
    home: Path | None,
    cache: bool,
    idle: tuple[float, float],
) -> dict[str, Any]:
    home = home or Path(tempfile.mkdtemp(dir=work, prefix="home-"))
    out = Path(tempfile.mkdtemp(dir=work, prefix="out-"))
    argv = [str(CLI), "batch", str(src), "-o", str(out), "-f", fmt, "--workers", str(workers)]
    argv += ["-q", "--no-progress"] + ([] if cache else ["--no-cache"])
    load = wait_idle(*idle)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_before = busy_seconds()
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ,
                          "SNAPSHOT_HOME": str(home)}, check=False)  # fmt: skip
    wall = time.perf_counter() - t0
    machine_after = busy_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads((out / "batch_report.json").read_text())
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"batch failed: {' '.join(argv)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = max(0.0, (machine_after - machine_before) - cpu) / wall  # in CPUs
    shutil.rmtree(out)
    return {"wall": wall, "cpu": cpu, "load": load, "others": others, "report": report,
            "home": home}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=4, help="copies of the dev set (default 4)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--format", default="all", choices=["md", "html", "docx", "json", "all"])
    ap.add_argument("--write", type=Path, help="Markdown file to write the section into")
    ap.add_argument(
        "--idle",
        type=float,
        default=20.0,
        metavar="PCT",
        help="before each run, wait (up to --max-wait s) for CPU use under PCT %%",
    )
    ap.add_argument("--max-wait", type=float, default=600.0)
    ap.add_argument(
        "--attempts",
        type=int,
        default=6,
        help="measure a run again while other processes took over 0.1 CPU during it",
    )
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        src = work / "set"
        n = make_set(src, a.copies)
        idle = (a.idle, a.max_wait)
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for r in range(a.repeat):
            for w in (1, 2) if r % 2 == 0 else (2, 1):
                m = run(src, work, w, a.format, idle=idle, attempts=a.attempts)
                runs[w].append(m)
                print(f"  {w} worker(s): {m['wall']:6.2f} s wall, {m['cpu']:6.2f} s CPU, "
                      f"others {m['others']:.2f} CPU", file=sys.stderr)  # fmt: skip
        cold: list[float] = []
        warm: list[float] = []
        for _ in range(a.repeat):
            first = run(src, work, 2, a.format, cache=True, idle=idle)
            again = run(src, work, 2, a.format, home=first["home"], cache=True, idle=idle)
            assert again["report"]["summary"]["cached"] == n, again["report"]["summary"]
            cold.append(first["wall"])
            warm.append(again["wall"])
            print(f"  cache: {first['wall']:.2f} s cold, {again['wall']:.3f} s warm",
                  file=sys.stderr)  # fmt: skip

    wall = {w: median([m["wall"] for m in runs[w]]) for w in runs}
    cpu = {w: median([m["cpu"] for m in runs[w]]) for w in runs}
    fpm = {w: n / wall[w] * 60 for w in runs}
    speedup = wall[1] / wall[2]
    peaks = {
        w: max(p["peak_rss_mb"] for m in runs[w] for p in m["report"]["worker_processes"])
        for w in runs
    }
    loads = {w: max(p["load_seconds"] or 0 for m in runs[w]
                    for p in m["report"]["worker_processes"]) for w in runs}  # fmt: skip
    others = max(m["others"] for w in runs for m in runs[w])
    tries = sum(m["attempts"] for w in runs for m in runs[w])
    cache_x = median(cold) / median(warm)
    lines = [
        "## Batch",
        "",
        f"Command: `make bench-batch` (`python benchmarks/bench_batch.py --copies {a.copies} "
        f"--repeat {a.repeat} --format {a.format} --idle {a.idle:g}`). {machine()}.",
        f"The set: the six development transcripts x {a.copies} = {n} files "
        f"({sum(p.stat().st_size for p in DEV.iterdir() if p.suffix in ('.vtt', '.srt')) * a.copies / 1024:.0f} KB), "  # noqa: E501
        f"`-f {a.format}`. Wall time of the whole `customer-snapshot batch` command (worker "
        "start-up and model loading included), median of the runs; 1 and 2 workers alternate.",
        "",
        "| workers | files/min | median wall s | all runs (s) | CPU s (all processes) | "
        "peak RSS per worker | model load per worker |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {w} | {fpm[w]:.1f} | {wall[w]:.2f} | "
            + ", ".join(f"{m['wall']:.2f}" for m in runs[w])
            + f" | {cpu[w]:.1f} | {peaks[w]:.0f} MB | {loads[w]:.2f} s |"
            for w in (1, 2)
        ],
        "",
        f"- 2 workers: **{speedup:.2f}x** the files per minute of 1 worker (target: at least "
        f"1.6x on 2 cores). CPU per file: {cpu[1] / n:.2f} s with 1 worker, {cpu[2] / n:.2f} s "
        "with 2.",
        f"- Short of 2x: per-file CPU is {(cpu[2] / cpu[1] - 1) * 100:.0f}% higher with both "
        "cores busy (shared cache and memory bandwidth), every run starts its workers (Python, "
        f"imports and the model: {loads[2]:.2f} s of model load per worker), and the last files "
        "leave one worker idle.",
        f"- Cache: a rerun of the unchanged set takes {median(warm):.2f} s against "
        f"{median(cold):.2f} s for the run that filled the cache: **{cache_x:.0f}x** faster "
        f"({median(warm) / median(cold) * 100:.1f}% of the time; target: under 30%).",
        f"- The machine is shared: each run started once its CPUs were at most {a.idle:g}% busy "
        f"(or after {a.max_wait:g} s), and a throughput run during which other processes took "
        f"more than 0.1 CPU was measured again ({tries} runs for the {2 * a.repeat} kept; in "
        f"the kept runs other processes took at most {others:.2f} CPU).",
    ]
    body = "\n".join(lines)
    print(body)
    if a.write:
        replace_section(a.write, "batch", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
