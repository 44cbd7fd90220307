"""The executive summary that opens every ritual deck (issue 19, slide 1): the deck's title in its
header, the headline, three numbers against their targets, the main risk and the decision asked for.

The decks are opened with python-pptx and slide 1 is read as a reader sees it.  Its numbers are
worked out here from the raw tables (revenue summed from the won deals, targets summed from the
Targets rows, meetings counted from the activities) or recomputed through kpicore's public functions
with the arguments the deck used (the forecast, the deals at risk, the alerts):

- the demo company's weekly deck (20/11/2026): November's revenue to date, November's forecast,
  the qualified meetings of week 47, each against its target;
- its monthly deck: October's revenue, January to October, the forecast of Q4 2026;
- two corpus files as a client keeps them (``tests/corpus``), as of 31 March 2026: « Objectifs
  mensuels.xlsx » (monthly targets per rep in a wide table, no Actions sheet: the decision is the
  first alert's action), and « Affaires 2026.xlsx » (no target, no Actions sheet and no alert: no
  decision is asked for).  By hand from ``corpus.rows``: March 2026 won 1001, 1002, 1003, 1012 =
  12 000 + 8 000 + 5 000 + 10 000 = 35 000 €; January to March adds 1010 (6 000 €, 25 February):
  41 000 €; the wide table's March targets 25 000 + 18 000 + 12 000 = 55 000 €, and its first quarter
  45 000 + 45 000 + 55 000 = 145 000 €.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from corpus import AS_OF as CORPUS_AS_OF, all_files
from kpicore.demo.company import DEMO_AS_OF
from kpicore.forecast.forecasting import prepare
from kpicore.forecast.risk import deals_at_risk
from kpicore.forecast.shown import forecast
from kpicore.metrics.alerts import compute_alerts
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.periods import parse_period
from kpicore.model.roster import Scope
from kpicore.text.catalogue import render
from ritual_decks.deck import monthly_deck, quarterly_deck, weekly_deck
from tests.support.deck_text import check_fit

N_SIMS = 300
NNBSP, NBSP = "\u202f", "\u00a0"
AS_OF = pd.Timestamp(DEMO_AS_OF)
CORPUS = {f.name: f for f in all_files()}
READ_ON = date(2026, 4, 2)  # the corpus files were exported on 1 and 2 April 2026 (tests/test_corpus.py)


def eur(x: float) -> str:
    """French euros written out here, not with the module under test."""
    n = int(round(x))
    return ("\u2212" if n < 0 else "") + f"{abs(n):,}".replace(",", NNBSP) + NBSP + "€"


def pct(x: float) -> str:
    return f"{round(x * 100)}{NBSP}%"


def won_between(data, lo: str, hi: str) -> float:
    d = data.deals
    m = (d["status"] == "won") & (d["closed_on"] >= pd.Timestamp(lo)) & (d["closed_on"] <= pd.Timestamp(hi))
    return float(d.loc[m.fillna(False), "amount"].sum())


def revenue_target(data, *months: str) -> float:
    """The company's revenue target of some months from the Targets rows: its own rows, else its reps'."""
    t = data.targets
    t = t[(t["metric"] == "revenue") & t["period"].isin(months)]
    company = t[t["scope_type"] == "company"]
    return float((company if len(company) else t[t["scope_type"] == "rep"])["value"].sum())


# -- reading slide 1 ---------------------------------------------------------------------------------

def first_slide(report):
    prs = Presentation(str(report.path))
    assert report.slides[0].key == "summary"
    assert len(report.slides) == len(prs.slides)  # no title slide before it any more
    return prs, prs.slides[0]


def part(slide, name: str) -> list[str]:
    """The paragraphs of one named text box of the summary."""
    shape = next(sh for sh in slide.shapes if sh.name == name)
    return [p.text.replace("\u2060", "") for p in shape.text_frame.paragraphs]


def figure(slide, i: int) -> list[str]:
    """Tile ``i`` (1 to 3): label, value, « sur … d'objectif (…) », status."""
    return part(slide, f"Chiffre {i} texte")


def of_target(target: float, share: float) -> str:
    return f"sur {eur(target)} d'objectif ({pct(share)})"


# -- decks built once per module ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def weekly(tmp_path_factory, demo_data):
    report = weekly_deck(demo_data, DEMO_AS_OF, tmp_path_factory.mktemp("w") / "hebdo.pptx", n_sims=N_SIMS)
    return (report, *first_slide(report))


@pytest.fixture(scope="module")
def monthly(tmp_path_factory, demo_data):
    report = monthly_deck(demo_data, DEMO_AS_OF, tmp_path_factory.mktemp("m") / "mensuel.pptx", n_sims=N_SIMS)
    return (report, *first_slide(report))


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory, demo_data):
    report = quarterly_deck(demo_data, DEMO_AS_OF, tmp_path_factory.mktemp("q") / "trimestriel.pptx", n_sims=N_SIMS)
    return (report, *first_slide(report))


@pytest.fixture(scope="module")
def demo_forecasts(demo_data):
    """The forecasts the decks show, recomputed with the same arguments: the month's (weekly deck),
    and the quarter's through the backtest of the data (the monthly deck's path)."""
    return (forecast(demo_data, "2026-11", as_of=DEMO_AS_OF, n_sims=N_SIMS),
            forecast(demo_data, "2026-Q4", as_of=DEMO_AS_OF, n_sims=N_SIMS, context=prepare(demo_data)))


@pytest.fixture(scope="module")
def corpus_decks(tmp_path_factory):
    """name -> (data, weekly (report, prs, slide), monthly (report, prs, slide)) of two corpus files."""
    from workbook_templates.company import load_company

    folder = tmp_path_factory.mktemp("corpus")
    out = {}
    for name in ("Objectifs mensuels.xlsx", "Affaires 2026.xlsx"):
        data = load_company(CORPUS[name].build(folder), today=READ_ON)
        w = weekly_deck(data, CORPUS_AS_OF, folder / f"{name}.hebdo.pptx", n_sims=200)
        m = monthly_deck(data, CORPUS_AS_OF, folder / f"{name}.mensuel.pptx", n_sims=200)
        out[name] = (data, (w, *first_slide(w)), (m, *first_slide(m)))
    return out


# -- the header ----------------------------------------------------------------------------------------

def test_slide_one_is_the_summary_headed_by_the_decks_title(weekly, monthly):
    for (report, prs, slide), title, words in (
            (weekly, "Revue hebdomadaire du pipeline", ("Semaine 47 2026", "données au 20/11/2026")),
            (monthly, "Revue mensuelle commerciale · octobre 2026", ("comité de direction", "données au 20/11/2026"))):
        assert slide.shapes.title is None or slide.shapes.title.text == title
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert title in texts
        assert any(all(w in t for w in words) for t in texts), texts
        assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
        assert not any(sh.has_chart or sh.has_table or sh.shape_type == 13 for sh in slide.shapes)  # native text
    assert check_fit(weekly[1]) > 50 and check_fit(monthly[1]) > 50  # every text of both decks in its box


# -- the three numbers ---------------------------------------------------------------------------------

def test_weekly_numbers_are_the_month_to_date_the_month_forecast_and_the_weeks_meetings(weekly, demo_data,
                                                                                       demo_forecasts):
    _, _, slide = weekly
    won = won_between(demo_data, "2026-11-01", "2026-11-20")
    target = revenue_target(demo_data, "2026-11")
    one = figure(slide, 1)
    assert one[:3] == ["CA signé · novembre 2026", eur(won), of_target(target, won / target)]
    # 20 of November's 30 days elapsed: judged against 20/30 of the target, near within 20 %
    due = target * 20 / 30
    assert won < due and won >= 0.8 * due
    assert one[3] == f"● proche du rythme : {eur(due)} attendus à date"

    fc = demo_forecasts[0]
    assert fc.target == pytest.approx(target)
    two = figure(slide, 2)
    assert two[:3] == ["Prévision · novembre 2026", eur(fc.shown), of_target(target, fc.shown / target)]

    # qualified meetings of week 47 counted from the activities: 16 to 20 November, 5 days elapsed
    a = demo_data.activities
    n = int(((a["type"] == "qualified_meeting") & a["date"].between("2026-11-16", "2026-11-20")).fillna(False).sum())
    rate = n / (5 / 7)
    week = parse_period("2026-W47")
    goal = KpiEngine(demo_data, DEMO_AS_OF).target("qualified_meetings_per_week", week, Scope.company())
    three = figure(slide, 3)
    assert three[0] == "RDV qualifiés / semaine · S47"
    assert three[1] == f"{rate:.1f}".replace(".", ",")
    assert three[2] == f"sur {goal:.1f} d'objectif ({pct(rate / goal)})".replace(".", ",")


def test_monthly_numbers_are_the_month_the_year_to_date_and_the_quarter_forecast(monthly, demo_data, demo_forecasts):
    _, _, slide = monthly
    october = won_between(demo_data, "2026-10-01", "2026-10-31")
    target = revenue_target(demo_data, "2026-10")
    assert figure(slide, 1)[:3] == ["CA signé · octobre 2026", eur(october), of_target(target, october / target)]
    ytd = won_between(demo_data, "2026-01-01", "2026-10-31")
    ytd_target = revenue_target(demo_data, *[f"2026-{m:02d}" for m in range(1, 11)])
    assert figure(slide, 2)[:3] == ["CA cumulé · janv. 26 – oct. 26", eur(ytd), of_target(ytd_target, ytd / ytd_target)]
    fc = demo_forecasts[1]
    quarter_target = revenue_target(demo_data, "2026-10", "2026-11", "2026-12")
    assert fc.target == pytest.approx(quarter_target)
    assert figure(slide, 3)[:3] == ["Prévision · T4 2026", eur(fc.shown), of_target(quarter_target,
                                                                                    fc.shown / quarter_target)]


def test_the_headline_says_the_first_number_and_where_the_forecast_heads(weekly, monthly, demo_data, demo_forecasts):
    won = won_between(demo_data, "2026-11-01", "2026-11-20")
    target = revenue_target(demo_data, "2026-11")
    fc = demo_forecasts[0]
    gap = fc.shown - target
    side = "au-dessus de" if gap >= 0 else "sous"
    assert part(weekly[2], "Accroche") == [f"Novembre 2026 : {eur(won)} signés, {pct(won / target)} de l'objectif ; "
                                           f"prévision {eur(fc.shown)}, {eur(abs(gap))} {side} l'objectif"]
    october, t = won_between(demo_data, "2026-10-01", "2026-10-31"), revenue_target(demo_data, "2026-10")
    q = demo_forecasts[1]
    gap = q.shown - q.target
    side = "au-dessus de" if gap >= 0 else "sous"
    assert part(monthly[2], "Accroche") == [f"Octobre 2026 : {eur(october)} signés, {pct(october / t)} de l'objectif ; "
                                            f"T4 2026 prévu à {eur(q.shown)}, {eur(abs(gap))} {side} l'objectif"]


def test_corpus_numbers_are_the_ones_worked_out_by_hand(corpus_decks):
    data, (_, _, w), (_, _, m) = corpus_decks["Objectifs mensuels.xlsx"]
    assert won_between(data, "2026-03-01", "2026-03-31") == 35_000 == 12_000 + 8_000 + 5_000 + 10_000
    assert revenue_target(data, "2026-03") == 55_000
    assert figure(w, 1) == ["CA signé · mars 2026", eur(35_000), of_target(55_000, 35_000 / 55_000),
                            "▼ sous l'objectif"]  # March is over on the 31st: the whole target is due
    fc = forecast(data, "2026-03", as_of=CORPUS_AS_OF, n_sims=200)
    assert figure(w, 2)[:2] == ["Prévision · mars 2026", eur(fc.shown)]
    assert fc.shown == pytest.approx(35_000)  # the month is over: nothing left to win
    assert figure(w, 3) == ["RDV qualifiés / semaine · S14", "0,0", "sans objectif"]  # no activity log
    assert figure(m, 1)[:3] == ["CA signé · mars 2026", eur(35_000), of_target(55_000, 35_000 / 55_000)]
    assert figure(m, 2)[:3] == ["CA cumulé · janv. 26 – mars 26", eur(41_000), of_target(145_000, 41_000 / 145_000)]
    q = forecast(data, "2026-Q1", as_of=CORPUS_AS_OF, n_sims=200, context=prepare(data))
    assert figure(m, 3)[:3] == ["Prévision · T1 2026", eur(q.shown), of_target(145_000, q.shown / 145_000)]
    # no target in the file: each number says so
    data, (_, _, w), (_, _, m) = corpus_decks["Affaires 2026.xlsx"]
    assert figure(w, 1) == ["CA signé · mars 2026", eur(35_000), "sans objectif"]
    assert figure(m, 2) == ["CA cumulé · janv. 26 – mars 26", eur(41_000), "sans objectif"]
    assert part(m, "Accroche")[0].startswith(f"Mars 2026 : {eur(35_000)} signés ; T1 2026 prévu à ")
    for _, (_, prs, _), (_, prs_m, _) in corpus_decks.values():
        assert check_fit(prs) > 10 and check_fit(prs_m) > 10


# -- the main risk -------------------------------------------------------------------------------------

def largest_at_risk(data, fc) -> pd.Series:
    risk = deals_at_risk(data, DEMO_AS_OF, probabilities=fc.deals.set_index("deal_id")["p_calibrated"])
    values = risk.deals["value_at_risk"]
    assert len(values) > 1 and values.max() > values.min()
    return risk.deals.loc[values.idxmax()]


def test_the_main_risk_is_the_deal_with_the_most_value_at_risk(weekly, monthly, demo_data, demo_forecasts):
    # the weekly deck values deals with the month forecast's calibrated probabilities, the monthly with the quarter's
    for (_, _, slide), fc in ((weekly, demo_forecasts[0]), (monthly, demo_forecasts[1])):
        top = largest_at_risk(demo_data, fc)
        said = part(slide, "Risque texte")
        assert said[0] == "Risque principal"
        assert said[1].startswith(f"{top['deal_id']} · {top['account']} ({top['owner']}) : "
                                  f"{eur(top['value_at_risk'])} en jeu sur {eur(top['amount'])}"), said


def test_without_a_deal_at_risk_the_main_risk_is_the_first_alert(corpus_decks):
    data, (_, _, w), (_, _, m) = corpus_decks["Objectifs mensuels.xlsx"]
    assert len(deals_at_risk(data, CORPUS_AS_OF).deals) == 0
    first = compute_alerts(data, CORPUS_AS_OF)[0]
    for slide in (w, m):
        said = part(slide, "Risque texte")
        assert said[1].endswith(render(first.title, "fr")), said
    _, (_, _, w), (_, _, m) = corpus_decks["Affaires 2026.xlsx"]
    assert part(w, "Risque texte")[1] == part(m, "Risque texte")[1] == "Aucune affaire à risque ni alerte cette fois-ci."


# -- the decision asked for ----------------------------------------------------------------------------

def open_actions_of(data, ritual: str) -> pd.DataFrame:
    a = data.actions
    return a[(a["ritual"] == ritual) & (a["status"] == "open")].sort_values("due_on")


def test_the_decision_is_the_rituals_open_action_due_first(weekly, monthly, demo_data):
    for (_, _, slide), ritual in ((weekly, "weekly"), (monthly, "monthly")):
        mine = open_actions_of(demo_data, ritual)
        first = mine.iloc[0]
        said = part(slide, "Décision texte")
        assert said[0] == "Décision demandée"
        assert said[1] == first["decision"]
        late = ", en retard" if first["due_on"] < AS_OF else ""
        assert said[2] == f"{first['owner']} · échéance {first['due_on']:%d/%m/%Y}{late}"
        others = len(mine) - 1
        if others:
            assert said[3] == f"+ {others} autre{'s' if others > 1 else ''} action{'s' if others > 1 else ''} " \
                              f"ouverte{'s' if others > 1 else ''} de ce rituel"
        else:
            assert len(said) == 3
    # the demo: three weekly actions open (due 23/11, 30/11, 04/12), one monthly (due 20/11)
    assert len(open_actions_of(demo_data, "weekly")) == 3 and len(open_actions_of(demo_data, "monthly")) == 1


def test_without_an_open_action_the_decision_is_the_first_alerts_action(tmp_path, demo_data, corpus_decks):
    closed = demo_data.actions.assign(status="done")
    data = demo_data.with_frames(actions=closed)
    report = weekly_deck(data, DEMO_AS_OF, tmp_path / "hebdo.pptx", n_sims=100)
    _, slide = first_slide(report)
    first = compute_alerts(data, DEMO_AS_OF)[0]
    said = part(slide, "Décision texte")
    assert said[1] == render(first.action, "fr")
    assert said[2] == f"Action suggérée par l'alerte : {render(first.title, 'fr')}"
    # a client file without an Actions sheet: the same rule
    data, (_, _, w), (_, _, m) = corpus_decks["Objectifs mensuels.xlsx"]
    assert len(data.actions) == 0
    action = render(compute_alerts(data, CORPUS_AS_OF)[0].action, "fr")
    assert part(w, "Décision texte")[1] == part(m, "Décision texte")[1] == action


def test_with_neither_action_nor_alert_no_decision_is_asked(corpus_decks, tmp_path):
    data, (_, _, w), (_, _, m) = corpus_decks["Affaires 2026.xlsx"]
    assert len(data.actions) == 0 and compute_alerts(data, CORPUS_AS_OF) == []
    for slide in (w, m):
        said = part(slide, "Décision texte")
        assert said[1].lower() == "aucune décision demandée"
    english = weekly_deck(data, CORPUS_AS_OF, tmp_path / "weekly.pptx", n_sims=100, language="en")
    _, slide = first_slide(english)
    assert part(slide, "Décision texte") == ["Decision asked for", "No decision asked for"]
    assert part(slide, "Risque texte") == ["Main risk", "No deal at risk and no alert this time."]
    assert figure(slide, 1) == ["Revenue won · March 2026", "€35,000", "no target"]


def test_quarterly_slide_one_is_the_quarter_the_year_to_date_and_next_quarters_forecast(quarterly, demo_data,
                                                                                       demo_forecasts):
    """As of 20/11/2026 the quarter reviewed is Q3 2026 (over on 30/09) and the next one Q4 2026, forecast by
    the same replay as the monthly deck's quarter."""
    _, _, slide = quarterly
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert any(t.startswith("Revue trimestrielle") and "T3 2026" in t for t in texts), texts
    q3 = won_between(demo_data, "2026-07-01", "2026-09-30")
    q3_target = revenue_target(demo_data, "2026-07", "2026-08", "2026-09")
    assert figure(slide, 1)[:3] == ["CA signé · T3 2026", eur(q3), of_target(q3_target, q3 / q3_target)]
    ytd = won_between(demo_data, "2026-01-01", "2026-09-30")
    ytd_target = revenue_target(demo_data, *[f"2026-{m:02d}" for m in range(1, 10)])
    assert figure(slide, 2)[:3] == ["CA cumulé · janv. 26 – sept. 26", eur(ytd), of_target(ytd_target,
                                                                                           ytd / ytd_target)]
    fc = demo_forecasts[1]
    q4_target = revenue_target(demo_data, "2026-10", "2026-11", "2026-12")
    assert figure(slide, 3)[:3] == ["Prévision · T4 2026", eur(fc.shown), of_target(q4_target, fc.shown / q4_target)]
    # the main risk valued as next quarter's forecast values it, the decision the quarterly ritual's own
    top = largest_at_risk(demo_data, fc)
    assert part(slide, "Risque texte")[1].startswith(f"{top['deal_id']} · {top['account']} ({top['owner']}) : ")
    mine = open_actions_of(demo_data, "quarterly")
    decision = part(slide, "Décision texte")[1]
    if len(mine):
        assert decision == mine.iloc[0]["decision"]
    else:
        assert decision == render(compute_alerts(demo_data, DEMO_AS_OF)[0].action, "fr")


# -- the choices, on their own -------------------------------------------------------------------------

def test_the_main_risk_is_the_largest_value_even_out_of_order():
    from kpicore.cockpit.summary import DEAL, main_risk
    from kpicore.forecast.risk import RiskReport

    deals = pd.DataFrame({"deal_id": ["A", "B", "C"], "account": ["a", "b", "c"], "owner": ["x", "y", "z"],
                          "stage": ["s"] * 3, "amount": [10.0, 50.0, 50.0], "value_at_risk": [9.0, 30.0, 30.0],
                          "reasons": [("no_activity",)] * 3, "reasons_message": [None] * 3})
    r = main_risk(RiskReport(AS_OF, deals), [])
    assert (r.source, r.deal_id, r.value_at_risk, r.n_deals, r.total_at_risk) == (DEAL, "B", 30.0, 3, 69.0)
