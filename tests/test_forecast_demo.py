"""The forecast engine on the demo company: backtest of its second year, deals at risk.

The figures of the backtest are measured, not asserted (they are printed with
``pytest -s`` and reported); the assertions check what is known by construction.
"""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

from kpicore.text.catalogue import render
from kpicore.forecast.backtest import backtest
from kpicore.demo.company import DEMO_AS_OF, stalled_deals
from kpicore.forecast.forecasting import METHODS, forecast_json, prepare
from kpicore.forecast.shown import forecast_all
from kpicore.forecast.risk import deals_at_risk

AS_OF = pd.Timestamp(DEMO_AS_OF)


@pytest.fixture(scope="module")
def context(demo_data):
    return prepare(demo_data)


@pytest.fixture(scope="module")
def second_year(demo_data, context):
    return backtest(demo_data, start=AS_OF - pd.Timedelta(days=365), context=context)


@pytest.mark.slow
def test_backtest_of_the_second_year(demo_data, second_year):
    bt = second_year
    # weekly as-of dates over the last year and the first working day of each month, kept while the
    # month they fall in is over on as_of
    start = AS_OF - pd.Timedelta(days=365)
    weekly = set(pd.date_range(start, "2026-10-31", freq="7D"))
    firsts = {d for d in pd.date_range(start, "2026-10-31", freq="D") if d.weekday() < 5
              and all(e.weekday() >= 5 for e in pd.date_range(d.replace(day=1), d)[:-1])}
    assert set(bt.as_of_dates) == weekly | firsts
    assert bt.as_of_dates[0] == start and len(firsts) >= 11
    print()
    print(bt.summary.to_string())
    print(bt.method_shown, "-", render(bt.reason))
    for gran in ("month", "quarter"):
        for method in METHODS:
            for name in ("mape", "median_ape", "bias", "within_10"):
                assert np.isfinite(bt.metric(gran, method, name)), (gran, method, name)
        assert 0.0 <= bt.metric(gran, "calibrated", "coverage") <= 1.0

    # each actual is what the demo's deals won in that period, recomputed here from the deals
    deals = demo_data.deals
    won = deals[deals["status"] == "won"]
    for period, actual in bt.rows.groupby("period")["actual"].first().items():
        p = pd.Period(period)
        in_period = won["closed_on"].between(p.start_time, p.end_time.normalize())
        assert actual == pytest.approx(won.loc[in_period, "amount"].sum())

    # the reps declare more than they win (stage defaults plus their optimism, by construction)
    assert bt.metric("quarter", "weighted_declared", "bias") > 0
    # the method shown is never beaten by the run rate on the quarters it was chosen on
    assert bt.metric("quarter", bt.method_shown, "mape") <= bt.metric("quarter", "run_rate", "mape")


def test_stalled_deals_are_at_risk_for_their_reasons(demo_data, context):
    live = forecast_all(demo_data, "quarter", context=context, method_shown="calibrated", n_sims=2000)
    company = next(f for f in live if f.scope == ("company", ""))
    probs = company.deals.set_index("deal_id")["p_calibrated"]
    report = deals_at_risk(demo_data, probabilities=probs)
    reasons = dict(zip(report.deals["deal_id"], report.deals["reasons"]))
    stalled = stalled_deals()
    assert stalled and set(stalled) <= set(reasons)
    # the demo says why each deal is stalled, in French; the matching reason must be found
    words = {"Bloquée": "stuck_in_stage", "Aucune activité": "no_activity", "aucune activité": "no_activity",
             "repoussée": "close_date_pushed", "Montant réduit": "amount_cut", "dépassée": "close_date_passed",
             "pas de prochaine étape": "no_next_step"}
    for deal_id, why in stalled.items():
        expected = {code for word, code in words.items() if word in why}
        assert expected and expected <= set(reasons[deal_id]), (deal_id, why, reasons[deal_id])
    # ranked by amount × calibrated probability
    var = report.deals["value_at_risk"].to_numpy()
    assert (np.diff(var) <= 0).all()
    row = report.deals.iloc[0]
    assert row["value_at_risk"] == pytest.approx(row["amount"] * probs[row["deal_id"]])


def test_live_forecast_of_every_scope(demo_data, context):
    live = forecast_all(demo_data, "quarter", context=context, method_shown="calibrated", n_sims=2000)
    by = {f.scope: f for f in live}
    reps = [f for f in live if f.scope[0] == "rep"]
    teams = [f for f in live if f.scope[0] == "team"]
    company = by[("company", "")]
    assert company.as_of == AS_OF and company.period == "2026-Q4"
    for field in ("won_to_date", "weighted_declared", "calibrated", "run_rate"):
        assert sum(getattr(f, field) for f in reps) == pytest.approx(getattr(company, field))
        assert sum(getattr(f, field) for f in teams) == pytest.approx(getattr(company, field))
    assert company.target is not None and 0.0 <= company.prob_reach_target <= 1.0
    assert company.fields_from_today == ()
    doc = forecast_json(live, source=demo_data.source, text=render)
    schema_doc = json.loads(resources.files("kpicore.model.json_schemas").joinpath("forecast.v3.json").read_text())
    jsonschema.validate(doc, schema_doc)


def test_the_live_range_is_the_simulations_unless_the_replay_saw_it_miss(demo_data):
    """The live range is the simulation's while the replay's past simulated ranges (months, same third
    of the month) that held their actual weigh at least four fifths of them all, a past month weighing
    ½ per half-life since it ended, and wider otherwise; the replay's
    coverage is scored on the range as shown."""
    from kpicore.forecast.backtest import backtest
    from kpicore.forecast.calibration import RECENCY_HALF_LIFE_DAYS
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.shown import backtest_of, forecast_all

    ctx = prepare(demo_data)
    live = forecast_all(demo_data, "month", "2026-11-20", scopes_=[("company", "")], n_sims=2000, context=ctx)[0]
    sim = forecast_all(demo_data, "month", "2026-11-20", scopes_=[("company", "")], n_sims=2000, context=ctx,
                       measured_range=False)[0]
    rows = backtest_of(ctx, "2026-11-20").rows
    # 2026-11-20 is day 20 of 30: the last third; periods over before that day
    past = rows[(rows["method"] == "calibrated") & (rows["granularity"] == "month") & (rows["third"] == 2)
                & (rows["period_end"] < pd.Timestamp("2026-11-20"))]
    inside = ((past["p10"] <= past["actual"]) & (past["actual"] <= past["p90"])).to_numpy()
    weights = 0.5 ** ((pd.Timestamp("2026-11-20") - past["period_end"]).dt.days.to_numpy() / RECENCY_HALF_LIFE_DAYS)
    assert len(past) >= 8
    if weights[inside].sum() >= 0.8 * weights.sum():
        assert (live.p10, live.p90) == (sim.p10, sim.p90)
    else:
        assert live.p10 <= sim.p10 and live.p90 > sim.p90
    assert live.p50 == sim.p50
    # a method forced by the caller changes what is shown, not the range
    forced = forecast_all(demo_data, "month", "2026-11-20", scopes_=[("company", "")], n_sims=2000, context=ctx,
                          method_shown="weighted_declared")[0]
    assert (forced.p10, forced.p50, forced.p90, forced.prob_reach_target) == \
        (live.p10, live.p50, live.p90, live.prob_reach_target)
    assert forced.shown == forced.won_to_date + forced.weighted_declared
    s = backtest(demo_data).summary.set_index(["granularity", "method"])
    for gran in ("month", "quarter"):
        assert s.loc[(gran, "calibrated"), "coverage"] >= s.loc[(gran, "calibrated"), "coverage_sim"]
