"""Forecast history, pipeline movement between two dates, and forecast accuracy.

- ``append_forecasts``: every refresh appends its forecasts to the
  ForecastHistory table (``schema.FORECAST_HISTORY``), at most one row a day per
  period and scope: a second refresh the same day replaces that day's rows (the
  latest figures of the day are the ones that were shown).
- ``pipeline_movement``: how the pipeline of a period went from one date to
  another, reconciled to the cent (amounts are added as whole cents):

      start + new + pulled in + reopened + increased − decreased − won − lost − slipped out = end

  The pipeline of a period on a date is the deals open that day whose expected
  close date falls in the period, with their amount and expected close date
  as of that day (``kpicore.forecast.asof``: the latest PipelineSnapshot on or before
  the date, else the current values).  A deal of the start pipeline first
  moves by its amount change (increased / decreased), then leaves with its
  new amount if it was won, lost or moved out of the period (slipped out; an
  expected date removed counts as slipped out); a deal of the end pipeline
  that was not in the start one is new (created after the start date), pulled
  in (open at the start, expected outside the period) or reopened (closed at
  the start).  A deal created and closed between the two dates, or never in
  the period, moves nothing.
- ``forecast_accuracy``: once a period is over, each ForecastHistory row
  against what was won: signed error and absolute error in % of the actual,
  and whether the actual fell inside P10-P90.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.forecast.asof import data_today, effective_close, pipeline_as_of, to_day
from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import Forecast, resolve_period
from kpicore.model.roster import owners_of, rep_team_of
from kpicore.model.periods import Period

MOVES = ("start", "new", "pulled_in", "reopened", "increased", "decreased", "won", "lost", "slipped_out", "end")
MOVES_FR = {
    "start": "Pipeline de départ", "new": "Nouvelles affaires", "pulled_in": "Avancées dans la période",
    "reopened": "Réouvertes", "increased": "Montants augmentés", "decreased": "Montants réduits",
    "won": "Gagnées", "lost": "Perdues", "slipped_out": "Glissées hors période", "end": "Pipeline d'arrivée",
}
_KEY = ["snapshot_on", "period", "scope_type", "scope_name"]


def forecast_rows(forecasts: Sequence[Forecast], on=None) -> pd.DataFrame:
    """ForecastHistory rows for ``forecasts`` (snapshot date: ``on``, else each forecast's as_of)."""
    rows = [{
        "snapshot_on": to_day(on) if on is not None else f.as_of, "period": f.period,
        "scope_type": f.scope[0], "scope_name": f.scope[1] or pd.NA, "method_shown": f.method_shown,
        "shown": f.shown, "won_to_date": f.won_to_date, "weighted_declared": f.weighted_declared,
        "calibrated": f.calibrated, "new_deals": f.new_deals, "run_rate": f.run_rate,
        "p10": f.p10, "p50": f.p50, "p90": f.p90,
        "target": np.nan if f.target is None else f.target,
        "prob_reach_target": np.nan if f.prob_reach_shown is None else f.prob_reach_shown,  # as shown
    } for f in forecasts]
    frame = pd.DataFrame(rows, columns=schema.FORECAST_HISTORY.column_names)
    return schema.conform(frame, schema.FORECAST_HISTORY)


def append_forecasts(history: pd.DataFrame | None, forecasts: Sequence[Forecast], on=None) -> pd.DataFrame:
    """``history`` with the rows of ``forecasts`` appended, one per day, period and scope at most."""
    new = forecast_rows(forecasts, on)
    old = schema.FORECAST_HISTORY.empty() if history is None else schema.conform(history, schema.FORECAST_HISTORY)
    if len(old) and len(new):
        def keys(f: pd.DataFrame) -> pd.Series:
            return (f["snapshot_on"].dt.strftime("%Y-%m-%d") + "|" + f["period"].fillna("") + "|"
                    + f["scope_type"].fillna("") + "|" + f["scope_name"].fillna(""))
        old = old[~keys(old).isin(set(keys(new)))]
    parts = [f for f in (old, new) if len(f)]
    out = pd.concat(parts, ignore_index=True) if parts else new
    out = out.sort_values(_KEY, kind="stable", na_position="first").reset_index(drop=True)
    return schema.conform(out, schema.FORECAST_HISTORY)


@dataclass(frozen=True)
class Movement:
    """The pipeline of ``period`` from ``start_on`` to ``end_on`` (amounts in euros, exact to the cent)."""

    period: str
    start_on: pd.Timestamp
    end_on: pd.Timestamp
    start: float
    new: float
    pulled_in: float
    reopened: float
    increased: float
    decreased: float
    won: float
    lost: float
    slipped_out: float
    end: float
    # deal_id, movement (one of MOVES or "stayed"), amount_before, amount_after, change
    deals: pd.DataFrame = field(compare=False, repr=False, default_factory=pd.DataFrame)

    def as_dict(self) -> dict[str, float]:
        return {m: getattr(self, m) for m in MOVES}

    @property
    def balanced(self) -> bool:
        """The identity holds to the cent (it always does: amounts are summed in cents)."""
        c = {m: round(getattr(self, m) * 100) for m in MOVES}
        return (c["start"] + c["new"] + c["pulled_in"] + c["reopened"] + c["increased"] - c["decreased"]
                - c["won"] - c["lost"] - c["slipped_out"]) == c["end"]


def _cents(x: pd.Series) -> np.ndarray:
    return np.round(x.astype(float).fillna(0.0).to_numpy() * 100).astype(np.int64)


def pipeline_movement(data: PipelineData, start_on, end_on=None, period: str | Period = "month", *,
                      owners: frozenset[str] | None = None) -> Movement:
    """Pipeline movement of ``period`` between two dates (module docstring); ``end_on`` defaults
    to the date of the data, ``period`` to the month (or quarter...) containing ``end_on``."""
    today = data_today(data)
    t0 = to_day(start_on)
    t1 = today if end_on is None else to_day(end_on)
    per = resolve_period(period, t1, data)
    lo, hi = per.start_ts, per.end_ts
    cols = ["deal_id", "status", "amount", "expected_close_on"]
    a = pipeline_as_of(data, t0, today=today).deals[cols + ["owner"]]
    b = pipeline_as_of(data, t1, today=today).deals[cols + ["owner"]]
    if owners is not None:
        a, b = a[a["owner"].isin(list(owners))], b[b["owner"].isin(list(owners))]
    m = pd.merge(a.drop(columns="owner"), b.drop(columns="owner"), on="deal_id", how="outer",
                 suffixes=("_0", "_1"), indicator=True)
    seen0 = (m["_merge"] != "right_only").to_numpy()
    seen1 = (m["_merge"] != "left_only").to_numpy()
    st0, st1 = m["status_0"].fillna("").to_numpy(dtype=object), m["status_1"].fillna("").to_numpy(dtype=object)
    in0 = seen0 & (st0 == "open") & m["expected_close_on_0"].between(lo, hi).to_numpy(dtype=bool)
    in1 = seen1 & (st1 == "open") & m["expected_close_on_1"].between(lo, hi).to_numpy(dtype=bool)
    c0, c1 = _cents(m["amount_0"]), _cents(m["amount_1"])
    # a deal deleted from the workbook since the start leaves as lost, with its start amount
    c1 = np.where(seen1, c1, c0)
    st1 = np.where(seen1, st1, "lost")

    move = np.full(len(m), "", dtype=object)
    change = np.where(in0, c1 - c0, 0)
    move[in0 & in1] = "stayed"
    move[in0 & ~in1 & (st1 == "won")] = "won"
    move[in0 & ~in1 & (st1 == "lost")] = "lost"
    move[in0 & ~in1 & (st1 == "open")] = "slipped_out"
    move[~in0 & in1 & ~seen0] = "new"
    move[~in0 & in1 & seen0 & (st0 == "open")] = "pulled_in"
    move[~in0 & in1 & seen0 & np.isin(st0, ["won", "lost"])] = "reopened"

    def total(mask: np.ndarray, cents: np.ndarray) -> int:
        return int(cents[mask].sum())

    cents = {
        "start": total(in0, c0),
        "new": total(move == "new", c1), "pulled_in": total(move == "pulled_in", c1),
        "reopened": total(move == "reopened", c1),
        "increased": int(change[change > 0].sum()), "decreased": int(-change[change < 0].sum()),
        "won": total(move == "won", c1), "lost": total(move == "lost", c1),
        "slipped_out": total(move == "slipped_out", c1), "end": total(in1, c1),
    }
    detail = pd.DataFrame({"deal_id": m["deal_id"], "movement": move, "amount_before": c0 / 100,
                           "amount_after": c1 / 100, "change": change / 100})
    detail = detail[detail["movement"] != ""].reset_index(drop=True)
    return Movement(period=per.code, start_on=t0, end_on=t1, deals=detail,
                    **{k: v / 100 for k, v in cents.items()})


def forecast_accuracy(history: pd.DataFrame, data: PipelineData, *, today=None) -> pd.DataFrame:
    """ForecastHistory rows of periods over on ``today`` (default: the date of the data) with
    ``actual``, ``error`` (signed, fraction of actual), ``abs_pct_error`` and ``inside_p10_p90``."""
    today = data_today(data) if today is None else to_day(today)
    rep_team = rep_team_of(data)
    close = effective_close(data.deals)
    won = (data.deals["status"] == "won").fillna(False).to_numpy(dtype=bool)
    amount = data.deals["amount"].to_numpy(dtype=float, na_value=0.0)
    owner = data.deals["owner"].astype(object).to_numpy()
    out = []
    for rec in schema.conform(history, schema.FORECAST_HISTORY).itertuples(index=False):
        per = resolve_period(str(rec.period), rec.snapshot_on, data)
        if per.end_ts > today:
            continue
        name = "" if pd.isna(rec.scope_name) else str(rec.scope_name)
        owners = owners_of((str(rec.scope_type), name), rep_team)
        mask = won & (close >= np.datetime64(per.start_ts, "ns")) & (close <= np.datetime64(per.end_ts, "ns"))
        if owners is not None:
            mask &= np.isin(owner, list(owners))
        actual = float(amount[mask].sum())
        err = (rec.shown - actual) / actual if actual > 0 else np.nan
        row = rec._asdict()
        row.update(actual=actual, error=err, abs_pct_error=abs(err),
                   inside_p10_p90=bool(rec.p10 <= actual <= rec.p90))
        out.append(row)
    cols = [*schema.FORECAST_HISTORY.column_names, "actual", "error", "abs_pct_error", "inside_p10_p90"]
    return pd.DataFrame(out, columns=cols)


SNAPSHOT_ORDER = ["snapshot_on", "deal_id"]


def append_pipeline_snapshot(data: PipelineData, on) -> pd.DataFrame:
    """``data.pipeline_snapshots`` with the open deals of today added as the snapshot of ``on``.

    A refresh takes one photograph of the pipeline a day (a second refresh the
    same day replaces it): the weekly deck's "what moved since last week" and the
    backtest's as-of values come from these photographs, since a CRM overwrites
    amounts, stages and close dates.
    """
    on = to_day(on)
    deals = data.deals[data.deals["status"] == "open"]
    shot = pd.DataFrame({
        "snapshot_on": on, "deal_id": deals["deal_id"], "owner": deals["owner"], "stage": deals["stage"],
        "status": deals["status"], "amount": deals["amount"], "expected_close_on": deals["expected_close_on"],
        "probability": deals["probability"],
    })
    old = data.pipeline_snapshots
    old = old[old["snapshot_on"] != on]
    parts = [f for f in (old, schema.conform(shot, schema.PIPELINE_SNAPSHOTS)) if len(f)]
    out = pd.concat(parts, ignore_index=True) if parts else schema.PIPELINE_SNAPSHOTS.empty()
    return schema.conform(out.sort_values(SNAPSHOT_ORDER, kind="stable").reset_index(drop=True),
                          schema.PIPELINE_SNAPSHOTS)


def snapshot_rows_in_place(data: PipelineData, on) -> int:
    """How many first rows of ``append_pipeline_snapshot(data, on)`` are ``data.pipeline_snapshots``'s, in
    their order: all of them when they are all older than ``on`` and already in the order it sorts in
    (as a refresh writes them), else 0.  The sheet then only gains rows at its end."""
    old = data.pipeline_snapshots
    if not len(old) or not (old["snapshot_on"] < to_day(on)).all():
        return 0
    keys = old[SNAPSHOT_ORDER].reset_index(drop=True)
    in_order = keys.sort_values(SNAPSHOT_ORDER, kind="stable").index
    return len(old) if (in_order == keys.index).all() else 0
