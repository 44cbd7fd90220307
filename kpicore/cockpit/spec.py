"""The cockpit as data: cells, styles, conditional rules, widths and print setup.

Writers only translate a ``CockpitSpec``: the file writer
(``workbook_templates.cockpit_sheet``) into an XlsxWriter worksheet, the live
engines (xlwings, UNO) into the open workbook.  Nothing here knows a file
format, so the same spec gives the same cockpit everywhere, and tests can
assert on the spec itself.

Coordinates are 0-based (row, col) like XlsxWriter's; ``a1()`` converts.
Text the product writes is a ``Message`` (a catalogue code and its figures):
``kpicore.text.sheets.rendered(spec, language)`` turns every one into its text
in the reader's language before a writer receives the spec, so writers only
ever see strings, numbers and dates.

Styles are semantic names (``"title"``, ``"money"``, ``"percent"`` ...), each
writer maps them onto its own format objects (see ``STYLE_NAMES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from kpicore.model.cells import column_letter
from kpicore.model.messages import Message

CellValue = Message | str | float | int | date | datetime | None
Text = Message | str  # product text (a Message) or the client's own words (a str, shown as typed)

# The semantic styles a spec may use; writers must map every one of them.
STYLE_NAMES = (
    "title",  # big bold heading
    "subtitle",  # muted line under the title
    "label",  # small muted caption (tile label, column header in a block)
    "header",  # table header row
    "text",
    "text_bold",
    "muted",
    "note",  # muted, wrapped, top-aligned (a sentence over merged cells)
    "money",  # 12 500 €
    "money_big",  # tile value in euros
    "number",  # 1 decimal
    "number_big",
    "integer",
    "percent",  # 23 %
    "percent_big",
    "date",  # dd/mm/yyyy
    "datetime",
    "badge_ok",
    "badge_warn",
    "input",  # a cell the user may change (the view selector)
    "status",  # the status sign of a tile, coloured by conditional formatting
    "section",  # a heading inside a sheet
    "wrap",  # text wrapped, top-aligned
    "wrap_bold",  # bold, wrapped, top-aligned (an alert's title)
    "wrap_small",  # small, wrapped, top-aligned, in ink (an alert's action)
    "bad_text",  # a word of warning in the off-target colour (a row excluded)
    "warn_text",  # a word in the close-to-target colour (a row repaired)
    "link",  # a cell that jumps elsewhere in the workbook (a HYPERLINK formula)
)


def col_letter(col: int) -> str:
    """Excel letter of the 0-based column ``col`` (0 -> A)."""
    return column_letter(col + 1)


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def a1_range(row1: int, col1: int, row2: int, col2: int, *, absolute: bool = False) -> str:
    return f"{a1(row1, col1, absolute=absolute)}:{a1(row2, col2, absolute=absolute)}"


@dataclass(frozen=True)
class TextFormula:
    """A formula that quotes product text, such as the badge's ``=HYPERLINK("#'Sheet'!A1",{0})``.

    ``{0}``, ``{1}``... in ``template`` stand for ``texts``, each rendered in the
    reader's language then written as a quoted string literal, when the spec is
    rendered.
    """

    template: str
    texts: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One cell: a value, or a formula (text starting with '=') with a cached value.

    ``value`` is always written as data, never as a formula, whatever its text
    (client text such as "=HYPERLINK(...)" stays text).  Only ``formula``,
    which the product composes itself, is written as a formula.
    """

    value: CellValue = None
    style: str = "text"
    formula: str | TextFormula | None = None
    cut: int = 0  # a text longer than this many characters, once rendered, ends with "…" (0: never)


@dataclass(frozen=True)
class Block:
    """A rectangle of cells anchored at (row, col); the unit of a 2-D write."""

    name: str
    row: int
    col: int
    cells: tuple[tuple[Cell, ...], ...]
    merges: tuple[tuple[int, int, int, int], ...] = ()  # absolute (r1, c1, r2, c2)

    @property
    def height(self) -> int:
        return len(self.cells)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def ref(self) -> str:
        return a1_range(self.row, self.col, self.row + self.height - 1, self.col + self.width - 1)


@dataclass(frozen=True)
class ConditionalRule:
    """A conditional format on ``range`` (A1, relative to the cockpit sheet).

    kind:
    - ``"formula"``: ``formula`` (A1, relative to the range's top-left cell) true -> ``style``
      (one of ``"good"``, ``"warn"``, ``"bad"``);
    - ``"color_scale"``: 3-colour scale, ``higher_is_better`` decides green at the top or bottom;
    - ``"data_bar"``: a solid data bar;
    - ``"icon_set"``: three arrows (up, flat, down) with thresholds ``thresholds`` in percent.
    """

    range: str
    kind: str
    formula: str = ""
    style: str = ""
    higher_is_better: bool = True
    thresholds: tuple[float, float] = (33.0, 67.0)
    stop_if_true: bool = False


@dataclass(frozen=True)
class Sparkline:
    location: str  # A1 cell
    data_range: str  # A1 range on the cockpit sheet (the trend values)
    kind: str = "line"


@dataclass(frozen=True)
class ListValidation:
    """A drop-down on ``cell`` (one cell or an A1 range): its ``choices`` inline, or, when ``source`` is set, the
    cells of ``source`` (an absolute A1 range of the same sheet, e.g. ``$P$2:$P$40``): Excel caps an inline list
    at 255 characters, a list of a file's headers may be longer."""

    cell: str
    choices: tuple[Text, ...]
    prompt: Text = ""  # shown when the cell is selected, under ``title``
    title: Text = ""
    error: Text = ""  # shown when a value outside the list is typed
    source: str = ""


@dataclass(frozen=True)
class PrintSetup:
    landscape: bool = True
    paper: str = "A4"
    fit_width: int = 1
    fit_height: int = 1
    print_area: str = ""
    margins_cm: float = 1.0


@dataclass(frozen=True)
class CockpitSpec:
    """A product sheet of styled cells (the cockpit, the quality sheet), as every writer receives it."""

    sheet_name: str
    view: str
    language: str
    blocks: tuple[Block, ...]
    rules: tuple[ConditionalRule, ...] = ()
    sparklines: tuple[Sparkline, ...] = ()
    validations: tuple[ListValidation, ...] = ()
    column_widths: tuple[float, ...] = ()
    row_heights: dict[int, float] = field(default_factory=dict)
    hidden_columns: tuple[int, ...] = ()
    print_setup: PrintSetup = PrintSetup()
    freeze_rows: int = 0

    def block(self, name: str) -> Block:
        for b in self.blocks:
            if b.name == name:
                return b
        raise KeyError(name)

    def cell_map(self) -> dict[tuple[int, int], Cell]:
        """Every cell of the spec by absolute (row, col); later blocks win on overlap."""
        out: dict[tuple[int, int], Cell] = {}
        for b in self.blocks:
            for i, row in enumerate(b.cells):
                for j, cell in enumerate(row):
                    out[(b.row + i, b.col + j)] = cell
        return out
