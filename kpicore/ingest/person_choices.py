"""A person's choices read back from the « Correspondances » sheet (pure: from its raw grid).

The sheet (``kpicore.cockpit.correspondences_spec``) is written in the reader's language, but what this module
reads does not depend on it: each line that a person may correct carries, in hidden columns, what it is about
(:data:`KEY_COLUMNS`: kind, table, column, label or names) and which hidden list feeds its drop-down
(:data:`KEY_LIST`); each list holds the words shown beside the code they stand for (a header as written, a
canonical value such as ``meeting``, ``yes``).  So a workbook switched from French to English keeps its choices.

Only the « Votre choix » cells (:data:`CHOICE_COL`) count, and only where a person (or an earlier refresh,
writing back the person's earlier choice) filled them: an empty cell is no choice.
"""

from __future__ import annotations

from typing import Sequence

from kpicore.ingest.grids import RawGrid
from kpicore.model import schema
from kpicore.model.ingest_report import PersonChoices

SHEET = schema.CORRESPONDENCES_SHEET

# The layout, 0-based columns of the sheet (the spec writes it, this module reads it).
CHOICE_COL = 7  # « Votre choix »
KEY_KIND, KEY_TABLE, KEY_COLUMN, KEY_ITEM, KEY_LIST = 9, 10, 11, 12, 13
KEY_COLUMNS = (KEY_KIND, KEY_TABLE, KEY_COLUMN, KEY_ITEM, KEY_LIST)
FIRST_LIST_COL = 15  # each list takes two columns: the words shown, then their codes
KIND_COLUMN, KIND_LABEL, KIND_NAMES = "column", "label", "names"
YES, NO = "yes", "no"
NAMES_SEPARATOR = "\n"  # the names of one person, one per line in the key cell


def is_correspondences(sheet: str) -> bool:
    return sheet.strip().casefold() == SHEET.casefold()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a header such as "2025" read back as a number
    return str(value).strip()


def person_choices(grid: RawGrid | None) -> PersonChoices:
    """The choices a person made in the « Correspondances » sheet whose cells ``grid`` holds (empty when None)."""
    if grid is None or not grid.rows:
        return PersonChoices()
    width = max(len(r) for r in grid.rows)
    offset = grid.first_col - 1
    rows = [[None] * offset + list(r) + [None] * (width - len(r)) for r in grid.rows]

    def cell(row: Sequence[object], col: int) -> object:
        return row[col] if 0 <= col < len(row) else None

    lists: dict[int, dict[str, str]] = {}

    def words_to_codes(col: int) -> dict[str, str]:
        if col not in lists:
            # row 0 of a list column is its title; a code cell left empty is "" (« (aucune) »: no column)
            lists[col] = {_text(cell(r, col)).casefold(): _text(cell(r, col + 1))
                          for r in rows[1:] if _text(cell(r, col))}
        return lists[col]

    columns: dict[tuple[str, str], str] = {}
    labels: dict[tuple[str, str, str], str] = {}
    names: dict[str, str] = {}
    for row in rows:
        kind = _text(cell(row, KEY_KIND))
        if kind not in (KIND_COLUMN, KIND_LABEL, KIND_NAMES):
            continue
        chosen = _text(cell(row, CHOICE_COL))
        if not chosen:
            continue
        try:
            list_col = int(float(_text(cell(row, KEY_LIST)) or -1))
        except ValueError:
            list_col = -1
        known = words_to_codes(list_col) if list_col >= FIRST_LIST_COL else {}
        # a word of the list stands for its code; a text typed past the list is taken as it is written
        code = known.get(chosen.casefold(), chosen)
        table, column, item = (_text(cell(row, k)) for k in (KEY_TABLE, KEY_COLUMN, KEY_ITEM))
        if kind == KIND_COLUMN and table and column:
            columns[(table, column)] = code
        elif kind == KIND_LABEL and table and column and item:
            labels[(table, column, item)] = code
        elif kind == KIND_NAMES and code == YES:
            spelled = [n for n in (x.strip() for x in item.split(NAMES_SEPARATOR)) if n]
            proposed = _text(cell(row, KEY_COLUMN))
            for n in spelled:
                names[n] = proposed
    return PersonChoices(columns, labels, names)


def correspondences_grid(grids: Sequence[RawGrid]) -> RawGrid | None:
    """The grid of the « Correspondances » sheet among a workbook's grids, if it has one."""
    return next((g for g in grids if is_correspondences(g.sheet) and g.table_name is None), None)


def person_choices_of_rows(rows: list[list] | None) -> PersonChoices:
    """The choices of the « Correspondances » sheet from its values read from A1 (``Workbook.sheet_rows``)."""
    return person_choices(RawGrid("", SHEET, [list(r) for r in rows]) if rows else None)
