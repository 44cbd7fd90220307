"""Periods: day, ISO week, month, quarter, year, fiscal quarter, fiscal year.

A ``Period`` is a closed range of calendar days (``start`` and ``end`` both
included) with a kind and a French label.  Periods are written as codes:

==================  ==========================  ======================
code                kind                        French label
==================  ==========================  ======================
``2025-03-14``      ``day``                     14 mars 2025
``2025-W12``        ``week`` (ISO 8601)         Semaine 12 2025
``2025-03``         ``month``                   mars 2025
``2025-Q1``         ``quarter``                 T1 2025
``2025``            ``year``                    2025
``FY2025-Q1``       ``fiscal_quarter``          T1 exercice 2025-2026
``FY2025``          ``fiscal_year``             Exercice 2025-2026
==================  ==========================  ======================

Fiscal years are named after the calendar year in which they **start**: when
the fiscal year starts in April (``fiscal_start_month=4``), FY2025 runs from
2025-04-01 to 2026-03-31 and FY2025-Q1 is April-June 2025.  With the default
start in January a fiscal year is the calendar year (label "Exercice 2025").

``range`` periods (any start and end, ``Period.between``, code
``2025-03-01..2025-03-10``) exist for rolling windows such as "the last 4
weeks"; their ``previous()`` is the same number of days just before.

``parse_period`` also reads the words of :data:`RELATIVE_WORDS`, French or
English (``mois``/``month``, ``trimestre``/``quarter``, ``année``/``year``,
``semaine``/``week``, ``jour``/``day``): the period of that kind containing the
as-of date it is given.  It is the one reader of periods: the command line, the
cell functions and the forecast all go through it, so a word that works in one
works in all.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from kpicore.model.errors import UsageError

DAY, WEEK, MONTH, QUARTER, YEAR = "day", "week", "month", "quarter", "year"
FISCAL_QUARTER, FISCAL_YEAR, RANGE = "fiscal_quarter", "fiscal_year", "range"
KINDS = (DAY, WEEK, MONTH, QUARTER, YEAR, FISCAL_QUARTER, FISCAL_YEAR, RANGE)

# Length in months of the kinds that are made of whole months.
_MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12, FISCAL_QUARTER: 3, FISCAL_YEAR: 12}

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")

MONTHS_SHORT_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                   "nov.", "déc.")

DateLike = date | datetime | pd.Timestamp | str


def to_date(value: DateLike) -> date:
    """A ``datetime.date`` from a date, a Timestamp or an ISO string."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"date « {value} » illisible : écrivez-la AAAA-MM-JJ, par exemple 2025-03-14.") from None
    raise UsageError(f"date attendue, reçu {value!r}")


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _fr_date(d: date) -> str:
    return f"{d.day} {MONTHS_FR[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Period:
    """A closed range of days ``[start, end]`` of one kind, with its code and French label."""

    kind: str
    start: date
    end: date
    fiscal_start_month: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UsageError(f"type de période « {self.kind} » inconnu : choisissez parmi {', '.join(KINDS)}.")
        if self.end < self.start:
            raise UsageError(f"période vide : fin {self.end} avant début {self.start}.")

    # -- constructors ---------------------------------------------------
    @classmethod
    def day(cls, d: DateLike) -> "Period":
        d = to_date(d)
        return cls(DAY, d, d)

    @classmethod
    def week(cls, year: int, week: int) -> "Period":
        start = date.fromisocalendar(year, week, 1)
        return cls(WEEK, start, start + timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(MONTH, date(year, month, 1), _month_end(year, month))

    @classmethod
    def quarter(cls, year: int, q: int) -> "Period":
        m = 3 * (q - 1) + 1
        return cls(QUARTER, date(year, m, 1), _month_end(*_add_months(year, m, 2)))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def fiscal_year(cls, fy: int, fiscal_start_month: int = 1) -> "Period":
        end = _month_end(*_add_months(fy, fiscal_start_month, 11))
        return cls(FISCAL_YEAR, date(fy, fiscal_start_month, 1), end, fiscal_start_month)

    @classmethod
    def fiscal_quarter(cls, fy: int, q: int, fiscal_start_month: int = 1) -> "Period":
        y, m = _add_months(fy, fiscal_start_month, 3 * (q - 1))
        return cls(FISCAL_QUARTER, date(y, m, 1), _month_end(*_add_months(y, m, 2)), fiscal_start_month)

    @classmethod
    def between(cls, start: DateLike, end: DateLike) -> "Period":
        return cls(RANGE, to_date(start), to_date(end))

    @classmethod
    def containing(cls, kind: str, d: DateLike, fiscal_start_month: int = 1) -> "Period":
        """The period of ``kind`` that contains the day ``d``."""
        d = to_date(d)
        if kind == DAY:
            return cls.day(d)
        if kind == WEEK:
            iso = d.isocalendar()
            return cls.week(iso.year, iso.week)
        if kind == MONTH:
            return cls.month(d.year, d.month)
        if kind == QUARTER:
            return cls.quarter(d.year, (d.month - 1) // 3 + 1)
        if kind == YEAR:
            return cls.year(d.year)
        if kind in (FISCAL_YEAR, FISCAL_QUARTER):
            fy = d.year if d.month >= fiscal_start_month else d.year - 1
            if kind == FISCAL_YEAR:
                return cls.fiscal_year(fy, fiscal_start_month)
            months_in = (d.month - fiscal_start_month) % 12
            return cls.fiscal_quarter(fy, months_in // 3 + 1, fiscal_start_month)
        raise UsageError(f"type de période « {kind} » sans période englobante.")

    # -- arithmetic -----------------------------------------------------
    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.end)

    @property
    def day_one(self) -> pd.Timestamp:
        """The period's first working day (Monday to Friday; public holidays are the company's own):
        the day a forecast of the whole period is first made and judged."""
        day = self.start_ts
        while day.weekday() >= 5:
            day += pd.Timedelta(days=1)
        return day

    def contains(self, d: DateLike) -> bool:
        return self.start <= to_date(d) <= self.end

    def is_over(self, as_of: DateLike) -> bool:
        return to_date(as_of) >= self.end

    def days_elapsed(self, as_of: DateLike) -> int:
        """Days of the period up to ``as_of`` included: 0 before it starts, ``days`` once over."""
        d = to_date(as_of)
        if d < self.start:
            return 0
        if d >= self.end:
            return self.days
        return (d - self.start).days + 1

    def shift(self, n: int) -> "Period":
        """The period ``n`` steps later (``n`` < 0: earlier) of the same kind."""
        if n == 0:
            return self
        if self.kind in (DAY, WEEK, RANGE):
            step = {DAY: 1, WEEK: 7}.get(self.kind, self.days)
            delta = timedelta(days=step * n)
            return Period(self.kind, self.start + delta, self.end + delta, self.fiscal_start_month)
        months = _MONTHS[self.kind] * n
        y, m = _add_months(self.start.year, self.start.month, months)
        ey, em = _add_months(y, m, _MONTHS[self.kind] - 1)
        return Period(self.kind, date(y, m, 1), _month_end(ey, em), self.fiscal_start_month)

    def previous(self) -> "Period":
        return self.shift(-1)

    def next(self) -> "Period":
        return self.shift(1)

    def trailing(self, n: int) -> tuple["Period", ...]:
        """The last ``n`` periods of this kind, oldest first, ending with this one."""
        if n < 1:
            raise UsageError("le nombre de périodes doit être au moins 1.")
        return tuple(self.shift(k) for k in range(-(n - 1), 1))

    def months(self) -> tuple["Period", ...]:
        """The calendar months the period overlaps, oldest first."""
        out = []
        cur = Period.month(self.start.year, self.start.month)
        while cur.start <= self.end:
            out.append(cur)
            cur = cur.next()
        return tuple(out)

    # -- names ----------------------------------------------------------
    @property
    def fiscal_year_number(self) -> int:
        """The fiscal year (named after the calendar year it starts in) holding ``start``."""
        s = self.start
        return s.year if s.month >= self.fiscal_start_month else s.year - 1

    @property
    def fiscal_year_name(self) -> str:
        """``2025`` for a calendar fiscal year, ``2025-2026`` for one starting in another month."""
        fy = self.fiscal_year_number
        return str(fy) if self.fiscal_start_month == 1 else f"{fy}-{fy + 1}"

    @property
    def code(self) -> str:
        """The text ``parse_period`` reads back (``range``: ``START..END``)."""
        s = self.start
        if self.kind == DAY:
            return s.isoformat()
        if self.kind == WEEK:
            iso = s.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        if self.kind == MONTH:
            return f"{s.year}-{s.month:02d}"
        if self.kind == QUARTER:
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(s.year)
        if self.kind == FISCAL_YEAR:
            return f"FY{self.fiscal_year_number}"
        if self.kind == FISCAL_QUARTER:
            q = ((s.month - self.fiscal_start_month) % 12) // 3 + 1
            return f"FY{self.fiscal_year_number}-Q{q}"
        return f"{s.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """French label: ``Semaine 12 2025``, ``mars 2025``, ``T1 2025``, ``Exercice 2025-2026``."""
        s = self.start
        if self.kind == DAY:
            return _fr_date(s)
        if self.kind == WEEK:
            iso = s.isocalendar()
            return f"Semaine {iso.week} {iso.year}"
        if self.kind == MONTH:
            return f"{MONTHS_FR[s.month - 1]} {s.year}"
        if self.kind == QUARTER:
            return f"T{(s.month - 1) // 3 + 1} {s.year}"
        if self.kind == YEAR:
            return str(s.year)
        if self.kind == FISCAL_YEAR:
            return f"Exercice {self.fiscal_year_name}"
        if self.kind == FISCAL_QUARTER:
            q = ((s.month - self.fiscal_start_month) % 12) // 3 + 1
            return f"T{q} exercice {self.fiscal_year_name}"
        return f"du {_fr_date(s)} au {_fr_date(self.end)}"

    @property
    def short_label(self) -> str:
        """Compact label for chart axes: ``S12``, ``mars 25``, ``T1 25``."""
        if self.kind == WEEK:
            return f"S{self.start.isocalendar().week}"
        if self.kind == MONTH:
            return f"{MONTHS_SHORT_FR[self.start.month - 1]} {self.start.year % 100:02d}"
        return self.label

    def __str__(self) -> str:
        return self.code


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), DAY),
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.I), WEEK),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.I), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^FY(\d{4})-Q([1-4])$", re.I), FISCAL_QUARTER),
    (re.compile(r"^FY(\d{4})$", re.I), FISCAL_YEAR),
)

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

# The period of this kind that contains the as-of date.  Calendar kinds only: « trimestre » is the
# calendar quarter whatever the fiscal year, as a manager says it; fiscal periods are written FY....
RELATIVE_WORDS: dict[str, str] = {
    "jour": DAY, "day": DAY,
    "semaine": WEEK, "week": WEEK,
    "mois": MONTH, "month": MONTH,
    "trimestre": QUARTER, "quarter": QUARTER,
    "année": YEAR, "annee": YEAR, "year": YEAR,
}

_HELP = ("écrivez 2025-03-14 (jour), 2025-W12 (semaine ISO), 2025-03 (mois), 2025-Q1 (trimestre), "
         "2025 (année), FY2025-Q1 ou FY2025 (exercice), 2025-03-01..2025-03-10 (du ... au ...), "
         "ou jour, semaine, mois, trimestre, année (celle de la date de référence)")


def parse_period(text: str | Period, fiscal_start_month: int = 1, *, as_of: DateLike | None = None) -> Period:
    """Read a period code or a relative word (see the module docstring); ``Period`` values pass through.

    ``fiscal_start_month`` (1-12) only matters for ``FY...`` codes: FY2025 with a
    start in April is 2025-04-01..2026-03-31.  A word of :data:`RELATIVE_WORDS`
    is the period of its kind containing ``as_of``, which it then requires.
    """
    if isinstance(text, Period):
        return text
    if not 1 <= int(fiscal_start_month) <= 12:
        raise UsageError(f"mois de début d'exercice {fiscal_start_month} invalide : donnez un mois de 1 à 12.")
    raw = str(text).strip()
    kind = RELATIVE_WORDS.get(unicodedata.normalize("NFC", raw).lower())
    if kind is not None:
        if as_of is None:
            raise UsageError(f"période « {raw} » : elle se lit par rapport à une date de référence, "
                             "donnez-la (ou écrivez la période, ex. 2025-03).")
        return Period.containing(kind, as_of, fiscal_start_month)
    m = _RANGE.match(raw)
    if m:
        try:
            return Period.between(date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2)))
        except ValueError:
            pass
    for pattern, kind in _PATTERNS:
        m = pattern.match(raw)
        if not m:
            continue
        try:
            nums = [int(g) for g in m.groups()]
            if kind == DAY:
                return Period.day(date(*nums))
            if kind == WEEK:
                return Period.week(*nums)
            if kind == MONTH:
                return Period.month(*nums)
            if kind == QUARTER:
                return Period.quarter(*nums)
            if kind == YEAR:
                return Period.year(nums[0])
            if kind == FISCAL_QUARTER:
                return Period.fiscal_quarter(nums[0], nums[1], fiscal_start_month)
            return Period.fiscal_year(nums[0], fiscal_start_month)
        except ValueError:
            break  # e.g. 2025-13 or 2025-W54: right shape, impossible value
    raise UsageError(f"période « {raw} » illisible : {_HELP}.")


def fiscal_start_month(data_setting: str | None) -> int:
    """The fiscal start month from the Settings value (``4``, ``04``, ``avril``, ``april``); 1 when absent."""
    if data_setting is None or str(data_setting).strip() == "":
        return 1
    text = str(data_setting).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    english = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
    for names in (MONTHS_FR, english):
        if text in names:
            return names.index(text) + 1
    raise UsageError(f"début d'exercice « {data_setting} » illisible : donnez un mois (1 à 12 ou son nom).")
