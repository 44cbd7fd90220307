"""Backtest: replay the company's own history and measure each forecast method.

Every ``every_days`` days between ``start`` and ``end``, the pipeline is rebuilt
as it stood that day (``kpicore.forecast.asof``), the month and the quarter containing
that day are forecast by each method, and the forecast is compared with what
was actually won in the period.  Only periods already over on ``end`` (by
default the date of the data) are scored: their actual is known then.

Per granularity and method: MAPE, median APE, bias (mean signed error in % of
the actual), share of forecasts within ±10 %, and for the calibrated method
the share of actuals inside P10-P90.  Periods with nothing won (actual 0) have
no percentage error; they count for coverage only.

``method_shown``: the method with the lowest quarterly MAPE (monthly when no
quarter could be scored); on a tie the run rate, the naive reference, wins.
So a method that does not beat the run rate is never the one shown.  With no
scored period at all, the run rate is shown and the reason says why.
``method_for(granularity)`` applies the same rule to the months alone (a
method can beat the run rate on quarters and not on months).

The range measured, not promised.  The simulation's P10-P90 holds the chance
of each deal and of the new-deal flow, and the fate a period's deals share,
measured on the periods over before each date (``kpicore.forecast.dispersion``:
each row keeps its simulated future mean and variance for that measure).  On a
company with thousands of deals the chance of each deal averages out and the
range can still be narrower than the model's own error.  So each
calibrated forecast's range is widened by the errors the replay has already
seen: the 10th and 90th percentiles of log(actual / P50) over the periods
*over before* that forecast's date, of the same granularity and the same part
of the period (first, middle or last third elapsed: a forecast made in the
last days of a quarter errs far less than one made on its first day).  The
range is never narrower than the simulation's, and needs ``RANGE_MIN_POINTS``
past errors.  Coverage is scored on the widened range (an out-of-sample
measure: no forecast is widened with its own error); ``coverage_sim`` keeps the
simulation's own.  ``Backtest.range_errors`` gives the live forecast the same
widening from every scored period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from kpicore.forecast.asof import effective_close, pipelines_as_of, to_day
from kpicore.forecast.dispersion import period_factor, period_spread
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope, scope_json
from kpicore.forecast.forecasting import METHODS, ForecastContext, PipelineArrays, forecast_scope, prepare
from kpicore.model.roster import COMPANY_SCOPE, owners_of
from kpicore.model.periods import MONTH, QUARTER, Period
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message

GRANULARITIES = (MONTH, QUARTER)
RANGE_MIN_POINTS = 8  # past errors needed before a range is widened by them
RANGE_THIRDS = 3  # parts of a period whose errors are pooled apart
WITHIN = 0.10
BACKTEST_SIMS = 2_000
CLOSED_WITHIN_DAYS = 120
COLUMNS = ["as_of", "granularity", "period", "method", "predicted", "actual", "p10", "p90", "period_end",
           "third", "won_to_date", "future_mean", "future_var", "spread"]


@dataclass(frozen=True)
class Backtest:
    """Forecasts replayed at past dates, their errors, and the method to show."""

    scope: tuple[str, str]
    as_of_dates: tuple[pd.Timestamp, ...]
    method_shown: str
    reason: Message  # why method_shown (forecast.reason.*), rendered by the edges
    # as_of, granularity, period, method, predicted, actual, p10, p90, error (signed, fraction of actual)
    rows: pd.DataFrame = field(compare=False, repr=False)
    # granularity, method, n, n_scored, mape, median_ape, bias, within_10, coverage
    summary: pd.DataFrame = field(compare=False, repr=False)

    def method_for(self, granularity: str) -> tuple[str, Message]:
        """The method to show for a month or a quarter, and why."""
        return choose_method(self.summary, granularity)

    def range_errors(self, granularity: str, elapsed_share: float) -> np.ndarray | None:
        """log(actual / P50) of every scored period of ``granularity`` forecast at the same third of
        the period as ``elapsed_share``; None with fewer than ``RANGE_MIN_POINTS``."""
        r = self.rows
        if r.empty or "third" not in r:
            return None
        pool = r[(r["method"] == "calibrated") & (r["granularity"] == granularity)
                 & (r["third"] == _third(elapsed_share)) & np.isfinite(r["log_ratio"])]["log_ratio"]
        return pool.to_numpy(dtype=float) if len(pool) >= RANGE_MIN_POINTS else None

    def up_to(self, day) -> "Backtest":
        """The backtest a replay ending on ``day`` would give: the periods over by then.

        Each row depends only on what was known at its own date (the pipeline rebuilt as it stood,
        the range widened by periods over before it), so the prefix of a longer replay is the shorter
        replay: one backtest over a whole history serves the forecast of every past date."""
        day = to_day(day)
        rows = self.rows[self.rows["period_end"] <= day]
        summary = summarise(rows)
        method, reason = choose_method(summary)
        kept = set(rows["as_of"])
        return Backtest(scope=self.scope, as_of_dates=tuple(d for d in self.as_of_dates if d in kept),
                        method_shown=method, reason=reason, rows=rows, summary=summary)

    def metric(self, granularity: str, method: str, name: str) -> float:
        s = self.summary
        hit = s[(s["granularity"] == granularity) & (s["method"] == method)]
        return float(hit[name].iloc[0]) if len(hit) else float("nan")


def _actual_won(data: PipelineData, owners: frozenset[str] | None) -> tuple[np.ndarray, np.ndarray]:
    deals = data.deals
    close = effective_close(deals)
    mask = (deals["status"] == "won").fillna(False).to_numpy(dtype=bool)
    if owners is not None:
        mask &= deals["owner"].isin(list(owners)).to_numpy(dtype=bool)
    return close[mask], deals["amount"].to_numpy(dtype=float, na_value=0.0)[mask]


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Error figures per granularity and method from backtest rows."""
    out = []
    for (gran, method), g in rows.groupby(["granularity", "method"], sort=True):
        scored = g[g["actual"] > 0]
        err = (scored["predicted"] - scored["actual"]) / scored["actual"]
        ape = err.abs()
        calibrated = method == "calibrated"
        lo, hi = (g["p10_range"], g["p90_range"]) if "p10_range" in g else (g["p10"], g["p90"])
        inside = ((lo <= g["actual"]) & (g["actual"] <= hi)) if calibrated else None
        inside_sim = ((g["p10"] <= g["actual"]) & (g["actual"] <= g["p90"])) if calibrated else None
        out.append({
            "granularity": gran, "method": method, "n": len(g), "n_scored": len(scored),
            "mape": float(ape.mean()) if len(ape) else np.nan,
            "median_ape": float(ape.median()) if len(ape) else np.nan,
            "bias": float(err.mean()) if len(err) else np.nan,
            "within_10": float((ape <= WITHIN).mean()) if len(ape) else np.nan,
            "coverage": float(inside.mean()) if inside is not None and len(g) else np.nan,
            "coverage_sim": float(inside_sim.mean()) if inside_sim is not None and len(g) else np.nan,
        })
    cols = ["granularity", "method", "n", "n_scored", "mape", "median_ape", "bias", "within_10", "coverage",
            "coverage_sim"]
    return pd.DataFrame(out, columns=cols)


def method_label(method: str, *, inline: bool = False) -> Message:
    """A method's name (``forecast.method.calibrated``); ``inline`` for inside a sentence."""
    return Message.of(f"forecast.{'method_inline' if inline else 'method'}.{method}")


def choose_method(summary: pd.DataFrame, granularity: str = QUARTER) -> tuple[str, Message]:
    """The method to show for forecasts of ``granularity`` and why, as a message (module docstring).

    The backtest of that granularity decides; without it, the other one.
    """
    order = [granularity] + [g for g in (QUARTER, MONTH) if g != granularity]
    for gran in order:
        s = summary[(summary["granularity"] == gran) & summary["mape"].notna()]
        if s.empty:
            continue
        mape = dict(zip(s["method"], s["mape"]))
        # run rate first so that it wins ties
        order = sorted(mape, key=lambda m: (mape[m], m != "run_rate"))
        best = order[0]
        n = int(s["n_scored"].max())
        others = [Message.of("forecast.reason.other_method", method=method_label(m, inline=True),
                             error=float(mape[m])) for m in order[1:]]
        figures = dict(n=n, method=method_label(best), granularity=Message.of(f"forecast.granularity.{gran}"),
                       error=float(mape[best]))
        if not others:
            return best, Message.of("forecast.reason.best_method_alone", **figures)
        return best, Message.of("forecast.reason.best_method", **figures, others=chained("forecast.list", others))
    return "run_rate", Message.of("forecast.reason.short_history")


def _third(elapsed_share: float) -> int:
    """0, 1 or 2: the first, middle or last third of a period."""
    return int(min(RANGE_THIRDS - 1, max(0.0, elapsed_share) * RANGE_THIRDS))


def widen(p50: float, p10: float, p90: float, floor: float, errors: np.ndarray | None) -> tuple[float, float]:
    """P10/P90 at least as wide as the 10th-90th percentiles of past errors ``log(actual / P50)``
    around ``p50``; never below ``floor`` (what is already won) and never narrower than given."""
    if errors is None or len(errors) == 0 or not np.isfinite(p50) or p50 <= 0:
        return p10, p90
    q10, q90 = np.quantile(errors, [0.10, 0.90])
    return max(floor, min(p10, p50 * float(np.exp(q10)))), max(p90, p50 * float(np.exp(q90)))


def widen_ranges(rows: pd.DataFrame) -> pd.DataFrame:
    """p10_range / p90_range of each calibrated row from the errors of periods over before its date."""
    rows = rows.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["log_ratio"] = np.log(rows["actual"].astype(float) / rows["predicted"].astype(float))
    rows.loc[rows["method"] != "calibrated", "log_ratio"] = np.nan
    rows["p10_range"], rows["p90_range"] = rows["p10"], rows["p90"]
    cal = rows[(rows["method"] == "calibrated") & np.isfinite(rows["log_ratio"])]
    for idx, row in rows[rows["method"] == "calibrated"].iterrows():
        past = cal[(cal["granularity"] == row["granularity"]) & (cal["third"] == row["third"])
                   & (cal["period_end"] < row["as_of"])]["log_ratio"].to_numpy(dtype=float)
        if len(past) >= RANGE_MIN_POINTS:
            rows.loc[idx, ["p10_range", "p90_range"]] = widen(row["predicted"], row["p10"], row["p90"],
                                                             row["won_to_date"], past)
    return rows


def backtest(data: PipelineData, *, start=None, end=None, every_days: int = 7,
             scope: tuple[str, str] = COMPANY_SCOPE, granularities: tuple[str, ...] = GRANULARITIES,
             n_sims: int = BACKTEST_SIMS, seed: int = 0, context: ForecastContext | None = None) -> Backtest:
    """Replay forecasts every ``every_days`` days from ``start`` to ``end`` (module docstring).

    ``start`` defaults to one year after the first deal was created (so that
    the calibration has a year to learn from), ``end`` to the date of the data.
    """
    ctx = prepare(data) if context is None else context
    today = ctx.today
    end = today if end is None else min(to_day(end), today)
    first = data.deals["created_on"].min()
    if pd.isna(first):
        dates: list[pd.Timestamp] = []
    else:
        start = to_day(first) + pd.Timedelta(days=365) if start is None else to_day(start)
        dates = list(pd.date_range(start, end, freq=f"{every_days}D"))
    owners = owners_of(scope, ctx.rep_team)
    won_on, won_amount = _actual_won(data, owners)

    records = []
    plan = {}
    for as_of in dates:
        # scored only once over by ``end``: a backtest that chooses the method of a forecast
        # made as of ``end`` must not see what was won after it
        periods = [p for p in (Period.containing(g, as_of) for g in granularities) if p.end_ts <= end]
        if periods:
            plan[as_of] = periods
    used = list(plan)
    # one reconstruction for every date (the same code as the live forecast)
    # deals closed more than ~4 months before a date change nothing to its month or quarter
    # (won to date <= 92 days, run rate 91 days): dropping them keeps a large company cheap
    for pipe in pipelines_as_of(data, used, closed_within=CLOSED_WITHIN_DAYS, today=today):
        pa = PipelineArrays(ctx, pipe)
        # the shared fate of a period, measured on the periods over before this date (out of sample)
        so_far = pd.DataFrame(records, columns=COLUMNS)
        for per in plan[pipe.as_of]:
            spread = period_spread(so_far, per.kind, pipe.as_of)
            factor = period_factor(spread, n_sims, seed, f"{per.code}|{pipe.as_of.date()}")
            fc = forecast_scope(ctx, pa, per, scope, n_sims=n_sims, seed=seed, method_shown="calibrated",
                                period_factor=factor)
            lo, hi = np.datetime64(per.start_ts, "ns"), np.datetime64(per.end_ts, "ns")
            actual = float(won_amount[(won_on >= lo) & (won_on <= hi)].sum())
            for method in METHODS:
                records.append({"as_of": pipe.as_of, "granularity": per.kind, "period": per.code, "method": method,
                                "predicted": fc.point(method), "actual": actual,
                                "p10": fc.p10, "p90": fc.p90, "period_end": per.end_ts,
                                "third": _third(per.days_elapsed(pipe.as_of) / per.days),
                                "won_to_date": fc.won_to_date, "future_mean": fc.future_mean,
                                "future_var": fc.future_var, "spread": spread})

    rows = widen_ranges(pd.DataFrame(records, columns=COLUMNS))
    scored = rows["actual"] > 0
    rows["error"] = np.where(scored, (rows["predicted"] - rows["actual"]) / rows["actual"].where(scored, 1.0),
                             np.nan)
    summary = summarise(rows)
    method, reason = choose_method(summary)
    return Backtest(scope=scope, as_of_dates=tuple(used), method_shown=method, reason=reason,
                    rows=rows, summary=summary)


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 4)


def backtest_json(bt: Backtest, *, source: str, text: Callable[[Message], str]) -> dict:
    """The backtest as a document valid against ``kpicore/model/json_schemas/backtest.v3.json``.

    ``source``: the file the data came from (``PipelineData.source``). The
    envelope's ``as_of`` is null: the replay's dates are ``as_of_first`` to ``as_of_last``.
    ``text`` renders the reason in the reader's language (the edge gives it).
    """
    return {
        **envelope("backtest", source, None),
        "scope": scope_json(bt.scope, text),
        "as_of_first": bt.as_of_dates[0].date().isoformat() if bt.as_of_dates else None,
        "as_of_last": bt.as_of_dates[-1].date().isoformat() if bt.as_of_dates else None,
        "n_as_of": len(bt.as_of_dates),
        "method_shown": bt.method_shown,
        "reason_text": text(bt.reason),
        "summary": [
            {"granularity": r.granularity, "method": r.method, "n": int(r.n), "n_scored": int(r.n_scored),
             "mape": _num(r.mape), "median_ape": _num(r.median_ape), "bias": _num(r.bias),
             "within_10": _num(r.within_10), "coverage": _num(r.coverage)}
            for r in bt.summary.itertuples(index=False)
        ],
    }
