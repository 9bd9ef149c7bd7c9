"""Reader benchmark: our streaming reader vs. ``webvtt.read`` (webvtt-py) on the same file.

    python benchmarks/bench_reader.py [--mb 50] [--big-mb 1024] [--repeat 3] [--write FILE]

Each measurement is a separate process, and the two readers alternate (ours, theirs, theirs,
ours, ...) so that machine noise hits both alike. Time is measured inside the child (reading
and consuming every cue); peak RSS is the child's ``ru_maxrss`` from ``wait4``. The large file
is read by our reader only (webvtt-py loads it whole and would need many GB).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _report import machine, median, replace_section, run_child  # noqa: E402
from generate import generate  # noqa: E402

DATA = HERE / "data"


def child(impl: str, path: str) -> None:
    """Read every cue of ``path`` with one implementation; print seconds and count as JSON."""
    # Imports happen before the clock starts: we time reading, not interpreter start-up.
    if impl == "ours":
        from customer_snapshot import read_cues

        t0 = time.perf_counter()
        n = 0
        for n, cue in enumerate(read_cues(path), 1):  # noqa: B007
            _ = cue.text
    else:
        import webvtt

        t0 = time.perf_counter()
        n = 0
        for caption in webvtt.read(path):
            n += 1
            _ = caption.text
    print(json.dumps({"seconds": time.perf_counter() - t0, "cues": n}))


def ensure(mb: float) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"zoom_{mb:g}mb.vtt"
    if not path.exists() or abs(path.stat().st_size - mb * 1024 * 1024) > 1024 * 1024:
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, mb)
    return path


def measure(impl: str, path: Path) -> tuple[float, int, float]:
    out, rss = run_child([sys.executable, __file__, "--child", impl, str(path)])
    data = json.loads(out)
    return data["seconds"], data["cues"], rss


def _row(name: str, mb: float, cues: int, seconds: float, rss: float) -> str:
    return f"| {name} | {mb:g} MB | {cues:,} | {seconds:.2f} s | {rss:.0f} MB |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--big-mb", type=float, default=1024, help="0 to skip the large file")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", type=Path, help="Markdown file to write the results into")
    ap.add_argument("--child", nargs=2, metavar=("IMPL", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return 0

    path = ensure(a.mb)
    runs: dict[str, list[tuple[float, int, float]]] = {"ours": [], "webvtt-py": []}
    for r in range(a.repeat):
        order = ["ours", "webvtt-py"] if r % 2 == 0 else ["webvtt-py", "ours"]
        for impl in order:
            res = measure("ours" if impl == "ours" else "webvtt", path)
            runs[impl].append(res)
            print(
                f"  {impl:10} {res[0]:7.2f} s  {res[2]:7.1f} MB peak RSS  {res[1]} cues",
                file=sys.stderr,
            )
    ours_s = median([x[0] for x in runs["ours"]])
    theirs_s = median([x[0] for x in runs["webvtt-py"]])
    ours_rss = max(x[2] for x in runs["ours"])
    theirs_rss = max(x[2] for x in runs["webvtt-py"])
    cues = runs["ours"][0][1]
    assert cues == runs["webvtt-py"][0][1], "both readers must see the same cues"
    ratio = theirs_s / ours_s
    rows = [
        "| reader | file | cues | median time | peak RSS |",
        "|---|---|---|---|---|",
        _row("customer-snapshot `read_cues`", a.mb, cues, ours_s, ours_rss),
        _row("webvtt-py `webvtt.read`", a.mb, cues, theirs_s, theirs_rss),
    ]
    big_line = ""
    if a.big_mb:
        big = ensure(a.big_mb)
        secs, n, rss = measure("ours", big)
        print(f"  ours {a.big_mb:g} MB: {secs:.1f} s, {rss:.1f} MB peak RSS", file=sys.stderr)
        rows.append(_row("customer-snapshot `read_cues`", a.big_mb, n, secs, rss))
        big_line = (
            f"- Flat memory: peak RSS {rss:.0f} MB on {a.big_mb:g} MB vs {ours_rss:.0f} MB on "
            f"{a.mb:g} MB (ratio {rss / ours_rss:.2f}).\n"
        )
    body = (
        "## Reader: streaming `read_cues` vs. `webvtt.read`\n\n"
        f"Command: `make bench-reader` (`python benchmarks/bench_reader.py --mb {a.mb:g} "
        f"--big-mb {a.big_mb:g} --repeat {a.repeat}`). {machine()}.\n"
        "Each figure is a separate process; the readers alternate; time is the median of "
        f"{a.repeat} runs, measured inside the process (read and consume every cue); peak RSS is "
        "the process's maximum resident set (includes the interpreter).\n\n"
        + "\n".join(rows)
        + "\n\n"
        f"- Speed: ours is **{ratio:.1f}x** faster than webvtt-py on the same {a.mb:g} MB file "
        "(target: at least 5x).\n"
        f"- Memory: {ours_rss:.0f} MB peak RSS vs {theirs_rss:.0f} MB (target: under 60 MB).\n"
        + big_line
    )
    print(body)
    if a.write:
        replace_section(a.write, "reader", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
