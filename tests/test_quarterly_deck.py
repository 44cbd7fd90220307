"""The quarterly review (issue 19): what its charts and tables show against kpicore and the raw
tables of the demo, the results table worked out by hand on a small history built here, a history
too short for a figure saying so, a corpus workbook giving a deck, and the command line / ribbon.

The demo is reviewed as of Friday 20 November 2026: the last quarter over is Q3 2026 (July to
September), the running one, Q4 2026, is forecast as the next quarter.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

from kpicore.demo.company import DEMO_AS_OF
from kpicore.forecast.backtest import backtest
from kpicore.forecast.forecasting import prepare
from kpicore.forecast.results import forecast_precision, quarter_accuracy, reps_at_target, risk_warnings
from kpicore.forecast.shown import forecast
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.periods import Period
from ritual_decks.deck import quarterly_deck
from support.kpi_builders import deal, make_data, target
from tests.support.deck_text import check_fit, deck_texts, foreign_words, in_language

N_SIMS = 500
NNBSP, NBSP = "\u202f", "\u00a0"
Q3 = ("2026-07-01", "2026-09-30")
QUARTERS = ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]


def eur(x: float) -> str:
    n = int(round(x))
    return ("\u2212" if n < 0 else "") + f"{abs(n):,}".replace(",", NNBSP) + NBSP + "€"


def won_between(data, lo, hi, owner=None) -> float:
    d = data.deals
    m = (d["status"] == "won") & (d["closed_on"] >= pd.Timestamp(lo)) & (d["closed_on"] <= pd.Timestamp(hi))
    if owner is not None:
        m &= d["owner"] == owner
    return float(d.loc[m.fillna(False), "amount"].sum())


def quarter_bounds(code: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    p = pd.Period(code, "Q")
    return p.start_time, p.end_time.normalize()


def months_of(code: str) -> list[str]:
    lo, _ = quarter_bounds(code)
    return [str(pd.Period(lo, "M") + k) for k in range(3)]


def revenue_target(data, code: str, scope_type: str, name: str | None = None) -> float | None:
    t = data.targets
    t = t[(t["metric"] == "revenue") & (t["scope_type"] == scope_type)]
    if name is not None:
        t = t[t["scope_name"] == name]
    by_month = t.groupby("period")["value"].sum()
    months = months_of(code)
    return float(sum(by_month[m] for m in months)) if all(m in by_month for m in months) else None


def slide_of(deck, key: str):
    report, prs = deck
    return prs.slides[[s.key for s in report.slides].index(key)]


def charts(slide):
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def cells(slide) -> list[list[str]]:
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    return [[table.cell(i, j).text for j in range(len(table.columns))] for i in range(len(table.rows))]


# -- the demo's deck, built once ----------------------------------------------------------------

@pytest.fixture(scope="module")
def context(demo_data):
    return prepare(demo_data)


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory, demo_data, context):
    report = quarterly_deck(demo_data, DEMO_AS_OF, tmp_path_factory.mktemp("q") / "trimestriel.pptx",
                            n_sims=N_SIMS, context=context)
    return report, Presentation(str(report.path))


def test_the_deck_reviews_the_last_quarter_over_and_has_its_slides(quarterly):
    report, prs = quarterly
    assert report.kind == "quarterly" and report.period == "2026-Q3"
    assert [s.key for s in report.slides] == ["summary", "revenue", "five_kpis", "attainment", "accuracy", "results",
                                              "warnings", "forecast", "actions", "decisions"]
    assert len(prs.slides) == len(report.slides)  # the executive summary first, no title slide
    assert prs.slide_width * 9 == prs.slide_height * 16


def test_the_quarter_against_target_is_the_won_deals(quarterly, demo_data):
    chart = charts(slide_of(quarterly, "revenue"))[0]
    actual, goal = (list(s.values) for s in chart.plots[0].series)
    assert actual == pytest.approx([won_between(demo_data, *quarter_bounds(q)) for q in QUARTERS])
    assert goal == pytest.approx([revenue_target(demo_data, q, "company") for q in QUARTERS])
    numbers = quarterly[0].slide("revenue").numbers
    assert numbers["quarter_revenue"] == pytest.approx(won_between(demo_data, *Q3))
    # the fiscal year starts in January in the demo: January to September
    assert numbers["ytd_revenue"] == pytest.approx(won_between(demo_data, "2026-01-01", "2026-09-30"))
    ytd_target = sum(revenue_target(demo_data, q, "company") for q in ("2026-Q1", "2026-Q2", "2026-Q3"))
    assert numbers["ytd_target"] == pytest.approx(ytd_target)
    share = round(100 * numbers["quarter_revenue"] / numbers["quarter_target"])
    assert f"{share}{NBSP}%" in quarterly[0].slide("revenue").title


def test_the_five_kpis_over_eight_quarters(quarterly, demo_data):
    chart_values = [list(c.plots[0].series[0].values) for c in charts(slide_of(quarterly, "five_kpis"))]
    assert len(chart_values) == 5 and all(len(v) == 8 for v in chart_values)
    e = KpiEngine(demo_data, DEMO_AS_OF)
    numbers = quarterly[0].slide("five_kpis").numbers
    for q in QUARTERS:
        row = e.table(Period.containing("quarter", quarter_bounds(q)[0])).loc[("company", "")]
        assert numbers[f"average_deal_size|{q}"] == pytest.approx(row["average_deal_size"])
    # the average deal size of Q3 from the raw deals; conversion charted in percent
    d = demo_data.deals
    won = d[(d["status"] == "won") & d["closed_on"].between(*map(pd.Timestamp, Q3))]
    assert chart_values[3][-1] == pytest.approx(round(won["amount"].mean(), 2))
    assert chart_values[2][-1] == pytest.approx(round(numbers["proposal_conversion|2026-Q3"] * 100, 1))


def test_attainment_by_rep_and_the_share_at_target(quarterly, demo_data):
    report, _ = quarterly
    rows = {r[0].strip(): r for r in cells(slide_of(quarterly, "attainment"))[1:]}
    reps = list(demo_data.reps["rep"])
    at, with_target = 0, 0
    for rep in reps:
        revenue = won_between(demo_data, *Q3, owner=rep)
        assert rows[rep][1] == eur(revenue)
        goal = revenue_target(demo_data, "2026-Q3", "rep", rep)
        if goal is not None:
            with_target += 1
            at += revenue >= goal
            assert rows[rep][2] == eur(goal)
    numbers = report.slide("attainment").numbers
    assert (numbers["reps_at_target"], numbers["reps_with_target"]) == (at, with_target)
    assert numbers["share_at_target"] == pytest.approx(at / with_target)


def test_the_quarters_accuracy_is_the_replays_day_one_and_mid_quarter(quarterly, demo_data, context):
    from kpicore.forecast.shown import backtest_of

    numbers = quarterly[0].slide("accuracy").numbers
    bt = backtest_of(context, DEMO_AS_OF)
    method = bt.method_for("quarter")[0]
    rows = bt.rows[(bt.rows["period"] == "2026-Q3") & (bt.rows["method"] == method)]
    day_one = rows[rows["day_one"].astype(bool)].iloc[0]
    assert day_one["as_of"] == pd.Timestamp("2026-07-01")  # Wednesday 1 July: the first working day
    actual = won_between(demo_data, *Q3)
    assert numbers["actual"] == pytest.approx(actual)
    assert numbers["day_one"] == pytest.approx(day_one["predicted"])
    assert numbers["day_one_error"] == pytest.approx((day_one["predicted"] - actual) / actual)
    # mid-quarter: the last replayed date on or before 15 August (1 July + 92 // 2 days)
    mid = rows[rows["as_of"] <= pd.Timestamp("2026-08-16")].sort_values("as_of").iloc[-1]
    assert numbers["mid"] == pytest.approx(mid["predicted"])
    acc = quarter_accuracy(bt, Period.containing("quarter", date(2026, 8, 1)))
    assert bool(numbers["day_one_inside"]) == acc.day_one.inside
    assert acc.day_one.p10 <= acc.day_one.p90


def test_the_results_table_against_kpicore_and_the_raw_deals(quarterly, demo_data, context):
    from kpicore.forecast.shown import backtest_of

    report, _ = quarterly
    numbers = report.slide("results").numbers
    q3 = Period.containing("quarter", date(2026, 8, 1))
    bt = backtest_of(context, DEMO_AS_OF)
    # before: the declared pipeline's replayed error, worked out from the replay's rows and the raw deals
    r = bt.rows[(bt.rows["granularity"] == "quarter") & (bt.rows["method"] == "weighted_declared")]
    actual = {q: won_between(demo_data, *quarter_bounds(q)) for q in set(r["period"])}
    r = r[r["period"].map(actual) > 0]
    errors = [abs(p - actual[q]) / actual[q] for p, q in zip(r["predicted"], r["period"])]
    assert numbers["precision_before"] == pytest.approx(np.mean(errors))
    precision = forecast_precision(bt, q3)
    assert numbers["precision_now"] == pytest.approx(precision.now) and precision.now < precision.before
    # lost in the quarter: every deal closed lost between 1 July and 30 September is on the list
    d = demo_data.deals
    lost = d[(d["status"] == "lost") & d["closed_on"].between(*map(pd.Timestamp, Q3))]
    warned = risk_warnings(demo_data, q3)
    assert set(lost["deal_id"]) == set(warned.deals.loc[warned.deals["outcome"] == "lost", "deal_id"])
    assert numbers["lost_or_slipped"] == warned.n and numbers["flagged"] == warned.n_flagged
    assert (warned.deals["weeks_before"].dropna() >= 0).all()
    # reps at target, this quarter and the same quarter a year before
    e = KpiEngine(demo_data, DEMO_AS_OF)
    for key, code in (("share_at_target_now", "2026-Q3"), ("share_at_target_before", "2025-Q3")):
        hit = n = 0
        for rep in demo_data.reps["rep"]:
            goal = revenue_target(demo_data, code, "rep", rep)
            if goal is not None:
                n += 1
                hit += won_between(demo_data, *quarter_bounds(code), owner=rep) >= goal
        assert numbers[key] == pytest.approx(hit / n)
        assert reps_at_target(e, Period.containing("quarter", quarter_bounds(code)[0])).n_at_target == hit
    rows = report.slide("results").rows
    assert len(rows) == 3 and "25" in rows[2][1]


def test_the_next_quarter_is_forecast_as_shown(quarterly, demo_data, context):
    numbers = quarterly[0].slide("forecast").numbers
    fc = forecast(demo_data, "2026-Q4", as_of=DEMO_AS_OF, n_sims=N_SIMS, context=context)
    assert (numbers["shown"], numbers["p10"], numbers["p90"]) == pytest.approx((fc.shown, fc.p10, fc.p90))
    assert numbers["prob_reach_target"] == fc.prob_reach_shown
    assert "T4 2026" in quarterly[0].slide("forecast").title


def test_every_text_fits(quarterly):
    assert check_fit(quarterly[1]) > 50


@pytest.mark.libreoffice
def test_the_deck_renders_in_libreoffice(quarterly, soffice, pdftoppm, tmp_path):
    from workbook_templates.libreoffice import convert, to_png

    report, prs = quarterly
    pngs = to_png(convert(report.path, "pdf", tmp_path, recalculate=False), tmp_path / "q", dpi=30)
    assert len(pngs) == len(prs.slides) and all(p.stat().st_size > 1000 for p in pngs)


def test_the_english_deck_holds_no_french_word(tmp_path, demo_data, context):
    data = in_language(demo_data, "en")
    report = quarterly_deck(data, DEMO_AS_OF, tmp_path / "quarterly.pptx", n_sims=200)
    assert report.slide("revenue").title.startswith("Q3 2026: ")
    assert foreign_words(deck_texts(report.path), "en", data) == set()


# -- a small history built by hand --------------------------------------------------------------------
# Two reps of one team.  Q4 2024: T1 and T2 won (42 810 + 40 000 = 82 810 €).  Q1 2025: W1 50 000 €
# (declared 50 %) and W2 30 990 € (80 %) won, X1 40 000 € (60 %) lost on 5 March: 80 990 € won.
# Q2 2025: W3 50 100 € (50 %) and W4 30 000 € (90 %) won = 80 100 €; L1 20 000 € (70 %, expected
# 15 May) lost 20 June; L2 15 000 € (40 %, expected 25 June) lost 10 June; S1 25 000 € (60 %, expected
# 5 June) still open: it slipped.  A deal created on 10 July 2025 is the date of the data.

def small_history():
    deals = [
        deal("T1", "Anne", "won", 42_810, "2024-09-01", "2024-11-20", expected="2024-11-30", probability=0.5),
        deal("T2", "Bruno", "won", 40_000, "2024-10-01", "2024-12-10", expected="2024-12-15", probability=0.5),
        deal("W1", "Anne", "won", 50_000, "2024-11-01", "2025-02-10", expected="2025-02-15", probability=0.5),
        deal("W2", "Bruno", "won", 30_990, "2024-12-01", "2025-03-20", expected="2025-03-31", probability=0.8),
        deal("X1", "Anne", "lost", 40_000, "2024-10-15", "2025-03-05", expected="2025-03-01", probability=0.6),
        deal("W3", "Anne", "won", 50_100, "2025-02-01", "2025-05-20", expected="2025-05-31", probability=0.5),
        deal("W4", "Bruno", "won", 30_000, "2025-03-01", "2025-06-15", expected="2025-06-20", probability=0.9),
        deal("L1", "Anne", "lost", 20_000, "2025-02-01", "2025-06-20", expected="2025-05-15", probability=0.7),
        deal("L2", "Bruno", "lost", 15_000, "2025-03-01", "2025-06-10", expected="2025-06-25", probability=0.4),
        deal("S1", "Anne", "open", 25_000, "2025-03-15", expected="2025-06-05", probability=0.6),
        deal("N1", "Bruno", "open", 10_000, "2025-07-10", expected="2025-09-30", probability=0.3),
    ]
    targets = [target(m, "rep", rep, value) for m, rep, value in
               [(f"2025-0{k}", "Anne", 15_000) for k in (4, 5, 6)] + [(f"2025-0{k}", "Bruno", 12_000) for k in (4, 5, 6)]
               + [(f"2024-0{k}", r, 10_000) for k in (4, 5, 6) for r in ("Anne", "Bruno")]]
    return make_data(deals, reps={"Anne": "Nord", "Bruno": "Nord"}, targets=targets)


Q2_2025 = Period.containing("quarter", date(2025, 5, 1))


def test_precision_before_and_now_by_hand():
    data = small_history()
    # one replayed forecast per quarter, on its first working day: 1 January and 1 April 2025
    bt = backtest(data, start="2025-01-01", every_days=10_000, granularities=("quarter",), n_sims=200)
    # declared pipeline on 1 January (open, expected in Q1): W1 50 000 × 0.5 + W2 30 990 × 0.8 + X1 40 000 × 0.6
    q1 = 25_000 + 24_792 + 24_000  # 73 792 € for 80 990 € won
    # on 1 April (expected in Q2): W3 25 050 + W4 27 000 + L1 14 000 + L2 6 000 + S1 15 000
    q2 = 25_050 + 27_000 + 14_000 + 6_000 + 15_000  # 87 050 € for 80 100 € won
    before = (abs(q1 - 80_990) / 80_990 + abs(q2 - 80_100) / 80_100) / 2
    # run rate: the 91 days up to 1 January hold T1 + T2 = 82 810 € (910 € a day) × 89 days left = 80 990 €;
    # up to 1 April, Q1's 80 990 € (890 € a day) × 90 days left = 80 100 €: exact twice, so it is the one shown
    p = forecast_precision(bt, Q2_2025)
    assert p.measurable and (p.n_quarters, p.n_forecasts) == (2, 2)
    assert p.before == pytest.approx(before)
    assert p.method_now == "run_rate" and p.now == pytest.approx(0.0, abs=1e-12)
    # one quarter only is not enough
    short = forecast_precision(bt, Period.containing("quarter", date(2025, 2, 1)))
    assert not short.measurable and short.n_quarters == 1 and short.before is None


def test_warnings_before_a_slip_or_a_loss_by_hand():
    w = risk_warnings(small_history(), Q2_2025)
    # the rules replayed every 7 days back from Monday 30 June down to 4 weeks before 1 April: 10 March first
    assert w.weeks[0] == pd.Timestamp("2025-03-10") and w.weeks[-1] == pd.Timestamp("2025-06-30")
    got = w.deals.set_index("deal_id")
    assert set(got.index) == {"L1", "L2", "S1"}  # W3, W4 won; X1 lost in Q1; N1 never expected in Q2
    # L1 expected 15 May: its close date is passed on Monday 19 May, 32 days before its loss on 20 June
    assert got.loc["L1", "outcome"] == "lost" and got.loc["L1", "flagged_on"] == pd.Timestamp("2025-05-19")
    assert got.loc["L1", "weeks_before"] == pytest.approx(32 / 7)
    # L2, expected 25 June, was lost on 10 June before anything flagged it
    assert pd.isna(got.loc["L2", "flagged_on"])
    # S1 expected 5 June, open past the quarter: slipped on 1 July, flagged Monday 9 June, 22 days before
    assert got.loc["S1", "outcome"] == "slipped" and got.loc["S1", "event_on"] == pd.Timestamp("2025-07-01")
    assert got.loc["S1", "weeks_before"] == pytest.approx(22 / 7)
    assert (w.n, w.n_flagged) == (3, 2) and w.median_weeks == pytest.approx((32 / 7 + 22 / 7) / 2)


def test_reps_at_target_by_hand():
    e = KpiEngine(small_history(), date(2025, 7, 10))
    # Q2 2025: Anne 50 100 € for 45 000 € (on target), Bruno 30 000 € for 36 000 € (not)
    now = reps_at_target(e, Q2_2025)
    assert (now.n_reps, now.n_at_target, now.share) == (2, 1, 0.5)
    # Q2 2024: 30 000 € each to reach, nothing won
    before = reps_at_target(e, Q2_2025.shift(-4))
    assert (before.n_reps, before.n_at_target, before.share) == (2, 0, 0.0)


@pytest.fixture(scope="module")
def small_deck(tmp_path_factory):
    data = small_history()
    report = quarterly_deck(data, date(2025, 7, 10), tmp_path_factory.mktemp("small") / "t.pptx", n_sims=200)
    return report, Presentation(str(report.path))


def test_a_history_too_short_says_not_measurable(small_deck):
    report, prs = small_deck
    assert report.period == "2025-Q2"
    # the replay starts a year after the first deal (1 September 2025): nothing replayed yet
    results = report.slide("results")
    assert results.numbers["precision_before"] is None and results.numbers["precision_now"] is None
    assert results.rows[0][1].startswith("Non mesurable : 0 trimestre rejoué, il en faut 2")
    assert report.slide("accuracy").empty
    texts = [sh.text_frame.text for sh in slide_of(small_deck, "accuracy").shapes if sh.has_text_frame]
    assert any("trop court" in t for t in texts)
    # what needs no replay is shown, as worked out by hand above
    assert results.numbers["lost_or_slipped"] == 3 and results.numbers["flagged"] == 2
    assert results.numbers["median_weeks"] == pytest.approx((32 / 7 + 22 / 7) / 2)
    assert (results.numbers["share_at_target_before"], results.numbers["share_at_target_now"]) == (0.0, 0.5)
    assert results.rows[2][1:3] == ("T2 2024 : 0\u00a0% (0 sur 2)", "T2 2025 : 50\u00a0% (1 sur 2)")
    assert check_fit(prs) > 20


# -- a client-shaped workbook, the command line and the ribbon ------------------------------------------

def test_a_corpus_workbook_gives_a_quarterly_deck(tmp_path, capsys):
    from corpus import all_files

    from addin.cli import main

    corpus = next(f for f in all_files() if f.name == "Affaires 2026.xlsx")
    (tmp_path / "files").mkdir()
    path = corpus.build(tmp_path / "files")
    out = tmp_path / "trimestre.pptx"
    assert main(["deck", "quarterly", str(path), "--out", str(out)]) == 0
    prs = Presentation(str(out))
    assert len(prs.slides) == 10
    titles = [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.name == "Titre"]
    assert titles[0] == "Revue trimestrielle commerciale · T1 2026"
    assert check_fit(prs) > 20
    # a hand-kept file names no team: its reps are gathered on one line that says so, not « Équipe Sans équipe »
    table = next(sh.table for s in prs.slides for sh in s.shapes
                 if sh.has_table and sh.table.cell(0, 0).text == "Périmètre")
    scopes = [table.cell(i, 0).text for i in range(1, len(table.rows))]
    assert scopes[0] == "Commerciaux sans équipe" and not any("Sans équipe" in s for s in scopes), scopes
    # its history starts in the autumn of 2025: the eight-quarter charts (Q2 2024 to Q1 2026) leave the
    # quarters over before that day blank, not at zero
    first = _first_recorded_day(path)
    ends = [date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31), date(2025, 6, 30),
            date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    blank = [end < first for end in ends]
    assert 0 < sum(blank) < 8
    charts = [sh.chart for sl in prs.slides for sh in sl.shapes if sh.has_chart
              and len(list(sh.chart.plots[0].categories)) == 8]
    assert len(charts) == 6  # the revenue against target, the five KPIs
    for chart in charts:
        actual = chart.plots[0].series[0].values
        # a recorded quarter may still measure nothing (a file without proposal dates: no conversion rate)
        assert all(x is None for x, b in zip(actual, blank) if b), actual
    assert sum(chart.plots[0].series[0].values[-1] is not None for chart in charts) >= 4
    revenue = charts[0].plots[0].series[0].values  # revenue is measured wherever the file records anything
    assert [x is None for x in revenue] == blank, revenue


def _first_recorded_day(path) -> date:
    """The earliest date written in any cell of the workbook and of the workbooks beside it (the activity
    log), read with openpyxl: a deal's creation comes before its other dates."""
    import openpyxl

    days = []
    for book in path.parent.glob("*.xlsx"):
        wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
        days += [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
                 if hasattr(c, "year")]
        wb.close()  # a read-only workbook keeps its file open until closed
    return min(d.date() if hasattr(d, "date") else d for d in days)


def test_the_period_must_be_a_quarter(demo_workbook, tmp_path, capsys):
    from addin.cli import main

    assert main(["deck", "quarterly", str(demo_workbook), "--period", "2026-10", "--out",
                 str(tmp_path / "x.pptx")]) != 0
    assert "2026-Q3" in capsys.readouterr().err


def test_the_ribbon_button_writes_the_quarterly_deck_beside_the_workbook(tmp_path):
    from addin.excel import ribbon
    from addin.excel.ribbon_actions import ACTIONS_BY_ID, cli_verbs
    from addin.calc.uno_actions import UNO_ACTIONS
    from support.addin_tables import recorded_book

    assert cli_verbs()["deck quarterly"] == "pilotage_deck_quarterly" and "pilotage_deck_quarterly" in UNO_ACTIONS
    assert ACTIONS_BY_ID["pilotage_deck_quarterly"].group == ACTIONS_BY_ID["pilotage_deck_monthly"].group
    book, _ = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    text = ribbon.dispatch("pilotage_deck_quarterly", book)
    path = tmp_path / "Revue trimestrielle 2025-03-28.pptx"
    assert text == f"Présentation créée : {path}"
    assert len(Presentation(str(path)).slides) == 10
