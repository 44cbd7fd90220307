"""Targets for any period and scope, from the Targets table (their one source).

Rules (DESIGN.md, "Data model"), with the choices this module makes:

* Targets are typed per **month** (``period`` = ``YYYY-MM``).  A row at a level
  **wins** over the sum of the level below: a team row for a month is the
  manager's commitment for that team, even when the reps' rows add up to
  something else (``target_mismatches`` lists those gaps so that they can be
  shown, never silently reconciled).  Without a team row, the team target is the
  sum of the rows of its reps (the reps who have one); without a company row,
  the company target is the sum of the teams' targets, each team explicit or
  summed from its reps.
* Over time, a ``sum`` metric (revenue, counts) adds up day by day: each day of a
  month carries ``monthly ÷ days in the month``, so a month, quarter, year or
  fiscal year is the sum of its months and a week is ``monthly × 7 ÷ days in the
  month`` (a week across two months takes each day's share of its own month).
* A ``flow`` metric (a count per week or per month) adds up from rep to team and
  company like a count, but over time it is the day-weighted mean of the months.
* A ``ratio`` metric (conversion, deal size, cycle, coverage...) is never summed:
  only an explicit row of that scope counts, and a period of several months takes
  the day-weighted mean of its months.
* Missing: if any month the period touches has no target for the scope, the
  target is ``None`` (shown as missing), never 0 and never a partial sum.

``revenue`` and ``revenue_won`` name the same metric.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from kpicore.model.pipeline_data import PipelineData
from kpicore.metrics.dictionary import DEFAULT_DICTIONARY, KpiDictionary, dictionary_of
from kpicore.model.periods import Period
from kpicore.model.quality import WARNING, Issue
from kpicore.metrics.window import COMPANY, REP, TEAM

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_ALIASES = {"revenue_won": "revenue"}


def metric_id(metric: str) -> str:
    """The Targets metric of a KPI id (``revenue_won`` -> ``revenue``)."""
    return _ALIASES.get(metric, metric)


def _parse_month(text: object) -> tuple[int, int] | None:
    if text is None or text is pd.NA:
        return None
    m = _MONTH.match(str(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class Mismatch:
    """A team or company row that differs from the sum of the level below."""

    period: str
    scope_type: str
    scope_name: str
    metric: str
    explicit: float
    sum_below: float


class TargetBook:
    """The Targets table indexed for quick look-ups; build once, query many times."""

    def __init__(self, targets: pd.DataFrame, rep_team: pd.Series,
                 dictionary: KpiDictionary = DEFAULT_DICTIONARY) -> None:
        self.dictionary = dictionary
        self.rep_team = {str(r): str(t) for r, t in rep_team.items()}
        self.issues: list[Issue] = []
        # (metric, level, name, (year, month)) -> value; the last row wins on a duplicated key
        self._rows: dict[tuple[str, str, str, tuple[int, int]], float] = {}
        for position, rec in enumerate(targets.itertuples(index=False)):
            month = _parse_month(rec.period)
            level = "" if pd.isna(rec.scope_type) else str(rec.scope_type).strip().lower()
            value = rec.value
            if month is None or level not in (COMPANY, TEAM, REP) or pd.isna(value) or pd.isna(rec.metric):
                self.issues.append(Issue(
                    WARNING, "Targets", "objectif ignoré : mois, niveau, indicateur ou valeur illisible.",
                    "Écrivez le mois AAAA-MM, le niveau rep, team ou company, l'indicateur et un nombre.",
                    row=position + 2, value=f"{rec.period} / {rec.scope_type} / {rec.metric} / {value}"))
                continue
            name = "" if level == COMPANY or pd.isna(rec.scope_name) else str(rec.scope_name).strip()
            self._rows[(metric_id(str(rec.metric).strip()), level, name, month)] = float(value)
        self._team_reps: dict[str, list[str]] = defaultdict(list)
        for rep, team in self.rep_team.items():
            self._team_reps[team].append(rep)
        teams_in_rows = {k[2] for k in self._rows if k[1] == TEAM}
        self._teams = sorted(set(self._team_reps) | teams_in_rows)

    def aggregation(self, metric: str) -> str:
        kpi = "revenue_won" if metric == "revenue" else metric
        return self.dictionary[kpi].aggregation if kpi in self.dictionary else "sum"

    def _sum(self, values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) if present else None

    def month_value(self, metric: str, level: str, name: str, month: tuple[int, int]) -> float | None:
        """Target of one scope for one month, after the rep -> team -> company rule."""
        metric = metric_id(metric)
        explicit = self._rows.get((metric, level, name if level != COMPANY else "", month))
        if explicit is not None or level == REP or self.aggregation(metric) == "ratio":
            return explicit
        if level == TEAM:
            return self._sum([self._rows.get((metric, REP, r, month)) for r in self._team_reps.get(name, [])])
        return self._sum([self.month_value(metric, TEAM, t, month) for t in self._teams])

    def month_sources(self, metric: str, level: str, name: str, month: tuple[int, int]
                      ) -> list[tuple[str, str]] | None:
        """The (level, name) rows whose sum is ``month_value`` (None when the target is missing).

        The cockpit writes them as a live formula into the Targets sheet, so it
        must follow exactly the rule of ``month_value``.
        """
        metric = metric_id(metric)
        own = (level, name if level != COMPANY else "")
        if (metric, *own, month) in self._rows:
            return [own]
        if level == REP or self.aggregation(metric) == "ratio":
            return None
        if level == TEAM:
            found = [(REP, r) for r in self._team_reps.get(name, []) if (metric, REP, r, month) in self._rows]
            return found or None
        found = []
        for team in self._teams:
            found += self.month_sources(metric, TEAM, team, month) or []
        return found or None

    def metric_spellings(self, metric: str) -> list[str]:
        """Every spelling of a metric id the Targets table may use (``revenue`` = ``revenue_won``)."""
        metric = metric_id(metric)
        return [metric] + [alias for alias, target in _ALIASES.items() if target == metric]

    def value(self, metric: str, period: Period, level: str, name: str = "") -> float | None:
        """Target of a scope for any period (see the module docstring); None when missing."""
        metric = metric_id(metric)
        aggregation = self.aggregation(metric)
        total = 0.0
        for month in period.months():
            overlap = (min(month.end, period.end) - max(month.start, period.start)).days + 1
            v = self.month_value(metric, level, name, (month.start.year, month.start.month))
            if v is None:
                return None
            total += v * overlap / month.days if aggregation == "sum" else v * overlap / period.days
        return total

    def mismatches(self) -> list[Mismatch]:
        """Explicit team/company rows that differ from the sum of the level below (sum metrics)."""
        out = []
        for (metric, level, name, month), value in sorted(self._rows.items()):
            if level == REP or self.aggregation(metric) == "ratio":
                continue
            if level == TEAM:
                below = self._sum([self._rows.get((metric, REP, r, month)) for r in self._team_reps.get(name, [])])
            else:
                below = self._sum([self.month_value(metric, TEAM, t, month) for t in self._teams])
            if below is not None and abs(below - value) > 0.005:
                out.append(Mismatch(f"{month[0]}-{month[1]:02d}", level, name, metric, value, below))
        return out


def target_book(data: PipelineData, dictionary: KpiDictionary | None = None) -> TargetBook:
    return TargetBook(data.targets, data.rep_team(), dictionary_of(data, dictionary))


def target_for(data: PipelineData, metric: str, period: Period, level: str, name: str = "",
               dictionary: KpiDictionary | None = None) -> float | None:
    """The target of ``metric`` for one scope and period; None when missing."""
    return target_book(data, dictionary).value(metric, period, level, name)


def target_mismatches(data: PipelineData) -> list[Mismatch]:
    return target_book(data).mismatches()
