"""How far a period's outcome strays from its simulation, measured on the company's closed periods.

The simulation draws every deal on its own; but the deals of one month meet the
same market, the same budgets and the same holidays, so a whole period runs
above or below what its pipeline implied.  That shared part is measured on the
backtest's calibrated forecasts of periods already over, for each, its miss:
actual − won to date − simulated future mean.  Were the simulation right, the
misses squared would average its own variance; relative to the means squared,
the difference is the excess (a method of moments):

    excess = Σ miss² ÷ Σ mean² − c,   c = Σ simulated variance ÷ Σ mean²

(ratios of sums: a period whose simulated future is nearly nothing, the last
days of a month, would otherwise swamp the measure with one deal).  The shared
fate is a factor F on what is won after the forecast's date, mean 1, drawn once
per simulation and applied to every scope alike (the reps of one company share
their market).  F times a future of relative variance c has relative variance
s + c + s·c, so F's variance is s = excess ÷ (1 + c), and 0 when the periods
strayed no more than their simulation.  (Narrowing a simulation wider than the
periods would be the same measure read the other way; scaling the draws around
their mean lifts the many draws where a few large deals all slip, and the
range then misses the periods that win nothing more: it is not done.)

The excess differs along a period: on its first day a month's fate is all to
come, at mid-month half of it is in what is won to date.  So it is measured
apart for each third of the period (``third_of``), like the errors that widen
the range (``kpicore.forecast.backtest``).  Few closed periods give an excess
that is itself uncertain; it is shrunk towards ``PRIOR_SPREAD`` with the weight
of ``PRIOR_PERIODS`` periods, so the range is honest from the first refresh.
Forecasts of one period made on several dates are correlated: the weight of the
measure is the number of distinct periods.

Recent periods weigh more (``kpicore.forecast.calibration.recency_weight`` of
the period's end): every sum above is weighted, and the number of periods is
the sum of their weights.  The calibration itself learns a change of regime
only within about a half-life; meanwhile its forecasts miss on one side, and
that shows first in the mean of the misses.  So the shared factor also has a
**level**: R = Σ w (actual − won to date) ÷ Σ w mean, the factor by which the
periods over came in above or below their simulation, counted only beyond
``LEVEL_Z`` times its standard error se (a soft threshold: L = 1 + sign(R − 1)
× max(0, |R − 1| − z·se)), se from the periods' own spread around R (the
ratio estimator's, the forecasts of one period summed since they are not
independent, with the n ÷ (n − 1) of a variance measured on n periods).  A
company of few large deals, whose periods stray by far more than any drift,
or one with a single period over, keeps L = 1; one whose periods have all
fallen short since its market changed sees it.  The spread is still measured
around 1, not around L: while the level drifts, the range stays the wider.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpicore.forecast.calibration import recency_weight

PRIOR_SPREAD = 0.10 ** 2  # relative variance of a period's shared fate before any is measured
PRIOR_PERIODS = 3.0
THIRDS = 3
# a drift of the level L is counted beyond this many standard errors only (module docstring): below,
# the periods over are as likely to have strayed by chance
LEVEL_Z = 1.0


def third_of(elapsed_share: float) -> int:
    """0, 1 or 2: the first, middle or last third of a period."""
    return int(min(THIRDS - 1, max(0.0, elapsed_share) * THIRDS))


@dataclass(frozen=True)
class Dispersion:
    """The excess measured for one granularity and third (module docstring)."""

    excess: float  # shrunk; > 0 a shared fate
    simulated: float  # c: Σ simulated variance ÷ Σ mean² of the periods measured (0 without any)
    n_periods: float  # the periods measured, each weighing its recency (module docstring)
    level: float = 1.0  # L: the shared factor's mean, 1 unless the drift is beyond its noise

    @property
    def spread(self) -> float:
        """The shared factor's variance (0 when the simulation is wide enough)."""
        return max(self.excess, 0.0) / (1.0 + self.simulated)


NO_MEASURE = Dispersion(PRIOR_SPREAD, 0.0, 0)


def measured(actual: np.ndarray, won_to_date: np.ndarray, future_mean: np.ndarray, future_var: np.ndarray,
             period: np.ndarray, weights: np.ndarray | None = None) -> Dispersion:
    """The dispersion of the forecasts given (one value per forecast; ``period`` names its period,
    ``weights`` its weight, the same for the forecasts of one period; all 1 by default)."""
    keep = np.asarray(future_mean, float) > 0
    if not keep.any():
        return NO_MEASURE
    mean = np.asarray(future_mean, float)[keep]
    w = np.ones(len(mean)) if weights is None else np.asarray(weights, float)[keep]
    miss = np.asarray(actual, float)[keep] - np.asarray(won_to_date, float)[keep] - mean
    simulated = float(np.sum(w * np.asarray(future_var, float)[keep]) / np.sum(w * mean ** 2))
    excess = float(np.sum(w * miss ** 2) / np.sum(w * mean ** 2)) - simulated
    names, first = np.unique(np.asarray(period)[keep].astype(str), return_index=True)
    n = float(np.sum(w[first]))
    return Dispersion((n * excess + PRIOR_PERIODS * PRIOR_SPREAD) / (n + PRIOR_PERIODS), simulated, n,
                      _level(mean, miss, w, np.searchsorted(names, np.asarray(period)[keep].astype(str))))


def _level(mean: np.ndarray, miss: np.ndarray, w: np.ndarray, period_code: np.ndarray) -> float:
    """L of the module docstring: the weighted ratio of what came to what was simulated, counted beyond
    ``LEVEL_Z`` standard errors only (the misses of one period summed: its forecasts are not independent)."""
    per_miss = np.bincount(period_code, weights=w * miss)
    per_mean = np.bincount(period_code, weights=w * mean)
    n = int(np.count_nonzero(per_mean > 0))
    if n < 2:
        return 1.0
    total = float(per_mean.sum())
    drift = float(per_miss.sum()) / total  # R - 1
    se = float(np.sqrt(n / (n - 1) * np.sum((per_miss - drift * per_mean) ** 2))) / total
    level = max(1.0 + np.sign(drift) * max(abs(drift) - LEVEL_Z * se, 0.0), 0.0)
    # to 9 decimals, far finer than its evidence: the replay's rows and the same rows read back from the
    # workbook (summed in another order) then give the very same factor, and so the same numbers
    return round(level, 9)


def period_dispersion(rows: pd.DataFrame, granularity: str, third: int, before: pd.Timestamp) -> Dispersion:
    """The dispersion of periods of ``granularity`` forecast in ``third``, measured on the calibrated rows
    of the backtest (columns method, granularity, third, period, period_end, actual, won_to_date,
    future_mean, future_var) of the periods over before ``before``."""
    if rows.empty or "future_mean" not in rows:
        return NO_MEASURE
    past = rows[(rows["method"] == "calibrated") & (rows["granularity"] == granularity)
                & (rows["third"] == third) & (rows["period_end"] < before)]
    return measured(past["actual"].to_numpy(), past["won_to_date"].to_numpy(), past["future_mean"].to_numpy(),
                    past["future_var"].to_numpy(), past["period"].to_numpy(),
                    recency_of(past["period_end"].to_numpy("datetime64[ns]"), before))


def recency_of(period_end: np.ndarray, before) -> np.ndarray:
    """The weight of periods ending on ``period_end`` in a measure made on ``before``, their ages in whole
    days (a date read back from a workbook may carry a fraction of a second: the same weight either way)."""
    age = (np.datetime64(pd.Timestamp(before), "ns") - np.asarray(period_end, "datetime64[ns]")) / np.timedelta64(1, "D")
    return recency_weight(np.round(age))


def period_factor(spread: float, n_sims: int, seed: int, key: str, level: float = 1.0) -> np.ndarray:
    """``n_sims`` draws of the shared factor, ``level`` times a Gamma with mean 1 and variance ``spread``,
    seeded by ``key`` (the period and the date: every scope of one forecast gets the same draws)."""
    if spread <= 0:
        return np.full(n_sims, float(level))
    rng = np.random.default_rng([int(seed), zlib.crc32(f"period factor|{key}".encode())])
    return level * rng.gamma(1.0 / spread, spread, n_sims)
