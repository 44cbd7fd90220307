"""kpicore.text.formats: figures and days as a French or an English reader reads them."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from kpicore.text import formats

NNBSP, NBSP, MINUS = "\u202f", "\u00a0", "\u2212"


def test_french_figures_group_with_a_narrow_space_and_tie_their_unit():
    assert formats.money(12500) == f"12{NNBSP}500{NBSP}€"
    assert formats.money(-1234567.4) == f"{MINUS}1{NNBSP}234{NNBSP}567{NBSP}€"
    assert formats.money(300, signed=True) == f"+300{NBSP}€"
    assert formats.percent(0.234) == f"23{NBSP}%"
    assert formats.percent(0.2345, 1) == f"23,4{NBSP}%"
    assert formats.number(1234.56, 1) == f"1{NNBSP}234,6"
    assert formats.number(2000) == f"2{NNBSP}000"
    assert formats.date(date(2026, 11, 20)) == "20/11/2026"
    assert formats.date(date(2026, 3, 4), year=False) == "04/03"


def test_english_figures():
    assert formats.money(12500, locale=formats.EN) == "€12,500"
    assert formats.money(-12500, locale=formats.EN) == f"{MINUS}€12,500"
    assert formats.percent(0.234, locale=formats.EN) == "23%"
    assert formats.number(1234.56, 1, locale=formats.EN) == "1,234.6"
    assert formats.date(date(2026, 3, 4), locale=formats.EN) == "3/4/2026"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_figure_is_a_dash(missing):
    assert formats.money(missing) == formats.number(missing) == formats.percent(missing) == "–"


@pytest.mark.parametrize("missing", [None, pd.NaT])
def test_a_missing_day_is_a_dash(missing):
    assert formats.date(missing) == "–"


def test_what_rounds_to_nothing_has_no_sign():
    assert formats.number(-0.04, 1) == "0,0"
    assert formats.money(0.4, signed=True) == f"0{NBSP}€"
    assert formats.percent(-0.001) == f"0{NBSP}%"


def test_a_timestamp_shows_its_day():
    assert formats.date(pd.Timestamp("2026-11-20 17:45")) == "20/11/2026"
    assert formats.date(datetime(2026, 11, 20, 9, 5)) == "20/11/2026"
