"""Numbers, money, percentages and dates as a person reads them, in French or in English.

Babel applies each language's rules from the Unicode CLDR, so no separator is
written by hand here: in French a narrow no-break space (U+202F) groups the
thousands, a no-break space (U+00A0) ties ``€`` and ``%`` to their figure and a
comma marks the decimals (``12 500 €``, ``23 %``, ``04/03/2026``); in English a
comma groups and ``€`` leads (``€12,500``, ``23%``, ``3/4/2026``).

Two choices are the product's own, the same in every language: a negative figure
takes the minus sign U+2212 (as wide as ``+``, and a line never breaks after
it), never ``−0`` once rounded; a missing figure is shown as an en dash.

The format codes at the end are for cells and chart labels (OOXML, which Excel,
Calc and PowerPoint read): they are locale-neutral, ``,`` and ``.`` being the
grouping and decimal placeholders that a French Excel shows as a space and a comma.
"""

from __future__ import annotations

import re
from datetime import date as _date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

FR, EN = "fr", "en"  # the product's languages (Settings: language); any Babel locale id works
DASH = "–"  # where a figure is missing
MINUS = "\u2212"


def number(x: float | None, digits: int = 0, *, signed: bool = False, locale: str = FR) -> str:
    """``12345.67`` -> ``12 345,7`` (``digits=1``); ``signed`` puts ``+`` before a positive figure."""
    return _format("number", x, digits, signed, locale)


def money(x: float | None, digits: int = 0, *, signed: bool = False, locale: str = FR,
          currency: str = "EUR") -> str:
    """``12500`` -> ``12 500 €`` (rounded to the euro unless ``digits``)."""
    return _format("money", x, digits, signed, locale, currency)


def percent(x: float | None, digits: int = 0, *, signed: bool = False, locale: str = FR) -> str:
    """A fraction as a percentage: ``0.234`` -> ``23 %``."""
    return _format("percent", x, digits, signed, locale)


def date(d: _date | None, *, year: bool = True, locale: str = FR) -> str:
    """A day in digits: ``20/11/2026`` (``20/11`` without the year); a datetime shows its day."""
    if missing(d):
        return DASH
    return format_date(d, _date_pattern(locale, year), locale=locale)


def missing(x: float | None) -> bool:
    """No figure to show: ``None``, NaN or NaT (neither is equal to itself)."""
    return x is None or x != x  # NaN is not equal to itself


def _format(kind: str, x: float | None, digits: int, signed: bool, locale: str, currency: str = "EUR") -> str:
    if missing(x):
        return DASH
    x = float(x)
    shown = round(x * 100 if kind == "percent" else x, digits)
    if shown == 0:
        x = 0.0  # a figure that rounds to nothing has no sign
    pattern = _number_pattern(kind, locale, digits)
    if kind == "money":
        text = format_currency(x, currency, format=pattern, locale=locale, currency_digits=False)
    elif kind == "percent":
        text = format_percent(x, format=pattern, locale=locale)
    else:
        text = format_decimal(x, format=pattern, locale=locale)
    symbols = _symbols(locale)
    text = text.replace(symbols["minusSign"], MINUS)
    return symbols["plusSign"] + text if signed and shown > 0 else text


@lru_cache(maxsize=None)
def _symbols(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).number_symbols["latn"])


@lru_cache(maxsize=None)
def _number_pattern(kind: str, locale: str, digits: int) -> str:
    """The language's own pattern for ``kind`` with exactly ``digits`` decimals."""
    loc = Locale.parse(locale)
    formats = {"number": loc.decimal_formats, "percent": loc.percent_formats,
               "money": loc.currency_formats}[kind]
    pattern = formats["standard" if kind == "money" else None].pattern.split(";")[0]
    return re.sub(r"0(?:\.[0#]+)?", "0" + ("." + "0" * digits if digits else ""), pattern, count=1)


@lru_cache(maxsize=None)
def _date_pattern(locale: str, year: bool) -> str:
    """The language's all-digit day (CLDR skeletons ``yMd`` and ``Md``)."""
    return Locale.parse(locale).datetime_skeletons["yMd" if year else "Md"].pattern


# Format codes of cells and chart labels (OOXML: ',' groups, '.' marks decimals, in any language).
MONEY_CODE = '#,##0 "€"'
NUMBER_CODE = "#,##0.0"
COUNT_CODE = "#,##0"  # a count, grouped by thousands
INTEGER_CODE = "0"  # a small whole number: a rank, a score from 1 to 5
PERCENT_CODE = "0 %"
DATE_CODE = "dd/mm/yyyy"
DATETIME_CODE = "dd/mm/yyyy hh:mm"
