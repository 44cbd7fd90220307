"""The look of the ritual decks: slide size, fonts, colours, the grid of a slide.

The colours are the cockpit's (``kpicore.cockpit.palette``, colour-blind safe, one
meaning each); status is always carried by a sign as well as a colour, so a
black-and-white print keeps it.  Lengths are EMU (python-pptx ``Length``); the
grid is in points for readability.
"""

from __future__ import annotations

from pptx.dml.color import RGBColor
from pptx.util import Emu, Pt

from kpicore.cockpit import palette

# 16:9 at PowerPoint's default width (13.333 in x 7.5 in)
SLIDE_WIDTH = Emu(12_192_000)
SLIDE_HEIGHT = Emu(6_858_000)

# Arial is on every Office install; LibreOffice substitutes the metric-compatible
# Liberation Sans, whose file text_fit.py measures with.
FONT = "Arial"
TITLE_SIZE = Pt(24)
SUBTITLE_SIZE = Pt(14)
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(11)
NOTE_SIZE = Pt(10)
CHART_SIZE = Pt(10)



def rgb(hex_colour: str) -> RGBColor:
    """A palette colour (``#RRGGBB``) for python-pptx."""
    return RGBColor.from_string(hex_colour.lstrip("#"))


INK = rgb(palette.INK)
MUTED = rgb(palette.MUTED)
RULE = rgb(palette.RULE)
LIGHT = rgb(palette.LIGHT)
PAPER = rgb(palette.PAPER)
# Status in text (a table cell, a figure): the dark inks, legible on white.
GOOD_TEXT = rgb(palette.GOOD_INK)
BAD_TEXT = rgb(palette.BAD_INK)
WARN_TEXT = rgb(palette.WARN_INK)

# Chart colours by meaning, the same on every slide.
ACTUAL = rgb(palette.ACTUAL)
TARGET = rgb(palette.TARGET)
FORECAST = rgb(palette.FORECAST)
UP = rgb(palette.GOOD)
DOWN = rgb(palette.BAD)
TOTAL = INK

# The grid (points): margins and the content area under the title.
MARGIN = 36.0
TITLE_TOP = 20.0
TITLE_HEIGHT = 58.0
CONTENT_TOP = 92.0
FOOTER_HEIGHT = 22.0
SLIDE_W_PT = SLIDE_WIDTH / 12700
SLIDE_H_PT = SLIDE_HEIGHT / 12700
CONTENT_WIDTH = SLIDE_W_PT - 2 * MARGIN
CONTENT_HEIGHT = SLIDE_H_PT - CONTENT_TOP - FOOTER_HEIGHT - 12.0
GUTTER = 18.0


def pt(x: float) -> Emu:
    """Points to EMU (rounded: python-pptx wants whole EMU)."""
    return Emu(int(round(x * 12700)))
