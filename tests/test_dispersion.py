"""The fate a period's deals share (kpicore.forecast.dispersion), on constructed periods whose
answer is known: a shared factor of known variance, periods that strayed less than their simulation,
and the prior that holds while few periods are over."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpicore.forecast.calibration import RECENCY_HALF_LIFE_DAYS
from kpicore.forecast.dispersion import LEVEL_Z, PRIOR_PERIODS, PRIOR_SPREAD, measured, period_dispersion


def _periods(n: int, rng: np.random.Generator):
    mean = rng.uniform(50_000, 150_000, n)  # the simulated future of each period
    won = rng.uniform(0, 40_000, n)
    return mean, won


def test_a_shared_factor_of_known_variance_is_recovered():
    rng = np.random.default_rng(7)
    n = 4000
    mean, won = _periods(n, rng)
    # each period: its deals' own chance, relative sd 0.2 (what the simulation draws), times a
    # shared fate F, Gamma with mean 1 and variance 0.09
    own = 1 + rng.normal(0, 0.2, n)
    fate = rng.gamma(1 / 0.09, 0.09, n)
    actual = won + mean * own * fate
    d = measured(actual, won, mean, (0.2 * mean) ** 2, np.arange(n))
    assert d.n_periods == n
    # the estimate's sd is 0.003 at this n (measured over 30 seeds of this construction): 4 sd
    assert d.spread == pytest.approx(0.09, abs=0.012)


def test_periods_that_strayed_less_than_their_simulation_share_no_fate():
    rng = np.random.default_rng(8)
    n = 4000
    mean, won = _periods(n, rng)
    # the periods stray by a relative sd of 0.14 where the simulation drew 0.2
    actual = won + mean * (1 + rng.normal(0, 0.14, n))
    d = measured(actual, won, mean, (0.2 * mean) ** 2, np.arange(n))
    assert d.excess == pytest.approx(0.14 ** 2 - 0.2 ** 2, abs=0.003)
    assert d.spread == 0.0


def test_few_periods_lean_on_the_prior_and_a_period_forecast_twice_counts_once():
    # three months, each forecast on two dates; every forecast strays by exactly its simulated sd
    # (relative variance 0.04), so the excess measured is 0
    rows = []
    for k, period in enumerate(["2025-01", "2025-02", "2025-03"]):
        for sign in (1, -1):
            rows.append({"method": "calibrated", "granularity": "month", "third": 0, "period": period,
                         "period_end": pd.Timestamp("2025-01-31") + pd.DateOffset(months=k),
                         "actual": 10_000 + 100_000 * (1 + sign * 0.2), "won_to_date": 10_000.0,
                         "future_mean": 100_000.0, "future_var": (0.2 * 100_000) ** 2})
    rows = pd.DataFrame(rows)
    d = period_dispersion(rows, "month", 0, pd.Timestamp("2025-06-01"))
    # each month counts once, weighing ½ per half-life between its end and the measure's date
    ends = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31"])
    n = float(np.sum(0.5 ** ((pd.Timestamp("2025-06-01") - ends).days.to_numpy() / RECENCY_HALF_LIFE_DAYS)))
    assert d.n_periods == pytest.approx(n)
    shrunk = (n * 0.0 + PRIOR_PERIODS * PRIOR_SPREAD) / (n + PRIOR_PERIODS)
    assert d.excess == pytest.approx(shrunk)
    assert d.spread == pytest.approx(shrunk / 1.04)
    # the misses cancel out: the periods came in, as a whole, as simulated
    assert d.level == pytest.approx(1.0)
    # periods not over before the date, another third or another granularity: nothing measured
    assert period_dispersion(rows, "month", 0, pd.Timestamp("2025-01-31")).excess == PRIOR_SPREAD
    assert period_dispersion(rows, "month", 1, pd.Timestamp("2025-06-01")).n_periods == 0
    assert period_dispersion(rows, "quarter", 0, pd.Timestamp("2025-06-01")).n_periods == 0


def test_periods_that_all_fell_short_lower_the_level_beyond_their_noise_only():
    rng = np.random.default_rng(9)
    n = 400
    mean, won = _periods(n, rng)
    # every period won 70 % of its simulated future, give or take a relative sd of 0.1
    came = 0.7 * mean * (1 + rng.normal(0, 0.1, n))
    d = measured(won + came, won, mean, (0.1 * mean) ** 2, np.arange(n))
    ratio = came.sum() / mean.sum()
    # the ratio estimator's standard error, one forecast per period
    se = np.sqrt(n / (n - 1) * np.sum((came - ratio * mean) ** 2)) / mean.sum()
    assert d.level == pytest.approx(ratio + LEVEL_Z * se)
    assert d.level == pytest.approx(0.7, abs=0.02)
    # the same shortfall in two periods of lumpy deals (one won nothing, the other 140 %): no evidence
    # of a drift beyond chance, and the level stays 1
    lumpy = measured(np.array([0.0, 140.0]), np.zeros(2), np.array([100.0, 100.0]), np.array([1e4, 1e4]),
                     np.arange(2))
    assert lumpy.level == 1.0
