"""Shared look of every workbook Pilotage writes: colours, number formats, column widths.

Number formats are the codes of ``kpicore.text.formats``, stored in Excel's invariant
syntax and shown in the reader's locale: ``#,##0 "€"`` displays as ``1 234 €`` in a
French Excel, and ``dd/mm/yyyy`` is what a French user types as ``jj/mm/aaaa``.

Colours: a colour-blind-safe palette (Okabe-Ito) for statuses, so that good / bad
also differ in lightness and survive a black-and-white print (DESIGN.md, "Visual
grammar"); status is never carried by colour alone.
"""

from __future__ import annotations

from types import MappingProxyType

from kpicore.text import formats

# Brand and table colours.
INK = "#1F2A44"  # header background, titles
HEADER_FONT = "#FFFFFF"
GRID = "#D9DEE8"
TABLE_STYLE = "Table Style Medium 2"  # Excel's built-in blue banded table

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
GOOD = "#009E73"  # bluish green
WARNING = "#E69F00"  # orange
BAD = "#D55E00"  # vermillion
NEUTRAL = "#56B4E9"  # sky blue
MUTED = "#999999"

# Number format per canonical column kind (kpicore.model.schema.DTYPES); None = General.
KIND_FORMATS = MappingProxyType({
    "date": formats.DATE_CODE,
    "amount": formats.MONEY_CODE,
    "fraction": formats.PERCENT_CODE,
    "int": formats.INTEGER_CODE,
    "number": None,
    "text": None,
    "key": None,
    "choice": None,
    "bool": None,
})

# Column widths (in characters) per kind; text widths follow the data, within bounds.
KIND_WIDTHS = MappingProxyType({
    "date": 12,
    "amount": 14,
    "fraction": 11,
    "int": 9,
    "number": 12,
    "bool": 8,
})
TEXT_MIN_WIDTH = 8
TEXT_MAX_WIDTH = 45

HEADER = MappingProxyType({
    "bold": True,
    "font_color": HEADER_FONT,
    "bg_color": INK,
    "text_wrap": True,
    "valign": "vcenter",
})


def xlsxwriter_formats(workbook) -> dict[str, object]:
    """The shared XlsxWriter formats of one workbook: ``header`` and one per column kind.

    A kind whose format is General maps to ``None`` (XlsxWriter's default cell).
    """
    out: dict[str, object] = {"header": workbook.add_format(dict(HEADER))}
    for kind, num_format in KIND_FORMATS.items():
        out[kind] = workbook.add_format({"num_format": num_format}) if num_format else None
    return out
