"""Weighted quantiles, and the point of least expected percentage error of a set of simulated totals.

The backtest scores a point forecast by its percentage error, |point − actual| ÷ actual.  Under that
score the best point of a forecast distribution f is not its median but the median of f(y) ÷ y
(Gneiting, "Making and evaluating point forecasts", Journal of the American Statistical Association
106, 2011, theorem 9): the median of the draws each weighted by 1 ÷ total.  It sits below the median,
the further the more the period may end with little won, since undershooting a small actual costs
less than overshooting it.
"""

from __future__ import annotations

import numpy as np

# a cumulative share within this of the quantile asked counts as reaching it (float sums of weights)
_SHARE_TOLERANCE = 1e-9


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest of ``values`` whose cumulative weight, in increasing order of value (ties in their
    given order), reaches ``q`` of the total: the weighted empirical quantile without interpolation."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values, kind="stable")
    held = np.cumsum(weights[order]) / weights.sum()
    k = min(len(values) - 1, int(np.searchsorted(held, q - _SHARE_TOLERANCE)))
    return float(values[order][k])


def least_error_point(totals: np.ndarray, fallback: float) -> float:
    """The point of least expected percentage error of the simulated ``totals`` (module docstring): the
    median of the positive ones weighted by 1 ÷ total, as a period that wins nothing has no percentage
    error to score; ``fallback`` when no draw is positive."""
    totals = np.asarray(totals, float)
    positive = totals[totals > 0]
    if not len(positive):
        return float(fallback)
    return weighted_quantile(positive, 1.0 / positive, 0.5)
