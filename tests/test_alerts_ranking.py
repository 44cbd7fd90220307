"""The stake of each alert, the ranking by it (leading before lagging at equal stake) and one line per cause.

A small company built by hand, as of Friday 20 November 2026 (20 of November's 30 days,
51 of the fourth quarter's 92 elapsed), team Nord:

- Alice has a revenue target of 30,000 a month from October; she won 10,000 on 11 October
  and 5,000 on 17 November, and makes no meetings;
- Bob has no target; he won 18,000 on 11 October and 18,000 on 17 November, and made 3
  qualified meetings a week for 8 weeks, then 1 a week for the last 4.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from kpicore.metrics.alerts import HIGH, KINDS, LOW, MEDIUM, Alert, compute_alerts
from kpicore.model.kpi_dictionary import LAGGING, LEADING
from kpicore.model.messages import Message
from kpicore.model.roster import Scope
from kpicore.text.catalogue import render

from support.kpi_builders import act, deal, make_data, target

AS_OF = date(2026, 11, 20)
REPS = {"Alice": "Nord", "Bob": "Nord"}


def d(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


def plain(text: str) -> str:
    """French numbers hold narrow and non-breaking spaces; the expected texts below are typed with plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture(scope="module")
def alerts() -> list[Alert]:
    deals = [deal("A1", "Alice", "won", 10_000, d(100), closed=d(40)),
             deal("A2", "Alice", "won", 5_000, d(100), closed=d(3)),
             deal("B1", "Bob", "won", 18_000, d(100), closed=d(40)),
             deal("B2", "Bob", "won", 18_000, d(100), closed=d(3))]
    acts = []
    for week in range(12):  # week 0 is the last 7 days
        acts += [act(d(7 * week + k), "Bob", "qualified_meeting") for k in range(1 if week < 4 else 3)]
    targets = [target(month, "rep", "Alice", 30_000) for month in ("2026-10", "2026-11", "2026-12")]
    return compute_alerts(make_data(deals, acts, REPS, targets), AS_OF)


def test_the_stakes_by_hand(alerts):
    got = {(a.kind, a.scope.code): a for a in alerts}
    # Alice, month: 30,000 × 20/30 = 20,000 due, 5,000 won: 15,000 behind.  Quarter: October's 30,000
    # in full + 20,000 of November = 50,000 due, 15,000 won: 35,000 behind.  One alert, the larger gap.
    alice = got["behind_target", "rep:Alice"]
    assert alice.stake_eur == pytest.approx(35_000)
    # Bob: 3 − 1 = 2 meetings a week fewer, over a quarter 26; 2 wins out of 28 meetings in the year, of
    # 18,000 each on average.
    bob = got["meetings_falling", "rep:Bob"]
    assert bob.stake_eur == pytest.approx(26 * 2 / 28 * 18_000)  # 33,428.57
    # Nord (and the company, the same people): the same 26 meetings, 4 wins out of 28 meetings, of
    # (10,000 + 5,000 + 18,000 + 18,000) / 4 = 12,750 on average.
    for scope in ("team:Nord", "company"):
        assert got["meetings_falling", scope].stake_eur == pytest.approx(26 * 4 / 28 * 12_750)  # 47,357.14
    # Nord is on pace (month: 23,000 won for 20,000 due; quarter: 51,000 for 50,000), so is the company.
    assert set(got) == {("behind_target", "rep:Alice"), ("meetings_falling", "rep:Bob"),
                        ("meetings_falling", "team:Nord"), ("meetings_falling", "company")}


def test_ranked_by_stake_leading_first_at_equal_stake(alerts):
    order = [(a.kind, a.scope.code) for a in alerts]
    # 47,357 (company, then the team: same stake, same kind) above the 31,623–39,811 step that holds
    # both Bob's 33,429 and Alice's 35,000; within that step the leading alert (meetings) comes
    # first although its euros are a little fewer, as both are known to about a quarter.
    assert order == [("meetings_falling", "company"), ("meetings_falling", "team:Nord"),
                     ("meetings_falling", "rep:Bob"), ("behind_target", "rep:Alice")]
    assert [a.horizon for a in alerts] == [LEADING, LEADING, LEADING, LAGGING]
    assert alerts[2].severity == alerts[3].severity == HIGH  # so severity did not decide between them


def test_behind_on_month_and_quarter_is_one_line(alerts):
    alice = next(a for a in alerts if a.kind == "behind_target")
    numbers = dict(alice.numbers)
    assert (numbers["month_won"], numbers["month_pace"], numbers["month_target"]) == (5_000, 20_000, 30_000)
    assert (numbers["quarter_won"], numbers["quarter_pace"], numbers["quarter_target"]) == (15_000, 50_000, 90_000)
    assert numbers["quarter_share"] == pytest.approx(51 / 92)
    assert alice.severity == HIGH  # 5,000 is under half of the 20,000 due
    assert render(alice.title, "fr") == "Alice : en retard sur les objectifs de novembre 2026 et du T4 2026"
    assert render(alice.title, "en") == "Alice: behind the November 2026 and Q4 2026 targets"
    assert plain(render(alice.detail, "fr")) == (
        "Au 20/11/2026 : novembre 2026, 5 000 € signés sur 20 000 € attendus à ce jour (objectif 30 000 €, "
        "67 % de la période écoulée) ; T4 2026, 15 000 € signés sur 50 000 € attendus à ce jour "
        "(objectif 90 000 €, 55 % de la période écoulée).")
    assert render(alice.detail, "en") == (
        "As of 11/20/2026: November 2026, €5,000 signed against €20,000 due by now (target €30,000, "
        "67% of the period elapsed); Q4 2026, €15,000 signed against €50,000 due by now (target €90,000, "
        "55% of the period elapsed).")


def test_the_meetings_alert_reads_its_figures(alerts):
    bob = next(a for a in alerts if a.scope.code == "rep:Bob")
    assert render(bob.title, "fr") == "Bob : RDV qualifiés en baisse de 67 %".replace(" %", "\u00a0%")
    assert plain(render(bob.detail, "fr")) == (
        "RDV qualifiés par semaine : 1,0 sur les 4 dernières semaines contre 3,0 sur les 8 précédentes, soit "
        "environ 8 RDV perdus. À ce rythme, le prochain trimestre comptera environ 26 RDV de moins : "
        "33 429 € de CA en moins entre le 19/01/2027 et le 20/05/2027.")
    assert render(bob.detail, "en") == (
        "Qualified meetings a week: 1.0 over the last 4 weeks against 3.0 over the 8 weeks before, about "
        "8 meetings lost. At this pace, the next quarter will hold about 26 fewer meetings: €33,429 less "
        "revenue between 1/19/2027 and 5/20/2027.")
    assert render(bob.severity_label, "fr") == "Haute" and render(bob.severity_label, "en") == "High"


# -- the ranking as a property --------------------------------------------------------------------------

_SCOPES = st.sampled_from([Scope.company(), Scope.team("Nord"), Scope.team("Sud"), Scope.rep("Alice"),
                           Scope.rep("Bob")])
_STAKES = st.one_of(st.none(), st.floats(min_value=1.0, max_value=1e7, allow_nan=False))


@st.composite
def an_alert(draw, stake=_STAKES, horizon=st.sampled_from([LEADING, LAGGING])) -> Alert:
    kind = draw(st.sampled_from(KINDS))
    empty = Message.of(f"alert.{kind}.action")
    return Alert(kind=kind, severity=draw(st.sampled_from([HIGH, MEDIUM, LOW])), scope=draw(_SCOPES),
                 title=empty, detail=empty, action=empty, kpi="x", horizon=draw(horizon), stake_eur=draw(stake))


def _ranked(*alerts: Alert) -> list[Alert]:
    return sorted(alerts, key=Alert.sort_key)


@given(an_alert(stake=st.floats(min_value=1.0, max_value=1e7), horizon=st.just(LEADING)),
       an_alert(stake=st.just(0.0), horizon=st.just(LAGGING)))
def test_at_equal_stake_leading_ranks_before_lagging(lead, lag):
    lag = replace(lag, stake_eur=lead.stake_eur)
    assert _ranked(lag, lead)[0] is lead


@given(an_alert(stake=st.floats(min_value=1.0, max_value=1e6)), an_alert(stake=st.just(0.0)),
       st.floats(min_value=1.26, max_value=100.0))
def test_a_stake_a_step_larger_ranks_first_whatever_else(small, big, ratio):
    # one step of the R10 scale is 10^0.1 = 1.2589: a stake 1.26 times larger is on a higher step
    big = replace(big, stake_eur=small.stake_eur * ratio)
    assert _ranked(small, big)[0] is big


@given(an_alert(stake=st.floats(min_value=1.0, max_value=1e7)), an_alert(stake=st.none()))
def test_an_alert_without_a_stake_comes_after(weighed, unweighed):
    assert _ranked(unweighed, weighed)[0] is weighed


@given(st.lists(an_alert(), max_size=12))
def test_the_order_does_not_depend_on_the_input_order(alerts):
    assert [a.sort_key() for a in _ranked(*alerts)] == [a.sort_key() for a in _ranked(*reversed(alerts))]


# -- one line per scope and cause, on random companies -----------------------------------------------

_DAYS = st.integers(min_value=0, max_value=200)


@st.composite
def a_company(draw):
    reps = {"Alice": "Nord", "Bob": "Nord", "Chloé": "Sud"}
    deals = [deal(f"D{i}", draw(st.sampled_from(sorted(reps))), draw(st.sampled_from(["won", "lost"])),
                  draw(st.integers(1, 50)) * 1_000, d(300), closed=d(draw(_DAYS)),
                  proposal=draw(st.one_of(st.none(), st.just(d(250)))))
             for i in range(draw(st.integers(0, 25)))]
    acts = [act(d(draw(st.integers(0, 83))), draw(st.sampled_from(sorted(reps))),
                draw(st.sampled_from(["qualified_meeting", "proposal"]))) for _ in range(draw(st.integers(0, 60)))]
    # a quarter's target needs its three months': some reps have them all, so that a scope can be behind
    # on both the month and the quarter, the case merged into one alert
    targets = [target(month, "rep", rep, monthly * 1_000) for rep in reps if draw(st.booleans())
               for monthly in [draw(st.integers(1, 40))] for month in ("2026-10", "2026-11", "2026-12")]
    return make_data(deals, acts, reps, targets)


@settings(max_examples=25, deadline=None)
@given(a_company())
def test_no_scope_and_cause_twice(data):
    alerts = compute_alerts(data, AS_OF)
    keys = [(a.scope, a.kind) for a in alerts]
    assert len(keys) == len(set(keys))
    assert all(a.stake_eur is None or (a.stake_eur > 0 and math.isfinite(a.stake_eur)) for a in alerts)


def test_the_steps_of_the_r10_scale():
    from kpicore.metrics.alerts import stake_step

    # 10^4 = 10,000 opens step 40; 10^4.1 = 12,589 opens step 41
    assert [stake_step(x) for x in (10_000, 12_500, 12_600, 99_999, 100_000)] == [40, 40, 41, 49, 50]
    assert stake_step(None) is None and stake_step(0.0) is None and stake_step(float("nan")) is None
