"""The product's colours: one set, one meaning per colour, in the cockpit, the workbooks and the decks.

The hues are Okabe and Ito's, chosen to stay apart under the common colour-vision
deficiencies; they also differ in lightness, and a status always comes with a sign
as well (▲ ● ▼), so a black-and-white print still reads (DESIGN.md, "Visual
grammar").  Blue is what happened and green is good, so that no figure is ever
blue for two reasons: the realised bars and sparklines are blue, a status on
target is green.

Each status has three strengths: the colour itself for a mark (a bar, an arrow),
a pale fill for a cell, and a dark ink for text, legible on white and on its own
fill (contrast 5:1 or more).  Values are ``#RRGGBB``, the form XlsxWriter, xlwings
and UNO take; the decks convert them for python-pptx.
"""

from __future__ import annotations

# Page and text.
INK = "#1F2937"  # text and titles; the header band of the data tables
MUTED = "#6B7280"  # secondary text, captions, notes
RULE = "#D1D5DB"  # thin lines: under a header, around a table's cells, a data bar's axis
LIGHT = "#E5E7EB"  # the faintest marks: chart gridlines, the header row of a slide's table
PAPER = "#FFFFFF"  # the page; text on INK; the neutral middle of a colour scale
INPUT = "#FFF7D6"  # a cell the user types into (the view selector)

# Status against a target.
GOOD = "#009E73"  # bluish green: on or above target, reached, a rise
GOOD_FILL = "#CCECE3"
GOOD_INK = "#00573F"
WARN = "#E69F00"  # orange: close to target, repaired
WARN_FILL = "#FDEBD0"
WARN_INK = "#8A5300"
BAD = "#D55E00"  # vermillion: off target, excluded, a fall
BAD_FILL = "#F9D5C7"
BAD_INK = "#8E2C0B"

# Figures.
ACTUAL = "#0072B2"  # blue: what happened (bars, sparklines); in text, a link
ACTUAL_FILL = "#9CC3E6"  # a data bar
FORECAST = "#56B4E9"  # sky blue: what is projected (P10, P50, P90)
TARGET = MUTED  # grey: the mark a figure is held against
