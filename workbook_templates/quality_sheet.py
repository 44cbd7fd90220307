"""The « Qualité des données » sheet in a file: the spec of ``kpicore.cockpit.quality_spec`` through the cockpit writer.

The refresh adds it to the client's workbook next to the cockpit, whose
data-quality badge links to it; the live engines write the same spec into the
open workbook.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.model.pipeline_data import PipelineData
from kpicore.cockpit.quality_spec import MAX_DETAIL_ROWS, QUALITY_SHEET, build_quality_spec
from workbook_templates.cockpit_sheet import write_cockpit


def write_quality_sheet(workbook: Workbook, worksheet: Worksheet, data: PipelineData, *,
                        max_detail_rows: int = MAX_DETAIL_ROWS) -> None:
    """Fill ``worksheet`` with the data-quality report of ``data``."""
    write_cockpit(workbook, build_quality_spec(data, max_detail_rows=max_detail_rows), worksheet)


def quality_sheet_part(data: PipelineData):
    """The sheet as a ``package.SheetPart`` for ``replace_sheets`` (visible, after the cockpit)."""
    from workbook_templates.package import SheetPart

    return SheetPart(lambda wb, ws: write_quality_sheet(wb, ws, data))


__all__ = ["MAX_DETAIL_ROWS", "QUALITY_SHEET", "quality_sheet_part", "write_quality_sheet"]
