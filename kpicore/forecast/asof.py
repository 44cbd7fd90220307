"""The pipeline as it stood on a past date ("as-of" reconstruction).

The same code serves the live forecast (as of today) and the backtest (as of
every past week): a forecast made "as of" a date may only use what was known
on that date, otherwise the backtest flatters the method.

Rules, per deal:

- a deal created after the date is invisible;
- status: won or lost when ``closed_on`` is on or before the date, else open
  (a deal won or lost later was open then).  A deal marked won/lost without a
  ``closed_on`` cannot be placed in time: it is taken as closed on its
  creation date (never open in the past), so it never feeds a backtest;
- stage: the last StageHistory entry on or before the date; else the stage of
  the latest PipelineSnapshot on or before the date; else, for a deal still
  open today, its current stage (flagged as taken from today); else unknown
  (``<NA>``).  ``stage_known`` says whether the stage is a fact of that date:
  the calibration only learns from known stages so that it never learns
  "deals now in Négociation were in Négociation a year ago";
- a deal open today that the latest snapshot on or before the date saw won or
  lost was reopened since: it is taken as won/lost on that date;
- amount, expected close date, declared probability: from the latest
  PipelineSnapshot on or before the date when there is one, else the current
  values (flagged); on the date of the data itself, the current values and
  stage (the workbook is the truth today);
- ``stage_entered_on``: the StageHistory entry date, else the creation date.

"Today" is the date of the data (the latest date it records), not the clock,
so that a workbook refreshed on Monday and replayed on Tuesday gives the same
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpicore.model.pipeline_data import PipelineData

CLOSED = ("won", "lost")

# columns of a reconstructed frame, beside the deal's own identity columns
RECONSTRUCTED_FIELDS = ("stage", "status", "amount", "expected_close_on", "probability")


@dataclass(frozen=True)
class AsOfPipeline:
    """The deals visible on ``as_of`` with their state on that date.

    ``deals`` columns: deal_id, owner, account, stage, stage_known, stage_entered_on,
    status, amount, created_on, expected_close_on, probability (declared, NaN when
    none), closed_on (NaT unless closed on or before ``as_of``), forecast_category,
    next_step, last_activity_on (NaT when after ``as_of``), from_today (values not
    found in a snapshot).  ``fields_from_today`` names the fields that, for at least
    one open deal, had to be taken from today's values.
    """

    as_of: pd.Timestamp
    today: pd.Timestamp
    deals: pd.DataFrame = field(compare=False, repr=False)
    fields_from_today: tuple[str, ...] = ()

    @property
    def open(self) -> pd.DataFrame:
        return self.deals[self.deals["status"] == "open"]


def to_day(value) -> pd.Timestamp:
    """A midnight Timestamp from a date, a Timestamp or an ISO string."""
    return pd.Timestamp(value).normalize()


def data_today(data: PipelineData) -> pd.Timestamp:
    """The date of the data: the latest creation, close, activity, stage or snapshot date it records."""
    candidates = [
        data.deals["created_on"], data.deals["closed_on"], data.activities["date"],
        data.stage_history["entered_on"], data.pipeline_snapshots["snapshot_on"],
    ]
    latest = max((s.max() for s in candidates if len(s) and s.notna().any()), default=pd.NaT)
    return pd.Timestamp.today().normalize() if pd.isna(latest) else to_day(latest)


def effective_close(deals: pd.DataFrame) -> np.ndarray:
    """Close date of each deal as datetime64[ns]: NaT while open, creation date when closed undated."""
    closed = deals["status"].isin(CLOSED).fillna(False).to_numpy(dtype=bool)
    when = deals["closed_on"].fillna(deals["created_on"]).to_numpy(dtype="datetime64[ns]")
    return np.where(closed, when, np.datetime64("NaT", "ns"))


def reconstruct(data: PipelineData, dates, *, open_only: bool = False, closed_within: int | None = None,
                today: pd.Timestamp | None = None) -> pd.DataFrame:
    """The deals as they stood on each of ``dates``: one row per (date, visible deal).

    ``open_only`` keeps only the deals open on each date (what the calibration
    learns from); ``closed_within`` drops the deals closed more than that many
    days before each date (a backtest of months and quarters needs no older
    ones, and a large company has many).  Rows carry an ``as_of`` column and
    are sorted by it.
    """
    today = data_today(data) if today is None else to_day(today)
    days = np.unique(pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize().to_numpy("datetime64[ns]"))
    deals = data.deals[data.deals["created_on"].notna()].reset_index(drop=True)
    close = effective_close(deals)
    created = deals["created_on"].to_numpy("datetime64[ns]")

    # Each deal is visible on a contiguous run of the sorted dates: from the first
    # date on or after its creation to the end (or, open only, to its close).
    first = np.searchsorted(days, created, "left")
    last = np.full(len(deals), len(days))
    has_close = ~np.isnat(close)
    if open_only:
        last[has_close] = np.searchsorted(days, close[has_close], "left")
    elif closed_within is not None:
        until = close[has_close] + np.timedelta64(int(closed_within), "D")
        last[has_close] = np.searchsorted(days, until, "right")
    counts = np.maximum(last - first, 0)
    rows = np.repeat(np.arange(len(deals)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    as_of = days[first[rows] + offsets] if len(rows) else np.array([], dtype="datetime64[ns]")

    out = deals.iloc[rows].reset_index(drop=True)
    out.insert(0, "as_of", as_of)
    close_rows = close[rows]
    closed_then = ~np.isnat(close_rows) & (close_rows <= as_of)
    out["status"] = pd.array(np.where(closed_then, out["status"].to_numpy(dtype=object), "open"), dtype="string")
    out["closed_on"] = np.where(closed_then, close_rows, np.datetime64("NaT", "ns")).astype("datetime64[ns]")
    out["final_status"] = deals["status"].iloc[rows].to_numpy(dtype=object)
    out["final_close"] = close_rows
    out = out.sort_values("as_of", kind="stable").reset_index(drop=True)

    out = _stage_then(out, data, today)
    out = _values_then(out, data, today)
    la = out["last_activity_on"]
    out["last_activity_on"] = la.where(la <= out["as_of"])
    return out


def _stage_then(out: pd.DataFrame, data: PipelineData, today: pd.Timestamp) -> pd.DataFrame:
    hist = data.stage_history.dropna(subset=["deal_id", "entered_on"])
    hist = hist[["deal_id", "stage", "entered_on"]].rename(columns={"stage": "_h_stage"})
    hist = hist.sort_values("entered_on", kind="stable")
    snaps = data.pipeline_snapshots.dropna(subset=["deal_id", "snapshot_on"])
    snaps = snaps[["deal_id", "snapshot_on", "stage", "status", "amount", "expected_close_on", "probability"]]
    snaps = snaps.rename(columns={c: f"_s_{c}" for c in ("stage", "status", "amount", "expected_close_on",
                                                          "probability")})
    snaps = snaps.sort_values("snapshot_on", kind="stable")
    left = out
    if len(out):
        left = pd.merge_asof(left, hist, left_on="as_of", right_on="entered_on", by="deal_id",
                             direction="backward")
        left = pd.merge_asof(left, snaps, left_on="as_of", right_on="snapshot_on", by="deal_id",
                             direction="backward")
    else:
        for c in (*hist.columns[1:], *snaps.columns[1:]):
            left[c] = pd.Series(dtype=hist[c].dtype if c in hist else snaps[c].dtype)

    open_now = (left["final_status"] == "open").to_numpy(dtype=bool)
    live = (left["as_of"] >= today).to_numpy(dtype=bool)
    current = left["stage"].astype("string")
    stage = left["_h_stage"].astype("string").fillna(left["_s_stage"].astype("string"))
    from_today = stage.isna().to_numpy() & open_now
    # on the date of the data the workbook itself is the truth for the deals open today
    use_current = pd.Series(from_today | (live & open_now), index=stage.index)
    entered = left["entered_on"].where(~use_current | (left["_h_stage"] == current).fillna(False))
    stage = stage.mask(use_current, current)
    left["stage_known"] = (left["_h_stage"].notna() | left["_s_stage"].notna()).to_numpy(dtype=bool) | live
    left["stage"] = stage
    left["stage_from_today"] = from_today & ~live
    left["stage_entered_on"] = entered.fillna(left["created_on"])
    return left.drop(columns=["_h_stage", "_s_stage", "entered_on"])


def _values_then(out: pd.DataFrame, data: PipelineData, today: pd.Timestamp) -> pd.DataFrame:
    # on the date of the data the current values are newer than any snapshot
    has_snap = out["snapshot_on"].notna() & (out["as_of"] < today)
    for c in ("amount", "expected_close_on", "probability"):
        out[c] = out[f"_s_{c}"].where(has_snap, out[c]).astype(out[c].dtype)
    out["from_today"] = (~has_snap & (out["as_of"] < today)).to_numpy(dtype=bool)
    # A deal open today that a snapshot saw won or lost was reopened since: closed then.
    reopened = (out["status"] == "open") & out["_s_status"].isin(CLOSED).fillna(False)
    out["status"] = out["status"].mask(reopened, out["_s_status"].astype("string"))
    return out.drop(columns=["_s_amount", "_s_expected_close_on", "_s_probability", "_s_status", "snapshot_on"])


def pipelines_as_of(data: PipelineData, dates, *, closed_within: int | None = None,
                    today: pd.Timestamp | None = None) -> list[AsOfPipeline]:
    """``pipeline_as_of`` for many dates at once (one reconstruction, split by date), in date order.

    ``closed_within``: see ``reconstruct``.
    """
    today = data_today(data) if today is None else to_day(today)
    days = sorted({to_day(d) for d in dates})
    # final_status / final_close say how each deal ended: the backtest's learning needs
    # them, a forecast must not see them.
    frame = reconstruct(data, days, closed_within=closed_within, today=today)
    frame = frame.drop(columns=["final_status", "final_close"])
    keys = frame["as_of"].to_numpy("datetime64[ns]")
    out = []
    for day in days:
        key = np.datetime64(day, "ns")
        lo, hi = np.searchsorted(keys, key, "left"), np.searchsorted(keys, key, "right")
        part = frame.iloc[lo:hi].reset_index(drop=True)
        open_ = part[part["status"] == "open"]
        flagged: list[str] = []
        if open_["stage_from_today"].any():
            flagged.append("stage")
        if open_["from_today"].any():
            flagged += ["amount", "expected_close_on", "probability"]
        out.append(AsOfPipeline(as_of=day, today=today, deals=part, fields_from_today=tuple(flagged)))
    return out


def pipeline_as_of(data: PipelineData, as_of, *, today: pd.Timestamp | None = None) -> AsOfPipeline:
    """The pipeline as it stood on ``as_of`` (see the module docstring for the rules)."""
    return pipelines_as_of(data, [as_of], today=today)[0]
