"""Everything the refresh reads for one company: the pipeline workbook, its edited
KPI dictionary, and the activities gathered from the reps' shared workbooks.

``load_company(path)`` is ``load_pipeline(path)`` plus:

- the « Dictionnaire KPI » sheet read back (``kpicore.kpi_dictionary.read_dictionary``):
  managers edit thresholds and labels there; a malformed cell keeps its default
  and is reported in the quality report, the rest of the sheet applies;
  the result is ``PipelineData.dictionary``;
- the activity workbooks listed in Settings (``activity_workbooks``) gathered
  read-only (``workbook_templates.gathering``) and appended to the pipeline
  workbook's own Activities; their problems and the workbooks skipped go to the
  quality report, by file, sheet and row.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Mapping

import pandas as pd

from kpicore import schema
from kpicore.dataset import PipelineData
from kpicore.kpi_dictionary import COLUMNS_FR, SHEET_FR, read_dictionary
from workbook_templates import gathering
from workbook_templates.reading import load_pipeline


def read_dictionary_sheet(path: str | Path) -> tuple[pd.DataFrame | None, str]:
    """The « Dictionnaire KPI » sheet of a workbook as a frame (header on row 1), or None when absent."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheet = next((s for s in book.sheet_names if s.strip().casefold() == SHEET_FR.casefold()), None)
    if sheet is None:
        return None, ""
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    if not rows:
        return None, sheet
    known = set(COLUMNS_FR) | set(COLUMNS_FR.values())
    header = [str(h).strip() if h not in (None, "") else f"_col{j}" for j, h in enumerate(rows[0])]
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame[[c for c in header if c in known]]
    return frame, sheet


def load_company(path: str | Path, settings: Mapping[str, str] | None = None, *, today: date | None = None,
                 retries: int = gathering.RETRIES, backoff: float = gathering.BACKOFF_SECONDS) -> PipelineData:
    """The company's data for a refresh: the pipeline workbook, its dictionary, the gathered activities.

    ``today`` (default: the computer's date) bounds activity dates: a later one is a typo.
    """
    path = Path(path)
    data = load_pipeline(path, settings)
    frame, sheet = read_dictionary_sheet(path) if path.suffix.lower() in (".xlsx", ".xlsm") else (None, "")
    if frame is not None:
        dictionary, issues = read_dictionary(frame)
        data.quality.extend(dataclasses.replace(i, file=path.name, sheet=sheet) for i in issues)
        data = dataclasses.replace(data, dictionary=dictionary)
    entries = gathering.split_setting(data.setting(gathering.SETTING_KEY))
    if entries:
        gathered, issues, _skipped = gathering.gather_activities(
            entries, data.reps["rep"], today=today or date.today(), retries=retries, base=path.parent,
            existing=data.activities, existing_source=path.name, backoff=backoff)
        data.quality.extend(issues)
        activities = pd.concat([data.activities, gathered], ignore_index=True) if len(data.activities) \
            else gathered
        data = data.with_frames(activities=schema.conform(activities, schema.ACTIVITIES))
    return data

