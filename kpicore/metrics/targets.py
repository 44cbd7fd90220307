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

**On target** (one rule for the cockpit, the alerts and the decks): a value is
judged against the target *due* at the as-of date, the target pro rata of the
period elapsed (``TargetBook.due``: the target of the days of the period up to
the as-of date, so the whole target once the period is over).  A month's revenue
to date is set against the days of the month gone by, not the whole month, which
a month in progress cannot have reached.  A flow or a ratio is already a rate
over the days elapsed: its due target is its target.  ``target_status`` then
says ``on_target`` when the value reaches the due target, ``near_target`` when
it misses it by less than the tolerance (the dictionary's ``behind_pace_pct``
for the KPI, else ``NEAR_TOLERANCE``), ``below_target`` beyond; for a KPI whose
lower values are better (the sales cycle) the bounds are mirrored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from kpicore.model.pipeline_data import PipelineData
from kpicore.metrics.dictionary import DEFAULT_DICTIONARY, DOWN, KpiDictionary, dictionary_of
from kpicore.model.periods import DateLike, Period, to_date
from kpicore.model.quality import WARNING, Issue
from kpicore.model.roster import COMPANY, REP, TEAM

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_ALIASES = {"revenue_won": "revenue"}

ON_TARGET, NEAR_TARGET, BELOW_TARGET = "on_target", "near_target", "below_target"
# How far from its due target a KPI may be and still be near it, when the dictionary gives it no
# ``behind_pace_pct``.
NEAR_TOLERANCE = 0.10


def metric_id(metric: str) -> str:
    """The Targets metric of a KPI id (``revenue_won`` -> ``revenue``)."""
    return _ALIASES.get(metric, metric)


def kpi_id(metric: str) -> str:
    """The KPI id of a Targets metric (``revenue`` -> ``revenue_won``)."""
    return "revenue_won" if metric == "revenue" else metric


def near_tolerance(metric: str, dictionary: KpiDictionary = DEFAULT_DICTIONARY) -> float:
    """How far from its due target a KPI is still near it: its ``behind_pace_pct``, else ``NEAR_TOLERANCE``."""
    tolerance = dictionary.threshold(kpi_id(metric), "behind_pace_pct", NEAR_TOLERANCE)
    return NEAR_TOLERANCE if tolerance is None else float(tolerance)


def target_status(value: float | None, due: float | None, higher_is_better: bool = True,
                  tolerance: float = NEAR_TOLERANCE) -> str | None:
    """The on-target rule: ``value`` against ``due``, the target pro rata of the period elapsed.

    ``on_target`` when the value reaches the due target, ``near_target`` when it misses
    it by less than ``tolerance`` (a share of the due target), ``below_target`` beyond;
    mirrored when lower values are better.  None without a value or a due target.
    """
    if value is None or due is None:
        return None
    if higher_is_better:
        return ON_TARGET if value >= due else NEAR_TARGET if value >= due * (1 - tolerance) else BELOW_TARGET
    return ON_TARGET if value <= due else NEAR_TARGET if value <= due * (1 + tolerance) else BELOW_TARGET


@dataclass(frozen=True)
class TargetCheck:
    """A value against its target (see ``target_status``)."""

    value: float | None
    target: float | None  # the target of the whole period
    due: float | None  # the target pro rata of the period elapsed at the as-of date
    status: str | None  # ON_TARGET, NEAR_TARGET, BELOW_TARGET; None without a value or a target

    @property
    def on_target(self) -> bool:
        return self.status == ON_TARGET


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
        kpi = kpi_id(metric)
        return self.dictionary[kpi].aggregation if kpi in self.dictionary else "sum"

    def higher_is_better(self, metric: str) -> bool:
        kpi = kpi_id(metric)
        return kpi not in self.dictionary or self.dictionary[kpi].direction != DOWN

    def tolerance(self, metric: str) -> float:
        return near_tolerance(metric, self.dictionary)

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

    def due_share(self, metric: str, period: Period, as_of: DateLike) -> float:
        """The share of a period's target due at ``as_of``: days elapsed ÷ days for a ``sum``
        metric, 1 for a flow or a ratio (already a rate over the days elapsed).

        Within one month, ``due`` is exactly ``value × due_share``: the cockpit's live
        formulas multiply the target cell by it.
        """
        if self.aggregation(metric_id(metric)) != "sum":
            return 1.0
        return period.days_elapsed(as_of) / period.days

    def due(self, metric: str, period: Period, as_of: DateLike, level: str, name: str = "") -> float | None:
        """The target pro rata of the period elapsed at ``as_of``; None when the period's target is missing.

        It is the target of the days of ``period`` up to ``as_of``, so each month of a
        quarter counts with its own target, and the whole target once the period is over.
        """
        if self.value(metric, period, level, name) is None:
            return None
        elapsed = period.days_elapsed(as_of)
        if elapsed == period.days:
            return self.value(metric, period, level, name)
        if elapsed == 0 and self.aggregation(metric_id(metric)) == "sum":
            return 0.0
        so_far = Period.between(period.start, period.start if elapsed == 0 else to_date(as_of))
        return self.value(metric, so_far, level, name)

    def status(self, metric: str, value: float | None, due: float | None) -> str | None:
        """``target_status`` with the metric's direction and tolerance from the dictionary."""
        return target_status(value, due, self.higher_is_better(metric), self.tolerance(metric))

    def check(self, metric: str, value: float | None, period: Period, as_of: DateLike, level: str,
              name: str = "") -> TargetCheck:
        """``value`` of one scope over ``period`` against its target due at ``as_of`` (the on-target rule)."""
        target = self.value(metric, period, level, name)
        due = self.due(metric, period, as_of, level, name)
        return TargetCheck(value, target, due, self.status(metric, value, due))

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
