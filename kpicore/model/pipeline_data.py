"""The canonical data of one company, as the engines receive it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import pandas as pd

from kpicore.model import schema
from kpicore.model.ingest_report import IngestReport
from kpicore.model.kpi_dictionary import KpiDictionary
from kpicore.model.quality import QualityReport
from kpicore.model.rep_roster import rep_roster

# attribute name -> canonical table
ATTRIBUTES: dict[str, schema.Table] = {
    "deals": schema.DEALS,
    "activities": schema.ACTIVITIES,
    "stage_history": schema.STAGE_HISTORY,
    "reps": schema.REPS,
    "targets": schema.TARGETS,
    "co_visits": schema.CO_VISITS,
    "actions": schema.ACTIONS,
    "stages": schema.STAGES,
    "settings": schema.SETTINGS,
    "pipeline_snapshots": schema.PIPELINE_SNAPSHOTS,
}


def _empty(name: str):
    return field(default_factory=lambda: ATTRIBUTES[name].empty())


@dataclass(frozen=True)
class PipelineData:
    """The canonical frames of a company plus the data-quality report of their ingest.

    Frames always have every canonical column with its dtype (``schema.conform``);
    a table the source did not have is an empty frame, never ``None``.
    """

    deals: pd.DataFrame = _empty("deals")
    activities: pd.DataFrame = _empty("activities")
    stage_history: pd.DataFrame = _empty("stage_history")
    reps: pd.DataFrame = _empty("reps")
    targets: pd.DataFrame = _empty("targets")
    co_visits: pd.DataFrame = _empty("co_visits")
    actions: pd.DataFrame = _empty("actions")
    stages: pd.DataFrame = field(default_factory=schema.default_stages)
    settings: pd.DataFrame = _empty("settings")
    pipeline_snapshots: pd.DataFrame = _empty("pipeline_snapshots")
    quality: QualityReport = field(default_factory=QualityReport)
    source: str = ""  # where it came from, for messages
    present: frozenset[str] = frozenset()  # canonical tables found in the source
    # how each sheet of the source was read (mapping, header row, row outcomes); None when
    # the data did not come through kpicore.ingest.grids (the demo company, tests)
    ingest: IngestReport | None = None
    # the KPI dictionary as the workbook's « Dictionnaire KPI » sheet edits it (thresholds,
    # labels); None when the source has no such sheet, and then the shipped one applies
    # (``kpicore.metrics.dictionary.dictionary_of``)
    dictionary: KpiDictionary | None = None

    def with_frames(self, **frames: pd.DataFrame) -> "PipelineData":
        return replace(self, **frames)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in ATTRIBUTES}

    def setting(self, key: str, default: str | None = None) -> str | None:
        s = self.settings
        hit = s.loc[s["key"].str.lower() == key.lower(), "value"] if len(s) else []
        return default if len(hit) == 0 or pd.isna(hit.iloc[0]) else str(hit.iloc[0])

    def rep_team(self) -> pd.Series:
        """rep -> team: the one roster (``kpicore.model.rep_roster``): the Reps table's reps, then every
        deal owner, activity rep and rep target; a rep with no team in « Sans équipe »."""
        return rep_roster(self.reps, self.deals, self.activities, self.targets)
