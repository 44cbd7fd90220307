"""« Correspondances »: the sheet that says how each column and label was read, and where a person corrects it.

A client's workbook in the shape a small company keeps (a title row, its own headers, two amount columns: the
amount before and after discount) is refreshed by ``pilotage refresh``; the sheet lists the headers taken; a
person picks the other amount column in « Votre choix » (with openpyxl, as Excel would save it); the next refresh
computes with it, and the one after keeps both the choice and the numbers.  The same through the UNO engine.
A chosen header deleted from the file: a warning in the quality sheet, the choice still shown.  The shape is a
hand-kept workbook (no vendor documents it); the numbers are summed by hand below from the rows written.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpicore.cockpit.correspondences_spec import CORRESPONDENCES_SHEET, build_correspondences_spec, column_choices
from kpicore.ingest.grids import RawGrid, ingest
from kpicore.ingest.person_choices import (CHOICE_COL, FIRST_LIST_COL, KEY_COLUMN, KEY_ITEM, KEY_KIND, KEY_TABLE,
                                           person_choices, person_choices_of_rows)
from kpicore.model import schema
from kpicore.model.ingest_report import (HOW_EVIDENCE, HOW_PERSON, HOW_SYNONYM, Candidate, ColumnChoice,
                                         LabelChoice, NameVariants, PersonChoices)
from kpicore.model.messages import Message
from kpicore.text.sheets import rendered
from support.ingest_checks import assert_rows_accounted

AS_OF = "2026-10-31"
HEADERS = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Montant après remise",
           "Date de création", "Date de clôture"]
# deal, account, rep, stage, amount before discount, after discount, created, closed
ROWS = [
    ("A-1", "Boulangerie Roux", "Marie Dupont", "Gagnée", 12000, 10800, date(2026, 9, 2), date(2026, 10, 6)),
    ("A-2", "Garage Petit", "Marie Dupont", "Gagnée", 8000, 7600, date(2026, 9, 10), date(2026, 10, 14)),
    ("A-3", "Cave Martin", "Paul Leroy", "Gagnée", 5000, 4500, date(2026, 9, 15), date(2026, 10, 20)),
    ("A-4", "Hôtel du Port", "Paul Leroy", "Perdue", 9000, 9000, date(2026, 9, 1), date(2026, 10, 9)),
    ("A-5", "Pharmacie Blanc", "Marie Dupont", "Proposition", 15000, 13500, date(2026, 10, 1), None),
    ("A-6", "Imprimerie Noël", "Paul Leroy", "Gagnée", 3000, 2850, date(2026, 8, 1), date(2026, 9, 25)),
]
# won in October 2026 (closed 6, 14 and 20 October)
WON_OCTOBER_BEFORE_DISCOUNT = 12000 + 8000 + 5000
WON_OCTOBER_AFTER_DISCOUNT = 10800 + 7600 + 4500


def _client(path: Path, *, settings: dict[str, str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Affaires"
    ws.append(["Suivi des affaires 2026"])  # a title row above the header, as hand-kept files have
    ws.append([])
    ws.append(HEADERS)
    for r in ROWS:
        ws.append(list(r))
    if settings:
        s = wb.create_sheet("Paramètres")
        s.append(["Paramètre", "Valeur"])
        for k, v in settings.items():
            s.append([k, v])
    wb.save(path)
    return path


def _sheet(path: Path, name: str = CORRESPONDENCES_SHEET):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the cockpit's sparklines, unknown to openpyxl
        wb = openpyxl.load_workbook(path)
    return wb, wb[name]


def _column_row(ws, column: str, table: str = "Deals") -> int:
    """The Excel row of the line of ``table.column`` (found by its hidden keys, as the reader finds it)."""
    for r in range(1, ws.max_row + 1):
        if (ws.cell(r, KEY_KIND + 1).value == "column" and ws.cell(r, KEY_TABLE + 1).value == table
                and ws.cell(r, KEY_COLUMN + 1).value == column):
            return r
    raise AssertionError(f"no line for {table}.{column}")


def _hidden(ws, letter: str) -> bool:
    n = openpyxl.utils.column_index_from_string(letter)
    return any(d.hidden and d.min <= n <= d.max for d in ws.column_dimensions.values())


def _line(ws, column: str) -> list:
    r = _column_row(ws, column)
    return [ws.cell(r, c).value for c in range(1, CHOICE_COL + 2)]


def _choose(path: Path, column: str, header: str) -> None:
    wb, ws = _sheet(path)
    ws.cell(_column_row(ws, column), CHOICE_COL + 1).value = header
    wb.save(path)


def _refresh(path: Path) -> None:
    assert main(["refresh", str(path), "--as-of", AS_OF]) == 0


def _won(path: Path) -> float:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "addin.cli", "kpis", str(path), "--period", "2026-10", "--as-of",
                          AS_OF, "--json"], capture_output=True, text=True, check=True).stdout
    return {k["id"]: k["value"] for k in json.loads(out)["kpis"]}["revenue_won"]


def test_refresh_lists_the_headers_taken_and_a_choice_wins_and_stays(tmp_path, capsys):
    path = _client(tmp_path / "affaires.xlsx")
    _refresh(path)
    _, ws = _sheet(path)
    assert ws["A1"].value == "Correspondances"
    line = _line(ws, "amount")
    assert line[:4] == ["Affaires", "Montant HT", "Montant HT", "en-tête connu"]
    assert line[4] == 1 and line[CHOICE_COL] is None  # the product writes « Votre choix » empty
    assert _line(ws, "owner")[2] == "Commercial"
    assert _line(ws, "probability")[2:4] == ["—", "introuvable"]
    # the drop-down of the amount's « Votre choix » lists the file's headers and (aucune), from a hidden range
    cell = f"H{_column_row(ws, 'amount')}"
    dv = next(v for v in ws.data_validations.dataValidation if cell in v.sqref)
    assert dv.type == "list" and dv.formula1.startswith("$")
    first, last = dv.formula1.replace("$", "").split(":")
    listed = [c.value for row in ws[first:last] for c in row]
    assert listed == ["(aucune)"] + HEADERS
    assert _hidden(ws, first.rstrip("0123456789"))
    assert _won(path) == WON_OCTOBER_BEFORE_DISCOUNT

    _choose(path, "amount", "Montant après remise")
    _refresh(path)
    assert _won(path) == WON_OCTOBER_AFTER_DISCOUNT
    _, ws = _sheet(path)
    assert _line(ws, "amount")[2:4] == ["Montant après remise", "votre choix"]
    assert _line(ws, "amount")[CHOICE_COL] == "Montant après remise"  # written back

    _refresh(path)  # a second refresh keeps the choice, in the sheet and in the numbers
    _, ws = _sheet(path)
    assert _line(ws, "amount")[CHOICE_COL] == "Montant après remise"
    assert _won(path) == WON_OCTOBER_AFTER_DISCOUNT


def test_a_choice_wins_over_a_settings_key_which_keeps_working(tmp_path, capsys):
    path = _client(tmp_path / "affaires.xlsx", settings={"mapping.Deals.amount": "Montant après remise"})
    _refresh(path)
    _, ws = _sheet(path)
    assert _line(ws, "amount")[2:4] == ["Montant après remise", "paramètre"]
    assert _won(path) == WON_OCTOBER_AFTER_DISCOUNT
    _choose(path, "amount", "Montant HT")
    _refresh(path)
    assert _won(path) == WON_OCTOBER_BEFORE_DISCOUNT
    _, ws = _sheet(path)
    assert _line(ws, "amount")[2:4] == ["Montant HT", "votre choix"]


def test_a_chosen_header_deleted_from_the_file_warns_and_stays_shown(tmp_path, capsys):
    path = _client(tmp_path / "affaires.xlsx")
    _refresh(path)
    _choose(path, "amount", "Montant après remise")
    _refresh(path)
    wb, _ = _sheet(path)
    wb["Affaires"].delete_cols(HEADERS.index("Montant après remise") + 1)
    wb.save(path)
    _refresh(path)
    _, quality = _sheet(path, schema.QUALITY_SHEET)
    texts = [str(c.value) for row in quality.iter_rows() for c in row if c.value]
    assert any("« Montant après remise »" in t and "n'est plus dans le fichier" in t for t in texts)
    _, ws = _sheet(path)
    line = _line(ws, "amount")
    assert line[CHOICE_COL] == "Montant après remise"  # the choice is kept...
    assert "en-tête introuvable : « Montant après remise »" in (line[5] or "")  # ...and said vanished
    first = min(r for r in range(1, ws.max_row + 1) if ws.cell(r, KEY_KIND + 1).value == "column")
    assert ws.cell(first, KEY_COLUMN + 1).value == "amount"  # listed first
    # the numbers: the guess (the known header « Montant HT ») is used meanwhile
    assert _won(path) == WON_OCTOBER_BEFORE_DISCOUNT


# --------------------------------------------------------------------------- the sheet as data, and read back
def _grid_of(spec) -> RawGrid:
    """The sheet's cells as a reader gives them back (values only, from A1)."""
    rows = [[c.value if not isinstance(c.value, Message) else None for c in row] for row in spec.blocks[0].cells]
    return RawGrid("x.xlsx", CORRESPONDENCES_SHEET, rows)


def _data(rows: list[list]):
    grid = RawGrid("x.xlsx", "Affaires", rows)
    return ingest([grid], source="x.xlsx")


def _deals_rows() -> list[list]:
    return [HEADERS] + [list(r) for r in ROWS]


def test_choices_read_back_whatever_the_language(tmp_path):
    data = _data(_deals_rows())
    assert_rows_accounted(data)
    labels = (LabelChoice("Activities", "type", "Rendez-vous terrain", 12, None, ""),
              LabelChoice("Activities", "type", "Appel", 30, "call", HOW_SYNONYM))
    names = (NameVariants(("DUPONT Marie", "Marie Dupont"), "Marie Dupont"),)
    data = replace(data, ingest=replace(data.ingest, labels=labels, name_variants=names))
    for lang, meeting, yes, none in (("fr", "rendez-vous", "oui", "(aucune)"), ("en", "meeting", "yes", "(none)")):
        spec = rendered(build_correspondences_spec(data), lang)
        grid = _grid_of(spec)
        assert person_choices(grid) == PersonChoices()  # nothing chosen yet: no choice at all
        kinds = {(r[KEY_KIND], r[KEY_COLUMN]): k for k, r in enumerate(grid.rows) if len(r) > KEY_KIND}
        grid.rows[kinds[("column", "amount")]][CHOICE_COL] = "Montant après remise"
        grid.rows[kinds[("column", "closed_on")]][CHOICE_COL] = none
        unmapped = next(k for k, r in enumerate(grid.rows) if r[KEY_KIND] == "label" and r[2] == "Rendez-vous terrain")
        grid.rows[unmapped][CHOICE_COL] = meeting
        merge = next(k for k, r in enumerate(grid.rows) if r[KEY_KIND] == "names")
        grid.rows[merge][CHOICE_COL] = yes
        got = person_choices(grid)
        assert got.columns == {("Deals", "amount"): "Montant après remise", ("Deals", "closed_on"): ""}
        assert got.labels == {("Activities", "type", "Rendez-vous terrain"): "meeting"}
        assert got.names == {"DUPONT Marie": "Marie Dupont", "Marie Dupont": "Marie Dupont"}
        # the next refresh writes them back: the same choices come out of the new sheet
        again = _grid_of(rendered(build_correspondences_spec(data, got), lang))
        assert person_choices(again) == got


def test_unmapped_labels_come_first_with_the_canonical_values_in_words():
    data = _data(_deals_rows())
    labels = (LabelChoice("Activities", "type", "Appel", 30, "call", HOW_SYNONYM),
              LabelChoice("Activities", "type", "Démo en ligne", 4, None, ""))
    data = replace(data, ingest=replace(data.ingest, labels=labels))
    spec = rendered(build_correspondences_spec(data), "fr")
    rows = spec.blocks[0].cells
    label_rows = [r for r in rows if r[KEY_KIND].value == "label"]
    assert [r[2].value for r in label_rows] == ["Démo en ligne", "Appel"]
    assert label_rows[0][3].value == "non reconnu" and label_rows[0][4].value == 4
    assert label_rows[1][5].value == "appel"
    # the drop-down of the labels lists the seven activity types in words
    k = rows.index(label_rows[0])
    v = next(v for v in spec.validations if v.cell == f"H{k + 1}")
    col = FIRST_LIST_COL + 2 * ((openpyxl.utils.column_index_from_string(v.source.split(":")[0].strip("$0123456789"))
                                 - 1 - FIRST_LIST_COL) // 2)
    words = [rows[i][col].value for i in range(1, 1 + len(schema.ACTIVITY_TYPES))]
    assert "rendez-vous qualifié" in words and len(words) == 7


def test_guesses_and_missing_required_columns_come_first():
    data = _data([[h for h in HEADERS if h != "Date de création"]] + [list(r[:6]) + [r[7]] for r in ROWS])
    grid = data.ingest.read[0]
    guess = ColumnChoice("Deals", "account", Candidate("Client", "B", 0.4, (Message.of("quality.none"),)),
                         HOW_EVIDENCE, runner_up=Candidate("Commercial", "C", 0.2))
    sure = ColumnChoice("Deals", "deal_id", Candidate("N° affaire", "A", 1.0), HOW_SYNONYM)
    missing = ColumnChoice("Deals", "created_on", None, "")
    data = replace(data, ingest=replace(data.ingest, grids=(replace(grid, choices=(sure, guess, missing)),)))
    spec = rendered(build_correspondences_spec(data), "fr")
    lines = [r for r in spec.blocks[0].cells if r[KEY_KIND].value == "column"]
    assert [r[KEY_COLUMN].value for r in lines] == ["account", "created_on", "deal_id"]
    assert lines[0][3].value == "devinée" and lines[0][4].value == 0.4
    assert lines[0][6].value == "Commercial (20\u00a0%)"
    assert lines[1][3].value == "obligatoire, introuvable"


def test_the_fallback_from_the_column_mapping_lists_every_canonical_column():
    data = _data(_deals_rows())
    # a report made without the recognition's choices (an ingest that only maps headers) still lists them all
    grid = replace(data.ingest.read[0], choices=())
    person = PersonChoices({("Deals", "amount"): "Montant HT", ("Deals", "probability"): "Proba"})
    got = {c.column: c for c in column_choices(grid, person)}
    assert set(got) == {c.name for c in schema.DEALS.columns}
    assert got["amount"].how == HOW_PERSON and got["amount"].chosen.header == "Montant HT"
    assert got["owner"].how == HOW_SYNONYM and got["owner"].chosen.confidence == 1.0
    assert got["probability"].chosen is None and got["probability"].vanished == "Proba"


def test_the_sheet_is_never_read_as_client_data():
    data = _data(_deals_rows())
    spec = rendered(build_correspondences_spec(data), "fr")
    sheet = _grid_of(spec)
    again = ingest([RawGrid("x.xlsx", "Affaires", _deals_rows()), sheet], source="x.xlsx")
    assert CORRESPONDENCES_SHEET in schema.OUTPUT_SHEETS
    assert [g.sheet for g in again.ingest.read] == ["Affaires"]
    assert person_choices_of_rows(None) == PersonChoices()


# --------------------------------------------------------------------------- the UNO engine, in LibreOffice
@pytest.mark.libreoffice
def test_the_same_through_the_uno_engine(office, tmp_path):
    from addin.calc.uno_actions import refresh_uno_outcome
    from addin.engines.uno_bridge import store_as_xlsx

    source = _client(tmp_path / "affaires.xlsx")
    doc = office.open(source)
    try:
        first = refresh_uno_outcome(doc, n_sims=100)
        sheet = doc.Sheets.getByName(CORRESPONDENCES_SHEET)
        rows = sheet.getCellRangeByName(f"A1:{openpyxl.utils.get_column_letter(FIRST_LIST_COL + 1)}60").DataArray
        k = next(i for i, r in enumerate(rows) if r[KEY_KIND] == "column" and r[KEY_COLUMN] == "amount")
        assert rows[k][2] == "Montant HT" and rows[k][CHOICE_COL] == ""
        won = first.data.deals.query("status == 'won'")
        assert won["amount"].sum() == 12000 + 8000 + 5000 + 3000
        # the person picks the amount after discount in the drop-down
        sheet.getCellByPosition(CHOICE_COL, k).setString("Montant après remise")
        second = refresh_uno_outcome(doc, n_sims=100)
        won = second.data.deals.query("status == 'won'")
        assert won["amount"].sum() == 10800 + 7600 + 4500 + 2850
        third = refresh_uno_outcome(doc, n_sims=100)
        assert third.data.deals.query("status == 'won'")["amount"].sum() == 10800 + 7600 + 4500 + 2850
        saved = store_as_xlsx(doc, tmp_path / "live.xlsx")
    finally:
        doc.close(True)
    _, ws = _sheet(saved)
    assert _line(ws, "amount")[2:4] == ["Montant après remise", "votre choix"]
    assert _line(ws, "amount")[CHOICE_COL] == "Montant après remise"
    cell = f"H{_column_row(ws, 'amount')}"
    dv = next(v for v in ws.data_validations.dataValidation if cell in v.sqref)
    assert dv.type == "list" and "$" in dv.formula1 and '"' not in dv.formula1  # drawn from the hidden range
    assert _won(saved) == WON_OCTOBER_AFTER_DISCOUNT


@pytest.mark.libreoffice
def test_the_sheet_renders(soffice, tmp_path, capsys):
    from workbook_templates.libreoffice import sheet_png

    path = _client(tmp_path / "affaires.xlsx")
    _refresh(path)
    _choose(path, "amount", "Montant après remise")
    _refresh(path)
    pages = sheet_png(path, CORRESPONDENCES_SHEET, tmp_path / "png", dpi=70)
    assert pages and all(p.stat().st_size > 0 for p in pages)


# --------------------------------------------------------------------------- the xlwings engine (recorded)
def test_the_live_excel_writer_draws_the_lists_from_the_same_hidden_ranges(tmp_path):
    from addin.engines.live_excel import write_cockpit_live
    from support.recording_engine import new_book, replay_to_xlsx
    from workbook_templates.cockpit_sheet import write_cockpit_file

    data = _data(_deals_rows())
    data = replace(data, ingest=replace(data.ingest, labels=(
        LabelChoice("Activities", "type", "Démo en ligne", 4, None, ""),)))
    spec = rendered(build_correspondences_spec(data, PersonChoices({("Deals", "amount"): "Montant après remise"})),
                    "fr")
    book, rec = new_book("Pipeline.xlsx", ("Affaires",))
    write_cockpit_live(book, spec)
    live = replay_to_xlsx(rec.ops, CORRESPONDENCES_SHEET, tmp_path / "live.xlsx")
    ref = write_cockpit_file(spec, tmp_path / "file.xlsx")
    a, b = _sheet(ref)[1], _sheet(live)[1]
    va = sorted((str(v.sqref), v.formula1) for v in a.data_validations.dataValidation)
    vb = sorted((str(v.sqref), v.formula1) for v in b.data_validations.dataValidation)
    assert va == vb and len(va) == len(schema.DEALS.columns) + 1
    assert all(f.startswith("$") and ":" in f for _, f in va)  # every list from a range, none inline
    assert _line(b, "amount")[CHOICE_COL] == "Montant après remise"
    assert _hidden(b, "P") and not _hidden(b, "H")


def test_none_chosen_takes_no_column_even_a_known_header(tmp_path, capsys):
    path = _client(tmp_path / "affaires.xlsx")
    _refresh(path)
    _choose(path, "account", "(aucune)")
    _refresh(path)
    from addin.actions.company import read_company
    from addin.engines.file import FileWorkbook

    data = read_company(FileWorkbook(path))
    assert data.deals["account"].isna().all() and len(data.deals) == len(ROWS)
    assert_rows_accounted(data)
    _, ws = _sheet(path)
    assert _line(ws, "account")[2] == "—" and _line(ws, "account")[CHOICE_COL] == "(aucune)"


def test_a_label_chosen_in_the_sheet_is_read_so_by_the_next_refresh(tmp_path):
    """An activity label no word reads (« Tournée vitrine ») is counted as « other »; chosen as a proposal in
    « Votre choix », the next refresh counts its rows as proposals, and the one after still does."""
    from workbook_templates.reading import load_pipeline

    path = _client(tmp_path / "affaires.xlsx")
    wb = openpyxl.load_workbook(path)
    log = wb.create_sheet("Activités")
    log.append(["Date", "Commercial", "Type", "Client"])
    log.append([date(2026, 10, 5), "Marie Dupont", "Tournée vitrine", "Garage Petit"])
    log.append([date(2026, 10, 7), "Paul Leroy", "Tournée vitrine", "Cave Martin"])
    log.append([date(2026, 10, 8), "Paul Leroy", "Appel", "Cave Martin"])
    wb.save(path)

    def types() -> dict[str, int]:
        return load_pipeline(path).activities["type"].value_counts().to_dict()

    _refresh(path)
    assert types() == {"other": 2, "call": 1}
    wb, ws = _sheet(path)
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, KEY_KIND + 1).value == "label"
               and ws.cell(r, KEY_ITEM + 1).value == "Tournée vitrine")
    # the word the drop-down offers for a proposal, read from its hidden list (words, then codes)
    dv = next(v for v in ws.data_validations.dataValidation if f"H{row}" in v.sqref)
    first, last = dv.formula1.replace("$", "").split(":")
    words = [c for line in ws[first:last] for c in line]
    proposal = next(c.value for c in words if ws.cell(c.row, c.column + 1).value == "proposal")
    ws.cell(row, CHOICE_COL + 1).value = proposal
    wb.save(path)
    _refresh(path)
    assert types() == {"proposal": 2, "call": 1}
    _refresh(path)
    assert types() == {"proposal": 2, "call": 1}
