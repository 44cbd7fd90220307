"""Gathering the reps' activity workbooks: checks by file and row, unstable files, and the round trip
from the templates to the same KPIs as the demo company's own data."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpicore.text.catalogue import render
from kpicore.demo.company import DEMO_AS_OF
from kpicore.metrics.kpis import kpi_table
from kpicore.model.quality import ERROR, WARNING
from support.template_fill import activities, activity_book, fill_pipeline_template
from workbook_templates import gathering
from workbook_templates.company import load_company
from workbook_templates.gathering import gather_activities
from workbook_templates.pipeline_template import write_pipeline_template

REPS = ["Anne Leroy", "Paul Petit"]
TODAY = date(2026, 11, 20)
SHEET = "Activités"


def _where(issues, severity=None):
    return {(i.file, i.sheet, i.row) for i in issues if severity is None or i.severity == severity}


@pytest.fixture
def two_books(tmp_path) -> Path:
    """A.xlsx (three rows) and B.xlsx (one new row, one copy of A's row 3, an unknown rep, a future date)."""
    folder = tmp_path / "Activités"
    folder.mkdir()
    activity_book(folder / "A.xlsx", REPS, activities([
        ("2026-11-02", "Anne Leroy", "call", "AFF-1", "Acme", None),  # row 2
        ("2026-11-03", "Anne Leroy", "qualified_meeting", "AFF-1", "Acme", "Décideur présent"),  # row 3
        ("2026-11-03", "Paul Petit", "proposal", "AFF-2", "Bolt", None),  # row 4
    ]))
    activity_book(folder / "B.xlsx", REPS, activities([
        ("2026-11-05", "Paul Petit", "follow_up", "AFF-2", "Bolt", None),  # row 2: new
        ("2026-11-03", "anne leroy", "qualified_meeting", "AFF-1", "ACME", "Décideur présent"),  # row 3: A's row 3
        ("2026-11-06", "Jean Inconnu", "call", None, "Cirque", None),  # row 4: unknown rep
        ("2027-11-06", "Paul Petit", "call", None, "Dune", None),  # row 5: the year is a typo
    ]))
    return folder


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_rows_checked_and_reported_by_file_and_row(two_books):
    before = _stamps(two_books)
    frame, issues, skipped = gather_activities(["Activités/*.xlsx"], REPS, today=TODAY, base=two_books.parent)
    assert _stamps(two_books) == before  # read-only: nothing written, nothing added beside them
    assert skipped == []
    # A's 3 rows + B's row 2; B's rows 3 (duplicate), 4 (unknown rep), 5 (future) are not counted
    assert len(frame) == 3 + 1
    assert sorted(frame["type"]) == sorted(["call", "qualified_meeting", "proposal", "follow_up"])
    b = str(Path("Activités") / "B.xlsx")
    errors = {(i.row, i.column): i for i in issues if i.severity == ERROR}
    assert set(errors) == {(4, "Commercial"), (5, "Date")}
    assert all((i.file, i.sheet) == (b, SHEET) for i in errors.values())
    assert "Jean Inconnu" in render(errors[(4, "Commercial")].problem)
    dup = [i for i in issues if "déjà saisie" in render(i.problem)]
    assert [(d.file, d.sheet, d.row) for d in dup] == [(b, SHEET, 3)]
    assert f"{Path('Activités') / 'A.xlsx'}, feuille « {SHEET} », ligne 3" in render(dup[0].problem)
    # the copy's differently spelled rep was repaired first (and reported), then found to be a copy
    assert (b, SHEET, 3) in _where([i for i in issues if "lu comme" in render(i.problem)])


def test_identical_rows_in_one_workbook_are_two_activities(tmp_path):
    row = ("2026-11-02", "Anne Leroy", "call", "AFF-1", "Acme", None)
    activity_book(tmp_path / "A.xlsx", REPS, activities([row, row]))
    frame, issues, _ = gather_activities([tmp_path / "A.xlsx"], REPS, today=TODAY)
    assert len(frame) == 2 and issues == []


def test_duplicate_of_the_pipeline_workbooks_own_activity(tmp_path):
    rows = activities([("2026-11-02", "Anne Leroy", "call", "AFF-1", "Acme", None),
                       ("2026-11-04", "Anne Leroy", "call", "AFF-1", "Acme", None)])
    activity_book(tmp_path / "A.xlsx", REPS, rows)
    frame, issues, _ = gather_activities([tmp_path / "A.xlsx"], REPS, today=TODAY, existing=rows.iloc[:1],
                                         existing_source="Pipeline.xlsx")
    assert list(frame["date"]) == [pd.Timestamp("2026-11-04")]
    [dup] = issues
    assert (dup.severity, dup.row) == (WARNING, 2) and "Pipeline.xlsx" in render(dup.problem)


def test_empty_rep_cell_takes_the_files_rep(tmp_path):
    no_rep = activities([("2026-11-02", None, "call", None, "Acme", None)])
    activity_book(tmp_path / "Mes activités.xlsx", ["Anne Leroy"], no_rep)  # made for Anne alone
    activity_book(tmp_path / "Activités Paul Petit.xlsx", REPS, no_rep)  # named after Paul
    activity_book(tmp_path / "Équipe.xlsx", REPS, no_rep)  # nobody's: the row cannot be attributed
    frame, issues, _ = gather_activities(["*.xlsx"], REPS, today=TODAY, base=tmp_path)
    assert sorted(frame["rep"]) == ["Anne Leroy", "Paul Petit"]
    attributed = sorted((i.file, i.row) for i in issues if "attribuée" in render(i.problem))
    assert attributed == [("Activités Paul Petit.xlsx", 2), ("Mes activités.xlsx", 2)]
    [missing] = [i for i in issues if i.severity == ERROR]
    assert (missing.file, missing.sheet, missing.row) == ("Équipe.xlsx", SHEET, 2)


def test_unreadable_empty_and_lock_files(tmp_path):
    activity_book(tmp_path / "A.xlsx", REPS, activities([("2026-11-02", "Anne Leroy", "call", None, None, None)]))
    (tmp_path / "Cassé.xlsx").write_bytes(b"PK\x03\x04 ceci n'est pas un classeur entier")
    (tmp_path / "Vide.xlsx").write_bytes(b"")  # an OneDrive placeholder, or a save just starting
    (tmp_path / "~$A.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file: A is open, not a workbook
    frame, issues, skipped = gather_activities(["*.xlsx"], REPS, today=TODAY, base=tmp_path, retries=1,
                                               backoff=0)
    assert len(frame) == 1  # A is read even though someone has it open in Excel
    assert sorted(s.file for s in skipped) == ["Cassé.xlsx", "Vide.xlsx"]
    assert "vide" in next(s.reason for s in skipped if s.file == "Vide.xlsx")
    assert {(i.file, i.severity) for i in issues} == {("Cassé.xlsx", ERROR), ("Vide.xlsx", ERROR)}
    assert all(i.row is None for i in issues)  # the whole file, not a row


def test_missing_file_and_pattern_matching_nothing(tmp_path):
    frame, issues, skipped = gather_activities(["Absent.xlsx", "Vides/*.xlsx"], REPS, today=TODAY,
                                               base=tmp_path, backoff=0)
    assert len(frame) == 0
    assert [s.file for s in skipped] == ["Absent.xlsx"] and "introuvable" in skipped[0].reason
    assert any(i.severity == WARNING and i.file == "Vides/*.xlsx" for i in issues)


def test_file_replaced_mid_read_is_read_again(two_books, monkeypatch):
    target = two_books / "A.xlsx"
    newer = two_books.parent / "A v2.xlsx"
    activity_book(newer, REPS, activities([("2026-11-09", "Paul Petit", "call", None, "Neuf", None)]))
    real = gathering.read_workbook_grids
    reads = []

    def read_then_sync(path):
        grids = real(path)
        reads.append(path.name)
        if path == target and reads.count("A.xlsx") == 1:
            # OneDrive brings in a colleague's version between our two looks at the file
            shutil.copyfile(newer, target)
            os.utime(target, ns=(1, 1))
        return grids

    monkeypatch.setattr(gathering, "read_workbook_grids", read_then_sync)
    frame, issues, skipped = gather_activities([target], REPS, today=TODAY, backoff=0)
    assert reads == ["A.xlsx", "A.xlsx"] and skipped == []
    assert list(frame["account"]) == ["Neuf"]  # the second, whole version; nothing of the first


def test_file_that_keeps_changing_is_skipped_and_the_others_gathered(two_books, monkeypatch):
    target = two_books / "A.xlsx"
    real = gathering.read_workbook_grids
    reads = []

    def always_saving(path):
        grids = real(path)
        reads.append(path.name)
        if path == target:
            os.utime(target, ns=(len(reads), len(reads)))  # a save lands during every read
        return grids

    monkeypatch.setattr(gathering, "read_workbook_grids", always_saving)
    frame, issues, skipped = gather_activities(["Activités/*.xlsx"], REPS, today=TODAY, base=two_books.parent,
                                               retries=2, backoff=0)
    assert reads.count("A.xlsx") == 2 + 1  # the first read and two retries
    assert [s.file for s in skipped] == [str(Path("Activités") / "A.xlsx")]
    assert "a changé" in skipped[0].reason
    # B alone: its row 2, and its row 3 which is no longer a copy of anything gathered (A was skipped)
    assert sorted(frame["type"]) == ["follow_up", "qualified_meeting"]


def test_a_file_named_twice_is_gathered_once(two_books):
    frame, issues, _ = gather_activities(["Activités/A.xlsx", "Activités/*.xlsx"], REPS, today=TODAY,
                                         base=two_books.parent)
    assert len(frame) == 4 and sum("déjà saisie" in render(i.problem) for i in issues) == 1


def test_load_company_gathers_the_settings_workbooks(two_books, tmp_path):
    pipeline = write_pipeline_template(tmp_path / "Pipeline.xlsx", reps=REPS,
                                       settings={"activity_workbooks": "Activités/A.xlsx ; Activités/B.xlsx"})
    data = load_company(pipeline, today=TODAY, backoff=0)
    assert len(data.activities) == 4
    assert {(i.row, i.severity) for i in data.quality.issues if i.file.endswith("B.xlsx")} >= {
        (3, WARNING), (4, ERROR), (5, ERROR)}


# --------------------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def company(tmp_path_factory, demo_data) -> Path:
    """The demo company typed into the pipeline template, its activities in three shared workbooks."""
    folder = tmp_path_factory.mktemp("company")
    template = write_pipeline_template(folder / "modèle.xlsx")
    pipeline = fill_pipeline_template(template, demo_data, folder / "Pipeline.xlsx",
                                      settings={"activity_workbooks": "Activités/*.xlsx"})
    (folder / "Activités").mkdir()
    reps = sorted(demo_data.reps["rep"])
    acts = demo_data.activities
    for k in range(3):  # three reps per workbook
        group = reps[3 * k:3 * k + 3]
        activity_book(folder / "Activités" / f"Activités {k + 1}.xlsx", group, acts[acts["rep"].isin(group)])
    return pipeline


@pytest.mark.slow
def test_round_trip_gives_the_demo_companys_kpis(company, demo_data):
    data = load_company(company, today=DEMO_AS_OF, backoff=0)
    assert data.quality.errors == []
    assert len(data.activities) == len(demo_data.activities) == 47922
    assert len(data.deals) == len(demo_data.deals)
    # every KPI of every scope (company, 2 teams, 9 reps) for a week, a month, a quarter and a year
    for period in ("2026-W45", "2026-10", "2026-Q3", "2025"):
        expected = kpi_table(demo_data, period, DEMO_AS_OF)
        got = kpi_table(data, period, DEMO_AS_OF)
        assert len(expected) == 1 + 2 + 9
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, obj=period)
