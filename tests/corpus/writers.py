"""Writing a corpus file the way its vendor or its author writes it: cells, dates and numbers."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

import xlsxwriter

Rows = Sequence[Sequence[object]]


def write_xlsx(path: Path, sheets: Iterable[tuple[str, Rows]], *, date_format: str = "dd/mm/yyyy",
               bold_rows: Sequence[int] = ()) -> Path:
    """One worksheet per (name, rows); dates as real Excel dates in ``date_format``, None as an empty cell."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    day = wb.add_format({"num_format": date_format})
    stamp = wb.add_format({"num_format": date_format + " hh:mm"})
    bold = wb.add_format({"bold": True})
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(r, c, value, stamp)
                elif isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif r in bold_rows:
                    ws.write(r, c, value, bold)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def write_csv(path: Path, rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def fr_date(d: date | None) -> str | None:
    return None if d is None else d.strftime("%d/%m/%Y")


def us_date(d: date | None) -> str | None:
    return None if d is None else f"{d.month}/{d.day}/{d.year}"


def iso_stamp(d: date | None, hour: str = "10:30") -> str | None:
    return None if d is None else f"{d.isoformat()} {hour}"


def fr_amount(x: float) -> str:
    """12 000,00 as a French Excel writes it into a CSV (no-break space between thousands)."""
    whole, cents = f"{x:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return "\u00a0".join(groups) + "," + cents
