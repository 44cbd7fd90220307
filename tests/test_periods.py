"""Periods: parsing, arithmetic, boundaries, French labels, fiscal years."""

from datetime import date

import pytest

from kpicore.model.errors import UsageError
from kpicore.model.periods import RELATIVE_WORDS, Period, fiscal_start_month, parse_period


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


# --------------------------------------------------------------------------- relative words
# Thursday 20 November 2025.  ISO weeks: 1 January 2025 is a Wednesday, so week 1 starts on Monday
# 30 December 2024 and 20 November (day 324 of 2025, 325 days after 30 December) falls in week
# 325 // 7 + 1 = 47, which starts 46 × 7 = 322 days after 30 December: Monday 17 November.
THU_20_NOV_2025 = date(2025, 11, 20)


@pytest.mark.parametrize("words, code, start, end", [
    (("jour", "day"), "2025-11-20", date(2025, 11, 20), date(2025, 11, 20)),
    (("semaine", "week"), "2025-W47", date(2025, 11, 17), date(2025, 11, 23)),
    (("mois", "month"), "2025-11", date(2025, 11, 1), date(2025, 11, 30)),
    (("trimestre", "quarter"), "2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
    (("année", "annee", "year"), "2025", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_relative_words_are_the_period_containing_the_as_of_date(words, code, start, end):
    for word in words:
        for written in (word, word.upper(), f"  {word.capitalize()} "):
            p = parse_period(written, as_of=THU_20_NOV_2025)
            assert (p.code, p.start, p.end) == (code, start, end), written


def test_the_week_of_new_years_day_is_iso_week_one_of_the_new_year():
    # 1 January 2026 is a Thursday (2025 has 365 days, one weekday after Wednesday), so ISO week 1 of
    # 2026 holds it: Monday 29 December 2025 to Sunday 4 January 2026
    p = parse_period("semaine", as_of=date(2026, 1, 1))
    assert (p.code, p.start, p.end) == ("2026-W01", date(2025, 12, 29), date(2026, 1, 4))
    assert parse_period("année", as_of=date(2026, 1, 1)).code == "2026"


def test_année_is_read_whatever_the_unicode_form_of_its_accent():
    decomposed = "anne\u0301e"  # « e » then a combining acute accent, as some keyboards send it
    assert parse_period(decomposed, as_of=THU_20_NOV_2025).code == "2025"


def test_trimestre_stays_the_calendar_quarter_when_the_fiscal_year_starts_in_april():
    # 10 February 2026: calendar Q1 2026 (January-March); the fiscal quarter is written FY2025-Q4
    p = parse_period("trimestre", fiscal_start_month=4, as_of=date(2026, 2, 10))
    assert (p.code, p.start, p.end) == ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
    fq = parse_period("FY2025-Q4", fiscal_start_month=4, as_of=date(2026, 2, 10))
    assert (fq.start, fq.end) == (date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize("code, start, end", [
    ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ("2025-03", date(2025, 3, 1), date(2025, 3, 31)),
    ("2025-W12", date(2025, 3, 17), date(2025, 3, 23)),
    ("FY2025", date(2025, 4, 1), date(2026, 3, 31)),  # fiscal year starting in April, below
])
def test_explicit_periods_ignore_the_as_of_date(code, start, end):
    p = parse_period(code, 4, as_of=date(2030, 6, 15))
    assert (p.start, p.end) == (start, end)


def test_a_relative_word_without_an_as_of_date_says_it_needs_one():
    with pytest.raises(UsageError, match="date de référence"):
        parse_period("mois")


def test_the_help_of_an_unreadable_period_names_the_words_too():
    with pytest.raises(UsageError, match="mois, trimestre"):
        parse_period("le mois dernier", as_of=THU_20_NOV_2025)


def test_the_forecast_reads_the_same_words():
    from kpicore.forecast.forecasting import resolve_period

    for word in RELATIVE_WORDS:
        assert resolve_period(word, THU_20_NOV_2025) == parse_period(word, as_of=THU_20_NOV_2025), word
