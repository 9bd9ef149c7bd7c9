"""Analysis benchmarks: overhead over bare spaCy, flat memory, CLI start-up.

    python benchmarks/bench_analysis.py [--overhead-mb 1] [--memory-mb 0.5 2 4 8]
                                         [--repeat 3] [--write FILE]

* Overhead: ``analyze`` vs. bare spaCy (``nlp.pipe`` over the cue texts, same model, same
  batch size) on the same transcript; separate processes, alternating; the model is loaded
  before the clock starts in both.
* Flat memory: peak RSS of one process running ``analyze`` on transcripts of growing size whose
  vocabulary keeps growing (never-repeated names, ids and amounts).
* Start-up: wall time of ``customer-snapshot --help``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _report import machine, median, replace_section, run_child  # noqa: E402
from generate import generate  # noqa: E402

DATA = HERE / "data"


def child(mode: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print JSON."""
    from customer_snapshot import Config, read_cues
    from customer_snapshot.nlp.model import load_model

    config = Config.from_env({"MAX_FILE_SIZE": "0"})
    nlp = load_model(config.spacy_model).nlp
    if mode == "bare":
        texts = [c.text for c in read_cues(path)]  # reading is not part of spaCy's time
        t0 = time.perf_counter()
        words = 0
        for doc in nlp.pipe(texts, batch_size=64):
            words += len(doc)
        seconds = time.perf_counter() - t0
    else:
        from customer_snapshot.io.source import open_transcript
        from customer_snapshot.nlp.analyzer import analyze

        reader, _, info = open_transcript(path, max_bytes=0)
        t0 = time.perf_counter()
        result = analyze(reader, config=config, source=info)
        seconds = time.perf_counter() - t0
        words = result.source.words
    print(json.dumps({"seconds": seconds, "words": words}))


def ensure(mb: float) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"vocab_{mb:g}mb.vtt"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, mb, vocab=True, seed=7)
    return path


def measure(mode: str, path: Path) -> tuple[float, float]:
    out, rss = run_child([sys.executable, __file__, "--child", mode, str(path)])
    return json.loads(out)["seconds"], rss


def startup(repeat: int = 15) -> float:
    exe = Path(sys.executable).parent / "customer-snapshot"
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--overhead-mb", type=float, default=1.0)
    ap.add_argument("--memory-mb", type=float, nargs="*", default=[0.5, 2, 4, 8])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return 0

    lines = ["## Analysis", "", f"{machine()}.", ""]
    # Overhead
    path = ensure(a.overhead_mb)
    runs: dict[str, list[float]] = {"bare": [], "analyze": []}
    for r in range(a.repeat):
        for mode in ["bare", "analyze"] if r % 2 == 0 else ["analyze", "bare"]:
            secs, rss = measure(mode, path)
            runs[mode].append(secs)
            print(f"  {mode:8} {secs:7.2f} s  {rss:6.0f} MB", file=sys.stderr)
    bare, ours = median(runs["bare"]), median(runs["analyze"])
    lines += [
        f"### Overhead over bare spaCy ({a.overhead_mb:g} MB transcript)",
        "",
        "| run | median seconds | all runs |",
        "|---|---|---|",
        f"| bare spaCy `nlp.pipe` over the cue texts | {bare:.2f} | "
        + ", ".join(f"{x:.2f}" for x in runs["bare"])
        + " |",
        "| `analyze` (reading, chunking, spaCy, extraction, aggregates) | "
        f"{ours:.2f} | " + ", ".join(f"{x:.2f}" for x in runs["analyze"]) + " |",
        "",
        f"Overhead: **{(ours / bare - 1) * 100:+.1f}%** (target: at most about +10%).",
        "",
    ]
    # Flat memory
    rows = []
    for mb in a.memory_mb:
        secs, rss = measure("analyze", ensure(mb))
        rows.append((mb, secs, rss))
        print(f"  memory {mb:g} MB: {secs:.1f} s, {rss:.0f} MB", file=sys.stderr)
    lines += [
        "### Peak memory against transcript size",
        "",
        "| transcript | analyze seconds | peak RSS |",
        "|---|---|---|",
        *[f"| {mb:g} MB | {secs:.1f} | {rss:.0f} MB |" for mb, secs, rss in rows],
        "",
    ]
    by = {mb: rss for mb, _, rss in rows}
    if 0.5 in by and 4 in by:
        lines.append(
            f"4 MB / 0.5 MB peak RSS: **{by[4] / by[0.5]:.2f}x** (target: at most 1.2x, "
            f"and under 400 MB: {by[4]:.0f} MB)."
        )
        lines.append("")
    # Start-up
    help_s = startup()
    lines += [
        "### Start-up",
        "",
        f"`customer-snapshot --help`: median **{help_s * 1000:.0f} ms** over 15 runs "
        "(target: under 0.5 s; spaCy is not imported).",
    ]
    cmd = (
        f"`make bench-analysis` (`python benchmarks/bench_analysis.py --overhead-mb "
        f"{a.overhead_mb:g} --memory-mb {' '.join(f'{m:g}' for m in a.memory_mb)} "
        f"--repeat {a.repeat}`)"
    )
    lines.insert(2, f"Command: {cmd}. Transcripts from `benchmarks/generate.py --vocab`.")
    body = "\n".join(lines)
    print(body)
    if a.write:
        replace_section(a.write, "analysis", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
