"""Targets: rep -> team -> company, month -> quarter -> year, weeks by day share, rates never summed."""

import pytest

from kpicore.model.periods import Period, parse_period
from kpicore.metrics.targets import target_book, target_for, target_mismatches

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
