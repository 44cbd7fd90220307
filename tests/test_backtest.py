"""Backtest: no peeking, error arithmetic, choice of the method shown (kpicore.forecast.backtest)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

from support.forecast_synth import actual_won, draw, known_at
from kpicore.text.catalogue import render
from kpicore.forecast.backtest import backtest, backtest_json, choose_method, summarise
from kpicore.forecast.shown import forecast

T = pd.Timestamp


@pytest.mark.parametrize("stage_history", [True, False])
def test_a_forecast_replayed_on_later_data_equals_the_one_made_that_day(stage_history):
    # the backtest rebuilds the past from today's workbook; if it peeked at outcomes
    # known only later, its numbers would differ from those of the workbook of that day
    truth = draw(11, "2024-01-01", "2025-12-31", rate=1.5, q=0.3, theta=1 / 30)
    then = known_at(truth, "2025-08-13", stage_history=stage_history)
    later = known_at(truth, "2025-12-31", stage_history=stage_history)
    for period in ("2025-08", "2025-Q3"):
        a = forecast(then, period, method_shown="calibrated", n_sims=1000)
        b = forecast(later, period, as_of="2025-08-13", method_shown="calibrated", n_sims=1000)
        for field in ("won_to_date", "new_deals", "run_rate"):
            assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-12), field
        # the stages of that day are facts (history) or unknown in both views (a stage
        # known only on the day itself is used as the history used it: unknown)
        assert a.calibrated == pytest.approx(b.calibrated, rel=1e-12)
        assert (a.p10, a.p50, a.p90) == (b.p10, b.p50, b.p90)
        # declared values of deals closed since are today's: flagged, not hidden
        assert b.fields_from_today and not a.fields_from_today


def test_errors_by_hand():
    rows = pd.DataFrame({
        "granularity": ["quarter"] * 3, "method": ["calibrated"] * 3,
        "predicted": [104.0, 80.0, 50.0], "actual": [100.0, 100.0, 0.0],
        "p10": [90.0, 85.0, 0.0], "p90": [120.0, 95.0, 60.0],
    })
    s = summarise(rows).iloc[0]
    # errors +4 % and -20 %; the period with nothing won has no percentage error
    assert (s["n"], s["n_scored"]) == (3, 2)
    assert s["mape"] == pytest.approx((0.04 + 0.2) / 2)
    assert s["median_ape"] == pytest.approx(0.12)
    assert s["bias"] == pytest.approx((0.04 - 0.2) / 2)
    assert s["within_5"] == pytest.approx(0.5) and s["within_10"] == pytest.approx(0.5)
    # inside P10-P90: 100 in [90, 120] yes, 100 in [85, 95] no, 0 in [0, 60] yes
    assert s["coverage"] == pytest.approx(2 / 3)


def _summary(quarter: dict[str, float], month: dict[str, float] | None = None) -> pd.DataFrame:
    recs = [{"granularity": "quarter", "method": m, "mape": v, "n_scored": 10} for m, v in quarter.items()]
    recs += [{"granularity": "month", "method": m, "mape": v, "n_scored": 10} for m, v in (month or {}).items()]
    return pd.DataFrame(recs, columns=["granularity", "method", "mape", "n_scored"])


def test_method_shown_must_beat_the_run_rate():
    # the run rate or the blend is shown (kpicore.forecast.backtest's docstring): the blend when it beats the run rate
    assert choose_method(_summary({"calibrated": 0.08, "run_rate": 0.12, "weighted_declared": 0.3,
                                   "blend": 0.09}))[0] == "blend"
    # a tie goes to the naive reference
    assert choose_method(_summary({"calibrated": 0.12, "run_rate": 0.12, "weighted_declared": 0.3,
                                   "blend": 0.12}))[0] == "run_rate"
    # a single method better than both is quoted, not shown
    assert choose_method(_summary({"calibrated": 0.2, "run_rate": 0.15, "weighted_declared": 0.1,
                                   "blend": 0.16}))[0] == "run_rate"
    # no quarter scored: the months decide
    month_only = _summary({}, {"calibrated": 0.3, "run_rate": 0.2, "weighted_declared": 0.5, "blend": 0.25})
    assert choose_method(month_only)[0] == "run_rate"
    method, reason = choose_method(_summary({}))
    assert method == "run_rate" and "trop court" in render(reason)


def test_backtest_on_a_steady_process():
    truth = draw(5, "2024-01-01", "2025-12-31", rate=1.0, q=0.3, theta=1 / 30)
    data = known_at(truth, "2025-12-31")
    bt = backtest(data, start="2025-01-06", n_sims=500)
    # weekly from 2025-01-06 (Mondays), and each period's first working day off that grid: Tuesday
    # 1 April, Thursday 1 May, Tuesday 1 July, Friday 1 August, Wednesday 1 October (3 February,
    # 3 March, 2 June, 1 September, 3 November and 1 December are Mondays; 1 January is before the start)
    weekly = list(pd.date_range("2025-01-06", "2025-12-31", freq="7D"))
    extra = [T("2025-04-01"), T("2025-05-01"), T("2025-07-01"), T("2025-08-01"), T("2025-10-01")]
    assert list(bt.as_of_dates) == sorted(weekly + extra) and len(weekly) == 52
    assert bt.as_of_dates[-1] == T("2025-12-29")
    quarter = bt.rows[(bt.rows["granularity"] == "quarter") & (bt.rows["method"] == "run_rate")]
    # the actual of each row is what the generating process won in that quarter
    for period, actual in quarter.groupby("period")["actual"].first().items():
        start = pd.Period(period, "Q").start_time
        end = pd.Period(period, "Q").end_time.normalize()
        assert actual == actual_won(truth, start, end)
    # 57 dates, each in one month and one quarter, four methods, the blend among them (a period is scored
    # once over on 2025-12-31)
    assert len(bt.rows) == 57 * 2 * 4
    # the Day-One forecast of each quarter against what the process won in it
    q1 = bt.day_one("quarter", "run_rate")
    assert list(q1["period"]) == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert list(q1["as_of"]) == [T("2025-04-01"), T("2025-07-01"), T("2025-10-01")]
    for r in q1.itertuples():
        won = actual_won(truth, pd.Period(r.period, "Q").start_time, pd.Period(r.period, "Q").end_time.normalize())
        assert r.actual == won and r.error == pytest.approx((r.predicted - won) / won)
    months = bt.day_one("month", "calibrated")
    assert list(months["period"]) == [f"2025-{m:02d}" for m in range(2, 13)]
    assert all(d.weekday() < 5 and d.day <= 3 for d in months["as_of"])
    assert bt.method_shown in ("run_rate", "blend")
    # the run-rate row of 2025-03-03 for Q1, from the truth: won 01-01..03-03, plus the won
    # amount of the 91 days up to 03-03 (from 2024-12-03) ÷ 91 × 28 days left in March
    row = quarter[quarter["as_of"] == T("2025-03-03")].iloc[0]
    expected = actual_won(truth, "2025-01-01", "2025-03-03") + \
        actual_won(truth, "2024-12-03", "2025-03-03") / 91 * 28
    assert row["predicted"] == pytest.approx(expected)
    doc = backtest_json(bt, source=data.source, text=render)
    schema_doc = json.loads(resources.files("kpicore.model.json_schemas").joinpath("backtest.v3.json").read_text())
    jsonschema.validate(doc, schema_doc)
    assert doc["n_as_of"] == 57 and doc["method_shown"] == bt.method_shown
    shown_q = bt.method_for("quarter")[0]
    assert [(d["period"], d["method"]) for d in doc["day_one"] if d["granularity"] == "quarter"] == \
        [(p, shown_q) for p in ("2025-Q2", "2025-Q3", "2025-Q4")]


def test_months_and_quarters_may_show_different_methods():
    summary = _summary({"calibrated": 0.06, "run_rate": 0.15, "weighted_declared": 0.5, "blend": 0.07},
                       {"calibrated": 0.31, "run_rate": 0.24, "weighted_declared": 1.6, "blend": 0.26})
    assert choose_method(summary, "quarter")[0] == "blend"
    method, reason = choose_method(summary, "month")
    assert method == "run_rate" and "mensuelle" in render(reason) and "24\u00a0%" in render(reason)


def test_backtest_scores_only_periods_over_by_its_end():
    truth = draw(5, "2024-01-01", "2025-12-31", rate=1.0, q=0.3, theta=1 / 30)
    data = known_at(truth, "2025-12-31")
    bt = backtest(data, start="2025-06-02", end="2025-09-15", n_sims=200)
    # months over by 2025-09-15: June, July, August; quarters: Q2 only (Q3 ends on 09-30)
    assert set(bt.rows["period"]) == {"2025-06", "2025-07", "2025-08", "2025-Q2"}
    assert bt.as_of_dates[-1] == T("2025-08-25")


# -- the range measured, not promised ----------------------------------------------------------

def _smallest_widening(p10: float, p90: float, actuals, share: float, weights=None) -> float:
    """By brute force: the smallest log factor q >= 0 such that [p10·e^-q, p90·e^q] holds at least
    ``share`` of ``actuals``, each weighing ``weights`` (all alike by default) (the conformal
    definition, without the quantile formula)."""
    weights = np.ones(len(actuals)) if weights is None else np.asarray(weights, float)
    for q in np.linspace(0.0, 3.0, 300_001):
        inside = [(p10 * np.exp(-q) <= a <= p90 * np.exp(q)) for a in actuals]
        if np.sum(weights * np.array(inside)) / np.sum(weights) >= share - 1e-12:
            return float(q)
    raise AssertionError("no widening up to e^3 holds them")


def test_widen_holds_four_in_five_past_actuals_and_never_narrows():
    from kpicore.forecast.backtest import range_score, widen

    # ten past forecasts with the same range 95-105 and these actuals: 4 inside, 6 outside
    actuals = np.array([50.0, 80, 90, 100, 100, 104, 120, 150, 200, 101])
    scores = range_score(np.full(10, 95.0), np.full(10, 105.0), actuals)
    assert scores[3] < 0 and scores[0] == pytest.approx(np.log(95 / 50))
    lo, hi = widen(95.0, 105.0, 0.0, scores)
    # 80 % of ten, so eight of them
    q = _smallest_widening(95.0, 105.0, actuals, 0.80)
    assert (lo, hi) == (pytest.approx(95 * np.exp(-q), rel=1e-4), pytest.approx(105 * np.exp(q), rel=1e-4))
    assert q == pytest.approx(np.log(150 / 105), rel=1e-4)  # 200 and 50 stay out, 150 comes in
    # already holding them: unchanged
    assert widen(10.0, 500.0, 0.0, range_score(np.full(10, 10.0), np.full(10, 500.0), actuals)) == (10.0, 500.0)
    # never below what is already won
    assert widen(95.0, 105.0, 90.0, scores)[0] == 90.0
    assert widen(95.0, 105.0, 0.0, None) == (95.0, 105.0)


def test_a_range_is_widened_only_when_its_past_misses_exceed_one_in_five_beyond_their_noise():
    from kpicore.forecast.backtest import range_score, widen

    # twelve past ranges 95-105; a share outside measured on 12 has a standard error √(0.8 × 0.2 / 12)
    # = 0.1155, so the bar is 0.2 + 0.1155 = 0.3155: three misses (0.25) are chance, four (0.333) are not
    three_out = np.array([60.0, 80, 130] + [100.0] * 9)
    four_out = np.array([60.0, 80, 130, 140] + [100.0] * 8)
    in_range = (np.full(12, 95.0), np.full(12, 105.0))
    assert widen(95.0, 105.0, 0.0, range_score(*in_range, three_out)) == (95.0, 105.0)
    lo, hi = widen(95.0, 105.0, 0.0, range_score(*in_range, four_out))
    # four fifths of twelve is 9.6: after the eight inside and 80 (95/80 below), the tenth, 130 (130/105
    # above), sets the factor
    assert (lo, hi) == (pytest.approx(95 * 105 / 130), pytest.approx(130.0))
    # the same four misses among forecasts of uneven weight: still a third of the weight outside, but
    # measured on (Σw)² / Σw² = 12² / 26 = 5.54 forecasts the bar is 0.2 + √(0.16 / 5.54) = 0.370
    weights = np.array([1.0] * 4 + [4.5] + [0.5] * 7)
    assert widen(95.0, 105.0, 0.0, range_score(*in_range, four_out), weights) == (95.0, 105.0)


def test_each_replayed_range_is_widened_by_periods_over_before_it_only():
    from kpicore.forecast.backtest import RANGE_MIN_POINTS, widen_ranges
    from kpicore.forecast.calibration import RECENCY_HALF_LIFE_DAYS

    T = pd.Timestamp
    rows = []
    # ten months, each forecast on its 1st (first third) at 100 with the simulation's 95-105
    actuals = [50, 80, 90, 100, 100, 110, 120, 150, 200, 100]
    for k, actual in enumerate(actuals):
        start = T("2025-01-01") + pd.DateOffset(months=k)
        end = start + pd.DateOffset(months=1) - pd.Timedelta(days=1)
        rows.append({"as_of": start, "granularity": "month", "period": f"m{k}", "method": "calibrated",
                     "predicted": 100.0, "actual": float(actual), "p10": 95.0, "p90": 105.0,
                     "period_end": end, "third": 0, "won_to_date": 0.0})
    out = widen_ranges(pd.DataFrame(rows))
    for k in range(len(actuals)):
        past = actuals[:k]  # months over before the k-th forecast's date
        if len(past) < RANGE_MIN_POINTS:
            assert (out.loc[k, "p10_range"], out.loc[k, "p90_range"]) == (95.0, 105.0)
        else:
            # a past month weighs ½ per half-life since it ended: four fifths of their weight must be held
            age = np.array([(rows[k]["as_of"] - rows[j]["period_end"]).days for j in range(k)], float)
            weights = 0.5 ** (age / RECENCY_HALF_LIFE_DAYS)
            q = _smallest_widening(95.0, 105.0, past, 0.8, weights)
            assert out.loc[k, "p10_range"] == pytest.approx(95 * np.exp(-q), rel=1e-4)
            assert out.loc[k, "p90_range"] == pytest.approx(105 * np.exp(q), rel=1e-4)
    assert RANGE_MIN_POINTS <= len(actuals) - 1, "the last forecast must have been widened"


def test_the_reason_for_the_method_reads_in_both_languages():
    # quarters: the blend 5 % beats run rate 15 %, the calibrated forecast 6 % and the declared pipeline 50 %;
    # the run rate and the blend may be shown, listed first among the others
    summary = _summary({"calibrated": 0.06, "run_rate": 0.15, "weighted_declared": 0.5, "blend": 0.05},
                       {"calibrated": 0.31, "run_rate": 0.24, "weighted_declared": 1.6, "blend": 0.26})
    n = int(summary[summary["granularity"] == "quarter"]["n_scored"].max())
    method, reason = choose_method(summary, "quarter")
    assert method == "blend" and reason.code == "forecast.reason.best_method"
    assert render(reason, "fr") == (
        f"Backtest sur {n} prévisions passées : « Mélange calibré / rythme (poids appris sur les périodes passées) » "
        "a l'erreur trimestrielle moyenne la plus faible (5\u00a0% ; rythme des 91 derniers jours 15\u00a0%, "
        "prévision calibrée (historique de l'entreprise) 6\u00a0%, "
        "pipeline pondéré par les probabilités déclarées 50\u00a0%).")
    assert render(reason, "en") == (
        f"Backtest over {n} past forecasts: \u201cCalibrated / run rate blend (weights learned on past periods)\u201d "
        "has the lowest mean quarterly error (5%; run rate of the last 91 days 15%, calibrated forecast (the "
        "company's history) 6%, pipeline weighted by the declared probabilities 50%).")
    # the blend 7 %, the calibrated forecast alone 6 %: the reason claims only the lower of the two shown
    method, reason = choose_method(_summary({"calibrated": 0.06, "run_rate": 0.15, "weighted_declared": 0.5,
                                             "blend": 0.07}), "quarter")
    assert method == "blend" and render(reason, "fr") == (
        f"Backtest sur {n} prévisions passées : « Mélange calibré / rythme (poids appris sur les périodes passées) » "
        "a l'erreur trimestrielle moyenne la plus faible entre le rythme des 91 derniers jours et le mélange "
        "calibré / rythme (7\u00a0% ; rythme des 91 derniers jours 15\u00a0%, "
        "prévision calibrée (historique de l'entreprise) 6\u00a0%, "
        "pipeline pondéré par les probabilités déclarées 50\u00a0%).")
    short = choose_method(_summary({}))[1]
    assert render(short, "en").startswith("History too short for a backtest")
