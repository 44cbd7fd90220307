"""The « Qualité des données » sheet: grouped problems with counts, first rows and fixes, then the detail."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import support.security_corpus as corpus
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.quality import ERROR, WARNING, Issue, QualityReport
from kpicore.cockpit.quality_spec import row_link
from workbook_templates.package import replace_sheets
from workbook_templates.quality_sheet import QUALITY_SHEET, quality_sheet_part, write_quality_sheet

NEG = "Montant négatif"
FIX_NEG = "Saisissez un montant positif (un avoir n'est pas une affaire)."


def _data(source: str = "pipeline.xlsx") -> PipelineData:
    q = QualityReport()
    for row in (5, 7, 9):
        q.add(Issue(ERROR, "Deals", NEG, FIX_NEG, file=source, sheet="Affaires", row=row, column="Montant",
                    value=f"-{row}00"))
    q.add(Issue(WARNING, "Deals", "Date au format américain lue (12/13/2026)", "Rien à faire, vérifiez-la.",
                file=source, sheet="Affaires", row=4, column="Clôture", value="12/13/2026"))
    # a client's text that looks like a formula must stay text
    q.add(Issue(ERROR, "Activities", "Type d'activité inconnu", "Choisissez un type de la liste.",
                file=source, sheet="Activités", row=3, column="Type", value='=HYPERLINK("http://x","y")'))
    return PipelineData(quality=q, source=source)


def _write(tmp_path: Path, data: PipelineData, **kwargs) -> tuple[list[list], str]:
    path = tmp_path / "q.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    write_quality_sheet(wb, wb.add_worksheet(QUALITY_SHEET), data, **kwargs)
    wb.close()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(QUALITY_SHEET).to_python()
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return rows, xml


def _find(rows: list[list], first: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def test_problems_are_grouped_with_count_first_rows_and_fix(tmp_path):
    rows, _ = _write(tmp_path, _data())
    assert rows[0][0] == QUALITY_SHEET
    # 3 negative amounts + 1 unknown type are excluded; 1 date was repaired
    assert rows[2][0] == "Données : 4 lignes exclues, 1 correction"
    head = _find(rows, "À corriger, par problème (les plus fréquents d'abord)") + 1
    assert rows[head][:7] == ["Effet", "Table", "Colonne", "Problème", "Nombre", "Premières lignes",
                              "Comment corriger"]
    groups = [r[:7] for r in rows[head + 1:head + 4]]
    assert groups == [
        ["Ligne exclue", "Affaires", "Montant", NEG, 3.0, "Affaires!5, Affaires!7, Affaires!9", FIX_NEG],
        ["Ligne exclue", "Activités", "Type", "Type d'activité inconnu", 1.0, "Activités!3",
         "Choisissez un type de la liste."],
        # a group of one shows its own detail, date included
        ["Corrigée", "Affaires", "Clôture", "Date au format américain lue (12/13/2026)", 1.0, "Affaires!4",
         "Rien à faire, vérifiez-la."],
    ]


def test_detail_has_one_line_per_issue_with_a_link_to_the_row(tmp_path):
    rows, xml = _write(tmp_path, _data())
    head = _find(rows, "Détail, une ligne par problème trouvé") + 1
    detail = [r[:6] for r in rows[head + 1:] if r and r[0]]
    # errors first, then by table, sheet and row
    assert [(r[1], r[3]) for r in detail] == [("Activités", "3"), ("Affaires", "5"), ("Affaires", "7"),
                                              ("Affaires", "9"), ("Affaires", "4")]
    assert detail[1][4:6] == ["Montant", "-500"]
    # each row number is a link into this workbook, written as a HYPERLINK formula so that every
    # engine (file, Excel, Calc) carries it the same way
    formulas = [html.unescape(f) for f in re.findall(r"<f>([^<]+)</f>", xml)]
    assert formulas == [f'HYPERLINK("#{target}","{target.rsplit("A", 1)[1]}")' for target in
                        ["'Activités'!A3", "'Affaires'!A5", "'Affaires'!A7", "'Affaires'!A9", "'Affaires'!A4"]]


def test_text_from_the_client_is_never_a_formula(tmp_path):
    rows, xml = _write(tmp_path, _data())
    formulas = [html.unescape(f) for f in re.findall(r"<f>([^<]+)</f>", xml)]
    assert all(f.startswith('HYPERLINK("#') for f in formulas)  # only the row links are formulas
    assert 'HYPERLINK("http://x","y")' not in formulas
    assert any(r[5] == '=HYPERLINK("http://x","y")' for r in rows if len(r) > 5)


def test_no_links_for_a_csv_source(tmp_path):
    _, xml = _write(tmp_path, _data("export.csv"))
    assert "<f>" not in xml


def test_long_detail_is_capped_with_a_pointer_to_pilotage_check(tmp_path):
    rows, _ = _write(tmp_path, _data(), max_detail_rows=2)
    head = _find(rows, "Détail, une ligne par problème trouvé") + 1
    tail = [r[0] for r in rows[head + 1:] if r and r[0]]
    # 5 issues, 2 shown: 3 more
    assert tail[-1] == "… et 3 autres : la liste complète est donnée par « pilotage check FICHIER »."
    assert len(tail) == 3


def test_clean_data_says_so(tmp_path):
    rows, _ = _write(tmp_path, PipelineData(source="pipeline.xlsx"))
    assert rows[2][0] == "Données : OK"
    assert any(r[0] == "Aucun problème : toutes les lignes ont été lues telles quelles." for r in rows if r)


def test_the_sheet_goes_into_the_clients_workbook(tmp_path):
    client = corpus.base_workbook(tmp_path / "pipeline.xlsx")
    replace_sheets(client, {QUALITY_SHEET: quality_sheet_part(_data())})
    book = CalamineWorkbook.from_path(str(client))
    assert book.sheet_names == ["Affaires", QUALITY_SHEET]
    assert book.get_sheet_by_name("Affaires").to_python()[1][0] == "D-1"


def test_real_ingest_issues_show_up(tmp_path):
    from workbook_templates.reading import load_pipeline

    rows = [list(r) for r in corpus.ROWS] + [["D-3", "Cyan", "Alice", "Proposition", -50, "2026-03-01"]]
    data = load_pipeline(corpus.base_workbook(tmp_path / "pipeline.xlsx", rows))
    assert data.quality.issues, "the negative amount must be reported"
    sheet_rows, _ = _write(tmp_path, data)
    head = _find(sheet_rows, "Détail, une ligne par problème trouvé") + 1
    # the deal with -50 is on Excel row 4 (header on row 1, D-1 on 2, D-2 on 3)
    assert any(r[2] == "Affaires" and r[3] == "4" for r in sheet_rows[head + 1:] if len(r) > 3)


@pytest.mark.parametrize("sheet, formula", [("Affaires", '=HYPERLINK("#\'Affaires\'!A3","3")'),
                                            ("L'équipe", '=HYPERLINK("#\'L\'\'équipe\'!A3","3")'),
                                            ('Ventes "B"', '=HYPERLINK("#\'Ventes ""B""\'!A3","3")')])
def test_row_link_quotes_sheet_names(sheet, formula):
    assert row_link(sheet, 3) == formula


# --------------------------------------------------------------------------- one language per sheet
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(texts) -> set[str]:
    return {w.lower() for t in texts if isinstance(t, str) for w in _WORD.findall(t) if len(w) > 1}


def _bad_workbook(language: str):
    """A pipeline workbook with one of most mistakes the ingest repairs or refuses, and its own cells."""
    from kpicore.ingest.grids import RawGrid, ingest

    deals = [["N° affaire", "Client", "Commercial", "Étape", "Statut", "Montant HT", "Date de création",
              "Date de clôture"],
             ["A1", "Durand SA", "Léa", "Proposition", "En cours", "n/a", "2025-01-02", None],  # unreadable
             ["A2", "Martin", "Léa", "Proposition", "En cours", -500, "2025-01-02", None],  # negative
             ["A3", "Petit", None, "Proposition", "En cours", 800, "2025-01-02", None],  # owner missing
             ["A4", "Roux", "Léa", "gagnée", "Gagnée", "12 500,00 €", "15/01/2025", "10/01/2025"],  # several
             ["A5", "Blanc", "Léa", "Proposition", "Bof", 900, "2025-01-02", None],  # unknown status
             ["A6", "Noir", "Léa", "Proposition", "En cours", 100, "2025-01-02", None],
             ["A6", "Noir", "Léa", "Proposition", "En cours", 100, "2025-01-02", None],  # same twice
             ["A7", "Vert", "Léa", "Proposition", "En cours", 100, "2025-01-02", None],
             ["A7", "Vert", "Léa", "Proposition", "En cours", 200, "2025-01-02", None],  # different twice
             ["Total", None, None, None, None, 14000, None, None]]
    activities = [["Date", "Commercial", "Note"], ["2025-01-03", "Léa", "appel"]]  # no Type column
    settings = [["Paramètre", "Valeur"], ["language", language]]
    grids = [RawGrid("pipeline.xlsx", "Affaires", deals, 1), RawGrid("pipeline.xlsx", "Activités", activities, 1),
             RawGrid("pipeline.xlsx", "Paramètres", settings, 1), RawGrid("pipeline.xlsx", "Vide", [[None]], 1)]
    typed = [c for g in grids for r in g.rows for c in r] + [g.sheet for g in grids] + [g.file for g in grids]
    return ingest(grids, source="pipeline.xlsx"), _words(typed)


def _identifiers() -> set[str]:
    """The product's own names that stay in any language: its sheets, its tables and columns (mapping.*)."""
    from kpicore.model import schema

    names = [t.sheet_fr for t in schema.TABLES.values()] + list(schema.OUTPUT_SHEETS)
    names += [t.name for t in schema.TABLES.values()]
    names += [c.name.replace("_", " ") for t in schema.TABLES.values() for c in t.columns]
    return _words(names) | {"pilotage", "mapping"}


@pytest.mark.parametrize("language, other", [("en", "fr"), ("fr", "en")])
def test_the_sheet_holds_no_word_of_the_other_language(tmp_path, language, other):
    from kpicore.text.catalogue import words

    data, typed = _bad_workbook(language)
    codes = {i.problem.code for i in data.quality.issues}
    assert {"quality.problem.unreadable_required", "quality.problem.negative_amount", "quality.problem.missing_value",
            "quality.problem.repaired", "quality.problem.closed_before_created", "quality.problem.unknown_status",
            "quality.problem.duplicate_same", "quality.problem.duplicate_different", "quality.problem.total_row",
            "quality.problem.missing_column", "quality.problem.stage_respelled"} <= codes
    rows, _ = _write(tmp_path, data)
    shown = _words(c for r in rows for c in r)
    foreign = (words(other) - words(language)) - typed - _identifiers()
    assert shown & foreign == set()
    # and the sheet does say the problems in its own language
    own = {"en": {"excluded", "corrected", "negative", "duplicate", "fix"},
           "fr": {"exclue", "corrigée", "négatif", "double", "corriger"}}[language]
    assert own <= shown


def test_the_english_sheet_reads_each_problem_with_its_figures(tmp_path):
    data, _ = _bad_workbook("en")
    rows, _ = _write(tmp_path, data)
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert "Negative amount" in cells and "Row excluded" in cells and "Corrected" in cells
    assert "Close date before the creation date (1/15/2025)" in cells
    assert "Duplicate id with different contents (Affaires row 10): every copy ignored" in cells
    assert any(c.startswith("Required column \u201cType\u201d (type) not found: 1 row of the sheet ignored")
               for c in cells)
    assert any(c.startswith("Data: ") and "rows excluded" in c for c in cells)


def test_what_the_ingest_inferred_is_said_once_on_the_sheet(tmp_path):
    """A report without ids: the sheet says once, under its own title, that the ids were derived."""
    import datetime as dt

    from kpicore.ingest.grids import RawGrid, ingest

    header = ["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount", "Created Date"]
    grid = RawGrid("rapport.xlsx", "Opportunities", [header,
                                                     ["Refonte", "Dupont SA", "Alice Moreau", "Closed Won", 100,
                                                      dt.datetime(2026, 1, 5)],
                                                     ["Licences", "Martin", "Alice Moreau", "Prospecting", 200,
                                                      dt.datetime(2026, 1, 6)]])
    rows, _ = _write(tmp_path, ingest([grid], source="rapport.xlsx"))
    i = _find(rows, "Ce que Pilotage a déduit de vos fichiers :")
    assert rows[i + 1][0].startswith("Pas de colonne d'identifiant : identifiant tiré du nom, du client et de la "
                                     "date de création pour 2 affaires")
