"""Targets: rep -> team -> company, month -> quarter -> year, weeks by day share, rates never summed;
a value is on target against the target pro rata of the period elapsed."""

import pytest

from kpicore.model.periods import Period, parse_period
from kpicore.metrics.targets import (BELOW_TARGET, NEAR_TARGET, ON_TARGET, target_book, target_for,
                                     target_mismatches, target_status)

from support.kpi_builders import make_data, target

REPS = {"Alice": "Nord", "Bob": "Nord", "Chloé": "Sud"}


def data_with(*rows, settings=None):
    return make_data(reps=REPS, targets=list(rows), settings=settings)


def test_team_is_the_sum_of_its_reps_unless_it_has_its_own_row():
    data = data_with(target("2025-03", "rep", "Alice", 10_000), target("2025-03", "rep", "Bob", 5_000),
                     target("2025-03", "rep", "Chloé", 4_000), target("2025-03", "team", "Sud", 7_000))
    march = parse_period("2025-03")
    assert target_for(data, "revenue", march, "team", "Nord") == 10_000 + 5_000
    assert target_for(data, "revenue", march, "team", "Sud") == 7_000  # the team row wins over Chloé's 4,000
    assert target_for(data, "revenue", march, "company") == 15_000 + 7_000
    [mismatch] = target_mismatches(data)
    assert (mismatch.scope_name, mismatch.explicit, mismatch.sum_below) == ("Sud", 7_000, 4_000)


def test_company_row_wins_over_the_sum_of_teams():
    data = data_with(target("2025-03", "rep", "Alice", 10_000), target("2025-03", "company", None, 30_000))
    assert target_for(data, "revenue_won", parse_period("2025-03"), "company") == 30_000


def test_months_add_up_to_quarter_and_a_missing_month_gives_none():
    rows = [target("2025-01", "rep", "Alice", 9_000), target("2025-02", "rep", "Alice", 9_000),
            target("2025-03", "rep", "Alice", 10_000)]
    assert target_for(data_with(*rows), "revenue", parse_period("2025-Q1"), "rep", "Alice") == 28_000
    assert target_for(data_with(*rows[::2]), "revenue", parse_period("2025-Q1"), "rep", "Alice") is None
    assert target_for(data_with(*rows), "revenue", parse_period("2025-03"), "rep", "Bob") is None


def test_week_takes_each_days_share_of_its_own_month():
    data = data_with(target("2025-03", "rep", "Alice", 31_000), target("2025-04", "rep", "Alice", 60_000))
    # W11 (10-16 March) is inside March: 31,000 × 7 ÷ 31.
    assert target_for(data, "revenue", parse_period("2025-W11"), "rep", "Alice") == pytest.approx(31_000 * 7 / 31)
    # W14 (31 March - 6 April): one March day at 1,000 and six April days at 2,000.
    assert target_for(data, "revenue", parse_period("2025-W14"), "rep", "Alice") == pytest.approx(1_000 + 6 * 2_000)


def test_fiscal_year_from_april_sums_april_to_march():
    rows = [target(f"{y}-{m:02d}", "rep", "Alice", 1_000 * m) for y, ms in ((2025, range(4, 13)), (2026, range(1, 4)))
            for m in ms]
    data = data_with(*rows, settings={"fiscal_year_start_month": "4"})
    fy = parse_period("FY2025", fiscal_start_month=4)
    assert target_for(data, "revenue", fy, "rep", "Alice") == 1_000 * sum(range(1, 13))
    q4 = parse_period("FY2025-Q4", fiscal_start_month=4)  # January to March 2026
    assert target_for(data, "revenue", q4, "rep", "Alice") == 1_000 * (1 + 2 + 3)


def test_rate_targets_are_never_summed():
    data = data_with(*(target(m, "rep", r, 0.3, "proposal_conversion") for m in ("2025-01", "2025-02")
                       for r in ("Alice", "Bob")),
                     target("2025-03", "rep", "Alice", 0.4, "proposal_conversion"),
                     target("2025-03", "rep", "Bob", 0.4, "proposal_conversion"))
    q1 = parse_period("2025-Q1")
    assert target_for(data, "proposal_conversion", q1, "team", "Nord") is None  # no team row
    # Over time: the day-weighted mean of the months (31 + 28 days at 30 %, 31 days at 40 %).
    assert target_for(data, "proposal_conversion", q1, "rep", "Alice") == pytest.approx((0.3 * 59 + 0.4 * 31) / 90)


def test_per_week_targets_add_up_across_reps_but_average_over_time():
    data = data_with(*(target(m, "rep", "Alice", v, "qualified_meetings_per_week")
                       for m, v in (("2025-01", 2), ("2025-02", 2), ("2025-03", 3))),
                     *(target(m, "rep", "Bob", 1, "qualified_meetings_per_week") for m in ("2025-01", "2025-02", "2025-03")))
    book = target_book(data)
    assert book.value("qualified_meetings_per_week", parse_period("2025-03"), "team", "Nord") == 3 + 1
    assert book.value("qualified_meetings_per_week", parse_period("2025-Q1"), "rep", "Alice") == pytest.approx(
        (2 * 31 + 2 * 28 + 3 * 31) / 90)


def test_unreadable_target_rows_are_reported_not_used():
    data = data_with(target("mars 2025", "rep", "Alice", 1_000), target("2025-03", "rep", "Bob", 2_000))
    book = target_book(data)
    assert len(book.issues) == 1 and book.issues[0].row == 2
    assert book.value("revenue", Period.month(2025, 3), "team", "Nord") == 2_000


# -- on target: against the target pro rata of the period elapsed --------------------------

def test_half_the_month_with_half_its_target_is_on_target():
    data = data_with(target("2025-06", "company", None, 30_000))
    book, june, mid = target_book(data), parse_period("2025-06"), "2025-06-15"
    # 15 of June's 30 days elapsed: the target due is 30,000 × 15 / 30 = 15,000.
    assert book.due("revenue_won", june, mid, "company") == pytest.approx(15_000)
    assert book.check("revenue_won", 15_000, june, mid, "company").status == ON_TARGET  # 15,000 >= 30,000 said below
    # revenue_won's tolerance is the dictionary's behind_pace_pct, 20 %: near down to 0.8 × 15,000 = 12,000
    assert book.check("revenue_won", 12_500, june, mid, "company").status == NEAR_TARGET
    assert book.check("revenue_won", 11_000, june, mid, "company").status == BELOW_TARGET
    # once June is over the whole target is due
    over = book.check("revenue_won", 15_000, june, "2025-07-03", "company")
    assert (over.due, over.status) == (30_000, BELOW_TARGET)
    assert book.due_share("revenue_won", june, mid) == pytest.approx(0.5)


def test_target_due_in_a_quarter_takes_each_months_own_target():
    rows = [target("2025-04", "rep", "Alice", 10_000), target("2025-05", "rep", "Alice", 31_000),
            target("2025-06", "rep", "Alice", 30_000)]
    book = target_book(data_with(*rows))
    # 15 May: all of April and 15 of May's 31 days, 10,000 + 31,000 × 15 / 31 = 25,000 (not 71,000 × 45 / 91)
    assert book.due("revenue", parse_period("2025-Q2"), "2025-05-15", "rep", "Alice") == pytest.approx(25_000)
    # without a June target the quarter has none, so nothing is due either
    book = target_book(data_with(*rows[:2]))
    assert book.due("revenue", parse_period("2025-Q2"), "2025-05-15", "rep", "Alice") is None
    assert book.check("revenue", 1.0, parse_period("2025-Q2"), "2025-05-15", "rep", "Alice").status is None


def test_rates_are_judged_against_their_whole_target_with_the_default_tolerance():
    data = data_with(target("2025-06", "rep", "Alice", 0.30, "proposal_conversion"),
                     target("2025-06", "rep", "Alice", 60, "sales_cycle_days"))
    book, june, mid = target_book(data), parse_period("2025-06"), "2025-06-10"
    assert book.due("proposal_conversion", june, mid, "rep", "Alice") == pytest.approx(0.30)
    assert book.due_share("proposal_conversion", june, mid) == 1.0
    # no behind_pace_pct for these KPIs: near within 10 %, i.e. down to 0.27 (conversion), up to 66 days (cycle)
    assert book.check("proposal_conversion", 0.28, june, mid, "rep", "Alice").status == NEAR_TARGET
    assert book.check("proposal_conversion", 0.26, june, mid, "rep", "Alice").status == BELOW_TARGET
    assert book.check("sales_cycle_days", 55, june, mid, "rep", "Alice").status == ON_TARGET  # shorter is better
    assert book.check("sales_cycle_days", 65, june, mid, "rep", "Alice").status == NEAR_TARGET
    assert book.check("sales_cycle_days", 70, june, mid, "rep", "Alice").status == BELOW_TARGET


def test_status_needs_a_value_and_a_target():
    assert target_status(None, 10.0) is None and target_status(10.0, None) is None
    assert target_status(0.0, 0.0) == ON_TARGET  # nothing due yet
