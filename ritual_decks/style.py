"""The look of the ritual decks: slide size, fonts, palette, the grid of a slide.

The palette is the cockpit's (Okabe-Ito, colour-blind safe); status is always
carried by a sign as well as a colour, so a black-and-white print keeps it.
Lengths are EMU (python-pptx ``Length``); the grid is in points for readability.
"""

from __future__ import annotations

from pptx.dml.color import RGBColor
from pptx.util import Emu, Pt

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

BLUE = RGBColor(0x00, 0x72, 0xB2)
ORANGE = RGBColor(0xE6, 0x9F, 0x00)
VERMILLION = RGBColor(0xD5, 0x5E, 0x00)
INK = RGBColor(0x1F, 0x29, 0x37)
MUTED = RGBColor(0x6B, 0x72, 0x80)
LIGHT = RGBColor(0xE5, 0xE7, 0xEB)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
GREEN = RGBColor(0x00, 0x9E, 0x73)  # Okabe-Ito bluish green: "reached"
AMBER = RGBColor(0x8A, 0x53, 0x00)  # the cockpit's "near target" ink, dark enough for text on white

# Series colours by meaning, the same on every slide.
ACTUAL = BLUE
TARGET = MUTED
FORECAST = ORANGE
UP = BLUE
DOWN = VERMILLION
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
