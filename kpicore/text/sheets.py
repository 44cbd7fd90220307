"""A product sheet in one language: every ``Message`` of a ``CockpitSpec`` replaced by its text.

The engine builds the cockpit and the quality sheet with ``Message`` cells
(``kpicore.cockpit.spec``); an edge calls ``rendered(spec, language)`` once,
before any writer or engine receives the spec, so that the file writer and the
live writers only ever see strings.  Wrapped text is only known once rendered
(an English sentence is not as long as its French one), so the rows holding
wrapped cells get their heights here.
"""

from __future__ import annotations

import math
from dataclasses import replace

from kpicore.cockpit.spec import Block, Cell, CockpitSpec, ListValidation, TextFormula
from kpicore.model.messages import Message
from kpicore.text.catalogue import language_of, render

# Characters of a line per unit of column width, and points per line, by the font of a wrapped
# style (workbook_templates.cockpit_looks: "note" and "wrap_small" are 9 points, the others 10).
# Seen in LibreOffice's print of the demo cockpit: about 1.45 characters of 9-point running text
# and 1.3 of 10-point bold per unit; a line breaks between words, which wastes some, so these
# err towards one line too many rather than a sentence cut at the bottom of its row.
WRAPPED_STYLES = {"note": (1.4, 11.0), "wrap_small": (1.4, 11.0), "wrap": (1.2, 12.5), "wrap_bold": (1.2, 12.5)}
DEFAULT_WIDTH = 8.43  # Excel's width of a column the spec leaves unset
DEFAULT_HEIGHT = 15.0  # points of a row the spec leaves unset


def rendered(spec: CockpitSpec, language: str) -> CockpitSpec:
    """``spec`` with every Message (cell values, formulas' texts, list choices and prompts) in
    ``language``, the spec's ``language`` set, and the rows of wrapped text tall enough to show it."""
    lang = language_of(language)
    blocks = tuple(_block(b, lang) for b in spec.blocks)
    validations = tuple(_validation(v, lang) for v in spec.validations)
    out = replace(spec, language=lang, blocks=blocks, validations=validations)
    return replace(out, row_heights=fitted_heights(out))


def quoted(text: str) -> str:
    """A string literal for a formula."""
    return '"' + text.replace('"', '""') + '"'


def _cell(cell: Cell, lang: str) -> Cell:
    value, formula = cell.value, cell.formula
    if isinstance(value, Message):
        value = render(value, lang)
    if cell.cut and isinstance(value, str) and len(value) > cell.cut:
        value = value[: cell.cut - 1].rstrip() + "…"
    if isinstance(formula, TextFormula):
        formula_text = formula.template
        for i, text in enumerate(formula.texts):
            formula_text = formula_text.replace("{%d}" % i, quoted(render(text, lang)))
        formula = formula_text
    if value is cell.value and formula is cell.formula:
        return cell
    return replace(cell, value=value, formula=formula)


def _block(block: Block, lang: str) -> Block:
    return replace(block, cells=tuple(tuple(_cell(c, lang) for c in row) for row in block.cells))


def _validation(v: ListValidation, lang: str) -> ListValidation:
    return replace(v, choices=tuple(render(c, lang) for c in v.choices), prompt=render(v.prompt, lang),
                   title=render(v.title, lang), error=render(v.error, lang))


def fitted_heights(spec: CockpitSpec) -> dict[int, float]:
    """The spec's row heights, raised where a wrapped cell (alone or merged along its row) needs
    more lines than its row shows; a row is never made shorter than the spec asks."""
    heights = dict(spec.row_heights)
    widths = spec.column_widths

    def width(c1: int, c2: int) -> float:
        return sum(widths[c] if c < len(widths) else DEFAULT_WIDTH for c in range(c1, c2 + 1))

    for b in spec.blocks:
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in b.merges}
        covered = {(r, c) for r1, c1, r2, c2 in b.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   if (r, c) != (r1, c1)}
        for i, row in enumerate(b.cells):
            for j, cell in enumerate(row):
                r, c = b.row + i, b.col + j
                if cell.style not in WRAPPED_STYLES or not isinstance(cell.value, str) or (r, c) in covered:
                    continue
                last_row, last_col = spans.get((r, c), (r, c))
                per_unit, points = WRAPPED_STYLES[cell.style]
                need = _lines(cell.value, max(1, int(width(c, last_col) * per_unit))) * points + 2
                # a cell merged over several rows grows its last row by what the rows above lack
                above = sum(heights.get(k, DEFAULT_HEIGHT) for k in range(r, last_row))
                if need > above + heights.get(last_row, DEFAULT_HEIGHT):
                    heights[last_row] = _whole_pixels(need - above)
    return heights


def _whole_pixels(points: float) -> float:
    """A height Excel keeps as it is: whole pixels of 0.75 point (at 96 dpi), rounded up."""
    return math.ceil(points / 0.75) * 0.75


def _lines(text: str, per_line: int) -> int:
    """Lines a text takes when wrapped between words at ``per_line`` characters."""
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines, used = lines + 1, 0
            used += len(word) + (1 if used else 0)
        total += lines
    return total
