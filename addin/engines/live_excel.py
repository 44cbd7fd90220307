"""The live-Excel engine: a ``CockpitSpec`` into an open workbook, and its tables back out, over xlwings.

This is the Excel twin of ``workbook_templates.cockpit_sheet`` (the file
writer): the same spec, the same looks (``workbook_templates.cockpit_looks``,
so a colour or a number format has one definition), written through xlwings'
public API into the workbook the ribbon was clicked in.  It stays thin: every
decision about *what* the cockpit holds is in ``kpicore.cockpit.build``; this module
only says *how* Excel is told.

How it writes (so that a 200-row cockpit takes a handful of calls, not
thousands):

- screen updating and alerts are off during the write, automatic calculation is
  suspended, and Excel's status bar says which step runs; all three are put back
  whatever happens (``finally``);
- the Cockpit sheet is reused when it exists (so a user's formula elsewhere
  that points into it keeps its reference instead of becoming ``#REF!``) and
  cleared: contents, formats, merges, conditional formats, validations, sparklines;
- **one 2-D write per block** (``sheet.range(...).value = rows``).  A formula
  cell is sent as its formula text (Excel's ``Range.Value`` parses a string
  starting with "=" as a formula, in en-US syntax like ``Range.Formula``); client
  text that Excel would parse as a formula, a number or a date is sent with
  Excel's text prefix, an apostrophe, so that it stays text (DESIGN.md: text from
  the client's data is never written as a formula);
- formats per block and per style: the shared font once per block, then the
  cells of one style in one block in one call per property over a multi-area
  address (at most 255 characters, the limit of Excel's ``Range(address)``);
- conditional formats through ``Range.conditional_formats`` (xlwings >= 0.37.5).
  xlwings inserts each new rule at the *top* of Excel's rule order, so the spec's
  rules are added in reverse: the first rule of the spec ends with the highest
  priority, as in the file writer;
- what xlwings has no public API for (sparklines, alignment, the list's input
  prompt, landscape and fit-to-page) goes through ``.api`` (COM on
  Windows) inside ``_native``, which skips a step that the platform refuses
  (macOS' AppleScript objects have no ``SparklineGroups``) rather than fail the
  refresh.

Only a real Excel can verify (the tests drive this module over the recording
engine of ``tests/support/recording_engine.py`` and compare the replayed result with the
file writer's output): that COM accepts each call as recorded, that Value with
a formula string and the apostrophe prefix behave as described, the rendering
of fonts, fills and borders, the order of conditional-format rules in Excel's
rule manager, and the sparklines and page setup done through ``.api``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Sequence

from kpicore.cockpit.spec import Cell, CockpitSpec, ConditionalRule, a1_range
from kpicore.cockpit.style_areas import rectangles, styled_rectangles
from kpicore.ingest.grids import RawGrid
from kpicore.text.catalogue import say as said
from workbook_templates import cockpit_looks as looks

MAX_ADDRESS = 255  # Excel's Range("A1,B2,...") refuses a longer address

# Excel constants used through .api (xlHAlign*, xlVAlign*, xlSparkLine, xlLandscape, xlPaperA4)
XL_HALIGN = {"left": -4131, "center": -4108, "right": -4152}
XL_VALIGN = {"top": -4160, "vcenter": -4108, "bottom": -4107}
XL_SPARKLINE = {"line": 1, "column": 2, "win_loss": 3}
XL_LANDSCAPE, XL_PORTRAIT = 2, 1
XL_PAPER = {"A4": 9, "Letter": 1}

_FORMULA_STARTS = ("=", "+", "-", "@")
# text Excel's Value would read as a number ("00123", "12,5 %", "1e5"), a date or time ("12/03", "9:30")
# or a boolean: such client text is sent with the apostrophe prefix
_COERCIBLE = re.compile(r"^\s*(?:[\d\s.,]*\d[\d\s.,]*\s*[%€]?|\d+(?:[.,]\d+)?[eE][+-]?\d+|"
                        r"\d{1,4}(?:[/.\-]\d{1,2}){1,2}(?:[/.\-]\d{2,4})?|\d{1,2}:\d{2}(?::\d{2})?|"
                        r"(?i:true|false|vrai|faux))\s*$")


# --------------------------------------------------------------------------- values
def _needs_text_prefix(text: str) -> bool:
    """Would Excel's Value turn this text into something else (a formula, a number, a date, a boolean)?"""
    if not text:
        return False
    return text[0] in _FORMULA_STARTS or text[0] == "'" or bool(_COERCIBLE.match(text))


def excel_value(cell: Cell) -> Any:
    """What one cell of the 2-D write holds: the formula, the value, or text kept as text."""
    if cell.formula:
        return cell.formula
    v = cell.value
    if v is None:
        return None
    if isinstance(v, str):
        return "'" + v if _needs_text_prefix(v) else v
    if isinstance(v, (datetime, date, bool)):
        return v
    v = float(v)
    return None if v != v else v  # NaN: nothing to show, never a 0


def block_rows(spec: CockpitSpec, block_index: int) -> list[list[Any]]:
    b = spec.blocks[block_index]
    w = b.width
    return [[excel_value(c) for c in row] + [None] * (w - len(row)) for row in b.cells]


# --------------------------------------------------------------------------- addresses
def addresses(rects: Sequence[tuple[int, int, int, int]]) -> list[str]:
    """Multi-area A1 addresses, each at most ``MAX_ADDRESS`` characters."""
    out: list[str] = []
    current = ""
    for r1, c1, r2, c2 in rects:
        part = a1_range(r1, c1, r2, c2) if (r1, c1) != (r2, c2) else a1_range(r1, c1, r1, c1).split(":")[0]
        candidate = f"{current},{part}" if current else part
        if len(candidate) > MAX_ADDRESS:
            out.append(current)
            candidate = part
        current = candidate
    if current:
        out.append(current)
    return out


def style_areas(spec: CockpitSpec) -> list[tuple[str, str, list[str]]]:
    """(block name, style, addresses) in block order: what each formatting call covers."""
    return [(name, style, addresses(rects)) for name, style, rects in styled_rectangles(spec)]


# --------------------------------------------------------------------------- writer
def _native(step: str, action: Callable[[], Any], skipped: list[str]) -> None:
    """Run a step through ``.api``; a platform that has no such object skips it (and says so:
    ``step`` is a code of the catalogue, ``cockpit.step.*``, rendered once the sheet is written)."""
    try:
        action()
    except Exception:  # COM or AppleScript refusing an object it does not have
        skipped.append(step)


def _apply_look(rng, look: dict[str, Any], skipped: list[str]) -> None:
    font = rng.font
    if "font_name" in look:
        font.name = look["font_name"]
    if "font_size" in look:
        font.size = look["font_size"]
    if "font_color" in look:
        font.color = look["font_color"]
    if look.get("bold"):
        font.bold = True
    if look.get("italic"):
        font.italic = True
    if "num_format" in look:
        rng.number_format = look["num_format"]
    if "bg_color" in look:
        rng.color = look["bg_color"]
    if look.get("text_wrap"):
        rng.wrap_text = True
    if look.get("border"):
        rng.borders.set("all", line_style="continuous", weight="thin", color=look.get("border_color", "#000000"))
    if look.get("bottom"):
        rng.borders.set("edge_bottom", line_style="continuous", weight="thin",
                        color=look.get("bottom_color", "#000000"))
    if "align" in look:
        _native("cockpit.step.alignment", lambda: setattr(rng.api, "HorizontalAlignment", XL_HALIGN[look["align"]]), skipped)
    if "valign" in look:
        _native("cockpit.step.alignment", lambda: setattr(rng.api, "VerticalAlignment", XL_VALIGN[look["valign"]]), skipped)


def add_rule(rng, rule: ConditionalRule) -> None:
    """One spec rule through xlwings' ``conditional_formats`` (same colours as the file writer)."""
    cf = rng.conditional_formats
    if rule.kind == "formula":
        look = looks.RULE_LOOKS[rule.style]
        cf.add_custom(rule.formula, fill_color=look["bg_color"], font_color=look["font_color"],
                      stop_if_true=rule.stop_if_true)
    elif rule.kind == "color_scale":
        cf.add_color_scale(list(looks.color_scale(rule.higher_is_better)))
    elif rule.kind == "data_bar":
        cf.add_data_bar(looks.DATA_BAR, gradient=False)
    elif rule.kind == "icon_set":
        cf.add_icon_set("3_arrows", thresholds=list(rule.thresholds), threshold_type="percent",
                        reverse_order=not rule.higher_is_better)
    else:
        raise ValueError(f"unknown conditional rule kind {rule.kind!r}")


def _fresh_sheet(book, name: str, skipped: list[str]):
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        sheet.clear()  # contents and formats
        cells = sheet.cells
        # what Clear may leave behind, removed explicitly: merges, rules, drop-downs
        cells.unmerge()
        cells.conditional_formats.clear()
        cells.data_validation.delete()
        _native("cockpit.step.sparklines_cleared", lambda: cells.api.SparklineGroups.Clear(), skipped)
        return sheet
    # a new product sheet goes after the client's sheets (DESIGN.md "Architecture")
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1] if len(book.sheets) else None)


def _status(app, text: str | bool) -> None:
    try:
        app.status_bar = text
    except Exception:  # an engine without a status bar: the write goes on
        pass


def write_cockpit_live(book, spec: CockpitSpec, *, progress: Callable[[str], None] | None = None) -> list[str]:
    """Write ``spec`` into the sheet ``spec.sheet_name`` of the open ``book`` (an ``xlwings.Book``).

    Returns the native steps the platform skipped (empty on Windows Excel), as catalogue codes
    (``cockpit.step.*``); the caller may tell the user (``addin.actions.refresh.summary``).
    """
    app = book.app
    skipped: list[str] = []
    saved = {}
    for attr, value in (("screen_updating", False), ("display_alerts", False), ("calculation", "manual")):
        try:
            saved[attr] = getattr(app, attr)
            setattr(app, attr, value)
        except Exception:
            pass

    def say(code: str, **figures: Any) -> None:
        text = said(code, spec.language, **figures)
        _status(app, f"Pilotage : {text}")
        if progress:
            progress(text)

    try:
        say("cockpit.progress.preparing")
        sheet = _fresh_sheet(book, spec.sheet_name, skipped)
        n = len(spec.blocks)
        for k, block in enumerate(spec.blocks):
            say("cockpit.progress.block", k=k + 1, n=n)
            rows = block_rows(spec, k)
            if rows and rows[0]:
                sheet.range((block.row + 1, block.col + 1)).value = rows
        say("cockpit.progress.formatting")
        base = looks.BASE_LOOK
        for block in spec.blocks:  # the font every style shares, once per block
            cells = [(block.row + i, block.col + j) for i, row in enumerate(block.cells) for j in range(len(row))]
            for address in addresses(rectangles(cells)):
                _apply_look(sheet.range(address), base, skipped)
        for _, style, addrs in style_areas(spec):  # then only what each style changes
            look = {k: v for k, v in looks.cell_look(style).items() if base.get(k) != v}
            for address in addrs:
                _apply_look(sheet.range(address), look, skipped)
        for block in spec.blocks:
            for r1, c1, r2, c2 in block.merges:
                sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()
        for col, width in enumerate(spec.column_widths):
            # a width of 0 is how Excel hides a column
            sheet.range((1, col + 1)).column_width = 0 if col in spec.hidden_columns else width
        for row, height in sorted(spec.row_heights.items()):
            sheet.range((row + 1, 1)).row_height = height
        say("cockpit.progress.conditional")
        for rule in reversed(spec.rules):  # xlwings inserts each rule at the top: reverse keeps the spec's order
            add_rule(sheet.range(rule.range), rule)
        for spark in spec.sparklines:
            source = f"'{spec.sheet_name}'!{spark.data_range}"
            _native("cockpit.step.sparklines", lambda s=spark, src=source: sheet.range(s.location).api
                    .SparklineGroups.Add(XL_SPARKLINE[s.kind], src), skipped)
        for v in spec.validations:
            rng = sheet.range(v.cell)
            # a list drawn from a range of the sheet (Excel caps an inline list at 255 characters)
            rng.data_validation.set_list(sheet.range(v.source) if v.source else list(v.choices))
            if v.prompt:
                _native("cockpit.step.prompt", lambda r=rng, p=v: _input_prompt(r, p), skipped)
        say("cockpit.progress.page")
        p = spec.print_setup
        if p.print_area:
            sheet.page_setup.print_area = p.print_area
        _native("cockpit.step.page", lambda: _page_setup(sheet, p), skipped)
        sheet.show_gridlines = False
    finally:
        for attr, value in saved.items():
            try:
                setattr(app, attr, value)
            except Exception:
                pass
        _status(app, False)  # False gives the status bar back to Excel
    return sorted(set(skipped))


def write_frame_live(book, name: str, rows: list[list], formats: list[str | None]) -> list[str]:
    """A product sheet of plain rows (``rows[0]`` the header) in one 2-D write, a number format per column."""
    skipped: list[str] = []
    sheet = _fresh_sheet(book, name, skipped)
    sheet.range((1, 1)).value = rows
    width = len(rows[0]) if rows else 0
    if width:
        sheet.range((1, 1), (1, width)).font.bold = True
    if len(rows) > 1:
        for j, code in enumerate(formats):
            if code:
                sheet.range((2, j + 1), (len(rows), j + 1)).number_format = code
    return skipped


def read_live_sheet(book, name: str) -> list[list] | None:
    """The values of sheet ``name`` from A1 to the end of its used range (Excel ignores case), or None."""
    sheet = next((s for s in book.sheets if s.name.casefold() == name.strip().casefold()), None)
    if sheet is None:
        return None
    used = sheet.used_range
    last_row, last_col = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
    return [list(r) for r in sheet.range((1, 1), (last_row, last_col)).options(ndim=2).value]


def _input_prompt(rng, v) -> None:
    validation = rng.api.Validation
    validation.InputTitle = v.title[:32]
    validation.InputMessage = v.prompt[:255]
    validation.ErrorMessage = v.error[:255]


def _page_setup(sheet, p) -> None:
    ps = sheet.page_setup.api
    ps.Orientation = XL_LANDSCAPE if p.landscape else XL_PORTRAIT
    ps.PaperSize = XL_PAPER.get(p.paper, 9)
    ps.Zoom = False  # FitToPages* apply only without a zoom
    ps.FitToPagesWide = p.fit_width
    ps.FitToPagesTall = p.fit_height or False  # False: as many pages as the height needs
    ps.CenterHorizontally = True
    points = p.margins_cm / 2.54 * 72
    ps.LeftMargin = ps.RightMargin = ps.TopMargin = ps.BottomMargin = points


# --------------------------------------------------------------------------- reader
def read_live_grids(book) -> list[RawGrid]:
    """The open workbook's data as the ingest wants it: each Excel Table (ListObject) exactly,
    and the used range of each sheet that has no Table (the ingest finds the header row).

    A Table's totals row is left out (it is not data).  Values come as xlwings
    reads them: numbers as floats, dated cells as ``datetime``, text, booleans,
    empty cells as None; the ingest accepts all of these.
    """
    grids: list[RawGrid] = []
    file = book.name
    for sheet in book.sheets:
        tables = list(sheet.tables)
        for t in tables:
            header = t.header_row_range
            body = t.data_body_range
            rows: list[list[object]] = []
            if header is not None:
                rows += _rows(header)
            if body is not None:
                rows += _rows(body)
            first = header if header is not None else body
            if first is None:
                continue
            grids.append(RawGrid(file, sheet.name, rows, first.row, t.name, first.column))
        if tables:
            continue
        used = sheet.used_range
        rows = _rows(used)
        if any(any(v not in (None, "") for v in r) for r in rows):
            grids.append(RawGrid(file, sheet.name, rows, used.row, None, used.column))
    return grids


def _rows(rng) -> list[list[object]]:
    return [list(r) for r in rng.options(ndim=2).value]
