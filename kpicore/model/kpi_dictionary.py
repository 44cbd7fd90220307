"""What an entry of the KPI dictionary holds, and the dictionary as a set of entries.

Plain structure only: each shipped entry sits above the function that computes
its KPI (``kpicore.metrics.definitions``); the shipped dictionary and the
« Dictionnaire KPI » sheet that managers edit are ``kpicore.metrics.dictionary``'s.

Units: ``per_week`` and ``per_month`` are counts divided by the days measured
(÷ 7, ÷ 30.4375), ``fraction`` is a rate (0.25 = 25 %), ``eur`` an amount,
``days`` a duration, ``count`` a number of things, ``ratio`` a multiple (coverage 1.5 = 150 %).

Aggregation says how targets of a KPI combine (``kpicore.metrics.targets``):
``sum`` adds up from rep to team to company and from day to month to year;
``flow`` (a count per week or per month) adds up from rep to team but is
averaged over time, weighted by days; ``ratio`` never adds up.
"""

from __future__ import annotations

from dataclasses import dataclass

LEADING, LAGGING = "leading", "lagging"
ACTIVITY, RESULT = "activity", "result"
UP, DOWN = "up", "down"
REVIEWS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class KpiDefinition:
    id: str
    label_fr: str
    label_en: str
    definition: str  # French, one sentence
    formula: str  # French, in words
    horizon: str  # LEADING or LAGGING
    nature: str  # ACTIVITY or RESULT
    review: tuple[str, ...]  # subset of REVIEWS
    unit: str
    direction: str  # UP: higher is better; DOWN: lower is better
    aggregation: str  # "sum", "flow" or "ratio" (see module docstring)
    sources: str  # data source columns, "Table.column, ..."
    thresholds: tuple[tuple[str, float], ...] = ()
    core: bool = False  # one of the five KPIs of the method

    def threshold(self, name: str, default: float | None = None) -> float | None:
        return dict(self.thresholds).get(name, default)

    @property
    def trend_kind(self) -> str:
        """Trend granularity: 8 weeks for KPIs reviewed only daily or weekly, else 12 months."""
        return "month" if "monthly" in self.review else "week"


@dataclass(frozen=True)
class KpiDictionary:
    definitions: tuple[KpiDefinition, ...]

    def __getitem__(self, kpi: str) -> KpiDefinition:
        for d in self.definitions:
            if d.id == kpi:
                return d
        raise KeyError(kpi)

    def __contains__(self, kpi: object) -> bool:
        return any(d.id == kpi for d in self.definitions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.definitions)

    def threshold(self, kpi: str, name: str, default: float | None = None) -> float | None:
        return self[kpi].threshold(name, default) if kpi in self else default
