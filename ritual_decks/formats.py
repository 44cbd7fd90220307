"""French number, percent and date formats for the decks.

Text on slides follows French typography: a narrow no-break space (U+202F)
groups thousands, a no-break space (U+00A0) sits before ``€`` and ``%`` so a
figure never breaks from its unit, decimals take a comma.

Chart number formats are OOXML format codes, which are locale-neutral: ``,``
there is the grouping placeholder and French Office shows it as a space
(``# ##0 €`` on screen).  A literal space in the code would not group millions.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

NNBSP = "\u202f"  # narrow no-break space: thousands
NBSP = "\u00a0"  # no-break space: before a unit

CHART_EUR = '#,##0" €"'
CHART_PCT = '0" %"'  # values given in percent (23.0), not fractions
CHART_NUM = '#,##0.0'
CHART_INT = '#,##0'
DASH = "–"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


MINUS = "\u2212"  # the typographic minus: as wide as "+", never split from its figure


def group(n: int) -> str:
    """12500 -> '12 500' with narrow no-break spaces."""
    sign = MINUS if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", NNBSP)


def eur(x: float | None, *, signed: bool = False) -> str:
    """12 500 € (rounded to the euro); '–' when missing."""
    if _missing(x):
        return DASH
    n = int(round(x))
    text = group(n)
    if signed and n > 0:
        text = "+" + text
    return f"{text}{NBSP}€"


def keur(x: float | None) -> str:
    """Thousands of euros for tight spaces: 12,5 k€."""
    if _missing(x):
        return DASH
    return f"{number(x / 1000, 1)}{NBSP}k€"


def pct(x: float | None, *, digits: int = 0, signed: bool = False) -> str:
    """A fraction as a percent: 0.234 -> '23 %'."""
    if _missing(x):
        return DASH
    text = number(x * 100, digits)  # carries the minus sign
    if signed and round(x * 100, digits) > 0:
        text = "+" + text
    return f"{text}{NBSP}%"


def number(x: float | None, digits: int = 1) -> str:
    """12345.67 -> '12 345,7'."""
    if _missing(x):
        return DASH
    text = f"{abs(x):,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", NNBSP)
    return (MINUS if x < 0 and float(text.replace(",", ".").replace(NNBSP, "")) != 0 else "") + text


def day(d: date | pd.Timestamp | None) -> str:
    """20/11/2026."""
    if d is None or (isinstance(d, float) and math.isnan(d)) or d is pd.NaT:
        return DASH
    return pd.Timestamp(d).strftime("%d/%m/%Y")


def days(x: float | None) -> str:
    if _missing(x):
        return DASH
    return f"{number(x, 0)}{NBSP}j"


def times(x: float | None) -> str:
    """A ratio such as pipeline coverage: 4,7 ×."""
    if _missing(x):
        return DASH
    return f"{number(x, 1)}{NBSP}×"
