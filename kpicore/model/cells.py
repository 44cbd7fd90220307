"""The spreadsheet conventions every layer shares: Excel's day zero and column letters.

Excel (and Calc, for a new document or an .xlsx) counts a date as the number
of days since 1899-12-30, its fraction being the time of day; the 1900 leap-year
bug makes serials from 61 on line up with that origin, and no sales data
predates it.  Columns are lettered A..Z, AA..AZ, ... from 1.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

EXCEL_EPOCH = date(1899, 12, 30)
_EPOCH_MIDNIGHT = datetime.combine(EXCEL_EPOCH, time())


def serial(day: date | datetime) -> float:
    """Excel's serial number of a day (whole) or of a moment (with the time as a fraction)."""
    if isinstance(day, datetime):
        return (day - _EPOCH_MIDNIGHT) / timedelta(days=1)
    return float((day - EXCEL_EPOCH).days)


def from_serial(value: float) -> datetime:
    """The moment an Excel serial number stands for."""
    return _EPOCH_MIDNIGHT + timedelta(days=value)


def column_letter(n: int) -> str:
    """Excel letter of the 1-based column number ``n`` (1 -> A, 27 -> AA)."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def column_number(letters: str) -> int:
    """The 1-based column number of Excel letters (A -> 1, AA -> 27), whatever their case."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
