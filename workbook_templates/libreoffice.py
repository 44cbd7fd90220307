"""LibreOffice as a converter: workbooks and decks to PDF, CSV or PNG.

Used by the product (``--pdf`` on decks) and by the tests, which open every
output in a real application.  Each call gets its own LibreOffice profile
directory: two soffice processes sharing one profile block each other, and a
profile of our own lets us switch on recalculation at load (LibreOffice shows
the cached values of an .xlsx otherwise, and XlsxWriter caches 0).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kpicore.model.errors import PilotageError

_XCU_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
"""
# Calc > Formula > "Recalculation on file load" for Excel 2007+ files: 0 = always.
_RECALC_ITEMS = """<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
"""
# No lock file (.~lock.NAME#) beside a document this profile opens.
_NO_LOCK_ITEMS = """<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
"""

INSTALL_HINT = "installez LibreOffice (Debian : apt-get install libreoffice-calc-nogui libreoffice-impress-nogui)"


class LibreOfficeMissing(PilotageError):
    def __init__(self) -> None:
        super().__init__(f"LibreOffice est introuvable : {INSTALL_HINT}.")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(directory: Path, *, recalculate: bool = True, lock_documents: bool = True) -> str:
    """Create a LibreOffice user profile in ``directory``; return its URL for -env:UserInstallation.

    ``lock_documents=False``: LibreOffice leaves no lock file beside what it
    opens (for a run that never saves over the file it opened: a killed run
    would otherwise leave a lock that makes the workbook look open).
    """
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    items = (_RECALC_ITEMS if recalculate else "") + ("" if lock_documents else _NO_LOCK_ITEMS)
    if items:
        (user / "registrymodifications.xcu").write_text(_XCU_HEAD + items + "</oor:items>\n", encoding="utf-8")
    return directory.resolve().as_uri()


def convert(
    source: Path,
    target_format: str,
    out_dir: Path,
    *,
    recalculate: bool = True,
    timeout: float = 180,
) -> Path:
    """Convert ``source`` with headless LibreOffice; return the converted file.

    ``target_format`` is what ``--convert-to`` takes: ``pdf``, ``csv``, ``xlsx``,
    or a filter string such as ``csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1``
    (the trailing ``-1`` exports every sheet, one CSV per sheet).
    Raises ``LibreOfficeMissing`` when LibreOffice is not installed, and
    ``PilotageError`` with LibreOffice's own output when the conversion fails.
    """
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeMissing()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pilotage-lo-") as profile_dir:
        profile = make_profile(Path(profile_dir), recalculate=recalculate)
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", target_format, "--outdir", str(out_dir), str(source)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    ext = target_format.split(":", 1)[0]
    produced = sorted(out_dir.glob(f"{source.stem}*.{ext}"))
    if proc.returncode != 0 or not produced:
        raise PilotageError(
            f"LibreOffice n'a pas pu convertir {source.name} en {ext} "
            f"(code {proc.returncode}) : {proc.stdout.strip()} {proc.stderr.strip()}"
        )
    return produced[0]


def to_png(pdf: Path, prefix: Path, *, dpi: int = 60) -> list[Path]:
    """Render each page of ``pdf`` to ``PREFIX-N.png`` with poppler's pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PilotageError("pdftoppm est introuvable : installez poppler-utils.")
    subprocess.run([exe, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def _only_sheet_visible(source: Path, sheet: str, target: Path) -> None:
    """Copy ``source`` with every sheet but ``sheet`` hidden (hidden sheets are not printed)."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                xml = data.decode("utf-8")
                names = re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', xml)
                from xml.sax.saxutils import escape

                wanted = escape(sheet, {'"': "&quot;"})
                if wanted not in names:
                    raise PilotageError(f"feuille « {sheet} » absente de {source.name}.")

                def hide(m: re.Match) -> str:
                    tag = re.sub(r'\sstate="[^"]*"', "", m.group(0))
                    if f'name="{wanted}"' in tag:
                        return tag
                    return tag.replace("<sheet ", '<sheet state="hidden" ', 1)

                xml = re.sub(r"<sheet\b[^>]*/>", hide, xml)
                # LibreOffice prints a hidden sheet that has a print area: keep only the wanted sheet's
                keep = str(names.index(wanted))
                xml = re.sub(r'<definedName\b[^>]*\bname="_xlnm\.Print_Area"[^>]*\blocalSheetId="(\d+)"[^>]*>'
                             r"[^<]*</definedName>", lambda m: m.group(0) if m.group(1) == keep else "", xml)
                xml = re.sub(r'activeTab="\d+"', f'activeTab="{names.index(wanted)}"', xml)
                if "activeTab=" not in xml:
                    xml = xml.replace("<workbookView ", f'<workbookView activeTab="{names.index(wanted)}" ', 1)
                data = xml.encode("utf-8")
            elif info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                # a selected tab is printed with the active one, hidden or not: only activeTab selects
                data = re.sub(rb'(<sheetView\b[^>]*?)\stabSelected="(?:1|true)"', rb"\1", data, count=1)
            zout.writestr(info, data)


def sheet_png(workbook: Path, sheet: str, out_dir: Path, *, dpi: int = 80) -> list[Path]:
    """Render one sheet of a workbook (recalculated by LibreOffice) to PNG pages.

    The other sheets are hidden in a scratch copy, so a cockpit next to a
    50,000-row data sheet renders in seconds.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pilotage-sheet-") as tmp:
        copy = Path(tmp) / f"{workbook.stem}-{sheet}.xlsx"
        _only_sheet_visible(workbook, sheet, copy)
        pdf = convert(copy, "pdf", Path(tmp) / "pdf")
        return to_png(pdf, out_dir / f"{workbook.stem}-{sheet}", dpi=dpi)
