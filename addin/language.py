"""The language a person is spoken to in: ``PILOTAGE_LANG``, else the workbook's Settings, else French.

The command line speaks French until a workbook is read, then the workbook's
language (Settings ``language``); ``PILOTAGE_LANG=en`` (or ``fr``) overrides
both, for a scheduled task or a user who reads one language whatever the file.
"""

from __future__ import annotations

import os

from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import DEFAULT_LANGUAGE, language_of

ENV_VARIABLE = "PILOTAGE_LANG"


def language(data: PipelineData | None = None) -> str:
    """``fr`` or ``en`` for the person reading what this run writes or prints."""
    forced = os.environ.get(ENV_VARIABLE, "").strip()
    if forced:
        return language_of(forced)
    if data is not None:
        return language_of(data.setting("language"))
    return DEFAULT_LANGUAGE
