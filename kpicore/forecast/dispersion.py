"""The fate a period's deals share: how much a whole month or quarter ran above or below its pipeline.

The simulation draws every deal on its own; but the deals of one month meet the
same market, the same budgets and the same holidays, so a whole period runs
above or below what its pipeline implied.  Measured on the company's own closed
periods, that shared part is a factor F on what is won after the forecast's
date, mean 1 and variance ``spread``, drawn once per simulation and applied to
every scope alike (the reps of one company share their market).

From the backtest's calibrated forecasts of periods already over, for each:
r = (actual − won to date) ÷ simulated future mean.  Without a shared fate,
E[(r − 1)²] is the simulation's own relative variance (future variance ÷ mean²);
the excess is the shared factor's (a method of moments):

    spread = max(0, mean((r − 1)²) − mean(simulated variance ÷ mean²))

Few closed periods give a spread that is itself uncertain; it is shrunk towards
``PRIOR_SPREAD`` with the weight of ``PRIOR_PERIODS`` periods, so the range is
honest from the first refresh.  Forecasts of one period made on several dates
are correlated: the weight of the measure is the number of distinct periods.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

PRIOR_SPREAD = 0.10 ** 2  # relative variance of a period's shared fate before any is measured
PRIOR_PERIODS = 3.0


def period_spread(rows: pd.DataFrame, granularity: str, before: pd.Timestamp) -> float:
    """The shared factor's variance for periods of ``granularity``, measured on the calibrated rows
    of the backtest (columns period, period_end, actual, won_to_date, future_mean, future_var) of the
    periods over before ``before`` (module docstring)."""
    if rows.empty or "future_mean" not in rows:
        return PRIOR_SPREAD
    past = rows[(rows["method"] == "calibrated") & (rows["granularity"] == granularity)
                & (rows["period_end"] < before) & (rows["future_mean"] > 0)]
    if past.empty:
        return PRIOR_SPREAD
    mean = past["future_mean"].to_numpy(dtype=float)
    r = (past["actual"].to_numpy(dtype=float) - past["won_to_date"].to_numpy(dtype=float)) / mean
    excess = float(np.mean((r - 1.0) ** 2) - np.mean(past["future_var"].to_numpy(dtype=float) / mean ** 2))
    n = float(past["period"].nunique())
    return (n * max(excess, 0.0) + PRIOR_PERIODS * PRIOR_SPREAD) / (n + PRIOR_PERIODS)


def period_factor(spread: float, n_sims: int, seed: int, key: str) -> np.ndarray:
    """``n_sims`` draws of the shared factor, Gamma with mean 1 and variance ``spread``, seeded by
    ``key`` (the period and the date: every scope of one forecast gets the same draws)."""
    if spread <= 0:
        return np.ones(n_sims)
    rng = np.random.default_rng([int(seed), zlib.crc32(f"period factor|{key}".encode())])
    return rng.gamma(1.0 / spread, spread, n_sims)
