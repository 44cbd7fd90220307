"""The « Qualité des données » sheet in a file: the spec of ``kpicore.cockpit.quality_spec`` through the cockpit writer.

The refresh adds it to the client's workbook next to the cockpit, whose
data-quality badge links to it; the live engines write the same spec into the
open workbook.  This is an edge: the spec's messages are rendered here in the
workbook's language (Settings ``language``) before any writer sees them.
"""

from __future__ import annotations


from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.model.pipeline_data import PipelineData
from kpicore.cockpit.quality_spec import MAX_DETAIL_ROWS, QUALITY_SHEET, build_quality_spec, fitted
from kpicore.cockpit.spec import CockpitSpec
from kpicore.text.catalogue import language_of
from kpicore.text.sheets import rendered
from workbook_templates.cockpit_sheet import write_cockpit


def quality_sheet_spec(data: PipelineData, language: str | None = None, *,
                       max_detail_rows: int = MAX_DETAIL_ROWS) -> CockpitSpec:
    """The quality sheet of ``data`` as text in ``language`` (default: the workbook's Settings), rows sized
    to that text: what every engine writes."""
    lang = language_of(data.setting("language") if language is None else language)
    return fitted(rendered(build_quality_spec(data, max_detail_rows=max_detail_rows), lang))


def write_quality_sheet(workbook: Workbook, worksheet: Worksheet, data: PipelineData, *,
                        max_detail_rows: int = MAX_DETAIL_ROWS, language: str | None = None) -> None:
    """Fill ``worksheet`` with the data-quality report of ``data``."""
    write_cockpit(workbook, quality_sheet_spec(data, language, max_detail_rows=max_detail_rows), worksheet)


def quality_sheet_part(data: PipelineData, language: str | None = None):
    """The sheet as a ``package.SheetPart`` for ``replace_sheets`` (visible, after the cockpit)."""
    from workbook_templates.package import SheetPart

    return SheetPart(lambda wb, ws: write_quality_sheet(wb, ws, data, language=language))


__all__ = ["MAX_DETAIL_ROWS", "QUALITY_SHEET", "quality_sheet_part", "quality_sheet_spec", "write_quality_sheet"]
