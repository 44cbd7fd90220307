"""A ritual deck (weekly, monthly, quarterly) of the company one workbook holds, whatever the engine.

The deck is written to a temporary file beside its destination and renamed,
so a failed run never leaves half a deck under the final name; a client's
PowerPoint template goes through the archive guard where the deck writer opens it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from addin.actions.company import read_company, refuse_empty_deals
from addin.engines.protocol import Workbook
from addin.language import language as reader_language
from kpicore.forecast.forecasting import ForecastContext
from kpicore.model import schema
from kpicore.model.periods import Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.text.catalogue import DEFAULT_LANGUAGE, say

DECK_KINDS = ("weekly", "monthly", "quarterly")  # each named by the catalogue's decks.kind.<kind>


def deck_name(kind: str, as_of: date, language: str = DEFAULT_LANGUAGE) -> str:
    """« Revue hebdo 2026-11-30 » (« Weekly review 2026-11-30 »): the name a deck gets beside its
    workbook or in a run's folder."""
    return f"{say(f'decks.kind.{kind}', language)} {as_of:%Y-%m-%d}"


def check_kind(kind: str, language: str = DEFAULT_LANGUAGE) -> None:
    """A usage error, in the reader's language, for a deck the product does not make."""
    if kind not in DECK_KINDS:
        raise UsageError(say("decks.unknown_kind", language, kind=kind))


def write_deck(data: PipelineData, kind: str, as_of: date, out_path: Path, *,
               period: Period | str | None = None, template: Path | None = None,
               language: str | None = None, context: ForecastContext | None = None) -> Path:
    """The ``kind`` deck of ``data`` as of ``as_of`` at ``out_path`` (temporary file, then rename),
    in ``language`` (None: ``PILOTAGE_LANG``, else the workbook's Settings, else French); ``context``:
    the forecast's (``kept_context``), None to prepare one."""
    from ritual_decks.deck import build_monthly, build_quarterly, build_weekly
    from workbook_templates.safe_file import publish

    language = language or reader_language(data)
    check_kind(kind, language)
    out_path = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(prefix=".pilotage-deck.", suffix=out_path.suffix or ".pptx",
                                    dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if kind == "weekly":
            build_weekly(data, as_of, tmp, template=template, language=language, context=context)
        elif kind == "monthly":
            build_monthly(data, as_of, tmp, period=period, template=template, language=language, context=context)
        else:
            build_quarterly(data, as_of, tmp, period=period, template=template, language=language, context=context)
        publish(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


def kept_context(book: Workbook, data: PipelineData) -> ForecastContext | None:
    """The forecast's context of ``data`` seeded with the week's replay kept in ``book``'s ``_Backtest`` sheet
    (``kpicore.forecast.kept_backtest``) when it replayed this data; else None, and the deck replays (a deck
    reads the workbook, it never writes the replay back)."""
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import kept_of_rows, reusable, with_kept

    kept = reusable(kept_of_rows(book.sheet_rows(schema.BACKTEST_SHEET)), data)
    return with_kept(prepare(data), kept) if kept is not None else None


@dataclass(frozen=True)
class MadeDeck:
    """A deck written, and the language of its workbook (what a button says it did)."""

    path: Path
    language: str

    @property
    def said(self) -> str:
        """« Présentation créée : … » / "Presentation created: …", for the ribbon and the Calc menu."""
        return say("decks.created", self.language, path=str(self.path))


def make_deck(book: Workbook, kind: str, out: Path, *, as_of: date | None = None, period: str | None = None,
              template: Path | None = None) -> MadeDeck:
    """Read the company of ``book`` and write its ``kind`` deck into ``out`` (a file, or a folder where
    it takes the name ``deck_name`` under a name no file has yet)."""
    from ritual_decks.deck import deck_as_of
    from workbook_templates.activity_workbook import free_path

    data = read_company(book)
    language = reader_language(data)
    check_kind(kind, language)
    refuse_empty_deals(data, book.name, language)
    as_of = as_of or deck_as_of(data, kind, period)
    out = Path(out)
    target = free_path(out, deck_name(kind, as_of, language), ".pptx") if out.is_dir() else out
    book.progress(say("decks.progress", language, kind=say(f"decks.kind.{kind}", language), as_of=as_of))
    return MadeDeck(write_deck(data, kind, as_of, target, period=period, template=template, language=language,
                               context=kept_context(book, data)), language)
