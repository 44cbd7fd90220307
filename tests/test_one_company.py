"""Every path reads the same company: the edited KPI dictionary and the reps' activity workbooks.

A small company typed into the pipeline template: Anne Leroy decided 8 deals with a proposal this
autumn, 3 won (37.5 %); her 6 qualified meetings of November are only in the shared activity
workbook listed in Paramètres; the manager raised the conversion alert's threshold from 25 % to
60 % in « Dictionnaire KPI ».  So, worked by hand:

- qualified meetings per week, November 2026 as of the 20th (20 days elapsed): 6 ÷ (20 ÷ 7) = 2.1;
  without the activity workbook, 0;
- the conversion alert: 37.5 % is not below the shipped 25 %, it is below the edited 60 %, and
  3 wins or fewer out of 8 at a true rate of 60 % has a probability of 0.174, under the shipped
  noise guard of 0.20: the alert fires only with the edited dictionary.

``kpis``, ``alerts``, ``deck weekly``, the refresh, the ribbon (recording engine) and the Calc
menu must all show both.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpicore.text.catalogue import render
from kpicore.model import schema
from kpicore.metrics.dictionary import COLUMNS_FR, DEFAULT_DICTIONARY, SHEET_FR
from support.recorded import recorded_book
from support.template_fill import activities, activity_book, fill_table
from workbook_templates import pipeline_template as pt

AS_OF = pd.Timestamp("2026-11-20")
NOW = datetime(2026, 11, 20, 9, 0)
REP = "Anne Leroy"
MEETINGS = 6
EXPECTED_PER_WEEK = MEETINGS / (20 / 7)
CONVERSION = 3 / 8
EDITED_BELOW = 0.60


def _binom_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


def _deals() -> pd.DataFrame:
    rows = []
    for i in range(8):
        won = i < 3
        rows.append({"deal_id": f"AFF-{i + 1:03d}", "account": f"Client {i + 1}", "owner": REP,
                     "stage": "Gagnée" if won else "Perdue", "status": "won" if won else "lost", "amount": 10_000.0,
                     "created_on": pd.Timestamp("2026-09-01"), "proposal_on": pd.Timestamp("2026-10-01"),
                     "closed_on": pd.Timestamp("2026-11-02") + pd.Timedelta(days=i)})
    return schema.conform(pd.DataFrame(rows), schema.DEALS)


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    """The pipeline workbook (deals, edited dictionary, Settings naming the activity workbook) and the
    activity workbook beside it."""
    assert CONVERSION >= DEFAULT_DICTIONARY.threshold("proposal_conversion", "alert_below")
    assert CONVERSION < EDITED_BELOW
    assert _binom_cdf(3, 8, EDITED_BELOW) < DEFAULT_DICTIONARY.threshold("proposal_conversion", "max_p_value")

    folder = tmp_path_factory.mktemp("company")
    (folder / "Activités").mkdir()
    days = ["2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16", "2026-11-20"]
    activity_book(folder / "Activités" / "Anne.xlsx", [REP],
                  activities([(d, REP, "qualified_meeting", None, "Client 1", "") for d in days]))
    path = pt.write_pipeline_template(folder / "Pipeline.xlsx", reps=[REP],
                                      settings={"activity_workbooks": "Activités/Anne.xlsx"})
    wb = openpyxl.load_workbook(path)
    fill_table(wb[schema.DEALS.sheet_fr], schema.DEALS, _deals())
    ws = wb[SHEET_FR]
    row = 2 + list(DEFAULT_DICTIONARY.ids).index("proposal_conversion")
    ws.cell(row, list(COLUMNS_FR).index("alert_below") + 1).value = EDITED_BELOW
    wb.save(path)
    return path


@pytest.fixture
def copy(company, tmp_path) -> Path:
    """A copy of the company's folder (the activity workbook stays beside the pipeline)."""
    folder = tmp_path / "copie"
    shutil.copytree(company.parent, folder)
    return folder / company.name


def _conversion_alerts(texts) -> list[str]:
    return [t for t in texts if isinstance(t, str) and "transformation des propositions à 38" in t]


def _spec_texts(spec) -> list:
    return [c.value for c in spec.cell_map().values()]


def _meetings_in_rep_row(spec) -> float:
    """The rep table's « RDV qualifiés / semaine » cell on Anne's row."""
    table = spec.block("scope_table")
    header = [c.value for c in table.cells[1]]
    column = next(j for j, h in enumerate(header) if isinstance(h, str) and h.startswith("RDV"))
    row = next(r for r in table.cells[2:] if r[0].value == REP)
    return row[column].value


def test_the_command_line_reads_the_dictionary_and_the_activity_workbook(company, capsys):
    from addin.cli import main

    assert main(["kpis", str(company), "--period", "2026-11", "--as-of", "2026-11-20", "--json"]) == 0
    kpis = {k["id"]: k["value"] for k in json.loads(capsys.readouterr().out)["kpis"]}
    assert kpis["qualified_meetings_per_week"] == pytest.approx(EXPECTED_PER_WEEK)
    assert main(["alerts", str(company), "--as-of", "2026-11-20", "--json"]) == 0
    alerts = json.loads(capsys.readouterr().out)["alerts"]
    assert {a["scope"]["level"] for a in alerts if a["kind"] == "low_conversion"} >= {"company", "rep"}


def test_without_the_edit_nor_the_activity_workbook_the_numbers_differ(copy, capsys):
    """The control: the same company with the shipped threshold and no activity workbook listed."""
    from addin.cli import main

    wb = openpyxl.load_workbook(copy)
    ws = wb[SHEET_FR]
    row = 2 + list(DEFAULT_DICTIONARY.ids).index("proposal_conversion")
    ws.cell(row, list(COLUMNS_FR).index("alert_below") + 1).value = 0.25
    settings = wb[schema.SETTINGS.sheet_fr]
    for r in settings.iter_rows(min_row=2):
        if r[0].value == "activity_workbooks":
            r[1].value = None
    wb.save(copy)
    assert main(["kpis", str(copy), "--period", "2026-11", "--as-of", "2026-11-20", "--json"]) == 0
    kpis = {k["id"]: k["value"] for k in json.loads(capsys.readouterr().out)["kpis"]}
    assert kpis["qualified_meetings_per_week"] == 0
    assert main(["alerts", str(copy), "--as-of", "2026-11-20", "--json"]) == 0
    assert [a for a in json.loads(capsys.readouterr().out)["alerts"] if a["kind"] == "low_conversion"] == []


def test_the_weekly_deck_reads_both(company, tmp_path, capsys):
    from pptx import Presentation

    from addin.cli import main

    out = tmp_path / "hebdo.pptx"
    assert main(["deck", "weekly", str(company), "--as-of", "2026-11-20", "--out", str(out)]) == 0
    texts = [p.text for slide in Presentation(out).slides for shape in slide.shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs]
    cells = [cell.text for slide in Presentation(out).slides for shape in slide.shapes if shape.has_table
             for row in shape.table.rows for cell in row.cells]
    assert _conversion_alerts(texts + cells), "the edited threshold's alert is in the week's alerts"
    # activity per rep: Anne's qualified meetings of the week of Monday 16th as of Friday 20th (the 16th
    # and the 20th: 2 in 5 days), per week: 2 ÷ (5 ÷ 7) = 2.8; 0 without the activity workbook
    charts = [sh.chart for slide in Presentation(out).slides for sh in slide.shapes if sh.has_chart]
    realised = [list(series.values) for chart in charts for plot in chart.plots
                if [str(c) for c in plot.categories] == [REP] for series in plot.series if series.name == "Réalisé"]
    assert realised[0] == [pytest.approx(2 / (5 / 7))]


def _assert_cockpit_reads_both(outcome) -> None:
    texts = _spec_texts(outcome.spec)
    assert _conversion_alerts(texts), "the cockpit shows the edited threshold's alert"
    assert _meetings_in_rep_row(outcome.spec) == pytest.approx(EXPECTED_PER_WEEK)


def test_the_refresh_reads_both(copy):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    _assert_cockpit_reads_both(refresh(FileWorkbook(copy, backup=False, progress=None), as_of=AS_OF, now=NOW,
                                       n_sims=200))


def test_the_ribbon_reads_both(copy):
    from addin.actions.refresh import refresh
    from addin.engines.xlwings import XlwingsWorkbook
    from addin.excel.ribbon import dispatch

    book = recorded_book(copy)
    text = dispatch("pilotage_refresh", book)
    assert text.startswith("Cockpit actualisé"), text
    # the same action on the same recorded workbook gives the outcome to look into
    _assert_cockpit_reads_both(refresh(XlwingsWorkbook(book), as_of=AS_OF, now=NOW, n_sims=200))


@pytest.mark.libreoffice
def test_the_calc_menu_reads_both(office, copy):
    from addin.calc.uno_actions import dispatch, refresh_uno_outcome

    doc = office.open(copy)
    try:
        assert dispatch(doc, "pilotage_refresh").startswith("Cockpit actualisé")
        _assert_cockpit_reads_both(refresh_uno_outcome(doc, now=NOW, n_sims=200))
    finally:
        doc.close(True)


def test_a_workbook_never_saved_reports_the_relative_activity_workbook_instead_of_guessing_a_folder(copy):
    from addin.actions.company import read_company
    from addin.engines.xlwings import XlwingsWorkbook

    book = recorded_book(copy)
    book.impl.fullname = "Classeur1"  # Excel's name of a workbook never saved
    data = read_company(XlwingsWorkbook(book))
    assert len(data.activities) == 0
    [issue] = [i for i in data.quality.issues if "Activités/Anne.xlsx" in render(i.problem)]
    assert "pas encore été enregistré" in render(issue.problem) and "chemin complet" in render(issue.fix)
