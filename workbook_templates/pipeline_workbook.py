"""Write a company's canonical data as Pilotage's own pipeline workbook (.xlsx).

One sheet per canonical table (sheet name ``Table.sheet_fr``), each holding one
Excel Table (ListObject) named after the canonical table (``Deals``,
``Activities``, ...) whose headers are the French column labels
(``Column.label_fr``), so that formulas elsewhere can say
``SUMIFS(Targets[Objectif], ...)``.  Dates, euros and percentages carry their
number formats, the header row is frozen, and the tables the product owns
(``Table.written_by_product``) are on hidden sheets.

Only canonical columns are written (columns a client file added are not).  Text
is always written as text (an inline string), never as a formula, whatever it
starts with.

How, for a million rows: XlsxWriter writes the whole package (workbook, styles,
sheets with their header row, column widths, frozen panes, hidden states, and
each table over the header and one formatted row), so every part of the file
format comes from XlsxWriter.  Then the data rows are streamed into each sheet's
``<sheetData>`` while the package is copied to its final zip: the cells are built
column by column with numpy (one string operation per column and chunk of rows,
no Python call per cell) and carry the style index XlsxWriter gave that column's
formatted cell; the table and dimension ranges are extended to the last row.
Memory stays bounded by the chunk size (the equivalent of XlsxWriter's
``constant_memory``), and it is several times faster than one ``write_*`` call
per cell.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import xlsxwriter

from kpicore.model import schema
from kpicore.model.cells import EXCEL_EPOCH, column_letter
from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData
from kpicore.model.errors import InputFileError
from kpicore.text import formats
from workbook_templates import styles
from workbook_templates.safe_file import publish

# Excel's limit is 1,048,576 rows per sheet, one of them is the header.
MAX_DATA_ROWS = 1_048_575
MAX_TEXT = 32_767  # characters in one cell
CHUNK_ROWS = 50_000
_EPOCH_NS = np.datetime64(EXCEL_EPOCH, "ns")
_NS_PER_DAY = 86_400 * 10**9
# Characters XML 1.0 cannot hold; Excel's escape for them is _xHHHH_.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Extras:
    """Hooks that add to the package while XlsxWriter builds it (the template uses them).

    ``first(workbook, fmts)`` adds sheets before the table sheets, ``each(workbook,
    sheet, table, frame, fmts)`` decorates each table sheet (validations, column
    formats), ``last(workbook, fmts)`` adds sheets after the visible table sheets
    (before the hidden product sheets).  Sheets added by ``first`` must hold no
    Excel table; ``each`` must not write below the header except row 2's formatted
    blanks (the data rows are streamed there afterwards).
    """

    first: Callable | None = None
    each: Callable | None = None
    last: Callable | None = None


def write_pipeline_workbook(data: PipelineData, path: str | os.PathLike, *, extras: Extras | None = None) -> Path:
    """Write every canonical table of ``data`` to a new workbook at ``path``; return the path.

    The file is written next to its destination under a temporary name, then
    renamed over it, so a reader never sees half a file and a failure leaves any
    previous file untouched.  Refuses (``InputFileError``) when Excel holds the
    file open (its lock file ``~$name`` is present), when the folder does not
    exist, or when a table has more rows than a sheet can hold.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise InputFileError("le dossier de destination n'existe pas", file=str(path),
                             fix="Créez le dossier ou choisissez un autre chemin.")
    if (folder / f"~${path.name}").exists():
        raise InputFileError("le classeur est ouvert dans Excel", file=str(path),
                             fix="Fermez le classeur dans Excel, puis relancez.")
    frames = data.frames()
    for name, table in ATTRIBUTES.items():
        if len(frames[name]) > MAX_DATA_ROWS:
            raise InputFileError(
                f"la table {table.name} compte {formats.number(len(frames[name]))} lignes ; une feuille "
                f"Excel en contient au plus {formats.number(MAX_DATA_ROWS)} (hors en-tête)",
                file=str(path), sheet=table.sheet_fr,
                fix="Réduisez l'historique (par exemple aux 24 derniers mois) avant d'écrire le classeur.")

    temps = []
    try:
        for _ in range(2):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp.xlsx", dir=folder)
            os.close(fd)
            temps.append(tmp)
        skeleton, final = temps
        _write(data, frames, skeleton, final, extras or Extras())
        publish(final, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return path


def _write(data: PipelineData, frames: dict[str, pd.DataFrame], skeleton: str, final: str,
           extras: Extras) -> None:
    plans = _write_skeleton(data, frames, skeleton, extras)
    _fill(skeleton, final, plans)


def _write_skeleton(data: PipelineData, frames: dict[str, pd.DataFrame], filename: str,
                    extras: Extras = Extras()) -> list[tuple]:
    """The package by XlsxWriter; returns (sheet part, table part, table, frame) per sheet."""
    workbook = xlsxwriter.Workbook(filename, {
        # Client text is data: never turn it into a formula, a link or a number.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    workbook.set_properties({
        "title": "Pipeline commercial",
        "company": data.setting("company_name", "") or "",
        "comments": "Écrit par Pilotage",
    })
    fmts = styles.xlsxwriter_formats(workbook)
    plans = []
    if extras.first:
        extras.first(workbook, fmts)
    # Visible sheets first: the first sheet of a workbook may not be hidden.
    ordered = sorted(ATTRIBUTES.items(), key=lambda kv: kv[1].written_by_product)
    for name, table in ordered:
        if table.written_by_product and extras.last:
            extras.last(workbook, fmts)
            extras = Extras(each=extras.each)
        frame = frames[name]
        sheet = workbook.add_worksheet(table.sheet_fr)
        last_col = len(table.columns) - 1
        for c, col in enumerate(table.columns):
            sheet.set_column(c, c, styles.column_width(col, frame[col.name]))
            if fmts[col.kind] is not None:
                # A formatted blank cell: the style index the data cells of this column take.
                sheet.write_blank(1, c, None, fmts[col.kind])
        sheet.set_row(0, 30)
        sheet.freeze_panes(1, 0)
        # An Excel table needs a data row; it is extended to the data when it is filled.
        # add_table writes the header cells (with their format) itself.
        sheet.add_table(0, 0, 1, last_col, {
            "name": table.name,
            "style": styles.TABLE_STYLE,
            "columns": [{"header": col.label_fr, "header_format": fmts["header"]} for col in table.columns],
        })
        if extras.each:
            extras.each(workbook, sheet, table, frame, fmts)
        if table.written_by_product:
            sheet.hide()
        # XlsxWriter numbers sheet parts by position and table parts in creation order.
        number = len(workbook.worksheets())
        table_number = sum(len(ws.tables) for ws in workbook.worksheets())
        plans.append((f"xl/worksheets/sheet{number}.xml", f"xl/tables/table{table_number}.xml", table, frame))
    workbook.close()
    return plans


def _fill(skeleton: str, final: str, plans: list[tuple]) -> None:
    """Copy the package to ``final``, streaming the data rows into each sheet."""
    sheets = {p[0]: p for p in plans}
    tables = {p[1]: p for p in plans}
    with zipfile.ZipFile(skeleton) as zin, \
            zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
        for info in zin.infolist():
            part = zin.read(info)
            plan = sheets.get(info.filename) or tables.get(info.filename)
            if plan is None or len(plan[3]) == 0:
                zout.writestr(info, part)
            elif info.filename in tables:
                zout.writestr(info, _extend_table(part.decode("utf-8"), plan).encode("utf-8"))
            else:
                _stream_sheet(zout, info, part.decode("utf-8"), plan)


def _last_cell(table: schema.Table, n_rows: int) -> str:
    return f"{column_letter(len(table.columns))}{max(n_rows, 1) + 1}"


def _extend_table(xml: str, plan: tuple) -> str:
    _, _, table, frame = plan
    short, full = _last_cell(table, 1), _last_cell(table, len(frame))
    if f' name="{table.name}"' not in xml or f'ref="A1:{short}"' not in xml:
        # A bug (XlsxWriter laid the parts out differently), not a user's mistake.
        raise RuntimeError(f"partie de tableau inattendue pour {table.name}")
    return xml.replace(f'ref="A1:{short}"', f'ref="A1:{full}"')


def _stream_sheet(zout: zipfile.ZipFile, info: zipfile.ZipInfo, xml: str, plan: tuple) -> None:
    _, _, table, frame = plan
    start = xml.find('<row r="2"')
    end = xml.index("</sheetData>")
    if start < 0:
        start = end
    # Style index of each column's formatted cell in row 2 (absent: General).
    style = dict(re.findall(r'<c r="([A-Z]+)2" s="(\d+)"', xml[start:end]))
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{_last_cell(table, len(frame))}"/>',
                  xml[:start], count=1)
    # Zip64 only when a sheet may pass 2 GB (about 100 bytes a cell is generous).
    big = len(frame) * len(table.columns) * 100 > 2**31
    target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    target.compress_type = zipfile.ZIP_DEFLATED
    with zout.open(target, "w", force_zip64=big) as out:
        out.write(head.encode("utf-8"))
        for chunk in _rows(frame, table, style):
            out.write(chunk.encode("utf-8"))
        out.write(xml[end:].encode("utf-8"))


def _rows(frame: pd.DataFrame, table: schema.Table, style: dict[str, str]) -> Iterator[str]:
    """``<row>`` elements for the data rows (Excel rows 2, 3, ...), CHUNK_ROWS at a time."""
    letters = [column_letter(i + 1) for i in range(len(table.columns))]
    for first in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[first:first + CHUNK_ROWS]
        row_numbers = np.arange(first + 2, first + 2 + len(part)).astype(str).astype(object)
        xml = '<row r="' + row_numbers + '">'
        for col, letter in zip(table.columns, letters):
            s = f' s="{style[letter]}"' if letter in style else ""
            xml = xml + _cells(part[col.name], col.kind, '<c r="' + letter + row_numbers + '"' + s)
        yield "".join((xml + "</row>").tolist())


def _cells(series: pd.Series, kind: str, opening: np.ndarray) -> np.ndarray:
    """One column's ``<c>`` elements ('' where the cell stays empty); ``opening`` is ``<c r=".." s=".."``."""
    if kind == "date":
        ns = series.to_numpy(dtype="datetime64[ns]")
        missing = np.isnat(ns)
        # Excel serial numbers (kpicore.model.cells), for a whole column at once
        days = np.where(missing, 0, (ns - _EPOCH_NS).astype(np.int64) // _NS_PER_DAY)
        cells = opening + "><v>" + days.astype(str).astype(object) + "</v></c>"
    elif kind in ("amount", "number", "fraction", "int"):
        num = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = ~np.isfinite(num)
        text = np.where(missing, 0.0, num)
        # Integers without ".0"; other numbers in their shortest round-trip form.
        as_int = (text == np.round(text)) & (np.abs(text) < 1e15)
        shown = np.where(as_int, np.round(text).astype(np.int64).astype(str), text.astype(str))
        cells = opening + "><v>" + shown.astype(object) + "</v></c>"
    elif kind == "bool":
        values = series.astype("boolean")
        missing = values.isna().to_numpy()
        flag = np.where(values.fillna(False).to_numpy(dtype=bool), "1", "0").astype(object)
        cells = opening + ' t="b"><v>' + flag + "</v></c>"
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        inline = np.array([_inline(str(u)) for u in uniques] + [""], dtype=object)
        missing = (codes < 0) | (inline[codes] == "")
        cells = opening + ' t="inlineStr">' + inline[codes] + "</c>"
    cells[missing] = ""
    return cells


def _inline(text: str) -> str:
    """``<is><t>..</t></is>`` for one text value, escaped; '' for an empty text."""
    if text == "":
        return ""
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text[:MAX_TEXT])
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"
