"""Value parsers: every column is read as a whole (kpicore.ingest.parsing)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpicore.text.catalogue import render
from kpicore.ingest.parsing import (decide_date_order, fold, parse_amounts, parse_bools, parse_dates,
                             parse_fractions, parse_ints, parse_text)

D = pd.Timestamp


def test_excel_serials_and_real_dates():
    # Excel counts days from 1899-12-30: serial 45000 is that day + 45000 days
    expected = D(dt.date(1899, 12, 30) + dt.timedelta(days=45000))
    p = parse_dates([45000, 45000.75, dt.datetime(2025, 1, 2, 13, 5), dt.date(2024, 2, 29), None, ""])
    assert p.values.tolist()[:4] == [expected, expected, D("2025-01-02"), D("2024-02-29")]
    assert p.values.isna().tolist()[4:] == [True, True]
    assert p.repaired.tolist() == [True, True, False, False, False, False]
    assert not p.bad.any()
    assert str(p.values.dtype) == "datetime64[ns]"


def test_iso_with_and_without_time():
    p = parse_dates(["2025-03-14", "2025-03-14 10:22:05", "2025-03-14T10:22:05Z", "2025/03/14"])
    assert p.values.tolist() == [D("2025-03-14")] * 4
    assert not p.repaired.any()


def test_day_first_column_decided_by_a_day_above_12():
    p = parse_dates(["13/01/2025", "05/02/2025", "05/02/2025 14:30"])
    assert p.values.tolist() == [D("2025-01-13"), D("2025-02-05"), D("2025-02-05")]
    assert p.repaired.all()
    assert "jj/mm" in render(p.note)


def test_month_first_column_decided_by_a_second_part_above_12():
    p = parse_dates(["01/13/2025", "02/05/2025"])
    assert p.values.tolist() == [D("2025-01-13"), D("2025-02-05")]
    assert "mm/jj" in render(p.note)


def test_ambiguous_column_is_read_the_french_way():
    p = parse_dates(["05/02/2025", "01/03/25"])
    assert p.values.tolist() == [D("2025-02-05"), D("2025-03-01")]


def test_both_orders_seen_the_majority_wins_and_the_others_are_errors():
    p = parse_dates(["13/01/2025", "14/01/2025", "01/15/2025", "02/03/2025"])
    assert p.values.tolist()[:2] == [D("2025-01-13"), D("2025-01-14")]
    assert p.bad.tolist() == [False, False, True, False]
    assert p.values.iloc[3] == D("2025-03-02")  # read day-first like its column


def test_decide_date_order_counts():
    assert decide_date_order([13, 1], [1, 1]).day_first
    assert not decide_date_order([1, 1], [13, 1]).day_first
    assert not decide_date_order([13, 1, 1], [1, 14, 15]).day_first  # 2 month-first against 1
    assert decide_date_order([1], [2]).day_first


def test_unreadable_dates_are_bad_not_empty():
    p = parse_dates(["31/02/2025", "bientôt", 12, None])
    assert p.bad.tolist() == [True, True, True, False]
    assert p.empty.tolist() == [False, False, False, True]


@pytest.mark.parametrize("text,value", [
    ("12 500,00 €", 12500.0),
    ("12\u00a0500,00\u00a0€", 12500.0),   # non-breaking space
    ("12\u202f500,00 EUR", 12500.0),       # narrow no-break space (Excel on a French Mac)
    ("12,500.00", 12500.0),
    ("12500", 12500.0),
    ("1 234,5", 1234.5),
    ("1.234.567,89", 1234567.89),
    ("-1 200", -1200.0),
    ("(300)", -300.0),
])
def test_amount_text_forms(text, value):
    p = parse_amounts([text])
    assert p.values.iloc[0] == pytest.approx(value)
    assert not p.bad.any()


def test_amounts_already_numeric_are_not_repairs():
    p = parse_amounts([12500, 99.5, "12500", "12500.5"])
    assert p.values.tolist() == [12500.0, 99.5, 12500.0, 12500.5]
    assert not p.repaired.any()


def test_ambiguous_thousands_follow_the_column():
    # "12,500" alone is French (12.5); in a column where "1,234,567" shows commas group
    # thousands, it is 12 500
    assert parse_amounts(["12,500"]).values.iloc[0] == 12.5
    assert parse_amounts(["12,500", "1,234,567"]).values.tolist() == [12500.0, 1234567.0]


def test_amount_that_is_text_is_bad():
    p = parse_amounts(["à voir", "12 k", None])
    assert p.bad.tolist() == [True, True, False]


@given(st.integers(min_value=0, max_value=10**10))
def test_french_amount_round_trip(cents):
    value = cents / 100
    english = f"{value:,.2f}"  # 1,234,567.89
    french = english.replace(",", "\u202f").replace(".", ",") + " €"
    assert parse_amounts([french]).values.iloc[0] == pytest.approx(value)
    assert parse_amounts([english]).values.iloc[0] == pytest.approx(value)


def test_probabilities():
    assert parse_fractions(["25"]).values.iloc[0] == 0.25
    assert parse_fractions(["25 %"]).values.iloc[0] == 0.25
    assert parse_fractions(["0.25"]).values.iloc[0] == 0.25
    assert parse_fractions(["0,25"]).values.iloc[0] == 0.25
    # decided by column: all <= 1 means fractions, else percentages
    assert parse_fractions([0.1, 0.5, 1]).values.tolist() == [0.1, 0.5, 1.0]
    assert parse_fractions([10, 50, 1]).values.tolist() == [0.10, 0.50, 0.01]
    p = parse_fractions([150, -5, "peut-être"])
    assert p.bad.tolist() == [True, True, True]


def test_booleans():
    p = parse_bools(["oui", "Non", "x", "VRAI", "faux", 1, 0, True, "true", "peut-être", None])
    assert p.values.tolist()[:9] == [True, False, True, True, False, True, False, True, True]
    assert p.bad.tolist()[9:] == [True, False]


def test_text_is_stripped_and_whole_numbers_lose_their_point():
    p = parse_text(["  Dupont  SA ", "\u00a0Durand\u00a0", 1042.0, None, "   "])
    assert p.values.tolist()[:3] == ["Dupont SA", "Durand", "1042"]
    assert p.values.isna().tolist()[3:] == [True, True]
    assert str(p.values.dtype) == "string"


def test_ints():
    p = parse_ints(["3", 4.0, 2.5, None])
    assert p.values.tolist()[:2] == [3, 4]
    assert p.bad.tolist() == [False, False, True, False]


def test_fold():
    assert fold("  Probabilité (%) ") == "probabilite"
    assert fold("Date de signature\u00a0prévue") == "date de signature prevue"
    assert fold("N° affaire") == fold("n affaire")
    assert np.array_equal(parse_text([]).bad, np.zeros(0, dtype=bool))
