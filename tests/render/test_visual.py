"""Look at the documents as a person does: the DOCX through LibreOffice as PDF pages.

CI installs LibreOffice and poppler-utils (``.ci/run``); on a machine without them these tests
skip, except under CI where a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from customer_snapshot.render import render

from .conftest import EXAMPLE_TEMPLATE


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (CI installs it in .ci/run)")
        pytest.skip(f"{name} is not installed")
    return path


def docx_pages(docx: Path, out_dir: Path) -> list[Path]:
    """Convert ``docx`` to PDF with LibreOffice, then to one PNG per page with pdftoppm."""
    soffice, pdftoppm = _tool("soffice"), _tool("pdftoppm")
    profile = out_dir / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = out_dir / (docx.stem + ".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    subprocess.run(
        [pdftoppm, "-r", "50", "-png", str(pdf), str(out_dir / "page")], check=True, timeout=120
    )
    return sorted(out_dir.glob("page-*.png"))


def _ink(png: Path) -> float:
    """Share of the page that is not white: a blank page is 0."""
    from PIL import Image

    with Image.open(png) as opened:
        image = opened.convert("L")
    histogram = image.histogram()
    return 1.0 - sum(histogram[240:]) / (image.size[0] * image.size[1])


@pytest.mark.parametrize("template", [None, EXAMPLE_TEMPLATE], ids=["ours", "example-template"])
def test_docx_converts_to_readable_pages(
    example_snapshot: dict[str, Any], tmp_path: Path, template: Path | None
) -> None:
    [docx] = render(example_snapshot, "docx", tmp_path / "out", template=template)
    pages = docx_pages(Path(docx), tmp_path)
    assert len(pages) >= 3
    inks = [_ink(p) for p in pages]
    assert all(i > 0.01 for i in inks[:-1]), inks  # text on every page but maybe the last


def test_screenshots_script_makes_the_readme_pictures(tmp_path: Path) -> None:
    """``make screenshots`` (tools/screenshots.py) works, into a temporary folder here."""
    import sys

    from PIL import Image

    for tool in ("chromium", "soffice", "pdftoppm"):
        _tool(tool)
    root = Path(__file__).resolve().parent.parent.parent
    proc = subprocess.run(
        [sys.executable, str(root / "tools" / "screenshots.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html, docx = tmp_path / "snapshot-html.png", tmp_path / "snapshot-docx.png"
    with Image.open(html) as h, Image.open(docx) as d:
        assert h.size == (1000, 1300) and d.size[0] > 1000
    assert _ink(html) > 0.03 and _ink(docx) > 0.03
