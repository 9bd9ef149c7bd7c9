"""Write a benchmark's results into a marked section of a Markdown file."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def replace_section(doc: Path, name: str, body: str) -> None:
    """Replace (or append) the text between ``<!-- bench:NAME -->`` markers, atomically."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=doc.parent, prefix=f".{doc.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, doc)


def machine() -> str:
    """One line describing where the figures were measured."""
    cpus = os.cpu_count()
    mem = ""
    try:
        import psutil

        mem = f", {psutil.virtual_memory().total / 1024**3:.0f} GiB RAM"
    except ImportError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs{mem}, "
        f"Python {platform.python_version()}, measured {time.strftime('%Y-%m-%d')}"
    )


def run_child(argv: list[str]) -> tuple[str, float]:
    """Run a child process; return its stdout and its peak RSS in MB (from wait4)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"child failed: {' '.join(argv)}")
    return out.decode(), usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def median(values: list[float]) -> float:
    return statistics.median(values)
