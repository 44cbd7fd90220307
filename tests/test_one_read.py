"""A refresh through the file engine opens the client's file once and parses it once (DESIGN.md,
"One action, whatever the button": one buffer shared by the archive guard, the reader and the
package writer).

A spy counts, during one refresh, every open of the client's file (``io.open``, which is
``builtins.open`` and what pathlib and zipfile call, and ``os.open``), every parse by
python-calamine (``from_path``, ``from_filelike``, ``from_object``: a parse from a path opens the
file again in Rust, out of the Python spy's sight, so it is counted there), and every rename, link
or removal that names the client's file. The write goes to a temporary file beside it and one
``os.replace``; the backup, when kept, is a hard link to the old file: neither reads it again.
"""

from __future__ import annotations

import builtins
import io
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kpicore.demo.company import DEMO_AS_OF

SIMS = 200
TMP_NAME = re.compile(r"^\.pipeline\..+\.pilotage-tmp$")


@dataclass
class Touches:
    """What one refresh did to the client's file (``path``), in call order."""

    path: Path
    opens: list[str] = field(default_factory=list)  # the mode of each io.open of the file
    os_opens: list[int] = field(default_factory=list)  # the flags of each os.open of the file
    parses: list[tuple[str, str]] = field(default_factory=list)  # (calamine method, type of its argument)
    moves: list[tuple] = field(default_factory=list)  # (os function, its path arguments)

    def names_file(self, p) -> bool:
        if isinstance(p, int):  # a file descriptor (os.fsync, dir_fd): not a name
            return False
        try:
            return os.path.realpath(os.fspath(p)) == self._real
        except TypeError:
            return False

    def __post_init__(self) -> None:
        self._real = os.path.realpath(self.path)

    def clear(self) -> None:
        for found in (self.opens, self.os_opens, self.parses, self.moves):
            found.clear()


def _spy(monkeypatch, path: Path) -> Touches:
    from python_calamine import CalamineWorkbook

    touches = Touches(path)
    real_open, real_os_open = io.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if touches.names_file(file):
            touches.opens.append(mode)
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(file, flags, *args, **kwargs):
        if touches.names_file(file):
            touches.os_opens.append(flags)
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    for name in ("replace", "rename", "link", "unlink", "remove", "truncate"):
        real = getattr(os, name)

        def spy_move(*args, _real=real, _name=name, **kwargs):
            named = [a for a in args[:2] if not isinstance(a, int)]
            if any(touches.names_file(a) for a in named):
                touches.moves.append((_name, *(Path(os.fspath(a)) for a in named)))
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, spy_move)
    for name in ("from_path", "from_filelike", "from_object"):
        real = getattr(CalamineWorkbook, name)

        def spy_parse(source, *args, _real=real, _name=name, **kwargs):
            touches.parses.append((_name, type(source).__name__))
            return _real(source, *args, **kwargs)

        monkeypatch.setattr(CalamineWorkbook, name, spy_parse)
    return touches


@pytest.fixture
def workbook(demo_workbook, tmp_path) -> Path:
    path = tmp_path / "pipeline.xlsx"
    shutil.copyfile(demo_workbook, path)
    return path


def _refresh(path: Path, **engine):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    return refresh(FileWorkbook(path, progress=None, **engine), as_of=DEMO_AS_OF, n_sims=SIMS)


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).sheet_names


def _assert_replaced_by_one_rename(touches: Touches, path: Path) -> None:
    (kind, tmp, dest), = [m for m in touches.moves if m[0] != "link"]
    assert kind == "replace" and dest == path
    assert tmp.parent == path.parent and TMP_NAME.match(tmp.name), tmp
    assert not tmp.exists()


def test_a_refresh_opens_the_client_file_once_and_parses_it_once(workbook, monkeypatch):
    touches = _spy(monkeypatch, workbook)
    # the first refresh adds the product sheets; the second reads them back (view cell, forecast
    # history) and replaces them: each from the one read of the file
    for _ in range(2):
        outcome = _refresh(workbook, backup=False)
        assert touches.opens == ["rb"]
        assert touches.os_opens == []
        assert touches.parses == [("from_filelike", "BytesIO")]  # the bytes read, not the file again
        assert [m[0] for m in touches.moves] == ["replace"]  # a rename, not an open
        _assert_replaced_by_one_rename(touches, workbook)
        assert outcome.backup is None
        touches.clear()
    monkeypatch.undo()
    assert "Cockpit" in _sheet_names(workbook)
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["pipeline.xlsx"]  # no lock, no temporary


def test_the_backup_is_a_hard_link_and_reads_nothing(workbook, monkeypatch):
    before = workbook.read_bytes()
    old_inode = workbook.stat().st_ino
    touches = _spy(monkeypatch, workbook)
    outcome = _refresh(workbook, backup=True)
    opens, os_opens, parses, moves = (list(touches.opens), list(touches.os_opens), list(touches.parses),
                                      list(touches.moves))
    monkeypatch.undo()
    assert opens == ["rb"]
    assert os_opens == []
    assert parses == [("from_filelike", "BytesIO")]
    # the old file is linked into the backups first, then the new one renamed over it
    assert [m[0] for m in moves] == ["link", "replace"]
    assert moves[0] == ("link", workbook, outcome.backup)
    _assert_replaced_by_one_rename(touches, workbook)
    assert outcome.backup.parent == workbook.parent / ".pilotage_backups"
    assert outcome.backup.stat().st_ino == old_inode  # the same file, not a copy
    assert outcome.backup.read_bytes() == before
    assert workbook.stat().st_ino != old_inode


def test_a_refresh_written_to_another_file_reads_the_client_once_and_leaves_it(workbook, tmp_path,
                                                                            monkeypatch):
    before = workbook.read_bytes()
    out = tmp_path / "copie.xlsx"
    touches = _spy(monkeypatch, workbook)
    _refresh(workbook, out=out, backup=True)
    assert touches.opens == ["rb"]
    assert touches.os_opens == []
    assert touches.parses == [("from_filelike", "BytesIO")]
    assert touches.moves == []  # the copy is renamed into place; the client's file is neither moved nor linked
    monkeypatch.undo()
    assert workbook.read_bytes() == before
    assert "Cockpit" in _sheet_names(out)
    assert not (tmp_path / ".pilotage_backups").exists()  # a new file replaces nothing: no backup


def test_grids_handed_over_are_let_go_and_read_again_from_the_same_bytes(workbook):
    """The file engine hands its grids over once and lets go of the table sheets' rows (a large client's
    million rows are freed once ingested); asked again, the grids and a table sheet's rows come back the
    same, read from the bytes already in memory, even once the file on disk has changed."""
    from addin.engines.file import FileWorkbook
    from kpicore.model import schema

    book = FileWorkbook(workbook)
    first = [(g.sheet, g.table_name, [list(r) for r in g.rows]) for g in book.grids()]
    deals_rows = [list(r) for r in next(rows for sheet, _, rows in first if sheet == schema.DEALS.sheet_fr)]
    assert book.source.grids is None and schema.DEALS.sheet_fr not in book.source.sheets
    workbook.write_bytes(b"")  # what is on disk no longer matters
    again = [(g.sheet, g.table_name, [list(r) for r in g.rows]) for g in book.grids()]
    assert again == first
    assert book.sheet_rows(schema.DEALS.sheet_fr) == deals_rows
