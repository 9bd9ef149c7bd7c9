"""The built wheel carries what an install elsewhere needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(out), str(ROOT)],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    (path,) = out.glob("customer_snapshot-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_templates_typing_marker_and_entry_point(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "customer_snapshot/py.typed" in names
    assert "customer_snapshot/snapshot/schema.json" in names
    assert "customer_snapshot/templates/__init__.py" in names
    shipped = {p.name for p in (ROOT / "templates").iterdir() if p.is_file()}
    assert {
        n.rsplit("/", 1)[-1] for n in names if n.startswith("customer_snapshot/templates/")
    } >= {n for n in shipped if not n.endswith((".pyc",))}
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "customer-snapshot = customer_snapshot.cli:main" in wheel.read(entry).decode()
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_pyproject_only_declares_the_build_backend() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert "[build-system]" in text and "[project]" not in text and "[tool." not in text
