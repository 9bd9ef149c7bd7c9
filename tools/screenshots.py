"""Regenerate the README's pictures in ``docs/images/`` from the bundled example.

``make screenshots`` runs it: the example is processed by the installed CLI into all formats,
the HTML is photographed by headless Chromium (top of the page, and the visuals section), and
the Word document is converted by LibreOffice to PDF and by pdftoppm to page pictures (the first
page beside the page with the charts).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme_onboarding.vtt"
IMAGES = ROOT / "docs" / "images"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Write the two pictures into the folder given (default ``docs/images``)."""
    args = sys.argv[1:] if argv is None else argv
    images = Path(args[0]) if args else IMAGES
    images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cli = Path(sys.executable).with_name("customer-snapshot")
        subprocess.run([str(cli), "process", str(EXAMPLE), "-f", "all", "-o", f"{work}/", "-q"],
                       check=True)  # fmt: skip
        html = work / "acme_onboarding.snapshot.html"
        shot = work / "html.png"
        subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
             "--window-size=1000,1300", f"--screenshot={shot}", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        Image.open(shot).convert("RGB").save(images / "snapshot-html.png", optimize=True)

        docx = work / "acme_onboarding.snapshot.docx"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{work / 'lo'}", "--headless",
             "--convert-to", "pdf", "--outdir", str(work), str(docx)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", str(work / "acme_onboarding.snapshot.pdf"),
             str(work / "page")],
            check=True,
        )  # fmt: skip
        pages = sorted(work.glob("page-*.png"))

        # The first page, and the first page holding a picture (the charts): the most colour.
        def colour(p: Path) -> int:
            saturation = Image.open(p).convert("HSV").getchannel("S").histogram()
            return sum(saturation[80:])

        charts = max(pages[1:], key=colour) if len(pages) > 1 else pages[0]
        first, second = Image.open(pages[0]), Image.open(charts)
        sheet = Image.new("RGB", (first.width + second.width + 30, first.height), (230, 232, 236))
        sheet.paste(first, (0, 0))
        sheet.paste(second, (first.width + 30, 0))
        sheet.save(images / "snapshot-docx.png", optimize=True)
    for name in ("snapshot-html.png", "snapshot-docx.png"):
        print(images / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
