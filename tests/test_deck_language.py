"""The ritual decks in the reader's language: with Settings ``language = en`` no word of the French
catalogue is left on any slide (titles, tables, charts, notes), and the French decks hold no word
of the English one; the client's own words (names, stages, decisions as typed) stay as typed."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from kpicore.demo.company import DEMO_AS_OF
from ritual_decks import formats
from ritual_decks.deck import monthly_deck, weekly_deck
from tests.support.deck_text import check_fit, deck_texts, foreign_words, in_language, words_in

N_SIMS = 200
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def english_data(demo_data):
    return in_language(demo_data, "en")


@pytest.fixture(scope="module")
def english_decks(tmp_path_factory, english_data):
    out = tmp_path_factory.mktemp("en")
    # no language given: the deck reads the workbook's Settings
    return (weekly_deck(english_data, DEMO_AS_OF, out / "weekly.pptx", n_sims=N_SIMS),
            monthly_deck(english_data, DEMO_AS_OF, out / "monthly.pptx", n_sims=N_SIMS))


@pytest.fixture(scope="module")
def french_decks(tmp_path_factory, demo_data):
    out = tmp_path_factory.mktemp("fr")
    return (weekly_deck(demo_data, DEMO_AS_OF, out / "hebdo.pptx", n_sims=N_SIMS),
            monthly_deck(demo_data, DEMO_AS_OF, out / "mensuel.pptx", n_sims=N_SIMS))


def test_the_english_decks_hold_no_french_word(english_decks, english_data):
    for report in english_decks:
        texts = deck_texts(report.path)
        assert texts, report.kind
        assert foreign_words(texts, "en", english_data) == set(), report.kind


def test_the_french_decks_hold_no_english_word(french_decks, demo_data):
    for report in french_decks:
        assert foreign_words(deck_texts(report.path), "fr", demo_data) == set(), report.kind


def test_every_english_text_fits_its_box(english_decks):
    for report in english_decks:
        assert check_fit(Presentation(str(report.path))) > 50, report.kind


def test_the_english_decks_open_in_english(english_decks):
    weekly, monthly = (Presentation(str(r.path)) for r in english_decks)
    first = [sh.text_frame.text for sh in weekly.slides[0].shapes if sh.has_text_frame]
    assert "Weekly pipeline review" in first
    # the demo's week 47 of 2026, its data day written the English way (month first)
    assert any("Week 47 2026" in t and "data as of 11/20/2026" in t for t in first), first
    title = [sh.text_frame.text for sh in monthly.slides[0].shapes if sh.has_text_frame]
    assert "Monthly sales review · October 2026" in title


def won_between(data, lo: str, hi: str) -> float:
    d = data.deals
    m = (d["status"] == "won") & (d["closed_on"] >= pd.Timestamp(lo)) & (d["closed_on"] <= pd.Timestamp(hi))
    return float(d.loc[m.fillna(False), "amount"].sum())


def test_english_figures_read_the_english_way(english_decks, english_data):
    weekly = english_decks[0]
    rows = weekly.slide("week_kpis").rows
    won = round(won_between(english_data, "2026-11-01", "2026-11-20"))
    assert rows[0][0] == "Revenue won this month"
    assert rows[0][1] == f"€{won:,}"  # euro sign first, comma between thousands
    assert weekly.slide("week_kpis").title.startswith(f"November 2026: €{won:,} won")
    # the months of the monthly deck's revenue chart: Nov 25 ... Oct 26, English abbreviations
    prs = Presentation(str(english_decks[1].path))
    chart = next(sh.chart for sh in prs.slides[1].shapes if sh.has_chart)
    assert list(chart.plots[0].categories)[-3:] == ["Aug 26", "Sep 26", "Oct 26"]


def test_short_units_in_english():
    assert formats.days(12, "en") == "12 days"
    assert formats.days(1, "en") == "1 day"
    assert formats.times(4.66, "en") == "4.7×"
    assert formats.days(12) == f"12{NBSP}j"
    assert formats.days(None, "en") == "–"


def test_a_deck_asked_in_english_from_a_french_workbook(tmp_path, demo_data, monkeypatch):
    from addin.actions.decks import deck_name, write_deck

    monkeypatch.setenv("PILOTAGE_LANG", "en")
    path = write_deck(demo_data, "weekly", DEMO_AS_OF, tmp_path / "w.pptx")
    texts = deck_texts(path)
    assert "Weekly pipeline review" in texts
    assert "Revue hebdomadaire du pipeline" not in texts
    assert deck_name("weekly", date(2026, 11, 30), "en") == "Weekly review 2026-11-30"
    assert deck_name("monthly", date(2026, 11, 30)) == "Revue mensuelle 2026-11-30"


def test_a_file_that_is_no_template_is_refused_in_english(tmp_path):
    from kpicore.model.errors import InputFileError
    from ritual_decks.slides import DeckWriter

    bad = tmp_path / "client.pptx"
    bad.write_text("plain text")
    with pytest.raises(InputFileError) as err:
        DeckWriter(bad, "en")
    assert "not a PowerPoint template" in str(err.value)
    with pytest.raises(InputFileError, match="introuvable"):
        DeckWriter(tmp_path / "absent.pptx")


def test_words_read_from_a_deck(tmp_path):
    """The extraction finds text in a chart's series names and categories, and in the notes."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    from tests.support.deck_text import deck_texts as read

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    data = CategoryChartData()
    data.categories = ["Janvier", "Février"]
    data.add_series("Réalisé", (1.0, 2.0))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(4), Inches(3), data)
    slide.notes_slide.notes_text_frame.text = "Note de l'orateur"
    path = tmp_path / "d.pptx"
    prs.save(path)
    found = words_in(read(path))
    assert {"janvier", "février", "réalisé", "note", "orateur", "l'orateur"} <= found


def test_an_unknown_deck_is_refused_in_the_readers_language(tmp_path, demo_data):
    from addin.actions.decks import write_deck
    from kpicore.model.errors import UsageError

    with pytest.raises(UsageError, match="unknown deck “yearly”"):
        write_deck(demo_data, "yearly", DEMO_AS_OF, tmp_path / "q.pptx", language="en")
    with pytest.raises(UsageError, match="deck « yearly » inconnu"):
        write_deck(demo_data, "yearly", DEMO_AS_OF, tmp_path / "q.pptx")
    assert not list(tmp_path.iterdir())  # nothing written
