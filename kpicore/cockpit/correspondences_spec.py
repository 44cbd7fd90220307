"""The « Correspondances » sheet as data (a ``CockpitSpec``), so that every engine writes it.

For each table read and each of its canonical columns: the header chosen, how (a person's choice, a Settings
key, a known header, evidence, derived), how sure, the evidence, the runner-up, and a « Votre choix » cell with a
drop-down of that grid's headers and « (aucune) »; guesses and required columns not found come first.  Then
each label of a vocabulary column (activity types, stages, statuses), unmapped first, with a drop-down of the
canonical values in words; then the names that seem to be one person, with « Fusionner ? » oui / non.

The drop-downs draw from hidden columns of the sheet (Excel caps an inline list at 255 characters), each list
a column of words beside a column of the codes they stand for; hidden key columns say what each line is about.
That layout is :mod:`kpicore.ingest.person_choices`'s, which reads the person's choices back whatever the
language.  A person's earlier choices (``previous``) are written back into « Votre choix »: a choice survives
every refresh, even when its header has vanished from the file (shown « en-tête introuvable : … »).
"""

from __future__ import annotations

from kpicore.cockpit.spec import Block, Cell, CockpitSpec, ListValidation, PrintSetup, a1, a1_range
from kpicore.ingest.mapping import ColumnMapping
from kpicore.ingest.parsing import fold
from kpicore.ingest.person_choices import (CHOICE_COL, FIRST_LIST_COL, KEY_COLUMN, KEY_ITEM, KEY_KIND, KEY_LIST,
                                           KEY_TABLE, KIND_COLUMN, KIND_LABEL, KIND_NAMES, NAMES_SEPARATOR, NO,
                                           SHEET, YES)
from kpicore.ingest.quality_text import table_label
from kpicore.model import schema
from kpicore.model.ingest_report import (HOW_DERIVED, HOW_EVIDENCE, HOW_PERSON, HOW_SETTING, HOW_SYNONYM,
                                         Candidate, ColumnChoice, GridReport, IngestReport, LabelChoice,
                                         NameVariants, PersonChoices)
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData

CORRESPONDENCES_SHEET = SHEET
# visible columns: table, column, header / label / names, how, confidence / count, evidence / read as,
# runner-up, your choice; then a gap, the hidden keys, a gap, the hidden lists
VISIBLE_WIDTHS = (16.0, 24.0, 26.0, 15.0, 10.0, 40.0, 24.0, 26.0)
COLUMN_WIDTHS = VISIBLE_WIDTHS + (3.0,) + (12.0,) * (FIRST_LIST_COL - len(VISIBLE_WIDTHS) - 1)
_HOW_CODE = {HOW_PERSON: "person", HOW_SETTING: "setting", HOW_SYNONYM: "synonym", HOW_EVIDENCE: "evidence",
             HOW_DERIVED: "derived"}
# tables only the product writes (hidden sheets): nothing of the client's to correct there
_PRODUCT_TABLES = frozenset({schema.PIPELINE_SNAPSHOTS.name, schema.FORECAST_HISTORY.name, schema.BACKTEST_TABLE})
# the canonical values a label may be read as, by vocabulary column
_VALUES = {"type": schema.ACTIVITY_TYPES, "stage": schema.STATUSES, "status": schema.STATUSES}


def _msg(code: str, **figures) -> Message:
    return Message.of(f"correspondences.{code}", **figures)


def _column_label(table: str, column: str) -> Message | str:
    t = schema.TABLES.get(table)
    return Message.of(f"quality.column.{table}.{column}") if t and column in t._by_name else column


def _value_word(column: str, value: str) -> Message | str:
    kind = "type" if column == "type" else "status"
    return _msg(f"value.{kind}.{value}") if value in _VALUES.get(column, ()) else value


def column_choices(grid: GridReport, person: PersonChoices | None = None) -> tuple[ColumnChoice, ...]:
    """The choices of ``grid``'s columns: ``grid.choices`` when the recognition gave them, else drawn from
    ``grid.columns`` (a mapped column: a known header, a Settings key or the person's choice, sure), with one
    choice without a header for each canonical column not found, so a table read never shows an empty list."""
    if grid.choices or not grid.table:
        return tuple(grid.choices)
    person = person or PersonChoices()
    out: list[ColumnChoice] = []
    seen = {fold(c.header) for c in grid.columns if c.header}
    mapped: dict[str, ColumnMapping] = {c.column: c for c in grid.columns if c.column}
    for name, c in mapped.items():
        wanted = person.columns.get((grid.table, name))
        how = (HOW_PERSON if wanted and fold(wanted) == fold(c.header)
               else HOW_SETTING if c.how == HOW_SETTING else HOW_SYNONYM)
        gone = wanted if wanted and fold(wanted) not in seen else ""
        out.append(ColumnChoice(grid.table, name, Candidate(c.header, c.letter, 1.0), how, vanished=gone))
    for col in schema.TABLES[grid.table].columns:
        if col.name in mapped:
            continue
        wanted = person.columns.get((grid.table, col.name), "")
        out.append(ColumnChoice(grid.table, col.name, None, "",
                                vanished=wanted if wanted and fold(wanted) not in seen else ""))
    order = {c.name: k for k, c in enumerate(schema.TABLES[grid.table].columns)}
    return tuple(sorted(out, key=lambda ch: order.get(ch.column, len(order))))


def _required(choice: ColumnChoice) -> bool:
    t = schema.TABLES.get(choice.table)
    return bool(t and choice.column in t._by_name and t._by_name[choice.column].required)


def _first(choice: ColumnChoice) -> bool:
    """Listed first: a guess, or a required column not found."""
    return choice.guess or (choice.chosen is None and _required(choice) and choice.how != HOW_DERIVED)


class _Lists:
    """The hidden lists of the sheet: each two columns (words, codes) from :data:`FIRST_LIST_COL`, row 0 its
    title; one list per distinct content."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, tuple[tuple[Message | str, str], ...]]] = []
        self._at: dict[tuple, int] = {}

    def add(self, title: str, items: tuple[tuple[Message | str, str], ...]) -> int:
        key = (title, items)
        if key not in self._at:
            self._at[key] = FIRST_LIST_COL + 2 * len(self.columns)
            self.columns.append((title, items))
        return self._at[key]

    def source(self, col: int) -> str:
        n = len(self.columns[(col - FIRST_LIST_COL) // 2][1])
        return a1_range(1, col, max(n, 1), col, absolute=True)


def _keys(kind: str, table: str, column: str, item: str, list_col: int) -> dict[int, Cell]:
    # an empty key is no cell at all (an empty text would be a cell the live engines do not write)
    return {KEY_KIND: Cell(kind), KEY_TABLE: Cell(table or None), KEY_COLUMN: Cell(column or None),
            KEY_ITEM: Cell(item or None), KEY_LIST: Cell(list_col, "integer")}


def _row(cells: dict[int, Cell], width: int) -> tuple[Cell, ...]:
    return tuple(cells.get(c, Cell(None)) for c in range(width))


def _headers(*names: str) -> dict[int, Cell]:
    return {k: Cell(_msg(f"header.{n}"), "header") for k, n in enumerate(names) if n}


def _candidate_text(c: Candidate | None) -> Message | None:
    return _msg("runner_up", header=c.header, confidence=c.confidence) if c else None


def _column_rows(report: IngestReport, person: PersonChoices, lists: _Lists
                 ) -> list[tuple[dict[int, Cell], tuple[str, int] | None]]:
    rows = []
    lines: list[tuple[GridReport, ColumnChoice]] = [(g, ch) for g in report.read if g.table not in _PRODUCT_TABLES
                                                    for ch in column_choices(g, person)]
    present = {id(g): {fold(c.header) for c in g.columns if c.header} for g in report.read}

    def gone_of(g: GridReport, ch: ColumnChoice) -> str:
        previous = person.columns.get((ch.table, ch.column))
        return ch.vanished or (previous if previous and fold(previous) not in present[id(g)] else "")

    # stable: guesses, required columns not found and vanished choices first, else the file's order
    lines.sort(key=lambda gc: not (_first(gc[1]) or gone_of(*gc)))
    for g, ch in lines:
        headers = tuple(dict.fromkeys(c.header for c in g.columns if c.header))
        list_col = lists.add(f"{g.sheet}", ((_msg("none"), ""),) + tuple((h, h) for h in headers))
        cells = {0: Cell(table_label(ch.table), "wrap"), 1: Cell(_column_label(ch.table, ch.column), "wrap")}
        if ch.chosen is not None:
            cells[2] = Cell(ch.chosen.header, "wrap")
            cells[4] = Cell(ch.chosen.confidence, "percent")
            how = _msg("how.guess") if ch.guess else _msg(f"how.{_HOW_CODE.get(ch.how, 'synonym')}")
            cells[3] = Cell(how, "warn_text" if ch.guess else "wrap")
        elif ch.how == HOW_DERIVED:
            cells[2] = Cell(_msg("not_found"), "muted")
            cells[3] = Cell(_msg("how.derived"), "wrap")
        else:
            cells[2] = Cell(_msg("not_found"), "muted")
            cells[3] = Cell(_msg("required_missing") if _required(ch) else _msg("how.missing"),
                            "bad_text" if _required(ch) else "muted")
        said = list(ch.chosen.evidence) if ch.chosen else []
        previous = person.columns.get((ch.table, ch.column))
        gone = gone_of(g, ch)
        if gone:
            said.insert(0, _msg("vanished", header=gone))
        cells[5] = Cell(chained("correspondences.list", said), "wrap")
        cells[6] = Cell(_candidate_text(ch.runner_up), "wrap")
        if previous is not None:
            cells[CHOICE_COL] = Cell(_msg("none") if previous == "" else previous, "input")
        else:
            cells[CHOICE_COL] = Cell(None, "input")
        cells.update(_keys(KIND_COLUMN, ch.table, ch.column, "", list_col))
        rows.append((cells, ("column", list_col)))
    return rows


def _label_rows(labels: tuple[LabelChoice, ...], person: PersonChoices, lists: _Lists
                ) -> list[tuple[dict[int, Cell], tuple[str, int] | None]]:
    rows = []
    for lc in sorted(labels, key=lambda x: (x.value is not None, x.table, x.column, -x.count)):
        values = _VALUES.get(lc.column, ())
        list_col = lists.add(f"{lc.column}", tuple((_value_word(lc.column, v), v) for v in values))
        cells = {0: Cell(table_label(lc.table), "wrap"), 1: Cell(_column_label(lc.table, lc.column), "wrap"),
                 2: Cell(lc.label, "wrap"), 4: Cell(lc.count, "integer")}
        if lc.value is None:
            cells[3] = Cell(_msg("how.unmapped"), "warn_text")
        else:
            cells[3] = Cell(_msg(f"how.{_HOW_CODE.get(lc.how, 'synonym')}"), "wrap")
            cells[5] = Cell(_value_word(lc.column, lc.value), "wrap")
        previous = person.labels.get((lc.table, lc.column, lc.label))
        cells[CHOICE_COL] = Cell(_value_word(lc.column, previous) if previous else None, "input")
        cells.update(_keys(KIND_LABEL, lc.table, lc.column, lc.label, list_col))
        rows.append((cells, ("label", list_col)))
    return rows


def _name_rows(variants: tuple[NameVariants, ...], person: PersonChoices, lists: _Lists
               ) -> list[tuple[dict[int, Cell], tuple[str, int] | None]]:
    rows = []
    list_col = lists.add("merge", ((_msg("yes"), YES), (_msg("no"), NO)))
    for nv in variants:
        merged = bool(nv.names) and all(person.names.get(n) == nv.proposed for n in nv.names)
        cells = {2: Cell(chained("correspondences.names", list(nv.names)), "wrap"),
                 5: Cell(nv.proposed, "wrap"),
                 CHOICE_COL: Cell(_msg("yes") if merged or nv.accepted else None, "input")}
        cells.update(_keys(KIND_NAMES, "", nv.proposed, NAMES_SEPARATOR.join(nv.names), list_col))
        rows.append((cells, ("merge", list_col)))
    return rows


def build_correspondences_spec(data: PipelineData, person: PersonChoices | None = None) -> CockpitSpec:
    """The « Correspondances » sheet of ``data`` (module docstring); ``person``: the choices read back from the
    sheet before this refresh, written back into « Votre choix »."""
    person = person or PersonChoices()
    report = data.ingest or IngestReport()
    width = len(COLUMN_WIDTHS)
    lists = _Lists()
    out: list[tuple[Cell, ...]] = [
        _row({0: Cell(_msg("sheet.title"), "title")}, width),
        _row({0: Cell(_msg("sheet.intro"), "note")}, width),
        _row({0: Cell(_msg("sheet.guesses_first"), "muted")}, width),
        _row({}, width),
    ]
    merges = [(1, 0, 1, CHOICE_COL)]
    validations: list[ListValidation] = []

    def section(title: str, header: dict[int, Cell], lines, prompt: str) -> None:
        if not lines:
            return
        out.append(_row({0: Cell(_msg(f"section.{title}"), "section")}, width))
        out.append(_row(header, width))
        for cells, (_, list_col) in lines:
            r = len(out)
            out.append(_row(cells, width))
            validations.append(ListValidation(a1(r, CHOICE_COL), (), prompt=_msg(f"validation.{prompt}"),
                                              title=_msg("validation.title"), error=_msg("validation.error"),
                                              source=lists.source(list_col)))
        out.append(_row({}, width))

    section("columns", _headers("table", "column", "chosen", "how", "confidence", "evidence", "runner_up",
                                "choice"), _column_rows(report, person, lists), "column")
    section("labels", _headers("table", "column", "label", "how", "count", "value", "", "choice"),
            _label_rows(report.labels, person, lists), "label")
    names_header = {2: Cell(_msg("header.names"), "header"), 5: Cell(_msg("header.proposed"), "header"),
                    CHOICE_COL: Cell(_msg("header.merge"), "header")}
    section("names", names_header, _name_rows(report.name_variants, person, lists), "merge")
    # the hidden lists, beside the lines: a list's words and codes in two columns, its title in row 0
    last_col = FIRST_LIST_COL + 2 * len(lists.columns)
    tall = max((len(items) for _, items in lists.columns), default=0) + 1
    while len(out) < tall:
        out.append(_row({}, width))
    grid = [list(r) + [Cell(None)] * (last_col - width) for r in out]
    for k, (title, items) in enumerate(lists.columns):
        col = FIRST_LIST_COL + 2 * k
        grid[0][col] = Cell(title or None)
        for i, (word, code) in enumerate(items, start=1):
            grid[i][col] = Cell(word)
            grid[i][col + 1] = Cell(code or None)  # « (aucune) » stands for no header: an empty cell
    widths = COLUMN_WIDTHS + (12.0,) * (last_col - width)
    hidden = tuple(range(len(VISIBLE_WIDTHS), last_col))
    cells = tuple(tuple(r) for r in grid)
    return CockpitSpec(CORRESPONDENCES_SHEET, "correspondences", data.setting("language", "fr") or "fr",
                       (Block("correspondences", 0, 0, cells, merges=tuple(merges)),),
                       validations=tuple(validations), column_widths=widths, hidden_columns=hidden,
                       print_setup=PrintSetup(fit_height=0, print_area=a1_range(0, 0, len(out) - 1, CHOICE_COL)),
                       freeze_rows=0)


__all__ = ["CORRESPONDENCES_SHEET", "build_correspondences_spec", "column_choices"]
