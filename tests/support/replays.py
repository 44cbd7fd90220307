"""The forecast a user would have seen, replayed on a documented process at fixed points of each period.

For one drawn history (``tests.support.processes``) the workbook is taken as it
stands at the end of the history; one backtest of the whole history is run
once, and for every scored month and quarter the forecast is made, as the
product shows it, on two fixed dates:

- **Day-One**: the first working day of the period (Monday to Friday);
- **mid-period**: the first working day on or after the period's middle day.

Each forecast sees only what was known on its date: the pipeline rebuilt as it
stood, the calibration learned from photographs taken before it, and the part
of the backtest over by then (``Backtest.up_to``, the replay a refresh of that
day would have run).  Its actual is what the drawn truth won in the period.

``replay`` returns one row per (period, point): the shown figure and its method,
each method's point, the P10 / P90 shown, P(reach target), the target, the
actual, and the naive reference of P(reach target): the share of the periods of
the same length over before that date that reached their target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpicore.forecast.backtest import backtest
from kpicore.forecast.forecasting import METHODS, N_SIMS, prepare
from kpicore.forecast.shown import forecast_all
from kpicore.model.periods import MONTH, QUARTER, Period
from kpicore.model.roster import COMPANY_SCOPE
from tests.support.processes import PROCESSES, actual_won, draw, known_at

SCORED_FROM, SCORED_TO = "2024-01-01", "2025-12-31"
POINTS = ("day_one", "mid_period")
HORIZONS = tuple((g, p) for g in (MONTH, QUARTER) for p in POINTS)


def fixed_points(period: Period) -> dict[str, pd.Timestamp]:
    middle = Period.between(period.start_ts + pd.Timedelta(days=period.days // 2), period.end)
    return {"day_one": period.day_one, "mid_period": middle.day_one}


def scored_periods(granularity: str) -> list[Period]:
    first = Period.containing(granularity, pd.Timestamp(SCORED_FROM))
    out = [first]
    while out[-1].end_ts < pd.Timestamp(SCORED_TO):
        out.append(out[-1].next())
    return out


def replay(process_name: str, seed: int, *, n_sims: int = N_SIMS) -> pd.DataFrame:
    """The shown forecasts of ``process_name`` drawn with ``seed`` at every fixed point (module docstring)."""
    history = draw(PROCESSES[process_name], seed)
    data = known_at(history, history.process.end)
    ctx = prepare(data)
    full = backtest(data, context=ctx, n_sims=n_sims)
    rows = []
    for granularity in (MONTH, QUARTER):
        periods = scored_periods(granularity)
        actuals = {p.code: actual_won(history, p.start_ts, p.end_ts) for p in periods}
        for per in periods:
            for point, day in fixed_points(per).items():
                fc = forecast_all(data, per, day, scopes_=[COMPANY_SCOPE], n_sims=n_sims, context=ctx,
                                  history_backtest=full)[0]
                past = [p for p in periods if p.end_ts < day and fc.target is not None]
                reached = [actuals[p.code] >= ctx.targets.value("revenue", p, *COMPANY_SCOPE) for p in past]
                rows.append({
                    "process": process_name, "seed": seed, "granularity": granularity, "point": point,
                    "period": per.code, "as_of": day, "actual": actuals[per.code], "target": fc.target,
                    "shown": fc.shown, "method_shown": fc.method_shown, "p10": fc.p10, "p90": fc.p90,
                    "prob_reach": fc.prob_reach_target,
                    "widened": any(n.code == "forecast.note.range_widened" for n in fc.notes),
                    "reference_reach": float(np.mean(reached)) if reached else 0.5,
                    **{f"point_{m}": fc.point(m) for m in METHODS},
                })
    return pd.DataFrame(rows)


def score(rows: pd.DataFrame) -> pd.DataFrame:
    """Per process and horizon (granularity, point) and per figure (``shown`` and each method): n,
    MAPE, share within ±10 %, and for the shown range its coverage, the share of actuals exactly on
    its P10 (nothing won beyond what the range's floor holds: where a period often wins nothing
    more, the 10 % of draws at that floor make a closed P10-P90 hold more than 80 %), and
    P(reach target)'s Brier score against the naive reference's."""
    out = []
    for (process, gran, point), g in rows.groupby(["process", "granularity", "point"], sort=False):
        scored = g[g["actual"] > 0]
        inside = (g["p10"] <= g["actual"]) & (g["actual"] <= g["p90"])
        at_p10 = np.isclose(g["actual"], g["p10"])
        has_target = g["target"].notna() & g["prob_reach"].notna()
        reached = (g["actual"] >= g["target"]).astype(float)[has_target]
        brier = float(np.mean((g["prob_reach"][has_target] - reached) ** 2)) if has_target.any() else np.nan
        brier_ref = float(np.mean((g["reference_reach"][has_target] - reached) ** 2)) if has_target.any() else np.nan
        for figure in ("shown",) + tuple(f"point_{m}" for m in METHODS):
            ape = ((scored[figure] - scored["actual"]) / scored["actual"]).abs()
            out.append({"process": process, "granularity": gran, "point": point,
                        "figure": figure.removeprefix("point_"), "n": len(g), "n_scored": len(scored),
                        "mape": float(ape.mean()), "within_10": float((ape <= 0.10).mean()),
                        "coverage": float(inside.mean()) if figure == "shown" else np.nan,
                        "at_p10": float(at_p10.mean()) if figure == "shown" else np.nan,
                        "brier": brier if figure == "shown" else np.nan,
                        "brier_reference": brier_ref if figure == "shown" else np.nan})
    return pd.DataFrame(out)
