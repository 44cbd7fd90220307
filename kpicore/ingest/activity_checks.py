"""Checks on activity rows gathered from the reps' shared workbooks (pure: no file I/O).

The reader (``workbook_templates.gathering``) parses each workbook with the
ingest, then hands its rows here with their Excel row numbers.  Each row is
checked on its own, and a problem costs that row only:

- rep unknown: not in the Reps table (spelling differences of case and accents
  are repaired to the Reps spelling with a warning); the row is excluded;
- date in the future (after ``today``): almost always a typo in the year; excluded;
- duplicate of a row already gathered from *another* source (another activity
  workbook, or the pipeline workbook's own Activities table): the same
  activity logged twice; the later copy is not counted (warning).

Identical rows *within one workbook* are kept: two calls to the same client on
the same day are two activities, and the demo company has thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.ingest.parsing import fold
from kpicore.model.errors import place
from kpicore.model.messages import Message
from kpicore.model.quality import ERROR, WARNING, Issue

TABLE = schema.ACTIVITIES.name
_KEY = ("date", "rep", "type", "deal_id", "account", "note")


@dataclass
class SeenRows:
    """Activities already gathered: key -> (file, sheet, Excel row) of the first copy."""

    first: dict[tuple, tuple[str, str, int | None]] = field(default_factory=dict)

    def add_frame(self, frame: pd.DataFrame, file: str, sheet: str = "", rows: list[int | None] | None = None
                  ) -> None:
        keys = row_keys(frame)
        rows = rows if rows is not None else [None] * len(keys)
        for key, row in zip(keys, rows):
            self.first.setdefault(key, (file, sheet, row))


def row_keys(frame: pd.DataFrame) -> list[tuple]:
    """One hashable key per row: the date, and every text folded (case, accents, spaces)."""
    if frame.empty:
        return []
    cols = []
    for c in _KEY:
        s = frame[c]
        if c == "date":
            cols.append(s.to_numpy(dtype="datetime64[ns]").astype(np.int64).tolist())
        else:
            # fold each distinct text once: a few hundred accounts and notes over thousands of rows
            values = s.astype(object).where(s.notna(), None).tolist()
            folded = {v: fold(v) for v in set(values) if isinstance(v, str)}
            cols.append([folded.get(v, "") if isinstance(v, str) else "" for v in values])
    return list(zip(*cols))


def rep_lookup(reps: list[str] | pd.Series) -> dict[str, str]:
    """Folded name -> the Reps spelling."""
    return {fold(r): str(r) for r in pd.Series(list(reps), dtype="string").dropna() if str(r).strip()}


def check_activities(frame: pd.DataFrame, rows: list[int], *, file: str, sheet: str | list[str], reps: dict[str, str],
                     today: date, seen: SeenRows) -> tuple[pd.DataFrame, list[Issue]]:
    """The rows of one workbook that may be counted, and the issues of the others.

    ``frame`` is canonical Activities (already parsed), ``rows`` the Excel row of
    each of its rows (``sheet`` its sheet, or one sheet per row), ``reps`` a ``rep_lookup`` (empty: no Reps table, every rep
    accepted).  The rows kept are added to ``seen`` once the whole file is checked.
    """
    issues: list[Issue] = []
    frame = frame.reset_index(drop=True).copy()
    keep = np.ones(len(frame), dtype=bool)
    limit = pd.Timestamp(today)
    sheets = [sheet] * len(frame) if isinstance(sheet, str) else list(sheet)

    def issue(severity: str, i: int, column: str, value: object, problem: Message, fix: Message) -> None:
        issues.append(Issue(severity, TABLE, problem, fix, file=file, sheet=sheets[i], row=rows[i],
                            column=schema.ACTIVITIES.column(column).label_fr,
                            value=value if isinstance(value, Message) else str(value)))

    def day(value: object) -> Message:
        return Message.of("quality.value.date", day=value)

    rep_col = frame["rep"].astype(object).where(frame["rep"].notna(), None).tolist()
    if reps:
        spelled = {r: reps.get(fold(r)) for r in set(rep_col) if isinstance(r, str)}
        for i, rep in enumerate(rep_col):
            name = spelled.get(rep) if isinstance(rep, str) else None
            if name is None:
                keep[i] = False
                issue(ERROR, i, "rep", rep, Message.of("quality.problem.rep_unknown", rep=rep),
                      Message.of("quality.fix.rep_unknown"))
            elif name != rep:
                rep_col[i] = name
                issue(WARNING, i, "rep", rep, Message.of("quality.problem.rep_respelled", rep=rep, name=name),
                      Message.of("quality.fix.rep_list"))
        frame["rep"] = pd.Series(rep_col, dtype="string")
    dates = frame["date"]
    for i in np.flatnonzero((dates > limit).to_numpy()):
        keep[i] = False
        issue(ERROR, i, "date", day(dates.iloc[i]), Message.of("quality.problem.future_date", today=today),
              Message.of("quality.fix.future_date"))
    keys = row_keys(frame)
    for i in np.flatnonzero(keep):
        first = seen.first.get(keys[i])
        if first is not None:
            keep[i] = False
            f_file, f_sheet, f_row = first
            issue(WARNING, i, "date", day(dates.iloc[i]),
                  Message.of("quality.problem.already_gathered", where=place(f_file, f_sheet, f_row)),
                  Message.of("quality.fix.already_gathered"))
    kept = frame.loc[keep].reset_index(drop=True)
    for key, s, r, ok in zip(keys, sheets, rows, keep.tolist()):
        if ok:
            seen.first.setdefault(key, (file, s, r))
    return kept, issues
