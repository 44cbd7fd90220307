"""The pipeline template and the shared activity workbook: structure, drop-downs, formats, co-authoring."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpicore.model import schema
from kpicore.model.errors import UsageError
from kpicore.metrics.dictionary import COLUMNS_FR, DEFAULT_DICTIONARY, SHEET_FR
from workbook_templates import activity_workbook as aw
from workbook_templates import pipeline_template as pt
from workbook_templates.company import load_company

VISIBLE = ["Deals", "Activities", "StageHistory", "Reps", "Targets", "CoVisits", "Actions", "Stages", "Settings"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return pt.write_pipeline_template(tmp_path_factory.mktemp("tpl") / "Pipeline.xlsx",
                                      reps=["Anne Leroy", "Paul Petit"])


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template)


def _validations(ws) -> dict[str, object]:
    """First cell of each validated range -> its DataValidation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0]] = dv
    return out


def _col(table: schema.Table, name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[table.column_names.index(name)]


def _ooxml_text(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}


# --------------------------------------------------------------------------- pipeline template


def test_template_sheets_tables_and_frozen_headers(book):
    expected = (["Mode d'emploi", "Cockpit"] + [schema.TABLES[t].sheet_fr for t in VISIBLE] + [SHEET_FR]
                + [schema.PIPELINE_SNAPSHOTS.sheet_fr])
    assert book.sheetnames == expected
    for name in VISIBLE:
        table = schema.TABLES[name]
        ws = book[table.sheet_fr]
        assert list(ws.tables) == [name]
        assert [c.name for c in ws.tables[name].tableColumns] == [c.label_fr for c in table.columns]
        assert ws.freeze_panes == "A2", name
    assert book[schema.PIPELINE_SNAPSHOTS.sheet_fr].sheet_state == "hidden"
    # the Cockpit is empty but for a line saying how to fill it
    assert book["Cockpit"]["A1"].value == "Cockpit commercial" and book["Cockpit"].max_row == 3


def test_template_holds_stages_reps_settings_and_no_example_deal(book):
    stages = book[schema.STAGES.sheet_fr]
    assert [stages.cell(r, 1).value for r in range(2, 8)] == [s[0] for s in schema.DEFAULT_STAGES]
    reps = book[schema.REPS.sheet_fr]
    assert [reps["A2"].value, reps["A3"].value] == ["Anne Leroy", "Paul Petit"]
    settings = {book[schema.SETTINGS.sheet_fr].cell(r, 1).value for r in range(2, 8)}
    assert "activity_workbooks" in settings and "fiscal_year_start_month" in settings
    deals = book[schema.DEALS.sheet_fr]
    assert all(c.value is None for c in deals[2])  # the table's one row is blank: no example to forget


def test_template_drop_downs(book):
    deals = _validations(book[schema.DEALS.sheet_fr])
    d = schema.DEALS
    assert deals[f"{_col(d, 'stage')}2"].formula1 == pt.STAGES_NAME
    assert deals[f"{_col(d, 'owner')}2"].formula1 == pt.REPS_NAME
    assert deals[f"{_col(d, 'status')}2"].formula1 == '"En cours,Gagnée,Perdue"'
    acts = _validations(book[schema.ACTIVITIES.sheet_fr])
    assert acts["C2"].formula1 == '"Appel,RDV,RDV qualifié,Proposition,Relance,Co-visite,Autre"'
    assert acts["B2"].formula1 == pt.REPS_NAME
    # the drop-downs reach well below the empty table, for rows typed under it:
    # header (row 1) + the table's blank row + VALIDATED_ROWS rows under it
    [stage_range] = list(deals[f"{_col(d, 'stage')}2"].sqref.ranges)
    assert stage_range.max_row == 1 + 1 + pt.VALIDATED_ROWS
    names = book.defined_names
    assert "'Étapes'!$A$2" in names[pt.STAGES_NAME].attr_text
    assert "'Commerciaux'!$A:$A" in names[pt.REPS_NAME].attr_text
    # every list value is a word the ingest reads back as its canonical choice
    from kpicore.ingest.mapping import choice_value

    assert [choice_value("Deals", "status", w) for w in pt.STATUS_WORDS_FR] == list(schema.STATUSES)
    assert [choice_value("Activities", "type", w) for w in pt.TYPE_WORDS_FR] == list(schema.ACTIVITY_TYPES)
    assert [choice_value("Targets", "scope_type", w) for w in pt.SCOPE_WORDS_FR] == ["rep", "team", "company"]
    assert [choice_value("Actions", "ritual", w) for w in pt.RITUAL_WORDS_FR] == ["weekly", "monthly", "quarterly"]
    assert [choice_value("Actions", "status", w) for w in pt.ACTION_STATUS_WORDS_FR] == ["open", "done", "dropped"]


def test_template_formats_and_input_messages(book):
    d = schema.DEALS
    deals = book[schema.DEALS.sheet_fr]
    assert deals[f"{_col(d, 'amount')}2"].number_format == '#,##0 "€"'
    assert deals[f"{_col(d, 'created_on')}2"].number_format == "dd/mm/yyyy"
    assert deals[f"{_col(d, 'probability')}2"].number_format == "0 %"
    # whole-column formats, so a row typed under the table gets them
    assert deals.column_dimensions[_col(d, "amount")].number_format == '#,##0 "€"'
    dv = _validations(deals)
    assert "hors taxes" in dv[f"{_col(d, 'amount')}2"].prompt
    assert "25 %" in dv[f"{_col(d, 'probability')}2"].prompt
    assert "jj/mm/aaaa" in dv[f"{_col(d, 'created_on')}2"].prompt
    targets = book[schema.TARGETS.sheet_fr]
    assert targets["A2"].number_format == "@"  # 2026-11 typed here stays text
    assert targets.column_dimensions["A"].number_format == "@"
    assert "AAAA-MM" in _validations(targets)["A2"].prompt


def test_template_dictionary_sheet(book):
    ws = book[SHEET_FR]
    assert list(ws.tables) == ["KpiDictionary"]
    assert [c.value for c in ws[1]] == list(COLUMNS_FR.values())
    ids = [ws.cell(r, 1).value for r in range(2, len(DEFAULT_DICTIONARY.definitions) + 2)]
    assert ids == list(DEFAULT_DICTIONARY.ids)
    row = 2 + ids.index("proposal_conversion")
    col = list(COLUMNS_FR).index("alert_below") + 1
    assert ws.cell(row, col).value == 0.25 and ws.cell(row, col).number_format == "0 %"


def test_template_has_no_macro_link_or_protection(template):
    parts = _ooxml_text(template)
    assert not any(n.endswith("vbaProject.bin") or n.startswith("xl/externalLinks") for n in parts)
    assert not any("<sheetProtection" in x or "<workbookProtection" in x for x in parts.values())


def test_template_reads_back_clean(template):
    data = load_company(template)
    assert data.quality.issues == []
    assert len(data.deals) == 0 and list(data.reps["rep"]) == ["Anne Leroy", "Paul Petit"]
    assert list(data.stages["stage"]) == [s[0] for s in schema.DEFAULT_STAGES]
    assert data.setting("fiscal_year_start_month") == "1"
    assert data.dictionary == DEFAULT_DICTIONARY


def test_template_custom_stages(tmp_path):
    stages = [("Découverte", 1, False, False, 0.1), ("Devis", 2, False, False, 0.4),
              ("Signé", 3, True, False, 1.0), ("Perdu", 4, False, True, 0.0)]
    data = load_company(pt.write_pipeline_template(tmp_path / "p.xlsx", stages=stages))
    assert list(data.stages["stage"]) == ["Découverte", "Devis", "Signé", "Perdu"]
    assert list(data.stages["probability"]) == [0.1, 0.4, 1.0, 0.0]


def test_edited_dictionary_is_read_back_and_a_bad_cell_costs_that_cell_only(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET_FR]
    ids = list(DEFAULT_DICTIONARY.ids)
    cols = list(COLUMNS_FR)
    conv_row, size_row = 2 + ids.index("proposal_conversion"), 2 + ids.index("average_deal_size")
    ws.cell(conv_row, cols.index("alert_below") + 1).value = 0.30
    ws.cell(size_row, cols.index("falling_pct") + 1).value = "beaucoup"
    ws.cell(size_row, cols.index("min_count") + 1).value = 5
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    data = load_company(edited)
    d = data.dictionary
    assert d.threshold("proposal_conversion", "alert_below") == 0.30
    assert d.threshold("average_deal_size", "falling_pct") == 0.20  # the default: the cell was malformed
    assert d.threshold("average_deal_size", "min_count") == 5  # the same row's good edit applies
    [issue] = [i for i in data.quality.issues if i.table == "KpiDictionary"]
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        "edited.xlsx", SHEET_FR, size_row, "falling_pct", "beaucoup")


# --------------------------------------------------------------------------- activity workbook


@pytest.fixture(scope="module")
def activity_book(tmp_path_factory) -> Path:
    return aw.write_activity_workbook(tmp_path_factory.mktemp("act") / "Activités.xlsx",
                                      ["Paul Petit", "Anne Leroy", "Anne Leroy"], team="Ouest")


def test_activity_workbook_table_and_lists_in_a_hidden_sheet(activity_book):
    wb = openpyxl.load_workbook(activity_book)
    assert wb.sheetnames == [aw.SHEET, "Mode d'emploi", aw.LISTS_SHEET]
    assert wb[aw.LISTS_SHEET].sheet_state == "hidden"
    ws = wb[aw.SHEET]
    table = ws.tables[aw.TABLE]
    assert [c.name for c in table.tableColumns] == [c.label_fr for c in schema.ACTIVITIES.columns]
    assert table.ref == f"A1:F{aw.BLANK_ROWS + 1}"  # pre-sized: typing needs no table resize
    lists = wb[aw.LISTS_SHEET]
    assert [lists.cell(r, 1).value for r in range(1, 4)] == ["Commerciaux", "Paul Petit", "Anne Leroy"]
    assert [lists.cell(r, 2).value for r in range(2, 9)] == [schema.ACTIVITY_TYPE_LABELS_FR[t]
                                                              for t in schema.ACTIVITY_TYPES]
    assert lists["C2"].value == "Ouest"
    dvs = _validations(ws)
    assert dvs["B2"].formula1 == aw.REPS_NAME and dvs["C2"].formula1 == aw.TYPES_NAME
    assert wb.defined_names[aw.REPS_NAME].attr_text == "'Listes'!$A$2:$A$3"
    assert wb.defined_names[aw.TYPES_NAME].attr_text == "'Listes'!$B$2:$B$8"
    assert ws.column_dimensions["A"].number_format == "dd/mm/yyyy"  # a date typed in any row
    assert "jj/mm/aaaa" in dvs["A2"].prompt


def test_activity_workbook_is_fit_for_co_authoring(activity_book):
    parts = _ooxml_text(activity_book)
    names = set(parts)
    assert not any(n.endswith("vbaProject.bin") for n in names)  # no macros
    assert not any(n.startswith("xl/externalLinks") for n in names)  # the lists are its own
    assert "xl/revisions/revisionHeaders.xml" not in names and "xl/usernames.xml" not in names  # legacy sharing
    text = "".join(parts.values())
    assert "<sheetProtection" not in text and "<workbookProtection" not in text
    assert not re.search(r"\[\d+\]", parts["xl/workbook.xml"])  # no [1]Sheet! reference to another file


def test_activity_workbook_never_overwrites_and_checks_its_arguments(activity_book, tmp_path):
    with pytest.raises(UsageError, match="existe déjà"):
        aw.write_activity_workbook(activity_book, ["X"])
    with pytest.raises(UsageError, match="inconnu"):
        aw.write_activity_workbook(tmp_path / "t.xlsx", ["X"], types=("call", "lunch"))


def test_activity_workbook_for_a_team(demo_data, tmp_path):
    path = aw.activity_workbook_for(demo_data, tmp_path / "a.xlsx", team="pme régions")
    lists = openpyxl.load_workbook(path)[aw.LISTS_SHEET]
    got = [lists.cell(r, 1).value for r in range(2, lists.max_row + 1) if lists.cell(r, 1).value]
    reps = demo_data.reps
    expected = sorted(reps.loc[(reps["team"] == "PME Régions") & reps["active"], "rep"])
    assert got == expected and len(got) == 5
    with pytest.raises(UsageError, match="Grands comptes"):
        aw.activity_workbook_for(demo_data, tmp_path / "b.xlsx", team="Export")


# --------------------------------------------------------------------------- in LibreOffice


@pytest.mark.libreoffice
def test_both_templates_open_in_libreoffice(template, activity_book, soffice, tmp_path):
    from workbook_templates.libreoffice import convert, sheet_png

    # LibreOffice opens each workbook and writes it back as xlsx: the tables and lists survive
    for source in (template, activity_book):
        out = convert(source, "xlsx", tmp_path / source.stem)
        wb = openpyxl.load_workbook(out)
        assert SHEET_FR in wb.sheetnames if source == template else aw.SHEET in wb.sheetnames
    # the stage and rep drop-downs still read the named ranges over the Stages and Reps tables
    lo_template = openpyxl.load_workbook(tmp_path / template.stem / template.name)
    assert {pt.STAGES_NAME, pt.REPS_NAME} <= set(lo_template.defined_names)
    formulas = {dv.formula1 for dv in lo_template[schema.DEALS.sheet_fr].data_validations.dataValidation}
    assert {pt.STAGES_NAME, pt.REPS_NAME, '"En cours,Gagnée,Perdue"'} <= formulas
    again = openpyxl.load_workbook(tmp_path / activity_book.stem / activity_book.name)
    assert again[aw.SHEET]["A1"].value == "Date"
    assert any(dv.formula1 for dv in again[aw.SHEET].data_validations.dataValidation)
    for source, sheet in ((template, schema.DEALS.sheet_fr), (template, "Mode d'emploi"),
                          (activity_book, aw.SHEET)):
        pages = sheet_png(source, sheet, tmp_path / "png")
        assert pages and all(p.stat().st_size > 1000 for p in pages)


def test_template_never_replaces_an_existing_workbook(template):
    before = template.read_bytes()
    with pytest.raises(UsageError, match="existe déjà"):
        pt.write_pipeline_template(template)
    assert template.read_bytes() == before


def test_activity_template_from_a_pipeline_workbook(template, tmp_path):
    # the template's Reps table holds Anne Leroy and Paul Petit (fixture), without a team
    path = aw.write_activity_template(tmp_path / "a.xlsx", pipeline=template)
    lists = openpyxl.load_workbook(path)[aw.LISTS_SHEET]
    assert [lists["A2"].value, lists["A3"].value] == ["Anne Leroy", "Paul Petit"]
    free = aw.write_activity_template(tmp_path / "b.xlsx")
    assert openpyxl.load_workbook(free)[aw.LISTS_SHEET]["A2"].value is None
    with pytest.raises(UsageError, match="--from"):
        aw.write_activity_template(tmp_path / "c.xlsx", team="Ouest")
