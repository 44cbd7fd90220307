"""The backtest kept with the workbook's product sheets: replayed once per week of data, read back after.

``KeptBacktest`` is a replay (``kpicore.forecast.backtest``, ``end`` = ``backtest_key.replay_end``), the key
of the data it replayed (``backtest_key``) and when it was computed.  ``reuse_or_replay`` gives the one
kept in the workbook when its key is the data's, else replays: the first refresh of a new week keeps
the rows of last week's replay when the past it read is unchanged (``extends``) and replays only the
periods over since (a month's or a quarter's dates, at most), the whole history otherwise.
``with_kept`` seeds a ``ForecastContext`` with it so that ``kpicore.forecast.shown.backtest_of`` serves
every as-of date from it (``Backtest.up_to``) instead of replaying.

The sheet (``schema.BACKTEST_SHEET``, hidden) is a plain table (``kept_table``, read back by
``kept_of_rows``):

- three columns of the key, on the first row only: « Semaine des données » (``2026-W49``),
  « Empreinte des données » (``sha256:...``), « Calculé le » (ISO date and time);
- then every column of the replay's rows, whatever they are (the replay may gain columns), headed
  ``name [kind]`` with kind ``date``, ``float``, ``int``, ``str`` or ``bool``: the kind the column is
  read back as.  A float column holding an infinity is written as text (a cell holds no infinity).

Floats are kept to 15 significant digits (what LibreOffice saves; Excel shows no more), and the replay a
refresh computes is used as the sheet keeps it (``kept_rows``): the refresh that replays and the next
one, which reads it back, forecast the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pandas as pd

from kpicore.forecast.backtest import Backtest, backtest
from kpicore.forecast.backtest_key import (SIGNIFICANT_DIGITS, BacktestKey, backtest_key, monday_of_week, replay_end,
                                           week_monday)
from kpicore.forecast.forecasting import ForecastContext
from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData

_META = (("key_week", "Semaine des données"), ("key_digest", "Empreinte des données"), ("computed_at", "Calculé le"))
_KINDS = {"date": "date", "float": "number", "int": "int", "str": "text", "bool": "text"}
_HEADER = re.compile(r"^(?P<name>.+) \[(?P<kind>date|float|int|str|bool)\]$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # a date cell some reader gives as its serial number


@dataclass(frozen=True)
class KeptBacktest:
    """A replay of the company's history, the key of the data it replayed and when it was computed."""

    key: BacktestKey
    computed_at: datetime
    backtest: Backtest
    replayed: bool = False  # computed by this run (to be written), not read back from the workbook


def _kind_of(values: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "float"
    return "str"


def _rounded(values: np.ndarray) -> np.ndarray:
    # the decimal a cell is written with, read back exactly (a rounding in binary may miss it by a unit)
    return np.array([float(f"{v:.{SIGNIFICANT_DIGITS}g}") if np.isfinite(v) else v for v in values], dtype=float)


def kept_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` as the sheet keeps them: every float column to ``SIGNIFICANT_DIGITS`` digits."""
    out = rows.copy()
    for c in out.columns:
        if _kind_of(out[c]) == "float":
            out[c] = _rounded(out[c].to_numpy(dtype=float))
    return out


def replay_kept(context: ForecastContext, *, now: datetime, key: BacktestKey | None = None,
                earlier: KeptBacktest | None = None) -> KeptBacktest:
    """The week's replay of ``context``'s data (``end`` = ``replay_end``), as the sheet will keep it;
    ``key``: the data's, when the caller has it already; ``earlier``: a replay of an earlier week over the
    same past (``extends``), whose rows are kept: only the periods over since are replayed."""
    data = context.data
    if earlier is None:
        bt = backtest(data, end=replay_end(data), context=context)
    else:
        bt = backtest(data, end=replay_end(data), context=context, earlier=earlier.backtest,
                      earlier_end=monday_of_week(earlier.key.week) - pd.Timedelta(days=1))
    return KeptBacktest(key or backtest_key(data), now, Backtest.from_rows(kept_rows(bt.rows), bt.scope),
                        replayed=True)


def extends(kept: KeptBacktest | None, data: PipelineData) -> bool:
    """Whether ``kept``, the replay of an earlier week, read the same past as ``data`` holds before that
    week's Monday: its rows are then the first rows of this week's replay (``backtest``'s ``earlier``).
    A week's replay costs a large company tens of seconds; a new week adds the few periods over since."""
    if kept is None:
        return False
    try:
        monday = monday_of_week(kept.key.week)
    except ValueError:
        return False  # a week edited by hand: replayed in full
    return monday < week_monday(data) and backtest_key(data, monday) == kept.key


def reuse_or_replay(context: ForecastContext, kept: KeptBacktest | None, *, now: datetime,
                    replaying: Callable[[], None] | None = None) -> KeptBacktest:
    """``kept`` when it replayed the data of ``context`` (same key); else this week's replay, which
    extends ``kept`` when that replayed an earlier week of the same past (``extends``), else replays the
    whole history; ``replaying`` is told before a replay starts (the longest step of a large company's
    refresh: the edge says so)."""
    key = backtest_key(context.data)  # hashing the past costs a read of it: once
    if kept is not None and kept.key == key:
        return replace(kept, replayed=False)
    if replaying is not None:
        replaying()
    return replay_kept(context, now=now, key=key, earlier=kept if extends(kept, context.data) else None)


def reusable(kept: KeptBacktest | None, data: PipelineData) -> KeptBacktest | None:
    """``kept`` when it replayed ``data`` (same key), else None: for the paths that read a workbook
    without writing into it (decks, the diagnostic), which then replay as they would without it."""
    return kept if kept is not None and kept.key == backtest_key(data) else None


def with_kept(context: ForecastContext, kept: KeptBacktest | None) -> ForecastContext:
    """``context`` whose backtests come from ``kept`` (no replay; None: replayed as before); the backtests
    it had already run are left behind, so every backtest of the new context comes from one source."""
    return replace(context, kept_backtest=kept, backtests={})


# ---------------------------------------------------------------------------------- the sheet
def kept_table(kept: KeptBacktest) -> tuple[schema.Table, pd.DataFrame]:
    """The sheet's table (its columns are the replay's own) and the frame to write into it."""
    rows = kept_rows(kept.backtest.rows).reset_index(drop=True)
    columns = [schema.Column(name, "text", label) for name, label in _META]
    frame = pd.DataFrame(index=range(max(len(rows), 1)))
    first = [kept.key.week, kept.key.digest, kept.computed_at.isoformat(timespec="seconds")]
    for (name, _), value in zip(_META, first):
        frame[name] = pd.Series([value] + [None] * (len(frame) - 1), index=frame.index, dtype=object)
    for i, c in enumerate(rows.columns):
        kind = _kind_of(rows[c])
        values = rows[c]
        cell = _KINDS[kind]
        if kind == "float" and np.isinf(values.to_numpy(dtype=float)).any():
            cell = "text"
            values = values.map(lambda v: None if pd.isna(v) else f"{v:.{SIGNIFICANT_DIGITS}g}")
        elif kind == "bool":
            values = values.map(lambda v: None if pd.isna(v) else str(bool(v)))
        elif kind == "str":
            values = values.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                else str(v))
        name = f"row{i}"
        columns.append(schema.Column(name, cell, f"{c} [{kind}]"))
        frame[name] = values.reindex(frame.index) if len(rows) else pd.Series(index=frame.index, dtype=object)
    table = schema.Table(schema.BACKTEST_TABLE, schema.BACKTEST_SHEET, tuple(columns), written_by_product=True)
    return table, schema.conform(frame, table)


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and v == "") or (isinstance(v, float) and np.isnan(v))


def _dates(values: list) -> pd.Series:
    out = [pd.NaT if _empty(v) else _EXCEL_EPOCH + pd.Timedelta(days=float(v))
           if isinstance(v, (int, float)) and not isinstance(v, bool) else pd.Timestamp(v) for v in values]
    return pd.Series(pd.to_datetime(out), dtype="datetime64[ns]")


def _column(values: list, kind: str) -> pd.Series:
    if kind == "date":
        return _dates(values)
    if kind == "float":
        return pd.Series([np.nan if _empty(v) else float(v) for v in values], dtype=float)
    if kind == "int":
        got = [None if _empty(v) else int(round(float(v))) for v in values]
        return pd.Series(got, dtype="Int64" if None in got else "int64")
    if kind == "bool":
        return pd.Series([None if _empty(v) else (v if isinstance(v, bool) else str(v).strip().lower() == "true")
                          for v in values], dtype=object if any(_empty(v) for v in values) else bool)
    return pd.Series([None if _empty(v) else str(v) for v in values], dtype="str")


def kept_of_rows(rows: list[list] | None) -> KeptBacktest | None:
    """The backtest kept in the sheet whose values (header first, as any engine reads them) are ``rows``;
    None when there is none, or it is not in the layout ``kept_table`` writes (it is then replayed)."""
    if not rows or not rows[0]:
        return None
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    labels = {label: j for j, label in enumerate(header)}
    meta = [labels.get(label) for _, label in _META]
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    if None in meta or not body:
        return None
    week, digest, computed = (body[0][j] for j in meta)
    if any(_empty(v) for v in (week, digest, computed)):
        return None
    data_cols = [(j, m["name"], m["kind"]) for j, h in enumerate(header) if (m := _HEADER.match(h))]
    if not data_cols:
        return None
    kept = [r for r in body if any(not _empty(r[j]) for j, _, _ in data_cols)]
    try:
        frame = pd.DataFrame({name: _column([r[j] for r in kept], kind) for j, name, kind in data_cols})
        computed_at = pd.Timestamp(computed).to_pydatetime()
    except (TypeError, ValueError):
        return None  # a cell edited by hand: the replay is run again rather than trusted
    return KeptBacktest(BacktestKey(str(week), str(digest)), computed_at, Backtest.from_rows(frame))
