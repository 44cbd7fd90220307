"""Property tests of the KPI arithmetic (hypothesis)."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpicore.metrics.tree import TreeValues, decompose
from kpicore.metrics.kpis import KpiEngine

from support.kpi_builders import act, deal, make_data

REPS = {"Alice": "Nord", "Bob": "Nord", "Chloé": "Sud", "Dan": "Sud"}
START = date(2025, 1, 1)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


deals_st = st.lists(st.tuples(
    st.sampled_from(list(REPS) + ["Inconnu"]), st.sampled_from(["open", "won", "lost"]),
    st.integers(0, 50_000), st.integers(0, 80), st.integers(0, 80), st.booleans(), st.integers(0, 80),
), max_size=30)
acts_st = st.lists(st.tuples(st.sampled_from(list(REPS)), st.sampled_from(["qualified_meeting", "proposal", "call"]),
                             st.integers(0, 100)), max_size=40)


def build(deal_rows, act_rows):
    deals = []
    for i, (owner, status, amount, created, length, has_prop, prop) in enumerate(deal_rows):
        closed = day(created + length) if status != "open" else None
        deals.append(deal(f"D{i}", owner, status, amount, day(created), closed=closed,
                          proposal=day(prop) if has_prop else None, expected=day(created + length)))
    acts = [act(day(n), rep, typ, None) for rep, typ, n in act_rows]
    return make_data(deals, acts, REPS)


@SETTINGS
@given(deals_st, acts_st)
def test_rates_stay_within_zero_and_one(deal_rows, act_rows):
    table = KpiEngine(build(deal_rows, act_rows), date(2025, 3, 20)).table("2025-Q1")
    for kpi in ("proposal_conversion", "win_rate"):
        values = table[kpi].dropna()
        assert ((values >= 0) & (values <= 1)).all()


@SETTINGS
@given(deals_st, acts_st)
def test_per_rep_counts_sum_to_team_and_company(deal_rows, act_rows):
    table = KpiEngine(build(deal_rows, act_rows), date(2025, 4, 30)).table("2025-02")
    reps = table.loc["rep"]
    for kpi in ("qualified_meetings", "proposals", "won_count", "revenue_won", "open_pipeline", "activities_call"):
        by_team = reps[kpi].groupby(pd.Series(REPS)).sum()
        assert np.allclose(table.loc["team"][kpi].reindex(by_team.index), by_team)
        # the company also holds the deals of "Inconnu", who is a rep of team "Sans équipe"
        assert np.isclose(table.loc["team"][kpi].sum(), table.at[("company", ""), kpi])


@SETTINGS
@given(deals_st, acts_st, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(deal_rows, act_rows, rnd):
    data = build(deal_rows, act_rows)
    shuffled = data.with_frames(deals=data.deals.sample(frac=1, random_state=rnd.randint(0, 10_000)),
                                activities=data.activities.sample(frac=1, random_state=rnd.randint(0, 10_000)))
    for period in ("2025-02", "2025-W10"):
        a = KpiEngine(data, date(2025, 3, 20)).table(period)
        b = KpiEngine(shuffled, date(2025, 3, 20)).table(period)
        pd.testing.assert_frame_equal(a, b)


counts = st.integers(0, 60)


@SETTINGS
@given(counts, counts, counts, st.integers(0, 10**7), counts, counts, counts, st.integers(0, 10**7))
def test_decomposition_sums_exactly_to_the_gap(m0, p0, w0, r0, m1, p1, w1, r1):
    # revenue needs wins: a period without a win has no revenue
    r0, r1 = (r0 if w0 else 0) / 100, (r1 if w1 else 0) / 100
    d = decompose(TreeValues("a", m0, p0, w0, r0), TreeValues("b", m1, p1, w1, r1))
    total = sum(round(c.contribution * 100) for c in d.drivers) + round(d.residual * 100)
    assert total == round((r1 - r0) * 100)
    if m0 and p0 and m1 and p1:  # an unbroken funnel in both periods: the tree carries the whole gap
        assert d.residual == 0
