"""The catalogues: every code in both languages, figures rendered by each language's rules."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from kpicore.model.messages import Message
from kpicore.model.periods import parse_period
from kpicore.model.roster import Scope
from kpicore.text.catalogue import catalogue, language_of, period_label, render, say, words


def test_both_catalogues_hold_the_same_codes():
    assert set(catalogue("fr")) == set(catalogue("en"))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_a_code_takes_the_same_figures_in_both_languages():
    fr, en = catalogue("fr"), catalogue("en")
    different = {code: (_fields(fr[code]), _fields(en[code])) for code in fr if _fields(fr[code]) != _fields(en[code])}
    assert different == {}


@pytest.mark.parametrize("setting, expected", [("en", "en"), ("EN-gb", "en"), ("English", "en"), ("anglais", "en"),
                                               ("fr", "fr"), ("", "fr"), (None, "fr"), ("de", "fr")])
def test_language_of_a_setting(setting, expected):
    assert language_of(setting) == expected


def test_periods_and_scopes_read_in_each_language():
    march, q1 = parse_period("2026-03", 1), parse_period("2026-Q1", 1)
    assert (period_label(march, "fr"), period_label(march, "en")) == ("mars 2026", "March 2026")
    assert (period_label(q1, "fr"), period_label(q1, "en")) == ("T1 2026", "Q1 2026")
    assert period_label(parse_period("2026-W12", 1), "en", short=True) == "W12"
    assert say("scope.team", "en", name="Nord") == "Team Nord"
    assert render(Message.of("scope.team", name="Nord"), "fr") == "Équipe Nord"
    assert render("texte du client", "en") == "texte du client"


def test_a_figure_follows_its_spec_and_plural_rules():
    from kpicore.text.catalogue import figure_text
    assert figure_text(0.234, "percent", "fr") == "23\u00a0%"
    assert figure_text(0.234, "percent", "en") == "23%"
    assert figure_text(12500.4, "money", "en") == "€12,500"
    assert figure_text(-3.0, "money+", "fr") == "\u22123\u00a0€"
    assert figure_text(date(2026, 3, 4), "", "en") == "3/4/2026"
    assert figure_text(1, "count|affaire|affaires", "fr") == "1 affaire"
    assert figure_text(0, "count|affaire|affaires", "fr") == "0 affaire"
    assert figure_text(0, "count|deal|deals", "en") == "0 deals"
    assert figure_text(Scope.company(), "", "en") == "Company"


def test_the_word_list_holds_message_words_and_calendar_names():
    fr = words("fr")
    assert {"semaine", "exercice", "mars", "lundi", "février"} <= fr
    assert "week" in words("en") and "week" not in fr
    assert not any(re.search(r"[{}]", w) for w in fr)
