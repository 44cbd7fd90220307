"""Targets in the shapes SMEs keep, cut into the canonical long table (pure).

DESIGN.md "Reading the client's own file": besides the canonical long table (period, scope_type,
scope_name, metric, value), a client keeps its targets as

* ``per_metric``: one row per rep (or team) and month, a value column named for its metric
  (« Objectif CA », « Objectif RDV », « Quota », « Objectif de facturation »...); several value
  columns are several metrics;
* ``wide_months``: one row per rep (or team), one column per month (« janv. », « Février 2025 »,
  « Jan-25 », « 2025-01 », « 01/2025 », an Excel date); total rows and total columns (« Total »,
  « Cumul », « T1 »/« Q1 ») are dropped, each in a warning;
* ``yearly``: one value per rep, team or company and year (« Objectif annuel », « Objectif 2025 »),
  spread over the twelve months of that fiscal year: by last year's monthly shares of won
  revenue when twelve months of history exist (the scope's own shares, the company's when the
  scope won fewer than :data:`MIN_WON_FOR_OWN_SHARES` deals), else evenly; Settings
  ``targets.spread`` = ``history`` | ``even`` chooses.  A rate (deal size, conversion...) is not
  spread: each month takes the yearly value.

The scope comes from the columns present (a rep column -> rep, a team column only -> team, neither
-> company); the metric from a metric column, else the value header, else the sheet name
(« Objectifs RDV »), else the title rows, else revenue.  A year absent from the month headers
comes from the sheet name, the title rows, a « Année » column, else the fiscal year of the
data's latest date; :attr:`GridReport.notes` says which, and the spread rule.

Row accounting: one Excel row of a wide or yearly table becomes several long rows, each carrying
its Excel row number; ``GridReport.data_rows`` lists one entry per long row, so kept + excluded +
merged still add up (``tests/support/ingest_checks.py`` counts them as a multiset).

Every decision runs over whole columns (the distinct header cells, ``Series.map`` over the distinct
values, ``melt``), never row by row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpicore.ingest.mapping import ColumnMapping, match_headers, table_for_name
from kpicore.ingest.parsing import fold, is_blank
from kpicore.ingest.validate import TablePart
from kpicore.model import schema
from kpicore.model.cells import column_letter
from kpicore.model.ingest_report import GridReport
from kpicore.model.messages import Message
from kpicore.model.periods import fiscal_start_month
from kpicore.model.quality import WARNING, Issue

LONG, PER_METRIC, WIDE_MONTHS, YEARLY = "long", "per_metric", "wide_months", "yearly"
HEADER_SEARCH_ROWS = 20
# a row of headers is a month row when at least this many of its cells are months
MIN_MONTH_HEADERS = 3
# below this many won deals last year, a scope takes the company's monthly shares
MIN_WON_FOR_OWN_SHARES = 10
SPREAD_KEY = "targets.spread"
SPREAD_HISTORY, SPREAD_EVEN = "history", "even"

_MONTHS = {
    1: ("janvier", "janv", "jan", "january"),
    2: ("fevrier", "fevr", "fev", "feb", "february", "fevrie"),
    3: ("mars", "mar", "march"),
    4: ("avril", "avr", "apr", "april"),
    5: ("mai", "may"),
    6: ("juin", "jun", "june"),
    7: ("juillet", "juil", "jul", "july"),
    8: ("aout", "aou", "aug", "august"),
    9: ("septembre", "sept", "sep", "september"),
    10: ("octobre", "oct", "october"),
    11: ("novembre", "nov", "november"),
    12: ("decembre", "dec", "december"),
}
_MONTH_OF_WORD = {w: m for m, words in _MONTHS.items() for w in words}
_NAME_YEAR = re.compile(r"([a-z]+)(?: (\d{4}|\d{2}))?")
_YEAR_RE = re.compile(r"(?<!\d)(?:fy\s?)?((?:19|20)\d{2})(?!\d)")

_REP_HEADERS = ("commercial", "commerciale", "commercial e", "commerciaux", "vendeur", "vendeuse", "rep",
                "sales rep", "salesperson", "owner", "proprietaire", "collaborateur", "nom", "name", "user",
                "utilisateur", "charge d affaires", "account manager", "deal owner", "opportunity owner",
                "responsable", "qui", "prenom nom", "nom prenom")
_TEAM_HEADERS = ("equipe", "equipe commerciale", "team", "sales team", "agence", "region", "service", "secteur",
                 "canal de vente", "bu", "business unit", "division")
_PERIOD_HEADERS = ("mois", "periode", "month", "period", "date", "mois cible", "mois de l objectif")
_YEAR_HEADERS = ("annee", "year", "exercice", "fiscal year", "an")
_METRIC_HEADERS = ("indicateur", "kpi", "mesure", "metric", "type d objectif", "nature")
_SCOPE_TYPE_HEADERS = ("niveau", "type de perimetre", "perimetre", "scope", "scope type", "level")
# not « budget »: a sheet « Budget » is as often the expenses budget (loyer, salaires) as a sales target
_TARGET_WORDS = ("objectif", "objectifs", "quota", "quotas", "target", "targets", "cible", "goal")
_YEARLY_WORDS = ("annuel", "annuelle", "annual", "yearly", "an", "annee", "year")
_TOTAL_ROW = re.compile(r"^(total|sous total|grand total|totaux|somme|sum|cumul|ensemble)\b")
_TOTAL_COL = re.compile(r"^(total|totaux|cumul|somme|sum|ytd|annuel|annee|year|an)\b|^(t|q|s|h)[1-4]\b|trimestre"
                        r"|quarter|semestre")

# metric from the words of a header or a sheet name, most specific first; KPI ids of
# kpicore/metrics/definitions.py (``revenue`` is the Targets name of ``revenue_won``)
_METRIC_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("average_deal_size", ("panier moyen", "panier", "average deal", "deal size", "ticket moyen")),
    ("proposal_conversion", ("taux de transformation", "transformation", "conversion")),
    ("win_rate", ("taux de succes", "win rate", "taux de gain")),
    ("sales_cycle_days", ("cycle",)),
    ("qualified_meetings_per_week", ("rdv par semaine", "rdv semaine", "rdv hebdo", "meetings per week")),
    ("qualified_meetings", ("rdv", "rendez vous", "rendez vous qualifies", "meetings", "meeting", "visites",
                            "visite", "rencontres")),
    ("proposals", ("propositions", "proposition", "devis", "offres", "offre", "proposals", "proposal", "quotes")),
    ("won_count", ("affaires gagnees", "signatures", "nombre de ventes", "nb ventes", "deals won", "contrats")),
    ("revenue", ("ca", "chiffre d affaires", "facturation", "revenue", "revenu", "ventes", "sales", "montant",
                 "marge", "commandes", "invoicing", "ca cible", "objectif", "quota", "target", "cible")),
)
# not summed over months: a yearly value of these is the value of every month
_RATE_METRICS = frozenset({"average_deal_size", "proposal_conversion", "win_rate", "sales_cycle_days",
                           "qualified_meetings_per_week"})
_KPI_IDS = frozenset(m for m, _ in _METRIC_WORDS) | {"revenue_won", "proposals_per_month", "coverage",
                                                     "open_pipeline", "weighted_pipeline", "meeting_to_proposal_rate"}

_FOUND_BY_SHEET = Message.of("quality.found_by.sheet_name")
_FOUND_BY_HEADERS = Message.of("quality.found_by.headers")


@dataclass(frozen=True)
class TargetsLayout:
    """Where a targets grid's header is and which shape it has (``long`` needs no cutting here)."""

    shape: str
    header_index: int  # 0-based in ``grid.rows``
    chosen_by: Message


# ------------------------------------------------------------------ words of headers and cells


def month_of(value: object) -> tuple[int | None, int] | None:
    """``(year or None, month)`` of a month header or cell: « janv. », « Février 2025 », « Jan-25 »,
    « 2025-01 », « 01/2025 », a date; None when it is not a month."""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.year, value.month
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?(?:[ T]00:00(?::00)?)?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(2)), int(m.group(1))
    f = fold(s)
    m = _NAME_YEAR.fullmatch(f)
    if not m or m.group(1) not in _MONTH_OF_WORD:
        return None
    year = m.group(2)
    if year is None:
        return None, _MONTH_OF_WORD[m.group(1)]
    return (int(year) + 2000 if len(year) == 2 else int(year)), _MONTH_OF_WORD[m.group(1)]


def metric_of(text: object) -> str | None:
    """The KPI id a header, a sheet name or a metric cell speaks of (« Objectif RDV » -> qualified_meetings)."""
    if is_blank(text):
        return None
    raw = str(text).strip()
    if raw in _KPI_IDS:
        return "revenue" if raw == "revenue_won" else raw
    f = f" {fold(raw)} "
    for metric, words in _METRIC_WORDS:
        if any(f" {w} " in f for w in words):
            return metric
    return None


_FILLERS = frozenset(_TARGET_WORDS + _YEARLY_WORDS + ("de", "du", "d", "des", "le", "la", "les", "mensuel",
                                                       "mensuelle", "monthly", "par", "mois", "fy"))


def header_metric(text: object, default: str | None) -> str | None:
    """The metric a value header or a sheet name names beyond its target words (« Objectif RDV » ->
    qualified_meetings, « Objectif de facturation » -> revenue); ``default`` when it names none
    (« Objectif », « Quota », « Objectif annuel 2025 »)."""
    if is_blank(text):
        return default
    rest = [w for w in fold(str(text)).split() if w not in _FILLERS and not _YEAR_RE.fullmatch(w)]
    return (metric_of(" ".join(rest)) if rest else None) or default


def _has_target_word(f: str) -> bool:
    return any(w in _TARGET_WORDS for w in f.split())


def _is_target_header(f: str) -> bool:
    words = f.split()
    return any(w in _TARGET_WORDS for w in words) or f in ("ca cible", "ca vise", "objectif de facturation")


def _is_yearly_header(f: str) -> bool:
    words = f.split()
    return _is_target_header(f) and (any(w in _YEARLY_WORDS for w in words) or bool(_YEAR_RE.search(f)))


def year_in(text: object) -> int | None:
    """A year written in a sheet name or a title (« Objectifs 2025 », « FY2025 »)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and float(text).is_integer() \
            and 1990 <= text <= 2100:
        return int(text)
    if not isinstance(text, str):
        return None
    m = _YEAR_RE.search(fold(text).replace("fy ", "fy"))
    return int(m.group(1)) if m else None


def _folded(row: Sequence[object]) -> list[str]:
    return [fold(c) if isinstance(c, str) else "" for c in row]


# ------------------------------------------------------------------ recognising the shape


def recognise(grid) -> TargetsLayout | None:
    """The shape of a grid (a ``grids.RawGrid``) that is a targets table in a non-long shape, else None (a
    canonical long table, or not targets at all: those go the usual way)."""
    by_name = table_for_name(grid.table_name) or table_for_name(grid.sheet) or _targets_sheet_name(grid.sheet)
    if by_name not in (None, "Targets"):
        return None  # a sheet named for another table (« Commerciaux » with a quota column stays Reps)
    named = by_name == "Targets"
    chosen_by = _FOUND_BY_SHEET if named else _FOUND_BY_HEADERS
    # a table of months by rep is also how a pivot of *actual* revenue looks: outside a sheet named for
    # targets, a target word must say so (in the header row, or a title row above it)
    titled = [r for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS])
              if any(isinstance(c, str) and _has_target_word(fold(c)) for c in row)]
    best: tuple[int, int, int, str] | None = None  # (shape rank, cells recognised, -row, shape)
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        f = _folded(row)
        texts = [x for x in f if x]
        if not texts and not any(isinstance(c, (datetime, date)) for c in row):
            continue
        months = sum(1 for c in row if _month_header(c))
        scope = any(x in _REP_HEADERS or x in _TEAM_HEADERS for x in f)
        period = any(x in _PERIOD_HEADERS for x in f)
        targets = [x for x in f if x and _is_target_header(x) and x not in _PERIOD_HEADERS]
        # three month columns and a word saying they are targets; on a sheet named for targets, two (or one
        # beside a rep or team column)
        said = named or bool(targets) or any(t < r for t in titled)
        if months >= MIN_MONTH_HEADERS and said or named and (months >= 2 or months and scope):
            cand = (3, months, -r, WIDE_MONTHS)
        else:
            long = match_headers("Targets", row, grid.first_col).mapped
            if {"period", "scope_type", "metric", "value"} <= set(long):
                return None  # the canonical table: read as it always was
            others = [x for x in texts if x not in _REP_HEADERS and x not in _TEAM_HEADERS
                      and x not in _PERIOD_HEADERS and x not in _YEAR_HEADERS and x not in _METRIC_HEADERS
                      and not _is_target_header(x) and metric_of(x) is None]
            if not targets or len(others) > 2 or len(texts) < 2 or not (scope or named or period):
                continue
            if not named and _another_table(row, grid.first_col):
                continue  # « Date | Commercial | Type | Objectif du RDV » is an activity log
            strength = len(texts) - len(others)
            if period:
                cand = (2, strength, -r, PER_METRIC)
            elif named or scope and any(_is_yearly_header(x) for x in targets):
                cand = (2, strength, -r, YEARLY)
            else:
                continue
        if best is None or cand > best:
            best = cand
    if best is None:
        return None
    return TargetsLayout(best[3], -best[2], chosen_by)


_OTHER_TABLES = ("Deals", "Activities", "CoVisits", "Actions", "StageHistory")


def _another_table(row: Sequence[object], first_col: int) -> bool:
    """The row holds every required column of another table."""
    for table in _OTHER_TABLES:
        m = match_headers(table, row, first_col)
        if m.required_found() == len(schema.TABLES[table].required):
            return True
    return False


def _month_header(cell: object) -> bool:
    """A header cell naming a month; a date counts only on the 1st (a deal's dates in a data row do not)."""
    if isinstance(cell, (datetime, date)):
        return cell.day == 1
    return month_of(cell) is not None


def _targets_sheet_name(sheet: str | None) -> str | None:
    """« Objectifs CA », « Objectifs RDV 2025 », « Quotas 2025 »: a targets sheet by its first word."""
    if not sheet:
        return None
    words = fold(sheet).split()
    return "Targets" if words and words[0] in _TARGET_WORDS else None


# ------------------------------------------------------------------ cutting into long rows


@dataclass
class _Body:
    """The data rows below the header as a frame of raw cells (column = position), indexed by Excel row."""

    frame: pd.DataFrame
    header: list[object]


def _body(grid, header_index: int) -> _Body:
    rows = grid.rows[header_index + 1:]
    header = list(grid.rows[header_index])
    width = max([len(header)] + [len(r) for r in rows]) if rows else len(header)
    header += [None] * (width - len(header))
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    index = pd.RangeIndex(grid.first_row + header_index + 1, grid.first_row + header_index + 1 + len(rows))
    frame = pd.DataFrame(padded, index=index, columns=range(width), dtype=object)
    return _Body(frame, header)


def _blank_mask(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.apply(lambda s: s.map(lambda v: is_blank(v)))
    return text.astype(bool)


def _find(header_f: list[str], words: tuple[str, ...]) -> int | None:
    return next((i for i, x in enumerate(header_f) if x in words), None)


def cut_targets(grid, frames: Mapping[str, pd.DataFrame], long: Callable[[], tuple[TablePart, GridReport, list]]
                ) -> tuple[TablePart, GridReport, list[Issue]]:
    """The canonical ``TablePart`` of a Targets grid in any shape, its report and its issues.

    ``frames`` are the tables validated so far (Settings, Deals, Reps: the yearly spread needs the won
    deals); ``long`` cuts a canonical long table the usual way (``grids._cut``)."""
    layout = recognise(grid)
    if layout is None or layout.shape == LONG:
        part, report, issues = long()
        return part, replace(report, shape=LONG), issues
    body = _body(grid, layout.header_index)
    header_f = _folded(body.header)
    # a header on two rows (« Commercial » above, the months below): an empty header cell takes the words
    # of the cell above it, within the title rows
    for above in reversed(grid.rows[max(0, layout.header_index - 2):layout.header_index]):
        words = _folded(list(above) + [None] * (len(header_f) - len(above)))
        header_f = [h or (w if w in _REP_HEADERS or w in _TEAM_HEADERS or w in _YEAR_HEADERS else "")
                    for h, w in zip(header_f, words)]
    blank = _blank_mask(body.frame)
    nonblank_rows = ~blank.all(axis=1)
    frame = body.frame.loc[nonblank_rows]
    blank = blank.loc[nonblank_rows]
    issues: list[Issue] = []
    notes: list[Message] = []
    settings = frames.get("settings")
    start = _fiscal_start(settings)

    rep_pos = _find(header_f, _REP_HEADERS)
    team_pos = _find(header_f, _TEAM_HEADERS)
    year_pos = _find(header_f, _YEAR_HEADERS)
    metric_pos = _find(header_f, _METRIC_HEADERS)
    if rep_pos is None and team_pos is None:
        # names under an empty header cell, left of the values (« | Janv. | Févr. » over « Alice | 10 | 11 »)
        free = [p for p, h in enumerate(header_f) if not h and not _month_header(body.header[p])]
        texts = {p: body.frame[p].map(lambda v: isinstance(v, str) and bool(v.strip())).mean() for p in free[:1]}
        rep_pos = next((p for p, share in texts.items() if share >= 0.5), None)
    label_pos = [p for p in (rep_pos, team_pos) if p is not None]

    # total rows: « Total », « Total équipe », « Cumul » in a label column, or a row of numbers only
    totals = pd.Series(False, index=frame.index)
    for p in label_pos + ([0] if not label_pos else []):
        col = frame[p]
        words = {v: bool(_TOTAL_ROW.match(fold(v))) for v in col.dropna().unique() if isinstance(v, str)}
        totals |= col.map(lambda v: words.get(v, False) if isinstance(v, str) else False).astype(bool)
    if label_pos:
        no_label = blank[label_pos].all(axis=1)
        numeric = frame.apply(lambda s: s.map(lambda v: is_blank(v) or (isinstance(v, (int, float))
                                                                          and not isinstance(v, bool))))
        totals |= no_label & numeric.astype(bool).all(axis=1)
    for r in totals[totals].index:
        issues.append(Issue(WARNING, "Targets", Message.of("targets.problem.total_row"),
                            Message.of("targets.fix.total_row"), grid.file, grid.sheet, int(r), "",
                            " | ".join(str(c) for c in frame.loc[r] if not is_blank(c))[:80]))
    frame = frame.loc[~totals]
    total_rows = tuple(int(r) for r in totals[totals].index)

    sheet_metric = header_metric(grid.sheet, None) if _targets_sheet_name(grid.sheet) or table_for_name(
        grid.sheet) else None
    title_cells = [c for row in grid.rows[:layout.header_index] for c in row if isinstance(c, str)]
    title_metric = next((m for m in (header_metric(c, None) for c in title_cells) if m), None)
    default_metric = sheet_metric or title_metric or "revenue"

    # scope of each row: a rep column -> rep; a team column only (or an empty rep cell) -> team; else company
    scope_type = pd.Series("company", index=frame.index, dtype=object)
    scope_name = pd.Series(None, index=frame.index, dtype=object)
    if team_pos is not None:
        has = ~blank.loc[frame.index, team_pos]
        scope_type[has] = "team"
        scope_name[has] = frame.loc[has, team_pos]
    if rep_pos is not None:
        has = ~blank.loc[frame.index, rep_pos]
        scope_type[has] = "rep"
        scope_name[has] = frame.loc[has, rep_pos]
    used = set(label_pos) | {p for p in (year_pos, metric_pos) if p is not None}
    mappings: list[ColumnMapping] = []
    for p, col in ((rep_pos, "scope_name"), (team_pos, "scope_name" if rep_pos is None else None),
                   (year_pos, None), (metric_pos, "metric")):
        if p is not None:
            mappings.append(ColumnMapping(p, column_letter(grid.first_col + p), str(body.header[p]), col))

    # the value columns of each shape: (position, period or None, metric)
    period_pos = _find(header_f, _PERIOD_HEADERS) if layout.shape == PER_METRIC else None
    year_source: Message | None = None
    values: list[tuple[int, tuple[int | None, int] | None, str]] = []
    if layout.shape == WIDE_MONTHS:
        for p, h in enumerate(body.header):
            mo = month_of(h)
            if mo is not None:
                values.append((p, mo, default_metric))
                used.add(p)
                mappings.append(ColumnMapping(p, column_letter(grid.first_col + p), str(h), "value"))
            elif p not in used and header_f[p] and _TOTAL_COL.search(header_f[p]):
                used.add(p)
                issues.append(Issue(WARNING, "Targets", Message.of("targets.problem.total_column"),
                                    Message.of("targets.fix.total_column"), grid.file, grid.sheet,
                                    grid.first_row + layout.header_index, str(h), ""))
    else:
        if period_pos is not None:
            used.add(period_pos)
            mappings.append(ColumnMapping(period_pos, column_letter(grid.first_col + period_pos),
                                          str(body.header[period_pos]), "period"))
        for p, h in enumerate(body.header):
            if p in used or not header_f[p] or not _is_target_header(header_f[p]) and metric_of(h) is None:
                continue
            m = header_metric(h, default_metric)
            values.append((p, None, m))
            used.add(p)
            mappings.append(ColumnMapping(p, column_letter(grid.first_col + p), str(h), "value"))

    # the long rows: one per (Excel row, value column) holding a value
    pieces = []
    for p, mo, metric in values:
        cells = frame[p]
        filled = ~blank.loc[frame.index, p]
        pieces.append(pd.DataFrame({"row": frame.index[filled], "pos": p, "value": cells[filled].to_numpy(),
                                    "metric": metric, "month": [mo] * int(filled.sum())}))
    # a row of a wide or yearly table with no value at all stays, value empty, to be excluded by name
    seen_rows = set().union(*[set(x["row"]) for x in pieces]) if pieces else set()
    empty_rows = [r for r in frame.index if r not in seen_rows]
    if empty_rows and values:
        p, mo, metric = values[0]
        pieces.append(pd.DataFrame({"row": empty_rows, "pos": p, "value": [None] * len(empty_rows),
                                    "metric": metric, "month": [mo] * len(empty_rows)}))
    long_rows = (pd.concat(pieces, ignore_index=True) if pieces else
                 pd.DataFrame({"row": [], "pos": [], "value": [], "metric": [], "month": []}))
    long_rows["scope_type"] = long_rows["row"].map(scope_type)
    long_rows["scope_name"] = long_rows["row"].map(scope_name)
    if metric_pos is not None:
        cell_metric = frame[metric_pos]
        by_value = {v: metric_of(v) for v in cell_metric.dropna().unique()}
        cm = long_rows["row"].map(cell_metric).map(lambda v: by_value.get(v) if not is_blank(v) else None)
        long_rows["metric"] = cm.where(cm.notna(), long_rows["metric"])

    if layout.shape == PER_METRIC:
        if period_pos is None:
            periods = pd.Series([None] * len(long_rows), dtype=object)
        else:
            raw = long_rows["row"].map(frame[period_pos])
            by_value = {v: month_of(v) for v in raw.dropna().unique()} if len(raw) else {}
            periods = raw.map(lambda v: _month_text(by_value.get(v), v, None, start) if not is_blank(v) else None)
            # a month without its year (« Mars »): the year column, else the sheet's year
            if periods.map(lambda x: x is not None and not _is_period(x)).any():
                year, year_source = _year_of(grid, layout, frames, start, frame, year_pos)
                rows_year = _row_years(long_rows, frame, year_pos, year)
                periods = pd.Series([_month_text(by_value.get(v), v, y, start) if not is_blank(v) else None
                                     for v, y in zip(raw, rows_year)], dtype=object)
        long_rows["period"] = periods.to_numpy()
        shape = PER_METRIC
    elif layout.shape == WIDE_MONTHS:
        need_year = any(mo[0] is None for _, mo, _ in values)
        year = None
        if need_year:
            year, year_source = _year_of(grid, layout, frames, start, frame, year_pos)
        rows_year = _row_years(long_rows, frame, year_pos, year)
        long_rows["period"] = [_fiscal_month(mo, y, start) for mo, y in zip(long_rows["month"], rows_year)]
        shape = WIDE_MONTHS
    else:
        year, year_source = _year_of(grid, layout, frames, start, frame, year_pos, values, body.header)
        rows_year = _row_years(long_rows, frame, year_pos, year)
        long_rows, spread_notes = _spread(long_rows, rows_year, frames, start, grid.sheet, settings)
        notes.extend(spread_notes)
        shape = YEARLY
    if year_source is not None:
        notes.append(year_source)

    rows = tuple(int(r) for r in long_rows["row"])
    header_of = {p: str(h) for p, h in enumerate(body.header)}
    value_headers = [header_of[p] for p, _, _ in values]
    value_header = value_headers[0] if len(value_headers) == 1 else (
        f"{value_headers[0]} … {value_headers[-1]}" if value_headers else "")
    columns = {"period": list(long_rows["period"]), "scope_type": list(long_rows["scope_type"]),
               "scope_name": list(long_rows["scope_name"]), "metric": list(long_rows["metric"]),
               "value": list(long_rows["value"])}
    headers: dict[str, str | Message] = {
        "period": header_of[period_pos] if period_pos is not None else (value_header or "period"),
        "scope_type": header_of.get(rep_pos if rep_pos is not None else team_pos, "") or Message.of(
            "targets.column.company"),
        "scope_name": header_of.get(rep_pos if rep_pos is not None else team_pos, "") or Message.of(
            "targets.column.company"),
        "metric": header_of[metric_pos] if metric_pos is not None else (value_header or "metric"),
        "value": value_header or "value"}
    found = tuple(str(h) for h in body.header if not is_blank(h))
    part = TablePart("Targets", grid.file, grid.sheet, rows, columns, headers, {}, found)
    report = GridReport(grid.file, grid.sheet, grid.table_name, "Targets", layout.chosen_by,
                        grid.first_row + layout.header_index, tuple(sorted(mappings, key=lambda c: c.position)),
                        rows, total_rows, shape=shape, notes=tuple(notes))
    return part, report, issues


def _is_period(text: object) -> bool:
    return isinstance(text, str) and bool(re.fullmatch(r"\d{4}-\d{2}", text))


def _fiscal_month(mo: tuple[int | None, int], fiscal_year: int | None, start: int) -> str | None:
    """``YYYY-MM`` of a month header; a month without a year falls in the fiscal year named."""
    y, m = mo
    if y is None:
        if fiscal_year is None:
            return None
        y = fiscal_year if m >= start else fiscal_year + 1
    return f"{y:04d}-{m:02d}"


def _month_text(mo: tuple[int | None, int] | None, raw: object, fiscal_year: int | None, start: int) -> object:
    """``YYYY-MM`` of a period cell, else the raw cell (validation then names it as unreadable)."""
    if mo is None:
        return raw
    text = _fiscal_month(mo, fiscal_year, start)
    return raw if text is None else text


def _fiscal_start(settings: pd.DataFrame | None) -> int:
    value = _setting(settings, ("fiscal_year_start_month", "fiscal_year_start", "fiscal_start_month"))
    try:
        return fiscal_start_month(value)
    except Exception:  # an unreadable setting is reported where the KPIs read it; here January
        return 1


def _setting(settings: pd.DataFrame | None, keys: Sequence[str]) -> str | None:
    if settings is None or not len(settings):
        return None
    k = settings["key"].astype(str).str.strip().str.lower()
    for key in keys:
        hit = settings.loc[k == key.lower(), "value"]
        if len(hit) and not pd.isna(hit.iloc[0]):
            return str(hit.iloc[0])
    return None


def _row_years(long_rows: pd.DataFrame, frame: pd.DataFrame, year_pos: int | None, year: int | None) -> list:
    """The year of each long row: its « Année » cell when the table has one, else ``year``."""
    if year_pos is None:
        return [year] * len(long_rows)
    cells = long_rows["row"].map(frame[year_pos])
    by_value = {v: year_in(v) for v in cells.dropna().unique()}
    return [by_value.get(v) or year if not is_blank(v) else year for v in cells]


def _year_of(grid, layout: TargetsLayout, frames: Mapping[str, pd.DataFrame], start: int, frame: pd.DataFrame,
             year_pos: int | None, values: Sequence | None = None, header: Sequence | None = None
             ) -> tuple[int | None, Message | None]:
    """The fiscal year of a table whose months have no year, and the note saying where it came from."""
    sheet = grid.sheet

    def said(source: str, year: int) -> Message:
        return Message.of("targets.note.year", sheet=sheet, year=str(year),
                          source=Message.of(f"targets.year_from.{source}"))

    for p, _, _ in values or ():
        y = year_in(header[p]) if header is not None else None
        if y:
            return y, None  # « Objectif 2025 »: the header says it
    if year_pos is not None and frame[year_pos].map(year_in).notna().all():
        return None, None  # every row says its year
    y = year_in(sheet)
    if y:
        return y, said("sheet", y)
    for row in grid.rows[:layout.header_index]:
        for c in row:
            y = year_in(c)
            if y:
                return y, said("title", y)
    if year_pos is not None:
        known = frame[year_pos].map(year_in).dropna()
        if len(known):
            return int(known.iloc[0]), said("column", int(known.iloc[0]))
    latest = _latest_date(frames.get("deals"))
    if latest is not None:
        fy = latest.year if latest.month >= start else latest.year - 1
        return fy, said("data", fy)
    today = date.today()
    fy = today.year if today.month >= start else today.year - 1
    return fy, said("today", fy)


def _latest_date(deals: pd.DataFrame | None) -> pd.Timestamp | None:
    if deals is None or not len(deals):
        return None
    dates = [deals[c].max() for c in ("created_on", "closed_on") if c in deals]
    dates = [d for d in dates if not pd.isna(d)]
    return max(dates) if dates else None


# ------------------------------------------------------------------ the yearly spread


def monthly_shares(deals: pd.DataFrame | None, fiscal_year: int, start: int, owners: Sequence[str] | None = None
                   ) -> tuple[np.ndarray | None, int]:
    """Each month's share of the won revenue of ``fiscal_year`` (12 values summing to 1), for the deals
    of ``owners`` (all when None), and how many won deals it rests on; None when no revenue was won."""
    if deals is None or not len(deals) or "closed_on" not in deals:
        return None, 0
    won = deals[(deals["status"] == "won") & deals["closed_on"].notna()]
    if owners is not None:
        won = won[won["owner"].isin(list(owners))]
    closed = pd.to_datetime(won["closed_on"])
    index = (closed.dt.year - fiscal_year) * 12 + closed.dt.month - start  # 0..11 inside the fiscal year
    inside = (index >= 0) & (index < 12)
    amounts = pd.to_numeric(won["amount"], errors="coerce").fillna(0.0)[inside]
    by_month = amounts.groupby(index[inside]).sum().reindex(range(12), fill_value=0.0).to_numpy(dtype=float)
    total = by_month.sum()
    if total <= 0:
        return None, int(inside.sum())
    return by_month / total, int(inside.sum())


def has_twelve_months(deals: pd.DataFrame | None, fiscal_year: int, start: int) -> bool:
    """The deals cover the whole fiscal year ``fiscal_year``: a date in its first month or before, and one
    in its last month or after."""
    if deals is None or not len(deals):
        return False
    dates = pd.concat([pd.to_datetime(deals[c]) for c in ("created_on", "closed_on") if c in deals])
    dates = dates.dropna()
    if not len(dates):
        return False
    first = pd.Timestamp(fiscal_year, start, 1)
    last_month = first + pd.DateOffset(months=11)
    return bool(dates.min() < first + pd.DateOffset(months=1) and dates.max() >= last_month)


def _spread(long_rows: pd.DataFrame, rows_year: list, frames: Mapping[str, pd.DataFrame], start: int,
            sheet: str, settings: pd.DataFrame | None) -> tuple[pd.DataFrame, list[Message]]:
    """Twelve monthly rows for each yearly row, by the rule of ``targets.spread`` (see the module)."""
    deals = frames.get("deals")
    reps = frames.get("reps")
    rule = (_setting(settings, (SPREAD_KEY,)) or SPREAD_HISTORY).strip().lower()
    rule = SPREAD_EVEN if rule in (SPREAD_EVEN, "egal", "egale", "uniforme", "equal") else SPREAD_HISTORY
    long_rows = long_rows.assign(year=rows_year)
    out = []
    notes: list[Message] = []
    for year, grp in long_rows.groupby("year", dropna=False, sort=True):
        if pd.isna(year):
            grp = grp.assign(period=None)
            out.append(grp)
            continue
        year = int(year)
        history = rule == SPREAD_HISTORY and has_twelve_months(deals, year - 1, start)
        company, _ = monthly_shares(deals, year - 1, start) if history else (None, 0)
        history = history and company is not None
        borrowed = 0
        name = grp["scope_name"].astype(object)
        keys = grp["scope_type"].astype(str) + "\x1f" + name.where(name.notna(), "").astype(str)
        first = grp.groupby(keys, sort=False, dropna=False)[["scope_type", "scope_name"]].first()
        shares_of: dict[str, np.ndarray] = {}
        for key, (stype, sname) in first.iterrows():  # one per scope, not per row
            if not history:
                shares_of[key] = np.full(12, 1 / 12)
                continue
            owners = None
            if stype == "rep":
                owners = [sname]
            elif stype == "team":
                owners = (list(reps.loc[reps["team"] == sname, "rep"]) if reps is not None and len(reps)
                          and "team" in reps else [])
            own, n = monthly_shares(deals, year - 1, start, owners) if owners is not None else (company, 99)
            if own is None or n < MIN_WON_FOR_OWN_SHARES:
                own = company
                borrowed += 1
            shares_of[key] = own
        months = [f"{y:04d}-{m:02d}" for y, m in ((year + (start - 1 + k) // 12, (start - 1 + k) % 12 + 1)
                                                   for k in range(12))]
        order = list(shares_of)
        matrix = np.vstack([shares_of[k] for k in order])[keys.map({k: i for i, k in enumerate(order)}).to_numpy()]
        rate = grp["metric"].isin(_RATE_METRICS).to_numpy()
        value = pd.to_numeric(grp["value"], errors="coerce").to_numpy(dtype=float)
        readable = np.isfinite(value)
        raw = grp["value"].to_numpy(dtype=object)
        for k in range(12):
            monthly = np.where(rate, value, value * matrix[:, k])
            # an unreadable yearly value stays as typed, so that validation names it
            cells = np.where(readable, monthly.astype(object), raw)
            out.append(grp.assign(period=months[k], value=cells))
        if history:
            code = "targets.note.spread_history_borrowed" if borrowed else "targets.note.spread_history"
        else:
            code = "targets.note.spread_even_setting" if rule == SPREAD_EVEN else "targets.note.spread_even"
        notes.append(Message.of(code, sheet=sheet, year=str(year), before=str(year - 1),
                                borrowed=borrowed, minimum=MIN_WON_FOR_OWN_SHARES))
        if rate.any():
            notes.append(Message.of("targets.note.rates_repeated", sheet=sheet))
    result = pd.concat(out, ignore_index=True) if out else long_rows.assign(period=None)
    return result.sort_values(["row", "pos"], kind="stable").reset_index(drop=True), notes  # months stay in order
