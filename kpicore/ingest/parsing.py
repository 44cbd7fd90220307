"""Value parsers for the cells of a client's file (pure: no I/O).

Each parser takes the cells of **one column** (as a reader hands them over:
``str``, ``float``, ``int``, ``bool``, ``datetime``, ``date`` or ``None``) and
decides how to read the column as a whole, never cell by cell: a column of
``03/04/2025`` is read day-first or month-first from what the other cells of
the same column say, and a probability column is read as fractions only if
every value is at most 1.

A parser returns a :class:`Parsed`: the typed values, a mask of the cells that
could not be read (``bad``) and a mask of the cells that were read from a form
that needed repair (``repaired``, e.g. a French date typed as text), with a
note saying what was done (a catalogue ``Message``, ``quality.note.*``).  Deciding whether a bad cell excludes its
row is the validation's job (``kpicore.ingest.validate``), not the parser's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, is_not
from typing import Sequence

import numpy as np
import pandas as pd

from kpicore.ingest.cell_types import (BOOL, DATE, DATETIME, FLOAT, INT, MISSING, NONE, TEXT, TIME, UNKNOWN,
                                       as_objects, nan_floats, type_codes)
from kpicore.model.cells import EXCEL_EPOCH
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message

# Serial numbers outside this window are not dates (1954-10-14 .. 2173-10-14).
_SERIAL_MIN, _SERIAL_MAX = 20_000, 100_000

_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009\u2007 '\u2019"), None)


@dataclass(frozen=True)
class Parsed:
    """The typed values of one column and what happened to its cells."""

    values: pd.Series  # typed, with NA where the cell was empty or bad
    bad: np.ndarray  # bool per cell: a value was there but could not be read
    repaired: np.ndarray  # bool per cell: read from a form that needed repair
    note: Message | None = None  # what the repair was (quality.note.*)

    @property
    def empty(self) -> np.ndarray:
        """Cells that were empty in the file (not bad, just nothing there)."""
        return self.values.isna().to_numpy() & ~self.bad


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value is pd.NaT or value is pd.NA


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: for matching words."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return text.strip()


# --------------------------------------------------------------------------- text


_WS_RUN = re.compile(r"[\s\u00a0\u202f]+")


def _clean_text(v: str) -> object:
    """A text without outer spaces and with single inner spaces; NA when nothing is left."""
    # most cells are already clean: cheap substring tests before any regex
    if (v and v[0] != " " and v[-1] != " " and "  " not in v and "\u00a0" not in v
            and "\u202f" not in v and "\t" not in v and "\n" not in v and "\r" not in v):
        return v
    return _WS_RUN.sub(" ", v).strip() or pd.NA


def _was_repaired(v: str, cleaned: object) -> bool:
    return cleaned is not pd.NA and cleaned != v


def parse_text(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Text stripped of outer spaces (including non-breaking ones); empty -> NA.

    Inner runs of spaces become one space (a typing slip, not a different
    name).  Numbers read from Excel as floats that are whole (an id typed as
    1042) are written without ``.0``, so that ``1042`` in one file and
    ``"1042"`` in another are the same id.
    """
    arr = as_objects(cells)
    n = len(arr)
    out = np.empty(n, dtype=object)
    out[:] = pd.NA
    repaired = np.zeros(n, dtype=bool)
    codes = type_codes(arr) if codes is None else codes
    strings = np.flatnonzero(codes == TEXT)
    if len(strings):
        # each distinct text cleaned once (a rep's name repeats thousands of times), set back by numpy
        which, distinct = pd.factorize(arr[strings])
        cleaned = np.empty(len(distinct), dtype=object)
        cleaned[:] = [_clean_text(v) for v in distinct]
        changed = np.fromiter(map(_was_repaired, distinct, cleaned), dtype=bool, count=len(distinct))
        out[strings] = cleaned[which]
        repaired[strings] = changed[which]
    for i in np.flatnonzero((codes != TEXT) & (codes != NONE)).tolist():
        v = arr[i]
        if is_blank(v):
            continue
        elif isinstance(v, float) and v.is_integer():
            out[i] = str(int(v))
        elif isinstance(v, dt.datetime):
            out[i] = v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
        elif isinstance(v, dt.date):
            out[i] = v.isoformat()
        elif isinstance(v, str):  # a str subclass
            out[i] = str(v).strip() or pd.NA
        else:
            out[i] = str(v)
    return Parsed(pd.Series(out, dtype="string"), np.zeros(n, dtype=bool), repaired,
                  Message.of("quality.note.trimmed"))


# -------------------------------------------------------------------------- dates

_TIME = r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|[AaPp][Mm]))?)?"
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"$")
_SLASH_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + r"$")
_YMD_SLASH_RE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + r"$")
_SERIAL_RE = re.compile(r"^\d{5}(?:[.,]\d+)?$")


@dataclass(frozen=True)
class DateOrder:
    """How a column's ``a/b/yyyy`` dates were read, and why."""

    day_first: bool
    reason: Message  # quality.order.*


def decide_date_order(firsts: Sequence[int], seconds: Sequence[int]) -> DateOrder:
    """Day-first or month-first for a whole column, from its ``a/b/yyyy`` values.

    A first part above 12 can only be a day (dd/mm); a second part above 12
    can only be a day (mm/dd).  When only one of the two is seen, it decides;
    when both are seen, the majority decides (the cells against it are then
    errors); when neither is seen the column is ambiguous and read the French
    way, dd/mm.
    """
    dmy = sum(1 for a in firsts if a > 12)
    mdy = sum(1 for b in seconds if b > 12)
    if dmy and not mdy:
        return DateOrder(True, Message.of("quality.order.dmy_seen"))
    if mdy and not dmy:
        return DateOrder(False, Message.of("quality.order.mdy_seen"))
    if dmy and mdy:
        if mdy > dmy:
            return DateOrder(False, Message.of("quality.order.mdy_majority", mdy=mdy, dmy=dmy))
        return DateOrder(True, Message.of("quality.order.dmy_majority", dmy=dmy, mdy=mdy))
    return DateOrder(True, Message.of("quality.order.ambiguous"))


def _ymd(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Dates from integer parts; impossible dates (31/02) are NaT."""
    frame = pd.DataFrame({"year": year.astype("int64"), "month": month.astype("int64"),
                          "day": day.astype("int64")})
    ok = frame["month"].between(1, 12) & frame["day"].between(1, 31)
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok], errors="coerce").astype("datetime64[ns]")
    return out


def parse_dates(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Dates at midnight (``datetime64[ns]``) from Excel dates, serials, ISO, French or US text.

    The time of day, when present, is dropped: canonical dates are days.
    Cells read from text in jj/mm or mm/jj form, and serial numbers, are
    marked repaired; ISO text and real Excel dates are not.  Text is parsed
    with vectorised pandas string methods (a 100,000-row CSV is all text).
    """
    arr = as_objects(cells)
    n = len(arr)
    out = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    repaired = np.zeros(n, dtype=bool)
    notes: list[Message] = []
    text_idx: list[int] = []
    serial_idx: list[int] = []
    serial_val: list[float] = []
    stamps: dict[int, pd.Timestamp] = {}  # time-zone aware ones, rare
    naive_idx: list[int] = []
    naive: list[object] = []
    codes = type_codes(arr) if codes is None else codes
    strings = np.flatnonzero(codes == TEXT)
    if len(strings):
        values = arr[strings]
        blank = np.fromiter(map(str.isspace, values), dtype=bool, count=len(values))
        blank |= np.fromiter(map("".__eq__, values), dtype=bool, count=len(values))
        text_idx = strings[~blank].tolist()
    moments = np.flatnonzero((codes == DATETIME) | (codes == DATE))
    if len(moments):
        values = arr[moments]
        datetimes = values[codes[moments] == DATETIME]
        # whether each datetime has a time zone, asked in C (a million dates cost more than their parsing)
        aware = np.fromiter(map(is_not, map(attrgetter("tzinfo"), datetimes), repeat(None)), dtype=bool,
                            count=len(datetimes))
        is_aware = np.zeros(len(moments), dtype=bool)
        is_aware[codes[moments] == DATETIME] = aware
        naive_idx = moments[~is_aware].tolist()
        naive = values[~is_aware].tolist()  # pandas reads date and datetime objects alike
        for i in moments[is_aware].tolist():
            stamps[i] = pd.Timestamp(arr[i]).tz_localize(None).normalize()
    numbers = np.flatnonzero(((codes == INT) | (codes == FLOAT)) & ~nan_floats(arr, codes))
    serial_idx = numbers.tolist()
    serial_val = arr[numbers].astype(float).tolist()
    bad[(codes == BOOL) | (codes == TIME)] = True
    for i in np.flatnonzero(codes == UNKNOWN).tolist():  # a type the readers do not give: the general rule
        v = arr[i]
        if isinstance(v, str):
            if v.strip():
                text_idx.append(i)
        elif v is pd.NaT or v is pd.NA:
            continue
        elif isinstance(v, dt.datetime):
            if v.tzinfo is None:
                naive_idx.append(i)
                naive.append(v)
            else:
                stamps[i] = pd.Timestamp(v).tz_localize(None).normalize()
        elif isinstance(v, dt.date):
            naive_idx.append(i)
            naive.append(dt.datetime(v.year, v.month, v.day))
        elif _is_number(v):
            if isinstance(v, float) and np.isnan(v):
                continue
            serial_idx.append(i)
            serial_val.append(float(v))
        else:
            bad[i] = True
    if naive:  # one vectorised conversion for the reader's datetime objects
        out.iloc[naive_idx] = pd.to_datetime(pd.Series(naive, dtype=object)).dt.normalize().to_numpy()
    if stamps:
        out.iloc[list(stamps)] = list(stamps.values())
    if text_idx:
        ser = pd.Series(arr[text_idx], index=text_idx, dtype=object).str.strip()
        rest = pd.Series(True, index=ser.index)
        for rx in (_ISO_RE, _YMD_SLASH_RE):
            parts = ser[rest].str.extract(rx.pattern)
            hit = parts[0].notna()
            if hit.any():
                p = parts[hit].astype("int64")
                out.loc[p.index] = _ymd(p[0], p[1], p[2]).to_numpy()
                bad[p.index[out.loc[p.index].isna().to_numpy()]] = True
                rest[p.index] = False
        serial_txt = ser[rest].str.fullmatch(_SERIAL_RE.pattern)
        for i in serial_txt[serial_txt].index:
            serial_idx.append(i)
            serial_val.append(float(ser[i].replace(",", ".")))
            rest[i] = False
        parts = ser[rest].str.extract(_SLASH_RE.pattern)
        hit = parts[0].notna()
        if hit.any():
            p = parts[hit]
            a, b = p[0].astype("int64"), p[1].astype("int64")
            y = p[2].astype("int64")
            two = p[2].str.len() == 2  # two-digit years: 00-69 are 2000s, 70-99 the 1900s (Excel's rule)
            y = y.where(~two, np.where(y < 70, y + 2000, y + 1900))
            order = decide_date_order(a[a > 12].tolist() or [], b[b > 12].tolist() or [])
            d, m = (a, b) if order.day_first else (b, a)
            vals = _ymd(y, m, d)
            out.loc[p.index] = vals.to_numpy()
            ok = vals.notna().to_numpy()
            bad[p.index[~ok]] = True  # against the majority (a month of 13+) or not a date (31/02)
            repaired[p.index[ok]] = True
            notes.append(Message.of("quality.note.text_dates", order=order.reason))
            rest[p.index] = False
        bad[rest[rest].index] = True
    if serial_idx:
        sv = np.asarray(serial_val)
        ok = (sv >= _SERIAL_MIN) & (sv <= _SERIAL_MAX)
        idx = np.asarray(serial_idx)
        days = pd.to_timedelta(np.floor(sv[ok]), unit="D")
        out.iloc[idx[ok]] = (pd.Timestamp(EXCEL_EPOCH) + days).to_numpy()
        repaired[idx[ok]] = True
        bad[idx[~ok]] = True
        if ok.any():
            notes.append(Message.of("quality.note.serials"))
    return Parsed(out.reset_index(drop=True), bad, repaired, chained("quality.note.both", notes))


# ------------------------------------------------------------------------ amounts

_CURRENCY_RE = re.compile(r"(€|eur(?:os?)?|\$|usd|ht|ttc|k€)", re.IGNORECASE)
_NUMBER_CHARS_RE = re.compile(r"^[+-]?[0-9.,]+$")


def _clean_number_text(s: str) -> tuple[str, bool] | None:
    """``s`` without spaces, currency and sign, plus whether it was negative; None if not a number."""
    t = s.translate(_SPACES)
    neg = False
    if t.startswith("(") and t.endswith(")"):  # accounting negatives
        neg, t = True, t[1:-1]
    t = _CURRENCY_RE.sub("", t).strip()
    if t.endswith("-"):
        neg, t = True, t[:-1]
    if t[:1] in "+-" and t:
        neg, t = (neg != (t[0] == "-")), t[1:]
    if not t or not _NUMBER_CHARS_RE.match(t) or not any(c.isdigit() for c in t):
        return None
    return t, neg


def _decimal_evidence(t: str) -> str | None:
    """Which separator is the decimal one in ``t``, when ``t`` alone says so."""
    has_dot, has_comma = "." in t, "," in t
    if has_dot and has_comma:
        return "," if t.rfind(",") > t.rfind(".") else "."
    for sep, other in ((",", "."), (".", ",")):
        if sep in t:
            parts = t.split(sep)
            if len(parts) > 2:
                return other  # 1,234,567: this separator groups thousands
            if len(parts[1]) != 3 or parts[0] in ("", "0"):
                return sep  # 1234,5 / 0.250: a decimal separator
    return None  # "12,500" or "1.234": could be either


def _to_float(t: str, neg: bool, decimal: str) -> float | None:
    thousands = "." if decimal == "," else ","
    t = t.replace(thousands, "").replace(decimal, ".")
    try:
        x = float(t)
    except ValueError:
        return None
    return -x if neg else x


def _number_from_text(s: str, decimal: str | None = None) -> float | None:
    """A number from text written the French or the English way, or None.

    ``decimal`` is the column's decimal separator, used when the text alone
    cannot tell (``12,500``); without it such text is read the French way (12.5).
    """
    c = _clean_number_text(s)
    if c is None:
        return None
    t, neg = c
    # a cell that shows its own decimal separator (12,500.00) is read by it;
    # the column's decision only settles the ambiguous ones (12,500)
    return _to_float(t, neg, _decimal_evidence(t) or decimal or ",")


def _read_numbers(arr: np.ndarray, out: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
    """The cells Excel gives as numbers put into ``out`` at once (NaN stays NaN: an empty cell); the type
    code of every cell (``codes`` when the caller has them), for the caller to settle the others."""
    codes = type_codes(arr) if codes is None else codes
    numbers = np.flatnonzero((codes == INT) | (codes == FLOAT))
    out[numbers] = arr[numbers].astype(float)
    return codes


def parse_numbers(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Numbers (float64) from numbers or from French/English text with spaces and currency.

    The decimal separator is decided for the column: the cells that show it on
    their own (``12 500,00``, ``12,500.00``, ``1234,5``) vote and settle the
    ambiguous ones (``12,500``); with no vote, the French way (comma decimal).
    """
    arr = as_objects(cells)
    n = len(arr)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    repaired = np.zeros(n, dtype=bool)
    plain = re.compile(r"-?\d+(\.\d+)?")
    cleaned: list[tuple[int, str, bool, str | None]] = []  # (index, digits, negative, own evidence)
    votes = {",": 0, ".": 0}
    codes = _read_numbers(arr, out, codes)
    bad[(codes == BOOL) | (codes == DATETIME) | (codes == DATE) | (codes == TIME) | (codes == MISSING)] = True
    for i in np.flatnonzero((codes == TEXT) | (codes == UNKNOWN)).tolist():
        v = arr[i]
        if isinstance(v, str):
            t = v.strip()
            if not t:
                continue
            if plain.fullmatch(t):  # "12500" or "12500.5": a machine number, nothing to decide
                out[i] = float(t)
                continue
            c = _clean_number_text(t)
            if c is None:
                bad[i] = True
                continue
            e = _decimal_evidence(c[0])
            if e:
                votes[e] += 1
            cleaned.append((i, c[0], c[1], e))
        elif v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        elif _is_number(v):
            out[i] = float(v)
        else:
            bad[i] = True
    # the column's decimal separator settles the cells that cannot tell (12,500)
    decimal = "." if votes["."] > votes[","] else ","
    for i, t, neg, e in cleaned:
        x = _to_float(t, neg, e or decimal)
        if x is None:
            bad[i] = True
        else:
            out[i] = x
            repaired[i] = True
    return Parsed(pd.Series(out, dtype="float64"), bad, repaired, Message.of("quality.note.text_amounts"))


def parse_amounts(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Amounts: like :func:`parse_numbers` (negatives are kept; validation rejects them)."""
    return parse_numbers(cells, codes)


def parse_fractions(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Probabilities as fractions: ``25``, ``25 %``, ``0.25``, ``0,25`` all give 0.25.

    A cell with ``%`` is a percentage.  Otherwise the column decides: if every
    number in it is at most 1 the column holds fractions, else percentages
    (so a column of 0, 0.5, 1 stays as is, and 10, 50, 100 is divided by 100).
    Values outside 0..100 % are bad.
    """
    arr = as_objects(cells)
    n = len(arr)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    pct = np.zeros(n, dtype=bool)
    codes = _read_numbers(arr, out, codes)
    bad[(codes == BOOL) | (codes == DATETIME) | (codes == DATE) | (codes == TIME)] = True
    for i in np.flatnonzero((codes == TEXT) | (codes == UNKNOWN)).tolist():
        v = arr[i]
        if is_blank(v):
            continue
        if _is_number(v):
            out[i] = float(v)
        elif isinstance(v, str):
            s = v.strip()
            if s.endswith("%"):
                pct[i] = True
                s = s[:-1]
            x = _number_from_text(s)
            if x is None:
                bad[i] = True
            else:
                out[i] = x
        else:
            bad[i] = True
    plain = ~pct & ~np.isnan(out)
    as_percent = bool(plain.any() and np.nanmax(out[plain]) > 1)
    scale = pct | (plain & as_percent)
    out[scale] = out[scale] / 100.0
    oob = ~np.isnan(out) & ((out < 0) | (out > 1))
    bad |= oob
    out[oob] = np.nan
    # reading 75 as 75 % is the normal reading of a "Probability (%)" column, not a repair
    return Parsed(pd.Series(out, dtype="float64"), bad, np.zeros(n, dtype=bool))


# ------------------------------------------------------------------------- others

_TRUE = {"oui", "o", "vrai", "true", "yes", "y", "1", "x", "v", "actif", "active"}
_FALSE = {"non", "n", "faux", "false", "no", "0", "inactif", "inactive"}


def parse_bools(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Booleans from oui/non, vrai/faux, true/false, yes/no, 1/0 and ``x`` (a ticked box)."""
    arr = as_objects(cells)
    n = len(arr)
    out = np.empty(n, dtype=object)
    out[:] = pd.NA
    bad = np.zeros(n, dtype=bool)
    for i, v in enumerate(arr):
        if is_blank(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
        elif _is_number(v) and float(v) in (0.0, 1.0):
            out[i] = bool(float(v))
        else:
            f = fold(str(v))
            if f in _TRUE:
                out[i] = True
            elif f in _FALSE:
                out[i] = False
            else:
                bad[i] = True
    return Parsed(pd.Series(out, dtype="boolean"), bad, np.zeros(n, dtype=bool))


def parse_ints(cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Whole numbers (nullable ``Int64``); a number with a fractional part is bad."""
    p = parse_numbers(cells, codes)
    vals = p.values.to_numpy()
    frac = ~np.isnan(vals) & (np.floor(vals) != vals)
    vals = vals.copy()
    vals[frac] = np.nan
    return Parsed(pd.Series(vals).round().astype("Int64"), p.bad | frac, p.repaired, p.note)


PARSERS = {
    "text": parse_text,
    "key": parse_text,
    "choice": parse_text,
    "date": parse_dates,
    "amount": parse_amounts,
    "number": parse_numbers,
    "fraction": parse_fractions,
    "int": parse_ints,
    "bool": parse_bools,
}


def parse_column(kind: str, cells: Sequence[object], codes: np.ndarray | None = None) -> Parsed:
    """Parse ``cells`` as the schema column kind ``kind`` (see ``schema.DTYPES``); ``codes``: the type code
    of each cell (``cell_types.type_codes``) when the caller has them already."""
    return PARSERS[kind](cells, codes)
