"""From the raw grids of a client's file to ``PipelineData`` (pure: the reader lives
in ``workbook_templates.reading``).

For each grid (a sheet, or an Excel Table's exact range) the ingest:

1. picks the canonical table: the Excel Table's name first (``Deals``), then the
   sheet's name (« Affaires »), then the headers and the values below them (a sheet
   called "Export" or "Sheet1" is taken for what its columns prove);
2. finds the header row among the first :data:`HEADER_SEARCH_ROWS` rows: the row
   that maps best onto the table (title rows above it are skipped, such as the dozen
   rows of a Salesforce report's header; the empty cells a merged header leaves beside
   it become unnamed columns, kept only if they hold data).  Each column is mapped by
   ``mapping.recognise``: a person's choice, a Settings key, a known header, then
   evidence from its words and its values (``kpicore.ingest.evidence``);
3. drops empty rows, total rows (« Total », « TOTAL GÉNÉRAL », « Sous-total »,
   "Grand Totals (12 records)", or a row with only numbers and no id) and a report's
   footer ("Confidential Information - Do Not Distribute"), each named in a warning;
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

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData
from kpicore.model.errors import InputFileError, place
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.cells import column_letter
from kpicore.model.ingest_report import GUESS_BELOW, GridReport, IngestReport, PersonChoices
from kpicore.ingest import evidence as ev
from kpicore.ingest.mapping import (ColumnMapping, HeaderMatch, headers_seen, match_headers, overrides_from_settings,
                                    recognise,
                                    table_for_name)
from kpicore.ingest.column_rows import rows_width
from kpicore.ingest.parsing import is_blank
from kpicore.ingest.row_kinds import DATA, FOOTER, classify_rows, furniture_from
from kpicore.model.quality import WARNING, Issue, QualityReport
from kpicore.ingest.names import merge_names
from kpicore.ingest.validate import RowOutcome, TablePart, validate_table
from kpicore.ingest.targets_shapes import cut_targets, recognise as recognise_targets

HEADER_SEARCH_ROWS = 20
# The rows (among those) best scored on their words whose values are looked at too.
PROFILED_ROWS = 3
PROFILED_SHARE = 0.5
# A grid is taken for a table without a name telling so only when its headers
# give at least this score (a required column counts 2, another 1) ...
MIN_SCORE = 4
# ... and at least this many columns of the table.
MIN_COLUMNS = 2

_ATTR_OF_TABLE = {t.name: attr for attr, t in ATTRIBUTES.items()}
# Settings decide the mapping of the others, Stages decide deals' status: read them first.
_ORDER = ["Settings", "Stages"] + [t for t in schema.TABLES if t not in ("Settings", "Stages")]


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


def _profiles(grid: RawGrid, header_index: int) -> ev.Profiles:
    """What the values below a header row look like, column by column (a sample: ``evidence.SAMPLE`` rows),
    each looked at only when asked for."""
    body = grid.rows[header_index + 1:]
    # a report's trailing furniture is no value of its columns (a copyright line is no rep's name)
    body = body[:min(furniture_from(body), ev.SAMPLE)]
    width = rows_width(body)
    padded = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in body]
    return ev.Profiles(list(zip(*padded)) if padded else [])


def _best_header(grid: RawGrid, tables: Sequence[str], overrides: dict[str, dict[str, str]],
                 person: Mapping[str, frozenset[str]] | None = None,
                 refused: Mapping[str, frozenset[str]] | None = None) -> tuple[int, HeaderMatch] | None:
    """The header row and its mapping: first every row of the top scored on its words alone, then the
    :data:`PROFILED_ROWS` best rows scored again with the values below them (a sheet called "Export" whose
    headers are no synonym is taken for what its values prove)."""
    person, refused = person or {}, refused or {}

    def match(t: str, row: Sequence[object], profiles: ev.Profiles | None) -> HeaderMatch:
        return recognise(t, row, grid.first_col, overrides.get(t), profiles, person.get(t, frozenset()),
                         refused.get(t, frozenset()))

    by_words: dict[tuple[int, str], float] = {}
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 1 or _holds_values(row):
            continue
        for t in tables:
            score = match(t, row, None).score()
            if score > 0:
                by_words[(r, t)] = score
    if not by_words:
        return None
    top = max(by_words.values())
    # the rows worth looking at the values below: near the best on their words alone (a data row read as a
    # header scores far below the real header)
    rows = sorted({r for (r, _), score in by_words.items() if score >= PROFILED_SHARE * top},
                  key=lambda r: (max(v for (r2, _), v in by_words.items() if r2 == r), -r), reverse=True)
    best: tuple[tuple[float, int, int], int, HeaderMatch] | None = None
    for r in rows[:PROFILED_ROWS]:
        profiles = _profiles(grid, r)
        for t in tables:
            if (r, t) not in by_words:
                continue  # values alone never make a table of a row whose words say nothing of it
            m = match(t, grid.rows[r], profiles)
            score = (m.score(), m.required_found(), -r)
            if best is None or score > best[0]:
                best = (score, r, m)
    if best is None or best[0][0] == 0:
        return None
    return best[1], best[2]


def _holds_values(row: Sequence[object]) -> bool:
    """A row of values, not of labels: more than a third of its cells are numbers or dates (a table handed
    without its header row has a first data row whose words alone could look like one: « won », « Gagné »)."""
    filled = [c for c in row if not is_blank(c)]
    return sum(1 for c in filled if not isinstance(c, str)) * 3 > len(filled)


FOUND_BY_TABLE = Message.of("quality.found_by.excel_table")
FOUND_BY_SHEET = Message.of("quality.found_by.sheet_name")
FOUND_BY_HEADERS = Message.of("quality.found_by.headers")
# str(InputFileError) stays French for the edges that print it as it is (errors.py); the same
# reasons reach the other edges as messages (InputFileError.said)
_IGNORED_FR = {"quality.ignored.empty": "feuille vide", "quality.ignored.no_header": "aucun en-tête reconnu",
               "quality.ignored.too_few_headers": "en-têtes insuffisants pour reconnaître une table",
               "quality.ignored.own_sheet": "feuille écrite par Pilotage"}


def locate(grid: RawGrid, overrides: dict[str, dict[str, str]] | None = None,
           person: Mapping[str, frozenset[str]] | None = None,
           refused: Mapping[str, frozenset[str]] | None = None) -> _Located | Message:
    """The table and header row of a grid, or why it matches none (a ``quality.ignored.*`` message).
    ``person``: per table, the columns whose override a person chose; ``refused``: the columns a person said
    the file does not have."""
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
            found = _best_header(grid, [t], overrides, person, refused)
            if found and found[1].mapped:
                return _Located(grid, t, how, found[0], found[1])
    found = _best_header(grid, [t for t in schema.TABLES if t != "PipelineSnapshots"], overrides, person, refused)
    if found is None:
        return Message.of("quality.ignored.no_header")
    r, m = found
    if not _enough(m):
        return Message.of("quality.ignored.too_few_headers")
    return _Located(grid, m.table, FOUND_BY_HEADERS, r, m)


def _enough(m: HeaderMatch) -> bool:
    """Whether a grid whose name says nothing is the table ``m`` maps it onto: its known headers suffice as
    they always did; evidence adds a table only with two required columns or more found with confidence (a
    notes sheet, a KPI dictionary, a lookup list stay what they are)."""
    def passes(x: HeaderMatch, required: int) -> bool:
        return x.score() >= MIN_SCORE and len(x.mapped) >= MIN_COLUMNS and x.required_found() >= required
    if passes(m.known(), 1):
        return True
    need = min(2, len(schema.TABLES[m.table].required))
    return passes(m.sure(GUESS_BELOW), need)


# The row a list grouped by a field writes above each group (Odoo: « Qualifié (3) » and the group's sums).
def _cut(loc: _Located) -> tuple[TablePart, GridReport, list[Issue]]:
    """Data rows of a located grid as a ``TablePart`` (raw cells per column)."""
    g, m = loc.grid, loc.match
    body = g.rows[loc.header_index + 1:]
    width = max(rows_width(body), len(m.columns))
    table = schema.TABLES[loc.table]
    cols = list(m.columns)
    # a header row shorter than the data: the columns beyond it have no header
    for pos in range(len(cols), width):
        cols.append(ColumnMapping(pos, column_letter(g.first_col + pos), "", None))
    key_pos = [c.position for c in cols if c.column in table.key] if table.key else []
    body_rows = classify_rows(body, width, key_pos)
    first_excel_row = g.first_row + loc.header_index + 1
    issues: list[Issue] = []
    totals: list[int] = []
    for k in np.flatnonzero(body_rows.kinds >= FOOTER).tolist():
        footer = body_rows.kinds[k] == FOOTER
        problem, fix = (("recognition.problem.footer_row", "recognition.fix.footer_row") if footer
                        else ("quality.problem.total_row", "quality.fix.total_row"))
        totals.append(first_excel_row + k)
        issues.append(Issue(WARNING, loc.table, Message.of(problem), Message.of(fix), g.file, g.sheet,
                            first_excel_row + k, "", " | ".join(str(c) for c in body[k] if not is_blank(c))[:80]))
    kept = np.flatnonzero(body_rows.kinds == DATA)
    rows = (kept + first_excel_row).tolist()

    every_row = len(kept) == len(body_rows.kinds)

    def column_cells(pos: int) -> np.ndarray:
        # an object array, which the parsers take as it is (no copy into a list and back)
        return body_rows.columns[pos] if every_row else body_rows.columns[pos][kept]

    def column_codes(pos: int) -> np.ndarray | None:
        if body_rows.codes is None:
            return None
        return body_rows.codes[pos] if every_row else body_rows.codes[pos][kept]

    columns: dict[str, Sequence[object]] = {}
    codes: dict[str, np.ndarray] = {}
    headers: dict[str, str | Message] = {}
    extras: dict[str, Sequence[object]] = {}
    kept_cols = []
    for c in cols:
        cells = column_cells(c.position)
        if c.column:
            columns[c.column] = cells
            if (known := column_codes(c.position)) is not None:
                codes[c.column] = known
            # a column without a header is named by its letter, in the reader's language
            headers[c.column] = c.header or Message.of("check.column_letter", letter=c.letter)
            kept_cols.append(c)
            if c.column not in _KEPT_HELPERS:
                continue
            # the deal's name fills the derived id, and stays in the frame under its own header
        if not c.header and all(is_blank(v) for v in cells):
            continue  # the empty cells beside a merged header, or an empty column
        name = c.header or f"Colonne {c.letter}"
        base, n = name, 2
        while name in extras or name in table._by_name:
            name, n = f"{base} ({n})", n + 1
        extras[name] = cells
        kept_cols.append(c)
    found = tuple(c.header for c in cols if c.header)
    issues.extend(_choice_issues(loc))
    part = TablePart(loc.table, g.file, g.sheet, tuple(rows), columns, headers, extras, found, codes)
    report = GridReport(g.file, g.sheet, g.table_name, loc.table, loc.chosen_by,
                        g.first_row + loc.header_index, tuple(dict.fromkeys(kept_cols)), tuple(rows), tuple(totals),
                        choices=m.choices)
    return part, report, issues


def _choice_issues(loc: _Located) -> list[Issue]:
    """A chosen header that has vanished from the file (the guess is used); an amount read TTC."""
    g, m = loc.grid, loc.match
    out = []
    chosen = {c.column: c for c in m.choices}
    for col, header in m.vanished:
        c = chosen.get(col)
        guess = c.chosen.header if c is not None and c.chosen is not None else ""
        problem = (Message.of("recognition.problem.vanished", header=header, column=ev.column_label(m.table, col),
                              guess=guess) if guess else
                   Message.of("recognition.problem.vanished_none", header=header,
                              column=ev.column_label(m.table, col)))
        out.append(Issue(WARNING, m.table, problem, Message.of("recognition.fix.vanished"), g.file, g.sheet,
                         None, header))
    if m.ttc_only:
        out.append(Issue(WARNING, m.table, Message.of("recognition.problem.ttc_only", header=m.ttc_only),
                         Message.of("recognition.fix.ttc_only"), g.file, g.sheet, None, m.ttc_only))
    return out


# helper columns also kept as extras under their header (the reader still sees the deal's name)
_KEPT_HELPERS = frozenset({"deal_name"})
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
    chose = {t: frozenset(m) for t, m in person.items()}
    refused = _person_refusals(choices)
    located: dict[int, _Located] = {}
    ignored: dict[int, Message] = {}
    for k, g in enumerate(grids):
        if g.sheet.casefold() in _OWN_SHEETS:
            # the product's own output (cockpit, quality sheet, forecast history): never client data,
            # though its headers may look like a table's
            ignored[k] = Message.of("quality.ignored.own_sheet")
            continue
        loc = locate(g, overrides, chose, refused)
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
                again = _best_header(located[k].grid, [table], overrides, chose, refused)
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
    notes.extend(Message.of("recognition.note.ttc_used", header=loc.match.ttc_only)
                 for loc in located.values() if loc.match.ttc_only)
    grid_reports = tuple(reports[k] for k in sorted(reports))
    guesses = tuple((c.table, c.column, c.chosen.header) for r in grid_reports for c in r.choices if c.guess)
    return PipelineData(**frames, quality=QualityReport(issues, guesses=guesses), source=source or grids[0].file,
                        present=present, ingest=IngestReport(grid_reports, tuple(labels), variants,
                                                             tuple(dict.fromkeys(notes))))


def _person_overrides(choices: PersonChoices | None) -> dict[str, dict[str, str]]:
    """``{table: {column: header}}`` of the headers a person chose in « Correspondances »."""
    out: dict[str, dict[str, str]] = {}
    for (table, column), header in (choices.columns.items() if choices else ()):
        if header:
            out.setdefault(table, {})[column] = header
    return out


def _person_refusals(choices: PersonChoices | None) -> dict[str, frozenset[str]]:
    """``{table: columns}`` a person said the file does not have (a choice of "no column")."""
    out: dict[str, set[str]] = {}
    for (table, column), header in (choices.columns.items() if choices else ()):
        if not header:
            out.setdefault(table, set()).add(column)
    return {t: frozenset(c) for t, c in out.items()}


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
