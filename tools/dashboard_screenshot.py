"""Make real runs of different sizes, then the dashboard of them, and photograph it.

    python tools/dashboard_screenshot.py [--home DIR] [--sizes 0.25,0.5,1,2,4]
                                         [--mode comprehensive] [--out docs/images/dashboard.png]

Every run is the installed ``customer-snapshot process`` on a real transcript: the bundled
example, the shared development set (when it is beside this checkout), the fixture
transcripts, and synthetic transcripts of the given sizes in MB made by
``benchmarks/generate.py``. The runs are recorded in a fresh SNAPSHOT_HOME (a temporary folder
unless ``--home`` names one), so the picture shows these runs only. The dashboard is opened in
headless Chromium through the test helper (``tests/browser.py``), which also reports console
errors and requests: the script fails if there is any error or any request but the page.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("customer-snapshot")


def transcripts() -> list[Path]:
    """The real transcripts: the example, the dev set, the snapshot fixtures."""
    found = sorted((ROOT / "examples").glob("*.vtt"))
    dev = ROOT.parent / "shared" / "data" / "dev"
    found += sorted(p for p in dev.glob("*") if p.suffix in (".vtt", ".srt"))
    found += sorted((ROOT / "tests" / "fixtures" / "snapshot").glob("*.vtt"))
    return found


def main(argv: list[str] | None = None) -> int:
    """Make the runs, the dashboard and its picture; print where they are."""
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--home", type=Path, help="SNAPSHOT_HOME for the runs (default: a temp dir)")
    p.add_argument("--sizes", default="0.25,0.5,1,2,4", help="synthetic sizes in MB")
    p.add_argument("--mode", default="comprehensive", choices=["summary", "comprehensive"])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "dashboard.png")
    p.add_argument(
        "--tight-limit-mb", type=float, default=230.0,
        help="also process the first transcript under this MEMORY_LIMIT_MB (0: do not), a real "
        "run close to its limit that shows the alerts and the advice",
    )  # fmt: skip
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.browser import screenshot

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = args.home or work / "home"
        env = {**os.environ, "SNAPSHOT_HOME": str(home), "ENABLE_MEMORY_MONITORING": "true"}
        inputs = transcripts()
        for mb in (float(s) for s in args.sizes.split(",") if s.strip()):
            synthetic = work / f"synthetic_{mb:g}mb.vtt"
            subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(synthetic),
                 "--mb", str(mb)],
                check=True, capture_output=True,
            )  # fmt: skip
            inputs.append(synthetic)
        runs = [(path, env) for path in inputs]
        if args.tight_limit_mb:
            tight = {**env, "MEMORY_LIMIT_MB": str(args.tight_limit_mb)}
            runs.insert(len(runs) // 2, (inputs[0], tight))
        for path, run_env in runs:
            done = subprocess.run(
                [str(CLI), "process", str(path), "-o", f"{work / 'out'}/", "-q"],
                env=run_env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            limit = run_env.get("MEMORY_LIMIT_MB", "default")
            print(f"{path.name} (limit {limit}): exit {done.returncode}", file=sys.stderr)
        page = work / "dashboard.html"
        subprocess.run(
            [str(CLI), "dashboard", "--mode", args.mode, "-o", str(page)], env=env, check=True
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        result = screenshot(page, args.out, width=1280)
        if result.console_errors or result.external_requests or len(result.requests) != 1:
            print(f"console errors: {result.console_errors}", file=sys.stderr)
            print(f"requests: {result.requests}", file=sys.stderr)
            return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
