"""The large sheets read as columns (``workbook_templates.columnar``) give the cells calamine's rows give.

Every corpus workbook and the demo are read twice, with every eligible sheet read as columns and with
none, and the grids compared cell for cell (the type of each cell as well as its value); the quality
reports then agree message for message because the goldens (``tests/test_reading_golden.py``,
``tests/test_corpus.py``) hold under both readers.  Files built here hold each case where fastexcel's
columns would differ from calamine's rows, and the reader must fall back to the rows there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from kpicore.ingest.column_rows import ColumnRows


def _grids(path: Path, monkeypatch, threshold: str):
    from workbook_templates.reading import read_source

    monkeypatch.setenv("PILOTAGE_COLUMNAR_BYTES", threshold)
    return read_source(path).grids


def _cells(grid) -> list[list[tuple[type, object]]]:
    return [[(type(c), c) for c in row] for row in grid.rows]


def _same_both_ways(path: Path, monkeypatch) -> int:
    """Assert both readers give the same grids; the number of grids read as columns."""
    by_rows = _grids(path, monkeypatch, "off")
    by_columns = _grids(path, monkeypatch, "0")
    assert [(g.sheet, g.table_name, g.first_row, g.first_col) for g in by_columns] == \
           [(g.sheet, g.table_name, g.first_row, g.first_col) for g in by_rows]
    for a, b in zip(by_rows, by_columns):
        assert not isinstance(a.rows, ColumnRows)
        assert _cells(b) == _cells(a), f"{path.name} / {a.sheet}"
    return sum(isinstance(g.rows, ColumnRows) for g in by_columns)


def test_every_corpus_workbook_reads_the_same_by_columns(tmp_path, monkeypatch):
    from corpus import all_files

    built = []
    for k, f in enumerate(all_files()):
        if not f.needs_office:
            (tmp_path / f"{k:02d}").mkdir()
            built.append(f.build(tmp_path / f"{k:02d}"))
    workbooks = [path for path in built if path.suffix.lower() in (".xlsx", ".xlsm")]
    assert len(workbooks) >= 15
    read_by_columns = sum(_same_both_ways(path, monkeypatch) for path in workbooks)
    # the corpus's clean exports take the columnar path (else the comparison above would prove nothing);
    # its hand-kept files (titles above the header, text among amounts) fall back to the rows
    assert read_by_columns >= 10


def test_the_demo_reads_the_same_by_columns(demo_workbook, monkeypatch):
    assert _same_both_ways(demo_workbook, monkeypatch) >= 5


def _book(path: Path, rows: list[list], *, at: str = "A1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Affaires"
    top = openpyxl.utils.cell.coordinate_from_string(at)
    first_col = openpyxl.utils.column_index_from_string(top[0])
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(top[1] + i, first_col + j, value)
    wb.save(path)
    return path


HEADER = ["N° affaire", "Client", "Montant HT", "Date de création"]
BODY = [["A-1", "Durand", 1200.5, dt.datetime(2026, 1, 5)],
        ["A-2", "Martin", 300.0, dt.datetime(2026, 1, 6, 10, 30)],
        ["A-3", None, None, None],
        ["A-4", "Petit", 10.0, dt.datetime(2026, 2, 1)]]


@pytest.mark.parametrize("case, rows, at", [
    ("a title above the header", [["Export du 01/04/2026"], [], HEADER] + BODY, "A1"),
    ("a text among the amounts", [HEADER] + BODY + [["A-5", "Roux", "1 300 €", dt.datetime(2026, 2, 2)]], "A1"),
    ("a header twice", [HEADER + ["Client"]] + [r + ["x"] for r in BODY], "A1"),
    ("a number in the header", [HEADER + [2026]] + [r + [1.0] for r in BODY], "A1"),
    ("a time of day", [HEADER + ["Heure"]] + [r + [dt.time(9, 30)] for r in BODY], "A1"),
    ("a table that starts at B3", [HEADER] + BODY, "B3"),
])
def test_the_rows_reader_takes_the_sheets_columns_could_misread(tmp_path, monkeypatch, case, rows, at):
    path = _book(tmp_path / "pipeline.xlsx", rows, at=at)
    assert _same_both_ways(path, monkeypatch) == 0, case


def test_a_clean_sheet_is_read_by_columns_with_calamines_cells(tmp_path, monkeypatch):
    path = _book(tmp_path / "pipeline.xlsx", [HEADER + [""]] + [r + [True] for r in BODY])
    grid = _grids(path, monkeypatch, "0")[0]
    assert isinstance(grid.rows, ColumnRows)
    # an empty header cell is "", an empty cell "", a date at midnight a date, else a datetime
    assert grid.rows[0] == HEADER + [""]
    assert grid.rows[1] == ["A-1", "Durand", 1200.5, dt.date(2026, 1, 5), True]
    assert type(grid.rows[2][3]) is dt.datetime and grid.rows[2][3] == dt.datetime(2026, 1, 6, 10, 30)
    assert grid.rows[3] == ["A-3", "", "", "", True]
    assert _same_both_ways(path, monkeypatch) == 1


def test_a_text_too_long_is_cut_the_same_by_columns(tmp_path, monkeypatch):
    from support import security_corpus
    from workbook_templates.reading import MAX_CELL_CHARS, ingest_grids

    path = security_corpus.huge_cell(tmp_path)  # a five-million-character cell (no writer makes one)
    outcomes = []
    for threshold in ("off", "0"):
        grids = _grids(path, monkeypatch, threshold)
        assert isinstance(grids[0].rows, ColumnRows) == (threshold == "0")
        data = ingest_grids(grids, path.name)
        cut = [(i.sheet, i.row, i.column) for i in data.quality.issues if "tronqué" in str(i.problem)]
        outcomes.append((cut, [len(c) for row in grids[0].rows for c in row if isinstance(c, str)]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == [("Affaires", 2, "Client")]
    assert max(outcomes[0][1]) == MAX_CELL_CHARS


def test_column_rows_behave_as_the_rows_they_hold():
    import numpy as np

    rows = [["a", 1.0, ""], ["b", 2.0, True], ["c", "", False]]
    columns = [np.array(c, dtype=object) for c in zip(*rows)]
    held = ColumnRows(columns)
    assert len(held) == 3 and held.width == 3
    assert list(held) == rows
    assert held[-1] == rows[-1] and list(held[1:]) == rows[1:] and held[::2] == rows[::2]
    assert len(held[5:]) == 0
    with pytest.raises(IndexError):
        held[3]
    held[1, 0] = "B"
    assert held[1][0] == "B"
