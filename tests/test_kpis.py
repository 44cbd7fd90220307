"""Each KPI on hand-built frames; every expected number is worked out here by hand.

The KPIs and their dictionary entries are kpicore.metrics.definitions; a test here may call a KPI
function on a window (``KpiEngine.window``) or read the engine's period table.
"""

import math
from datetime import date

import pytest

from kpicore.model.errors import UsageError
from kpicore.metrics.definitions import KPIS, proposal_conversion
from kpicore.metrics.dictionary import DEFAULT_DICTIONARY
from kpicore.metrics.kpis import KpiEngine, compute_kpis
from kpicore.model.roster import Scope, parse_scope
from kpicore.model.periods import parse_period

from support.kpi_builders import act, deal, make_data, target

REPS = {"Alice": "Nord", "Bob": "Nord", "Chloé": "Sud"}
DEFAULT_OPEN_P = (0.10 + 0.20 + 0.50 + 0.75) / 4  # mean default probability of the open stages


def march_data():
    deals = [
        # D1 has a proposal activity on 31 March, so its proposal_on (20 March) must not count again
        deal("D1", "Alice", "won", 10_000, "2025-03-01", closed="2025-03-31", proposal="2025-03-20"),
        deal("D2", "Alice", "won", 4_000, "2025-03-15", closed="2025-03-15"),  # won the day it was created
        deal("D3", "Alice", "lost", 7_000, "2025-01-10", closed="2025-03-10", proposal="2025-02-20"),
        deal("D4", "Bob", "lost", 3_000, "2025-02-01", closed="2025-03-25", proposal="2025-03-02"),
        deal("D5", "Bob", "won", 6_000, "2025-01-01", closed="2025-03-21", proposal="2025-03-01"),
        deal("D6", "Chloé", "open", 20_000, "2025-02-01", expected="2025-03-28"),  # Proposition stage: 50 %
        deal("D7", "Chloé", "open", 8_000, "2025-03-05", expected="2025-04-15", probability=0.3),
        deal("D8", "Bob", "won", 5_000, "2025-03-01", closed="2025-04-02", expected="2025-03-30"),
    ]
    activities = [
        act("2025-03-03", "Alice", "qualified_meeting"),
        act("2025-03-10", "Alice", "qualified_meeting"),
        act("2025-03-31", "Alice", "qualified_meeting"),  # last day of the month
        act("2025-02-28", "Alice", "qualified_meeting"),  # outside
        act("2025-04-01", "Alice", "qualified_meeting"),  # outside
        act("2025-03-05", "Bob", "qualified_meeting"),
        act("2025-03-06", "Bob", "qualified_meeting"),
        act("2025-03-12", "Chloé", "call"),
        act("2025-03-31", "Alice", "proposal", "D1"),  # a proposal on the last day of the month
        act("2025-03-15", "Bob", "proposal"),
    ]
    targets = [target("2025-03", "rep", "Chloé", 30_000), target("2025-03", "company", None, 50_000)]
    return make_data(deals, activities, REPS, targets)


@pytest.fixture(scope="module")
def march():
    return KpiEngine(march_data(), date(2025, 4, 10)).table("2025-03")


def at(table, level, name, kpi):
    return table.at[(level, name if level != "company" else ""), kpi]


def test_qualified_meetings_per_week(march):
    # Alice: 3, 10 and 31 March; Bob: 5 and 6 March; a 31-day month is 31/7 weeks.
    assert at(march, "rep", "Alice", "qualified_meetings_per_week") == pytest.approx(3 / (31 / 7))
    assert at(march, "rep", "Bob", "qualified_meetings_per_week") == pytest.approx(2 / (31 / 7))
    assert at(march, "rep", "Chloé", "qualified_meetings_per_week") == 0  # measured: no meeting
    assert at(march, "team", "Nord", "qualified_meetings") == 5
    assert at(march, "company", "", "qualified_meetings_per_week") == pytest.approx(5 / (31 / 7))


def test_proposals_count_activities_then_proposal_dates_of_deals_without_activity(march):
    # Alice: the activity of 31 March (D1's proposal_on is not counted again; D3's is in February).
    # Bob: the activity of 15 March + D4 (2 March) and D5 (1 March) which have no proposal activity.
    assert at(march, "rep", "Alice", "proposals") == 1
    assert at(march, "rep", "Bob", "proposals") == 1 + 2
    assert at(march, "rep", "Alice", "proposals_per_month") == pytest.approx(1 / (31 / 30.4375))
    assert at(march, "company", "", "proposals_per_month") == pytest.approx(4 / (31 / 30.4375))


def test_proposal_conversion_counts_deals_with_a_proposal_decided_in_the_period(march):
    # Alice: D1 won and D3 lost had a proposal; D2 (won, no proposal) is left out -> 1 / 2.
    assert at(march, "rep", "Alice", "proposal_conversion") == pytest.approx(1 / 2)
    # Bob: D5 won, D4 lost -> 1 / 2 ; D8 is won in April.
    assert at(march, "rep", "Bob", "proposal_conversion") == pytest.approx(1 / 2)
    assert at(march, "company", "", "proposal_conversion") == pytest.approx(2 / 4)


def conversion_data():
    deals = [
        deal("P1", "Alice", "won", 1_000, "2025-01-10", closed="2025-03-05", proposal="2025-02-20"),
        # no proposal date, but a proposal activity (in February: its date does not matter)
        deal("P2", "Alice", "lost", 1_000, "2025-01-10", closed="2025-03-12"),
        deal("P3", "Alice", "won", 1_000, "2025-01-10", closed="2025-03-20"),  # never had a proposal
        deal("P4", "Alice", "won", 1_000, "2025-01-10", closed="2025-04-02", proposal="2025-03-01"),  # April
        deal("P5", "Bob", "lost", 1_000, "2025-01-10", closed="2025-03-31", proposal="2025-03-01"),  # last day
        deal("P6", "Bob", "lost", 1_000, "2025-01-10", proposal="2025-03-01"),  # no close date: not placed
        deal("P7", "Bob", "open", 1_000, "2025-01-10", proposal="2025-03-01"),  # not decided
        deal("P8", None, "won", 1_000, "2025-01-10", closed="2025-03-15", proposal="2025-03-01"),  # no owner
        deal("P9", "Chloé", "lost", 1_000, "2025-01-10", closed="2025-02-28", proposal="2025-02-01"),  # February
    ]
    return make_data(deals, [act("2025-02-25", "Alice", "proposal", "P2")], REPS)


def by_scope(w, values):
    return dict(zip(w.scopes, values))


def test_proposal_conversion_function_on_a_window():
    w = KpiEngine(conversion_data(), date(2025, 4, 10)).window("2025-03")
    got = by_scope(w, proposal_conversion(w))
    assert got[("rep", "Alice")] == 1 / 2  # P1 won, P2 lost; P3 had no proposal, P4 is April's
    assert got[("rep", "Bob")] == 0  # P5 lost: decided deals, none won, is a real 0 %
    assert math.isnan(got[("rep", "Chloé")])  # P9 was decided in February: nothing to measure
    assert got[("team", "Nord")] == 1 / 3  # Alice's and Bob's: 1 won of 3 decided
    assert math.isnan(got[("team", "Sud")])
    assert got[("company", "")] == 2 / 4  # P1 and P8 (no owner: the company's only) won, P2 and P5 lost


def test_proposal_conversion_counts_up_to_the_as_of_date_inclusive():
    engine = KpiEngine(conversion_data(), date(2025, 3, 15))
    w = engine.window("2025-03")
    got = by_scope(w, proposal_conversion(w))
    assert got[("company", "")] == 2 / 3  # P1, P8 (15 March, the as-of date) won; P2 lost; P5 not yet
    assert math.isnan(got[("rep", "Bob")])
    assert engine.value("proposal_conversion", "2025-03", "rep:Bob").value is None
    assert engine.value("proposal_conversion", "2025-03", "rep:Alice").value == 1 / 2


def test_proposal_conversion_carries_its_dictionary_entry():
    d = proposal_conversion.definition
    assert d is DEFAULT_DICTIONARY["proposal_conversion"]
    assert (d.unit, d.direction, d.horizon, d.core) == ("fraction", "up", "lagging", True)
    assert d.threshold("alert_below") == 0.25  # DESIGN.md: alert below 25 %


def test_every_kpi_of_the_dictionary_is_a_function_named_by_its_id():
    assert tuple(k.id for k in KPIS) == DEFAULT_DICTIONARY.ids
    assert all(k.compute.__name__ == k.id for k in KPIS)


def test_win_rate_counts_every_decided_deal(march):
    assert at(march, "rep", "Alice", "win_rate") == pytest.approx(2 / 3)  # D1, D2 won; D3 lost
    assert at(march, "company", "", "win_rate") == pytest.approx(3 / 5)


def test_average_deal_size_and_revenue(march):
    assert at(march, "rep", "Alice", "average_deal_size") == pytest.approx((10_000 + 4_000) / 2)
    assert at(march, "team", "Nord", "revenue_won") == 10_000 + 4_000 + 6_000
    assert at(march, "company", "", "average_deal_size") == pytest.approx(20_000 / 3)
    assert at(march, "company", "", "won_count") == 3


def test_sales_cycle_median_and_mean_with_a_same_day_win(march):
    # D1: 1 -> 31 March = 30 days; D2: won the day it was created = 0 days;
    # D5: 1 January -> 21 March = 31 + 28 + 20 = 79 days.
    assert at(march, "rep", "Alice", "sales_cycle_days") == pytest.approx((30 + 0) / 2)
    assert at(march, "rep", "Bob", "sales_cycle_days") == 79
    assert at(march, "company", "", "sales_cycle_days") == 30
    assert at(march, "company", "", "sales_cycle_days_mean") == pytest.approx((30 + 0 + 79) / 3)


def test_open_and_weighted_pipeline_at_the_end_of_the_period(march):
    # Open on 31 March: D6, D7 and D8 (won on 2 April, so still open then).
    assert at(march, "company", "", "open_pipeline") == 20_000 + 8_000 + 5_000
    assert at(march, "rep", "Chloé", "weighted_pipeline") == pytest.approx(20_000 * 0.5 + 8_000 * 0.3)
    # D8's probability today says 100 % (won): the mean default of the open stages stands in.
    assert at(march, "rep", "Bob", "weighted_pipeline") == pytest.approx(5_000 * DEFAULT_OPEN_P)


def test_coverage_is_weighted_pipeline_closing_in_period_over_remaining_target(march):
    # Chloé: D6 closes 28 March (20,000 × 50 %), D7 in April; target 30,000, nothing won yet.
    assert at(march, "rep", "Chloé", "coverage") == pytest.approx(10_000 / 30_000)
    # Company: D6 + D8 (expected 30 March) over 50,000 − 20,000 won.
    assert at(march, "company", "", "coverage") == pytest.approx((10_000 + 5_000 * DEFAULT_OPEN_P) / 30_000)
    assert at(march, "rep", "Bob", "coverage") != at(march, "rep", "Bob", "coverage")  # no target: NaN


def test_meeting_to_proposal_rate_is_apparent_and_may_exceed_one(march):
    assert at(march, "rep", "Alice", "meeting_to_proposal_rate") == pytest.approx(1 / 3)
    assert at(march, "rep", "Bob", "meeting_to_proposal_rate") == pytest.approx(3 / 2)


def test_activity_counts_by_type(march):
    assert at(march, "rep", "Chloé", "activities_call") == 1
    assert at(march, "team", "Nord", "activities_proposal") == 2
    assert at(march, "company", "", "activities_follow_up") == 0


def test_nothing_to_measure_is_none_not_zero():
    values = {v.kpi: v for v in compute_kpis(march_data(), "2025-03", date(2025, 4, 10), "rep:Chloé")}
    assert values["proposal_conversion"].value is None
    assert values["average_deal_size"].value is None
    assert values["sales_cycle_days"].value is None
    assert values["meeting_to_proposal_rate"].value is None
    assert values["revenue_won"].value == 0  # nothing signed is a real 0 €


def test_empty_period_and_period_not_started():
    engine = KpiEngine(march_data(), date(2025, 4, 10))
    june = engine.table("2024-06")
    assert at(june, "company", "", "qualified_meetings_per_week") == 0
    assert at(june, "company", "", "won_count") == 0
    assert at(june, "company", "", "proposal_conversion") != at(june, "company", "", "proposal_conversion")
    future = engine.values("2025-05", "company", kpis=("qualified_meetings_per_week", "revenue_won"))
    assert [v.value for v in future] == [None, None]


def test_period_not_over_divides_by_days_elapsed_and_ignores_later_rows():
    # As of 10 April: the meeting of 1 April counts over 10 days; one dated 20 April is not known yet.
    data = make_data(activities=[act("2025-04-01", "Alice", "qualified_meeting"),
                                 act("2025-04-20", "Alice", "qualified_meeting")], reps=REPS)
    v = compute_kpis(data, "2025-04", date(2025, 4, 10), "rep:Alice", kpis=("qualified_meetings_per_week",))[0]
    assert v.value == pytest.approx(1 / (10 / 7))


def test_previous_target_and_trend():
    engine = KpiEngine(march_data(), date(2025, 4, 10))
    v = engine.value("revenue_won", "2025-03", "rep:Chloé")
    assert (v.value, v.previous, v.target) == (0, 0, 30_000)
    assert len(v.trend) == 12 and v.trend[-1][0].code == "2025-03"  # monthly review: 12 months
    m = engine.value("qualified_meetings_per_week", "2025-03", "rep:Alice")
    assert len(m.trend) == 8 and m.trend[-1][0].code == "2025-W14"  # the week holding 31 March
    # Week 14 (31 March - 6 April) holds the meetings of 31 March and 1 April: 2 per week.
    assert m.trend[-1][1] == pytest.approx(2.0)


def test_fiscal_year_starting_in_april():
    data = make_data(deals=[deal("A", "Alice", "won", 1_000, "2025-01-01", closed="2025-03-31"),
                            deal("B", "Alice", "won", 2_000, "2025-04-01", closed="2025-04-01"),
                            deal("C", "Alice", "won", 4_000, "2025-04-01", closed="2026-03-31")],
                     reps=REPS, settings={"fiscal_year_start_month": "4"})
    engine = KpiEngine(data, date(2026, 6, 30))
    fy = engine.table("FY2025")  # 2025-04-01 .. 2026-03-31
    assert at(fy, "rep", "Alice", "revenue_won") == 2_000 + 4_000
    assert at(engine.table("FY2024"), "rep", "Alice", "revenue_won") == 1_000


def test_scopes():
    assert parse_scope("team:Nord") == Scope.team("Nord")
    assert parse_scope("commercial:Alice") == Scope.rep("Alice")
    assert parse_scope("") == Scope.company()
    with pytest.raises(UsageError):
        parse_scope("rep:")
    with pytest.raises(UsageError, match="Alice"):
        compute_kpis(march_data(), "2025-03", date(2025, 4, 10), "rep:Zoé")


def test_rep_not_in_reps_sheet_is_its_own_team():
    data = make_data(deals=[deal("X", "Zoé", "won", 500, "2025-03-01", closed="2025-03-02")], reps=REPS)
    table = KpiEngine(data, date(2025, 4, 1)).table(parse_period("2025-03"))
    assert at(table, "team", "Sans équipe", "revenue_won") == 500
