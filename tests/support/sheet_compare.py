"""Comparing product sheets written by different engines, by meaning (XlsxWriter's golden-file idea).

Each engine's result is an .xlsx (the file engine's own output, the recording
engine replayed, LibreOffice's save); what legitimately varies between them is
dropped or normalised: LibreOffice writes 15 significant digits and its own
spelling of number formats and sheet references, lists rules of different
ranges in its own order, and writes no cached value XlsxWriter did.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path


def load_book(path: Path):
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sparkline extension and LibreOffice's own, unknown to openpyxl
        return openpyxl.load_workbook(path)


def number_format(code: str) -> str:
    """A number format as it displays: LibreOffice writes '#,##0" €"' and '0\\ %' for '#,##0 "€"' and '0 %'."""
    code = re.sub(r"\[\$-[0-9A-Fa-f]+\]", "", code)
    return code.replace('"', "").replace("\\", "")


def formula(text: str) -> str:
    """'Objectifs'!A1 and Objectifs!A1 are one reference; 0.900000 and 0.9 one number (LibreOffice
    writes a formula's numbers back in their shortest form)."""
    text = re.sub(r"'([A-Za-zÀ-ÿ_][\wÀ-ÿ]*)'!", r"\1!", text)
    return re.sub(r"(?<![\w.$])\d+\.\d+(?![\w.])", lambda m: repr(float(m.group())), text)


class Number:
    """A cell's number, equal to another within the 15 significant digits LibreOffice saves.

    Rounding both sides to a fixed number of digits would not do: XlsxWriter writes 16 digits,
    and 219918.87602154553 saved as 219918.8760215455 and as 219918.876021546 round apart.
    """

    __slots__ = ("number",)
    __hash__ = None

    def __init__(self, number: float):
        self.number = number

    def __eq__(self, other) -> bool:
        other = other.number if isinstance(other, Number) else other
        return isinstance(other, (int, float)) and math.isclose(self.number, other, rel_tol=1e-14, abs_tol=1e-12)

    def __repr__(self) -> str:
        return repr(self.number)


def value(v):
    if isinstance(v, float):
        return Number(v)
    if isinstance(v, str) and v.startswith("="):
        return formula(v)
    return v


def cells(ws) -> dict[str, tuple]:
    """Every cell that holds something or a look: value, type, format, bold, size, colours, alignment."""
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and c.number_format == "General" and not c.font.b and not c.fill.fill_type:
                continue
            fill = c.fill.fgColor.rgb if c.fill.fill_type else None
            out[c.coordinate] = (value(c.value), c.data_type, number_format(c.number_format), bool(c.font.b),
                                 c.font.sz, c.font.color.rgb if c.font.color is not None else None, fill,
                                 c.alignment.horizontal or "general", bool(c.alignment.wrap_text))
    return out


def values(ws) -> list[list]:
    """The sheet's values as rows (no look), trailing empty cells dropped."""
    rows = []
    for row in ws.iter_rows(values_only=True):
        cut = list(row)
        while cut and cut[-1] is None:
            cut.pop()
        rows.append([value(v) for v in cut])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def rules_by_range(ws) -> dict[str, list[tuple]]:
    """Per range, its rules in priority order: (type, formula, fill, scale colours, icons, bar)."""
    found = []
    for rng, rules in ws.conditional_formatting._cf_rules.items():
        for r in rules:
            icons = (r.iconSet.iconSet, [(v.type, float(v.val)) for v in r.iconSet.cfvo], bool(r.iconSet.reverse)) \
                if r.iconSet is not None else None
            scale = [c.rgb for c in r.colorScale.color] if r.colorScale is not None else None
            # a min or max end has no value (LibreOffice writes val="0" there, Excel ignores it)
            bar = (r.dataBar.color.rgb, [(v.type, None if v.type in ("min", "max") else v.val)
                                         for v in r.dataBar.cfvo]) if r.dataBar is not None else None
            fill = r.dxf.fill.bgColor.rgb if r.dxf is not None and r.dxf.fill is not None else None
            found.append((str(rng.sqref), r.priority, (r.type, tuple(formula(f) for f in r.formula or ()), fill,
                                                        scale, icons, bar)))
    out: dict[str, list[tuple]] = {}
    for sqref, _, rule in sorted(found, key=lambda x: (x[0], x[1])):
        out.setdefault(sqref, []).append(rule)
    return out


def differences(a: dict, b: dict) -> dict:
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}


def sheet_xml(path: Path, name: str) -> str:
    """The XML of the sheet called ``name`` in the package at ``path`` (found through workbook.xml and its rels)."""
    import posixpath
    import zipfile

    import defusedxml.ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
                .findall("p:Relationship", ns)}
        for sheet in book.findall("m:sheets/m:sheet", ns):
            if sheet.get("name") == name:
                target = rels[sheet.get(f"{{{ns['r']}}}id")]
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                return z.read(part).decode("utf-8")
    raise KeyError(name)


def sparklines(path: Path, name: str) -> list[tuple[str, str, str]]:
    """(data range, cell, colour) of each sparkline of sheet ``name``."""
    xml = sheet_xml(path, name)
    out = []
    for group in re.findall(r"<x14:sparklineGroup\b.*?</x14:sparklineGroup>", xml, re.S):
        found = re.search(r'<x14:colorSeries rgb="([0-9A-F]+)"', group)
        colour = found.group(1) if found else None  # none set: the application's default colour
        for f, sqref in re.findall(r"<xm:f>([^<]+)</xm:f><xm:sqref>([^<]+)</xm:sqref>", group):
            out.append((formula(f), sqref, colour))
    return sorted(out)
