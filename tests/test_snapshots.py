"""Forecast history, pipeline movement and forecast accuracy (kpicore.forecast.snapshots)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.shown import forecast_all
from kpicore.forecast.snapshots import append_forecasts, forecast_accuracy, pipeline_movement

T = pd.Timestamp
T0, T1 = T("2025-11-07"), T("2025-11-14")
IN, OUT = T("2025-11-25"), T("2025-12-15")  # expected dates inside / outside November


def _deal(deal_id, created="2025-10-01", status="open", closed=None, amount=0.0):
    return dict(deal_id=deal_id, owner="Alice", stage="Proposition", status=status, amount=amount,
                created_on=T(created), closed_on=T(closed) if closed else pd.NaT)


def _snap(day, deal_id, amount, expected, status="open"):
    return dict(snapshot_on=day, deal_id=deal_id, status=status, amount=amount, expected_close_on=expected)


def _movement_data() -> PipelineData:
    deals = [
        _deal("S", amount=1200.25), _deal("D", amount=1500.0), _deal("W", status="won", closed="2025-11-10",
                                                                      amount=3000.0),
        _deal("L", status="lost", closed="2025-11-12", amount=500.0), _deal("SL", amount=700.0),
        _deal("N", created="2025-11-10", amount=800.0), _deal("P", amount=900.0), _deal("R", amount=400.0),
        _deal("X", amount=5000.0),
    ]
    snaps = [
        _snap(T0, "S", 1000.10, IN), _snap(T0, "D", 2000.0, IN), _snap(T0, "W", 3000.0, IN),
        _snap(T0, "L", 500.0, IN), _snap(T0, "SL", 700.0, IN), _snap(T0, "P", 900.0, OUT),
        _snap(T0, "R", 400.0, IN, status="lost"), _snap(T0, "X", 5000.0, OUT),
        _snap(T1, "S", 1200.25, IN), _snap(T1, "D", 1500.0, IN), _snap(T1, "SL", 700.0, OUT),
        _snap(T1, "N", 800.0, IN), _snap(T1, "P", 900.0, IN), _snap(T1, "R", 400.0, IN),
        _snap(T1, "X", 5000.0, OUT),
    ]
    acts = [dict(date=T("2025-12-31"), rep="Alice", type="call")]  # the data is dated 2025-12-31
    return PipelineData(deals=schema.conform(pd.DataFrame(deals), schema.DEALS),
                        pipeline_snapshots=schema.conform(pd.DataFrame(snaps), schema.PIPELINE_SNAPSHOTS),
                        activities=schema.conform(pd.DataFrame(acts), schema.ACTIVITIES))


def test_movement_by_hand():
    mv = pipeline_movement(_movement_data(), T0, T1, "2025-11")
    # start: S 1000.10 + D 2000 + W 3000 + L 500 + SL 700; end: S 1200.25 + D 1500 + N 800 + P 900 + R 400
    assert mv.as_dict() == {
        "start": 7200.10, "new": 800.0, "pulled_in": 900.0, "reopened": 400.0,
        "increased": 200.15, "decreased": 500.0, "won": 3000.0, "lost": 500.0, "slipped_out": 700.0,
        "end": 4800.25,
    }
    # 7200.10 + 800 + 900 + 400 + 200.15 - 500 - 3000 - 500 - 700 = 4800.25
    assert mv.balanced
    moves = dict(zip(mv.deals["deal_id"], mv.deals["movement"]))
    assert moves == {"S": "stayed", "D": "stayed", "W": "won", "L": "lost", "SL": "slipped_out", "N": "new",
                     "P": "pulled_in", "R": "reopened"}


STATES = ("absent", "in", "out", "won", "lost")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(STATES), st.sampled_from(STATES[1:]),
                          st.integers(1, 10_000_000), st.integers(1, 10_000_000)), min_size=1, max_size=25))
def test_movement_always_reconciles_to_the_cent(states):
    deals, snaps = [], []
    start_cents = end_cents = 0
    for i, (s0, s1, c0, c1) in enumerate(states):
        deal_id = f"Z{i}"
        deals.append(_deal(deal_id, created="2025-11-10" if s0 == "absent" else "2025-10-01", amount=c1 / 100))
        for day, state, cents in ((T0, s0, c0), (T1, s1, c1)):
            if state == "absent":
                continue
            status = state if state in ("won", "lost") else "open"
            snaps.append(_snap(day, deal_id, cents / 100, OUT if state == "out" else IN, status=status))
        start_cents += c0 if s0 == "in" else 0
        end_cents += c1 if s1 == "in" else 0
    data = PipelineData(
        deals=schema.conform(pd.DataFrame(deals), schema.DEALS),
        pipeline_snapshots=schema.conform(pd.DataFrame(snaps), schema.PIPELINE_SNAPSHOTS),
        activities=schema.conform(pd.DataFrame([dict(date=T("2025-12-31"), rep="A", type="call")]),
                                  schema.ACTIVITIES))
    mv = pipeline_movement(data, T0, T1, "2025-11")
    assert round(mv.start * 100) == start_cents and round(mv.end * 100) == end_cents
    assert mv.balanced


def _history_data() -> PipelineData:
    deals = [
        _deal("A", status="won", closed="2025-11-05", amount=1000.0),
        _deal("B", status="won", closed="2025-11-20", amount=500.0),
        _deal("C", amount=2000.0),
    ]
    return PipelineData(deals=schema.conform(pd.DataFrame(deals), schema.DEALS),
                        reps=schema.conform(pd.DataFrame({"rep": ["Alice"], "team": ["Nord"]}), schema.REPS),
                        activities=schema.conform(pd.DataFrame([dict(date=T("2025-12-10"), rep="Alice",
                                                                     type="call")]), schema.ACTIVITIES))


def test_forecast_history_keeps_one_row_a_day_per_period_and_scope():
    data = _history_data()
    first = forecast_all(data, "2025-11", as_of="2025-11-10", method_shown="run_rate", n_sims=100)
    again = forecast_all(data, "2025-11", as_of="2025-11-10", method_shown="calibrated", n_sims=100)
    later = forecast_all(data, "2025-11", as_of="2025-11-17", method_shown="run_rate", n_sims=100)
    h = append_forecasts(None, first)
    assert len(h) == 3  # company, team Nord, rep Alice
    h = append_forecasts(h, again)
    assert len(h) == 3 and set(h["method_shown"]) == {"calibrated"}  # the day's last refresh wins
    h = append_forecasts(h, later)
    assert len(h) == 6
    assert h["snapshot_on"].value_counts().to_dict() == {T("2025-11-10"): 3, T("2025-11-17"): 3}
    assert list(h.columns) == schema.FORECAST_HISTORY.column_names


def test_accuracy_once_the_period_is_over():
    data = _history_data()
    history = pd.DataFrame({
        "snapshot_on": [T("2025-11-10"), T("2025-11-10"), T("2025-12-01")],
        "period": ["2025-11", "2025-11", "2025-12"],
        "scope_type": ["company", "rep", "company"], "scope_name": [None, "Alice", None],
        "shown": [1800.0, 1200.0, 100.0], "p10": [1000.0, 1600.0, 0.0], "p90": [2000.0, 2000.0, 1.0],
    })
    acc = forecast_accuracy(history, data)
    # December is not over on 2025-12-10: only the November rows are scored
    assert list(acc["period"]) == ["2025-11", "2025-11"]
    # won in November: A 1000 + B 500 = 1500
    assert acc["actual"].tolist() == [1500.0, 1500.0]
    assert acc["error"].tolist() == pytest.approx([(1800 - 1500) / 1500, (1200 - 1500) / 1500])
    assert acc["abs_pct_error"].tolist() == pytest.approx([0.2, 0.2])
    assert acc["inside_p10_p90"].tolist() == [True, False]  # 1500 < 1600 for the rep row
    assert np.isnan(forecast_accuracy(history.assign(scope_type="rep", scope_name="Nobody"), data)["error"]).all()
