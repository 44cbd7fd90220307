"""What each semantic style of a ``CockpitSpec`` looks like, for every cockpit writer.

The file writer (``workbook_templates.cockpit_sheet``), the live Excel writer
(``addin.engines.live_excel``) and the live Calc writer (``addin.engines.live_uno``)
all read their looks here, as XlsxWriter format properties (``font_color``,
``bg_color``, ``num_format`` ...), which each translates for its application; so a
colour or a number format has one definition, and the three cockpits agree.
Colours are ``kpicore.cockpit.palette``'s, number formats ``kpicore.text.formats``'.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from kpicore.cockpit import palette
from kpicore.cockpit.spec import STYLE_NAMES
from kpicore.text import formats

BASE_LOOK: Mapping[str, Any] = MappingProxyType(
    {"font_name": "Calibri", "font_size": 10, "font_color": palette.INK, "valign": "vcenter"})

_BIG = {"bold": True, "font_size": 14, "align": "left"}  # a tile's value

CELL_LOOKS: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    "title": {"bold": True, "font_size": 16},
    "subtitle": {"font_color": palette.MUTED, "font_size": 10},
    "label": {"font_color": palette.MUTED, "font_size": 9},
    "header": {"bold": True, "bottom": 1, "bottom_color": palette.RULE, "text_wrap": True, "font_size": 9,
               "font_color": palette.MUTED},
    "text": {},
    "text_bold": {"bold": True},
    "muted": {"font_color": palette.MUTED, "font_size": 9},
    "note": {"font_color": palette.MUTED, "font_size": 9, "text_wrap": True, "valign": "top"},
    "money": {"num_format": formats.MONEY_CODE},
    "money_big": {"num_format": formats.MONEY_CODE, **_BIG},
    "number": {"num_format": formats.NUMBER_CODE},
    "number_big": {"num_format": formats.NUMBER_CODE, **_BIG},
    "integer": {"num_format": formats.COUNT_CODE},
    "percent": {"num_format": formats.PERCENT_CODE},
    "percent_big": {"num_format": formats.PERCENT_CODE, **_BIG},
    "date": {"num_format": formats.DATE_CODE, "align": "left"},
    "datetime": {"num_format": formats.DATETIME_CODE, "align": "left"},
    "badge_ok": {"bg_color": palette.GOOD_FILL, "font_color": palette.GOOD_INK, "bold": True},
    "badge_warn": {"bg_color": palette.WARN_FILL, "font_color": palette.WARN_INK, "bold": True},
    "input": {"bg_color": palette.INPUT, "border": 1, "border_color": palette.RULE, "bold": True},
    "status": {"bold": True, "align": "center"},
    "section": {"bold": True, "font_size": 12},
    "wrap": {"text_wrap": True, "valign": "top"},
    "wrap_bold": {"text_wrap": True, "valign": "top", "bold": True},
    "wrap_small": {"text_wrap": True, "valign": "top", "font_size": 9},
    "bad_text": {"font_color": palette.BAD_INK, "bold": True, "valign": "top"},
    "warn_text": {"font_color": palette.WARN_INK, "bold": True, "valign": "top"},
    "link": {"font_color": palette.ACTUAL, "valign": "top"},
})
assert set(CELL_LOOKS) == set(STYLE_NAMES), "every semantic style needs a look"

# The looks a conditional rule of kind "formula" switches a cell to.
RULE_LOOKS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "good": {"bg_color": palette.GOOD_FILL, "font_color": palette.GOOD_INK},
    "warn": {"bg_color": palette.WARN_FILL, "font_color": palette.WARN_INK},
    "bad": {"bg_color": palette.BAD_FILL, "font_color": palette.BAD_INK},
})

DATA_BAR = palette.ACTUAL_FILL
DATA_BAR_AXIS = palette.RULE
SPARKLINE = palette.ACTUAL


def cell_look(style: str) -> dict[str, Any]:
    """The whole look of a semantic style: the base font and alignment, then the style's own."""
    return {**BASE_LOOK, **CELL_LOOKS[style]}


def color_scale(higher_is_better: bool) -> tuple[str, str, str]:
    """The low, middle and high colours of a 3-colour scale: the better end in the good fill."""
    if higher_is_better:
        return palette.BAD_FILL, palette.PAPER, palette.GOOD_FILL
    return palette.GOOD_FILL, palette.PAPER, palette.BAD_FILL
