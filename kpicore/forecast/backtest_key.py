"""The key of the backtest kept in a workbook: which week of data it replays, and a digest of the past it read.

The backtest (``kpicore.forecast.backtest``) replays the company's history: a replay of a large company
costs tens of seconds, and what it measures only changes when the past changes.  So it is computed
once per week of data (DESIGN.md, "The forecast") with ``end`` = the Sunday before the Monday of the
week holding the date of the data (``replay_end``): the periods it scores are over before that Monday,
so nothing dated on or after it (this week's closes, this week's snapshot) enters its actuals.

The key says when that replay may be reused:

- ``week``: the ISO week of the date of the data (``2026-W49``); the first data of a later week
  (a deal created, closed or photographed on a later date) asks for a new replay;
- ``digest``: sha256 of a canonical serialisation (columns by name, rows sorted, every value
  written one way) of what the replay reads from before that Monday:

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

import csv
import hashlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpicore.forecast.asof import CLOSED, data_today, effective_close
from kpicore.forecast.backtest import BACKTEST_SIMS, COLUMNS
from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.roster import rep_team_of

# raised when the replay changes meaning without changing its columns: an older kept replay is then stale
KEY_VERSION = 1
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


def _canonical_column(values: pd.Series) -> pd.Series:
    """One string per value, the same for the same value whatever the column's dtype came from."""
    missing = values.isna().to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values):
        # numpy's ISO text at the microsecond: the bytes of strftime("%Y-%m-%dT%H:%M:%S.%f"), without a
        # Python call per value
        text = np.datetime_as_string(values.to_numpy(dtype="datetime64[us]"), unit="us").astype(object)
    elif pd.api.types.is_bool_dtype(values):
        text = values.astype(object).map(lambda v: "true" if v is True or v is np.True_ else "false").to_numpy()
    elif pd.api.types.is_numeric_dtype(values):
        # repr of a float is exact: two different amounts never print the same
        text = np.array(list(map(repr, values.to_numpy(dtype=float, na_value=np.nan).tolist())), dtype=object)
    else:
        text = np.array(list(map(str, values.to_numpy(dtype=object))), dtype=object)
    return pd.Series(np.where(missing, _MISSING, text), index=values.index, dtype=object)


def canonical_bytes(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """``frame``'s ``columns`` (sorted by name) as CSV of canonical strings, rows sorted: the same bytes
    whatever the row order or the columns' order of the source."""
    cols = sorted(c for c in columns if c in frame.columns)
    text = pd.DataFrame({c: _canonical_column(frame[c]) for c in cols}, columns=cols)
    if not cols:
        return text.to_csv(index=False, lineterminator="\n").encode("utf-8")
    text = text.sort_values(cols, kind="stable") if len(text) else text
    # the csv module's writer gives pandas' to_csv bytes (minimal quoting, "\n") for columns of strings,
    # in C rather than pandas' conversion chunk by chunk
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    writer.writerows(zip(*(text[c].to_numpy() for c in cols)))
    return out.getvalue().encode("utf-8")


def backtest_key(data: PipelineData) -> BacktestKey:
    """The key of the replay ``data`` asks for this week (module docstring)."""
    monday = week_monday(data)
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
    return BacktestKey(iso_week(data_today(data)), "sha256:" + digest.hexdigest())
