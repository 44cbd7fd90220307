"""Hostile workbooks for the security tests and ``bench/security.py``, generated on the fly (nothing binary
is committed).

Each builder writes one file into a folder and returns its path. They start
from a small valid workbook (XlsxWriter) and change one part.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from workbook_templates.raw_zip import RawZipWriter

SST = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"
HEADERS = ["ID affaire", "Client", "Commercial", "Étape", "Montant", "Date de création"]
ROWS = [["D-1", "ACME", "Alice", "Proposition", 1200, "2026-01-05"],
        ["D-2", "Bolt", "Bruno", "Gagnée", 800, "2026-02-10"]]


def base_workbook(path: Path, rows: list[list] | None = None) -> Path:
    """A small valid pipeline workbook: one « Affaires » sheet, strings in the shared-strings table."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Affaires")
    ws.write_row(0, 0, HEADERS)
    for i, row in enumerate(rows or ROWS, start=1):
        ws.write_row(i, 0, row)
    wb.close()
    return path


def rewrite(src: Path, dst: Path, changes: dict[str, Callable[[bytes], bytes] | bytes],
            extra: dict[str, bytes] | None = None) -> Path:
    """Copy the zip ``src`` to ``dst`` with members changed (function of the old bytes, or new bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            change = changes.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def _in_sst(doctype: str, reference: str) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8").replace("<sst", doctype + "<sst", 1)
        return text.replace("<t>ACME</t>", f"<t>{reference}</t>", 1).encode("utf-8")
    return change


def billion_laughs(folder: Path) -> Path:
    """Ten levels of ten references each: 10**9 copies of "lol" if a parser expanded them."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE sst [" + "".join(entities) + "]>"
    return rewrite(base_workbook(folder / "base_laughs.xlsx"), folder / "billion_laughs.xlsx",
                   {SST: _in_sst(doctype, "&lol9;")})


def external_entity(folder: Path, target: Path) -> Path:
    """A shared string that is an external entity pointing at a local file (XXE)."""
    doctype = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>'
    return rewrite(base_workbook(folder / "base_xxe.xlsx"), folder / "external_entity.xlsx",
                   {SST: _in_sst(doctype, "&xxe;")})


def dtd_after_comment(folder: Path) -> Path:
    """A DTD hidden after a comment in a sheet part, declaring an entity nobody references."""
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        head, rest = text.split("?>", 1)
        return (head + "?><!-- <worksheet> --><!DOCTYPE worksheet [<!ENTITY x \"y\">]>" + rest).encode()
    return rewrite(base_workbook(folder / "base_dtd.xlsx"), folder / "dtd_after_comment.xlsx", {SHEET: change})


def traversal(folder: Path, name: str = "../../evil.txt", stem: str = "traversal") -> Path:
    """A member whose path climbs out of the archive (zip slip), or any hostile member ``name``."""
    return rewrite(base_workbook(folder / f"base_{stem}.xlsx"), folder / f"{stem}.xlsx", {},
                   extra={name: b"pwned"})


_ROW = b'<row><c t="inlineStr"><is><t>lol</t></is></c></row>'


def zip_bomb(folder: Path, *, inflated: int = 1024**3, lie: bool = False, base: Path | None = None,
             member: str = SHEET, name: str | None = None) -> Path:
    """A workbook whose sheet inflates to about ``inflated`` bytes of repeated rows, from a ~1 MB file.

    Built without compressing a gigabyte: with a full flush, each copy of a
    1 MiB block compresses to the same bytes, so the deflate stream is one
    compressed copy repeated. ``lie``: the zip's directory declares 10 kB for
    that sheet, so that checks on the directory alone let it through.
    ``base``, ``member``, ``name``: another archive whose ``member`` becomes the
    bomb, written as ``name`` (see :func:`pptx_bomb`).
    """
    base = base or base_workbook(folder / "base_bomb.xlsx")
    block = _ROW * (1024**2 // len(_ROW))
    copies = max(inflated // len(block), 1)
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
            b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    tail = b"</sheetData></worksheet>"

    def flushed(data: bytes, mode: int) -> bytes:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        return comp.compress(data) + comp.flush(mode)

    body = flushed(head, zlib.Z_FULL_FLUSH) + flushed(block, zlib.Z_FULL_FLUSH) * copies \
        + flushed(tail, zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc) & 0xFFFFFFFF
    real = len(head) + len(block) * copies + len(tail)
    out = folder / (name or ("zip_bomb_lying.xlsx" if lie else "zip_bomb.xlsx"))
    with zipfile.ZipFile(base) as zin, open(out, "wb") as fh:
        writer = RawZipWriter(fh)
        for info in zin.infolist():
            if info.filename == member:
                fake = zipfile.ZipInfo(member, info.date_time)
                fake.compress_type = zipfile.ZIP_DEFLATED
                fake.CRC = crc
                fake.compress_size = len(body)
                fake.file_size = 10_000 if lie else real
                writer.add_raw(fake, io.BytesIO(body))
            else:
                writer.add_bytes(info.filename, zin.read(info.filename), info.date_time)
        writer.close()
    return out


def pptx_bomb(folder: Path, *, inflated: int = 1024**3, lie: bool = False) -> Path:
    """A PowerPoint file (a client's deck template) whose main part, ``ppt/presentation.xml``,
    inflates to about ``inflated`` bytes (:func:`zip_bomb`)."""
    from pptx import Presentation

    base = folder / "base_bomb.pptx"
    Presentation().save(str(base))
    return zip_bomb(folder, inflated=inflated, lie=lie, base=base, member="ppt/presentation.xml",
                    name="modele_bombe_menteur.pptx" if lie else "modele_bombe.pptx")


def huge_text(chars: int) -> bytes:
    """``chars`` letters that do not compress much (a pasted blob, not a run of one letter)."""
    letters = b"abcdefghijklmnopqrstuvwxyz "
    return random.Random(7).randbytes(chars).translate(bytes(letters[i % len(letters)] for i in range(256)))


def huge_cell(folder: Path, chars: int = 5_000_000) -> Path:
    """A Deals sheet whose « Client » cell of the first deal (Excel row 2, column B) holds ``chars`` characters."""
    # XlsxWriter refuses strings over Excel's limit: write a short one, then put the long one in the part
    path = base_workbook(folder / "base_cell.xlsx", [list(r) for r in ROWS])
    text = huge_text(chars)
    return rewrite(path, folder / "huge_cell.xlsx",
                   {SST: lambda d: d.replace(b"<t>ACME</t>", b"<t>" + text + b"</t>", 1)})


def many_shared_strings(folder: Path, count: int = 1_000_000) -> Path:
    """A shared-strings table of ``count`` entries; the sheet uses a handful of them."""
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        start = text.index("<si>")
        end = text.rindex("</si>") + len("</si>")
        kept = text[start:end]
        used = kept.count("<si>")
        filler = "".join(f"<si><t>inutilisée {i}</t></si>" for i in range(count - used))
        body = text[:start] + kept + filler + text[end:]
        body = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{count}" uniqueCount="{count}"', body, count=1)
        return body.encode("utf-8")
    return rewrite(base_workbook(folder / "base_sst.xlsx"), folder / "many_shared_strings.xlsx", {SST: change})


CASES: dict[str, Callable[[Path], Path]] = {
    "zip_bomb": zip_bomb,
    "zip_bomb_lying": lambda folder: zip_bomb(folder, lie=True),
    "billion_laughs": billion_laughs,
    "external_entity": lambda folder: external_entity(folder, Path("/etc/hostname")),
    "traversal": traversal,
    "absolute_path": lambda folder: traversal(folder, "/etc/evil.txt", "absolute_path"),
    "dtd_after_comment": dtd_after_comment,
    "huge_cell": huge_cell,
    "many_shared_strings": many_shared_strings,
}
