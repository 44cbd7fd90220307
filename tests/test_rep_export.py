"""A rep's own file holds their numbers only: no colleague's name, no team or company figure."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpicore.demo.company import DEMO_AS_OF
from kpicore.model.errors import UsageError
from workbook_templates import rep_export
from workbook_templates.rep_export import export_rep

REP = "Thomas Moreau"


@pytest.fixture(scope="module")
def exported(demo_data, tmp_path_factory) -> Path:
    return export_rep(demo_data, REP, tmp_path_factory.mktemp("rep") / "Thomas.xlsx", as_of=DEMO_AS_OF, n_sims=200)


@pytest.fixture(scope="module")
def cells(exported) -> list[object]:
    wb = _load(exported)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _load(path: Path):
    # openpyxl warns that it does not read sparklines and data bars (extensions); the cells are what we scan
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".* extension is not supported", UserWarning)
        return openpyxl.load_workbook(path)


def _months(last: str, n: int) -> list[pd.Period]:
    end = pd.Period(last, "M")
    return [end - k for k in range(n)]


def _won_by(deals: pd.DataFrame, month: pd.Period, by: str | None) -> pd.Series | float:
    start = month.start_time
    end = min(month.end_time.normalize(), pd.Timestamp(DEMO_AS_OF))  # the current month runs to the as-of date
    won = deals[(deals["status"] == "won") & deals["closed_on"].between(start, end)]
    return won["amount"].sum() if by is None else won.groupby(by)["amount"].sum()


def test_only_sheets_the_rep_may_see(exported):
    wb = _load(exported)
    assert wb.sheetnames == ["Cockpit", rep_export.ACTIVITY_SHEET]
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    assert len(wb.defined_names) == 0


def test_no_colleague_or_other_team_name_anywhere_in_the_file(exported, demo_data):
    reps = demo_data.reps
    own_team = reps.loc[reps["rep"] == REP, "team"].iloc[0]
    others = [r for r in reps["rep"] if r != REP] + [t for t in reps["team"].unique() if t != own_team]
    assert len(others) == 8 + 1
    with zipfile.ZipFile(exported) as z:
        text = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))
    found = [name for name in others if name in text]
    assert found == []
    assert REP in text  # the scan reads the text it should (the rep's own name is there)


def test_no_team_or_company_figure_in_any_cell(cells, demo_data):
    deals = demo_data.deals
    reps = demo_data.reps
    team_of = dict(zip(reps["rep"], reps["team"]))
    deals = deals.assign(team=deals["owner"].map(team_of))
    numbers = [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]

    own, forbidden = set(), set()
    for month in _months("2026-11", 12):
        own.add(float(_won_by(deals[deals["owner"] == REP], month, None)))
        forbidden.add(float(_won_by(deals, month, None)))  # the company's revenue
        forbidden |= set(_won_by(deals, month, "team").astype(float))
        forbidden |= set(_won_by(deals[deals["owner"] != REP], month, "owner").astype(float))
    targets = demo_data.targets
    november = targets[(targets["period"] == "2026-11") & (targets["metric"] == "revenue")]
    mine = (november["scope_type"] == "rep") & (november["scope_name"] == REP)
    own |= set(november.loc[mine, "value"])
    forbidden |= set(november.loc[~mine, "value"])
    open_ = deals[deals["status"] == "open"]
    forbidden |= {float(open_["amount"].sum())} | set(open_.groupby("team")["amount"].sum())
    # the rep's own deals are listed (deals at risk): a colleague who won a single deal of the
    # same amount in a month is a coincidence, not a leak (seen: 13 200 € and 48 000 €)
    own |= set(deals.loc[deals["owner"] == REP, "amount"].astype(float))
    # a colleague's figure equal to one of the rep's own is not a leak; nor is 0
    forbidden -= own | {0.0}
    assert len(forbidden) > 30
    leaks = sorted({x for x in numbers for f in forbidden if abs(x - f) < 0.5})
    assert leaks == []

    # and the rep's own figures are there: November's revenue won to 20/11 and its target
    nov_won = _won_by(deals[deals["owner"] == REP], pd.Period("2026-11", "M"), None)
    target = float(november.loc[mine, "value"].iloc[0])
    assert nov_won > 0 and nov_won in numbers and target in numbers


def test_activity_rows_are_the_reps_own_last_three_months(exported, demo_data):
    ws = _load(exported)[rep_export.ACTIVITY_SHEET]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    acts = demo_data.activities
    # 92 days up to 20/11/2026: from 21/08/2026 (20/11 − 91 days) to 20/11/2026 inclusive
    window = acts[(acts["rep"] == REP) & acts["date"].between("2026-08-21", "2026-11-20")]
    assert len(rows) == len(window) > 0
    assert {r[1] for r in rows} == {REP}
    dates = [r[0] for r in rows]
    assert min(dates) >= pd.Timestamp("2026-08-21") and max(dates) <= pd.Timestamp("2026-11-20")
    assert dates == sorted(dates, reverse=True)  # the latest first


def test_unknown_rep_and_open_destination(demo_data, tmp_path):
    with pytest.raises(UsageError, match="inconnu"):
        export_rep(demo_data, "Personne", tmp_path / "x.xlsx", as_of=DEMO_AS_OF)
    (tmp_path / "~$x.xlsx").write_bytes(b"")
    from kpicore.model.errors import InputFileError

    with pytest.raises(InputFileError, match="ouvert"):
        export_rep(demo_data, "thomas moreau", tmp_path / "x.xlsx", as_of=DEMO_AS_OF)
    assert not (tmp_path / "x.xlsx").exists()


def test_export_from_a_pipeline_file(demo_workbook, tmp_path):
    out = rep_export.export_rep_file(demo_workbook, "Léa Fournier", tmp_path / "lea.xlsx", n_sims=200)
    wb = _load(out)
    assert wb.sheetnames == ["Cockpit", rep_export.ACTIVITY_SHEET]
    names = {v for row in wb[rep_export.ACTIVITY_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)
             for v in row[1:] if v}
    assert names == {"Léa Fournier"}
