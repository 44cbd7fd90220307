"""The forecast engine against cases known by construction (kpicore.forecast.forecasting, kpicore.forecast.calibration)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

from support.forecast_synth import AMOUNTS, actual_won, draw, known_at, true_p
from kpicore.text.catalogue import render
from kpicore.model import schema
from kpicore.forecast.calibration import NewDealFlow
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.forecast.forecasting import forecast_json, prepare, resolve_period, simulate
from kpicore.forecast.shown import forecast, forecast_all

T = pd.Timestamp
Q, THETA, RATE = 0.3, 1 / 30, 3.0
AS_OF, PERIOD, H = "2025-09-30", "2025-Q4", 92  # 2025-10-01 .. 2025-12-31: 92 days after as_of


def _expected_new_count(rate: float, q: float, theta: float, h: int) -> float:
    # a deal created s days after as_of (s = 1..h) has h - s days left to be won
    return rate * sum(true_p(q, theta, h - s) for s in range(1, h + 1))


@pytest.fixture(scope="module")
def synthetic_forecasts():
    out = []
    for seed in range(6):
        truth = draw(seed, "2024-01-01", "2025-12-31", rate=RATE, q=Q, theta=THETA)
        # the simulation itself: the range the backtest measures comes after it
        out.append(forecast(known_at(truth, AS_OF), PERIOD, method_shown="calibrated", n_sims=4000, seed=seed,
                            measured_range=False))
    return out


def test_calibrated_probability_matches_the_generating_process(synthetic_forecasts):
    # memoryless closing: every open deal has P(won within 92 days) = 0.3 × (1 - (29/30)^92) ≈ 0.287,
    # whatever its age and size
    truth = true_p(Q, THETA, H)
    assert truth == pytest.approx(0.3 * (1 - (29 / 30) ** 92))
    ratios = [f.deals["p_calibrated"].mean() / truth for f in synthetic_forecasts]
    # one seed rests on ~600 closed deals (sd of a ratio ≈ 5 %): each within 15 %, their mean within 6 %
    assert all(0.85 < r < 1.15 for r in ratios), ratios
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.06)


def test_new_deals_and_p50_match_the_expected_total(synthetic_forecasts):
    mu = _expected_new_count(RATE, Q, THETA, H)
    new_ratio, p50_ratio = [], []
    for f in synthetic_forecasts:
        new_ratio.append(f.new_deals / (mu * AMOUNTS.mean()))
        expected = float((f.deals["amount"] * true_p(Q, THETA, H)).sum()) + mu * AMOUNTS.mean()
        assert f.won_to_date == 0.0  # the quarter starts the day after as_of
        p50_ratio.append(f.p50 / expected)
    assert np.mean(new_ratio) == pytest.approx(1.0, abs=0.07), new_ratio
    assert np.mean(p50_ratio) == pytest.approx(1.0, abs=0.07), p50_ratio
    for f in synthetic_forecasts:
        assert f.p10 < f.p50 < f.p90


@pytest.mark.slow
def test_actual_outcomes_fall_inside_p10_p90_about_80_percent_of_the_time():
    # the outcome of each seed is drawn by the generating process, independently of the
    # forecast's own simulation; with 60 seeds the share has a standard deviation of about 5 %.
    # The simulation's own range: what the replay's errors add is tested on the demo
    inside = []
    for seed in range(60):
        truth = draw(1000 + seed, "2024-07-01", "2025-12-31", rate=1.0, q=Q, theta=THETA)
        fc = forecast(known_at(truth, AS_OF), PERIOD, method_shown="calibrated", n_sims=2000, seed=seed,
                      measured_range=False)
        actual = actual_won(truth, "2025-10-01", "2025-12-31")
        inside.append(fc.p10 <= actual <= fc.p90)
    assert 0.65 <= np.mean(inside) <= 0.93, np.mean(inside)


def _small() -> PipelineData:
    deals = pd.DataFrame({
        "deal_id": ["W1", "W2", "W3", "O1", "O2", "O3", "O4", "L1"],
        "owner": ["Alice", "Alice", "Bruno", "Alice", "Bruno", "Bruno", "Alice", "Bruno"],
        "stage": ["Gagnée", "Gagnée", "Gagnée", "Négociation", "Proposition", "Qualification", "Prospection",
                  "Perdue"],
        "status": ["won", "won", "won", "open", "open", "open", "open", "lost"],
        "amount": [500.0, 300.0, 200.0, 1000.0, 2000.0, 4000.0, 800.0, 900.0],
        "created_on": [T("2025-06-01"), T("2025-06-01"), T("2025-05-01"), T("2025-09-01"), T("2025-09-15"),
                       T("2025-10-01"), T("2025-11-01"), T("2025-06-01")],
        "closed_on": [T("2025-11-05"), T("2025-10-01"), T("2025-08-01"), pd.NaT, pd.NaT, pd.NaT, pd.NaT,
                      T("2025-11-20")],
        "expected_close_on": [pd.NaT, pd.NaT, pd.NaT, T("2025-11-25"), T("2025-11-10"), T("2026-01-15"), pd.NaT,
                              pd.NaT],
        "probability": [None, None, None, 0.4, None, None, None, None],
        "forecast_category": [None, None, None, "Commit", "Best case", "Pipeline", None, None],
    })
    reps = pd.DataFrame({"rep": ["Alice", "Bruno"], "team": ["Nord", "Nord"]})
    targets = pd.DataFrame({
        "period": ["2025-10", "2025-11", "2025-12", "2025-11"],
        "scope_type": ["rep", "rep", "rep", "rep"],
        "scope_name": ["Alice", "Alice", "Alice", "Bruno"],
        "metric": ["revenue"] * 4,
        "value": [100.0, 400.0, 300.0, 600.0],
    })
    return PipelineData(deals=schema.conform(deals, schema.DEALS), reps=schema.conform(reps, schema.REPS),
                        targets=schema.conform(targets, schema.TARGETS))


def _by_scope(forecasts):
    return {f.scope: f for f in forecasts}


def test_naive_methods_by_hand():
    fcs = _by_scope(forecast_all(_small(), "2025-11", as_of="2025-11-20", method_shown="run_rate", n_sims=500))
    company = fcs[("company", "")]
    # won in November up to the 20th: W1 500
    assert company.won_to_date == 500.0
    # trailing 91 days (2025-08-22 .. 2025-11-20): W1 500 + W2 300 (W3 on 08-01 is older);
    # 10 days left in November
    assert company.run_rate == pytest.approx(500 + 800 / 91 * 10)
    # O1 1000 × 40 % + O2 2000 × stage default 50 % (overdue, still counts); O3 expected in
    # January and O4 without a date are left out
    assert company.weighted_declared == pytest.approx(1000 * 0.4 + 2000 * 0.5)
    # categories are cumulative and include what is won: commit = 500 + O1, best case adds O2
    assert company.commit == 1500.0 and company.best_case == 3500.0 and company.pipeline == 3500.0
    assert company.method_shown == "run_rate" and company.shown == company.run_rate
    alice, bruno = fcs[("rep", "Alice")], fcs[("rep", "Bruno")]
    assert alice.won_to_date == 500.0 and bruno.won_to_date == 0.0
    assert alice.weighted_declared == pytest.approx(400.0)
    # the reps cover the company: expected values add up
    for field in ("won_to_date", "weighted_declared", "calibrated", "new_deals", "run_rate"):
        assert getattr(alice, field) + getattr(bruno, field) == pytest.approx(getattr(company, field))
    assert fcs[("team", "Nord")].calibrated == pytest.approx(company.calibrated)


def test_targets_and_probability_of_reaching_them():
    fcs = _by_scope(forecast_all(_small(), "2025-11", as_of="2025-11-20", method_shown="calibrated", n_sims=500))
    assert fcs[("rep", "Alice")].target == 400.0
    # without team or company rows the reps' rows add up: 400 + 600
    assert fcs[("team", "Nord")].target == 1000.0 and fcs[("company", "")].target == 1000.0
    # Alice has already won 500 >= 400: every draw reaches the target
    assert fcs[("rep", "Alice")].prob_reach_target == 1.0
    quarter = forecast(_small(), "2025-Q4", ("rep", "Alice"), as_of="2025-11-20", method_shown="calibrated",
                       n_sims=500)
    assert quarter.target == 100.0 + 400.0 + 300.0
    # Alice won W2 (300, 1 October) and W1 (500, 5 November) in the quarter
    assert quarter.won_to_date == 800.0


def test_simulation_is_exact_on_certain_deals_and_unbiased_on_uncertain_ones():
    rng = np.random.default_rng(1)
    none = NewDealFlow(0.0, np.array([]))
    certain = simulate(np.array([100.0, 200.0, 300.0]), np.array([1.0, 0.0, 1.0]), none, 1000, rng)
    assert (certain == 400.0).all()
    coin = simulate(np.array([100.0]), np.array([0.5]), none, 10_000, rng)
    # mean 50, standard error 50 / sqrt(10 000) = 0.5
    assert coin.mean() == pytest.approx(50.0, abs=2.0)
    # new deals only: Poisson(3) deals of 10 each, mean 30, standard error sqrt(3) × 10 / 100 ≈ 0.17
    flow = NewDealFlow(3.0, np.array([10.0]), 30.0)
    new = simulate(np.array([]), np.array([]), flow, 10_000, rng)
    assert new.mean() == pytest.approx(30.0, abs=1.0)
    assert new.var() == pytest.approx(300.0, rel=0.1)  # Poisson: variance 3 × 10²


def test_same_seed_same_forecast():
    truth = draw(3, "2024-06-01", "2025-12-31", rate=1.0, q=Q, theta=THETA)
    data = known_at(truth, AS_OF)
    ctx = prepare(data)
    a = forecast(data, PERIOD, method_shown="calibrated", n_sims=1000, seed=5, context=ctx)
    b = forecast(data, PERIOD, method_shown="calibrated", n_sims=1000, seed=5, context=ctx)
    c = forecast(data, PERIOD, method_shown="calibrated", n_sims=1000, seed=6, context=ctx)
    assert (a.p10, a.p50, a.p90) == (b.p10, b.p50, b.p90)
    assert (a.p10, a.p50, a.p90) != (c.p10, c.p50, c.p90)


def test_a_closed_period_is_what_was_won():
    fc = forecast(_small(), "2025-10", as_of="2025-11-20", method_shown="calibrated", n_sims=200)
    # October is over: W2 (300) was won on 1 October; nothing is left to win
    assert fc.won_to_date == 300.0 and fc.p10 == fc.p50 == fc.p90 == 300.0
    assert fc.calibrated == 0.0 and fc.new_deals == 0.0 and fc.run_rate == 300.0


def test_periods_and_bad_methods():
    assert resolve_period("month", T("2025-11-20")).code == "2025-11"
    assert resolve_period("trimestre", T("2025-11-20")).code == "2025-Q4"
    with pytest.raises(UsageError, match="méthode"):
        forecast(_small(), "2025-11", as_of="2025-11-20", method_shown="magic")


def test_forecast_json_follows_its_schema():
    data = _small()
    fcs = forecast_all(data, "2025-11", as_of="2025-11-20", method_shown="calibrated", n_sims=200)
    doc = forecast_json(fcs, source=data.source, text=render)
    schema_doc = json.loads(resources.files("kpicore.model.json_schemas").joinpath("forecast.v3.json").read_text())
    jsonschema.validate(doc, schema_doc)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["kind"] == "forecast" and doc["as_of"] == "2025-11-20"  # the forecasts' common date
    assert [f["scope"]["level"] for f in doc["forecasts"]] == ["company", "team", "rep", "rep"]
    broken = json.loads(json.dumps(doc))
    del broken["forecasts"][0]["p50"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema_doc)


def test_without_enough_history_the_run_rate_is_shown_and_said_so():
    fc = forecast(_small(), "2025-11", as_of="2025-11-20", n_sims=200)
    # the first deal is from May 2025: no year of history to backtest, no proof another method does better
    assert fc.method_shown == "run_rate" and fc.shown == fc.run_rate
    assert "trop court" in render(fc.method_reason)


def test_closing_seasonality_by_hand():
    from kpicore.forecast.calibration import build_history, closing_season

    # one deal created every day, closed 7 days later: won, except when it closes in August (lost)
    created = pd.date_range("2023-11-01", "2025-12-31")
    closed = created + pd.Timedelta(days=7)
    deals = pd.DataFrame({"deal_id": [f"S{i}" for i in range(len(created))], "owner": "Alice",
                          "stage": "Gagnée", "status": np.where(closed.month == 8, "lost", "won"),
                          "amount": 100.0, "created_on": created, "closed_on": closed})
    hist = build_history(PipelineData(deals=schema.conform(deals, schema.DEALS)))
    as_of = T("2025-12-31")
    # two years up to as_of: 2024-01-02 .. 2025-12-31.  Wins by month of close; exposure: the
    # weekly photographs (Mondays) each see the 7 deals open that day
    window = pd.date_range("2024-01-02", "2025-12-31")
    won = np.bincount(window[window.month != 8].month, minlength=13)[1:]
    mondays = pd.date_range("2024-01-02", "2025-12-31", freq="W-MON")
    exposure = 7 * np.bincount(mondays.month, minlength=13)[1:]
    assert won.sum() == 730 - 62
    expected = won.sum() * exposure / exposure.sum()
    s = (won + 10) / (expected + 10)
    assert closing_season(hist, as_of, T("2025-07-31"), T("2025-08-31")) == pytest.approx(s[7])
    two_months = closing_season(hist, as_of, T("2025-06-30"), T("2025-08-31"))
    assert two_months == pytest.approx((31 * s[6] + 31 * s[7]) / 62)
    assert s[7] < 0.2 and two_months < 1  # August signs nothing
    # less than two years of history: no seasonality
    assert closing_season(hist, T("2025-10-01"), T("2025-10-01"), T("2025-10-31")) == 1.0


def test_one_scope_or_all_scopes_give_the_same_numbers():
    data = known_at(draw(8, "2024-06-01", "2025-12-31", rate=1.0, q=Q, theta=THETA), AS_OF)
    every = {f.scope: f for f in forecast_all(data, PERIOD, method_shown="calibrated", n_sims=1000)}
    for scope in (("company", ""), ("team", "Nord"), ("rep", "Bruno")):
        one = forecast(data, PERIOD, scope, method_shown="calibrated", n_sims=1000)
        assert (one.p10, one.p50, one.p90, one.calibrated) == (every[scope].p10, every[scope].p50,
                                                               every[scope].p90, every[scope].calibrated)
    # the reps' draws add up to the company's, so the company's P50 lies between the sum of
    # the reps' P10s and the sum of their P90s
    reps = [f for s, f in every.items() if s[0] == "rep"]
    company = every[("company", "")]
    assert sum(f.p10 for f in reps) <= company.p50 <= sum(f.p90 for f in reps)


def test_the_reason_and_the_notes_read_in_the_language_the_edge_asks_for():
    fc = forecast(_small(), "2025-11", as_of="2025-11-20", n_sims=200)
    doc = forecast_json(fc, source="x.xlsx", text=lambda m: render(m, "en"))
    assert doc["method_reason_text"].startswith("History too short for a backtest: the run rate")
    assert all(isinstance(n, str) for n in doc["notes_text"]) and len(doc["notes_text"]) == len(fc.notes)
    french = forecast_json(fc, source="x.xlsx", text=render)
    assert french["method_reason_text"].startswith("Historique trop court pour un backtest")


def test_a_range_whose_draws_pile_up_on_the_won_to_date_starts_there_and_holds_four_in_five():
    from kpicore.forecast.forecasting import simulated_range

    # 1,000 draws of a month with 100 won: 300 add nothing, 700 add 1, 2, ..., 700
    totals = np.concatenate([np.full(300, 100.0), 100.0 + np.arange(1, 701)])
    p10, p50, p90 = simulated_range(totals, 100.0)
    # the equal-tailed 100 .. P90 would hold 900 draws; from 100 up to the 800th draw, 100 + 500, holds 800
    assert p10 == 100.0 and p90 == pytest.approx(600.0, abs=1.0)
    assert np.mean((totals >= p10) & (totals <= p90)) == pytest.approx(0.80, abs=0.002)
    assert p50 == pytest.approx(100.0 + 200.0, abs=1.0)  # the 500th draw
    # 50 draws on the floor, one in twenty: the equal-tailed P10 - P90, 100 + 50 .. 100 + 850
    totals = np.concatenate([np.full(50, 100.0), 100.0 + np.arange(1, 951)])
    p10, _, p90 = simulated_range(totals, 100.0)
    assert p10 == pytest.approx(150.0, abs=1.0) and p90 == pytest.approx(950.0, abs=1.0)
    assert np.mean((totals >= p10) & (totals <= p90)) == pytest.approx(0.80, abs=0.002)
