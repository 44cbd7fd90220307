"""One refresh, whatever the engine: the file engine, the xlwings engine (over the recording engine,
replayed to a file) and the UNO engine (a real headless LibreOffice) refresh the same demo workbook
twice, a week apart, and must leave the same product sheets: the same cockpit (values, formulas,
looks, conditional rules), the same quality sheet, the same rows added to the forecast history and
to the pipeline snapshots, the sheets in the same places, the Cockpit shown.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import support.sheet_compare as cmp
from support.recorded import recorded_book
from kpicore.model import schema
from kpicore.demo.company import DEMO_AS_OF

NOW = datetime(2026, 11, 20, 8, 30)
LATER = DEMO_AS_OF + timedelta(days=7)
SIMS = 200
PRODUCT = [schema.COCKPIT_SHEET, schema.QUALITY_SHEET, schema.CORRESPONDENCES_SHEET, schema.FORECAST_HISTORY.sheet_fr,
           schema.BACKTEST_SHEET]


def _twice(book) -> tuple:
    from addin.actions.refresh import refresh

    first = refresh(book, as_of=DEMO_AS_OF, now=NOW, n_sims=SIMS)
    second = refresh(book, as_of=LATER, now=NOW, n_sims=SIMS)
    return first, second


@pytest.fixture(scope="module")
def by_file(demo_workbook, tmp_path_factory) -> tuple[Path, tuple]:
    from addin.engines.file import FileWorkbook

    path = tmp_path_factory.mktemp("file") / "pipeline.xlsx"
    shutil.copy(demo_workbook, path)
    outcomes = _twice(FileWorkbook(path, backup=False, progress=None))
    return path, outcomes


@pytest.fixture(scope="module")
def by_xlwings(demo_workbook, tmp_path_factory) -> tuple[Path, tuple]:
    from addin.engines.xlwings import XlwingsWorkbook
    from support.recording_engine import replay_book_to_xlsx

    folder = tmp_path_factory.mktemp("xlwings")
    source = folder / "pipeline.xlsx"
    shutil.copy(demo_workbook, source)
    book = recorded_book(source)
    outcomes = _twice(XlwingsWorkbook(book))
    replayed = replay_book_to_xlsx(book, folder / "replayed.xlsx")
    return replayed, outcomes, cmp.load_book(replayed).active.title


@pytest.fixture(scope="module")
def by_uno(office, demo_workbook, tmp_path_factory) -> tuple[Path, tuple]:
    from addin.engines.uno import UnoWorkbook
    from addin.engines.uno_bridge import store_as_xlsx

    folder = tmp_path_factory.mktemp("uno")
    source = folder / "pipeline.xlsx"
    shutil.copy(demo_workbook, source)
    doc = office.open(source)
    try:
        outcomes = _twice(UnoWorkbook(doc))
        shown = doc.CurrentController.ActiveSheet.Name
        saved = store_as_xlsx(doc, folder / "saved.xlsx")
    finally:
        doc.close(True)
    return saved, outcomes, shown


def _frame(book, table: schema.Table):
    from workbook_templates.product_sheets import frame_from_rows

    rows = [list(r) for r in book[table.sheet_fr].iter_rows(values_only=True)]
    return frame_from_rows(rows, table)


def _kept(book):
    from kpicore.forecast.kept_backtest import kept_of_rows

    return kept_of_rows([list(r) for r in book[schema.BACKTEST_SHEET].iter_rows(values_only=True)])


def _assert_same_frames(a, b) -> None:
    import pandas as pd

    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False, rtol=1e-9)


def _lists(ws) -> dict[str, str]:
    """Each cell's list validation source (LibreOffice joins the cells of one list into one range)."""
    from openpyxl.utils import get_column_letter, range_boundaries

    out = {}
    for v in ws.data_validations.dataValidation:
        for rng in v.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(rng.coord)
            out.update({f"{get_column_letter(c)}{r}": v.formula1.replace("$", "")
                        for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)})
    return out


@pytest.mark.parametrize("engine", ["by_xlwings", pytest.param("by_uno", marks=pytest.mark.libreoffice)])
def test_every_engine_leaves_the_file_engines_product_sheets(engine, by_file, demo_workbook, request):
    path, (first, second), shown = request.getfixturevalue(engine)
    ref_path, (ref_first, ref_second) = by_file
    got, ref = cmp.load_book(path), cmp.load_book(ref_path)

    # the same company read, the same cockpit built, twice
    assert second.spec == ref_second.spec and first.spec == ref_first.spec
    # the sheets: the client's first, in their order, the new product sheets after them, the Cockpit shown
    client = cmp.load_book(demo_workbook).sheetnames
    assert ref.sheetnames == got.sheetnames == client + PRODUCT
    # the sheet shown once the refresh is done (Calc's view of a hidden document: LibreOffice saves the
    # active tab of a window only, so it is read from the live document)
    assert shown == ref.active.title == schema.COCKPIT_SHEET
    states = {ws.title: ws.sheet_state for ws in got.worksheets}
    assert states == {ws.title: ws.sheet_state for ws in ref.worksheets}
    assert states[schema.FORECAST_HISTORY.sheet_fr] == states[schema.PIPELINE_SNAPSHOTS.sheet_fr] == "hidden"
    assert states[schema.BACKTEST_SHEET] == "hidden"
    assert states[schema.COCKPIT_SHEET] == states[schema.QUALITY_SHEET] == "visible"

    for name in (schema.COCKPIT_SHEET, schema.QUALITY_SHEET, schema.CORRESPONDENCES_SHEET):
        a, b = ref[name], got[name]
        diff = cmp.differences(cmp.cells(a), cmp.cells(b))
        assert diff == {}, (name, diff)
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges)), name
        assert cmp.rules_by_range(b) == cmp.rules_by_range(a), name
    # « Correspondances »: the same drop-downs on the same cells, each drawn from the same hidden range
    a, b = ref[schema.CORRESPONDENCES_SHEET], got[schema.CORRESPONDENCES_SHEET]
    assert _lists(b) == _lists(a) and len(_lists(a)) > 10
    # their ranges and cells (xlwings has no API for a sparkline's colour: Excel gives its default)
    assert [s[:2] for s in cmp.sparklines(path, schema.COCKPIT_SHEET)] == \
        [s[:2] for s in cmp.sparklines(ref_path, schema.COCKPIT_SHEET)]
    assert len(cmp.sparklines(ref_path, schema.COCKPIT_SHEET)) == len(second.spec.sparklines) > 0
    n_formulas = sum(1 for c in second.spec.cell_map().values() if c.formula)
    assert n_formulas >= 20 and sum(1 for v in cmp.cells(got[schema.COCKPIT_SHEET]).values() if v[1] == "f") \
        == n_formulas

    # the same rows added to the forecast history and to the snapshots
    for table in (schema.FORECAST_HISTORY, schema.PIPELINE_SNAPSHOTS):
        _assert_same_frames(_frame(got, table), _frame(ref, table))
    # the week's replay, read back the same: its key, and every row to the digits it is kept to
    kept, ref_kept = _kept(got), _kept(ref)
    assert kept.key == ref_kept.key == second.backtest.key and len(ref_kept.backtest.rows) > 0
    _assert_same_frames(kept.backtest.rows, ref_kept.backtest.rows)


def test_a_refresh_a_week_later_adds_one_history_row_per_forecast_and_one_snapshot(by_file, demo_data):
    path, (first, second) = by_file
    scopes = 1 + demo_data.reps["team"].nunique() + len(demo_data.reps)  # company, teams, reps
    assert len(first.forecast_history) == 2 * scopes  # the month and the quarter, every scope
    assert len(second.forecast_history) == 4 * scopes
    days = second.forecast_history["snapshot_on"].dt.date.value_counts()
    assert days.to_dict() == {DEMO_AS_OF: 2 * scopes, LATER: 2 * scopes}
    # the demo already has its photograph for the week of DEMO_AS_OF; the week after gets one
    assert not first.snapshot_taken and second.snapshot_taken
    book = cmp.load_book(path)
    snaps = _frame(book, schema.PIPELINE_SNAPSHOTS)
    before = demo_data.pipeline_snapshots
    open_deals = demo_data.deals[demo_data.deals["status"] == "open"]
    assert len(snaps) == len(before) + len(open_deals)
    shot = snaps[snaps["snapshot_on"].dt.date == LATER]
    assert set(shot["deal_id"]) == set(open_deals["deal_id"])
    assert shot["amount"].sum() == pytest.approx(open_deals["amount"].sum())
