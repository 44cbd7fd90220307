"""The KPI tree and the exact decomposition of a revenue gap into its drivers.

    revenue = qualified meetings × (proposals ÷ qualified meetings)
              × (won ÷ proposals) × average deal size

Every count is taken within the same period, so the two middle factors are
*apparent* rates (``apparent_meeting_to_proposal``, ``apparent_proposal_to_won``),
labelled apart from ``proposal_conversion`` whose cohort definition differs.

**Method: Shapley values over the four factors.**  The contribution of driver
``i`` is the average, over every order in which the four drivers could switch
from their base value to their compared value, of the change in the product when
``i`` switches.  The four contributions sum to ``product(compared) −
product(base)`` by construction (efficiency), and the product is evaluated, never
divided or logged, so a driver that is 0 in one period is handled exactly (LMDI
would need ``log 0``).

**Zeros and broken funnels.**  A factor whose denominator is 0 is set to 0
(no qualified meeting: proposals ÷ meetings = 0; no win: deal size = 0).  Then
the product equals revenue whenever revenue comes with the counts that explain
it.  It does not when a period has wins but no proposal, or proposals but no
qualified meeting (in the same period): the funnel is broken and no finite
factorisation exists.  The part of the gap the tree cannot carry is then shown
as ``residual`` (« hors arbre »), so that the contributions plus the residual
always sum to the revenue gap; the residual is exactly 0 otherwise.

Contributions are rounded to the cent by the largest-remainder rule so that the
rounded contributions (plus the rounded residual) sum to the rounded gap exactly.

**Against target.**  The target tree takes the Targets rows of
``qualified_meetings_per_week`` (× weeks of the period), ``proposals_per_month``
(× months of the period) and ``average_deal_size``; a driver without a target
takes its actual value (it then contributes nothing), and the won ÷ proposals
factor is whatever makes the target tree's product equal the revenue target.
Without a revenue target there is no decomposition (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import factorial

import numpy as np

from kpicore.metrics.definitions import DAYS_PER_MONTH
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope, parse_scope
from kpicore.model.periods import Period, parse_period

DRIVERS: tuple[tuple[str, str], ...] = (
    ("qualified_meetings", "RDV qualifiés"),
    ("apparent_meeting_to_proposal", "Propositions par RDV qualifié (apparent)"),
    ("apparent_proposal_to_won", "Affaires gagnées par proposition (apparent)"),
    ("average_deal_size", "Panier moyen"),
)
RESIDUAL_LABEL = "Hors arbre (entonnoir rompu dans la période)"


@dataclass(frozen=True)
class TreeValues:
    """The counts of the tree for one scope and period (or target)."""

    label: str
    qualified_meetings: float
    proposals: float
    won: float
    revenue: float

    def factors(self) -> tuple[float, float, float, float]:
        m, p, w, r = self.qualified_meetings, self.proposals, self.won, self.revenue
        return (m, p / m if m else 0.0, w / p if p else 0.0, r / w if w else 0.0)

    @property
    def product(self) -> float:
        return float(np.prod(self.factors()))


@dataclass(frozen=True)
class DriverContribution:
    driver: str
    label: str
    base: float
    compared: float
    contribution: float  # euros, rounded to the cent


@dataclass(frozen=True)
class Decomposition:
    """The gap ``compared.revenue − base.revenue`` split into the four drivers (+ residual)."""

    scope: Scope
    base: TreeValues
    compared: TreeValues
    drivers: tuple[DriverContribution, ...]
    residual: float  # euros the tree cannot carry (0 unless the funnel is broken), rounded to the cent
    method: str = "shapley"

    @property
    def gap(self) -> float:
        return round(self.compared.revenue - self.base.revenue, 2)


def _shapley_weights(n: int) -> dict[int, float]:
    return {s: factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)}


def shapley(base: tuple[float, ...], compared: tuple[float, ...]) -> tuple[float, ...]:
    """Shapley contributions of each factor to ``prod(compared) − prod(base)`` (exact with zeros)."""
    n = len(base)
    weights = _shapley_weights(n)
    out = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        phi = 0.0
        for size in range(n):
            for subset in combinations(others, size):
                switched = set(subset)
                without = [compared[j] if j in switched else base[j] for j in range(n)]
                with_i = list(without)
                with_i[i] = compared[i]
                phi += weights[size] * (float(np.prod(with_i)) - float(np.prod(without)))
        out.append(phi)
    return tuple(out)


def _round_to_total(values: list[float], total: float) -> list[float]:
    """Round to cents so that the rounded values sum exactly to ``round(total, 2)`` (largest remainder)."""
    cents = [v * 100 for v in values]
    rounded = [round(c) for c in cents]
    diff = round(total * 100) - sum(rounded)
    step = 1 if diff > 0 else -1
    # the values rounded furthest away from the needed direction move first
    order = sorted(range(len(values)), key=lambda k: (cents[k] - rounded[k]) * step, reverse=True)
    for j in range(abs(diff)):
        rounded[order[j % len(order)]] += step
    return [r / 100 for r in rounded]


def decompose(base: TreeValues, compared: TreeValues, scope: Scope = Scope.company()) -> Decomposition:
    """Split the revenue gap between two tree values into driver contributions (see module docstring)."""
    fb, fc = base.factors(), compared.factors()
    phis = list(shapley(fb, fc))
    residual = (compared.revenue - compared.product) - (base.revenue - base.product)
    gap = compared.revenue - base.revenue
    rounded = _round_to_total(phis + [residual], gap)
    drivers = tuple(DriverContribution(d, label, b, c, v)
                    for (d, label), b, c, v in zip(DRIVERS, fb, fc, rounded[:4]))
    return Decomposition(scope, base, compared, drivers, rounded[4])


def tree_values(engine: KpiEngine, period: Period | str, scope: Scope | str = "company") -> TreeValues:
    period = parse_period(period, engine.fiscal_start_month)
    row = engine.table(period).loc[parse_scope(scope).key]
    return TreeValues(period.label, float(row["qualified_meetings"]), float(row["proposals"]),
                      float(row["won_count"]), float(row["revenue_won"]))


def target_tree(engine: KpiEngine, period: Period | str, scope: Scope | str = "company") -> TreeValues | None:
    """The tree of the targets (see module docstring); None without a revenue target."""
    period = parse_period(period, engine.fiscal_start_month)
    scope = parse_scope(scope)
    revenue = engine.target("revenue_won", period, scope)
    if revenue is None:
        return None
    actual = tree_values(engine, period, scope)
    m, p_rate, _, size = actual.factors()
    t_meet = engine.target("qualified_meetings_per_week", period, scope)
    t_prop = engine.target("proposals_per_month", period, scope)
    t_size = engine.target("average_deal_size", period, scope)
    meetings = t_meet * period.days / 7 if t_meet is not None else m
    proposals = t_prop * period.days / DAYS_PER_MONTH if t_prop is not None else actual.proposals
    size = t_size if t_size is not None else size
    won = revenue / size if size else 0.0
    if t_prop is None and t_meet is not None:
        proposals = meetings * p_rate  # keep the actual proposals-per-meeting factor
    return TreeValues(f"objectif {period.label}", meetings, proposals, won, revenue)


def decompose_periods(engine: KpiEngine, period: Period | str, scope: Scope | str = "company",
                      base_period: Period | str | None = None) -> Decomposition:
    """The gap between ``base_period`` (default: the previous period) and ``period``."""
    period = parse_period(period, engine.fiscal_start_month)
    base = parse_period(base_period, engine.fiscal_start_month) if base_period is not None else period.previous()
    scope = parse_scope(scope)
    return decompose(tree_values(engine, base, scope), tree_values(engine, period, scope), scope)


def decompose_vs_target(engine: KpiEngine, period: Period | str,
                        scope: Scope | str = "company") -> Decomposition | None:
    """The gap between the target tree and the actual tree of ``period`` (None without revenue target)."""
    scope = parse_scope(scope)
    target = target_tree(engine, period, scope)
    if target is None:
        return None
    return decompose(target, tree_values(engine, period, scope), scope)


def decompose_all(engine: KpiEngine, period: Period | str,
                  base_period: Period | str | None = None) -> list[Decomposition]:
    """``decompose_periods`` for the company, every team and every rep (tables computed once)."""
    return [decompose_periods(engine, period, s, base_period) for s in engine.scopes()]
