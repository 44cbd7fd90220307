"""The deck as a PDF and its summary slide as a PNG, through LibreOffice when it is installed.

Without LibreOffice (or poppler's pdftoppm for the image) the message still goes, with the
PPTX only: ``Rendered.missing`` names what could not be made so the message and the log say so.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kpicore.model.errors import PilotageError

SUMMARY_PAGE = 1  # the executive summary opens every deck
IMAGE_DPI = 96


@dataclass(frozen=True)
class Rendered:
    pdf: Path | None
    png: Path | None
    missing: str | None = None  # "libreoffice", "pdftoppm" or LibreOffice's own failure; None when all made


def render_deck(deck: Path, work_dir: Path) -> Rendered:
    """``deck`` as ``work_dir/<name>.pdf`` and its summary slide as ``work_dir/<name>-summary.png``."""
    from workbook_templates.libreoffice import convert, soffice_path

    if soffice_path() is None:
        return Rendered(None, None, "libreoffice")
    try:
        pdf = convert(deck, "pdf", work_dir, recalculate=False)
    except PilotageError as err:  # a deck LibreOffice cannot read must not stop the delivery
        return Rendered(None, None, str(err))
    except subprocess.TimeoutExpired as err:  # nor a LibreOffice that stops answering
        return Rendered(None, None, str(err))
    exe = shutil.which("pdftoppm")
    if exe is None:
        return Rendered(pdf, None, "pdftoppm")
    prefix = work_dir / f"{deck.stem}-summary"
    page = SUMMARY_PAGE
    info = subprocess.run([exe, "-png", "-r", str(IMAGE_DPI), "-f", str(page), "-l", str(page), "-singlefile",
                           str(pdf), str(prefix)], capture_output=True, text=True, timeout=120)
    png = prefix.with_suffix(".png")
    if info.returncode != 0 or not png.is_file():  # a deck of a single slide: its first page, then
        subprocess.run([exe, "-png", "-r", str(IMAGE_DPI), "-singlefile", str(pdf), str(prefix)],
                       capture_output=True, timeout=120)
    return Rendered(pdf, png if png.is_file() else None, None if png.is_file() else "pdftoppm")
