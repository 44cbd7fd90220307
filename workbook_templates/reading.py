"""Reading a client's file into raw grids, then into ``PipelineData`` (file I/O).

Formats: ``.xlsx``/``.xlsm`` through python-calamine (cached values of formulas;
about ten times faster than openpyxl, as ``bench/read_workbook.py`` measures; the large sheets
of an .xlsx through fastexcel's Arrow columns where they give the same cells, ``columnar``),
``.xls`` (Excel 97-2003) and ``.ods`` (OpenDocument) through calamine too (whole
sheets: neither carries Excel Tables; read only: a refresh asks for an ``.xlsx``,
``addin.actions.refresh``), and ``.csv`` separated by ``;`` or ``,`` (sniffed), in UTF-8 with or without
BOM, else cp1252 (what Excel writes on a French Windows).  Excel Tables
(ListObjects) are found in the package itself (``xl/workbook.xml``, the
relationships, ``xl/tables/*.xml``, parsed with defusedxml), so a table's grid
is exactly its range.

Every problem with the file itself is an ``InputFileError`` that names the file
and the fix, in French in ``str(err)`` and in either language through its
catalogue messages (``workbook_templates.refusals``): missing or empty file, encrypted workbook, a damaged
``.xls`` or ``.ods``, ``.xlsb``, a file that is not a workbook, a damaged zip, nothing
recognisable inside.  Never a traceback for a user's file.

Untrusted files (``archive_guard``): before calamine sees a workbook, its zip
directory is checked against ``ArchiveLimits`` (members, sizes, ratio, member
names) and every member is inflated once as a stream to check its real size
and refuse a DTD in any XML part.  A text cell longer than Excel's own limit
(32,767 characters) is cut to that length with a warning in the quality
report, so one absurd cell cannot flow into the product's sheets and decks.

A file being written by another program while we read it (a OneDrive sync,
a colleague saving over a share) is detected by its size, modification time
and inode before and after the read; it is read again, up to
``READ_RETRIES`` times, then refused with a ``FileBusyError``.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import time
import zipfile
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterable, Mapping

import defusedxml.ElementTree as ET
import numpy as np

from kpicore.metrics.dictionary import SHEET_FR as DICTIONARY_SHEET
from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import FileBusyError, InputFileError
from kpicore.model.messages import Message
from kpicore.ingest.cell_types import TEXT, as_objects, type_codes
from kpicore.ingest.column_rows import ColumnRows, rows_width
from kpicore.ingest.grids import RawGrid, ingest
from kpicore.ingest.person_choices import correspondences_grid, person_choices
from kpicore.model.cells import column_letter, column_number
from kpicore.model.quality import WARNING, Issue

from . import columnar
from .archive_guard import DEFAULT_LIMITS, ArchiveLimits, check_archive
from .refusals import refusal

# Excel's own limit for the text of one cell: a longer one cannot come from Excel
MAX_CELL_CHARS = 32_767
READ_RETRIES = 3

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _fail(path: Path, code: str, /, **figures: object) -> InputFileError:
    # the message and its fix from the catalogue (``kpicore.text.*.files``), French in ``str(err)``
    return refusal(InputFileError, code, file=path.name, **figures)


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """Size, modification time and inode: a file saved or synced meanwhile changes one of them."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


# the sheets an action asks for by name (``sheet_rows``) once the tables are ingested: the product's own
# and the KPI dictionary
NAMED_SHEETS = frozenset(name.casefold() for name in schema.OUTPUT_SHEETS + (DICTIONARY_SHEET,))


@dataclass
class Source:
    """One read of a client's file: its bytes (read once), its raw grids and, for a workbook,
    every sheet's rows as calamine gives them (the product's own sheets are read from there).

    The same bytes serve the archive guard, the reader and the package writer,
    so a refresh opens the client's file once.
    """

    path: Path
    content: bytes
    stamp: tuple[int, int, int] | None
    grids: list[RawGrid] | None  # None once handed over by ``take_grids``
    sheets: dict[str, list[list]] = field(default_factory=dict)
    kind: str = "xlsx"  # "xlsx" (also .xlsm), "xls", "ods" or "csv": what the file is, whatever its name
    limits: ArchiveLimits = DEFAULT_LIMITS
    pruned: bool = False  # the table sheets' rows were let go with the grids

    def sheet_rows(self, name: str) -> list[list] | None:
        """The rows of the sheet called ``name`` (Excel compares sheet names without case), or None."""
        wanted = name.strip().casefold()
        sheets = self.sheets if not self.pruned or wanted in NAMED_SHEETS else self._parsed()[1]
        for sheet, rows in sheets.items():
            if sheet.strip().casefold() == wanted:
                return list(rows) if isinstance(rows, ColumnRows) else rows  # the protocol's rows, lists
        return None

    def take_grids(self) -> list[RawGrid]:
        """The raw grids, handed over: the source then lets them go, with the rows of every sheet an action
        does not ask for by name, so that a large client's million rows are freed once ingested (what the
        ingest keeps is its canonical frames).  Asked again, they are read again from the same bytes."""
        grids = self.grids if self.grids is not None else self._parsed()[0]
        self.grids = None
        self.sheets = {s: rows for s, rows in self.sheets.items() if s.strip().casefold() in NAMED_SHEETS}
        self.pruned = True
        return grids

    def _parsed(self) -> tuple[list[RawGrid], dict[str, list[list]]]:
        """The grids and sheets of ``content`` read again (nothing read from the disk)."""
        if self.kind == "csv":
            return _read_csv(self.path, self.content), {}
        if self.kind == "xls":
            return _calamine_grids(self.path, self.content, {}, "xls")
        grids, sheets, _ = _read_zip(self.path, self.content, self.limits)
        return grids, sheets


def read_source(path: str | Path, *, limits: ArchiveLimits = DEFAULT_LIMITS,
                retries: int = READ_RETRIES) -> Source:
    """Read a workbook or CSV file once and parse it (see ``Source``).

    Read again when the file changed during the read (up to ``retries`` more
    times); ``FileBusyError`` if it keeps changing.
    """
    path = Path(path)
    for attempt in range(retries + 1):
        before = file_stamp(path)
        source = read_source_once(path, limits)
        if file_stamp(path) == before:
            source.stamp = before
            return source
        time.sleep(0.2 * (attempt + 1))  # let the other program finish its save
    raise refusal(FileBusyError, "file.read.changing", file=path.name)


def read_grids(path: str | Path, *, limits: ArchiveLimits = DEFAULT_LIMITS,
               retries: int = READ_RETRIES) -> list[RawGrid]:
    """The raw grids of a workbook or CSV file (one per Excel Table, else one per sheet)."""
    return read_source(path, limits=limits, retries=retries).grids


def read_source_once(path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> Source:
    """One read of ``path``, with no retry when it changes while being read."""
    if not path.exists():
        raise _fail(path, "file.read.missing", where=path)
    if path.is_dir():
        raise _fail(path, "file.read.folder")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise _fail(path, "file.read.unreadable", reason=exc.strerror or exc) from None
    if not content:
        raise _fail(path, "file.read.empty")
    suffix = path.suffix.lower()
    if content.startswith(_CFB):
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise _fail(path, "file.read.encrypted")
        grids, sheets = _calamine_grids(path, content, {}, "xls")
        return Source(path, content, None, grids, sheets, "xls")
    if content.startswith(_ZIP):
        grids, sheets, kind = _read_zip(path, content, limits)
        return Source(path, content, None, grids, sheets, kind, limits)
    if suffix in (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"):
        raise _fail(path, "file.read.not_that_format", suffix=suffix)
    return Source(path, content, None, _read_csv(path, content), kind="csv")


def load_pipeline(path: str | Path, settings: Mapping[str, str] | None = None) -> PipelineData:
    """Read a client's file and ingest it: the canonical frames and their quality report.

    ``settings``: extra Settings rows such as ``{"mapping.Deals.owner": "Sales Rep"}``
    (see ``kpicore.ingest.mapping``), for files that cannot carry a Settings sheet (CSV).
    """
    path = Path(path)
    return ingest_grids(read_source(path).grids, path.name, settings)


def ingest_grids(grids: list[RawGrid], name: str, settings: Mapping[str, str] | None = None) -> PipelineData:
    """Ingest raw grids (from a file or a live workbook): overlong cells cut with a warning first."""
    cut = _cut_long_cells(grids)
    # a person's choices in « Correspondances » win over every guess and every Settings key, whatever the engine
    choices = person_choices(correspondences_grid(grids))
    # a chosen header no longer in the file is said by the recognition, which uses its guess meanwhile
    data = ingest(grids, source=name, settings=settings, choices=choices)
    for grid, row, col in cut:
        report = next((g for g in (data.ingest.grids if data.ingest else ())
                       if g.sheet == grid.sheet and g.table_name == grid.table_name), None)
        letter = column_letter(col)
        header = next((c.header for c in (report.columns if report else ()) if c.letter == letter and c.header),
                      "")
        data.quality.add(Issue(
            WARNING, (report.table or "") if report else "",
            "Texte de plus de 32 767 caractères (limite d'Excel) tronqué à cette longueur",
            "Vérifiez cette cellule : un texte aussi long ne vient pas d'une saisie dans Excel.",
            file=grid.file, sheet=grid.sheet, row=row, column=str(header or letter)))
    return data


def _cut_long_cells(grids: list[RawGrid]) -> list[tuple[RawGrid, int, int]]:
    """Cut text cells over ``MAX_CELL_CHARS`` in place; (grid, Excel row, Excel column) of each."""
    cut = []
    for grid in grids:
        if isinstance(grid.rows, ColumnRows):
            cut.extend(_cut_long_column_cells(grid))
            continue
        # most grids have no text too long and stop here
        if _longest_text(chain.from_iterable(grid.rows)) <= MAX_CELL_CHARS:
            continue
        # every cell of the grid in one array, to find where the long ones are
        too_long = _long_texts(as_objects(list(chain.from_iterable(grid.rows))))
        starts = np.cumsum([0] + [len(row) for row in grid.rows])
        for flat in too_long.tolist():
            i = int(np.searchsorted(starts, flat, side="right")) - 1
            j = flat - int(starts[i])
            grid.rows[i][j] = grid.rows[i][j][:MAX_CELL_CHARS]
            cut.append((grid, grid.first_row + i, grid.first_col + j))
    return cut


def _cut_long_column_cells(grid: RawGrid) -> list[tuple[RawGrid, int, int]]:
    """``_cut_long_cells`` of a grid read as columns, column by column, in row order."""
    rows = grid.rows
    assert isinstance(rows, ColumnRows)
    found = []
    for j, cells in enumerate(rows.columns):
        if _longest_text(cells) <= MAX_CELL_CHARS:
            continue
        for i in _long_texts(cells).tolist():
            cells[i] = cells[i][:MAX_CELL_CHARS]
            found.append((i, j))
    return [(grid, grid.first_row + i, grid.first_col + j) for i, j in sorted(found)]


def _longest_text(cells: Iterable[object]) -> int:
    """The length of the longest text among ``cells``, in one pass in C."""
    return max(map(len, filter(str.__instancecheck__, cells)), default=0)


def _long_texts(cells: np.ndarray) -> np.ndarray:
    """The positions in ``cells`` (an object array) of the texts longer than ``MAX_CELL_CHARS``."""
    texts = np.flatnonzero(type_codes(cells) == TEXT)
    lengths = np.fromiter(map(len, cells[texts]), dtype=np.int64, count=len(texts))
    return texts[lengths > MAX_CELL_CHARS]


# --------------------------------------------------------------------- xlsx


def _read_zip(path: Path, content: bytes, limits: ArchiveLimits = DEFAULT_LIMITS
              ) -> tuple[list[RawGrid], dict[str, list[list]], str]:
    check_archive(path, limits, content=content)  # bounds and DTDs, before any parser sees the file
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, EOFError, OSError):
        raise _fail(path, "file.read.damaged_zip") from None
    ods = False
    with zf:
        if "xl/workbook.bin" in names:
            raise _fail(path, "file.read.xlsb")
        if "xl/workbook.xml" not in names and _is_ods(zf, names):
            ods = True
        elif "xl/workbook.xml" not in names:
            kind = ("word" if "word/document.xml" in names else "powerpoint" if "ppt/presentation.xml" in names
                    else "opendocument" if "content.xml" in names else "zip")
            raise _fail(path, "file.read.not_excel", kind=Message.of(f"file.read.kind.{kind}"))
        by_columns: set[str] = set()
        try:
            parts = {} if ods else _sheet_parts(zf)
            tables = _tables_by_sheet(zf, parts)
            by_columns = set() if ods else _columnar_sheets(zf, parts)
        except (KeyError, ET.ParseError, zipfile.BadZipFile, EOFError, ValueError):
            tables = {}  # the Tables are a help, not a need: fall back to whole sheets
        except Exception as exc:  # defusedxml refusing an entity bomb, etc.
            raise _fail(path, "file.read.structure", error=type(exc).__name__) from None
    grids, sheets = _calamine_grids(path, content, tables, "ods" if ods else "xlsx", by_columns)
    return grids, sheets, "ods" if ods else "xlsx"


_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument spreadsheet: its ``mimetype`` member says so (ODF 1.2, part 3, section 3.3)."""
    if "content.xml" not in names or "mimetype" not in names:
        return False
    return zf.read("mimetype").strip() == _ODS_MIME


def _columnar_sheets(zf: zipfile.ZipFile, parts: Mapping[str, str]) -> set[str]:
    """The sheets worth reading as columns (``columnar``): large, not one of the product's own sheets
    asked for by name, starting at A1, in a workbook of the 1900 date system."""
    if columnar_threshold() is None or columnar.uses_1904_dates(zf):
        return set()
    sizes = {info.filename: info.file_size for info in zf.infolist()}
    threshold = columnar_threshold()
    return {name for name, part in parts.items()
            if sizes.get(part, 0) >= threshold and name.strip().casefold() not in NAMED_SHEETS
            and columnar.starts_at_a1(zf, part)}


def columnar_threshold() -> int | None:
    """The size of a sheet's XML from which it is read as columns (None: never), which
    ``PILOTAGE_COLUMNAR_BYTES`` sets (the tests read small files both ways to compare them)."""
    given = os.environ.get("PILOTAGE_COLUMNAR_BYTES", "").strip()
    if not given:
        return columnar.MIN_COLUMNAR_BYTES
    return None if given.lower() in ("off", "non", "no") else int(given)


def _calamine_grids(path: Path, content: bytes, tables: Mapping[str, list[tuple[str, str, int, int]]],
                    kind: str, columnar_sheets: set[str] | frozenset[str] = frozenset()
                    ) -> tuple[list[RawGrid], dict[str, list[list]]]:
    """The grids of a workbook calamine reads (.xlsx, .xls, .ods): one per Excel Table, else one per sheet;
    the sheets named in ``columnar_sheets`` read as columns where fastexcel gives the same cells."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        by_columns = _read_by_columns(content, columnar_sheets)
        grids: list[RawGrid] = []
        sheets: dict[str, list[list]] = {}
        for sheet in wb.sheet_names:
            rows = by_columns.get(sheet)
            if rows is None:
                rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            sheets[sheet] = rows
            for name, ref, _header_rows, total_rows in tables.get(sheet, ()):
                r0, c0, r1, c1 = _ref(ref)
                sub = rows[r0 - 1:r1]
                if c0 > 1 or rows_width(sub) > c1:  # a Table narrower than its sheet
                    sub = (ColumnRows(sub.columns[c0 - 1:c1]) if isinstance(sub, ColumnRows)
                           else [row[c0 - 1:c1] for row in sub])
                if total_rows:
                    sub = sub[:len(sub) - total_rows]  # the Table's own totals row is not data
                grids.append(RawGrid(path.name, sheet, sub, r0, name, c0))
            if not tables.get(sheet):
                grids.append(RawGrid(path.name, sheet, rows, 1, None, 1))
    except Exception as exc:  # calamine raises its own error types for damaged parts
        # calamine's own words (English) stay as they are: they name the damage for whoever fixes it
        raise _fail(path, f"file.read.damaged.{kind}", error=f"{type(exc).__name__}: {str(exc)[:120]}") from None
    if not grids:
        raise _fail(path, "file.read.no_sheet")
    return grids, sheets


def _read_by_columns(content: bytes, names: set[str] | frozenset[str]) -> dict[str, ColumnRows]:
    """The sheets of ``names`` that fastexcel reads as calamine's cells, as columns."""
    if not names:
        return {}
    try:
        import fastexcel

        reader = fastexcel.read_excel(content)
    except Exception:  # no fastexcel, or a package it refuses: the rows reader reads it, or says why not
        return {}
    out = {}
    for name in names:
        rows = columnar.read_columns(reader, name)
        if rows is not None:
            out[name] = rows
    return out


def _ref(ref: str) -> tuple[int, int, int, int]:
    """``B3:H20`` -> (3, 2, 20, 8): first row, first column, last row, last column (1-based)."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref.strip().upper())
    if not m:
        raise ValueError(ref)
    r0, c0 = int(m.group(2)), column_number(m.group(1))
    r1, c1 = (int(m.group(4)), column_number(m.group(3))) if m.group(3) else (r0, c0)
    return r0, c0, r1, c1


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, absolute part name) for a part of the package."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in zf.namelist():
        return {}
    root = ET.fromstring(zf.read(rels_name))
    out = {}
    for rel in root.findall("rel:Relationship", _NS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), full)
    return out


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the package part of its cells (``xl/worksheets/sheet1.xml``)."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    wb_rels = _rels(zf, "xl/workbook.xml")
    return {sheet.get("name", ""): wb_rels[rid][1] for sheet in wb.findall("m:sheets/m:sheet", _NS)
            if (rid := sheet.get(f"{{{_NS['r']}}}id", "")) in wb_rels}


def _tables_by_sheet(zf: zipfile.ZipFile, parts: Mapping[str, str]) -> dict[str, list[tuple[str, str, int, int]]]:
    """Sheet name -> [(table name, ref, header rows, totals rows)] from the package parts."""
    out: dict[str, list[tuple[str, str, int, int]]] = {}
    for name, sheet_part in parts.items():
        for typ, target in _rels(zf, sheet_part).values():
            if not typ.endswith("/table"):
                continue
            t = ET.fromstring(zf.read(target))
            header_rows = int(t.get("headerRowCount", "1"))
            if header_rows == 0:
                continue  # a Table without a header row: read the sheet as a whole instead
            out.setdefault(name, []).append(
                (t.get("displayName") or t.get("name") or "", t.get("ref", ""), header_rows,
                 int(t.get("totalsRowCount", "0") or 0)))
    return out


# ---------------------------------------------------------------------- csv


def _read_csv(path: Path, raw: bytes) -> list[RawGrid]:
    if b"\x00" in raw[:4096]:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = raw.decode("utf-16")
        else:
            raise _fail(path, "file.read.binary")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # Excel's "CSV (séparateur : point-virgule)"
    if not text.strip():
        raise _fail(path, "file.read.no_data")
    sample = text[:65536]
    delimiter = _sniff(sample)
    rows = [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text, newline=""),
                                                                        delimiter=delimiter)]
    return [RawGrid(path.name, path.stem, rows, 1, None, 1)]


def _sniff(sample: str) -> str:
    """``;``, ``,``, tab or ``|``: the separator that splits the first lines most evenly."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1.0
    for d in (";", ",", "\t", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = same * 1000 + counts[0]
        if score > best_score:
            best, best_score = d, score
    return best
