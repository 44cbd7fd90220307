"""A corpus of bad inputs: each gives a clear French message, and no row disappears
without being listed (rows read == rows kept + rows excluded + duplicates merged)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from support.ingest_checks import assert_rows_accounted
from kpicore.text.catalogue import render
from kpicore.model.errors import InputFileError
from kpicore.ingest.grids import RawGrid, ingest
from workbook_templates.reading import load_pipeline, read_grids

HEADER = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date de clôture"]


def good_row(i: int) -> list:
    return [f"A{i}", f"Client {i}", "Marie", "Proposition", 1000 + i, "2025-01-10", None]


def deals_of(rows, header=HEADER, sheet="Affaires"):
    return ingest([RawGrid("f.xlsx", sheet, [header] + rows, 1)])


def errors_at(data, row):
    return [i for i in data.quality.errors if i.row == row]


def write_xlsx(path, sheets: dict[str, list[list]]):
    wb = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, wb.add_format({"num_format": "dd/mm/yyyy"}))
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


# ------------------------------------------------------------------ files


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="fichier introuvable") as e:
        load_pipeline(tmp_path / "absent.xlsx")
    assert "absent.xlsx" in str(e.value) and "Vérifiez le chemin" in str(e.value)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(InputFileError, match="dossier"):
        load_pipeline(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "vide.xlsx"
    p.write_bytes(b"")
    with pytest.raises(InputFileError, match="vide") as e:
        load_pipeline(p)
    assert "vide.xlsx" in str(e.value)


def test_encrypted_workbook(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "clair.xlsx", {"Affaires": [HEADER, good_row(1)]})
    secret = tmp_path / "secret.xlsx"
    with open(plain, "rb") as src, open(secret, "wb") as dst:
        OOXMLFile(src).encrypt("motdepasse", dst)
    with pytest.raises(InputFileError, match="mot de passe") as e:
        load_pipeline(secret)
    assert "secret.xlsx" in str(e.value) and "→" in str(e.value)


def test_legacy_xls(tmp_path):
    # an OLE compound file (the .xls container) without an EncryptedPackage stream
    p = tmp_path / "ancien.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le"))
    with pytest.raises(InputFileError, match=r"97-2003 \(\.xls\)") as e:
        load_pipeline(p)
    assert "Classeur Excel (*.xlsx)" in str(e.value)


def test_xlsb(tmp_path):
    p = tmp_path / "binaire.xlsb"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(InputFileError, match=r"\.xlsb"):
        load_pipeline(p)


def test_truncated_zip(tmp_path):
    full = write_xlsx(tmp_path / "complet.xlsx", {"Affaires": [HEADER] + [good_row(i) for i in range(200)]})
    data = full.read_bytes()
    cut = tmp_path / "tronque.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="endommagé ou incomplet") as e:
        load_pipeline(cut)
    assert "tronque.xlsx" in str(e.value)


def test_word_document_is_not_a_workbook(tmp_path):
    p = tmp_path / "compte-rendu.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputFileError, match="document Word"):
        load_pipeline(p)


def test_garbage_named_xlsx(tmp_path):
    p = tmp_path / "image.xlsx"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputFileError, match="pas un classeur .xlsx valide"):
        load_pipeline(p)


def test_no_recognisable_table_lists_sheets_and_headers(tmp_path):
    p = write_xlsx(tmp_path / "divers.xlsx", {
        "Feuil1": [["Nom", "Téléphone"], ["Paul", "06 00 00 00 00"]],
        "Budget": [["Poste", "Janvier", "Février"], ["Loyer", 1200, 1200]],
    })
    with pytest.raises(InputFileError) as e:
        load_pipeline(p)
    msg = str(e.value)
    assert "aucune table reconnue" in msg
    assert "« Feuil1 »" in msg and "Nom | Téléphone" in msg
    assert "« Budget »" in msg and "Poste | Janvier | Février" in msg
    assert "mapping.Deals" in msg  # the fix names the Settings key


# ------------------------------------------------------------------ rows


def test_missing_required_column_is_one_error_naming_it_and_the_headers():
    header = [h for h in HEADER if h != "Montant HT"]
    rows = [[c for k, c in enumerate(good_row(i)) if HEADER[k] != "Montant HT"] for i in range(3)]
    data = deals_of(rows, header)
    table_errors = [i for i in data.quality.errors if i.row is None]
    assert len(table_errors) == 1
    assert "« Montant HT » (amount) introuvable" in render(table_errors[0].problem)
    assert "Client, Commercial, Étape" in render(table_errors[0].fix)
    assert len(data.deals) == 0
    assert data.ingest.read[0].excluded == (2, 3, 4)
    assert_rows_accounted(data)


def test_wrong_types():
    rows = [good_row(1), good_row(2), good_row(3), good_row(4)]
    rows[1][4] = "à voir"  # amount as text -> excluded
    rows[2][5] = "bientôt"  # required date unreadable -> excluded
    rows[3][6] = "fin du mois"  # optional date unreadable -> kept, value emptied, warning
    data = deals_of(rows)
    assert errors_at(data, 3)[0].column == "Montant HT" and errors_at(data, 3)[0].value == "à voir"
    assert errors_at(data, 4)[0].column == "Date de création"
    assert not errors_at(data, 5)
    assert any(i.row == 5 and i.column == "Date de clôture" for i in data.quality.warnings)
    assert sorted(data.deals["deal_id"]) == ["A1", "A4"]
    assert_rows_accounted(data)


def test_missing_deal_id_and_missing_values_are_all_listed():
    rows = [good_row(1), good_row(2)]
    rows[1][0] = None
    rows[1][2] = "  "
    data = deals_of(rows)
    cols = sorted(i.column for i in errors_at(data, 3))
    assert cols == ["Commercial", "N° affaire"]
    assert list(data.deals["deal_id"]) == ["A1"]
    assert_rows_accounted(data)


def test_duplicates():
    same = good_row(1)
    other = good_row(1)
    other[4] = 99999  # same id, different amount
    rows = [same, list(same), good_row(2), other[:0] or good_row(3), good_row(3)]
    rows[4][4] = 5  # A3 twice with different amounts
    data = deals_of(rows)
    # A1 twice identical: the first copy kept, the second a warning
    assert data.ingest.read[0].merged == (3,)
    assert any(i.row == 3 and "double" in render(i.problem) for i in data.quality.warnings)
    # A3 twice, different: both excluded with an error naming the other copy
    assert {i.row for i in data.quality.errors} == {5, 6}
    assert "ligne 6" in render(errors_at(data, 5)[0].problem)
    assert sorted(data.deals["deal_id"]) == ["A1", "A2"]
    assert_rows_accounted(data)


def test_negative_amount_and_close_before_creation():
    rows = [good_row(1), good_row(2), good_row(3)]
    rows[0][4] = "-1 500"
    rows[1][6] = "2025-01-05"  # created 2025-01-10
    rows[1][3] = "Gagnée"
    data = deals_of(rows)
    assert "négatif" in render(errors_at(data, 2)[0].problem)
    assert "avant la date de création (10/01/2025)" in render(errors_at(data, 3)[0].problem)
    assert list(data.deals["deal_id"]) == ["A3"]
    assert_rows_accounted(data)


def test_total_and_empty_rows_are_not_data():
    rows = [good_row(1), [None] * 7, good_row(2), ["Sous-total", None, None, None, 2003, None, None],
            [None, None, None, None, 2003.0, None, None], ["TOTAL GÉNÉRAL", None, None, None, 2003, None, None]]
    data = deals_of(rows)
    g = data.ingest.read[0]
    assert g.data_rows == (2, 4)
    assert g.total_rows == (5, 6, 7)
    assert_rows_accounted(data)


def test_title_rows_above_the_header():
    grid = [["Pipeline Q1", None], [None, None], ["Exporté le 01/03/2025"]] + [HEADER, good_row(1)]
    data = ingest([RawGrid("f.xlsx", "Feuil1", grid, 1)])
    assert data.ingest.read[0].header_row == 4
    assert render(data.ingest.read[0].chosen_by) == "en-têtes"
    assert list(data.deals["deal_id"]) == ["A1"]


# ------------------------------------------------------------------ csv


def test_csv_cp1252_with_semicolons(tmp_path):
    p = tmp_path / "export-crm.csv"
    with open(p, "w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création"])
        w.writerow(["A1", "Société Générale d'Études", "Hélène", "Négociation", "12 500,50", "14/03/2025"])
    data = load_pipeline(p)
    d = data.deals.iloc[0]
    assert (d["account"], d["owner"], d["stage"], d["amount"]) == (
        "Société Générale d'Études", "Hélène", "Négociation", 12500.5)
    assert d["created_on"] == pd.Timestamp("2025-03-14")


def test_csv_utf8_bom_with_commas(tmp_path):
    p = tmp_path / "deals.csv"
    p.write_text("N° affaire,Commercial,Étape,Montant HT,Date de création\nA1,Zoé,Prospection,\"1,5\",2025-01-02\n",
                 encoding="utf-8-sig")
    grids = read_grids(p)
    assert grids[0].rows[0][0] == "N° affaire"  # no BOM glued to the first header
    assert load_pipeline(p).deals["amount"].tolist() == [1.5]


def test_dates_in_three_formats(tmp_path):
    p = tmp_path / "dates.csv"
    p.write_text("N° affaire;Commercial;Étape;Montant HT;Date de création;Date de signature prévue;"
                 "Dernière activité\n"
                 "A1;Léa;Proposition;100;2025-03-04;04/03/2025;03/14/2025\n"
                 "A2;Léa;Proposition;100;2025-03-20;20/03/2025;03/04/2025\n", encoding="utf-8")
    d = load_pipeline(p).deals
    # ISO, then French (a day 20 comes first), then US (a day 14 comes second)
    assert d["created_on"].tolist() == [pd.Timestamp("2025-03-04"), pd.Timestamp("2025-03-20")]
    assert d["expected_close_on"].tolist() == [pd.Timestamp("2025-03-04"), pd.Timestamp("2025-03-20")]
    assert d["last_activity_on"].tolist() == [pd.Timestamp("2025-03-14"), pd.Timestamp("2025-03-04")]


def test_settings_sheet_fixes_a_header(tmp_path):
    p = write_xlsx(tmp_path / "pipe.xlsx", {
        "Affaires": [["N° affaire", "Chargé de compte", "Étape", "Montant signé", "Date de création"],
                     ["A1", "Paul", "Proposition", 500, dt.datetime(2025, 1, 2)]],
        "Paramètres": [["Paramètre", "Valeur"], ["mapping.Deals.amount", "Montant signé"],
                       ["mapping.Deals.owner", "Chargé de compte"]],
    })
    data = load_pipeline(p)
    assert data.deals[["owner", "amount"]].values.tolist() == [["Paul", 500.0]]
    assert not data.quality.errors


def test_excel_table_is_read_by_its_range(tmp_path):
    p = tmp_path / "tables.xlsx"
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet("Saisie")
    ws.write("A1", "Notes libres au-dessus du tableau")
    ws.write("H20", "ceci n'est pas une affaire")
    ws.add_table("B3:F5", {"name": "Deals", "columns": [{"header": h} for h in
                                                       ["N° affaire", "Commercial", "Étape", "Montant HT",
                                                        "Date de création"]],
                           "data": [["A1", "Léa", "Proposition", 10, "2025-01-01"],
                                    ["A2", "Léa", "Proposition", 20, "2025-01-02"]]})
    wb.close()
    grids = read_grids(p)
    assert [(g.table_name, g.first_row, g.first_col, len(g.rows)) for g in grids] == [("Deals", 3, 2, 3)]
    data = load_pipeline(p)
    g = data.ingest.read[0]
    assert (render(g.chosen_by), g.header_row, g.data_rows) == ("table Excel", 3, (4, 5))
    assert [c.letter for c in g.columns][:2] == ["B", "C"]
    assert data.deals["amount"].tolist() == [10.0, 20.0]


@pytest.mark.slow
def test_large_csv_loses_no_row(tmp_path):
    n = 100_000
    rng = np.random.default_rng(3)
    ids = [f"D{i:06d}" for i in range(n)]
    amounts = [f"{a:.2f}".replace(".", ",") for a in rng.uniform(100, 90_000, n)]
    created = pd.date_range("2023-01-01", periods=n, freq="15min").strftime("%d/%m/%Y")
    bad_amount = set(range(7, n, 1000))  # 100 rows with a text amount
    negative = set(range(13, n, 2500))  # 40 rows with a negative amount
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["N° affaire", "Commercial", "Étape", "Montant HT", "Date de création"])
    for i in range(n):
        amount = "à confirmer" if i in bad_amount else ("-" + amounts[i] if i in negative else amounts[i])
        w.writerow([ids[i], "Rep %d" % (i % 40), "Proposition", amount, created[i]])
    p = tmp_path / "gros.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    data = load_pipeline(p)
    g = data.ingest.read[0]
    assert len(g.data_rows) == n
    assert len(g.excluded) == len(bad_amount) + len(negative)
    assert len(data.deals) == n - len(bad_amount) - len(negative)
    # the Excel row of CSV data row i is i + 2 (row 1 is the header)
    assert set(g.excluded) == {i + 2 for i in bad_amount | negative}
    assert_rows_accounted(data)


# ------------------------------------------------------------------ other tables


def test_activities_targets_and_covisits():
    activities = [["Date", "Commercial", "Type", "N° affaire"],
                  ["03/02/2025", "Léa", "RDV qualifié", "A1"],
                  ["04/02/2025", "Léa", "Appel", None],
                  ["13/02/2025", "Léa", "Pique-nique", None],  # unknown type -> other, with a warning
                  [None, "Léa", "Appel", None]]  # no date -> excluded
    targets = [["Mois", "Niveau", "Nom", "Indicateur", "Objectif"],
               [dt.datetime(2025, 3, 1), "Commercial", "Léa", "revenue", 20000],
               ["2025-04", "Entreprise", None, "revenue", 90000],
               ["04/2025", "Entreprise", None, "revenue", 90000],  # same target twice: one kept
               ["mars", "Équipe", "Nord", "revenue", 1]]  # unreadable month -> excluded
    covisits = [["Date", "Commercial", "Satisfaction client"], ["2025-02-03", "Léa", 4], ["2025-02-04", "Léa", 9]]
    data = ingest([RawGrid("f.xlsx", "Activités", activities, 1), RawGrid("f.xlsx", "Objectifs", targets, 1),
                   RawGrid("f.xlsx", "Co-visites", covisits, 1)])
    assert data.activities["type"].tolist() == ["qualified_meeting", "call", "other"]
    assert data.activities["date"].tolist() == [pd.Timestamp("2025-02-03"), pd.Timestamp("2025-02-04"),
                                                pd.Timestamp("2025-02-13")]
    assert data.targets[["period", "scope_type"]].values.tolist() == [["2025-03", "rep"], ["2025-04", "company"]]
    assert {(i.sheet, i.row) for i in data.quality.errors} == {("Activités", 5), ("Objectifs", 5)}
    assert any(i.sheet == "Objectifs" and i.row == 4 and "double" in render(i.problem) for i in data.quality.warnings)
    # a score of 9 on a 1-5 scale is emptied with a warning, the visit is kept
    assert data.co_visits["customer_satisfaction"].tolist()[0] == 4
    assert pd.isna(data.co_visits["customer_satisfaction"].tolist()[1])
    assert_rows_accounted(data)


def test_zip_with_a_damaged_workbook_part(tmp_path):
    p = tmp_path / "abime.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<<< pas du XML")
    with pytest.raises(InputFileError, match="n'a pas pu être lu") as e:
        load_pipeline(p)
    assert "abime.xlsx" in str(e.value)


def test_stray_spaces_are_repaired_with_a_warning():
    rows = [good_row(1)]
    rows[0][1] = "  Dupont   SA "
    data = deals_of(rows)
    assert data.deals["account"].tolist() == ["Dupont SA"]
    assert [(i.row, i.column) for i in data.quality.warnings] == [(2, "Client")]


def test_two_sheets_of_deals_one_unusable_and_duplicates_across_sheets():
    # one sheet lacks the amount column; the two others repeat deal A2 with another amount
    no_amount = [[h for h in HEADER if h != "Montant HT"]] + [["A9", "C", "Léa", "Proposition", "2025-01-02",
                                                               None]]
    north = [HEADER, good_row(1), good_row(2)]
    south = [HEADER, good_row(3), good_row(2)]
    south[2][4] = 1
    # the unusable sheet in the middle: row outcomes must stay with their own sheet
    data = ingest([RawGrid("f.xlsx", "Affaires Nord", north, 1, "Deals"),
                   RawGrid("f.xlsx", "Affaires (vieux)", no_amount, 1, "Deals"),
                   RawGrid("f.xlsx", "Affaires Sud", south, 1, "Deals")])
    by_sheet = {g.sheet: g for g in data.ingest.read}
    assert by_sheet["Affaires (vieux)"].excluded == (2,) and by_sheet["Affaires (vieux)"].kept == ()
    assert by_sheet["Affaires Nord"].kept == (2,) and by_sheet["Affaires Nord"].excluded == (3,)
    assert by_sheet["Affaires Sud"].kept == (2,) and by_sheet["Affaires Sud"].excluded == (3,)
    assert sorted(data.deals["deal_id"]) == ["A1", "A3"]
    assert "Affaires Sud ligne 3" in render(errors_at(data, 3)[0].problem) or "Affaires Nord ligne 3" in \
        render(errors_at(data, 3)[0].problem)
    assert_rows_accounted(data)


@pytest.mark.parametrize("action", ["refresh", "weekly deck"])
def test_a_workbook_with_no_deal_is_refused_by_the_action_whatever_the_button(tmp_path, action):
    """The blank template holds its tables' headers and no row: the refresh and the deck the ribbon, the Calc
    menu and the command line share refuse it with the file named, and write nothing."""
    import hashlib

    from addin.actions.decks import make_deck
    from addin.actions.refresh import refresh
    from addin.cli import main
    from addin.engines.file import FileWorkbook
    from kpicore.model.errors import UsageError

    blank = tmp_path / "vierge.xlsx"
    assert main(["template", "pipeline", str(blank)]) == 0
    before = hashlib.sha256(blank.read_bytes()).hexdigest()
    with pytest.raises(UsageError, match=r"vierge\.xlsx : la table des affaires n'a aucune ligne"):
        if action == "refresh":
            refresh(FileWorkbook(blank, progress=None))
        else:
            make_deck(FileWorkbook(blank, progress=None), "weekly", tmp_path)
    assert hashlib.sha256(blank.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vierge.xlsx"]
