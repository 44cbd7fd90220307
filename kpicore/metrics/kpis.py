"""The KPIs of DESIGN.md ("The numbers"), for any period and any scope.

Each KPI is a named function with its dictionary entry beside it, in
``kpicore.metrics.definitions`` (what it counts, and the rules they all follow:
the window of a period, nothing to measure is None, never 0).  ``KpiEngine``
prepares the canonical frames once (``kpicore.metrics.window.KpiFrames``: rep
codes, day numbers, rows sorted by date) and, for one period, calls every KPI
function on that period's window: each gives its value for every rep, every
team and the company in one pass.  A period table is cached; a ``KpiValue`` is
one cell of it with its previous value, target and trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.metrics.definitions import (KPI_BY_ID, days_measured, decided_count, decided_with_proposal, lost_count,
                                        won_with_proposal)
from kpicore.metrics.dictionary import KpiDictionary, dictionary_of
from kpicore.model.periods import MONTH, WEEK, DateLike, Period, fiscal_start_month, parse_period, to_date
from kpicore.metrics.targets import TargetBook
from kpicore.metrics.window import KpiFrames, Window
from kpicore.model.roster import TEAM, Scope, parse_scope

# Helper columns of a period table (counts behind the ratios), not KPIs.
_HELPERS: dict[str, Callable[[Window], np.ndarray]] = {
    "_decided": decided_count, "_decided_with_proposal": decided_with_proposal,
    "_won_with_proposal": won_with_proposal, "_lost_count": lost_count, "_days": days_measured}
HELPER_COLUMNS = tuple(_HELPERS)


@dataclass(frozen=True)
class KpiValue:
    """One KPI for one scope and period, with what the cockpit shows beside it."""

    kpi: str
    scope: Scope
    period: Period
    value: float | None
    previous: float | None
    target: float | None
    unit: str
    trend: tuple[tuple[Period, float | None], ...] = ()  # (period, value), oldest first
    label: str = ""

    @property
    def gap(self) -> float | None:
        return None if self.value is None or self.target is None else self.value - self.target


def fiscal_start_month_of(data: PipelineData) -> int:
    """The fiscal year's first month from Settings (``fiscal_year_start_month``, or ``fiscal_year_start``); 1 if absent."""
    for key in ("fiscal_year_start_month", "fiscal_year_start", "fiscal_start_month"):
        value = data.setting(key, None)
        if value is not None:
            return fiscal_start_month(value)
    return 1


def _none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


class KpiEngine:
    """Every KPI for every scope, period by period, from one preparation of the frames.

    Results are cached per period; the engine never changes ``data``.
    """

    def __init__(self, data: PipelineData, as_of: DateLike, dictionary: KpiDictionary | None = None) -> None:
        self.data = data
        self.as_of = to_date(as_of)
        self.dictionary = dictionary_of(data, dictionary)
        self.fiscal_start_month = fiscal_start_month_of(data)
        self.frames = KpiFrames(data)
        self.reps, self.teams, self.rep_team = self.frames.reps, self.frames.teams, self.frames.rep_team
        self.index = self.frames.index
        self._position = {key: i for i, key in enumerate(self.index)}
        self.targets = TargetBook(data.targets, self.rep_team, self.dictionary)
        self._windows: dict[Period, Window] = {}
        self._cache: dict[Period, pd.DataFrame] = {}
        self._arrays: dict[Period, dict[str, np.ndarray]] = {}

    @cached_property
    def first_recorded(self) -> pd.Timestamp | None:
        """The first day the company's file records anything (a deal created, an activity), None for an
        empty file: before it a KPI is not zero but unknown."""
        days = [frame[column].min() for frame, column in ((self.data.deals, "created_on"),
                                                          (self.data.activities, "date"))
                if column in frame and len(frame)]
        days = [d for d in days if not pd.isna(d)]
        return min(days) if days else None

    def recorded(self, period: Period | str) -> bool:
        """Whether the file records anything up to the end of ``period`` (a chart leaves the periods before
        the company's history blank instead of drawing them at zero)."""
        period = parse_period(period, self.fiscal_start_month)
        return self.first_recorded is not None and period.end_ts >= self.first_recorded

    def window(self, period: Period | str) -> Window:
        """What the frames hold for ``period`` up to the as-of date: what every KPI function reads."""
        period = parse_period(period, self.fiscal_start_month)
        if period not in self._windows:
            target = np.array([np.nan if v is None else v for v in
                               (self.targets.value("revenue", period, lvl, name) for lvl, name in self.index)])
            self._windows[period] = self.frames.window(period, self.as_of, target)
        return self._windows[period]

    # -- the period table -------------------------------------------------
    def table(self, period: Period | str) -> pd.DataFrame:
        """Every KPI (columns) for the company, each team and each rep (rows) over ``period``."""
        period = parse_period(period, self.fiscal_start_month)
        if period not in self._cache:
            table = self._compute(period)
            self._cache[period] = table
            self._arrays[period] = {c: table[c].to_numpy() for c in table.columns}
        return self._cache[period]

    def _at(self, period: Period, scope_key: tuple[str, str], kpi: str) -> float | None:
        """One cell of a period table as a float or None (fast: numpy, no MultiIndex look-up)."""
        if period not in self._arrays:
            self.table(period)
        return _none(self._arrays[period][kpi][self._position[scope_key]])

    def _compute(self, period: Period) -> pd.DataFrame:
        if period.days_elapsed(self.as_of) == 0:
            frame = pd.DataFrame(np.nan, index=self.index,
                                 columns=list(self.dictionary.ids) + list(HELPER_COLUMNS))
            frame["_days"] = 0.0
            return frame
        w = self.window(period)
        cols = {kpi: KPI_BY_ID[kpi](w) for kpi in self.dictionary.ids if kpi in KPI_BY_ID}
        cols.update((column, count(w)) for column, count in _HELPERS.items())
        return pd.DataFrame(cols, index=self.index)

    def won_deals(self, period: Period | str) -> pd.DataFrame:
        """Deals won in the window of ``period``: rep, team, amount, cycle_days (NaN without creation date)."""
        f, won = self.frames, self.window(period).won
        cycle = np.where(f.created_known[won], (f.closed[won] - f.created[won]).astype("float64"), np.nan)
        reps = np.array(self.reps + [None], dtype=object)
        teams = np.array(self.teams + [None], dtype=object)
        team_code = np.append(f.team_code, f.nteam)
        owner = f.owner[won]
        return pd.DataFrame({"rep": reps[owner], "team": teams[team_code[owner]], "amount": f.amount[won],
                             "cycle_days": cycle})

    # -- KpiValue results ---------------------------------------------------
    def _check_scope(self, scope: Scope) -> None:
        if scope.key not in self.index:
            known = ", ".join(self.teams) if scope.level == TEAM else ", ".join(self.reps)
            raise UsageError(f"{'équipe' if scope.level == TEAM else 'commercial'} « {scope.name} » inconnu(e) : "
                             f"choisissez parmi {known}.")

    def target(self, kpi: str, period: Period, scope: Scope) -> float | None:
        return self.targets.value(kpi, period, scope.level, scope.key[1])

    def value(self, kpi: str, period: Period | str, scope: Scope | str = "company", *,
              with_trend: bool = True) -> KpiValue:
        """One KPI with its previous value, target and trend."""
        return self.values(period, parse_scope(scope), kpis=(kpi,), with_trend=with_trend)[0]

    def values(self, period: Period | str, scope: Scope | str = "company", kpis: tuple[str, ...] | None = None,
               *, with_trend: bool = True) -> list[KpiValue]:
        """KPIs (all of the dictionary by default) for one scope, in dictionary order."""
        period = parse_period(period, self.fiscal_start_month)
        scope = parse_scope(scope)
        self._check_scope(scope)
        kpis = kpis or self.dictionary.ids
        key, before = scope.key, period.previous()
        trend_periods = {k: Period.containing(k, min(period.end, self.as_of)).trailing(8 if k == WEEK else 12)
                         for k in (WEEK, MONTH)}
        out = []
        for kpi in kpis:
            d = self.dictionary[kpi]
            trend: tuple[tuple[Period, float | None], ...] = ()
            if with_trend:
                trend = tuple((p, self._at(p, key, kpi)) for p in trend_periods[d.trend_kind])
            out.append(KpiValue(kpi, scope, period, self._at(period, key, kpi), self._at(before, key, kpi),
                                self.target(kpi, period, scope), d.unit, trend, d.label_fr))
        return out

    def scopes(self) -> list[Scope]:
        return [Scope(level, name) for level, name in self.index]


def compute_kpis(data: PipelineData, period: Period | str, as_of: DateLike, scope: Scope | str = "company",
                 kpis: tuple[str, ...] | None = None, dictionary: KpiDictionary | None = None
                 ) -> list[KpiValue]:
    """The KPIs of one scope and period as of a date (see the module docstring)."""
    return KpiEngine(data, as_of, dictionary).values(period, scope, kpis)


def kpi_table(data: PipelineData, period: Period | str, as_of: DateLike,
              dictionary: KpiDictionary | None = None) -> pd.DataFrame:
    """Every KPI for every scope (rows ``(level, name)``) over one period: the per-rep cockpit rows."""
    return KpiEngine(data, as_of, dictionary).table(period)

