"""Shared look of every workbook Pilotage writes: colours, number formats, column widths.

Number formats are the codes of ``kpicore.text.formats``, stored in Excel's invariant
syntax and shown in the reader's locale: ``#,##0 "€"`` displays as ``1 234 €`` in a
French Excel, and ``dd/mm/yyyy`` is what a French user types as ``jj/mm/aaaa``.

Colours are ``kpicore.cockpit.palette``'s, the same as the cockpit's and the decks'.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from kpicore.cockpit import palette
from kpicore.model import schema
from kpicore.text import formats

TABLE_STYLE = "Table Style Medium 2"  # Excel's built-in blue banded table

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
    "font_color": palette.PAPER,
    "bg_color": palette.INK,
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


def column_width(col: schema.Column, series: pd.Series) -> float:
    """Column width in characters: by kind, text following its longest usual values."""
    # Room for the filter button; longer headers wrap on two lines.
    header = min(len(col.label_fr) + 3, 20)
    if col.kind in KIND_WIDTHS:
        return float(max(KIND_WIDTHS[col.kind], header))
    sample = series.dropna().iloc[:5000]
    usual = float(sample.astype(str).str.len().quantile(0.95)) if len(sample) else 0.0
    return float(np.clip(max(header, usual + 2), TEXT_MIN_WIDTH, TEXT_MAX_WIDTH))
