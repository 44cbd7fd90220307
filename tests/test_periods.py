"""Periods: parsing, arithmetic, boundaries, French labels, fiscal years."""

from datetime import date

import pytest

from kpicore.model.errors import UsageError
from kpicore.model.periods import Period, fiscal_start_month, parse_period


@pytest.mark.parametrize("code, kind, start, end, label", [
    ("2025-03-14", "day", date(2025, 3, 14), date(2025, 3, 14), "14 mars 2025"),
    # ISO week 12 of 2025: Monday 17 March to Sunday 23 March
    ("2025-W12", "week", date(2025, 3, 17), date(2025, 3, 23), "Semaine 12 2025"),
    ("2025-03", "month", date(2025, 3, 1), date(2025, 3, 31), "mars 2025"),
    ("2025-Q1", "quarter", date(2025, 1, 1), date(2025, 3, 31), "T1 2025"),
    ("2025", "year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
    ("FY2025", "fiscal_year", date(2025, 1, 1), date(2025, 12, 31), "Exercice 2025"),
])
def test_parse_calendar_periods(code, kind, start, end, label):
    p = parse_period(code)
    assert (p.kind, p.start, p.end, p.label) == (kind, start, end, label)
    assert parse_period(p.code) == p


def test_fiscal_year_starting_in_april_is_named_after_its_first_year():
    fy = parse_period("FY2025", fiscal_start_month=4)
    assert (fy.start, fy.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert fy.days == 365  # April 2025 to March 2026 holds no 29 February
    assert fy.label == "Exercice 2025-2026"
    q1 = parse_period("FY2025-Q1", fiscal_start_month=4)
    assert (q1.start, q1.end, q1.label) == (date(2025, 4, 1), date(2025, 6, 30), "T1 exercice 2025-2026")
    q4 = parse_period("FY2025-Q4", fiscal_start_month=4)
    assert (q4.start, q4.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert q4.next() == parse_period("FY2026-Q1", fiscal_start_month=4)
    assert Period.containing("fiscal_year", date(2026, 2, 10), 4) == fy
    assert Period.containing("fiscal_quarter", date(2026, 2, 10), 4) == q4
    assert len(fy.months()) == 12


def test_previous_and_shift_cross_year_boundaries():
    assert parse_period("2026-W01").previous().code == "2025-W52"
    assert parse_period("2020-W53").next().code == "2021-W01"  # 2020 has 53 ISO weeks
    assert parse_period("2025-01").previous().code == "2024-12"
    assert parse_period("2025-Q1").shift(-5).code == "2023-Q4"
    assert parse_period("2025").shift(2).code == "2027"
    assert parse_period("2024-03-01").previous().code == "2024-02-29"


def test_trailing_gives_the_last_n_periods_oldest_first():
    months = parse_period("2025-02").trailing(3)
    assert [m.code for m in months] == ["2024-12", "2025-01", "2025-02"]
    assert [w.label for w in parse_period("2025-W02").trailing(2)] == ["Semaine 1 2025", "Semaine 2 2025"]


def test_days_elapsed_counts_up_to_as_of_inclusive():
    march = parse_period("2025-03")
    assert march.days_elapsed(date(2025, 2, 28)) == 0
    assert march.days_elapsed(date(2025, 3, 1)) == 1
    assert march.days_elapsed(date(2025, 3, 10)) == 10
    assert march.days_elapsed(date(2025, 3, 31)) == 31
    assert march.days_elapsed(date(2025, 6, 1)) == 31
    assert not march.is_over(date(2025, 3, 30)) and march.is_over(date(2025, 3, 31))


def test_week_across_two_months_lists_both():
    week = parse_period("2025-W14")  # Monday 31 March to Sunday 6 April
    assert [m.code for m in week.months()] == ["2025-03", "2025-04"]


def test_range_period_and_its_previous():
    r = Period.between("2025-03-01", "2025-03-10")
    assert r.days == 10
    assert (r.previous().start, r.previous().end) == (date(2025, 2, 19), date(2025, 2, 28))
    assert r.label == "du 1 mars 2025 au 10 mars 2025"
    assert parse_period(r.code) == r


@pytest.mark.parametrize("text", ["2025-13", "2025-W54", "mars", "2025-Q5", "", "FY25"])
def test_unreadable_periods_say_how_to_write_them(text):
    with pytest.raises(UsageError, match="2025-W12"):
        parse_period(text)


def test_fiscal_start_month_setting():
    assert fiscal_start_month(None) == 1
    assert fiscal_start_month("4") == 4
    assert fiscal_start_month("avril") == 4
    assert fiscal_start_month("October") == 10
    with pytest.raises(UsageError):
        fiscal_start_month("13")
