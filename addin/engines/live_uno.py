"""The LibreOffice live engine: a ``CockpitSpec`` into an open Calc document, and its tables back out, over UNO.

The Calc twin of ``addin.engines.live_excel`` (xlwings) and of the file writer
``workbook_templates.cockpit_sheet``: the same spec, the same looks (colours,
fonts and number formats from ``workbook_templates.cockpit_looks``, one definition), the
same protocol: ``read_uno_grids(doc) -> list[RawGrid]`` for the ingest and
``write_cockpit_uno(doc, spec, progress=None) -> list[str]``.

How it writes:

- controllers locked, automatic calculation suspended, and the frame's status
  indicator says which step runs; all put back in ``finally``;
- the Cockpit sheet is reused when present (formulas elsewhere that point into
  it keep their reference) and emptied: contents, attributes, merges,
  conditional formats, validation, print areas;
- one ``setDataArray`` per block; the product's formulas (Excel syntax, en-US)
  are parsed by Calc's ``FormulaParser`` in the OOXML grammar and set as tokens,
  so ``'Objectifs'!$E:$E`` and the comma separators need no translation by hand.
  Client text is written with ``setDataArray``, which never interprets a string;
- looks are cell styles named ``Pilotage …`` (one per semantic style, visible in
  Calc's style list), applied per block and per style in one call over a
  ``SheetCellRanges``; number formats through the document's ``NumberFormats``
  in the en-US locale (the file syntax of the file writer);
- conditional formats through the sheet's ``ConditionalFormats``: the formula
  rules of one range become the condition entries of one format, in the spec's
  order, and data bars are native entries.  Colour scales and icon sets cannot
  be set through UNO in LibreOffice 7.4 (assigning ``ColorScaleEntries`` or
  ``IconSetEntries`` crashes soffice: the entries of a new format are empty and
  the setter indexes them), and sparklines have no UNO API at all; so these
  three are written by the file writer's own code into a scratch workbook,
  imported with ``Sheets.importSheet`` and copied onto their cells with
  ``copyRange`` before any value is written.

Approximations (returned by ``write_cockpit_uno`` so the caller can tell):

- ``stop_if_true``: Calc stops at the first true condition of a format, so a
  range's rules given in the spec's order behave as Excel's "stop if true";
- a data bar runs from the range's minimum to its maximum, as in the file, but
  Calc draws it with its own length limits and axis;
- column widths are converted from Excel's character widths as LibreOffice
  converts the widths of an .xlsx it opens (7 pixels a character, 72 pixels an
  inch), so a saved .xlsx carries the file writer's widths within 0.05.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from kpicore.cockpit.spec import STYLE_NAMES, Cell, CockpitSpec, ConditionalRule
from kpicore.cockpit.style_areas import styled_rectangles
from kpicore.ingest.grids import RawGrid
from kpicore.model.cells import from_serial, serial
from kpicore.text.catalogue import say
from workbook_templates import cockpit_looks as looks

log = logging.getLogger("pilotage.libreoffice")

STYLE_PREFIX = "Pilotage "
PAGE_STYLE = "Pilotage Cockpit"
ALL_CONTENT = 1023  # com.sun.star.sheet.CellFlags: every flag, VALUE ... FORMATTED
DATE_TYPE = 2  # com.sun.star.util.NumberFormat.DATE (DATETIME = 6 has this bit)
BOLD = 150.0  # com.sun.star.awt.FontWeight.BOLD
HUNDREDTH_MM_PER_PT = 2540 / 72
HUNDREDTH_MM_PER_PX = 2540 / 72  # LibreOffice reads an .xlsx width at 7 px a character, 72 px an inch


def _uno():
    from addin.engines.uno_bridge import import_uno

    return import_uno()


def _const(name: str) -> int:
    return _uno().getConstantByName(f"com.sun.star.{name}")


def _enum(type_name: str, value: str):
    return _uno().Enum(f"com.sun.star.{type_name}", value)


def _rgb(hex_colour: str) -> int:
    return int(hex_colour.lstrip("#"), 16)


# --------------------------------------------------------------------------- looks
def number_format_key(doc, code: str) -> int:
    """The key of ``code`` (file syntax, en-US) in the document's number formats, added when new.

    The code is converted into the system language, as a format typed in Calc
    would be: a format kept in en-US would be saved with a ``[$-409]`` prefix.
    """
    uno = _uno()
    en_us = uno.createUnoStruct("com.sun.star.lang.Locale")
    en_us.Language, en_us.Country = "en", "US"
    system = uno.createUnoStruct("com.sun.star.lang.Locale")
    formats = doc.NumberFormats
    return formats.addNewConverted(code, en_us, system)  # returns the existing key when there is one


def _border(colour: str):
    line = _uno().createUnoStruct("com.sun.star.table.BorderLine2")
    line.Color = _rgb(colour)
    line.OuterLineWidth = line.LineWidth = 26  # "thin": 0.26 mm, Excel's hairline-plus
    return line


def uno_properties(doc, look: dict[str, Any]) -> dict[str, Any]:
    """The cell properties of a file-writer look (XlsxWriter keys) for Calc."""
    out: dict[str, Any] = {}
    if "font_name" in look:
        out["CharFontName"] = look["font_name"]
    if "font_size" in look:
        out["CharHeight"] = float(look["font_size"])
    if "font_color" in look:
        out["CharColor"] = _rgb(look["font_color"])
    out["CharWeight"] = BOLD if look.get("bold") else 100.0
    if "num_format" in look:
        out["NumberFormat"] = number_format_key(doc, look["num_format"])
    if "bg_color" in look:
        out["CellBackColor"] = _rgb(look["bg_color"])
        out["IsCellBackgroundTransparent"] = False
    if look.get("text_wrap"):
        out["IsTextWrapped"] = True
    if "align" in look:
        out["HoriJustify"] = _enum("table.CellHoriJustify", look["align"].upper())
    if "valign" in look:
        out["VertJustify"] = {"top": 1, "vcenter": 2, "bottom": 3}[look["valign"]]  # CellVertJustify2
    if look.get("border"):
        for side in ("TopBorder", "BottomBorder", "LeftBorder", "RightBorder"):
            out[side] = _border(look.get("border_color", "#000000"))
    if look.get("bottom"):
        out["BottomBorder"] = _border(look.get("bottom_color", "#000000"))
    return out


def _cell_style(doc, name: str, properties: dict[str, Any]) -> str:
    """Create or update the cell style ``name`` (kept in the document: the user sees it in Calc)."""
    styles = doc.StyleFamilies.getByName("CellStyles")
    if styles.hasByName(name):
        style = styles.getByName(name)
    else:
        style = doc.createInstance("com.sun.star.style.CellStyle")
        styles.insertByName(name, style)
    for key, value in properties.items():
        style.setPropertyValue(key, value)
    return name


def ensure_styles(doc) -> dict[str, str]:
    """Every semantic style and rule style of the cockpit's looks as a ``Pilotage …`` cell style."""
    names = {s: _cell_style(doc, STYLE_PREFIX + s, uno_properties(doc, looks.cell_look(s))) for s in STYLE_NAMES}
    for s, look in looks.RULE_LOOKS.items():
        names["rule:" + s] = _cell_style(doc, STYLE_PREFIX + s, uno_properties(doc, look))
    return names


# --------------------------------------------------------------------------- values
def uno_value(cell: Cell) -> Any:
    """What one cell of ``setDataArray`` holds ("" is an empty cell; dates as serial days)."""
    v = cell.value
    if cell.formula or v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, date):  # Calc's NullDate for a new document or an .xlsx is Excel's day zero
        return serial(v)
    v = float(v)
    return "" if v != v else v  # NaN: nothing to show, never a 0


def block_rows(spec: CockpitSpec, block_index: int) -> tuple[tuple[Any, ...], ...]:
    b = spec.blocks[block_index]
    w = b.width
    return tuple(tuple(uno_value(c) for c in row) + ("",) * (w - len(row)) for row in b.cells)


class _Formulas:
    """Excel formulas (en-US, A1, ``'Sheet'!A1``) parsed by Calc itself, set as tokens."""

    def __init__(self, doc) -> None:
        uno = _uno()
        self.parser = doc.createInstance("com.sun.star.sheet.FormulaParser")
        mapper = doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
        self.parser.OpCodeMap = mapper.getAvailableMappings(
            _const("sheet.FormulaLanguage.OOXML"), _const("sheet.FormulaMapGroup.ALL_EXCEPT_SPECIAL"))
        self.parser.FormulaConvention = _const("sheet.AddressConvention.XL_OOX")
        self.uno = uno

    def tokens(self, formula: str, sheet_index: int, row: int, col: int):
        addr = self.uno.createUnoStruct("com.sun.star.table.CellAddress")
        addr.Sheet, addr.Row, addr.Column = sheet_index, row, col
        return self.parser.parseFormula(formula, addr)


# --------------------------------------------------------------------------- addresses
def _range_address(sheet, r1: int, c1: int, r2: int, c2: int):
    return sheet.getCellRangeByPosition(c1, r1, c2, r2).RangeAddress


def _ranges(doc, sheet, rects: Iterable[tuple[int, int, int, int]]):
    out = doc.createInstance("com.sun.star.sheet.SheetCellRanges")
    out.addRangeAddresses(tuple(_range_address(sheet, *r) for r in rects), False)
    return out


def style_rects(spec: CockpitSpec) -> list[tuple[str, list[tuple[int, int, int, int]]]]:
    """(style, rectangles) per block and style; a merged area takes its first cell's style."""
    return [(style, rects) for _, style, rects in styled_rectangles(spec)]


# --------------------------------------------------------------------------- conditional formats
def rule_groups(rules: Iterable[ConditionalRule]) -> list[tuple[str, list[ConditionalRule]]]:
    """Consecutive formula rules on one range form one Calc format (first true condition wins)."""
    out: list[tuple[str, list[ConditionalRule]]] = []
    for rule in rules:
        if rule.kind == "formula" and out and out[-1][0] == rule.range and out[-1][1][-1].kind == "formula":
            out[-1][1].append(rule)
        else:
            out.append((rule.range, [rule]))
    return out


def _new_format(doc, sheet, address: str):
    ranges = doc.createInstance("com.sun.star.sheet.SheetCellRanges")
    ranges.addRangeAddress(sheet.getCellRangeByName(address).RangeAddress, False)
    formats = sheet.ConditionalFormats
    new_id = formats.createByRange(ranges)
    return next(f for f in formats.ConditionalFormats if f.ID == new_id)


def _api_formula(doc, sheet, formulas: _Formulas, text: str, address: str) -> str:
    """An Excel rule formula in the grammar of a condition entry (Calc's, ';' separators)."""
    anchor = sheet.getCellRangeByName(address.split(":")[0]).CellAddress
    cell = sheet.getCellByPosition(anchor.Column, anchor.Row)
    # Calc prints the parsed tokens back in its own grammar through a cell: the rules' anchors
    # are later overwritten by the values, so the cell is only borrowed
    cell.setTokens(formulas.tokens(text, anchor.Sheet, anchor.Row, anchor.Column))
    out = cell.getFormula()
    cell.setString("")
    return out[1:] if out.startswith("=") else out


def _bar_end(kind: str):
    """One end of a data bar (an ``XDataBarEntry``, which UNO only takes as an object)."""
    import unohelper
    from com.sun.star.sheet import XDataBarEntry

    class BarEnd(unohelper.Base, XDataBarEntry):
        def __init__(self, type_: int) -> None:
            self.type_, self.formula = type_, ""

        def getType(self) -> int:
            return self.type_

        def setType(self, value: int) -> None:
            self.type_ = value

        def getFormula(self) -> str:
            return self.formula

        def setFormula(self, value: str) -> None:
            self.formula = value

    return BarEnd(_const(f"sheet.DataBarEntryType.{kind}"))


def _add_native_rules(doc, sheet, rules: list[ConditionalRule], styles: dict[str, str],
                      formulas: _Formulas) -> None:
    fmt = _new_format(doc, sheet, rules[0].range)
    for k, rule in enumerate(rules):
        if rule.kind == "formula":
            fmt.createEntry(_const("sheet.ConditionEntryType.CONDITION"), k)
            entry = fmt.getByIndex(k)
            entry.Operator = _const("sheet.ConditionFormatOperator.EXPRESSION")
            entry.Formula1 = _api_formula(doc, sheet, formulas, rule.formula, rule.range)
            entry.StyleName = styles["rule:" + rule.style]
        elif rule.kind == "data_bar":
            fmt.createEntry(_const("sheet.ConditionEntryType.DATABAR"), k)
            entry = fmt.getByIndex(k)
            entry.Color = _rgb(looks.DATA_BAR)
            entry.UseGradient = False
            entry.AxisColor = _rgb(looks.DATA_BAR_AXIS)
            # a new Calc data bar runs from the number 0 to the number 0; the file's runs from the
            # range's minimum to its maximum
            entry.DataBarEntries = (_bar_end("DATABAR_MIN"), _bar_end("DATABAR_MAX"))
        else:
            raise ValueError(f"règle {rule.kind!r} non native")


def _import_scratch(doc, spec: CockpitSpec, rules: list[ConditionalRule]):
    """A sheet holding only ``rules`` and the sparklines, written by the file writer and imported
    (see the module docstring); the caller copies from it, then removes it.

    It bears the cockpit's name in its own workbook, at the cockpit's place in
    ``doc`` (empty sheets before it): a sparkline's data range (``'Cockpit'!O4:Z4``)
    is kept by Calc as a sheet position, so ``copyRange`` moves it onto the Cockpit
    only when both positions agree.
    """
    from dataclasses import replace

    import xlsxwriter

    from addin.engines.uno_bridge import props
    from workbook_templates.cockpit_sheet import write_cockpit

    only = replace(spec, blocks=(), rules=tuple(rules), validations=(), column_widths=(), row_heights={},
                   hidden_columns=())
    with tempfile.TemporaryDirectory(prefix="pilotage-parts-") as tmp:
        path = Path(tmp) / "parts.xlsx"
        book = xlsxwriter.Workbook(str(path))
        place = list(doc.Sheets.ElementNames).index(spec.sheet_name)
        for k in range(place):
            book.add_worksheet(f"pilotage-place-{k}")
        write_cockpit(book, only)
        book.close()
        loader = doc.CurrentController.Frame.Creator  # the Desktop
        scratch_doc = loader.loadComponentFromURL(path.as_uri(), "_blank", 0, props(Hidden=True))
        try:
            index = doc.Sheets.importSheet(scratch_doc, spec.sheet_name, doc.Sheets.Count)
        finally:
            scratch_doc.close(True)
    return doc.Sheets.getByIndex(index)


def _copy_from(scratch, sheet, where: str) -> None:
    sheet.copyRange(sheet.getCellRangeByName(where.split(":")[0]).CellAddress,
                    scratch.getCellRangeByName(where).RangeAddress)


# --------------------------------------------------------------------------- sheet
def _used_range(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.RangeAddress
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)


def _fresh_sheet(doc, name: str):
    sheets = doc.Sheets
    if not sheets.hasByName(name):
        # a new product sheet goes after the client's sheets (DESIGN.md "Architecture")
        sheets.insertNewByName(name, sheets.Count)
        return sheets.getByName(name)
    sheet = sheets.getByName(name)
    used = _used_range(sheet)
    used.merge(False)
    formats = sheet.ConditionalFormats
    for f in list(formats.ConditionalFormats):
        formats.removeByID(f.ID)
    sheet.clearContents(ALL_CONTENT)  # values, formulas, notes, attributes (validation too), objects
    columns = sheet.Columns
    for c in range(used.RangeAddress.EndColumn + 1):
        col = columns.getByIndex(c)
        col.IsVisible = True
        col.OptimalWidth = True
    sheet.Rows.OptimalHeight = True
    sheet.setPrintAreas(())
    return sheet


def _page_setup(doc, sheet, spec: CockpitSpec) -> None:
    """A page style of our own (the default one is shared by the client's other sheets)."""
    p = spec.print_setup
    pages = doc.StyleFamilies.getByName("PageStyles")
    if not pages.hasByName(PAGE_STYLE):
        pages.insertByName(PAGE_STYLE, doc.createInstance("com.sun.star.style.PageStyle"))
    style = pages.getByName(PAGE_STYLE)
    short, long_ = (21000, 29700) if p.paper == "A4" else (21590, 27940)
    style.IsLandscape = p.landscape
    style.Width, style.Height = (long_, short) if p.landscape else (short, long_)
    style.ScaleToPagesX = p.fit_width
    style.ScaleToPagesY = p.fit_height
    margin = round(p.margins_cm * 1000)
    style.LeftMargin = style.RightMargin = style.TopMargin = style.BottomMargin = margin
    style.CenterHorizontally = True
    sheet.PageStyle = PAGE_STYLE
    if p.print_area:
        sheet.setPrintAreas((sheet.getCellRangeByName(p.print_area).RangeAddress,))


def _validation(sheet, v) -> None:
    cell = sheet.getCellRangeByName(v.cell)
    val = cell.Validation
    val.Type = _enum("sheet.ValidationType", "LIST")
    # a list drawn from a range of the sheet (no length cap), else the choices inline
    val.setFormula1(v.source or ";".join('"' + c.replace('"', '""') + '"' for c in v.choices))
    val.ShowList = 1  # TableValidationVisibility.UNSORTED: the drop-down in the spec's order
    val.IgnoreBlankCells = True
    val.ShowErrorMessage = True
    val.ErrorMessage = v.error
    if v.prompt:
        val.ShowInputMessage = True
        val.InputTitle = v.title
        val.InputMessage = v.prompt
    cell.Validation = val


def excel_width_to_hundredth_mm(width: float) -> int:
    """XlsxWriter's character width as Calc's column width (1/100 mm), as Calc reads the file writer's."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return round(pixels * HUNDREDTH_MM_PER_PX)


class _Status:
    """The frame's status indicator (Calc's status bar); nothing when the document has none."""

    def __init__(self, doc, steps: int, progress: Callable[[str], None] | None, language: str) -> None:
        self.progress, self.step, self.indicator, self.language = progress, 0, None, language
        try:
            self.indicator = doc.CurrentController.Frame.createStatusIndicator()
            self.indicator.start("Pilotage", steps)
        except Exception:  # no controller (a document loaded without a view)
            self.indicator = None

    def say(self, code: str) -> None:
        """Show the step ``code`` (``cockpit.progress.*``) in the sheet's language."""
        text = say(code, self.language)
        self.step += 1
        if self.indicator is not None:
            self.indicator.setText(f"Pilotage : {text}")
            self.indicator.setValue(self.step)
        if self.progress:
            self.progress(text)

    def end(self) -> None:
        if self.indicator is not None:
            self.indicator.end()


def write_cockpit_uno(doc, spec: CockpitSpec, *, progress: Callable[[str], None] | None = None) -> list[str]:
    """Write ``spec`` into the sheet ``spec.sheet_name`` of the open Calc document ``doc``.

    Returns what this engine approximates or skips (see the module docstring), as catalogue
    codes (``cockpit.step.*``) or text; the caller may tell the user (``addin.actions.refresh.summary``).
    """
    skipped: list[str] = []
    status = _Status(doc, 8, progress, spec.language)
    doc.lockControllers()
    doc.addActionLock()
    was_auto = doc.isAutomaticCalculationEnabled()
    scratch = None
    doc.enableAutomaticCalculation(False)
    try:
        status.say("cockpit.progress.preparing")
        sheet = _fresh_sheet(doc, spec.sheet_name)
        sheet_index = sheet.RangeAddress.Sheet
        styles = ensure_styles(doc)
        formulas = _Formulas(doc)

        status.say("cockpit.progress.conditional")
        imported = [r for r in spec.rules if r.kind in ("color_scale", "icon_set")]
        if imported or spec.sparklines:
            scratch = _import_scratch(doc, spec, imported)
        for rule in imported:  # before the values: a copy brings the scratch's empty cells
            _copy_from(scratch, sheet, rule.range)
        for _, group in rule_groups(r for r in spec.rules if r.kind not in ("color_scale", "icon_set")):
            _add_native_rules(doc, sheet, group, styles, formulas)

        status.say("cockpit.progress.blocks")
        for k, block in enumerate(spec.blocks):
            rows = block_rows(spec, k)
            if rows and rows[0]:
                sheet.getCellRangeByPosition(block.col, block.row, block.col + block.width - 1,
                                             block.row + block.height - 1).setDataArray(rows)
            for i, row in enumerate(block.cells):
                for j, cell in enumerate(row):
                    if cell.formula:
                        r, c = block.row + i, block.col + j
                        sheet.getCellByPosition(c, r).setTokens(formulas.tokens(cell.formula, sheet_index, r, c))
        if spec.sparklines:
            status.say("cockpit.progress.sparklines")
            # after the values: writing "" into a cell through setDataArray deletes its sparkline
            cells = spec.cell_map()
            for spark in spec.sparklines:
                _copy_from(scratch, sheet, spark.location)
                anchor = sheet.getCellRangeByName(spark.location).CellAddress
                _put(sheet, cells.get((anchor.Row, anchor.Column)), anchor, formulas, sheet_index)

        status.say("cockpit.progress.formatting")
        for style, rects in style_rects(spec):
            _ranges(doc, sheet, rects).CellStyle = styles[style]
        for block in spec.blocks:
            for r1, c1, r2, c2 in block.merges:
                sheet.getCellRangeByPosition(c1, r1, c2, r2).merge(True)
        columns = sheet.Columns
        for col, width in enumerate(spec.column_widths):
            column = columns.getByIndex(col)
            column.Width = excel_width_to_hundredth_mm(width)
            column.IsVisible = col not in spec.hidden_columns
        rows_ = sheet.Rows
        for row, height in sorted(spec.row_heights.items()):
            rows_.getByIndex(row).Height = round(height * HUNDREDTH_MM_PER_PT)

        status.say("cockpit.progress.views")
        for v in spec.validations:
            _validation(sheet, v)
        status.say("cockpit.progress.page")
        _page_setup(doc, sheet, spec)
        _view(doc, sheet, spec)
    finally:
        if scratch is not None:
            doc.Sheets.removeByName(scratch.Name)
        doc.enableAutomaticCalculation(was_auto)
        doc.removeActionLock()
        doc.unlockControllers()
        status.end()
    doc.calculateAll()
    return skipped


def _put(sheet, cell: Cell | None, anchor, formulas: _Formulas, sheet_index: int) -> None:
    """One cell's value or formula, written alone (a sparkline's cell, once the sparkline is copied)."""
    if cell is None:
        return
    target = sheet.getCellByPosition(anchor.Column, anchor.Row)
    value = uno_value(cell)
    if cell.formula:
        target.setTokens(formulas.tokens(cell.formula, sheet_index, anchor.Row, anchor.Column))
    elif isinstance(value, str) and value:
        target.setString(value)
    elif isinstance(value, float):
        target.setValue(value)


def _view(doc, sheet, spec: CockpitSpec) -> None:
    """Show the cockpit without grid lines, frozen rows as in the spec (a document without view: nothing)."""
    controller = doc.CurrentController
    if controller is None:
        return
    controller.setActiveSheet(sheet)
    controller.ShowGrid = False
    if spec.freeze_rows:
        controller.freezeAtPosition(0, spec.freeze_rows)


# --------------------------------------------------------------------------- reader
def _rows_of(doc, rng) -> list[list[object]]:
    """Cells as the ingest wants them: None for empty, floats, text, and ``datetime`` for dated cells."""
    data = [[None if v == "" else v for v in row] for row in rng.getDataArray()]
    origin = rng.RangeAddress
    row0, col0 = origin.StartRow, origin.StartColumn
    formats = doc.NumberFormats
    # ranges grouped by identical attributes: a handful per table whatever its length
    unique = rng.getUniqueCellFormatRanges()
    for i in range(unique.Count):
        part = unique.getByIndex(i)
        if not formats.getByKey(part.NumberFormat).Type & DATE_TYPE:
            continue
        for a in part.RangeAddresses:
            r1, r2, c1, c2 = a.StartRow - row0, a.EndRow - row0, a.StartColumn - col0, a.EndColumn - col0
            for row in data[r1:r2 + 1]:
                for c in range(c1, c2 + 1):
                    v = row[c]
                    if isinstance(v, float):
                        row[c] = from_serial(v)
    return data


def read_uno_grids(doc) -> list[RawGrid]:
    """The document's data as the ingest wants it: each database range (an imported Excel Table)
    exactly, and the used area of each sheet that has none (the ingest finds the header row)."""
    file = Path(_uno().fileUrlToSystemPath(doc.URL)).name if doc.URL else doc.Title
    by_sheet: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    db = doc.DatabaseRanges
    for name in db.ElementNames:
        if name.startswith("__"):  # Calc's anonymous ranges (autofilters), not tables
            continue
        area = db.getByName(name).DataArea
        by_sheet[area.Sheet].append((name, area))
    grids: list[RawGrid] = []
    sheets = doc.Sheets
    for index in range(sheets.Count):
        sheet = sheets.getByIndex(index)
        if by_sheet.get(index):
            for name, a in by_sheet[index]:
                rng = sheet.getCellRangeByPosition(a.StartColumn, a.StartRow, a.EndColumn, a.EndRow)
                grids.append(RawGrid(file, sheet.Name, _rows_of(doc, rng), a.StartRow + 1, name,
                                     a.StartColumn + 1))
            continue
        used = _used_range(sheet)
        rows = _rows_of(doc, used)
        if any(any(v is not None for v in r) for r in rows):
            grids.append(RawGrid(file, sheet.Name, rows, 1, None, 1))
    return grids


def read_uno_sheet(doc, name: str) -> list[list] | None:
    """The values of sheet ``name`` from A1 to the end of its used area (case ignored), or None."""
    sheets = doc.Sheets
    found = next((n for n in sheets.ElementNames if n.casefold() == name.strip().casefold()), None)
    if found is None:
        return None
    return _rows_of(doc, _used_range(sheets.getByName(found)))


def _serial(value: Any) -> Any:
    """A cell of ``setDataArray``: text, a float (dates as Excel's serial days), or "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, date):
        return serial(value)
    return value


def write_frame_uno(doc, name: str, rows: list[list], formats: list[str | None]) -> None:
    """A product sheet of plain rows (``rows[0]`` the header) in one ``setDataArray``, a number format
    per column."""
    sheet = _fresh_sheet(doc, name)
    if not rows or not rows[0]:
        return
    width = len(rows[0])
    sheet.getCellRangeByPosition(0, 0, width - 1, len(rows) - 1).setDataArray(
        tuple(tuple(_serial(v) for v in row) for row in rows))
    sheet.getCellRangeByPosition(0, 0, width - 1, 0).CharWeight = BOLD
    if len(rows) > 1:
        for j, code in enumerate(formats):
            if code:
                sheet.getCellRangeByPosition(j, 1, j, len(rows) - 1).NumberFormat = number_format_key(doc, code)


# --------------------------------------------------------------------------- messages
def show_message(doc, text: str, *, error: bool = False, title: str = "Pilotage") -> None:
    """A message box on the document's window; logged instead when there is none to show it on
    (headless, hidden document, or ``PILOTAGE_NO_DIALOG`` set, as in the tests)."""
    (log.error if error else log.info)("%s", text)
    if os.environ.get("PILOTAGE_NO_DIALOG"):
        return
    try:
        window = doc.CurrentController.Frame.ContainerWindow
        if window is None or not window.isVisible():
            return
        kind = _enum("awt.MessageBoxType", "ERRORBOX" if error else "INFOBOX")
        box = window.Toolkit.createMessageBox(window, kind, _const("awt.MessageBoxButtons.BUTTONS_OK"), title, text)
        box.execute()
        box.dispose()
    except Exception:  # no toolkit: the log line above is the message
        log.exception("boîte de message impossible")
