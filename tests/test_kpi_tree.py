"""The KPI tree and the exact decomposition of a revenue gap."""

from datetime import date
from itertools import permutations
from math import prod

import pytest

from kpicore.metrics.tree import (TreeValues, decompose, decompose_all, decompose_periods, decompose_vs_target,
                               shapley)
from kpicore.metrics.kpis import KpiEngine

from support.kpi_builders import act, deal, make_data, target


def cents(x: float) -> int:
    return round(x * 100)


def shapley_by_orders(base, compared):
    """Shapley values the long way: average marginal change over all 4! switching orders."""
    n = len(base)
    totals = [0.0] * n
    orders = list(permutations(range(n)))
    for order in orders:
        current = list(base)
        for i in order:
            before = prod(current)
            current[i] = compared[i]
            totals[i] += prod(current) - before
    return [t / len(orders) for t in totals]


def test_only_meetings_change():
    # Same rates and deal size, twice the meetings: the whole gap is the meetings' doing.
    base = TreeValues("a", 10, 5, 2, 20_000)
    compared = TreeValues("b", 20, 10, 4, 40_000)
    d = decompose(base, compared)
    assert [c.contribution for c in d.drivers] == [20_000, 0, 0, 0]
    assert d.residual == 0 and d.gap == 20_000


def test_factors_and_contributions_match_the_permutation_definition():
    base = TreeValues("a", 10, 5, 2, 20_000)  # 10 × 0.5 × 0.4 × 10,000
    compared = TreeValues("b", 8, 5, 3, 36_000)  # 8 × 0.625 × 0.6 × 12,000
    assert base.factors() == (10, 0.5, 0.4, 10_000)
    assert compared.factors() == (8, 0.625, 0.6, 12_000)
    d = decompose(base, compared)
    expected = shapley_by_orders(base.factors(), compared.factors())
    assert [c.contribution for c in d.drivers] == pytest.approx(expected, abs=0.01)
    assert sum(cents(c.contribution) for c in d.drivers) + cents(d.residual) == cents(36_000 - 20_000)


def test_from_zero_every_driver_takes_a_quarter():
    # All base factors are 0: a driver changes the product only when it switches last,
    # which happens in 3! of the 4! orders, each time by the whole 5,000.
    d = decompose(TreeValues("a", 0, 0, 0, 0), TreeValues("b", 4, 2, 1, 5_000))
    assert [c.contribution for c in d.drivers] == [1_250] * 4


def test_broken_funnel_goes_to_the_residual():
    # Wins without any proposal in the period: no finite factorisation, the tree carries nothing.
    d = decompose(TreeValues("a", 0, 0, 0, 0), TreeValues("b", 3, 0, 2, 3_000))
    assert [c.contribution for c in d.drivers] == [0, 0, 0, 0]
    assert d.residual == 3_000


def test_shapley_efficiency_with_a_zero_driver():
    base, compared = (5, 0.0, 0.5, 1_000), (6, 0.4, 0.5, 900)
    assert sum(shapley(base, compared)) == pytest.approx(prod(compared) - prod(base))


def two_months():
    reps = {"Alice": "Nord"}
    acts = [act(f"2025-02-{d:02d}", "Alice", "qualified_meeting") for d in range(1, 11)]  # 10 in February
    acts += [act(f"2025-03-{d:02d}", "Alice", "qualified_meeting") for d in range(1, 9)]  # 8 in March
    acts += [act(f"2025-02-{d:02d}", "Alice", "proposal") for d in range(11, 16)]  # 5 in February
    acts += [act(f"2025-03-{d:02d}", "Alice", "proposal") for d in range(11, 16)]  # 5 in March
    deals = [deal("F1", "Alice", "won", 10_000, "2025-01-05", closed="2025-02-20"),
             deal("F2", "Alice", "won", 10_000, "2025-01-05", closed="2025-02-21"),
             *(deal(f"M{i}", "Alice", "won", 12_000, "2025-01-05", closed="2025-03-20") for i in range(3))]
    targets = [target("2025-03", "rep", "Alice", 48_000),
               target("2025-03", "rep", "Alice", 10 * 7 / 31, "qualified_meetings_per_week"),
               target("2025-03", "rep", "Alice", 12_000, "average_deal_size")]
    return make_data(deals, acts, reps, targets)


def test_decompose_periods_reads_the_counts_of_both_months():
    engine = KpiEngine(two_months(), date(2025, 4, 1))
    d = decompose_periods(engine, "2025-03", "rep:Alice")
    assert (d.base.qualified_meetings, d.base.proposals, d.base.won, d.base.revenue) == (10, 5, 2, 20_000)
    assert (d.compared.qualified_meetings, d.compared.proposals, d.compared.won, d.compared.revenue) == (8, 5, 3, 36_000)
    assert sum(cents(c.contribution) for c in d.drivers) + cents(d.residual) == cents(16_000)


def test_decompose_vs_target():
    engine = KpiEngine(two_months(), date(2025, 4, 1))
    d = decompose_vs_target(engine, "2025-03", "rep:Alice")
    # Target tree: 10/week × 31/7 weeks = 10 meetings; proposals keep the actual 5 ÷ 8 per meeting
    # (no proposals target) = 6.25; deal size 12,000 so 48,000 ÷ 12,000 = 4 wins.
    assert d.base.qualified_meetings == pytest.approx(10)
    assert d.base.proposals == pytest.approx(6.25)
    assert d.base.won == pytest.approx(4)
    assert d.base.product == pytest.approx(48_000)
    assert cents(sum(c.contribution for c in d.drivers) + d.residual) == cents(36_000 - 48_000)
    assert d.drivers[3].contribution == 0  # deal size on target: contributes nothing
    assert decompose_vs_target(engine, "2025-02", "rep:Alice") is None  # no revenue target in February


def test_decompose_all_gives_one_exact_decomposition_per_scope():
    engine = KpiEngine(two_months(), date(2025, 4, 1))
    all_ = {d.scope.code: d for d in decompose_all(engine, "2025-03")}
    assert set(all_) == {"company", "team:Nord", "rep:Alice"}
    for d in all_.values():  # Alice is the whole company: 36,000 − 20,000 everywhere
        assert sum(cents(c.contribution) for c in d.drivers) + cents(d.residual) == cents(16_000)
