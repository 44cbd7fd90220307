"""The blend: the calibrated forecast and the run rate mixed with a weight learned out of sample.

For a forecast made on ``as_of``, the weight ``w`` of the calibrated forecast (``1 - w`` for the
run rate) is the one of ``GRID`` whose mix ``w·calibrated + (1 - w)·run_rate`` had the lowest mean
absolute percentage error over the forecasts of the same granularity (every date of the period: the weight is learned on
a few dozen periods at most, and split by third of the period it was learned on too few; on the
replays of ``bench/forecast_replays.py`` one weight per granularity erred less at every horizon)
whose period was over before ``as_of``: nothing of the forecast's own period, nor of any later one,
is seen.
Recent periods weigh more (``kpicore.forecast.dispersion.recency_of``, as the range's widening).
On a tie the lower weight wins: the run rate is the reference a mix must beat.

Each forecast's error counts up to ``ERROR_CAP`` (100 %) in that learning.  A period that won almost
nothing (a few thousand euros where a hundred thousand were in the pipeline) errs by 1,000 % or more
whatever the weight, and uncapped it alone decides the weight of the next periods: towards the lower
of the two forecasts, whichever is the better in the other periods.  Capped, a forecast off by the
whole actual or more is simply wrong, and the weight follows the periods where the two forecasts
differ in a way that can be learned.  On the 150 tuning histories of ``bench/forecast_replays.py``
(seeds 0 to 29), the blend learned with the cap erred less at all four horizons (month and quarter,
Day-One and mid-period: its excess over the best single method fell from +1.4 / +1.3 / +3.8 / +1.0
points of MAPE to +1.1 / +1.1 / +2.9 / +0.7).  The errors the backtest reports are never capped.

With fewer than ``BLEND_MIN_PERIODS`` periods over, nothing is learned: the weight is
``SHORT_WEIGHT``, the equal mix.  Combining two forecasts with equal weights is the classic
default that weights estimated on little data rarely beat (Clemen, "Combining forecasts: a review
and annotated bibliography", International Journal of Forecasting 1989; Smith and Wallis, "A
simple explanation of the forecast combination puzzle", 2009); and the blend is shown only when
the replay finds it beats the run rate (``kpicore.forecast.backtest.choose_method``).

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
SHORT_WEIGHT = 0.5  # the weight before then: the equal mix
ERROR_CAP = 1.0  # a forecast's error counts up to 100 % in learning the weight (module docstring)


def learned_weight(calibrated: np.ndarray, run_rate: np.ndarray, actual: np.ndarray, period: np.ndarray,
                   period_end: np.ndarray, as_of) -> float:
    """The weight of the calibrated forecast in a blend made on ``as_of``, learned from past forecasts
    (``calibrated``, ``run_rate``) of periods ``period`` ending on ``period_end`` against their
    ``actual``, each error capped at ``ERROR_CAP``: the caller gives only periods over before ``as_of``
    (module docstring)."""
    calibrated, run_rate, actual = (np.asarray(x, float) for x in (calibrated, run_rate, actual))
    scored = (actual > 0) & np.isfinite(calibrated) & np.isfinite(run_rate)
    if len(set(np.asarray(period)[scored])) < BLEND_MIN_PERIODS:
        return SHORT_WEIGHT
    cal, rr, act = calibrated[scored], run_rate[scored], actual[scored]
    recency = recency_of(np.asarray(period_end, "datetime64[ns]")[scored], as_of)
    grid = np.array(GRID)
    ape = np.minimum(np.abs(grid[:, None] * cal + (1.0 - grid[:, None]) * rr - act) / act, ERROR_CAP)
    # to 9 decimals, far finer than the evidence: the rows a workbook keeps (15 significant digits)
    # then learn the same weight as the replay's own, and exact ties go to the run rate (lowest w)
    mape = np.round(ape @ recency / recency.sum(), 9)
    return float(grid[int(np.argmin(mape))])


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
