"""From the raw grids of a client's file to ``PipelineData`` (pure: the reader lives
in ``workbook_templates.reading``).

For each grid (a sheet, or an Excel Table's exact range) the ingest:

1. picks the canonical table: the Excel Table's name first (``Deals``), then the
   sheet's name (« Affaires »), then the headers;
2. finds the header row among the first :data:`HEADER_SEARCH_ROWS` rows: the row
   that maps best onto the table (title rows above it are skipped; the empty
   cells a merged header leaves beside it become unnamed columns, kept only if
   they hold data);
3. drops empty rows and total rows (« Total », « TOTAL GÉNÉRAL », « Sous-total »,
   or a row with only numbers and no id), each total row named in a warning;
4. hands the rows to ``kpicore.ingest.validate`` table by table: Settings first (they
   may fix the mapping of the others), then Stages (status and stage spelling
   of the deals), then the rest.

Grids that match no table are listed in :attr:`IngestReport.ignored`; a file
where nothing matches raises ``InputFileError`` naming the sheets and the
headers seen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData
from kpicore.model.errors import InputFileError, place
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.cells import column_letter
from kpicore.model.ingest_report import GridReport, IngestReport, PersonChoices
from kpicore.ingest.mapping import (ColumnMapping, HeaderMatch, headers_seen, match_headers, overrides_from_settings,
                             table_for_name)
from kpicore.ingest.parsing import fold, is_blank
from kpicore.model.quality import WARNING, Issue, QualityReport
from kpicore.ingest.names import merge_names
from kpicore.ingest.validate import RowOutcome, TablePart, validate_table
from kpicore.ingest.targets_shapes import cut_targets, recognise as recognise_targets

HEADER_SEARCH_ROWS = 20
# A grid is taken for a table without a name telling so only when its headers
# give at least this score (a required column counts 2, another 1) ...
MIN_SCORE = 4
# ... and at least this many columns of the table.
MIN_COLUMNS = 2

_ATTR_OF_TABLE = {t.name: attr for attr, t in ATTRIBUTES.items()}
# Settings decide the mapping of the others, Stages decide deals' status: read them first.
_ORDER = ["Settings", "Stages"] + [t for t in schema.TABLES if t not in ("Settings", "Stages")]
_TOTAL_WORDS = ("total", "sous total", "grand total", "total general", "totaux", "somme", "sum")


@dataclass(frozen=True)
class RawGrid:
    """Cells of one sheet or one Excel Table, as the reader gives them.

    ``rows`` hold ``str``, ``float``, ``int``, ``bool``, ``datetime``/``date`` or
    ``None``; ``first_row`` is the Excel row number of ``rows[0]`` and
    ``first_col`` the Excel column number of each row's first cell.
    """

    file: str
    sheet: str
    rows: list[list[object]]
    first_row: int = 1
    table_name: str | None = None
    first_col: int = 1


@dataclass
class _Located:
    grid: RawGrid
    table: str
    chosen_by: Message
    header_index: int
    match: HeaderMatch


def _width(rows: Sequence[Sequence[object]]) -> int:
    return max((len(r) for r in rows), default=0)


def _best_header(grid: RawGrid, tables: Sequence[str], overrides: dict[str, dict[str, str]]
                 ) -> tuple[int, HeaderMatch] | None:
    best: tuple[tuple[int, int, int], int, HeaderMatch] | None = None
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 1:
            continue
        for t in tables:
            m = match_headers(t, row, grid.first_col, overrides.get(t))
            score = (m.score(), m.required_found(), -r)
            if best is None or score > best[0]:
                best = (score, r, m)
    if best is None or best[0][0] == 0:
        return None
    return best[1], best[2]


FOUND_BY_TABLE = Message.of("quality.found_by.excel_table")
FOUND_BY_SHEET = Message.of("quality.found_by.sheet_name")
FOUND_BY_HEADERS = Message.of("quality.found_by.headers")
# str(InputFileError) stays French for the edges that print it as it is (errors.py); the same
# reasons reach the other edges as messages (InputFileError.said)
_IGNORED_FR = {"quality.ignored.empty": "feuille vide", "quality.ignored.no_header": "aucun en-tête reconnu",
               "quality.ignored.too_few_headers": "en-têtes insuffisants pour reconnaître une table",
               "quality.ignored.own_sheet": "feuille écrite par Pilotage"}


def locate(grid: RawGrid, overrides: dict[str, dict[str, str]] | None = None) -> _Located | Message:
    """The table and header row of a grid, or why it matches none (a ``quality.ignored.*`` message)."""
    overrides = overrides or {}
    if not any(any(not is_blank(c) for c in r) for r in grid.rows):
        return Message.of("quality.ignored.empty")
    shaped = recognise_targets(grid)  # targets per month, per metric or per year (targets_shapes)
    if shaped is not None:
        row = grid.rows[shaped.header_index]
        return _Located(grid, "Targets", shaped.chosen_by, shaped.header_index,
                        match_headers("Targets", row, grid.first_col, overrides.get("Targets")))
    for hint, how in ((grid.table_name, FOUND_BY_TABLE), (grid.sheet, FOUND_BY_SHEET)):
        t = table_for_name(hint)
        if t:
            found = _best_header(grid, [t], overrides)
            if found and found[1].mapped:
                return _Located(grid, t, how, found[0], found[1])
    found = _best_header(grid, [t for t in schema.TABLES if t != "PipelineSnapshots"], overrides)
    if found is None:
        return Message.of("quality.ignored.no_header")
    r, m = found
    if m.score() < MIN_SCORE or len(m.mapped) < MIN_COLUMNS or m.required_found() == 0:
        return Message.of("quality.ignored.too_few_headers")
    return _Located(grid, m.table, FOUND_BY_HEADERS, r, m)


def _is_total(row: Sequence[object], key_positions: Sequence[int]) -> bool:
    """A total row: « Total… » among its first texts, or only numbers and no id."""
    seen = 0
    for c in row:
        if type(c) is str:
            t = c.lstrip()
            if not t:
                continue
            # cheap first-letter test before folding: every total word starts with t, s or g
            if t[0] in "TtSsGg":
                f = fold(t)
                if any(f == w or f.startswith(w + " ") for w in _TOTAL_WORDS):
                    return True
            seen += 1
            if seen == 3:
                break
    if key_positions and all(p >= len(row) or is_blank(row[p]) for p in key_positions):
        filled = [c for c in row if not is_blank(c)]
        return bool(filled) and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in filled)
    return False


def _blank_row(row: Sequence[object]) -> bool:
    # list.count runs in C: a row of "" and None (what readers give for empty cells) is
    # settled without a Python loop; whitespace-only or NaN cells take the slow check
    k = row.count("") + row.count(None)
    return k == len(row) or all(is_blank(c) for c in row)


def _cut(loc: _Located) -> tuple[TablePart, GridReport, list[Issue]]:
    """Data rows of a located grid as a ``TablePart`` (raw cells per column)."""
    g, m = loc.grid, loc.match
    body = g.rows[loc.header_index + 1:]
    width = max(_width(body), len(m.columns))
    table = schema.TABLES[loc.table]
    cols = list(m.columns)
    # a header row shorter than the data: the columns beyond it have no header
    for pos in range(len(cols), width):
        cols.append(ColumnMapping(pos, column_letter(g.first_col + pos), "", None))
    key_pos = [c.position for c in cols if c.column in table.key] if table.key else []
    rows: list[int] = []
    data: list[Sequence[object]] = []
    totals: list[int] = []
    issues: list[Issue] = []
    for k, row in enumerate(body):
        excel_row = g.first_row + loc.header_index + 1 + k
        if _blank_row(row):
            continue
        if _is_total(row, key_pos):
            totals.append(excel_row)
            issues.append(Issue(WARNING, loc.table, Message.of("quality.problem.total_row"),
                                Message.of("quality.fix.total_row"), g.file, g.sheet,
                                excel_row, "", " | ".join(str(c) for c in row if not is_blank(c))[:80]))
            continue
        rows.append(excel_row)
        data.append(row)

    # rows padded to one width, then transposed in C (zip) rather than cell by cell
    padded = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in data]
    transposed = list(zip(*padded)) if padded else [()] * width

    def column_cells(pos: int) -> list[object]:
        return list(transposed[pos]) if padded else []

    columns: dict[str, list] = {}
    headers: dict[str, str | Message] = {}
    extras: dict[str, list] = {}
    kept_cols = []
    for c in cols:
        cells = column_cells(c.position)
        if c.column:
            columns[c.column] = cells
            # a column without a header is named by its letter, in the reader's language
            headers[c.column] = c.header or Message.of("check.column_letter", letter=c.letter)
            kept_cols.append(c)
            continue
        if not c.header and all(is_blank(v) for v in cells):
            continue  # the empty cells beside a merged header, or an empty column
        name = c.header or f"Colonne {c.letter}"
        base, n = name, 2
        while name in extras or name in table._by_name:
            name, n = f"{base} ({n})", n + 1
        extras[name] = cells
        kept_cols.append(c)
    found = tuple(c.header for c in cols if c.header)
    part = TablePart(loc.table, g.file, g.sheet, tuple(rows), columns, headers, extras, found)
    report = GridReport(g.file, g.sheet, g.table_name, loc.table, loc.chosen_by,
                        g.first_row + loc.header_index, tuple(kept_cols), tuple(rows), tuple(totals))
    return part, report, issues


_OWN_SHEETS = frozenset(name.casefold() for name in schema.OUTPUT_SHEETS)


def ingest(grids: Sequence[RawGrid], source: str = "", settings: Mapping[str, str] | None = None,
           choices: PersonChoices | None = None) -> PipelineData:
    """The canonical data of the grids of one or more files, with the quality report.

    ``settings`` are extra Settings rows (key -> value) given from outside the
    file, e.g. ``{"mapping.Deals.owner": "Sales Rep"}`` from the command line
    for a CSV that has no Settings sheet; the file's own Settings win.
    ``choices`` are a person's choices from « Correspondances »: they win over the Settings and
    over every guess.
    Raises ``InputFileError`` when no grid matches any table.
    """
    given = overrides_from_settings(pd.DataFrame({"key": list(settings or {}), "value": list((settings or {}).values())}))
    overrides: dict[str, dict[str, str]] = {t: dict(m) for t, m in given.items()}
    person = _person_overrides(choices)
    for t, m in person.items():
        overrides.setdefault(t, {}).update(m)
    located: dict[int, _Located] = {}
    ignored: dict[int, Message] = {}
    for k, g in enumerate(grids):
        if g.sheet.casefold() in _OWN_SHEETS:
            # the product's own output (cockpit, quality sheet, forecast history): never client data,
            # though its headers may look like a table's
            ignored[k] = Message.of("quality.ignored.own_sheet")
            continue
        loc = locate(g, overrides)
        if isinstance(loc, Message):
            ignored[k] = loc
        else:
            located[k] = loc
    if not located:
        raise InputFileError(_nothing_message(grids, ignored), file=source or (grids[0].file if grids else ""),
                             fix="Nommez les colonnes comme le modèle Pilotage (N° affaire, Client, Commercial, "
                                 "Étape, Montant HT, Date de création…) ou indiquez-les dans la feuille "
                                 "Paramètres (mapping.Deals.amount = <en-tête>).",
                             said=_nothing_said(grids, ignored), fix_said=Message.of("quality.fix.no_table"))
    issues: list[Issue] = []
    frames: dict[str, pd.DataFrame] = {}
    reports: dict[int, GridReport] = {}
    stages: pd.DataFrame | None = None
    labels: list = []  # LabelChoice of every vocabulary column
    notes: list[Message] = []
    for table in _ORDER:
        ks = [k for k, loc in located.items() if loc.table == table]
        if not ks:
            continue
        if table != "Settings" and overrides.get(table):
            # Settings may name headers the synonyms missed: look for this table's header again
            for k in ks:
                again = _best_header(located[k].grid, [table], overrides)
                if again:
                    located[k] = _Located(located[k].grid, table, located[k].chosen_by, again[0], again[1])
        parts = []
        for k in ks:
            part, rep, extra = (cut_targets(located[k].grid, frames, lambda: _cut(located[k])) if table == "Targets"
                                else _cut(located[k]))
            parts.append(part)
            reports[k] = rep
            issues.extend(extra)
        if table not in ("Settings", "Stages") and stages is None:
            stages = schema.default_stages()  # what PipelineData will carry: spell stages like it
        result = validate_table(table, parts, stages if table != "Stages" else None, choices)
        issues.extend(result.issues)
        labels.extend(result.labels)
        notes.extend(result.notes)
        for k, outcome in zip(ks, result.outcomes):
            reports[k] = _with_outcome(reports[k], outcome)
        frames[_ATTR_OF_TABLE[table]] = result.frame
        if table == "Settings":
            for t, m in overrides_from_settings(result.frame).items():
                overrides.setdefault(t, {}).update(m)
            for t, m in person.items():  # a person's choice wins over the file's Settings
                overrides[t].update(m)
        if table == "Stages":
            stages = result.frame if len(result.frame) else None
    if "stages" in frames and not len(frames["stages"]):
        frames.pop("stages")  # an empty Stages sheet: PipelineData's default stages stay
    for k, why in ignored.items():
        g = grids[k]
        reports[k] = GridReport(g.file, g.sheet, g.table_name, None, why, None,
                                headers_seen=tuple(headers_seen(g.rows[:HEADER_SEARCH_ROWS])))
    present = frozenset(loc.table for loc in located.values())
    # one person, several spellings: proposed as one, merged only where a person accepted it
    frames, variants = merge_names(frames, choices)
    return PipelineData(**frames, quality=QualityReport(issues), source=source or grids[0].file,
                        present=present, ingest=IngestReport(tuple(reports[k] for k in sorted(reports)),
                                                             tuple(labels), variants, tuple(notes)))


def _person_overrides(choices: PersonChoices | None) -> dict[str, dict[str, str]]:
    """``{table: {column: header}}`` of the headers a person chose in « Correspondances »; "" (« (aucune) »)
    matches no header, so that column takes none of the file's, not even a known one."""
    out: dict[str, dict[str, str]] = {}
    for (table, column), header in (choices.columns.items() if choices else ()):
        out.setdefault(table, {})[column] = header
    return out


def _with_outcome(rep: GridReport, o: RowOutcome) -> GridReport:
    return replace(rep, kept=o.kept, excluded=o.excluded, merged=o.merged)


def _nothing_message(grids: Sequence[RawGrid], ignored: dict[int, Message]) -> str:
    lines = ["aucune table reconnue (affaires, activités, objectifs…)."]
    for k, g in enumerate(grids):
        where = f"feuille « {g.sheet} »" + (f", table « {g.table_name} »" if g.table_name else "")
        seen = headers_seen(g.rows[:HEADER_SEARCH_ROWS], limit=1)
        why = _IGNORED_FR.get(ignored[k].code, "") if k in ignored else ""
        lines.append(f"  - {where} : {why}" + (f" ; en-têtes vus : {seen[0]}" if seen else ""))
    return "\n".join(lines)


def _nothing_said(grids: Sequence[RawGrid], ignored: dict[int, Message]) -> Message:
    """The same as ``_nothing_message``, as messages: no table, then each sheet and why it was ignored."""
    sheets = []
    for k, g in enumerate(grids):
        seen = headers_seen(g.rows[:HEADER_SEARCH_ROWS], limit=1)
        where = place(sheet=g.sheet)
        if g.table_name:
            where = chained("quality.list", [where, Message.of("quality.place.excel_table", name=g.table_name)])
        sheets.append(Message.of("quality.no_table.sheet", where=where, why=ignored.get(k, ""),
                                 seen=Message.of("quality.no_table.seen", headers=seen[0]) if seen else ""))
    return Message.of("quality.no_table", sheets=chained("quality.lines", sheets) or "")
