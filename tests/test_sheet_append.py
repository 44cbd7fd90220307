"""A product sheet extended in place: the refresh of a new week adds its snapshot rows after the sheet's.

``workbook_templates.package.Appending``: the client's sheet keeps its bytes up to its last row, the new
rows follow, its ``<dimension>`` holds them; when the sheet does not end where the reader left it, the
sheet is written whole instead.  A refresh that takes the week's snapshot reads back the same snapshots
whichever way the sheet was written, and LibreOffice opens the extended sheet with every row.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from workbook_templates.package import Appending, SheetPart, replace_sheets

SHEET = "_Instantanés"
OLD = [["2026-11-16", "AFF-1", 1200.5], ["2026-11-16", "AFF-2", 800.0], ["2026-11-16", "AFF-3", 0.3]]
NEW = [["2026-11-23", "AFF-1", 1300.0], ["2026-11-23", "AFF-4", 95.25]]
HEADER = ["date", "affaire", "montant"]


def _write_rows(ws, rows, first: int) -> None:
    for i, row in enumerate(rows):
        ws.write_string(first + i, 0, row[0])
        ws.write_string(first + i, 1, row[1])
        ws.write_number(first + i, 2, row[2])


WRITTEN_WHOLE: list[str] = []


def _whole(wb, ws) -> None:
    WRITTEN_WHOLE.append(ws.name)
    ws.write_row(0, 0, HEADER)
    _write_rows(ws, OLD + NEW, 1)


def _tail(wb, ws) -> None:
    _write_rows(ws, NEW, 1 + len(OLD))


@pytest.fixture
def client(tmp_path) -> Path:
    """A client's workbook whose product sheet holds a header and three rows, as the last refresh wrote it."""
    WRITTEN_WHOLE.clear()
    path = tmp_path / "pipeline.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Affaires").write_row(0, 0, ["Affaire", "Montant"])
    wb.close()

    def first(wb, ws):
        ws.write_row(0, 0, HEADER)
        _write_rows(ws, OLD, 1)
    replace_sheets(path, {SHEET: SheetPart(first, "hidden")}, backup=False)
    return path


def _sheet_xml(path: Path, name: str | None = None) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name or _part_of(path, SHEET))


def _values(path: Path) -> list[list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in wb[SHEET].iter_rows(values_only=True)]


def test_the_sheet_keeps_its_rows_byte_for_byte_and_gains_the_new_ones(client):
    before = _sheet_xml(client)
    old_rows = before[before.find(b"<row "):before.find(b"</sheetData>")]
    replace_sheets(client, {SHEET: SheetPart(_whole, "hidden", Appending(1 + len(OLD), _tail))}, backup=False)
    after = _sheet_xml(client)
    assert old_rows in after and after.index(old_rows) < after.index(b'<row r="5"')
    assert re.search(rb'<dimension ref="A1:C6"/>', after)
    assert _values(client) == [HEADER, *OLD, *NEW] and WRITTEN_WHOLE == []


def test_a_sheet_that_does_not_end_where_the_reader_left_it_is_written_whole(client):
    # the reader saw two rows (one was typed over by hand, say): the sheet's three are not what it read
    replace_sheets(client, {SHEET: SheetPart(_whole, "hidden", Appending(3, _tail))}, backup=False)
    assert WRITTEN_WHOLE == [SHEET]
    assert _values(client) == [HEADER, *OLD, *NEW]


def test_a_sheet_to_extend_that_the_file_lacks_is_written_whole(tmp_path):
    WRITTEN_WHOLE.clear()
    path = tmp_path / "bare.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Affaires").write_row(0, 0, ["Affaire", "Montant"])
    wb.close()
    replace_sheets(path, {SHEET: SheetPart(_whole, "hidden", Appending(1 + len(OLD), _tail))}, backup=False)
    assert _values(path) == [HEADER, *OLD, *NEW] and WRITTEN_WHOLE == [SHEET]


@pytest.mark.libreoffice
def test_libreoffice_reads_every_row_of_the_extended_sheet(client, office):
    replace_sheets(client, {SHEET: SheetPart(_whole, "hidden", Appending(1 + len(OLD), _tail))}, backup=False)
    doc = office.open(client)
    try:
        sheet = doc.Sheets.getByName(SHEET)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        assert cursor.RangeAddress.EndRow == len(OLD) + len(NEW)  # 0-based: the header and five rows
        got = [[sheet.getCellByPosition(c, r).String if c < 2 else sheet.getCellByPosition(c, r).Value
                for c in range(3)] for r in range(1, 1 + len(OLD) + len(NEW))]
    finally:
        doc.close(True)
    assert got == [[d, a, pytest.approx(m)] for d, a, m in OLD + NEW]


# -- the refresh ----------------------------------------------------------------------------------------
NOW = datetime(2026, 11, 20, 8, 30)


def _snapshots_after_two_mondays(demo_workbook, tmp_path, monkeypatch, *, in_place: bool):
    """The demo workbook refreshed on the data's date, then on each of the next two Mondays (each takes the
    week's snapshot): the snapshots read back, the snapshot sheet's XML before the second Monday and
    after, the first refresh, and the first row each Monday wrote the snapshot sheet from."""
    import kpicore.forecast.snapshots as snapshots
    import workbook_templates.product_sheets as product_sheets
    from addin.actions.refresh import read_company, refresh
    from addin.engines.file import FileWorkbook
    from kpicore.model import schema

    path = tmp_path / ("in_place.xlsx" if in_place else "whole.xlsx")
    shutil.copy(demo_workbook, path)
    first = refresh(FileWorkbook(path, backup=False), now=NOW, n_sims=200)
    if not in_place:
        monkeypatch.setattr(snapshots, "snapshot_rows_in_place", lambda data, on: 0)
    written: list[tuple[str, int]] = []
    real = product_sheets.write_frame_sheet

    def watched(wb, ws, frame, table, *, first_row=0):
        written.append((table.sheet_fr, first_row))
        return real(wb, ws, frame, table, first_row=first_row)

    monkeypatch.setattr(product_sheets, "write_frame_sheet", watched)
    sheet = schema.PIPELINE_SNAPSHOTS.sheet_fr
    monday = first.as_of + timedelta(days=7 - first.as_of.weekday())
    before = b""
    for week in (0, 7):
        before = _sheet_xml(path, _part_of(path, sheet))
        outcome = refresh(FileWorkbook(path, backup=False), as_of=monday + timedelta(days=week), now=NOW,
                          n_sims=200)
        assert outcome.snapshot_taken
    monkeypatch.undo()
    firsts = [row for name, row in written if name == sheet]
    return (read_company(FileWorkbook(path)).pipeline_snapshots, before, _sheet_xml(path, _part_of(path, sheet)),
            first, firsts)


def _part_of(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book)[1]
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    target = target or re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target[1].removeprefix("/xl/")


def test_the_monday_refresh_extends_the_snapshot_sheet_and_reads_back_what_a_whole_write_does(
        demo_workbook, tmp_path, monkeypatch):
    appended, before, after, first, firsts = _snapshots_after_two_mondays(demo_workbook, tmp_path, monkeypatch,
                                                                          in_place=True)
    old_rows = before[before.find(b"<row "):before.find(b"</sheetData>")]
    assert old_rows in after  # the rows of the earlier weeks untouched
    open_deals = first.data.deals[first.data.deals["status"] == "open"]
    n = len(first.data.pipeline_snapshots)
    # the template's sheet is an Excel table, whose range would not hold new rows: its extension is refused
    # and it is written whole once; the next Monday writes only its week's rows
    assert firsts == [n, 0, n + len(open_deals)]
    whole, _, _, _, firsts = _snapshots_after_two_mondays(demo_workbook, tmp_path, monkeypatch, in_place=False)
    assert firsts == [0, 0]  # the other way: the sheet written again, every row
    pd.testing.assert_frame_equal(appended.reset_index(drop=True), whole.reset_index(drop=True))
    # each week's photograph: every deal open on the data's date, dated its Monday
    dates = sorted(appended["snapshot_on"].unique())[-2:]
    for day in dates:
        assert sorted(appended.loc[appended["snapshot_on"] == day, "deal_id"]) == sorted(open_deals["deal_id"])
    assert len(appended) == len(first.data.pipeline_snapshots) + 2 * len(open_deals)
