"""What every action reads of a workbook: its tables, its edited KPI dictionary, the reps' activity workbooks."""

from __future__ import annotations

from datetime import date
from typing import Mapping

from addin.engines.protocol import Workbook
from kpicore.model.errors import UsageError
from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import say
from kpicore.metrics.dictionary import SHEET_FR as DICTIONARY_SHEET
from workbook_templates.company import complete_company
from workbook_templates.reading import ingest_grids


def refuse_empty_deals(data: PipelineData, file: str, language: str) -> None:
    """A Deals table with headers and no rows (a new template, a CSV export of nothing): nothing to
    compute, said before the cockpit or a deck stumbles on it, whatever the button."""
    if data.deals.empty:
        raise UsageError(say("cli.error.no_deals", language, file=file))


def read_company(book: Workbook, *, settings: Mapping[str, str] | None = None,
                 today: date | None = None) -> PipelineData:
    """The company's data as one workbook holds it, whatever the engine.

    ``settings``: extra Settings rows (``mapping.*`` for a CSV export that
    cannot carry a Settings sheet); ``today`` bounds activity dates (default:
    the computer's date).  A book with an ``after_read`` sequence of callables
    has each called with the data, which may raise a ``PilotageError``.
    """
    data = ingest_grids(book.grids(), book.name, settings)
    data = complete_company(data, book.sheet_rows(DICTIONARY_SHEET), file=book.name, folder=book.folder,
                            today=today)
    # a caller's checks of what was read, before any action works on it: the command line takes the
    # workbook's language there and refuses an unknown team or rep, the same way for every verb
    for check in getattr(book, "after_read", ()):
        check(data)
    return data
