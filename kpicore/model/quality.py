"""The data-quality report: every row that was repaired or excluded, and why.

A row is never dropped silently (DESIGN.md, "Data model"): the validation
either repairs a value and records a *warning*, or excludes the row and
records an *error*, with where it was (file, sheet, Excel row, column), the
value and what to fix.  The problem, the fix and at times the value are
catalogue ``Message``s (codes ``quality.problem.*``, ``quality.fix.*``) that the
edges render in the reader's language; an issue raised by an older part of
the product may still hold French text, which renders as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from kpicore.model.errors import place
from kpicore.model.messages import Message

WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class Issue:
    severity: str  # WARNING (repaired, row kept) or ERROR (row excluded / file refused)
    table: str  # canonical table name, e.g. "Deals"
    problem: Message | str  # the problem (quality.problem.*)
    fix: Message | str  # what the user should do (quality.fix.*)
    file: str = ""
    sheet: str = ""
    row: int | None = None  # row number as Excel shows it (1-based), None for a whole table
    column: Message | str = ""  # the column header as it is in the client's file (its letter when none)
    value: Message | str = ""  # the cell as typed (a date read: quality.value.date)

    def where(self) -> Message | str | None:
        return place(self.file, self.sheet, self.row, self.column)


@dataclass
class QualityReport:
    issues: list[Issue] = field(default_factory=list)
    # (table, column, header) of each required-or-not column used though found only with low confidence
    # (ingest_report.ColumnChoice.guess): the badge says them
    guesses: tuple[tuple[str, str, str], ...] = ()

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def excluded_rows(self, table: str) -> set[int]:
        return {i.row for i in self.errors if i.table == table and i.row is not None}

    def to_frame(self) -> pd.DataFrame:
        cols = [f.name for f in fields(Issue)]
        # not asdict: it would take a Message apart into plain dicts
        return pd.DataFrame([[getattr(i, c) for c in cols] for i in self.issues], columns=cols)

    def badge(self) -> Message:
        """A one-line summary for the cockpit header (quality.badge.*), with the number of guessed columns
        when there are (recognition.badge.guesses)."""
        if not self.issues:
            badge = Message.of("quality.badge.ok")
        else:
            badge = Message.of("quality.badge.issues", errors=len(self.errors), warnings=len(self.warnings))
        if self.guesses:
            return Message.of("recognition.badge.guesses", badge=badge, n=len(self.guesses))
        return badge
