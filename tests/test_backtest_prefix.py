"""One backtest over a whole history serves the forecast of every past date (``Backtest.up_to``).

The replay a refresh would have run on a past day's workbook is compared with the prefix of the
replay run on the workbook as it stands today, on a documented process (``tests/support/processes.py``)
with its stage history: every calibrated forecast, its simulated and its widened range agree.  The
declared pipeline may differ: a deal's declared probability is the value in the workbook on the
day it is read, not a fact of the past.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpicore.forecast.backtest import backtest
from kpicore.forecast.forecasting import prepare
from tests.support.processes import PROCESSES, draw, known_at


@pytest.fixture(scope="module")
def history():
    # after a change of regime the simulation misses more than one period in five: ranges are
    # widened, so the comparisons cover the widening too
    return draw(PROCESSES["regime_change"], 3)


@pytest.fixture(scope="module")
def full_replay(history):
    return backtest(known_at(history, history.process.end), n_sims=500)


def test_the_prefix_of_a_long_replay_is_the_replay_of_that_day(history, full_replay):
    past = known_at(history, "2024-09-30")
    day = prepare(past).today  # the date of that workbook: its last event
    then = backtest(past, n_sims=500)
    prefix = full_replay.up_to(day)

    assert then.as_of_dates == prefix.as_of_dates
    key = ["as_of", "period", "method"]
    a, b = then.rows.set_index(key).sort_index(), prefix.rows.set_index(key).sort_index()
    assert a.index.equals(b.index)
    assert len(a) > 300 and b["period_end"].max() <= day
    calibrated = a.index.get_level_values("method") == "calibrated"
    for column in ("predicted", "p10", "p90", "p10_range", "p90_range", "actual"):
        np.testing.assert_allclose(a.loc[calibrated, column], b.loc[calibrated, column], err_msg=column)
    # the range was widened somewhere, so the comparison covers the widening too
    assert (b["p90_range"] > b["p90"]).any()


def test_the_prefix_keeps_only_periods_over_by_that_day(full_replay):
    day = pd.Timestamp("2025-03-31")
    prefix = full_replay.up_to(day)
    later = full_replay.rows[full_replay.rows["period_end"] > day]
    assert len(later) and not prefix.rows["period"].isin(set(later["period"])).any()
    assert set(prefix.summary["granularity"]) == {"month", "quarter"}
    assert (prefix.summary["n"] < full_replay.summary["n"]).all()


def test_a_forecast_from_the_kept_replay_equals_one_that_replays_again(history):
    from kpicore.forecast.shown import forecast_all
    from kpicore.model.periods import Period

    data = known_at(history, history.process.end)
    ctx = prepare(data)
    full = backtest(data, context=ctx)
    day = pd.Timestamp("2025-01-01")
    quarter = Period.containing("quarter", day)
    kept = forecast_all(data, quarter, day, context=ctx, history_backtest=full)
    again = forecast_all(data, quarter, day, context=prepare(data))
    assert [(f.scope, f.method_shown, f.shown, f.p10, f.p90, f.prob_reach_target) for f in kept] == \
        [(f.scope, f.method_shown, f.shown, f.p10, f.p90, f.prob_reach_target) for f in again]
    assert any(any(n.code == "forecast.note.range_widened" for n in f.notes) for f in kept)
