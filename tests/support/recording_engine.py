"""A recording engine for xlwings, and a replayer that turns what it recorded into an .xlsx file.

There is no Excel on Linux, and xlwings' engines that work without Excel are
licensed apart.  This engine implements the small part of the xlwings engine
interface (the ``impl`` objects behind ``xw.Book``, ``xw.Sheet``, ``xw.Range``,
see ``xlwings/main.py`` and ``xlwings/_xlwindows.py``) that the live writer
uses, and records every call.  It is driven *through xlwings' own public
classes*: ``xw.Book(impl=RecordingBook(...))``, so xlwings validates the
arguments (conditional-format operators, colours, thresholds, list sources...)
and runs its conversion pipeline (the 2-D write, dates, NaN) before a call
reaches the engine, exactly as it would before reaching COM.

What it records is a list of :class:`Op` (kind, sheet, address, payload).  It
also keeps the values written, so that reading back (``read_live_grids``) works
on a recorded book, and tests can build a "live" workbook with Excel Tables.

:func:`replay_to_xlsx` applies the recorded operations of one sheet onto an
XlsxWriter file (values, formulas, number formats, fonts, fills, merges,
widths, conditional formats, validations, sparklines, page setup), so the
result of the live writer can be compared, by meaning, with the file writer's.

``.api`` returns a :class:`RecordingApi` proxy that records attribute writes
and method calls (``api`` ops with a dotted path), the way the live writer
reaches what xlwings has no API for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kpicore.model.cells import column_letter, column_number

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COL = re.compile(r"^\$?([A-Za-z]{1,3})$")


@dataclass(frozen=True)
class Op:
    """One recorded call: ``kind`` (e.g. ``"value"``, ``"font.bold"``, ``"cf.add_custom"``, ``"api"``)."""

    kind: str
    sheet: str
    address: str
    payload: Any = None




def parse_area(text: str) -> tuple[int, int, int, int]:
    """``B3:D7`` (or ``B3``, or ``C:C``) -> (row1, col1, row2, col2), 1-based."""
    parts = text.replace("$", "").split(":")
    if len(parts) == 1:
        parts = parts * 2
    m1, m2 = _CELL.match(parts[0]), _CELL.match(parts[1])
    if m1 and m2:
        return int(m1[2]), column_number(m1[1]), int(m2[2]), column_number(m2[1])
    c1, c2 = _COL.match(parts[0]), _COL.match(parts[1])
    if c1 and c2:
        return 1, column_number(c1[1]), 1_048_576, column_number(c2[1])
    raise ValueError(f"adresse illisible : {text!r}")


def area_address(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{column_letter(c1)}{r1}"  # 1-based, as xlwings' engine interface counts columns
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letter(c2)}{r2}"


class Recorder:
    """Holds the operations of one recording session, in call order."""

    def __init__(self) -> None:
        self.ops: list[Op] = []

    def add(self, kind: str, sheet: str, address: str, payload: Any = None) -> None:
        self.ops.append(Op(kind, sheet, address, payload))

    def of_kind(self, prefix: str) -> list[Op]:
        return [o for o in self.ops if o.kind.startswith(prefix)]


class RecordingApi:
    """Stands for a COM object: records ``x.A.B = v`` and ``x.A.B(args)`` as ``api`` operations."""

    def __init__(self, rec: Recorder, sheet: str, address: str, path: str = "") -> None:
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_where", (sheet, address))
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> "RecordingApi":
        path = f"{self._path}.{name}" if self._path else name
        return RecordingApi(self._rec, *self._where, path)

    def __setattr__(self, name: str, value: Any) -> None:
        path = f"{self._path}.{name}" if self._path else name
        self._rec.add("api", *self._where, {"path": path, "set": value})

    def __call__(self, *args: Any, **kwargs: Any) -> "RecordingApi":
        self._rec.add("api", *self._where, {"path": self._path, "call": args, "kwargs": kwargs})
        return self

    def __bool__(self) -> bool:  # xlwings tests ``if rng.api`` before a write
        return True


# --------------------------------------------------------------------------- engine
class RecordingEngine:
    """The engine impl: name, type, and the data cleaning xlwings' conversion asks of an engine."""

    name = "recording"
    type = "desktop"

    def __init__(self, rec: Recorder | None = None) -> None:
        self.rec = rec or Recorder()

    @property
    def apps(self) -> "RecordingApps":
        return RecordingApps([])

    @staticmethod
    def prepare_xl_data_element(x: Any, date_format: Any) -> Any:
        # what _xlwindows does before COM: NaN and None become empty, numpy numbers floats
        if isinstance(x, (datetime, date)):
            return x
        if x is None:
            return ""
        if isinstance(x, (float, np.floating)) and np.isnan(x):
            return ""
        if isinstance(x, np.number):
            return float(x)
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(v):
            if v in ("", None):
                return empty_as
            if isinstance(v, datetime) and datetime_builder is not None and datetime_builder is not datetime:
                return datetime_builder(v.year, v.month, v.day)
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[clean(v) for v in row] for row in data]


class RecordingApps:
    def __init__(self, apps: list) -> None:
        self._apps = apps

    def __iter__(self):
        return iter(self._apps)

    def __len__(self) -> int:
        return len(self._apps)

    def keys(self) -> list[int]:
        return [a.pid for a in self._apps]


class RecordingApp:
    pid = 4242
    version = "16.0"

    def __init__(self, engine: RecordingEngine) -> None:
        self.engine = engine
        self.rec = engine.rec
        self.books = RecordingBooks(self)
        self._props = {"screen_updating": True, "display_alerts": True, "calculation": "automatic",
                       "status_bar": False, "enable_events": True}
        self.alerts: list[dict] = []

    def __getattr__(self, name: str) -> Any:
        props = self.__dict__.get("_props", {})
        if name in props:
            return props[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__.get("_props", {}):
            self._props[name] = value
            self.rec.add(f"app.{name}", "", "", value)
        else:
            object.__setattr__(self, name, value)

    @property
    def api(self) -> RecordingApi:
        return RecordingApi(self.rec, "", "")

    def activate(self, steal_focus: bool = False) -> None:
        self.rec.add("app.activate", "", "")

    def alert(self, prompt, title, buttons, mode, callback) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        self.rec.add("app.alert", "", "", {"prompt": prompt, "title": title, "mode": mode})
        return "ok"


class RecordingBooks:
    def __init__(self, app: RecordingApp) -> None:
        self.app = app
        self._books: list[RecordingBook] = []

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self._books[name_or_index - 1]
        for b in self._books:
            if b.name.lower() == str(name_or_index).lower():
                return b
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self):
        return iter(self._books)

    def __contains__(self, key) -> bool:
        return any(b.name.lower() == str(key).lower() for b in self._books)


class RecordingBook:
    def __init__(self, app: RecordingApp, name: str, fullname: str = "") -> None:
        self.app = app
        self.name = name
        self.fullname = fullname or name
        self.sheets = RecordingSheets(self)
        app.books._books.append(self)

    @property
    def api(self) -> RecordingApi:
        return RecordingApi(self.app.rec, "", "")

    def activate(self, steal_focus: bool = False) -> None:
        self.app.rec.add("book.activate", "", "")

    def save(self, path=None, password=None) -> None:
        self.app.rec.add("book.save", "", "", str(path) if path else None)


class RecordingSheets:
    def __init__(self, book: RecordingBook) -> None:
        self.book = book
        self._sheets: list[RecordingSheet] = []
        self.active_index = 0

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self._sheets[name_or_index - 1]
        for s in self._sheets:
            if s.name.lower() == str(name_or_index).lower():
                return s
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._sheets)

    def __iter__(self):
        return iter(list(self._sheets))

    def __contains__(self, key) -> bool:
        return any(s.name.lower() == str(key).lower() for s in self._sheets)

    @property
    def active(self) -> "RecordingSheet":
        return self._sheets[self.active_index]

    def add(self, before=None, after=None, name=None) -> "RecordingSheet":
        name = name or f"Feuil{len(self._sheets) + 1}"
        sheet = RecordingSheet(self.book, name)
        if before is not None:
            pos = self._sheets.index(before)
        elif after is not None:
            pos = self._sheets.index(after) + 1
        else:
            pos = len(self._sheets)
        self._sheets.insert(pos, sheet)
        self.active_index = pos
        self.book.app.rec.add("sheet.add", name, "", {"position": pos})
        return sheet


class RecordingSheet:
    def __init__(self, book: RecordingBook, name: str) -> None:
        self.book = book
        self.name = name
        self.values: dict[tuple[int, int], Any] = {}  # what the sheet holds, for reading back
        self.tables = RecordingTables(self)
        self._visible = True

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._visible = bool(value)
        self.rec.add("sheet.visible", self.name, "", bool(value))

    @property
    def rec(self) -> Recorder:
        return self.book.app.rec

    @property
    def api(self) -> RecordingApi:
        return RecordingApi(self.rec, self.name, "")

    @property
    def index(self) -> int:
        return self.book.sheets._sheets.index(self) + 1

    def range(self, cell1, cell2=None) -> "RecordingRange":
        if isinstance(cell1, RecordingRange):
            a = cell1.areas[0]
            b = cell2.areas[0] if isinstance(cell2, RecordingRange) else a
            return RecordingRange(self, [(min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))])
        if isinstance(cell1, tuple):
            r2, c2 = cell2 if cell2 is not None else cell1
            return RecordingRange(self, [(cell1[0], cell1[1], r2, c2)])
        if cell2 is not None:
            raise ValueError("deux adresses A1 : passez-les comme 'A1:B2'")
        return RecordingRange(self, [parse_area(part) for part in str(cell1).split(",")])

    @property
    def cells(self) -> "RecordingRange":
        return RecordingRange(self, [(1, 1, 1_048_576, 16_384)])

    @property
    def used_range(self) -> "RecordingRange":
        if not self.values:
            return RecordingRange(self, [(1, 1, 1, 1)])
        rows = [r for r, _ in self.values]
        cols = [c for _, c in self.values]
        return RecordingRange(self, [(min(rows), min(cols), max(rows), max(cols))])

    def clear(self) -> None:
        self.values.clear()
        self.rec.add("sheet.clear", self.name, "")

    @property
    def show_gridlines(self) -> bool:
        return True

    @show_gridlines.setter
    def show_gridlines(self, value: bool) -> None:
        self.rec.add("sheet.show_gridlines", self.name, "", value)

    def activate(self) -> None:
        self.book.sheets.active_index = self.index - 1
        self.rec.add("sheet.activate", self.name, "")

    def delete(self) -> None:
        self.book.sheets._sheets.remove(self)
        self.rec.add("sheet.delete", self.name, "")

    @property
    def page_setup(self) -> "RecordingPageSetup":
        return RecordingPageSetup(self)


class RecordingPageSetup:
    def __init__(self, sheet: RecordingSheet) -> None:
        self.sheet = sheet

    @property
    def api(self) -> RecordingApi:
        return RecordingApi(self.sheet.rec, self.sheet.name, "PageSetup")

    @property
    def print_area(self) -> str | None:
        return None

    @print_area.setter
    def print_area(self, value: str | None) -> None:
        self.sheet.rec.add("page_setup.print_area", self.sheet.name, "", value)


class RecordingRange:
    """A range: one or more rectangular areas (1-based, inclusive)."""

    # xlwings' conversion asks the engine how many cells one call may carry (its defaults)
    max_cells_per_read = 4_000_000
    max_cells_per_write = 100_000

    def __init__(self, sheet: RecordingSheet, areas: list[tuple[int, int, int, int]]) -> None:
        self.sheet = sheet
        self.areas = areas
        self.options: dict = {}

    # ------------------------------------------------------------ geometry
    @property
    def address(self) -> str:
        return ",".join(area_address(*a) for a in self.areas)

    @property
    def row(self) -> int:
        return self.areas[0][0]

    @property
    def column(self) -> int:
        return self.areas[0][1]

    @property
    def shape(self) -> tuple[int, int]:
        r1, c1, r2, c2 = self.areas[0]
        return r2 - r1 + 1, c2 - c1 + 1

    def __len__(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def __call__(self, row: int, col: int | None = None) -> "RecordingRange":
        r1, c1, _, _ = self.areas[0]
        if col is None:  # linear index, row by row
            rows, cols = self.shape
            row, col = divmod(row - 1, cols)
            row, col = row + 1, col + 1
        return RecordingRange(self.sheet, [(r1 + row - 1, c1 + col - 1, r1 + row - 1, c1 + col - 1)])

    def _record(self, kind: str, payload: Any = None) -> None:
        self.sheet.rec.add(kind, self.sheet.name, self.address, payload)

    @property
    def api(self) -> RecordingApi:
        return RecordingApi(self.sheet.rec, self.sheet.name, self.address)

    # ------------------------------------------------------------ values
    @property
    def raw_value(self) -> Any:
        r1, c1, r2, c2 = self.areas[0]
        rows = [[self.sheet.values.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        r1, c1, r2, c2 = self.areas[0]
        if not isinstance(data, (list, tuple)):
            data = [[data] * (c2 - c1 + 1) for _ in range(r2 - r1 + 1)]
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in data]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v in ("", None):
                    self.sheet.values.pop((r1 + i, c1 + j), None)
                else:
                    self.sheet.values[(r1 + i, c1 + j)] = v
        self._record("value", rows)

    def clear(self) -> None:
        self._record("clear")

    # ------------------------------------------------------------ formats
    @property
    def number_format(self) -> str:
        return "General"

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._record("number_format", value)

    @property
    def color(self):
        return None

    @color.setter
    def color(self, value) -> None:
        self._record("color", value)

    @property
    def wrap_text(self) -> bool:
        return False

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        self._record("wrap_text", value)

    @property
    def font(self) -> "RecordingFont":
        return RecordingFont(self)

    @property
    def borders(self) -> "RecordingBorders":
        return RecordingBorders(self)

    def merge(self, across: bool = False) -> None:
        self._record("merge", across)

    def unmerge(self) -> None:
        self._record("unmerge")

    @property
    def column_width(self) -> float | None:
        return None

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._record("column_width", value)

    @property
    def row_height(self) -> float | None:
        return None

    @row_height.setter
    def row_height(self, value: float) -> None:
        self._record("row_height", value)

    @property
    def conditional_formats(self) -> "RecordingConditionalFormats":
        return RecordingConditionalFormats(self)

    @property
    def data_validation(self) -> "RecordingValidation":
        return RecordingValidation(self)


class RecordingFont:
    def __init__(self, rng: RecordingRange) -> None:
        object.__setattr__(self, "rng", rng)

    def __getattr__(self, name: str) -> Any:
        if name in ("bold", "italic", "size", "color", "name"):
            return None
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self.rng._record(f"font.{name}", value)


class RecordingBorders:
    def __init__(self, rng: RecordingRange) -> None:
        self.rng = rng

    def set(self, sides, *, line_style: Any, weight: Any, color: Any) -> None:
        from xlwings.base_classes import _UNSET

        changes = {k: v for k, v in (("line_style", line_style), ("weight", weight), ("color", color))
                   if v is not _UNSET}
        self.rng._record("borders.set", {"sides": tuple(sides), **changes})


class RecordingConditionalFormats:
    def __init__(self, rng: RecordingRange) -> None:
        self.rng = rng

    def _add(self, kind: str, spec: dict) -> "RecordingConditionalFormats":
        self.rng._record(f"cf.{kind}", dict(spec))
        return self

    def add_cell_value(self, spec: dict):
        return self._add("add_cell_value", spec)

    def add_custom(self, spec: dict):
        return self._add("add_custom", spec)

    def add_color_scale(self, spec: dict):
        return self._add("add_color_scale", spec)

    def add_data_bar(self, spec: dict):
        return self._add("add_data_bar", spec)

    def add_icon_set(self, spec: dict):
        return self._add("add_icon_set", spec)

    def clear(self) -> None:
        self.rng._record("cf.clear")

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


class RecordingValidation:
    def __init__(self, rng: RecordingRange) -> None:
        self.rng = rng

    def set_list(self, source, in_cell_dropdown: bool) -> None:
        # a list drawn from a range of the workbook is recorded as that range's address (« Correspondances »)
        if isinstance(source, RecordingRange):
            r1, c1, r2, c2 = source.areas[0]
            where = f"${column_letter(c1)}${r1}:${column_letter(c2)}${r2}"
            source = where if source.sheet is self.rng.sheet else f"'{source.sheet.name}'!{where}"
        self.rng._record("dv.set_list", {"source": source, "in_cell_dropdown": in_cell_dropdown})

    def delete(self) -> None:
        self.rng._record("dv.delete")


# --------------------------------------------------------------------------- tables (for the reader)
class RecordingTable:
    def __init__(self, sheet: RecordingSheet, name: str, area: tuple[int, int, int, int], totals: bool) -> None:
        self.parent, self.name, self.area, self.totals = sheet, name, area, totals

    @property
    def range(self) -> RecordingRange:
        return RecordingRange(self.parent, [self.area])

    @property
    def header_row_range(self) -> RecordingRange:
        r1, c1, _, c2 = self.area
        return RecordingRange(self.parent, [(r1, c1, r1, c2)])

    @property
    def data_body_range(self) -> RecordingRange | None:
        r1, c1, r2, c2 = self.area
        last = r2 - 1 if self.totals else r2
        return RecordingRange(self.parent, [(r1 + 1, c1, last, c2)]) if last > r1 else None

    @property
    def totals_row_range(self) -> RecordingRange | None:
        r1, c1, r2, c2 = self.area
        return RecordingRange(self.parent, [(r2, c1, r2, c2)]) if self.totals else None


class RecordingTables:
    def __init__(self, sheet: RecordingSheet) -> None:
        self.sheet = sheet
        self._tables: list[RecordingTable] = []

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self._tables[name_or_index - 1]
        for t in self._tables:
            if t.name == name_or_index:
                return t
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._tables)

    def __iter__(self):
        return iter(self._tables)

    def __contains__(self, key) -> bool:
        return any(t.name == key for t in self._tables)


# --------------------------------------------------------------------------- building a recorded book
def new_book(name: str = "Pipeline.xlsx", sheets: tuple[str, ...] = ("Feuil1",)):
    """A fresh ``xw.Book`` over the recording engine, with ``sheets``; returns (book, recorder)."""
    import xlwings as xw

    engine = RecordingEngine()
    app = RecordingApp(engine)
    book = RecordingBook(app, name)
    for s in sheets:
        book.sheets._sheets.append(RecordingSheet(book, s))
    return xw.Book(impl=book), engine.rec


def put_table(book, sheet: str, rows: list[list[Any]], *, top_left: tuple[int, int] = (1, 1),
              table_name: str | None = None, totals: list[Any] | None = None) -> None:
    """Fill ``rows`` (header first) into a recorded book's sheet, as an Excel Table when named."""
    impl = book.impl
    if sheet not in impl.sheets:
        impl.sheets._sheets.append(RecordingSheet(impl, sheet))
    sh = impl.sheets(sheet)
    r0, c0 = top_left
    body = rows + ([totals] if totals is not None else [])
    for i, row in enumerate(body):
        for j, v in enumerate(row):
            if v not in (None, ""):
                sh.values[(r0 + i, c0 + j)] = v
    if table_name:
        width = max(len(r) for r in body)
        sh.tables._tables.append(RecordingTable(sh, table_name, (r0, c0, r0 + len(body) - 1, c0 + width - 1),
                                                totals is not None))


# --------------------------------------------------------------------------- replayer
_XL_HALIGN = {-4131: "left", -4108: "center", -4152: "right"}
_XL_VALIGN = {-4160: "top", -4108: "vcenter", -4107: "bottom"}


@dataclass
class _SheetModel:
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    looks: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    rules: list[tuple[str, str, dict]] = field(default_factory=list)  # (address, kind, spec) in call order
    validations: list[tuple[str, dict]] = field(default_factory=list)
    sparklines: list[tuple[str, int, str]] = field(default_factory=list)
    print_area: str | None = None
    page: dict[str, Any] = field(default_factory=dict)
    gridlines: bool = True


def _hex(color: Any) -> str:
    if isinstance(color, str):
        return color.upper() if color.startswith("#") else "#" + color.upper()
    if isinstance(color, (tuple, list)):
        return "#" + "".join(f"{int(v):02X}" for v in color)
    raise ValueError(f"couleur illisible : {color!r}")


def _cells_of(address: str):
    for part in address.split(","):
        r1, c1, r2, c2 = parse_area(part)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                yield r, c


def model_of(ops: list[Op], sheet: str) -> _SheetModel:
    """The state of one sheet after the recorded operations (what Excel would hold)."""
    m = _SheetModel()
    for op in ops:
        if op.sheet != sheet:
            continue
        k, p = op.kind, op.payload
        if k == "sheet.clear":
            # Clear: values and formats.  Merges, rules, validations and sparklines are modelled as staying,
            # so that a writer which relies on Clear to remove them is caught by the tests.
            m.cells.clear()
            m.looks.clear()
        elif k == "value":
            r0, c0, _, _ = parse_area(op.address.split(",")[0])
            for i, row in enumerate(p):
                for j, v in enumerate(row):
                    if v in ("", None):
                        m.cells.pop((r0 + i, c0 + j), None)
                    else:
                        m.cells[(r0 + i, c0 + j)] = v
        elif k in ("number_format", "color", "wrap_text") or k.startswith("font."):
            key = {"number_format": "num_format", "color": "bg_color", "wrap_text": "text_wrap",
                   "font.name": "font_name", "font.size": "font_size", "font.color": "font_color",
                   "font.bold": "bold", "font.italic": "italic"}[k]
            value = _hex(p) if key in ("bg_color", "font_color") else p
            for rc in _cells_of(op.address):
                m.looks.setdefault(rc, {})[key] = value
        elif k == "borders.set":
            key = "bottom" if tuple(p["sides"]) == ("edge_bottom",) else "border"
            for rc in _cells_of(op.address):
                look = m.looks.setdefault(rc, {})
                look[key] = 1
                if "color" in p:
                    look[f"{key}_color"] = _hex(p["color"])
        elif k == "merge":
            m.merges.append(parse_area(op.address))
        elif k == "unmerge":
            r1, c1, r2, c2 = parse_area(op.address)
            m.merges = [a for a in m.merges if not (r1 <= a[0] and a[2] <= r2 and c1 <= a[1] and a[3] <= c2)]
        elif k == "dv.delete":
            r1, c1, r2, c2 = parse_area(op.address)
            m.validations = [(a, v) for a, v in m.validations
                             if not (r1 <= parse_area(a)[0] <= r2 and c1 <= parse_area(a)[1] <= c2)]
        elif k == "column_width":
            _, c1, _, c2 = parse_area(op.address)
            for c in range(c1, c2 + 1):
                m.widths[c] = p
        elif k == "row_height":
            r1, _, r2, _ = parse_area(op.address)
            for r in range(r1, r2 + 1):
                m.heights[r] = p
        elif k.startswith("cf.add_"):
            m.rules.append((op.address, k[len("cf.add_"):], p))
        elif k == "cf.clear":
            m.rules.clear()
        elif k == "dv.set_list":
            m.validations.append((op.address, p))
        elif k == "sheet.show_gridlines":
            m.gridlines = p
        elif k == "page_setup.print_area":
            m.print_area = p
        elif k == "api":
            _api_op(m, op)
    return m


def _api_op(m: _SheetModel, op: Op) -> None:
    p = op.payload
    path = p["path"]
    if path.endswith("HorizontalAlignment"):
        for rc in _cells_of(op.address):
            m.looks.setdefault(rc, {})["align"] = _XL_HALIGN[p["set"]]
    elif path.endswith("VerticalAlignment"):
        for rc in _cells_of(op.address):
            m.looks.setdefault(rc, {})["valign"] = _XL_VALIGN[p["set"]]
    elif path == "SparklineGroups.Add":
        kind, source = p["call"][0], p["call"][1]
        m.sparklines.append((op.address, kind, source))
    elif path == "SparklineGroups.Clear":
        m.sparklines.clear()
    elif path.startswith("PageSetup.") and "set" in p:
        m.page[path.split(".", 1)[1]] = p["set"]


def _cf_options(kind: str, spec: dict, workbook) -> dict:
    if kind == "custom":
        fmt = {}
        if "fill_color" in spec:
            fmt["bg_color"] = _hex(spec["fill_color"])
        if "font_color" in spec:
            fmt["font_color"] = _hex(spec["font_color"])
        return {"type": "formula", "criteria": spec["formula"], "format": workbook.add_format(fmt),
                "stop_if_true": spec.get("stop_if_true", False)}
    if kind == "cell_value":
        ops = {"between": "between", "not_between": "not between", "equal_to": "==", "not_equal_to": "!=",
               "greater_than": ">", "less_than": "<", "greater_than_or_equal": ">=", "less_than_or_equal": "<="}
        out = {"type": "cell", "criteria": ops[spec["operator"]], "value": spec["formula1"]}
        if spec.get("formula2") is not None:
            out.update(minimum=spec["formula1"], maximum=spec["formula2"])
        return out
    if kind == "color_scale":
        colors = [_hex(c) for c in spec["colors"]]
        if len(colors) == 3:
            return {"type": "3_color_scale", "min_color": colors[0], "mid_color": colors[1], "max_color": colors[2]}
        return {"type": "2_color_scale", "min_color": colors[0], "max_color": colors[1]}
    if kind == "data_bar":
        return {"type": "data_bar", "bar_color": _hex(spec["bar_color"]), "bar_solid": not spec["gradient"]}
    if kind == "icon_set":
        values = list(spec["thresholds"])[::-1]  # XlsxWriter lists the icons' thresholds from the top
        types = list(spec["threshold_types"])[::-1]
        return {"type": "icon_set", "icon_style": spec["icon_set"],
                "icons": [{"criteria": ">=", "type": t, "value": v} for t, v in zip(types, values)],
                "reverse_icons": spec["reverse_order"]}
    raise ValueError(f"règle conditionnelle inconnue : {kind}")


def _new_workbook(path: Path):
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})


def replay_to_xlsx(ops: list[Op], sheet: str, path: Path | str) -> Path:
    """Write the recorded state of ``sheet`` into a new workbook at ``path`` (XlsxWriter)."""
    path = Path(path)
    wb = _new_workbook(path)
    _replay_sheet(wb, wb.add_worksheet(sheet), model_of(ops, sheet))
    wb.close()
    return path


def replay_book_to_xlsx(book, path: Path | str) -> Path:
    """Every sheet of a recorded ``xw.Book`` in its order, state and active sheet, into a new workbook.

    A sheet the recording wrote is replayed from its operations; a sheet only
    filled as input (``put_table``) keeps its values.
    """
    impl = book.impl
    path = Path(path)
    wb = _new_workbook(path)
    ops = impl.app.rec.ops
    for sheet in impl.sheets:
        m = model_of(ops, sheet.name)
        if not any(op.sheet == sheet.name for op in ops):
            m.cells = dict(sheet.values)
        ws = wb.add_worksheet(sheet.name)
        _replay_sheet(wb, ws, m)
        if not sheet.visible:
            ws.hide()
    shown = [op.sheet for op in ops if op.kind == "api" and op.payload.get("path") == "Activate"]
    active = shown[-1] if shown else impl.sheets.active.name
    if impl.sheets(active).visible:
        wb.get_worksheet_by_name(active).activate()
    wb.close()
    return path


def _replay_sheet(wb, ws, m: _SheetModel) -> None:
    cache: dict[tuple, Any] = {}

    def fmt(rc):
        look = m.looks.get(rc)
        if not look:
            return None
        key = tuple(sorted(look.items()))
        if key not in cache:
            cache[key] = wb.add_format(dict(look))
        return cache[key]

    def write(r, c, v):
        f = fmt((r, c))
        if isinstance(v, str) and v.startswith("="):
            ws.write_formula(r - 1, c - 1, v, f)
        elif isinstance(v, str):
            ws.write_string(r - 1, c - 1, v[1:] if v.startswith("'") else v, f)
        elif isinstance(v, bool):
            ws.write_boolean(r - 1, c - 1, v, f)
        elif isinstance(v, (datetime, date)):
            ws.write_datetime(r - 1, c - 1, v, f)
        elif v is None:
            ws.write_blank(r - 1, c - 1, None, f)
        else:
            ws.write_number(r - 1, c - 1, float(v), f)

    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in m.merges:
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, None, fmt((r1, c1)))
        write(r1, c1, m.cells.get((r1, c1)))
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    for rc in sorted(set(m.cells) | set(m.looks)):
        if rc not in covered:
            write(*rc, m.cells.get(rc))
    for c, w in sorted(m.widths.items()):
        ws.set_column(c - 1, c - 1, w, None, {"hidden": w == 0})
    for r, h in sorted(m.heights.items()):
        ws.set_row(r - 1, h)
    # xlwings inserted each rule at the top of Excel's order: the last added has the highest priority
    for address, kind, spec in reversed(m.rules):
        ws.conditional_format(address.replace(",", " "), _cf_options(kind, spec, wb))
    for address, spec in m.validations:
        src = spec["source"]
        ws.data_validation(address, {"validate": "list", "source": f"={src}" if isinstance(src, str) else list(src)})
    for location, kind, source in m.sparklines:
        ws.add_sparkline(location, {"range": source, "type": {1: "line", 2: "column", 3: "win_loss"}[kind]})
    if not m.gridlines:
        ws.hide_gridlines(2)
    if m.print_area:
        ws.print_area(m.print_area)
    if m.page.get("Orientation") == 2:
        ws.set_landscape()
    if "FitToPagesWide" in m.page:
        tall = m.page.get("FitToPagesTall", 1)
        ws.fit_to_pages(m.page["FitToPagesWide"], 0 if tall is False else tall)
