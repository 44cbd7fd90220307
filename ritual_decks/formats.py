"""What only the decks write: one deck's voice (the catalogue's texts and the figures in the
deck's language), short units for tight table cells, and a chart code for percentages.

Numbers, money, percentages and dates are ``kpicore.text.formats``, as on every
other page the product writes; this module adds the abbreviations a slide's
table needs (``12 j`` / ``12 days``, ``4,7 ×``) and the label code of charts fed
with percentages (23.0 rather than 0.23).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kpicore.model.messages import Message
from kpicore.model.periods import Period
from kpicore.model.roster import Scope
from kpicore.text import formats
from kpicore.text.catalogue import DEFAULT_LANGUAGE, language_of, period_label, render, say, scope_label

# values given in percent (23.0), not fractions; French sets a no-break space before the sign
CHART_PCT = '0" %"'
CHART_PCT_CODES = {formats.FR: CHART_PCT, formats.EN: '0"%"'}


def days(x: float | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A number of days: 12 j (12 days)."""
    return formats.DASH if formats.missing(x) else say("decks.unit.days", language_of(language), n=x)


def times(x: float | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A ratio such as pipeline coverage: 4,7 × (4.7×)."""
    return formats.DASH if formats.missing(x) else say("decks.unit.times", language_of(language), x=x)


class Voice:
    """The deck's language: ``voice("weekly.title")`` is the catalogue's ``decks.weekly.title``,
    and the figures of tables and charts read as that language writes them."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language_of(language)

    def __call__(self, code: str, **figures: Any) -> str:
        return say(f"decks.{code}", self.language, **figures)

    def render(self, value: Message | str | None) -> str:
        """An engine text (a ``Message``, or a string while the engine still writes one)."""
        return render(value, self.language)

    def money(self, x: float | None, *, signed: bool = False) -> str:
        return formats.money(x, signed=signed, locale=self.language)

    def percent(self, x: float | None, digits: int = 0) -> str:
        return formats.percent(x, digits, locale=self.language)

    def number(self, x: float | None, digits: int = 0) -> str:
        return formats.number(x, digits, locale=self.language)

    def date(self, d: dt.date | None, *, year: bool = True) -> str:
        return formats.date(d, year=year, locale=self.language)

    def days(self, x: float | None) -> str:
        return days(x, self.language)

    def times(self, x: float | None) -> str:
        return times(x, self.language)

    def period(self, period: Period, *, short: bool = False) -> str:
        return period_label(period, self.language, short=short)

    def scope(self, scope: Scope) -> str:
        return scope_label(scope, self.language)

    @property
    def chart_percent(self) -> str:
        return CHART_PCT_CODES.get(self.language, CHART_PCT)


def upper_first(text: str) -> str:
    """A capital to open a sentence, the rest as written (``str.capitalize`` would lower « Nord »)."""
    return text[:1].upper() + text[1:]
