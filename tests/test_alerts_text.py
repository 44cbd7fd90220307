"""Every alert kind reads in French and in English: no missing code, no figure left unfilled, the figures
formatted by the language's rules, and no word of the other language's own."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from kpicore.demo.company import DEMO_AS_OF
from kpicore.metrics.alerts import KINDS, compute_alerts
from kpicore.text import formats
from kpicore.text.catalogue import render, words

from support.kpi_builders import deal, make_data

AS_OF = date(2026, 11, 20)


def _deal_size_alerts():
    """The demo has no falling deal size: five deals of 5,000 in the last 3 months, five of 10,000 before."""
    day = lambda n: (AS_OF - timedelta(days=n)).isoformat()  # noqa: E731
    deals = [deal(f"R{i}", "Alice", "won", 5_000, day(100), closed=day(10 + i)) for i in range(5)]
    deals += [deal(f"P{i}", "Alice", "won", 10_000, day(300), closed=day(120 + i)) for i in range(5)]
    return [a for a in compute_alerts(make_data(deals, reps={"Alice": "Nord"}), AS_OF)
            if a.kind == "deal_size_falling"]


@pytest.fixture(scope="module")
def every_kind(demo_data):
    alerts = compute_alerts(demo_data, DEMO_AS_OF) + _deal_size_alerts()
    assert {a.kind for a in alerts} == set(KINDS), "each kind needs an example"
    return alerts


def _texts(alert, language):
    return [render(m, language) for m in (alert.title, alert.detail, alert.action, alert.severity_label)]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_alert_renders_whole(every_kind, language):
    for alert in every_kind:
        for text in _texts(alert, language):
            assert text and not re.search(r"[{}]", text), (alert.kind, text)
        assert render(alert.title, language).startswith(
            alert.scope.name if alert.scope.level == "rep" else {"fr": "É", "en": "T"}[language]
            if alert.scope.level == "team" else {"fr": "Entreprise", "en": "Company"}[language])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_stake_is_written_in_the_language(every_kind, language):
    # the stake reads in the detail of the kinds that project or count it (behind_target shows the pace due
    # and the revenue won instead, its stake being their difference)
    for alert in every_kind:
        if alert.stake_eur is not None and alert.kind != "behind_target":
            assert formats.money(alert.stake_eur, locale=language) in render(alert.detail, language), alert.kind
        if alert.kind == "behind_target":
            numbers = dict(alert.numbers)
            for which in ("month", "quarter"):
                if f"{which}_pace" in numbers:
                    assert formats.money(numbers[f"{which}_pace"], locale=language) in render(alert.detail, language)


def test_the_deal_size_alert_by_hand():
    (alert,) = [a for a in _deal_size_alerts() if a.scope.code == "rep:Alice"]
    # 5,000 now against 10,000 before, on the 5 deals of the last 3 months: 5 × 5,000 less
    assert render(alert.detail, "en") == ("€5,000 over the last 3 months (5 deals) against €10,000 over the 6 "
                                          "months before, €25,000 less on these deals.")
    assert render(alert.detail, "fr").replace("\u202f", " ").replace("\u00a0", " ") == (
        "5 000 € sur les 3 derniers mois (5 affaires) contre 10 000 € sur les 6 mois précédents, soit 25 000 € "
        "de moins sur ces affaires.")


def test_no_french_in_english_alerts_nor_english_in_french(every_kind, demo_data):
    # the client's own words (names of reps and teams) are theirs, whatever the language
    own = {w.lower() for name in list(demo_data.reps["rep"]) + list(demo_data.reps["team"]) + ["Alice", "Nord"]
           for w in re.findall(r"[^\W\d_]+", str(name))}
    for language, other in (("en", "fr"), ("fr", "en")):
        foreign = {w for w in words(other) - words(language) if len(w) >= 2} - own
        for alert in every_kind:
            for text in _texts(alert, language):
                found = {w.lower() for w in re.findall(r"[^\W\d_]+", text)} & foreign
                assert not found, (language, alert.kind, found, text)


def test_each_alert_is_as_leading_as_the_method_says(every_kind):
    # activity (meetings, proposals) leads revenue; conversion, deal size, cycle and pace are results
    from kpicore.metrics.alerts import HORIZON_OF_KIND

    assert HORIZON_OF_KIND == {"meetings_falling": "leading", "few_proposals": "leading",
                               "low_conversion": "lagging", "deal_size_falling": "lagging",
                               "cycle_lengthening": "lagging", "behind_target": "lagging"}
    # the shipped dictionary, which the rules read, says the same of each alert's KPI
    assert all(a.horizon == HORIZON_OF_KIND[a.kind] for a in every_kind)
