"""Replacing the product's sheets inside the client's own .xlsx/.xlsm, at the package level.

The refresh rebuilds the ``Cockpit`` sheet and the product's hidden sheets
(``_Instantanés pipeline``, ``_Historique prévisions``...) and must leave every
other part of the client's file byte-identical (DESIGN.md, "Rules that hold
everywhere": the client's file is theirs).  openpyxl cannot do that (it drops
what it does not model and rewrites the rest), so the work happens on the
zip/OPC package:

1. Each product sheet is written by XlsxWriter in a scratch workbook
   (``SheetPart.write`` receives the scratch ``Workbook`` and the ``Worksheet``),
   so cell XML, formats, conditional formats, data validation, column widths
   and print setup come from a well-tested writer.
2. The sheet is transplanted into the client's package:

   - its XML is copied with its style ids re-mapped: the ``xf``/``dxf``/
     ``numFmt``/``font``/``fill``/``border`` entries it uses are *appended* to
     the client's ``xl/styles.xml`` (an identical entry already there is
     reused, so refreshing again adds nothing); conditional formats'
     ``dxfId`` are re-mapped the same way;
   - its strings are written inline (``t="inlineStr"``), so the client's
     ``sharedStrings.xml`` is not touched;
   - the ``tabSelected`` flag of the scratch is dropped (two selected tabs
     would group the sheets in Excel);
   - its relationships and dependent parts (drawings, charts, images) come
     along under fresh part names; tables and comments are refused (their
     ids and shape numbers are workbook-wide);
   - a new sheet is appended at the *end* of ``<sheets>`` (inserting it
     elsewhere would shift the ``localSheetId`` of the client's defined names
     and its active tab); an existing one keeps its place, ``sheetId``,
     ``r:id`` and part name, and only its ``state`` is set;
   - the scratch's sheet-local defined names (print area, print titles) are
     added, or replaced in place when the product sheet had them.

   Shared parts (``workbook.xml``, its rels, ``[Content_Types].xml``,
   ``styles.xml``) are edited as text: existing entries keep their bytes and
   their place. ``calcChain.xml`` is removed when a sheet that had formulas
   may have been replaced (Excel rebuilds it). Every other member is copied as
   its compressed bytes, never inflated, so the cost of a refresh does not
   grow with the size of the client's other sheets.
3. The file is written atomically with a backup (``safe_file``), after
   refusing when Excel or LibreOffice holds it open.

Formulas into the client's tables are written by XlsxWriter exactly as given,
structured references included (``SUMIFS(Targets[Objectif], ...)``): in the
file format a structured reference is stored as text and resolved by the
application against the workbook's tables on load, so the scratch workbook
does not need the table. This is the chosen way (an A1 range computed from
the table's ``ref`` would stop following the table when the manager adds
rows); a test recalculates such a formula in LibreOffice.

XlsxWriter stores 0 as the cached result of a formula and the client's
workbook usually does not ask for a full recalculation on load: pass the
value the formula should show (``write_formula(..., value=...)``) for a
correct display before Excel recalculates.

Text is written with ``strings_to_formulas`` and ``strings_to_urls`` off, so a
client's text starting with ``=``, ``+``, ``-`` or ``@`` stays text.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as StdET
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.model.errors import FileBusyError, InputFileError

from . import _xmltext as xt
from .raw_zip import ArchiveTooLarge, RawZipReader, RawZipWriter
# one set of archive bounds for reading and for writing: the read path's (archive_guard)
from .archive_guard import DEFAULT_LIMITS, ArchiveLimits, check_members
from .reading import file_stamp
from .safe_file import DEFAULT_KEEP, check_not_open, write_atomically, write_error

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOC = NS_R + "/officeDocument"
REL_WORKSHEET = NS_R + "/worksheet"
REL_STYLES = NS_R + "/styles"
REL_CALC_CHAIN = NS_R + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# what a transplanted sheet may bring along (by relationship type suffix)
_ALLOWED_DEPENDENTS = ("/drawing", "/chart", "/image", "/chartUserShapes", "/hyperlink",
                       "/chartStyle", "/chartColorStyle")
_SHEET_STATES = ("visible", "hidden", "veryHidden")
_STYLE_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
                "dxfs", "tableStyles", "colors", "extLst"]
_FIRST_CUSTOM_NUMFMT = 164


@dataclass(frozen=True)
class SheetPart:
    """One product sheet: how to write it with XlsxWriter, and its visibility.

    ``write(workbook, worksheet)`` fills the scratch worksheet; it may add
    formats with ``workbook.add_format``. ``state`` is "visible", "hidden" or
    "veryHidden".
    """

    write: Callable[[Workbook, Worksheet], None]
    state: str = "visible"
    append: "Appending | None" = None


@dataclass(frozen=True)
class Appending:
    """A sheet the client's file holds already, to be extended rather than written again: ``rows`` rows are
    there (the header included) and stay byte for byte; ``write(workbook, worksheet)`` writes only the rows
    after them, at their own row numbers.  A year of weekly snapshots of a large company is millions of
    cells, and a Monday adds one week of them.  When the sheet in the file does not end on row ``rows``
    (rows added or removed by hand, another writer's layout), ``SheetPart.write`` writes it whole instead."""

    rows: int
    write: Callable[[Workbook, Worksheet], None]


class _AppendRefused(Exception):
    """A sheet to be extended is not as the reader left it: it is written whole instead."""


@dataclass(frozen=True)
class RefreshResult:
    path: Path
    backup: Path | None
    added: tuple[str, ...]
    replaced: tuple[str, ...]


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str
    external: bool


# ---------------------------------------------------------------------------- public API

def replace_sheets(client_path: Path | str, new_sheets: Mapping[str, SheetPart],
                   out_path: Path | str | None = None, *, backup: bool = True,
                   backup_dir: Path | None = None, keep_backups: int = DEFAULT_KEEP,
                   limits: ArchiveLimits = DEFAULT_LIMITS, content: bytes | None = None,
                   active: str | None = None, read_stamp: tuple | None = None) -> RefreshResult:
    """Write ``new_sheets`` into the client's workbook, replacing sheets of the same name.

    ``out_path`` defaults to ``client_path`` (refresh in place). The
    destination is written atomically; its previous version is kept in
    ``.pilotage_backups/`` next to it (the last ``keep_backups``). Raises
    ``InputFileError`` (French message) when the file is open in Excel or
    LibreOffice, is not a usable .xlsx/.xlsm, or exceeds ``limits``.

    ``content``: the client file's bytes as the caller read them (the file is
    then not read again); with ``read_stamp`` (``reading.file_stamp`` at that
    read), a file saved by someone else since is refused (``FileBusyError``)
    rather than overwritten with the older content. ``active``: the sheet
    Excel opens on (its tab selected; the previously selected tab loses that
    flag, the only change a client's sheet part may receive).
    """
    client_path = Path(client_path)
    dest = Path(out_path) if out_path is not None else client_path
    if content is None and not client_path.is_file():
        raise InputFileError("classeur introuvable", file=str(client_path),
                             fix="vérifiez le chemin du classeur de pipeline.")
    check_not_open(client_path)
    for name, part in new_sheets.items():
        if part.state not in _SHEET_STATES:
            raise ValueError(f"state of sheet {name!r} must be one of {_SHEET_STATES}, got {part.state!r}")
    result: dict[str, tuple[str, ...]] = {}
    states = {n: p.state for n, p in new_sheets.items()}
    with tempfile.TemporaryDirectory(prefix="pilotage-scratch-") as scratch_dir:
        def scratch_of(name: str, appending: bool) -> Path:
            path = Path(scratch_dir) / name
            try:
                build_scratch(new_sheets, path, appending=appending)
            except (OSError, FileCreateError) as exc:  # the temporary folder full or denied: nothing written yet
                cause = exc if isinstance(exc, OSError) else exc.args[0] if exc.args else None
                mapped = write_error(cause, dest) if isinstance(cause, OSError) else None
                if mapped is None:
                    raise
                raise mapped from exc
            return path

        appends = {n: p.append.rows for n, p in new_sheets.items() if p.append is not None}
        scratch = scratch_of("scratch.xlsx", appending=bool(appends))

        def write(tmp: Path) -> None:
            try:
                added, replaced = transplant_sheets(client_path, scratch, states, tmp, limits=limits,
                                                    content=content, active=active, appends=appends)
            except _AppendRefused:
                whole = scratch_of("whole.xlsx", appending=False)
                added, replaced = transplant_sheets(client_path, whole, states, tmp, limits=limits,
                                                    content=content, active=active)
            if read_stamp is not None and file_stamp(client_path) != read_stamp:
                raise FileBusyError("le classeur a été enregistré par un autre programme pendant "
                                    "l'actualisation ; rien n'a été modifié", file=str(client_path),
                                    fix="relancez l'actualisation : elle partira de la version enregistrée.")
            result["added"], result["replaced"] = added, replaced

        made = write_atomically(dest, write, backup=backup, backup_dir=backup_dir, keep=keep_backups)
    return RefreshResult(dest, made, result["added"], result["replaced"])


def build_scratch(new_sheets: Mapping[str, SheetPart], path: Path, *, appending: bool = False) -> None:
    """Write the product sheets with XlsxWriter into a scratch workbook at ``path``; ``appending``: the
    sheets to extend get only their new rows (``Appending``).

    A placeholder first sheet holds the selection, so that no product sheet
    carries ``tabSelected``.
    """
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    holder = wb.add_worksheet("pilotage-scratch")
    holder.activate()
    for name, part in new_sheets.items():
        write = part.append.write if appending and part.append is not None else part.write
        write(wb, wb.add_worksheet(name))
    wb.close()


def transplant_sheets(client_path: Path | str, scratch_path: Path | str, states: Mapping[str, str],
                      out_path: Path | str, *, limits: ArchiveLimits = DEFAULT_LIMITS,
                      content: bytes | None = None, active: str | None = None,
                      appends: Mapping[str, int] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write to ``out_path`` the client's package with the scratch's sheets ``states`` put in.

    Not atomic by itself (``replace_sheets`` is). ``content``: the client's
    bytes when already read. ``appends``: the sheets whose scratch holds only
    the rows to add after the client's (name: the rows there, ``Appending``);
    raises ``_AppendRefused`` when one does not end there. Returns (added,
    replaced) sheet names.
    """
    client_path = Path(client_path)
    client = io.BytesIO(content) if content is not None else open(client_path, "rb")
    with client as client_file, zipfile.ZipFile(scratch_path) as scratch_zip:
        reader = _open_client(client_file, client_path, limits)
        job = _Transplant(reader, scratch_zip, client_path, limits, appends or {})
        job.run(states, active)
        with open(out_path, "wb") as out:
            job.write(out)
    return tuple(job.added), tuple(job.replaced)


# ---------------------------------------------------------------------------- helpers

def _file_error(path: Path, message: str, fix: str) -> InputFileError:
    return InputFileError(message, file=str(path), fix=fix)


def _open_client(fileobj, path: Path, limits: ArchiveLimits) -> RawZipReader:
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(path, "ce classeur est protégé par un mot de passe ou au format .xls ancien",
                          "enregistrez-le sans mot de passe au format .xlsx ou .xlsm, puis relancez.")
    try:
        reader = RawZipReader(fileobj)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _file_error(path, f"ce fichier n'est pas un classeur .xlsx/.xlsm lisible ({exc})",
                          "ouvrez-le dans Excel et enregistrez-le au format .xlsx ou .xlsm.") from exc
    _check_limits(reader.infos, limits, path)
    return reader


def _check_limits(infos: list[zipfile.ZipInfo], limits: ArchiveLimits, path: Path) -> None:
    check_members(infos, limits, path)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def _parse_rels(data: bytes) -> list[_Rel]:
    root = SafeET.fromstring(data)
    rels = []
    for el in root:
        if xt.split_tag(el.tag)[1] == "Relationship":
            rels.append(_Rel(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""),
                             el.get("TargetMode", "") == "External"))
    return rels


def _rels_xml(rels: Iterable[_Rel]) -> bytes:
    body = "".join(
        f'<Relationship Id="{xt.escape_attr(r.id)}" Type="{xt.escape_attr(r.type)}" '
        f'Target="{xt.escape_attr(r.target)}"{" TargetMode=" + chr(34) + "External" + chr(34) if r.external else ""}/>'
        for r in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>').encode()


def _fresh_name(part: str, taken: set[str]) -> str:
    folder, base = posixpath.split(part)
    m = re.match(r"^(.*?)(\d*)(\.[^.]+)$", base)
    stem, ext = (m.group(1), m.group(3)) if m else (base, "")
    n = 1
    while True:
        candidate = posixpath.join(folder, f"{stem}{n}{ext}")
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        n += 1


class _StyleMerger:
    """Appends to the client's styles the entries the transplanted sheets use."""

    def __init__(self, client_text: str, scratch_xml: bytes) -> None:
        self.text = client_text
        self.prefix = xt.root_prefix(client_text)
        client = SafeET.fromstring(client_text.encode("utf-8"))
        scratch = StdET.fromstring(scratch_xml)
        self.client_lists = {name: self._children(client, name) for name in _STYLE_ORDER}
        self.scratch_lists = {name: self._children(scratch, name) for name in _STYLE_ORDER}
        self.keys = {name: {} for name in ("fonts", "fills", "borders", "cellXfs", "dxfs")}
        for name, index in self.keys.items():
            for i, el in enumerate(self.client_lists[name] or []):
                index.setdefault(xt.key_of(el), i)
        self.numfmt_by_code: dict[str, int] = {}
        self.numfmt_ids: set[int] = set()
        for el in self.client_lists["numFmts"] or []:
            fid = int(el.get("numFmtId", "0"))
            self.numfmt_ids.add(fid)
            self.numfmt_by_code.setdefault(el.get("formatCode", ""), fid)
        self.scratch_numfmts = {int(el.get("numFmtId", "0")): el.get("formatCode", "")
                                for el in self.scratch_lists["numFmts"] or []}
        self.pending: dict[str, list[StdET.Element]] = {name: [] for name in _STYLE_ORDER}
        self.xf_map: dict[int, int] = {0: 0}
        self.dxf_map: dict[int, int] = {}

    @staticmethod
    def _children(root, name: str):
        for child in root:
            if xt.split_tag(child.tag) == (NS_MAIN, name):
                return list(child)
        return None

    def _count(self, name: str) -> int:
        return len(self.client_lists[name] or []) + len(self.pending[name])

    def _add(self, name: str, elem: StdET.Element) -> int:
        key = xt.key_of(elem)
        index = self.keys[name]
        if key not in index:
            index[key] = self._count(name)
            self.pending[name].append(elem)
        return index[key]

    def _numfmt(self, scratch_id: int) -> int:
        if scratch_id < _FIRST_CUSTOM_NUMFMT:
            return scratch_id  # built-in formats have fixed ids
        code = self.scratch_numfmts[scratch_id]
        if code not in self.numfmt_by_code:
            new_id = max(self.numfmt_ids | {_FIRST_CUSTOM_NUMFMT - 1}) + 1
            self.numfmt_ids.add(new_id)
            self.numfmt_by_code[code] = new_id
            el = StdET.Element(f"{{{NS_MAIN}}}numFmt", {"numFmtId": str(new_id), "formatCode": code})
            self.pending["numFmts"].append(el)
        return self.numfmt_by_code[code]

    def xf(self, scratch_index: int) -> int:
        if scratch_index not in self.xf_map:
            src = self.scratch_lists["cellXfs"][scratch_index]
            el = copy.deepcopy(src)
            el.set("numFmtId", str(self._numfmt(int(src.get("numFmtId", "0")))))
            for attr, coll in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                el.set(attr, str(self._add(coll, copy.deepcopy(
                    self.scratch_lists[coll][int(src.get(attr, "0"))]))))
            el.set("xfId", "0")  # the client's Normal cell style
            self.xf_map[scratch_index] = self._add("cellXfs", el)
        return self.xf_map[scratch_index]

    def dxf(self, scratch_index: int) -> int:
        if scratch_index not in self.dxf_map:
            el = copy.deepcopy(self.scratch_lists["dxfs"][scratch_index])
            for numfmt in el.iter(f"{{{NS_MAIN}}}numFmt"):
                sid = int(numfmt.get("numFmtId", "0"))
                if sid >= _FIRST_CUSTOM_NUMFMT:
                    self.scratch_numfmts.setdefault(sid, numfmt.get("formatCode", ""))
                    numfmt.set("numFmtId", str(self._numfmt(sid)))
            self.dxf_map[scratch_index] = self._add("dxfs", el)
        return self.dxf_map[scratch_index]

    def result(self) -> str | None:
        """The client's styles text with the pending entries appended, or None if none."""
        if not any(self.pending.values()):
            return None
        text = self.text
        for i, name in enumerate(_STYLE_ORDER):
            if not self.pending[name]:
                continue
            children = "".join(xt.serialize(e, self.prefix, NS_MAIN) for e in self.pending[name])
            spliced = xt.append_children(text, self.prefix, name, children, self._count(name))
            if spliced is None:
                element = (f'<{xt.qname(self.prefix, name)} count="{len(self.pending[name])}">'
                           f'{children}</{xt.qname(self.prefix, name)}>')
                spliced = xt.insert_element(text, self.prefix, "styleSheet", element, _STYLE_ORDER[i + 1:])
            text = spliced
        return text


_SHEET_TAG = re.compile(rb"<(c|row|col|cfRule)(\s[^>]*?)(/?)>")
_STRING_CELL = re.compile(rb'<c(\s[^>]*?)\st="s"([^>]*)><v>(\d+)</v></c>')
_STYLE_ATTR = {b"c": re.compile(rb'(\ss=")(\d+)"'), b"row": re.compile(rb'(\ss=")(\d+)"'),
               b"col": re.compile(rb'(\sstyle=")(\d+)"'), b"cfRule": re.compile(rb'(\sdxfId=")(\d+)"')}
# a sheet rewritten a few megabytes at a time: the product's largest sheet (a year of weekly pipeline
# snapshots of a large company, over 100 MB of XML) is never copied whole by each substitution
_REWRITE_CHUNK = 1 << 22


def _scratch_strings(scratch: zipfile.ZipFile) -> list[bytes]:
    """Inner XML of each ``<si>`` of the scratch's shared strings (XlsxWriter's own output), in UTF-8."""
    if "xl/sharedStrings.xml" not in scratch.namelist():
        return []
    return re.findall(rb"<si>(.*?)</si>", scratch.read("xl/sharedStrings.xml"), flags=re.S)


def _rewrite_sheet(xml: bytes, styles: _StyleMerger, strings: list[bytes]) -> bytes:
    """The scratch sheet's XML (UTF-8) ready for the client: style ids re-mapped, strings inline.

    Regular expressions are enough here: the input is XlsxWriter's own output,
    in which ``<`` and ``>`` never appear unescaped inside text or attributes.
    The XML is taken in chunks cut after a ``</row>``, so that no tag is cut.
    """
    def fix_tag(m: re.Match[bytes]) -> bytes:
        name, attrs, slash = m.groups()
        remap = styles.dxf if name == b"cfRule" else styles.xf
        attrs = _STYLE_ATTR[name].sub(lambda a: b'%s%d"' % (a[1], remap(int(a[2]))), attrs)
        return b"<%s%s%s>" % (name, attrs, slash)

    def inline(m: re.Match[bytes]) -> bytes:
        return b'<c%s t="inlineStr"%s><is>%s</is></c>' % (m[1], m[2], strings[int(m[3])])

    out, start = [], 0
    while start < len(xml):
        cut = xml.find(b"</row>", start + _REWRITE_CHUNK)
        end = len(xml) if cut < 0 else cut + len(b"</row>")
        chunk = _STRING_CELL.sub(inline, _SHEET_TAG.sub(fix_tag, xml[start:end]))
        if not out:  # the sheet views come before the first row
            chunk = re.sub(rb'(<sheetView\b[^>]*?)\stabSelected="1"', rb"\1", chunk)
        out.append(chunk)
        start = end
    return b"".join(out)


_LAST_ROW = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')


def _extended(client_xml: bytes, scratch_xml: bytes, rows: int, name: str) -> bytes:
    """The client's sheet ``client_xml`` with the rows of the scratch's ``scratch_xml`` (already rewritten
    for the client) added after its last one, which must be row ``rows`` (else ``_AppendRefused``), and its
    ``<dimension>`` made to hold them: every byte before stays as it was."""
    close = client_xml.rfind(b"</sheetData>")
    last_open = client_xml.rfind(b"<row ", 0, close)
    start, end = scratch_xml.find(b"<sheetData>"), scratch_xml.rfind(b"</sheetData>")
    if close < 0 or last_open < 0 or client_xml.count(b"</sheetData>") != 1 or start < 0 or end < 0 \
            or b"<autoFilter" in client_xml[close:]:  # a filter's range would not hold the new rows
        raise _AppendRefused(name)
    last = _LAST_ROW.match(client_xml, last_open)
    if last is None or int(last[1]) != rows:
        raise _AppendRefused(name)
    added = scratch_xml[start + len(b"<sheetData>"):end]
    new_rows = [int(r) for r in _LAST_ROW.findall(added)]
    if not new_rows:
        return client_xml
    if min(new_rows) <= rows:
        raise ValueError(f"sheet {name!r}: the rows appended must come after row {rows}")
    head = client_xml[:close]
    dim = _DIMENSION.search(head, 0, head.find(b"<sheetData"))
    if dim is not None:
        right = dim[3] or dim[1]
        wider = b'<dimension ref="%s%s:%s%d"/>' % (dim[1], dim[2], right, max(new_rows))
        head = head[:dim.start()] + wider + head[dim.end():]
    return head + added + client_xml[close:]


class _Transplant:
    """One transplant job: reads the client's package, prepares the changed parts."""

    def __init__(self, reader: RawZipReader, scratch: zipfile.ZipFile, path: Path,
                 limits: ArchiveLimits, appends: Mapping[str, int] | None = None) -> None:
        self.reader, self.scratch, self.path, self.limits = reader, scratch, path, limits
        self.appends = dict(appends or {})
        self.changed: dict[str, bytes] = {}  # existing members with new content
        self.new: dict[str, bytes] = {}  # members added, in order
        self.removed: set[str] = set()
        self.added: list[str] = []
        self.replaced: list[str] = []
        self.sheet_parts: dict[str, str] = {}  # product sheet name -> its part
        self.taken = {i.filename.lower() for i in reader.infos}
        self.member_case = {i.filename.lower(): i.filename for i in reader.infos}

    # -- reading the client's package -----------------------------------------------------
    def _member(self, part: str) -> str | None:
        return self.member_case.get(part.lower())

    def _read(self, part: str) -> bytes:
        name = self._member(part)
        if name is None:
            raise _file_error(self.path, f"la partie « {part} » est absente du classeur",
                              "ouvrez le classeur dans Excel, enregistrez-le, puis relancez.")
        try:
            return self.reader.read(name, self.limits.max_parsed)
        except ArchiveTooLarge as exc:
            raise _file_error(self.path, f"la partie « {part} » dépasse la limite de sécurité "
                                         f"({self.limits.max_parsed} octets)",
                              "vérifiez qu'il s'agit bien du classeur de pipeline.") from exc

    def _text(self, part: str) -> tuple[str, bool]:
        try:
            return xt.decode(self._read(part), part)
        except ValueError as exc:
            raise _file_error(self.path, f"la partie « {part} » n'est pas en UTF-8",
                              "ouvrez le classeur dans Excel, enregistrez-le, puis relancez.") from exc

    def _rels_of(self, part: str) -> list[_Rel]:
        if self._member(_rels_name(part)) is None:
            return []
        return _parse_rels(self._read(_rels_name(part)))

    def _parse(self, part: str, data: bytes):
        try:
            return SafeET.fromstring(data)
        except Exception as exc:  # defusedxml raises several kinds; all mean "unusable part"
            raise _file_error(self.path, f"la partie « {part} » est illisible ou refusée ({exc})",
                              "ouvrez le classeur dans Excel, enregistrez-le, puis relancez.") from exc

    def _check_well_formed(self, part: str, data: bytes) -> None:
        """``data`` parses as XML, without a DTD: expat alone, with no tree built (a product sheet of a large
        company holds millions of elements, and building them would cost more than writing them)."""
        parser = expat.ParserCreate()

        def refuse(*_args: object) -> None:
            raise ValueError("DTD")

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        try:
            parser.Parse(data, True)
        except (expat.ExpatError, ValueError) as exc:
            raise _file_error(self.path, f"la partie « {part} » est illisible ou refusée ({exc})",
                              "ouvrez le classeur dans Excel, enregistrez-le, puis relancez.") from exc

    # -- the job ----------------------------------------------------------------------------
    def run(self, states: Mapping[str, str], active: str | None = None) -> None:
        root_rels = self._rels_of("")  # "_rels/.rels"
        office = [r for r in root_rels if r.type == REL_OFFICE_DOC]
        if not office or not office[0].target.lower().endswith(".xml"):
            raise _file_error(self.path, "ce fichier n'est pas un classeur .xlsx/.xlsm (format binaire .xlsb "
                                         "ou document d'un autre type)",
                              "enregistrez-le dans Excel au format .xlsx ou .xlsm.")
        self.wb_part = self._member(_resolve("", office[0].target)) or _resolve("", office[0].target)
        wb_text, wb_bom = self._text(self.wb_part)
        wb_root = self._parse(self.wb_part, wb_text.encode("utf-8"))
        ns = xt.split_tag(wb_root.tag)[0]
        if ns == NS_STRICT:
            raise _file_error(self.path, "le classeur est au format « Open XML strict », non pris en charge",
                              "enregistrez-le dans Excel au format « Classeur Excel (.xlsx) ».")
        self.wb_rels_part = _rels_name(self.wb_part)
        wb_rels_text, wb_rels_bom = self._text(self.wb_rels_part)
        wb_rels = _parse_rels(wb_rels_text.encode("utf-8"))
        ct_text, ct_bom = self._text("[Content_Types].xml")
        self._parse("[Content_Types].xml", ct_text.encode("utf-8"))

        styles_rel = [r for r in wb_rels if r.type == REL_STYLES]
        if not styles_rel:
            raise _file_error(self.path, "le classeur n'a pas de partie de styles",
                              "ouvrez le classeur dans Excel, enregistrez-le, puis relancez.")
        styles_part = self._member(_resolve(self.wb_part, styles_rel[0].target)) or ""
        styles_text, styles_bom = self._text(styles_part)
        self._parse(styles_part, styles_text.encode("utf-8"))
        styles = _StyleMerger(styles_text, self.scratch.read("xl/styles.xml"))
        strings = _scratch_strings(self.scratch)
        scratch_sheets, scratch_names = self._scratch_sheets()

        ctx = _WorkbookEdit(wb_text, wb_root, wb_rels_text, wb_rels, ct_text)
        for name, state in states.items():
            if name not in scratch_sheets:
                raise ValueError(f"sheet {name!r} is not in the scratch workbook")
            self._put_sheet(ctx, name, state, scratch_sheets[name], styles, strings,
                            scratch_names.get(name, []))

        if active is not None:
            self._activate(ctx, active, states)
        if self.replaced:
            self._drop_calc_chain(ctx, wb_rels)
        merged = styles.result()
        if merged is not None:
            self.changed[styles_part] = xt.encode(merged, styles_bom)
        self.changed[self.wb_part] = xt.encode(ctx.wb_text, wb_bom)
        self.changed[self._member(self.wb_rels_part) or self.wb_rels_part] = xt.encode(ctx.rels_text, wb_rels_bom)
        self.changed[self._member("[Content_Types].xml")] = xt.encode(ctx.ct_text, ct_bom)
        for part, data in self.changed.items():  # never write a part we could not read back
            self._check_well_formed(part, data)

    def _activate(self, ctx: _WorkbookEdit, name: str, states: Mapping[str, str]) -> None:
        """Open the workbook on sheet ``name``: ``activeTab`` and its tab selected, the old tab unselected."""
        target = ctx.find_sheet(name)
        if target is None:
            raise ValueError(f"sheet {name!r} is not in the workbook")
        views = xt.iter_tags(ctx.wb_text, ctx.prefix, "workbookView")
        old_index = int(xt.attrs_of(views[0].group(0)).get("activeTab", "0")) if views else 0
        if views:
            tag = views[0]
            new_tag = xt.set_attr(tag.group(0), "activeTab", None if target["index"] == 0 else str(target["index"]))
            first = xt.attrs_of(new_tag).get("firstSheet")
            if first is not None and int(first) > target["index"]:
                new_tag = xt.set_attr(new_tag, "firstSheet", str(target["index"]))
            ctx.wb_text = ctx.wb_text[:tag.start()] + new_tag + ctx.wb_text[tag.end():]
        else:
            view = f'<{xt.qname(ctx.prefix, "workbookView")} activeTab="{target["index"]}"/>'
            block = f'<{xt.qname(ctx.prefix, "bookViews")}>{view}</{xt.qname(ctx.prefix, "bookViews")}>'
            ctx.wb_text = xt.insert_element(ctx.wb_text, ctx.prefix, "workbook", block,
                                            ["sheets", "functionGroups", "externalReferences", "definedNames",
                                             "calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
                                             "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                             "webPublishObjects", "extLst"])
        self._select_tab(self.sheet_parts[name], True)
        old = next((s for s in ctx.sheets if s["index"] == old_index), None)
        if old is not None and old["name"] not in states:
            rel = ctx.rel(old["r:id"])
            if rel is not None and rel.type == REL_WORKSHEET:
                self._select_tab(self._member(_resolve(self.wb_part, rel.target)) or "", False)

    def _select_tab(self, part: str, selected: bool) -> None:
        """Set or clear ``tabSelected`` on the first ``<sheetView>`` of a sheet part (edited as text)."""
        member = self._member(part)
        if part in self.new:
            data = self.new[part]
        elif member in self.changed:
            data = self.changed[member]
        elif member is not None:
            data = self._read(member)
        else:
            return
        text, bom = xt.decode(data, part)
        prefix = xt.root_prefix(text)
        tag = xt.start_tag(text, prefix, "sheetView")
        if tag is None:
            return
        current = xt.attrs_of(tag.group(0)).get("tabSelected") in ("1", "true")
        if current == selected:
            return
        new_tag = xt.set_attr(tag.group(0), "tabSelected", "1" if selected else None)
        edited = xt.encode(text[:tag.start()] + new_tag + text[tag.end():], bom)
        if part in self.new:
            self.new[part] = edited
        else:
            self.changed[member] = edited

    def _scratch_sheets(self) -> tuple[dict[str, tuple[str, int]], dict[str, list[StdET.Element]]]:
        root = StdET.fromstring(self.scratch.read("xl/workbook.xml"))
        rels = {r.id: r for r in _parse_rels(self.scratch.read("xl/_rels/workbook.xml.rels"))}
        sheets: dict[str, tuple[str, int]] = {}
        for index, el in enumerate(root.iter(f"{{{NS_MAIN}}}sheet")):
            target = rels[el.get(f"{{{NS_R}}}id")].target
            sheets[el.get("name")] = (_resolve("xl/workbook.xml", target), index)
        names: dict[str, list[StdET.Element]] = {}
        by_index = {i: n for n, (_, i) in sheets.items()}
        for el in root.iter(f"{{{NS_MAIN}}}definedName"):
            local = el.get("localSheetId")
            if local is not None and int(local) in by_index:
                names.setdefault(by_index[int(local)], []).append(el)
        return sheets, names

    def _put_sheet(self, ctx: _WorkbookEdit, name: str, state: str, scratch_sheet: tuple[str, int],
                   styles: _StyleMerger, strings: list[bytes], defined: list[StdET.Element]) -> None:
        scratch_part, _ = scratch_sheet
        existing = ctx.find_sheet(name)
        if existing is not None:
            rel = ctx.rel(existing["r:id"])
            if rel is None or rel.type != REL_WORKSHEET:
                raise _file_error(self.path, f"la feuille « {existing['name']} » existe déjà mais n'est pas "
                                             "une feuille de calcul ordinaire",
                                  f"renommez ou supprimez la feuille « {existing['name']} », puis relancez.")
            part = self._member(_resolve(self.wb_part, rel.target)) or _resolve(self.wb_part, rel.target)
            if name in self.appends and self._rels_of(part):
                # a table, a comment, a drawing: their ranges would not hold the new rows
                raise _AppendRefused(name)
            if name not in self.appends:  # an extended sheet keeps what it had
                self._remove_old_dependents(part, ctx)
            ctx.set_state(existing, state)
            index = existing["index"]
            self.replaced.append(name)
        else:
            if name in self.appends:
                raise _AppendRefused(name)
            part = _fresh_name(posixpath.join(posixpath.dirname(self.wb_part), "worksheets", "sheet.xml"),
                               self.taken)
            index = ctx.add_sheet(name, state, _relative(self.wb_part, part))
            ctx.add_override(part, CT_WORKSHEET)
            self.added.append(name)

        self.sheet_parts[name] = part
        xml = self.scratch.read(scratch_part)
        if re.search(rb'<c\s[^>]*\scm="', xml):
            # dynamic arrays point into xl/metadata.xml, a workbook-wide part we do not merge
            raise ValueError(f"sheet {name!r}: dynamic array formulas are not supported in product "
                             "sheets, use write_formula / write_array_formula")
        rewritten = _rewrite_sheet(xml, styles, strings)
        if name in self.appends:
            self.changed_or_new(part, _extended(self._read(part), rewritten, self.appends[name], name))
            return
        self.changed_or_new(part, rewritten)
        scratch_rels = self._scratch_rels(scratch_part)
        if scratch_rels:
            moved: dict[str, str] = {}
            new_rels = [self._copy_dependent(scratch_part, part, r, moved, ctx) for r in scratch_rels]
            self.changed_or_new(_rels_name(part), _rels_xml(new_rels))
        for el in defined:
            ctx.put_defined_name(el, index)

    def changed_or_new(self, part: str, data: bytes) -> None:
        member = self._member(part)
        if member is not None and member not in self.removed:
            self.changed[member] = data
        else:
            # absent, or an old member dropped above: the new content goes at the end
            self.new[part] = data

    def _scratch_rels(self, part: str) -> list[_Rel]:
        name = _rels_name(part)
        return _parse_rels(self.scratch.read(name)) if name in self.scratch.namelist() else []

    def _copy_dependent(self, scratch_src: str, client_src: str, rel: _Rel, moved: dict[str, str],
                        ctx: _WorkbookEdit) -> _Rel:
        if rel.external:
            return rel
        if not rel.type.endswith(_ALLOWED_DEPENDENTS):
            raise ValueError(f"a product sheet cannot carry a part of type {rel.type} (tables and comments "
                             "have workbook-wide ids)")
        scratch_part = _resolve(scratch_src, rel.target)
        if scratch_part not in moved:
            client_part = _fresh_name(scratch_part, self.taken)
            moved[scratch_part] = client_part
            self.new[client_part] = self.scratch.read(scratch_part)
            ctx.add_override(client_part, self._scratch_content_type(scratch_part))
            child_rels = self._scratch_rels(scratch_part)
            if child_rels:
                self.new[_rels_name(client_part)] = _rels_xml(
                    [self._copy_dependent(scratch_part, client_part, r, moved, ctx) for r in child_rels])
        return _Rel(rel.id, rel.type, _relative(client_src, moved[scratch_part]), False)

    def _scratch_content_type(self, part: str) -> str:
        root = StdET.fromstring(self.scratch.read("[Content_Types].xml"))
        ext = part.rsplit(".", 1)[-1].lower()
        default = ""
        for el in root:
            local = xt.split_tag(el.tag)[1]
            if local == "Override" and el.get("PartName", "").lower() == "/" + part.lower():
                return el.get("ContentType", "")
            if local == "Default" and el.get("Extension", "").lower() == ext:
                default = el.get("ContentType", "")
        return default

    def _remove_old_dependents(self, sheet_part: str, ctx: _WorkbookEdit) -> None:
        """Drop the parts only the old product sheet used (its rels, drawings, charts...)."""
        graph: list[str] = []
        stack = [sheet_part]
        while stack:
            part = stack.pop()
            for rel in self._rels_of(part):
                target = self._member(_resolve(part, rel.target))
                if not rel.external and target is not None and target not in graph and target != sheet_part:
                    graph.append(target)
                    stack.append(target)
        own_rels = {self._member(_rels_name(p)) for p in [sheet_part, *graph]} - {None}
        if graph:
            # a part also used from outside the product sheet (an image Excel shares) stays
            used_elsewhere: set[str] = set()
            for info in self.reader.infos:
                name = info.filename
                if name.endswith(".rels") and name not in own_rels:
                    source = _source_of_rels(name)
                    for rel in _parse_rels(self._read(name)):
                        if not rel.external:
                            used_elsewhere.add(_resolve(source, rel.target).lower())
            for part in graph:
                if part.lower() not in used_elsewhere:
                    self.removed.add(part)
                    ctx.remove_override(part)
        self.removed.update(own_rels)

    def _drop_calc_chain(self, ctx: _WorkbookEdit, wb_rels: list[_Rel]) -> None:
        for rel in wb_rels:
            if rel.type == REL_CALC_CHAIN:
                part = self._member(_resolve(self.wb_part, rel.target))
                if part is not None:
                    self.removed.add(part)
                    ctx.remove_override(part)
                ctx.remove_rel(rel.id)

    # -- writing ----------------------------------------------------------------------------
    def write(self, out) -> None:
        writer = RawZipWriter(out)
        now = time.localtime()[:6]
        for info in self.reader.infos:
            name = info.filename
            if name in self.removed:
                continue
            if name in self.changed:
                writer.add_bytes(name, self.changed[name], info.date_time)
            else:
                self.reader.copy_raw(name, writer)
        for name, data in self.new.items():
            writer.add_bytes(name, data, now)
        writer.close()


def _source_of_rels(rels_name: str) -> str:
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base[:-len(".rels")])


class _WorkbookEdit:
    """Text edits of workbook.xml, its rels and [Content_Types].xml."""

    def __init__(self, wb_text: str, wb_root, rels_text: str, rels: list[_Rel], ct_text: str) -> None:
        self.wb_text, self.rels_text, self.ct_text = wb_text, rels_text, ct_text
        self.prefix = xt.root_prefix(wb_text)
        self.r_prefix = xt.root_prefix_for(wb_text, NS_R)
        self.rels = {r.id: r for r in rels}
        self.rels_prefix = xt.root_prefix(rels_text)
        self.ct_prefix = xt.root_prefix(ct_text)
        self.sheets = [{"name": el.get("name", ""), "sheetId": int(el.get("sheetId", "0")),
                        "r:id": el.get(f"{{{NS_R}}}id", ""), "state": el.get("state", "visible"),
                        "index": i}
                       for i, el in enumerate(wb_root.iter(f"{{{NS_MAIN}}}sheet"))]

    def find_sheet(self, name: str) -> dict | None:
        # Excel compares sheet names without case
        return next((s for s in self.sheets if s["name"].casefold() == name.casefold()), None)

    def rel(self, rid: str) -> _Rel | None:
        return self.rels.get(rid)

    def _sheet_tag(self, sheet: dict) -> re.Match[str]:
        for tag in xt.iter_tags(self.wb_text, self.prefix, "sheet"):
            if xt.attrs_of(tag.group(0)).get("name") == sheet["name"]:
                return tag
        raise ValueError(f"sheet {sheet['name']!r} not found in workbook.xml text")

    def set_state(self, sheet: dict, state: str) -> None:
        if sheet["state"] == state:
            return
        tag = self._sheet_tag(sheet)
        new_tag = xt.set_attr(tag.group(0), "state", None if state == "visible" else state)
        self.wb_text = self.wb_text[:tag.start()] + new_tag + self.wb_text[tag.end():]
        sheet["state"] = state

    def add_sheet(self, name: str, state: str, target: str) -> int:
        rid = self._new_rid()
        sheet_id = max((s["sheetId"] for s in self.sheets), default=0) + 1
        r_attr = f'{self.r_prefix}:id="{rid}"' if self.r_prefix else f'xmlns:r="{NS_R}" r:id="{rid}"'
        state_attr = "" if state == "visible" else f' state="{state}"'
        element = (f'<{xt.qname(self.prefix, "sheet")} name="{xt.escape_attr(name)}" '
                   f'sheetId="{sheet_id}"{state_attr} {r_attr}/>')
        spliced = xt.append_children(self.wb_text, self.prefix, "sheets", element, None)
        if spliced is None:
            raise ValueError("workbook.xml has no <sheets>")
        self.wb_text = spliced
        rel = _Rel(rid, REL_WORKSHEET, target, False)
        self.rels[rid] = rel
        rel_el = (f'<{xt.qname(self.rels_prefix, "Relationship")} Id="{rid}" Type="{REL_WORKSHEET}" '
                  f'Target="{xt.escape_attr(target)}"/>')
        self.rels_text = xt.append_children(self.rels_text, self.rels_prefix, "Relationships", rel_el, None)
        index = len(self.sheets)
        self.sheets.append({"name": name, "sheetId": sheet_id, "r:id": rid, "state": state, "index": index})
        return index

    def _new_rid(self) -> str:
        numbers = [int(m.group(1)) for rid in self.rels if (m := re.fullmatch(r"rId(\d+)", rid))]
        n = max(numbers, default=0) + 1
        while f"rId{n}" in self.rels:
            n += 1
        return f"rId{n}"

    def remove_rel(self, rid: str) -> None:
        for tag in xt.iter_tags(self.rels_text, self.rels_prefix, "Relationship"):
            if xt.attrs_of(tag.group(0)).get("Id") == rid:
                start, end = xt.element_span(self.rels_text, self.rels_prefix, "Relationship", tag)
                self.rels_text = self.rels_text[:start] + self.rels_text[end:]
                self.rels.pop(rid, None)
                return

    def add_override(self, part: str, content_type: str) -> None:
        element = (f'<{xt.qname(self.ct_prefix, "Override")} PartName="/{xt.escape_attr(part)}" '
                   f'ContentType="{xt.escape_attr(content_type)}"/>')
        self.ct_text = xt.append_children(self.ct_text, self.ct_prefix, "Types", element, None)

    def remove_override(self, part: str) -> None:
        for tag in xt.iter_tags(self.ct_text, self.ct_prefix, "Override"):
            if xt.attrs_of(tag.group(0)).get("PartName", "").lower() == "/" + part.lower():
                start, end = xt.element_span(self.ct_text, self.ct_prefix, "Override", tag)
                self.ct_text = self.ct_text[:start] + self.ct_text[end:]
                return

    def put_defined_name(self, scratch_el: StdET.Element, index: int) -> None:
        """Add a sheet-local defined name (print area...), replacing the product's own in place."""
        name = scratch_el.get("name", "")
        attrs = f' name="{xt.escape_attr(name)}" localSheetId="{index}"'
        for key, value in scratch_el.attrib.items():
            if key not in ("name", "localSheetId"):
                attrs += f' {key}="{xt.escape_attr(value)}"'
        tag_name = xt.qname(self.prefix, "definedName")
        element = f"<{tag_name}{attrs}>{xt.escape_text(scratch_el.text or '')}</{tag_name}>"
        for tag in xt.iter_tags(self.wb_text, self.prefix, "definedName"):
            found = xt.attrs_of(tag.group(0))
            if found.get("name", "").lower() == name.lower() and found.get("localSheetId") == str(index):
                start, end = xt.element_span(self.wb_text, self.prefix, "definedName", tag)
                if self.wb_text[start:end] != element:
                    self.wb_text = self.wb_text[:start] + element + self.wb_text[end:]
                return
        spliced = xt.append_children(self.wb_text, self.prefix, "definedNames", element, None)
        if spliced is None:
            block = f"<{xt.qname(self.prefix, 'definedNames')}>{element}</{xt.qname(self.prefix, 'definedNames')}>"
            spliced = xt.insert_element(self.wb_text, self.prefix, "workbook", block,
                                        ["calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
                                         "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                         "webPublishObjects", "extLst"])
        self.wb_text = spliced
