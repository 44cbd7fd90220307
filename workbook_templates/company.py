"""Everything the refresh reads for one company: the pipeline workbook, its edited
KPI dictionary, and the activities gathered from the reps' shared workbooks.

``complete_company`` adds to the workbook's own tables (whatever engine read them):

- the « Dictionnaire KPI » sheet read back (``kpicore.metrics.dictionary.read_dictionary``):
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
import os
from datetime import date
from pathlib import Path
from typing import Mapping

import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.metrics.dictionary import COLUMNS_FR, SHEET_FR, read_dictionary
from kpicore.model.quality import WARNING, Issue
from workbook_templates import gathering
from workbook_templates.reading import ingest_grids, read_source


def dictionary_frame(rows: list[list] | None) -> pd.DataFrame | None:
    """The « Dictionnaire KPI » sheet's rows (header on row 1) as a frame of its known columns."""
    if not rows:
        return None
    known = set(COLUMNS_FR) | set(COLUMNS_FR.values())
    header = [str(h).strip() if h not in (None, "") else f"_col{j}" for j, h in enumerate(rows[0])]
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    return frame[[c for c in header if c in known]]


def complete_company(data: PipelineData, dictionary_rows: list[list] | None, *, file: str,
                     folder: Path | None, today: date | None = None, retries: int = gathering.RETRIES,
                     backoff: float = gathering.BACKOFF_SECONDS) -> PipelineData:
    """``data`` (the workbook's own tables, ingested) with its edited dictionary and the gathered activities.

    ``dictionary_rows``: the « Dictionnaire KPI » sheet as read (None when absent);
    ``folder``: where relative paths of activity workbooks resolve (None for a
    workbook never saved: relative paths are reported, not read). ``today`` (default: the computer's date) bounds activity
    dates: a later one is a typo.
    """
    frame = dictionary_frame(dictionary_rows)
    if frame is not None:
        dictionary, issues = read_dictionary(frame)
        data.quality.extend(dataclasses.replace(i, file=file, sheet=SHEET_FR) for i in issues)
        data = dataclasses.replace(data, dictionary=dictionary)
    entries = gathering.split_setting(data.setting(gathering.SETTING_KEY))
    if folder is None:  # a workbook never saved: a relative path has nothing to start from
        relative = [e for e in entries if not os.path.isabs(os.path.expanduser(os.path.expandvars(e)))]
        data.quality.extend(Issue(WARNING, "Activities", f"Classeur d'activité « {e} » non lu : le classeur "
                                  "n'a pas encore été enregistré, un chemin relatif ne part de nulle part",
                                  "Enregistrez le classeur, ou indiquez un chemin complet dans Paramètres "
                                  f"(clé {gathering.SETTING_KEY}).", file=file) for e in relative)
        entries = [e for e in entries if e not in relative]
    if entries:
        gathered, issues, _skipped = gathering.gather_activities(
            entries, data.reps["rep"], today=today or date.today(), retries=retries, base=folder,
            existing=data.activities, existing_source=file, backoff=backoff)
        data.quality.extend(issues)
        activities = pd.concat([data.activities, gathered], ignore_index=True) if len(data.activities) \
            else gathered
        data = data.with_frames(activities=schema.conform(activities, schema.ACTIVITIES))
    return data


def load_company(path: str | Path, settings: Mapping[str, str] | None = None, *, today: date | None = None,
                 retries: int = gathering.RETRIES, backoff: float = gathering.BACKOFF_SECONDS) -> PipelineData:
    """The company's data from a file: the pipeline workbook, its dictionary, the gathered activities."""
    path = Path(path)
    source = read_source(path)
    data = ingest_grids(source.grids, path.name, settings)
    return complete_company(data, source.sheet_rows(SHEET_FR), file=path.name, folder=path.resolve().parent,
                            today=today, retries=retries, backoff=backoff)
