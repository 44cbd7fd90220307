"""One voice, end to end: the demo refreshed and its decks written through the command line, in English
then in French, hold no word of the other language's catalogue.

The French words are taken from the French catalogue itself (``kpicore.text.catalogue.words``: every word
of every message, the month and day names, the units), less the words the English catalogue also writes
(« Total », « Manager »); the client's own words (rep, team, account and stage names, as typed) are left
aside, and so are the identifiers: the sheet names and table headers of the client's workbook, the codes
inside formulas (``revenue``, ``SUMIFS``) and column names such as ``deal_id``. The cockpit and the quality sheet are read back from the saved workbook with openpyxl (every
cell, the view selector's list), the decks with python-pptx (text, tables, chart titles, axes, series,
categories, notes), and what the command line prints is checked too.
"""

from __future__ import annotations

import io
import re
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpicore.cockpit.build import SHEET_NAME
from kpicore.model import schema
from kpicore.cockpit.quality_spec import QUALITY_SHEET
from kpicore.demo.company import DEMO_AS_OF
from tests.support.deck_text import deck_texts, foreign_words, in_language, words_in

LANGUAGES = ("en", "fr")


IDENTIFIER = re.compile(r"\b\w+_\w+\b")
LITERAL = re.compile(r'"((?:[^"]|"")*)"')


def _run(*argv: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main([str(a) for a in argv]) == 0, argv
    return out.getvalue()


@pytest.fixture(scope="module", params=LANGUAGES)
def refreshed(request, tmp_path_factory, demo_data):
    """The demo workbook in one language, refreshed, with both decks and the read-only verbs' output."""
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    language = request.param
    data = in_language(demo_data, language)
    folder = tmp_path_factory.mktemp(f"voice_{language}")
    book = folder / "pipeline.xlsx"
    write_pipeline_workbook(data, book)
    day = DEMO_AS_OF.isoformat()
    printed = [_run("refresh", book, "--as-of", day)]
    decks = [folder / "weekly.pptx", folder / "monthly.pptx"]
    printed.append(_run("deck", "weekly", book, "--as-of", day, "--out", decks[0]))
    printed.append(_run("deck", "monthly", book, "--as-of", day, "--out", decks[1]))
    for verb in (["alerts"], ["risks"], ["forecast", "--period", "month"], ["kpis", "--period", "month"],
                 ["check"]):
        printed.append(_run(verb[0], book, *verb[1:], *(["--as-of", day] if verb[0] != "check" else [])))
    printed = [text.replace(str(folder), " ") for text in printed]  # the test's own folder names
    return language, data, book, decks, printed, _identifiers(book) | _kpi_labels(data, language)


def _open(book: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # openpyxl drops the sparklines' extension it does not read
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(book)


def _identifiers(book: Path) -> set[str]:
    """The words of what names a table rather than says something: the workbook's sheet names, the headers
    of its tables and of the product's hidden sheets (read back by name at the next refresh), and the
    canonical table and column names (``Deals``, ``stage``)."""
    wb = _open(book)
    texts = list(wb.sheetnames)
    for ws in wb.worksheets:
        if ws.title in (SHEET_NAME, QUALITY_SHEET):
            continue
        heads = [ws[table.ref][0] for table in ws.tables.values()] or [next(ws.iter_rows(max_row=1), ())]
        texts += [c.value for row in heads for c in row if isinstance(c.value, str)]
    for table in (*schema.TABLES.values(), schema.FORECAST_HISTORY):
        texts += [table.name, *(column.name.replace("_", " ") for column in table.columns)]
    return words_in(texts)


def _kpi_labels(data, language: str) -> set[str]:
    """The KPI names in the reader's language, as the workbook's own KPI dictionary holds them (a sheet the
    client may edit, shown as it stands)."""
    from kpicore.metrics.dictionary import dictionary_of

    return words_in([getattr(d, f"label_{language}") for d in dictionary_of(data).definitions])


def _cell_texts(value: str) -> list[str]:
    """A cell's text; of a formula, its sentences only (string literals with a space, not a sheet link)."""
    if not value.startswith("="):
        return [value]
    return [t for t in LITERAL.findall(value) if " " in t and not t.startswith("#")]


def _foreign(texts: list[str], language: str, data, names: set[str]) -> set[str]:
    return foreign_words([IDENTIFIER.sub(" ", t) for t in texts], language, data, allowed=names)


def _sheet_texts(book: Path, sheet: str) -> list[str]:
    ws = _open(book)[sheet]
    texts = [t for row in ws.iter_rows() for c in row if isinstance(c.value, str) for t in _cell_texts(c.value)]
    for validation in ws.data_validations.dataValidation:
        texts += [validation.formula1 or "", validation.prompt or "", validation.promptTitle or "",
                  validation.error or "", validation.errorTitle or ""]
    return texts


@pytest.mark.parametrize("sheet", [SHEET_NAME, QUALITY_SHEET])
def test_the_sheets_hold_no_word_of_the_other_language(refreshed, sheet):
    language, data, book, _, _, names = refreshed
    texts = _sheet_texts(book, sheet)
    assert len(texts) > (20 if sheet == SHEET_NAME else 3), sheet
    assert _foreign(texts, language, data, names) == set(), (language, sheet)


def test_the_decks_hold_no_word_of_the_other_language(refreshed):
    language, data, _, decks, _, names = refreshed
    for deck in decks:
        texts = deck_texts(deck)
        assert len(texts) > 50, deck.name
        assert _foreign(texts, language, data, names) == set(), (language, deck.name)


def test_what_the_command_line_prints_holds_no_word_of_the_other_language(refreshed):
    language, data, _, _, printed, names = refreshed
    assert _foreign(printed, language, data, names) == set(), language


def test_the_check_has_words_to_look_for():
    """The lists are long enough for the tests above to mean something, and they tell the languages apart."""
    from tests.support.deck_text import product_words_of

    french, english = product_words_of("fr", "en"), product_words_of("en", "fr")
    assert len(french) > 300 and len(english) > 300
    assert {"semaine", "objectif", "affaires", "novembre", "lundi"} <= french
    assert {"week", "target", "november", "monday"} <= english
