"""Translate a ``CockpitSpec`` into an XlsxWriter worksheet.

The spec carries semantic style names; ``workbook_templates.cockpit_looks`` says
what they look like (colour-blind-safe colours, and a sign beside every status:
▲ ● ▼, so a black-and-white print still reads), and this module writes them.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.cockpit.spec import Cell, CockpitSpec
from workbook_templates import cockpit_looks as looks


class _Formats:
    def __init__(self, workbook: Workbook) -> None:
        self.cell = {name: workbook.add_format(looks.cell_look(name)) for name in looks.CELL_LOOKS}
        self.rule = {name: workbook.add_format(dict(props)) for name, props in looks.RULE_LOOKS.items()}


def _write_cell(ws: Worksheet, row: int, col: int, cell: Cell, fmt) -> None:
    if cell.formula:
        ws.write_formula(row, col, cell.formula, fmt, cell.value if cell.value is not None else "")
    elif cell.value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(cell.value, str):
        # write_string: client text is never interpreted as a formula or a number
        ws.write_string(row, col, cell.value, fmt)
    elif isinstance(cell.value, (datetime, date)):
        ws.write_datetime(row, col, cell.value, fmt)
    elif isinstance(cell.value, bool):
        ws.write_boolean(row, col, cell.value, fmt)
    else:
        value = float(cell.value)
        if value != value:  # NaN: nothing to show, never a 0
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, value, fmt)


def write_cockpit(workbook: Workbook, spec: CockpitSpec, worksheet: Worksheet | None = None) -> Worksheet:
    """Write the cockpit described by ``spec`` into ``worksheet`` (a new sheet when None)."""
    formats = _Formats(workbook)
    ws = worksheet if worksheet is not None else workbook.add_worksheet(spec.sheet_name)
    ws.hide_gridlines(2)
    for col, width in enumerate(spec.column_widths):
        ws.set_column(col, col, width, None, {"hidden": col in spec.hidden_columns})
    for row, height in spec.row_heights.items():
        ws.set_row(row, height)

    merged: set[tuple[int, int]] = set()
    for block in spec.blocks:
        for r1, c1, r2, c2 in block.merges:
            first = block.cells[r1 - block.row][c1 - block.col]
            fmt = formats.cell[first.style]
            if first.formula:
                ws.merge_range(r1, c1, r2, c2, None, fmt)
                _write_cell(ws, r1, c1, first, fmt)
            elif isinstance(first.value, str):
                ws.merge_range(r1, c1, r2, c2, "", fmt)
                ws.write_string(r1, c1, first.value, fmt)
            else:
                ws.merge_range(r1, c1, r2, c2, None, fmt)
                _write_cell(ws, r1, c1, first, fmt)
            merged.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        for i, cells in enumerate(block.cells):
            for j, cell in enumerate(cells):
                r, c = block.row + i, block.col + j
                if (r, c) not in merged:
                    _write_cell(ws, r, c, cell, formats.cell[cell.style])

    for rule in spec.rules:
        ws.conditional_format(rule.range, _conditional_options(rule, formats))
    for spark in spec.sparklines:
        ws.add_sparkline(spark.location, {"range": f"'{spec.sheet_name}'!{spark.data_range}",
                                          "type": spark.kind, "markers": False, "series_color": looks.SPARKLINE,
                                          # the trend values sit in hidden columns
                                          "last_point": True, "show_hidden": True})
    for v in spec.validations:
        # a list drawn from a range of the sheet (no 255-character cap), else the choices inline
        ws.data_validation(v.cell, {"validate": "list", "source": f"={v.source}" if v.source else list(v.choices),
                                    "input_title": str(v.title)[:32], "input_message": str(v.prompt)[:255],
                                    "error_message": str(v.error)[:255]})

    p = spec.print_setup
    if p.landscape:
        ws.set_landscape()
    ws.set_paper(9 if p.paper == "A4" else 1)
    ws.fit_to_pages(p.fit_width, p.fit_height)
    m = p.margins_cm / 2.54
    ws.set_margins(left=m, right=m, top=m, bottom=m)
    if p.print_area:
        ws.print_area(p.print_area)
    ws.center_horizontally()
    if spec.freeze_rows:
        ws.freeze_panes(spec.freeze_rows, 0)
    return ws


def _conditional_options(rule, formats: _Formats) -> dict:
    if rule.kind == "formula":
        return {"type": "formula", "criteria": rule.formula, "format": formats.rule[rule.style],
                "stop_if_true": rule.stop_if_true}
    if rule.kind == "color_scale":
        low, mid, high = looks.color_scale(rule.higher_is_better)
        return {"type": "3_color_scale", "min_color": low, "mid_color": mid, "max_color": high}
    if rule.kind == "data_bar":
        return {"type": "data_bar", "bar_color": looks.DATA_BAR, "bar_solid": True}
    if rule.kind == "icon_set":
        lo, hi = rule.thresholds
        return {"type": "icon_set", "icon_style": "3_arrows",
                "icons": [{"criteria": ">=", "type": "percent", "value": hi},
                          {"criteria": ">=", "type": "percent", "value": lo}],
                "reverse_icons": not rule.higher_is_better}
    raise ValueError(f"unknown conditional rule kind {rule.kind!r}")


def write_cockpit_file(spec: CockpitSpec, path: Path) -> Path:
    """A workbook holding only the cockpit sheet (for previews and transplanting)."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False})
    write_cockpit(workbook, spec)
    workbook.close()
    return path
