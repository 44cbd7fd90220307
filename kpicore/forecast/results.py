"""The method's results measured on the company's own history (the quarterly review's results table).

Codes and numbers only; the deck (``ritual_decks.quarterly``) says them.

**Forecast precision, before and now** (``forecast_precision``), over the quarters the replay
(``kpicore.forecast.backtest``) scored up to the quarter reviewed (actual won above zero), every
replayed date of each quarter counted once per method:

- *before*: the mean absolute error, in % of the actual, of the declared-probability pipeline
  (``weighted_declared``: won to date + Σ amount × declared probability of the deals open that
  day and expected to close in the quarter), what a CRM's weighted pipeline says;
- *now*: the same mean for the method Pilotage shows (the replay's best on quarters,
  ``Backtest.method_for``), the error its forecast slide quotes.

Not measurable with fewer than ``MIN_QUARTERS`` scored quarters.

**The quarter's accuracy** (``quarter_accuracy``): the forecast of the method shown on the quarter's
Day-One (its first working day) and at mid-quarter (the last replayed date on or before the
quarter's middle day), each with its error and whether the actual fell inside the range shown then.

**Warning before a slip or a loss** (``risk_warnings``): each deal lost in the quarter (closed lost
in it) and each deal that slipped out of it (open on some week of the quarter with an expected close
date in the quarter, neither won nor lost in it), against the first week it was flagged at risk.
kpicore's risk rules (``kpicore.forecast.risk.deals_at_risk``) are replayed on the pipeline as it
stood every ``7`` days back from the quarter's end, down to ``LOOKBACK_WEEKS`` weeks before its
start; ``no_next_step`` does not count (the next step is today's value, not a fact of that date).
The event is the close date of a loss; for a slip, the first weekly date on which the deal, still
open, was expected after the quarter, else the day after the quarter's end. A flag counts when
its date is before the event; the warning is (event − first flag) in days ÷ 7.

**Reps at target** (``reps_at_target``): among the reps with a revenue target for the quarter, the
share whose revenue won reached it (the on-target rule of ``kpicore.metrics.targets``, the whole
target being due once the quarter is over).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpicore.forecast.asof import data_today, pipeline_as_of, to_day
from kpicore.forecast.backtest import Backtest
from kpicore.forecast.risk import deals_at_risk
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.periods import QUARTER, Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import REP

MIN_QUARTERS = 2
LOOKBACK_WEEKS = 4
DECLARED = "weighted_declared"
NOT_KNOWN_THEN = frozenset({"no_next_step"})  # risk reasons read from today's values
LOST, SLIPPED = "lost", "slipped"
WARNING_COLUMNS = ["deal_id", "account", "owner", "amount", "outcome", "event_on", "flagged_on", "weeks_before",
                   "reasons"]


# -- forecast precision before and now ------------------------------------------------------------------

@dataclass(frozen=True)
class Precision:
    """The replayed error of the declared-probability pipeline (before) and of the method shown (now)."""

    measurable: bool
    n_quarters: int  # quarters scored (something won)
    n_forecasts: int  # replayed dates of those quarters (forecasts per method)
    before: float | None  # mean |error| of weighted_declared, fraction of the actual
    now: float | None  # mean |error| of method_now
    method_now: str
    quarters: tuple[str, ...] = ()


def _quarter_rows(bt: Backtest, until: Period | None) -> pd.DataFrame:
    r = bt.rows
    if r.empty:
        return r
    r = r[(r["granularity"] == QUARTER) & (r["actual"] > 0)]
    if until is not None:
        r = r[r["period_end"] <= until.end_ts]
    return r


def _mape(rows: pd.DataFrame, method: str) -> float | None:
    m = rows[rows["method"] == method]
    if m.empty:
        return None
    err = (m["predicted"].astype(float) - m["actual"].astype(float)) / m["actual"].astype(float)
    return float(err.abs().mean())


def forecast_precision(bt: Backtest, until: Period | None = None, *, min_quarters: int = MIN_QUARTERS) -> Precision:
    """Forecast precision before (declared probabilities) and now (the method shown), on the quarters
    ``bt`` scored that end by ``until`` (module docstring)."""
    if until is not None:
        bt = bt.up_to(until.end_ts)
    rows = _quarter_rows(bt, until)
    method = bt.method_for(QUARTER)[0]
    quarters = tuple(sorted(set(rows["period"]))) if not rows.empty else ()
    n_forecasts = int((rows["method"] == method).sum()) if not rows.empty else 0
    if len(quarters) < min_quarters:
        return Precision(False, len(quarters), n_forecasts, None, None, method, quarters)
    return Precision(True, len(quarters), n_forecasts, _mape(rows, DECLARED), _mape(rows, method), method, quarters)


# -- one quarter's accuracy --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointForecast:
    """One replayed forecast of a quarter: its date, figure, range shown and error."""

    as_of: pd.Timestamp
    predicted: float
    p10: float
    p90: float
    error: float | None  # signed, fraction of the actual; None when nothing was won
    inside: bool


@dataclass(frozen=True)
class QuarterAccuracy:
    quarter: str
    method: str
    actual: float | None  # None: the replay did not score the quarter
    day_one: PointForecast | None
    mid: PointForecast | None


def _point(rows: pd.DataFrame, cal: pd.DataFrame, as_of: pd.Timestamp) -> PointForecast:
    row = rows[rows["as_of"] == as_of].iloc[0]
    c = cal[cal["as_of"] == as_of]
    lo = float(c["p10_range"].iloc[0]) if len(c) and "p10_range" in c else float("nan")
    hi = float(c["p90_range"].iloc[0]) if len(c) and "p90_range" in c else float("nan")
    actual = float(row["actual"])
    error = (float(row["predicted"]) - actual) / actual if actual > 0 else None
    return PointForecast(pd.Timestamp(as_of), float(row["predicted"]), lo, hi, error, bool(lo <= actual <= hi))


def quarter_accuracy(bt: Backtest, quarter: Period, method: str | None = None) -> QuarterAccuracy:
    """The Day-One and mid-quarter forecasts of ``quarter`` by ``method`` (default: the method shown)."""
    method = method or bt.up_to(quarter.end_ts).method_for(QUARTER)[0]
    r = bt.rows
    if r.empty:
        return QuarterAccuracy(quarter.code, method, None, None, None)
    r = r[(r["granularity"] == QUARTER) & (r["period"] == quarter.code)]
    got, cal = r[r["method"] == method], r[r["method"] == "calibrated"]
    if got.empty:
        return QuarterAccuracy(quarter.code, method, None, None, None)
    first = got[got["day_one"].astype(bool)]
    day_one = _point(got, cal, first["as_of"].iloc[0]) if len(first) else None
    middle = quarter.start_ts + pd.Timedelta(days=quarter.days // 2)
    before_mid = got[got["as_of"] <= middle]
    mid = _point(got, cal, before_mid["as_of"].max()) if len(before_mid) else None
    if mid is not None and day_one is not None and mid.as_of == day_one.as_of:
        mid = None
    return QuarterAccuracy(quarter.code, method, float(got["actual"].iloc[0]), day_one, mid)


# -- warning before a slip or a loss ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskWarnings:
    """Deals lost in or slipped out of a quarter and how long before it the risk rules flagged them."""

    quarter: str
    weeks: tuple[pd.Timestamp, ...]  # the dates the rules were replayed on
    deals: pd.DataFrame = field(compare=False, repr=False)  # WARNING_COLUMNS, largest amount first

    @property
    def n(self) -> int:
        return len(self.deals)

    @property
    def n_flagged(self) -> int:
        return int(self.deals["flagged_on"].notna().sum())

    @property
    def median_weeks(self) -> float | None:
        w = self.deals["weeks_before"].dropna()
        return float(w.median()) if len(w) else None

    @property
    def amount(self) -> float:
        return float(self.deals["amount"].sum())


def replay_weeks(data: PipelineData, quarter: Period, lookback_weeks: int = LOOKBACK_WEEKS) -> tuple[pd.Timestamp, ...]:
    """Every 7 days back from the quarter's end (or the date of the data), down to ``lookback_weeks``
    weeks before its start; oldest first."""
    end = min(quarter.end_ts, data_today(data))
    first = quarter.start_ts - pd.Timedelta(days=7 * lookback_weeks)
    out, day = [], end
    while day >= first:
        out.append(day)
        day -= pd.Timedelta(days=7)
    return tuple(sorted(out))


def risk_warnings(data: PipelineData, quarter: Period, *, lookback_weeks: int = LOOKBACK_WEEKS) -> RiskWarnings:
    """The deals lost in or slipped out of ``quarter``, each with the first week it was flagged (module docstring)."""
    weeks = replay_weeks(data, quarter, lookback_weeks)
    start, end = quarter.start_ts, quarter.end_ts
    d = data.deals
    closed_in = d["closed_on"].between(start, end).fillna(False).to_numpy(dtype=bool)
    status = d["status"].astype(object)
    lost = d[closed_in & (status == "lost").to_numpy(dtype=bool)]
    decided_in = set(d.loc[closed_in & status.isin(["won", "lost"]).to_numpy(dtype=bool), "deal_id"].astype(str))

    events: dict[str, tuple[str, pd.Timestamp]] = {str(i): (LOST, to_day(c)) for i, c in
                                                   zip(lost["deal_id"], lost["closed_on"])}
    expected_in: set[str] = set()
    pushed_on: dict[str, pd.Timestamp] = {}
    for day in weeks:
        if day < start:
            continue
        o = pipeline_as_of(data, day).open
        ids = o["deal_id"].astype(str).to_numpy()
        exp = o["expected_close_on"]
        within = exp.between(start, end).fillna(False).to_numpy(dtype=bool)
        after = (exp > end).fillna(False).to_numpy(dtype=bool)
        for i in ids[after]:
            if i in expected_in and i not in pushed_on:
                pushed_on[i] = day
        expected_in.update(ids[within])
    after_end = end + pd.Timedelta(days=1)
    for i in sorted(expected_in - decided_in):
        events[i] = (SLIPPED, pushed_on.get(i, after_end))

    flagged: dict[str, tuple[pd.Timestamp, tuple[str, ...]]] = {}
    for day in weeks:
        waiting = [i for i, (_, on) in events.items() if i not in flagged and day < on]
        if not waiting:
            continue
        report = deals_at_risk(data, day).deals
        for deal_id, reasons in zip(report["deal_id"].astype(str), report["reasons"]):
            known = tuple(r for r in reasons if r not in NOT_KNOWN_THEN)
            if known and deal_id in events and deal_id not in flagged and day < events[deal_id][1]:
                flagged[deal_id] = (day, known)

    by_id = d.assign(_id=d["deal_id"].astype(str)).drop_duplicates("_id").set_index("_id")
    rows = []
    for deal_id, (outcome, on) in events.items():
        flag = flagged.get(deal_id)
        row = by_id.loc[deal_id]
        rows.append({"deal_id": deal_id, "account": row["account"], "owner": row["owner"],
                     "amount": float(row["amount"]) if pd.notna(row["amount"]) else 0.0, "outcome": outcome,
                     "event_on": on, "flagged_on": flag[0] if flag else pd.NaT,
                     "weeks_before": (on - flag[0]).days / 7 if flag else np.nan,
                     "reasons": flag[1] if flag else ()})
    frame = pd.DataFrame(rows, columns=WARNING_COLUMNS)
    if len(frame):
        frame = frame.sort_values(["amount", "deal_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame["event_on"] = pd.to_datetime(frame["event_on"])
    frame["flagged_on"] = pd.to_datetime(frame["flagged_on"])
    return RiskWarnings(quarter.code, weeks, frame)


# -- reps at target -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RepsAtTarget:
    quarter: str
    n_reps: int  # reps with a revenue target for the quarter
    n_at_target: int

    @property
    def share(self) -> float | None:
        return self.n_at_target / self.n_reps if self.n_reps else None


def reps_at_target(engine: KpiEngine, quarter: Period) -> RepsAtTarget:
    """The reps of ``engine`` with a revenue target for ``quarter`` and how many reached it (module docstring)."""
    table = engine.table(quarter)
    n = hit = 0
    for rep in engine.reps:
        key = (REP, rep)
        if key not in table.index:
            continue
        revenue = table.loc[key, "revenue_won"]
        check = engine.targets.check("revenue_won", None if pd.isna(revenue) else float(revenue), quarter,
                                     engine.as_of, REP, rep)
        if check.target is None:
            continue
        n += 1
        hit += bool(check.on_target)
    return RepsAtTarget(quarter.code, n, hit)


__all__ = ["DECLARED", "LOOKBACK_WEEKS", "LOST", "MIN_QUARTERS", "PointForecast", "Precision", "QuarterAccuracy",
           "RepsAtTarget", "RiskWarnings", "SLIPPED", "forecast_precision", "quarter_accuracy", "replay_weeks",
           "reps_at_target", "risk_warnings"]
