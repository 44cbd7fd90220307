"""The cockpit: the spec carries the engine's numbers, the rep view holds no colleague's figures,
client text is never a formula, and in LibreOffice the tiles recalculate and follow their target."""

import csv
import re
import shutil
import warnings
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from kpicore.model import schema
from kpicore.cockpit.build import SHEET_NAME, TILE_KPIS, build_cockpit
from kpicore.demo.company import DEMO_AS_OF
from kpicore.metrics.kpis import KpiEngine
from kpicore.cockpit.palette import BAD_FILL, GOOD_FILL, WARN_FILL
from kpicore.text.sheets import rendered

NOW = datetime(2026, 11, 20, 8, 30)


def cockpit(data, language="fr", **kw):
    """The cockpit as the edges write it: built, then rendered in ``language``."""
    return rendered(build_cockpit(data, DEMO_AS_OF, refreshed_at=NOW, **kw), language)


@pytest.fixture(scope="module")
def manager_spec(demo_data):
    return cockpit(demo_data, view="manager", n_sims=500)


def _values(spec):
    return {(r, c): cell.value for (r, c), cell in spec.cell_map().items()}


def test_tiles_carry_the_engine_values_for_the_month(manager_spec, demo_data):
    engine = KpiEngine(demo_data, DEMO_AS_OF)
    expected = {v.kpi: v.value for v in engine.values("2026-11", "company", kpis=TILE_KPIS, with_trend=False)}
    tiles = manager_spec.block("tiles")
    for i, kpi in enumerate(TILE_KPIS):
        assert tiles.cells[1][2 * i].value == pytest.approx(expected[kpi]), kpi
    # revenue won to date, recomputed from the deals themselves
    d = demo_data.deals
    won = d[(d["status"] == "won") & (d["closed_on"] >= "2026-11-01") & (d["closed_on"] <= "2026-11-20")]
    assert tiles.cells[1][0].value == pytest.approx(won["amount"].sum())


def test_tile_target_is_a_live_formula_into_targets(manager_spec):
    target_cell = manager_spec.block("tiles").cells[2][1]
    assert target_cell.formula.startswith("=SUMIFS('Objectifs'!$E:$E")
    assert '"2026-11"' in target_cell.formula
    kinds = {r.kind for r in manager_spec.rules}
    assert {"formula", "color_scale", "data_bar", "icon_set"} <= kinds


def test_tile_status_formula_is_the_on_target_rule(manager_spec):
    status = {kpi: manager_spec.block("tiles").cells[1][2 * i + 1].formula for i, kpi in enumerate(TILE_KPIS)}
    # revenue to date against the month's target × 20/30 (20 November), near within behind_pace_pct (20 %)
    assert re.search(r">=[A-Z]+\d+\*0\.666667,", status["revenue_won"]), status["revenue_won"]
    assert "*0.666667*0.8," in status["revenue_won"]
    # a rate per week is already over the days elapsed: its whole target, near within 10 %
    assert re.search(r">=[A-Z]+\d+,", status["qualified_meetings_per_week"])
    assert "*0.9," in status["qualified_meetings_per_week"]
    # a shorter cycle is better: the bounds are mirrored
    assert re.search(r"<=[A-Z]+\d+,", status["sales_cycle_days"]) and "*1.1," in status["sales_cycle_days"]


def test_manager_table_has_one_row_per_rep(manager_spec, demo_data):
    table = manager_spec.block("scope_table")
    names = [row[0].value for row in table.cells[2:]]
    assert sorted(names) == sorted(demo_data.reps["rep"])


def test_rep_view_holds_only_that_rep(demo_data):
    reps = list(demo_data.reps["rep"])
    me = reps[0]
    spec = cockpit(demo_data, view="rep", who=me, n_sims=300)
    text = " ".join(str(v) for v in _values(spec).values() if isinstance(v, str))
    text += " ".join(c.formula or "" for c in spec.cell_map().values())
    for other in reps[1:]:
        assert other not in text, f"{other} appears in {me}'s view"
    assert me in text


def test_direction_view_rolls_up_by_team(demo_data):
    spec = cockpit(demo_data, view="direction", n_sims=300)
    names = [row[0].value for row in spec.block("scope_table").cells[2:]]
    assert sorted(names) == sorted(demo_data.reps["team"].unique())


INJECTIONS = ["=HYPERLINK(\"http://x.invalid\",\"clic\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
              "=1+1", 'Dupont "le grand"']


def test_client_text_is_never_written_as_a_formula(demo_data, tmp_path):
    """Account, rep and stage names that look like formulas stay text in the written sheet."""
    import openpyxl

    from workbook_templates.cockpit_sheet import write_cockpit_file

    deals = demo_data.deals.copy()
    reps = demo_data.reps.copy()
    acts = demo_data.activities.copy()
    targets = demo_data.targets.copy()
    rename = dict(zip(reps["rep"], INJECTIONS[: len(reps)]))
    reps["rep"] = reps["rep"].map(lambda r: rename.get(r, r))
    deals["owner"] = deals["owner"].map(lambda r: rename.get(r, r))
    acts["rep"] = acts["rep"].map(lambda r: rename.get(r, r))
    targets["scope_name"] = targets["scope_name"].map(lambda r: rename.get(r, r) if isinstance(r, str) else r)
    deals["account"] = [INJECTIONS[i % len(INJECTIONS)] for i in range(len(deals))]
    data = demo_data.with_frames(deals=schema.conform(deals, schema.DEALS), reps=reps, activities=acts,
                                 targets=targets)
    spec = cockpit(data, view="manager", n_sims=200)
    path = write_cockpit_file(spec, tmp_path / "c.xlsx")
    with warnings.catch_warnings():  # openpyxl does not model sparklines (an extension) and says so
        warnings.simplefilter("ignore", UserWarning)
        ws = openpyxl.load_workbook(path)[SHEET_NAME]
    seen = set()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value in INJECTIONS:
                assert cell.data_type == "s", (cell.coordinate, cell.value)
                seen.add(cell.value)
            if cell.data_type == "f":
                # our own formulas only: they start with a function or a reference, and quote client text
                assert cell.value.startswith(("=SUMIFS(", "=IF(", "=IFERROR(", "=HYPERLINK(")), cell.value
    assert len(seen) >= 4, seen


def _fill_pixels(png, colour, top_share=0.22):
    from PIL import Image

    img = Image.open(png).convert("RGB")
    w, h = img.size
    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    box = np.asarray(img.crop((0, 0, w, int(h * top_share))), dtype=int)
    return int((np.abs(box - np.array(target)).max(axis=2) <= 6).sum())


@pytest.mark.libreoffice
def test_refreshed_demo_recalculates_in_libreoffice_and_tile_follows_target(soffice, pdftoppm, demo_workbook,
                                                                            tmp_path):
    import openpyxl

    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from workbook_templates.libreoffice import convert, sheet_png

    book = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, book)
    outcome = refresh(FileWorkbook(book), as_of=DEMO_AS_OF, now=NOW, n_sims=500)

    # recalculated by LibreOffice: no error value anywhere on the cockpit
    csv_dir = tmp_path / "csv"
    convert(book, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", csv_dir)
    with (csv_dir / f"pipeline-{SHEET_NAME}.csv").open(encoding="utf-8") as fh:
        grid = list(csv.reader(fh))
    cells = [c for row in grid for c in row]
    errors = [c for c in cells if c.startswith("#") or c in ("Err:502", "Err:504", "Err:508")]
    assert not errors, errors
    # the revenue tile's target, recalculated from the Targets sheet, is the engine's target
    tiles = outcome.spec.block("tiles")
    target = tiles.cells[2][1].value
    assert float(grid[tiles.row + 2][tiles.col + 1]) == pytest.approx(target)

    before = sheet_png(book, SHEET_NAME, tmp_path / "before")[0]
    bad_before = _fill_pixels(before, BAD_FILL)
    good_before = _fill_pixels(before, GOOD_FILL) + _fill_pixels(before, WARN_FILL)  # on or near the target
    # the revenue tile compares revenue won to date with the target pro rata of the month elapsed, near
    # within revenue_won's behind_pace_pct (20 %); flip it the other way
    revenue = tiles.cells[1][0].value
    pace = target * (DEMO_AS_OF.day / 30)
    behind = revenue < 0.8 * pace
    new_target = 1000 if behind else 1e9
    # a manager edits the month's company revenue target in Objectifs (no refresh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(book)
    ws = wb[schema.TARGETS.sheet_fr]
    header = [c.value for c in ws[1]]
    col = {name: header.index(schema.TARGETS.column(name).label_fr) for name in
           ("period", "scope_type", "metric", "value")}
    changed = 0
    for row in ws.iter_rows(min_row=2):
        if (row[col["period"]].value == "2026-11" and row[col["scope_type"]].value == "company"
                and row[col["metric"]].value == "revenue"):
            row[col["value"]].value = new_target
            changed += 1
    assert changed == 1
    wb.save(book)

    after = sheet_png(book, SHEET_NAME, tmp_path / "after")[0]
    bad_after = _fill_pixels(after, BAD_FILL)
    good_after = _fill_pixels(after, GOOD_FILL) + _fill_pixels(after, WARN_FILL)
    if behind:  # red -> blue (on target)
        assert bad_after < bad_before and good_after > good_before, (bad_before, bad_after, good_before, good_after)
    else:  # blue or orange (on or near target) -> red
        assert bad_after > bad_before and good_after < good_before, (bad_before, bad_after, good_before, good_after)


def test_refresh_keeps_one_forecast_snapshot_per_day_and_leaves_data_sheets_alone(demo_workbook, demo_data,
                                                                                  tmp_path):
    import zipfile

    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    book = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, book)
    with zipfile.ZipFile(book) as z:
        before = {i.filename: z.read(i.filename) for i in z.infolist() if i.filename.startswith("xl/worksheets/")}
    scopes = 1 + demo_data.reps["team"].nunique() + len(demo_data.reps)  # company, teams, reps
    first = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200)
    assert len(first.forecast_history) == 2 * scopes  # the month and the quarter
    again = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200)
    assert len(again.forecast_history) == 2 * scopes  # same day: replaced, not appended
    week_before = refresh(FileWorkbook(book, backup=False), as_of="2026-11-13", now=NOW, n_sims=200)
    assert len(week_before.forecast_history) == 4 * scopes
    with zipfile.ZipFile(book) as z:
        assert z.read("xl/worksheets/sheet1.xml") != before["xl/worksheets/sheet1.xml"]
        for name, data in before.items():
            if name == "xl/worksheets/sheet1.xml":
                # the sheet shown before the refresh only loses its tab's selection: the Cockpit is shown now
                data = data.replace(b' tabSelected="1"', b"", 1)
            assert z.read(name) == data, f"{name} changed"


def test_view_precedence_command_line_then_cell_then_settings():
    from kpicore.cockpit.build import resolve_view
    from kpicore.model.errors import UsageError

    assert resolve_view("rep", "Direction", "manager") == "rep"
    assert resolve_view(None, "Direction", "rep") == "direction"  # the cell's French label
    assert resolve_view(None, None, "Commercial") == "rep"
    assert resolve_view(None, "", None) == "manager"
    with pytest.raises(UsageError, match="vue « Patron » inconnue"):
        resolve_view(None, "Patron", None)


def test_refresh_reads_the_view_chosen_in_the_cockpit_cell(demo_workbook, tmp_path):
    """A manager picks « Direction » in the drop-down; the next refresh builds the direction view."""
    import openpyxl

    from addin.actions.refresh import refresh, view_cell
    from addin.engines.file import FileWorkbook
    from kpicore.cockpit.build import VIEW_CELL

    book = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, book)
    assert refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200).view == "manager"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(book)
    wb[SHEET_NAME].cell(VIEW_CELL[0] + 1, VIEW_CELL[1] + 1).value = "Direction"
    wb.save(book)
    assert view_cell(FileWorkbook(book).sheet_rows(SHEET_NAME)) == "Direction"
    outcome = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200)
    assert outcome.view == "direction"
    names = [row[0].value for row in outcome.spec.block("scope_table").cells[2:]]
    assert sorted(names) == sorted(outcome.data.reps["team"].unique())
    assert view_cell(FileWorkbook(book).sheet_rows(SHEET_NAME)) == "Direction"


def test_the_product_sheets_are_never_read_back_as_client_data(demo_workbook, tmp_path):
    """After a refresh, the forecast history's headers look like Targets; the ingest must skip them."""
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from kpicore.text.catalogue import render
    from workbook_templates.reading import load_pipeline

    book = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, book)
    clean = load_pipeline(book)
    refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200)
    again = load_pipeline(book)
    assert len(again.quality.issues) == len(clean.quality.issues)
    assert len(again.targets) == len(clean.targets)
    second = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=200)
    assert second.spec.block("header").cells[0][10].value == render(clean.quality.badge(), "fr")


def test_refresh_photographs_the_pipeline_once_a_week(demo_workbook, demo_data, tmp_path):
    """A live refresh in a week without a photograph adds one (the open deals, as they are)."""
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from workbook_templates.reading import load_pipeline

    deals = demo_data.deals
    late = deals["created_on"].max() + pd.Timedelta(days=7)  # the data's date moves to the next week
    newer = demo_data.with_frames(deals=pd.concat([deals, deals.tail(1).assign(
        deal_id="AFF-99999", created_on=late, status="open", closed_on=pd.NaT)], ignore_index=True))
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    book = write_pipeline_workbook(newer, tmp_path / "pipeline.xlsx")
    before = load_pipeline(book).pipeline_snapshots
    refresh(FileWorkbook(book, backup=False), now=NOW, n_sims=200)
    after = load_pipeline(book).pipeline_snapshots
    shot = after[after["snapshot_on"] == late]
    open_now = newer.deals[newer.deals["status"] == "open"]
    assert len(after) == len(before) + len(open_now)
    assert set(shot["deal_id"]) == set(open_now["deal_id"])
    assert shot["amount"].sum() == pytest.approx(open_now["amount"].sum())
    refresh(FileWorkbook(book, backup=False), now=NOW, n_sims=200)  # same week: no second photograph
    assert len(load_pipeline(book).pipeline_snapshots) == len(after)
