"""The free diagnostic of a prospect's files, whatever the engine: read, diagnose, write into a folder.

The files are only read: deals and activities exported apart are given as several files (or a
folder), each read once by the file engine, and all their grids go to one ingest
(``FilesWorkbook``); from the ribbon or the Calc menu the open workbook is the one book.  What it
writes goes into ``out`` (a folder, never one of the files): the deck (2 to 4 slides), a workbook
of one sheet with the same content, and with ``pdf`` the deck as PDF (LibreOffice).
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Sequence

from addin.actions.company import read_company, refuse_empty_deals
from addin.engines.protocol import ProductSheet, Workbook, Written
from addin.language import language as reader_language
from addin.outputs import READABLE
from kpicore.forecast.diagnostic import Diagnostic, diagnose, diagnostic_json
from kpicore.forecast.kept_backtest import kept_of_rows, reusable
from kpicore.model import schema
from kpicore.ingest.grids import RawGrid
from kpicore.model.errors import InputFileError, UsageError
from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import render, say
from workbook_templates.reading import Source, read_source


NAMES_SHOWN = 60  # characters of file names a source is named by, before « a.xlsx et 3 autres fichiers »


def _hidden(path: Path) -> bool:
    # Excel's owner file, LibreOffice's lock, hidden files of a save in progress
    return path.name.startswith(("~$", ".~lock", ".")) or path.name.endswith((".tmp", "#"))


def expand_inputs(paths: Iterable[Path | str], *, option: str, language: str,
                  kinds: Sequence[str] = READABLE) -> list[Path]:
    """The files named by ``paths``, a folder giving the files it holds (sorted, not its sub-folders);
    each file once, in order.  A folder holding none is a usage error naming it."""
    out: list[Path] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in kinds and not _hidden(p))
            if not found:
                raise UsageError(say("cli.diagnostic.empty_folder", language, option=option, folder=str(path),
                                     kinds=", ".join(kinds)))
        else:
            found = [path]
        for p in found:
            key = os.path.normcase(os.path.abspath(p))
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


class FilesWorkbook:
    """Several files read as one company (the workbook protocol, read-only): every file's grids go to
    one ingest; the product's own sheets (the KPI dictionary) are read from the first file holding them."""

    def __init__(self, paths: Sequence[Path | str], *, progress: Callable[[str], None] | None = None,
                 language: str = "fr") -> None:
        if not paths:
            raise UsageError(say("cli.argparse.expected_at_least_one", language))
        self.paths = [Path(p) for p in paths]
        self.language = language
        self._progress = progress
        self._sources: list[Source] | None = None

    @property
    def name(self) -> str:
        names = ", ".join(p.name for p in self.paths)
        if len(names) <= NAMES_SHOWN:  # « crm.lead.xlsx, activites.csv »: the files themselves
            return names
        return say("diagnostic.files", self.language, first=self.paths[0].name, more=len(self.paths) - 1)

    @property
    def folder(self) -> Path | None:
        return self.paths[0].resolve().parent

    @property
    def sources(self) -> list[Source]:
        if self._sources is None:
            self._sources = [read_source(p) for p in self.paths]
        return self._sources

    def grids(self) -> list[RawGrid]:
        return [g for s in self.sources for g in s.grids]

    def sheet_rows(self, name: str) -> list[list] | None:
        return next((rows for rows in (s.sheet_rows(name) for s in self.sources) if rows is not None), None)

    def check_writable(self) -> None:
        raise InputFileError(say("diagnostic.read_only", self.language), file=self.name)

    def write(self, sheets: Sequence[ProductSheet], *, active: str) -> Written:
        # the protocol's writer, refused: no action may write into a prospect's file through this book
        raise InputFileError(say("diagnostic.read_only", self.language), file=self.name)

    def lock(self) -> AbstractContextManager:
        return nullcontext()

    def progress(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)


@dataclass(frozen=True)
class MadeDiagnostic:
    """What a diagnostic run found and wrote."""

    diagnostic: Diagnostic
    data: PipelineData
    language: str
    deck: Path | None
    sheet: Path | None
    pdf: Path | None
    report: object | None  # ritual_decks.shown.DeckReport: the numbers each slide showed

    def json(self) -> dict:
        """The document of ``pilotage diagnostic --json`` (schema ``diagnostic.v1.json``)."""
        return diagnostic_json(self.diagnostic, text=lambda m: render(m, self.language))

    @property
    def said(self) -> str:
        """« Diagnostic écrit dans : … », for the ribbon and the Calc menu."""
        where = self.deck.parent if self.deck is not None else ""
        return say("diagnostic.created", self.language, path=str(where))


def default_folder(book: Workbook, language: str, base: Path | None = None) -> Path:
    """« Diagnostic <nom> » in ``base`` (default: the folder of the (first) file): next to the prospect's
    file, never inside it."""
    first = getattr(book, "paths", None)
    path = Path(first[0]) if first else Path(getattr(book, "path", book.name))
    folder = base or book.folder or path.resolve().parent
    return Path(folder) / say("diagnostic.folder", language, stem=path.stem)


def run_diagnostic(book: Workbook, out: Path | None = None, *, pdf: bool = False, write: bool = True,
                   as_of: date | None = None, base: Path | None = None) -> MadeDiagnostic:
    """Read ``book``, diagnose it and (``write``) write the deck and the sheet into the folder ``out``
    (made if missing; default ``default_folder`` in ``base``), the PDF too with ``pdf``."""
    from ritual_decks.diagnostic import diagnostic_deck
    from ritual_decks.diagnostic_sheet import write_diagnostic_sheet
    from workbook_templates.activity_workbook import free_path

    data = read_company(book)
    language = reader_language(data)
    refuse_empty_deals(data, book.name, language)
    # a Pilotage workbook keeps the week's replay: measured from it when it replayed this data
    kept = reusable(kept_of_rows(book.sheet_rows(schema.BACKTEST_SHEET)), data)
    dg = diagnose(data, as_of, kept_backtest=kept.backtest if kept is not None else None)
    if not write:
        return MadeDiagnostic(dg, data, language, None, None, None, None)
    book.progress(say("diagnostic.progress", language, as_of=dg.as_of))
    folder = Path(out) if out is not None else default_folder(book, language, base)
    folder.mkdir(parents=True, exist_ok=True)
    day = dg.as_of.isoformat()
    report = diagnostic_deck(dg, free_path(folder, say("diagnostic.file.deck", language, day=day), ".pptx"),
                             language=language)
    sheet = write_diagnostic_sheet(dg, free_path(folder, say("diagnostic.file.sheet", language, day=day), ".xlsx"),
                                   language=language)
    made_pdf = None
    if pdf:
        from ritual_decks.deck import to_pdf

        made_pdf = to_pdf(report.path, folder)
    return MadeDiagnostic(dg, data, language, report.path, sheet, made_pdf, report)
