"""A corpus of client files in the shapes real companies produce (issue 16), never from the demo generator.

Each module renders the same business (``rows``) as one vendor or one
hand-kept shape writes it, and says where its headers and labels come from.  A
``CorpusFile`` holds how to write the file, the header that must be taken for each
canonical column the file has, and the expected row accounting; the true KPIs of
March 2026 are worked out by hand in ``tests/test_corpus.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

# Every KPI of the corpus is the one of this month, as of its last day.
PERIOD = "2026-03"
AS_OF = "2026-03-31"


@dataclass(frozen=True)
class CorpusFile:
    name: str  # the file given to pilotage
    shape: str  # vendor or hand-kept shape, in a few words
    build: Callable[[Path], Path]  # writes the file (and any file beside it) into a folder; returns its path
    # table -> canonical (or helper) column -> the header that must be taken for it
    choices: Mapping[str, Mapping[str, str]]
    # table -> (kept, excluded, merged) data rows (for targets kept as a wide or yearly table: its long rows)
    rows: Mapping[str, tuple[int, int, int]]
    convert_to: str = ""  # "xls" / "ods": written as .xlsx, then converted by LibreOffice
    extra: Mapping[str, str] = field(default_factory=dict)  # other files the build writes beside it (name -> role)

    @property
    def needs_office(self) -> bool:
        return bool(self.convert_to)


def all_files() -> tuple[CorpusFile, ...]:
    from . import (dynamics, formats, handkept, hubspot, nocrm, odoo, pipedrive, salesforce, sellsy, targets,
                   teamleader, zoho)

    files: list[CorpusFile] = []
    for module in (salesforce, hubspot, pipedrive, zoho, odoo, dynamics, sellsy, teamleader, nocrm, handkept,
                   targets, formats):
        files.extend(module.FILES)
    names = [f.name for f in files]
    assert len(names) == len(set(names)), "two corpus files share a name"
    return tuple(files)
