"""``pilotage check``: the mapping found and the quality report, grouped, in French and in English."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd

from support.ingest_checks import assert_rows_accounted
from kpicore.ingest.grids import RawGrid, ingest
from kpicore.model.json_schemas import load_schema
from kpicore.text.check import check_report_json as check_report, check_report_text
from workbook_templates.reading import load_pipeline

HEADER = ["Opportunity ID", "Opportunity Owner", "Stage", "Amount", "Created Date", "Region"]


def _data():
    rows = [[f"O{i}", "Léa", "Prospecting", 100 * i, "2025-01-02", "Nord"] for i in range(1, 13)]
    for i in (2, 5, 8):
        rows[i][3] = "n/a"  # 3 text amounts
    rows[10][3] = -5  # 1 negative amount
    grids = [RawGrid("export.csv", "export", [HEADER] + rows, 1),
             RawGrid("export.csv", "Notes", [["Bonjour"], ["à lire"]], 1)]
    return ingest(grids)


def test_report_groups_issues_with_counts_and_first_rows():
    data = _data()
    assert_rows_accounted(data)
    text = check_report_text(data)
    assert "Affaires (Deals) ← feuille « export », en-têtes ligne 1 (reconnue par en-têtes)" in text
    assert "« Opportunity Owner » → owner" in text
    assert "gardées telles quelles (non reconnues) : « Region »" in text
    assert "- « Notes » :" in text
    # 12 rows: 3 text amounts + 1 negative excluded, 8 kept
    assert "lignes : 12 lues, 8 gardées, 4 exclues" in text
    assert "Bilan : 12 lignes lues, 8 gardées, 4 exclues ; 4 erreurs, 0 correction." in text
    # the Excel row of data row i is i + 2: the text amounts are on rows 4, 7, 10
    assert "Valeur illisible (on attendait un montant) dans une colonne obligatoire : 3" in text
    assert "export!4 « n/a », export!7 « n/a », export!10 « n/a »" in text
    assert "Montant négatif : 1" in text


def test_report_as_plain_data_is_json():
    r = json.loads(json.dumps(check_report(_data())))
    jsonschema.validate(r, load_schema("check"))  # errors, an ignored sheet: the whole schema in use
    assert r["kind"] == "check" and r["source"] == "export.csv" and r["as_of"] is None
    assert r["row_totals"] == {"data": 12, "kept": 8, "excluded": 4, "duplicates_merged": 0}
    sheet = r["sheets"][0]
    assert [c["column"] for c in sheet["columns"]] == ["deal_id", "owner", "stage", "amount", "created_on", None]
    errors = {g["problem"]: g["count"] for g in r["errors"]}
    assert errors == {"Valeur illisible (on attendait un montant) dans une colonne obligatoire": 3,
                      "Montant négatif": 1}
    assert r["sheets"][1]["table"] is None and r["sheets"][1]["headers_seen"] == ["Bonjour", "à lire"]


def test_demo_workbook_reads_back_as_generated(demo_data, demo_workbook):
    """The product's own workbook (workbook_templates.pipeline_workbook) is read back
    into exactly the frames it was written from."""
    back = load_pipeline(demo_workbook)
    assert not back.quality.errors
    assert_rows_accounted(back)
    for name, frame in demo_data.frames().items():
        got = getattr(back, name)[list(frame.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, frame.reset_index(drop=True), obj=name)
    assert back.present >= {"Deals", "Activities", "Targets", "Reps", "Stages"}


def test_report_reads_in_english_with_the_same_figures():
    text = check_report_text(_data(), "en")
    assert "Deals (Deals) ← sheet \u201cexport\u201d, headers on row 1 (recognised by headers)" in text
    assert "\u201cOpportunity Owner\u201d → owner" in text
    assert "kept as they are (not recognised): \u201cRegion\u201d" in text
    assert "rows: 12 read, 8 kept, 4 excluded" in text
    assert "Summary: 12 rows read, 8 kept, 4 excluded; 4 errors, 0 corrections." in text
    assert "Unreadable value (expected an amount) in a required column: 3" in text
    assert "export!4 \u201cn/a\u201d, export!7 \u201cn/a\u201d, export!10 \u201cn/a\u201d" in text
    assert "Negative amount: 1" in text
    assert "lignes" not in text and "Bilan" not in text
    r = check_report(_data(), "en")
    jsonschema.validate(json.loads(json.dumps(r)), load_schema("check"))
    assert r["badge"] == "Data: 4 rows excluded, 0 corrections"
    assert {c["how"] for c in r["sheets"][0]["columns"]} == {"synonym", ""}
    assert "synonyme" in {c["how"] for c in check_report(_data())["sheets"][0]["columns"]}


def test_the_message_box_summary_in_both_languages():
    from kpicore.text.check import check_summary_text

    fr, en = check_summary_text(_data(), 4, "fr"), check_summary_text(_data(), 4, "en")
    assert "• export : 8 lignes gardées, 4 exclues" in fr
    assert "• export: 8 rows kept, 4 excluded" in en
    assert "✗ Negative amount: 1 (e.g. export!12)" in en


def test_a_file_with_no_table_is_refused_in_the_reader_s_language():
    import pytest

    from kpicore.model.errors import InputFileError
    from kpicore.text.check import error_text

    with pytest.raises(InputFileError) as refused:
        ingest([RawGrid("notes.xlsx", "Notes", [["Bonjour"], ["à lire"]], 1), RawGrid("notes.xlsx", "Vide", [[None]], 1)])
    err = refused.value
    assert str(err).startswith("notes.xlsx : aucune table reconnue")  # the French text stays as it was
    assert "feuille « Vide » : feuille vide" in str(err)
    en = error_text(err, "en")
    assert en.startswith("notes.xlsx: no table recognised (deals, activities, targets…).")
    assert "sheet \u201cVide\u201d: empty sheet" in en and "headers seen: Bonjour" in en
    assert "\n→ Name the columns as the Pilotage template does" in en
    assert error_text(err, "fr").startswith("notes.xlsx : aucune table reconnue")


def test_a_column_named_in_the_settings_says_so_in_each_language():
    deals = [["Opportunity ID", "Opportunity Owner", "Stage", "Facturé", "Created Date"],
             ["O1", "Léa", "Prospecting", 100, "2025-01-02"]]
    settings = [["Paramètre", "Valeur"], ["mapping.Deals.amount", "Facturé"]]
    data = ingest([RawGrid("x.xlsx", "Paramètres", settings, 1), RawGrid("x.xlsx", "Deals", deals, 1)])
    assert "« Facturé » → amount (Paramètres)" in check_report_text(data, "fr")
    assert "\u201cFacturé\u201d → amount (Settings)" in check_report_text(data, "en")
