"""The key of the backtest kept in a workbook: which week of data it replays, and a digest of the past it read.

The backtest (``kpicore.forecast.backtest``) replays the company's history: a replay of a large company
costs tens of seconds, and what it measures only changes when the past changes.  So it is computed
once per week of data (DESIGN.md, "The forecast") with ``end`` = the Sunday before the Monday of the
week holding the date of the data (``replay_end``): the periods it scores are over before that Monday,
so nothing dated on or after it (this week's closes, this week's snapshot) enters its actuals.

The key says when that replay may be reused:

- ``week``: the ISO week of the date of the data (``2026-W49``); the first data of a later week
  (a deal created, closed or photographed on a later date) asks for a new replay;
- ``digest``: sha256 of a canonical form (columns by name, every value in one dtype per kind, one
  64-bit hash per row, the row hashes sorted) of what the replay reads from before that Monday:

  * every column of the deals won or lost before the Monday (an edit to a deal closed last month
    changes its replay: its amount, its close date, its owner...);
  * the id and the creation date of the deals created before the Monday and open on it (still open,
    or closed this week): which deals the past pipelines held.  Their other values are today's and
    move every day; the replay reads them only for the dates no snapshot covers, and takes them in
    with the next week's replay;
  * the stage history and the pipeline snapshots dated before the Monday;
  * the stages (their default probabilities weight the declared pipeline) and the reps' teams;
  * the replay's own parameters (``KEY_VERSION``, the columns it writes, its number of draws), so a
    new version of the replay never reuses an old one.

A close dated this week, an activity, a snapshot taken this week change neither part: the week's
refreshes reuse the replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kpicore.forecast.asof import CLOSED, data_today, effective_close, to_day
from kpicore.forecast.backtest import BACKTEST_SIMS, COLUMNS
from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import rep_team_of

# raised when the replay changes meaning without changing its columns: an older kept replay is then stale
KEY_VERSION = 5
SIGNIFICANT_DIGITS = 15  # what a cell keeps (Excel's precision; what LibreOffice saves)
_MISSING = "\x00"  # a missing value, never a value of a cell


@dataclass(frozen=True)
class BacktestKey:
    """The week of data a kept backtest replays and the digest of the past it read (module docstring)."""

    week: str  # ISO week of the date of the data, "2026-W49"
    digest: str  # "sha256:" + hex digest


def week_monday(data: PipelineData) -> pd.Timestamp:
    """The Monday of the ISO week holding the date of the data (``data_today``)."""
    today = data_today(data)
    return today - pd.Timedelta(days=today.weekday())


def replay_end(data: PipelineData) -> pd.Timestamp:
    """The ``end`` of the kept replay: the day before ``week_monday``, so that it scores only periods over
    before the Monday (a period whose last day is the Monday would count that day's closes)."""
    return week_monday(data) - pd.Timedelta(days=1)


def iso_week(day: pd.Timestamp) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def to_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (infinities, NaN and zeros as they are),
    vectorised: one rounding per decimal exponent present."""
    out = np.array(values, dtype=float)
    finite = np.isfinite(out) & (out != 0)
    if not finite.any():
        return out
    kept = out[finite]
    exponent = np.floor(np.log10(np.abs(kept))).astype(int)
    for e in np.unique(exponent):
        if abs(e) > 290:  # 10 to that power overflows a float: no cell of a pipeline holds such a number
            continue
        at = exponent == e
        kept[at] = np.round(kept[at], digits - 1 - int(e))
    out[finite] = kept
    return out


def _canonical_column(values: pd.Series) -> pd.Series:
    """The column in one dtype per kind of value, so that the same values hash the same whatever the
    dtype they came in (Int64 or float, string or object): datetimes at the microsecond, booleans,
    numbers as floats to ``SIGNIFICANT_DIGITS`` digits (a workbook saved again keeps no more: a past
    read back from a sheet Pilotage rewrote is the same past), anything else as its text; a missing
    value as ``_MISSING`` (NaT, NaN)."""
    missing = values.isna().to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(values.to_numpy(dtype="datetime64[us]").view(np.int64), dtype=np.int64)
    if pd.api.types.is_bool_dtype(values):
        flags = values.to_numpy(dtype=object, na_value=None)
        return pd.Series(np.where(missing, 2, flags == True).astype(np.int8))  # noqa: E712 (numpy's ==)
    if pd.api.types.is_numeric_dtype(values):
        return pd.Series(to_significant(values.to_numpy(dtype=float, na_value=np.nan)))
    text = np.array(list(map(str, values.to_numpy(dtype=object))), dtype=object)
    return pd.Series(np.where(missing, _MISSING, text), dtype=object)


def canonical_bytes(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """A digest's input for ``frame``'s ``columns``: their names (sorted), then one 64-bit hash per row of
    its canonical values (pandas' ``hash_pandas_object``, SipHash under a fixed key, in C), the hashes
    sorted: the same bytes whatever the row order or the columns' order of the source."""
    cols = sorted(c for c in columns if c in frame.columns)
    head = ("\x1f".join(cols) + f"\n{len(frame)}\n").encode("utf-8")
    if not cols or not len(frame):
        return head
    canonical = pd.DataFrame({c: _canonical_column(frame[c].reset_index(drop=True)) for c in cols}, columns=cols)
    rows = pd.util.hash_pandas_object(canonical, index=False).to_numpy(dtype=np.uint64)
    return head + np.sort(rows).astype("<u8").tobytes()


def monday_of_week(week: str) -> pd.Timestamp:
    """The Monday of an ISO week written as ``iso_week`` writes it (``2026-W49``)."""
    year, number = week.split("-W")
    return pd.Timestamp(date.fromisocalendar(int(year), int(number), 1))


def backtest_key(data: PipelineData, monday: pd.Timestamp | None = None) -> BacktestKey:
    """The key of the replay ``data`` asks for this week (module docstring); with ``monday``, the key
    the replay of the week starting that Monday would have had if run on ``data``: an earlier week's
    replay whose key it is read the same past as ``data`` does (``kept_backtest`` extends it)."""
    monday = week_monday(data) if monday is None else to_day(monday)
    deals = data.deals
    closed = deals["status"].isin(CLOSED).fillna(False).to_numpy(dtype=bool)
    close = effective_close(deals)
    before = np.datetime64(monday, "ns")
    closed_before = closed & ~np.isnat(close) & (close < before)
    created_before = (deals["created_on"] < monday).fillna(False).to_numpy(dtype=bool)
    history = data.stage_history
    snaps = data.pipeline_snapshots
    teams = pd.DataFrame(sorted(rep_team_of(data).items()), columns=["rep", "team"])
    parts = [
        ("parameters", f"{KEY_VERSION}|{BACKTEST_SIMS}|{','.join(COLUMNS)}".encode()),
        ("closed", canonical_bytes(deals[closed_before], schema.DEALS.column_names)),
        ("open", canonical_bytes(deals[created_before & ~closed_before], ["deal_id", "created_on"])),
        ("stage_history", canonical_bytes(history[(history["entered_on"] < monday).fillna(False)],
                                          schema.STAGE_HISTORY.column_names)),
        ("snapshots", canonical_bytes(snaps[(snaps["snapshot_on"] < monday).fillna(False)],
                                      schema.PIPELINE_SNAPSHOTS.column_names)),
        ("stages", canonical_bytes(data.stages, schema.STAGES.column_names)),
        ("teams", canonical_bytes(teams, ["rep", "team"])),
    ]
    digest = hashlib.sha256()
    for name, blob in parts:
        # each part framed by its name and length: no two different pasts give the same stream
        digest.update(f"{name}:{len(blob)}\n".encode())
        digest.update(blob)
    return BacktestKey(iso_week(monday), "sha256:" + digest.hexdigest())
