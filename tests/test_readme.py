"""Keep the README true: every command and Python example in it runs.

``make demo`` and ``make test`` are run by ``.ci/run``; every other command in a ```bash block
runs here through the installed console script (leading ``NAME=value`` words set environment
variables), and must exit 0 unless a trailing ``# exit N`` comment says otherwise. Every
```python block runs as a script.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands() -> list[tuple[str, int]]:
    out = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("make "):
                continue
            m = re.search(r"#\s*exit (\d+)", line)
            code = int(m.group(1)) if m else 0
            out.append((line.split("#")[0].strip(), code))
    return out


def test_readme_shows_the_two_commands_first() -> None:
    first = blocks("bash")[0]
    assert first.splitlines()[0].startswith("make demo") and "make test" in first


@pytest.mark.parametrize(("command", "code"), commands())
def test_readme_command_runs(command: str, code: int) -> None:
    argv = shlex.split(command)
    # Leading NAME=value words set environment variables, as in a shell.
    env = dict(os.environ)
    while argv and re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*", argv[0]):
        name, value = argv.pop(0).split("=", 1)
        env[name] = value
    if argv[0] == "customer-snapshot":
        argv[0] = str(BIN / "customer-snapshot")
    elif argv[0] == "python":
        argv[0] = sys.executable
    else:
        pytest.fail(f"README command not covered by this test: {command}")
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == code, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("code", blocks("python"))
def test_readme_python_runs(code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.strip()
