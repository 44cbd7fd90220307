"""Gather the activity rows of the reps' shared workbooks (read-only).

The Settings sheet of the pipeline workbook lists them under the key
``activity_workbooks``: paths or folder patterns with ``*``, separated by ``;``
or line breaks, relative to the pipeline workbook's folder, e.g.
``Activités/*.xlsx; \\\\serveur\\ventes\\Activités Claire.xlsx``.

Each workbook is read without ever being written, and only when it is stable:
its size, modification time and inode are taken before and after the read
and must match.  A file being saved or synced at that moment (changed during
the read, empty, or unreadable because half-written — a OneDrive placeholder
not yet downloaded is an empty file here) is read again after a short wait
(``backoff`` × attempt), up to ``retries`` more times, then skipped and
reported: never half a file.

Excel's lock file ``~$name.xlsx`` is not itself a workbook and is never read.
A workbook whose lock file exists is open in Excel: it *is* read (Excel saves by
writing a new file and renaming it, so the file on disk is always a whole saved
version, and the stability check catches a save in progress) — skipping it
would leave out a co-authored workbook for as long as anyone has it open.

The rows are parsed by the ingest (French type words, French dates...), then
checked (``kpicore.ingest.activity_checks``): unknown rep, date in the future,
duplicate of a row already gathered, across files too.  A row whose rep cell is
empty is attributed to the file's rep when the workbook is one rep's (made for a
single rep, or named after one).  Every problem is an ``Issue`` naming the file,
the sheet and the Excel row.
"""

from __future__ import annotations

import glob
import os
import re
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from kpicore.model import schema
from kpicore.ingest.activity_checks import SeenRows, check_activities, rep_lookup
from kpicore.model.errors import FileBusyError, InputFileError
from kpicore.ingest.grids import RawGrid, ingest
from kpicore.ingest.parsing import fold
from kpicore.model.quality import ERROR, WARNING, Issue
from workbook_templates import activity_workbook
from workbook_templates.reading import file_stamp, read_grids

SETTING_KEY = "activity_workbooks"
RETRIES = 3
BACKOFF_SECONDS = 0.5
READABLE = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
TABLE = schema.ACTIVITIES.name
_REP_HEADERS = {fold(schema.ACTIVITIES.column("rep").label_fr), "rep", "commerciale", "vendeur"}


@dataclass(frozen=True)
class SkippedFile:
    """A workbook that could not be gathered this time; its rows are not counted."""

    file: str
    reason: str  # French


def read_workbook_grids(path: Path) -> list[RawGrid]:
    """The grids of one activity workbook."""
    # read_grids also compares the file before and after; its own retries are ours here
    return read_grids(path, retries=0)


def split_setting(value: str | None) -> list[str]:
    """The entries of the ``activity_workbooks`` setting."""
    return [p.strip().strip('"') for p in re.split(r"[;\n]", value or "") if p.strip().strip('"')]


def _is_lock_or_temp(path: Path) -> bool:
    # Excel's owner file, LibreOffice's lock, and hidden temporary files of a save in progress
    return path.name.startswith(("~$", ".~lock", ".")) or path.name.endswith((".tmp", "#"))


def resolve_sources(entries: Iterable[str | os.PathLike], base: Path | None = None
                    ) -> tuple[list[Path], list[Issue]]:
    """Files named by ``entries`` (paths or ``*`` patterns, relative to ``base``), each once, in order."""
    base = Path(base) if base is not None else Path.cwd()
    files: list[Path] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for entry in entries:
        text = os.path.expanduser(os.path.expandvars(str(entry)))
        full = text if os.path.isabs(text) else str(base / text)
        if any(ch in text for ch in "*?"):
            matches = [Path(m) for m in sorted(glob.glob(full, recursive=True))]
            matches = [m for m in matches if m.is_file() and m.suffix.lower() in READABLE
                       and not _is_lock_or_temp(m)]
            if not matches:
                issues.append(Issue(WARNING, TABLE, f"Aucun classeur d'activité ne correspond à « {entry} »",
                                    "Vérifiez le dossier et le motif dans Paramètres (clé activity_workbooks).",
                                    file=str(entry)))
        else:
            matches = [Path(full)]
        for m in matches:
            key = os.path.normcase(os.path.abspath(m))
            if key not in seen:  # a file named twice (a path and a pattern) is gathered once
                seen.add(key)
                files.append(m)
    return files, issues


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(Path(base).resolve()))
        except ValueError:
            pass
    return str(path)


def read_stable(path: Path, *, retries: int = RETRIES, backoff: float = BACKOFF_SECONDS
                ) -> list[RawGrid] | str:
    """The grids of ``path`` read from a file that did not change meanwhile, else why not (French)."""
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * attempt)
        before = file_stamp(path)
        if before is None:
            return "fichier introuvable"
        if before[0] == 0:
            reason = ("fichier vide : en cours d'enregistrement ou de synchronisation, ou disponible "
                      "seulement en ligne (OneDrive)")
            continue
        try:
            grids = read_workbook_grids(path)
        except FileBusyError:
            reason = "le fichier a changé pendant la lecture (enregistrement ou synchronisation en cours)"
            continue
        except InputFileError as exc:
            # a half-written file looks damaged: try again, then report what the reader said
            reason = str(exc)
            continue
        if file_stamp(path) != before:
            reason = "le fichier a changé pendant la lecture (enregistrement ou synchronisation en cours)"
            continue
        return grids
    return reason


def _listed_reps(grids: Sequence[RawGrid]) -> list[str]:
    """The reps of the hidden « Listes » sheet of our activity workbook."""
    for g in grids:
        if g.sheet == activity_workbook.LISTS_SHEET and g.rows and g.rows[0] and \
                str(g.rows[0][0]).strip() == activity_workbook.LIST_HEADERS[0]:
            return [str(r[0]).strip() for r in g.rows[1:] if r and r[0] not in (None, "") and str(r[0]).strip()]
    return []


def file_rep(path: Path, grids: Sequence[RawGrid], reps: dict[str, str]) -> str | None:
    """The rep a workbook belongs to, if it is one rep's: made for them alone, or named after them."""
    listed = _listed_reps(grids)
    if len(listed) == 1:
        return reps.get(fold(listed[0]), listed[0])
    stem = f" {fold(path.stem)} "
    named = [name for key, name in reps.items() if key and f" {key} " in stem]
    return named[0] if len(named) == 1 else None


def _activity_grids(grids: Sequence[RawGrid]) -> list[RawGrid]:
    ours = [g for g in grids if g.table_name == activity_workbook.TABLE]
    if ours:
        return ours
    # a workbook of the rep's own making: let the ingest find its activity sheet
    return [g for g in grids if g.sheet not in (activity_workbook.LISTS_SHEET, "Mode d'emploi")]


def _attribute(grid: RawGrid, rep: str) -> tuple[RawGrid, list[int]]:
    """Fill the empty rep cells of a grid whose first row is its header; the Excel rows filled."""
    if not grid.rows:
        return grid, []
    header = [fold(h) if isinstance(h, str) else "" for h in grid.rows[0]]
    col = next((j for j, h in enumerate(header) if h in _REP_HEADERS), None)
    if col is None:
        return grid, []
    rows = [list(grid.rows[0])]
    filled = []
    for i, row in enumerate(grid.rows[1:], start=1):
        row = list(row)
        blank_rep = col >= len(row) or row[col] is None or (isinstance(row[col], str) and not row[col].strip())
        others = any(v not in (None, "") for j, v in enumerate(row) if j != col)
        if blank_rep and others:
            row += [None] * (col + 1 - len(row))
            row[col] = rep
            filled.append(grid.first_row + i)
        rows.append(row)
    return replace(grid, rows=rows), filled


def gather_activities(paths_or_patterns: Iterable[str | os.PathLike], reps: Sequence[str] | pd.Series, *,
                      today: date, retries: int = RETRIES, base: str | os.PathLike | None = None,
                      existing: pd.DataFrame | None = None, existing_source: str = "classeur pipeline",
                      backoff: float = BACKOFF_SECONDS) -> tuple[pd.DataFrame, list[Issue], list[SkippedFile]]:
    """The activities of the workbooks named by ``paths_or_patterns``: (frame, issues, skipped).

    ``frame`` is canonical Activities (rows that passed the checks), ``issues``
    every problem by file, sheet and Excel row, ``skipped`` the workbooks not
    read this time (each also in ``issues`` as an error).  ``reps`` are the
    known reps (empty: no rep check); ``existing`` activities (the pipeline
    workbook's own) count as already gathered for the duplicate check.
    """
    base_path = Path(base) if base is not None else None
    files, issues = resolve_sources(paths_or_patterns, base_path)
    lookup = rep_lookup(reps)
    seen = SeenRows()
    if existing is not None and len(existing):
        seen.add_frame(existing, existing_source)
    frames: list[pd.DataFrame] = []
    skipped: list[SkippedFile] = []
    for path in files:
        name = _display(path, base_path)
        got = read_stable(path, retries=retries, backoff=backoff)
        if isinstance(got, str):
            skipped.append(SkippedFile(name, got))
            issues.append(Issue(ERROR, TABLE, f"Classeur d'activité non lu : {got}",
                                "Ses activités ne sont pas comptées cette fois : relancez le rafraîchissement "
                                "une fois le fichier enregistré et synchronisé.", file=name))
            continue
        grids = [replace(g, file=name) for g in _activity_grids(got)]
        owner = file_rep(path, got, lookup)
        attributed: list[tuple[str, int]] = []
        if owner:
            for k, g in enumerate(grids):
                grids[k], filled = _attribute(g, owner)
                attributed += [(g.sheet, r) for r in filled]
        try:
            data = ingest(grids, source=name)
        except InputFileError as exc:
            skipped.append(SkippedFile(name, str(exc)))
            issues.append(Issue(ERROR, TABLE, "Aucune feuille d'activités reconnue dans ce classeur",
                                "Partez du modèle « Nouveau classeur d'activité » (colonnes Date, Commercial, "
                                "Type...).", file=name))
            continue
        issues.extend(i for i in data.quality.issues if i.table in ("", TABLE))
        issues.extend(Issue(WARNING, TABLE, f"Commercial vide : activité attribuée à {owner} (classeur de {owner})",
                            "Choisissez le nom dans la liste déroulante.", file=name, sheet=sheet, row=row,
                            column=schema.ACTIVITIES.column("rep").label_fr) for sheet, row in attributed)
        reports = [g for g in (data.ingest.read if data.ingest else ()) if g.table == TABLE]
        rows = [r for g in reports for r in g.kept]
        sheets = [g.sheet for g in reports for _ in g.kept]
        if len(rows) != len(data.activities):  # a bug, not a user's mistake
            raise RuntimeError(f"{name}: {len(rows)} lignes gardées pour {len(data.activities)} activités")
        kept, found = check_activities(data.activities, rows, file=name, sheet=sheets, reps=lookup, today=today,
                                       seen=seen)
        issues.extend(found)
        frames.append(kept)
    frame = pd.concat(frames, ignore_index=True) if frames else schema.ACTIVITIES.empty()
    return schema.conform(frame, schema.ACTIVITIES), issues, skipped
