"""The data-quality report: every row that was repaired or excluded, and why.

A row is never dropped silently (DESIGN.md, "Data model"): the validation
either repairs a value and records a *warning*, or excludes the row and
records an *error*, with where it was (file, sheet, Excel row, column), the
value and what to fix, in French.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class Issue:
    severity: str  # WARNING (repaired, row kept) or ERROR (row excluded / file refused)
    table: str  # canonical table name, e.g. "Deals"
    problem: str  # short French statement of the problem
    fix: str  # what the user should do, in French
    file: str = ""
    sheet: str = ""
    row: int | None = None  # row number as Excel shows it (1-based), None for a whole table
    column: str = ""  # the column header as it is in the client's file
    value: str = ""

    def where(self) -> str:
        parts = [p for p in (self.file, self.sheet and f"feuille « {self.sheet} »") if p]
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)


@dataclass
class QualityReport:
    issues: list[Issue] = field(default_factory=list)

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
        cols = [f.name for f in Issue.__dataclass_fields__.values()]
        return pd.DataFrame([asdict(i) for i in self.issues], columns=cols)

    def badge(self) -> str:
        """A one-line summary for the cockpit header."""
        if not self.issues:
            return "Données : OK"
        return f"Données : {len(self.errors)} ligne(s) exclue(s), {len(self.warnings)} correction(s)"
