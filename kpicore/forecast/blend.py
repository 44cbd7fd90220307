"""The blend: the calibrated forecast and the run rate mixed with a weight learned out of sample.

For a forecast made on ``as_of``, the weight ``w`` of the calibrated forecast (``1 - w`` for the
run rate) is the one of ``GRID`` whose mix ``w·calibrated + (1 - w)·run_rate`` had the lowest mean
absolute percentage error over the forecasts of the same granularity (every date of the period: the weight is learned on
a few dozen periods at most, and split by third of the period it was learned on too few; on the
replays of ``bench/forecast_replays.py`` one weight per granularity erred less at every horizon)
whose period was over before ``as_of``: nothing of the forecast's own period, nor of any later one,
is seen.
Recent periods weigh more (``kpicore.forecast.dispersion.recency_of``, as the range's widening).
On a tie the lower weight is the candidate (then tested against 1, below).

Each forecast's error counts up to ``ERROR_CAP`` (100 %) in that learning.  A period that won almost
nothing (a few thousand euros where a hundred thousand were in the pipeline) errs by 1,000 % or more
whatever the weight, and uncapped it alone decides the weight of the next periods: towards the lower
of the two forecasts, whichever is the better in the other periods.  Capped, a forecast off by the
whole actual or more is simply wrong, and the weight follows the periods where the two forecasts
differ in a way that can be learned.  On the 150 tuning histories of ``bench/forecast_replays.py``
(seeds 0 to 29), the blend learned with the cap erred less at all four horizons (month and quarter,
Day-One and mid-period: its excess over the best single method fell from +1.4 / +1.3 / +3.8 / +1.0
points of MAPE to +1.1 / +1.1 / +2.9 / +0.7).  The errors the backtest reports are never capped.

The calibrated figure alone (``PRIOR_WEIGHT``, 1) until the replay proves a mix better.  That
figure is already the point of the simulation's draws with the least expected percentage error
(``kpicore.forecast.quantiles``), and the simulation is fitted on the company's own closed periods:
mixing in the run rate can only help where that simulation misses something the run rate sees, which
is for the replay to show.  So with fewer than ``BLEND_MIN_PERIODS`` periods over, nothing is
learned; after that, the weight of ``GRID`` that erred least replaces 1 only when it erred less than 1
by more than ``WEIGHT_NOISE_Z`` standard errors of that gap (paired forecast by forecast, recency
weighted, clustered by period since the forecasts of one period share its fate, as the choice of the
method shown in ``kpicore.forecast.backtest``).  A weight chosen on a dozen months is mostly noise:
on the 100 tuning histories of ``bench/forecast_replays.py`` (seeds 0 to 19) the weight learned
without that test, and the equal mix before it (the classic default of Clemen, "Combining forecasts",
International Journal of Forecasting 1989), erred 1.7 to 3.1 points of MAPE more than the calibrated
figure alone, at all four horizons (month and quarter, Day-One and mid-period), and no fixed weight
below 1 erred less than 1 averaged over the processes.  The blend is still shown only when the
replay finds it beats the run rate (``kpicore.forecast.backtest.choose_method``).

``with_blend`` appends to a backtest's rows one ``blend`` row per calibrated row, its ``predicted``
the mix with the weight learned up to that row's date (``blend_weight``), so that the backtest
scores the blend out of sample like every other method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpicore.forecast.dispersion import recency_of

BLEND = "blend"
MIXED = ("calibrated", "run_rate")  # the blend's two parts: weight w on the first, 1 - w on the second
GRID = tuple(i / 10 for i in range(11))
BLEND_MIN_PERIODS = 6  # periods over (scored) before a weight is learned
PRIOR_WEIGHT = 1.0  # the weight until the replay proves another: the calibrated figure alone
WEIGHT_NOISE_Z = 2.0  # standard errors by which a learned weight must beat PRIOR_WEIGHT (module docstring)
ERROR_CAP = 1.0  # a forecast's error counts up to 100 % in learning the weight (module docstring)


def learned_weight(calibrated: np.ndarray, run_rate: np.ndarray, actual: np.ndarray, period: np.ndarray,
                   period_end: np.ndarray, as_of) -> float:
    """The weight of the calibrated forecast in a blend made on ``as_of``, learned from past forecasts
    (``calibrated``, ``run_rate``) of periods ``period`` ending on ``period_end`` against their
    ``actual``, each error capped at ``ERROR_CAP``: the caller gives only periods over before ``as_of``.
    ``PRIOR_WEIGHT`` unless ``BLEND_MIN_PERIODS`` periods are scored and the best weight of ``GRID``
    beats it beyond ``WEIGHT_NOISE_Z`` standard errors (module docstring)."""
    calibrated, run_rate, actual = (np.asarray(x, float) for x in (calibrated, run_rate, actual))
    scored = (actual > 0) & np.isfinite(calibrated) & np.isfinite(run_rate)
    period = np.asarray(period)[scored]
    if len(set(period)) < BLEND_MIN_PERIODS:
        return PRIOR_WEIGHT
    cal, rr, act = calibrated[scored], run_rate[scored], actual[scored]
    recency = recency_of(np.asarray(period_end, "datetime64[ns]")[scored], as_of)
    grid = np.array(GRID)
    ape = np.minimum(np.abs(grid[:, None] * cal + (1.0 - grid[:, None]) * rr - act) / act, ERROR_CAP)
    # to 9 decimals, far finer than the evidence: the rows a workbook keeps (15 significant digits)
    # then learn the same weight as the replay's own, and exact ties go to the lowest weight
    mape = np.round(ape @ recency / recency.sum(), 9)
    best = int(np.argmin(mape))
    prior = int(np.argmin(np.abs(grid - PRIOR_WEIGHT)))
    gain = ape[prior] - ape[best]  # how much less each forecast erred with the candidate weight
    mean, se = clustered_mean(gain, recency, period)
    return float(grid[best]) if mean > WEIGHT_NOISE_Z * se else PRIOR_WEIGHT


def clustered_mean(values: np.ndarray, weights: np.ndarray, cluster: np.ndarray) -> tuple[float, float]:
    """The ``weights``-weighted mean of ``values`` and its standard error clustered by ``cluster``
    (Cameron and Miller, "A practitioner's guide to cluster-robust inference", Journal of Human
    Resources 2015, with their G / (G − 1)); a standard error of +inf with fewer than two clusters."""
    total = float(weights.sum())
    mean = float(values @ weights / total)
    sums = pd.Series(weights * (values - mean)).groupby(np.asarray(cluster)).sum().to_numpy(float)
    g = len(sums)
    if g < 2:
        return mean, float("inf")
    return mean, float(np.sqrt((sums ** 2).sum() * g / (g - 1)) / total)


def mix(calibrated, run_rate, weight: float):
    """The blend's figure: ``weight`` × calibrated + (1 − ``weight``) × run rate."""
    return weight * calibrated + (1.0 - weight) * run_rate


def paired(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per calibrated row of ``rows`` (backtest rows), in their order: the forecast (date,
    granularity, period) with its calibrated and run-rate figures side by side."""
    keys = ["as_of", "granularity", "period"]
    cal = rows[rows["method"] == MIXED[0]]
    rr = rows[rows["method"] == MIXED[1]].set_index(keys)["predicted"]
    out = cal.set_index(keys)
    out = out.assign(run_rate=rr.reindex(out.index).to_numpy(float), calibrated=out["predicted"].astype(float))
    return out.reset_index()


def blend_weights(pairs: pd.DataFrame) -> np.ndarray:
    """The weight learned for every forecast of ``pairs`` (``paired``), in their order, from the forecasts
    of the same granularity whose period was over before its date."""
    weights = np.full(len(pairs), np.nan)
    for _, group in pairs.groupby("granularity"):
        ends = group["period_end"].to_numpy("datetime64[ns]")
        cal, rr = group["calibrated"].to_numpy(float), group["run_rate"].to_numpy(float)
        actual, period = group["actual"].to_numpy(float), group["period"].to_numpy(object)
        learned: dict = {}
        for i, as_of in zip(group.index, group["as_of"].to_numpy("datetime64[ns]")):
            if as_of not in learned:
                past = ends < as_of
                learned[as_of] = learned_weight(cal[past], rr[past], actual[past], period[past], ends[past], as_of)
            weights[i] = learned[as_of]
    return weights


def with_blend(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with one ``blend`` row per calibrated row (any earlier blend rows replaced), its
    ``predicted`` the mix with the weight learned before its date (``blend_weight`` column), its other
    columns the calibrated row's; each placed after the rows of its date and granularity, where a
    replay listing ``BLEND`` last among the methods writes it."""
    rows = rows[rows["method"] != BLEND].reset_index(drop=True)
    if rows.empty:
        return rows
    pairs = paired(rows)
    weights = blend_weights(pairs)
    cal = rows["method"] == MIXED[0]
    blend = rows[cal].copy()
    # paired keeps the calibrated rows in their order: the weights line up with them
    blend["method"] = BLEND
    blend["blend_weight"] = weights
    blend["predicted"] = mix(pairs["calibrated"].to_numpy(float), pairs["run_rate"].to_numpy(float), weights)
    last = pd.Series(rows.index, index=rows.index).groupby([rows["as_of"], rows["granularity"]]).transform("max")
    place = np.concatenate([rows.index.to_numpy(float), last[cal].to_numpy(float) + 0.5])
    both = pd.concat([rows, blend], ignore_index=True)
    return both.iloc[np.argsort(place, kind="stable")].reset_index(drop=True)
