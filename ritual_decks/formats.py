"""What only the decks write: short units for tight table cells, and a chart code for percentages.

Numbers, money, percentages and dates are ``kpicore.text.formats``, as on every
other page the product writes; this module adds the abbreviations a slide's
table needs (``12 j``, ``4,7 ×``) and the label code of charts fed with
percentages (23.0 rather than 0.23).
"""

from __future__ import annotations

from kpicore.text import formats

CHART_PCT = '0" %"'  # values given in percent (23.0), not fractions


def days(x: float | None) -> str:
    """A number of days: 12 j."""
    return _unit(formats.number(x), "j")


def times(x: float | None) -> str:
    """A ratio such as pipeline coverage: 4,7 ×."""
    return _unit(formats.number(x, 1), "×")


def _unit(figure: str, unit: str) -> str:
    # the no-break space that ties a unit to its figure, as Babel writes it before € and %
    return figure if figure == formats.DASH else f"{figure}\u00a0{unit}"
