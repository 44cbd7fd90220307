"""The cockpit in the reader's language: no word of the other language, a view selector that reads
both, alerts shown in full, rows tall enough for their wrapped text, and one A4 page in print."""

from __future__ import annotations

import re
import warnings
from datetime import datetime

import pytest

from kpicore.cockpit.build import MAX_ALERTS, VIEW_CELL, VIEWS, build_cockpit, resolve_view
from kpicore.cockpit.spec import Block, Cell, CockpitSpec
from kpicore.demo.company import DEMO_AS_OF
from kpicore.metrics.alerts import compute_alerts
from kpicore.model import schema
from kpicore.model.messages import Message
from kpicore.text.catalogue import render, words
from kpicore.text.sheets import fitted_heights, rendered

NOW = datetime(2026, 11, 20, 8, 30)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text) if len(w) >= 2}


def in_language(data, language: str):
    """The demo company with Settings ``language`` set."""
    s = data.settings.copy()
    s.loc[s["key"] == "language", "value"] = language
    return data.with_frames(settings=schema.conform(s, schema.SETTINGS))


@pytest.fixture(scope="module")
def built(demo_data):
    """One cockpit of each view, as the engine builds it (Messages not yet rendered)."""
    rep = sorted(demo_data.reps["rep"])[0]
    return {view: build_cockpit(demo_data, DEMO_AS_OF, view=view, who=rep if view == "rep" else None,
                                refreshed_at=NOW, n_sims=100) for view in VIEWS}


def _client_words(data) -> set[str]:
    """The words of the client's names a cockpit shows as typed: reps, teams, accounts, stages, the company."""
    names = [*data.reps["rep"], *data.reps["team"], *data.deals["account"], *data.deals["stage"],
             *data.deals["deal_id"], data.setting("company_name")]
    return set().union(*(_words(str(n)) for n in names if isinstance(n, str)))


def _sheet_words(spec: CockpitSpec) -> set[str]:
    texts = [c.value for c in spec.cell_map().values() if isinstance(c.value, str)]
    for v in spec.validations:
        texts += [*v.choices, v.prompt, v.title, v.error]
    return set().union(*(_words(t) for t in texts))


@pytest.mark.parametrize("language, other", [("en", "fr"), ("fr", "en")])
def test_the_cockpit_holds_no_word_of_the_other_language(built, demo_data, language, other):
    foreign = {w for w in words(other) - words(language) if len(w) >= 2}
    allowed = _client_words(demo_data)
    assert len(foreign) > 50  # the check has words to look for
    for view, spec in built.items():
        seen = (_sheet_words(rendered(spec, language)) & foreign) - allowed
        assert seen == set(), (view, sorted(seen))


def test_each_language_has_its_own_labels(built):
    en, fr = rendered(built["manager"], "en"), rendered(built["manager"], "fr")
    assert (en.language, fr.language) == ("en", "fr")
    en_texts = {c.value for c in en.cell_map().values()}
    fr_texts = {c.value for c in fr.cell_map().values()}
    assert {"Average deal size", "Reps", "Deals at risk this week", "Forecast · November 2026"} <= en_texts
    assert {"Panier moyen", "Commerciaux", "Affaires à risque cette semaine", "Prévision · novembre 2026"} <= fr_texts
    subtitle = en.block("header").cells[1][0].value
    assert "November 2026 · week 47 · Company · data as of 11/20/2026 · refreshed on 11/20/2026 at 08:30" == subtitle
    assert fr.block("header").cells[1][0].value == ("novembre 2026 · semaine 47 · Entreprise · données au "
                                                    "20/11/2026 · actualisé le 20/11/2026 à 08:30")
    # no Message is left for a writer, wherever it hides
    for spec in (en, fr):
        assert not any(isinstance(c.value, Message) or (c.formula is not None and not isinstance(c.formula, str))
                       for c in spec.cell_map().values())


@pytest.mark.parametrize("language, names", [("fr", ("Manager", "Direction", "Commercial")),
                                             ("en", ("Manager", "Executive", "Rep"))])
def test_the_view_selector_round_trips_in_each_language(built, language, names):
    for view, spec in built.items():
        shown = rendered(spec, language)
        selector = shown.validations[0]
        assert selector.cell == "J1" and selector.choices == names
        cell = shown.cell_map()[VIEW_CELL].value
        assert cell == names[VIEWS.index(view)]
        assert resolve_view(None, cell, None) == view  # what the refresh reads back
        assert resolve_view(None, cell.upper(), None) == view


def test_a_refresh_reads_back_the_english_view_cell(demo_data, tmp_path):
    """A manager of an English workbook picks « Executive »; the next refresh builds that view, in English."""
    import openpyxl

    from addin.actions.refresh import refresh, summary
    from addin.engines.file import FileWorkbook
    from kpicore.cockpit.build import SHEET_NAME
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    book = write_pipeline_workbook(in_language(demo_data, "en"), tmp_path / "pipeline_en.xlsx")
    first = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=100)
    assert first.view == "manager" and first.spec.language == "en"
    assert summary(first).startswith("Cockpit refreshed: Manager view, data as of 11/20/2026.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(book)
    assert wb[SHEET_NAME].cell(VIEW_CELL[0] + 1, VIEW_CELL[1] + 1).value == "Manager"
    wb[SHEET_NAME].cell(VIEW_CELL[0] + 1, VIEW_CELL[1] + 1).value = "Executive"
    wb.save(book)
    again = refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=100)
    assert again.view == "direction"
    assert again.spec.cell_map()[VIEW_CELL].value == "Executive"
    assert summary(again, "fr").startswith("Cockpit actualisé : vue Direction, données au 20/11/2026.")


def test_each_alert_reads_in_full_and_the_rest_are_counted(built, demo_data):
    everyone = compute_alerts(demo_data, DEMO_AS_OF, demo_data.dictionary)  # the manager of the company: all
    assert len(everyone) > MAX_ALERTS  # the demo has more than the cockpit shows
    for language, more in (("fr", f"Et {len(everyone) - MAX_ALERTS} autres alertes"),
                           ("en", f"And {len(everyone) - MAX_ALERTS} more alerts")):
        block = rendered(built["manager"], language).block("alerts")
        rows = block.cells[1:]
        shown = rows[:MAX_ALERTS]
        for row, alert in zip(shown, everyone):
            title, detail, action = row[1].value, row[4].value, row[8].value
            assert title == render(alert.title, language)
            assert detail == render(alert.detail, language)
            assert action.endswith(render(alert.action, language))  # after « À faire : » / "To do: "
            assert not any("…" in t for t in (title, detail, action))
            assert {row[1].style, row[4].style, row[8].style} <= {"wrap_bold", "note", "wrap_small"}
        assert rows[MAX_ALERTS][1].value.startswith(more)
        assert len(rows) == MAX_ALERTS + 1


def test_a_team_without_many_alerts_has_no_more_line(demo_data):
    spec = rendered(build_cockpit(demo_data, DEMO_AS_OF, view="rep", who=sorted(demo_data.reps["rep"])[-1],
                                  refreshed_at=NOW, n_sims=50), "fr")
    texts = [c.value for row in spec.block("alerts").cells for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("Et ") for t in texts)


def test_wrapped_rows_are_as_tall_as_their_words():
    # 20 words of 4 letters over two columns 10 wide: the 9-point note holds 28 characters a line
    # (1.4 a unit), so 5 words a line (5 × 4 + 4 spaces = 24; a sixth needs 29), 4 lines of 11
    # points and 2 of padding: 46 points, kept in whole pixels (0.75 pt): 46.5
    text = " ".join(["abcd"] * 20)
    spec = CockpitSpec("S", "manager", "fr", (Block("b", 2, 0, ((Cell(text, "note"), Cell(None)),),
                                                    merges=((2, 0, 2, 1),)),), column_widths=(10, 10))
    assert fitted_heights(spec) == {2: 46.5}
    # a short text leaves its row alone; a height the builder set is never lowered
    short = CockpitSpec("S", "manager", "fr", (Block("b", 0, 0, ((Cell("abcd", "note"),),)),),
                        column_widths=(10,), row_heights={0: 30})
    assert fitted_heights(short) == {0: 30}


def print_scale(spec: CockpitSpec) -> float:
    """The scale a fit-to-one-page print gives: A4 landscape (842 × 595 points) less the margins,
    against the printed columns' width (a width of w characters is 7w + 5 pixels, 0.75 point each)
    and the rows' heights (15 points unless set)."""
    p = spec.print_setup
    margin = p.margins_cm / 2.54 * 72
    last_row = max(b.row + b.height for b in spec.blocks)
    width = sum((7 * w + 5) * 0.75 for c, w in enumerate(spec.column_widths) if c not in spec.hidden_columns)
    height = sum(spec.row_heights.get(r, 15.0) for r in range(last_row))
    return min(1.0, (842 - 2 * margin) / width, (595 - 2 * margin) / height)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_printed_page_stays_readable(built, language):
    for view, spec in built.items():
        shown = rendered(spec, language)
        assert (shown.print_setup.fit_width, shown.print_setup.fit_height) == (1, 1)
        assert print_scale(shown) >= 0.55, view


@pytest.mark.libreoffice
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_cockpit_prints_on_one_a4_page(soffice, demo_data, tmp_path, language):
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from kpicore.cockpit.build import SHEET_NAME
    from PIL import Image

    from workbook_templates.libreoffice import sheet_png
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    book = tmp_path / f"pipeline_{language}.xlsx"
    write_pipeline_workbook(in_language(demo_data, language), book)
    refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, now=NOW, n_sims=100)
    pages = sheet_png(book, SHEET_NAME, tmp_path / "png", dpi=40)
    assert len(pages) == 1, pages  # one PNG per page of the cockpit's PDF
    with Image.open(pages[0]) as page:
        width, height = page.size
    assert width / height == pytest.approx(297 / 210, rel=0.02)  # A4 landscape
