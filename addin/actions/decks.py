"""A ritual deck (weekly, monthly) of the company one workbook holds, whatever the engine.

The deck is written to a temporary file beside its destination and renamed,
so a failed run never leaves half a deck under the final name; a client's
PowerPoint template goes through the archive guard where the deck writer opens it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from addin.actions.company import read_company
from addin.engines.protocol import Workbook
from kpicore.model.periods import Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.text import formats

DECK_KINDS = {"weekly": "Revue hebdo", "monthly": "Revue mensuelle"}


def deck_name(kind: str, as_of: date) -> str:
    """« Revue hebdo 2026-11-30 »: the name a deck gets beside its workbook or in a run's folder."""
    return f"{DECK_KINDS[kind]} {as_of:%Y-%m-%d}"


def write_deck(data: PipelineData, kind: str, as_of: date, out_path: Path, *,
               period: Period | str | None = None, template: Path | None = None) -> Path:
    """The ``kind`` deck of ``data`` as of ``as_of`` at ``out_path`` (temporary file, then rename)."""
    from ritual_decks.deck import build_monthly, build_weekly
    from workbook_templates.safe_file import publish

    if kind not in DECK_KINDS:
        raise UsageError(f"deck « {kind} » inconnu : choisissez weekly (hebdo) ou monthly (mensuel).")
    out_path = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(prefix=".pilotage-deck.", suffix=out_path.suffix or ".pptx",
                                    dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if kind == "weekly":
            build_weekly(data, as_of, tmp, template=template)
        else:
            build_monthly(data, as_of, tmp, period=period, template=template)
        publish(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


def make_deck(book: Workbook, kind: str, out: Path, *, as_of: date | None = None, period: str | None = None,
              template: Path | None = None) -> Path:
    """Read the company of ``book`` and write its ``kind`` deck into ``out`` (a file, or a folder where
    it takes the name ``deck_name`` under a name no file has yet)."""
    from ritual_decks.deck import deck_as_of
    from workbook_templates.activity_workbook import free_path

    data = read_company(book)
    as_of = as_of or deck_as_of(data, kind, period)
    out = Path(out)
    target = free_path(out, deck_name(kind, as_of), ".pptx") if out.is_dir() else out
    book.progress(f"{DECK_KINDS[kind]} au {formats.date(as_of)}…")
    return write_deck(data, kind, as_of, target, period=period, template=template)
