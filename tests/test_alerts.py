"""Alerts on hand-built frames: each rule fires where it should and stays quiet elsewhere."""

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from kpicore.metrics.alerts import HIGH, binom_cdf, compute_alerts, rank_test_greater
from kpicore.text.catalogue import render

from support.kpi_builders import act, deal, make_data, target

AS_OF = date(2026, 11, 20)
REPS = {"Alice": "Nord", "Bob": "Nord", "Chloé": "Nord"}


def d(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


def of_kind(alerts, kind):
    return {a.scope.code: a for a in alerts if a.kind == kind}


def test_binomial_tail_by_hand():
    assert binom_cdf(0, 10, 0.25) == pytest.approx(0.75 ** 10)
    assert binom_cdf(1, 12, 0.25) == pytest.approx(0.75 ** 12 + 12 * 0.25 * 0.75 ** 11)
    assert binom_cdf(5, 5, 0.3) == 1.0


def test_rank_test_by_hand():
    # 4 values all above 4 others: U = 16, sd = sqrt(4·4·9/12) = sqrt(12); z = (16 − 8 − 0.5)/sqrt(12)
    z = 7.5 / math.sqrt(12)
    assert rank_test_greater([60] * 4, [30] * 4) == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))
    assert rank_test_greater([], [1, 2]) == 1.0


def test_low_conversion():
    deals = []
    # Alice: 1 won out of 12 proposals decided in the last 91 days (8 %); P(X <= 1 | 12, 25 %) = 0.16 < 0.2
    for i in range(12):
        deals.append(deal(f"A{i}", "Alice", "won" if i == 0 else "lost", 10_000, d(200), closed=d(10 + i),
                          proposal=d(40)))
    # Bob: 3 out of 10 (30 %): above the threshold
    for i in range(10):
        deals.append(deal(f"B{i}", "Bob", "won" if i < 3 else "lost", 10_000, d(200), closed=d(10 + i),
                          proposal=d(40)))
    co_visits = [{"date": pd.Timestamp(d(5)), "rep": "Alice", "discovery_quality": 2, "proposal_relevance": 3,
                  "customer_satisfaction": 4}]
    alerts = of_kind(compute_alerts(make_data(deals, reps=REPS, co_visits=co_visits), AS_OF), "low_conversion")
    assert set(alerts) == {"rep:Alice"}  # Nord: 4 / 22 = 18 %, but P(X <= 4 | 22, 25 %) = 0.29: noise
    a = alerts["rep:Alice"]
    numbers = dict(a.numbers)
    assert numbers["conversion"] == pytest.approx(1 / 12)
    assert numbers["discovery"] == 2  # the co-visit score beside the conversion
    assert a.severity == HIGH  # 8 % < 25 % × 0.6
    # what a 25 % conversion would have won: (0.25 × 12 − 1) wins × 10,000
    assert a.stake_eur == pytest.approx((0.25 * 12 - 1) * 10_000)
    assert "découverte 2,0/5" in render(a.detail, "fr")
    assert "discovery 2.0/5" in render(a.detail, "en")


def test_meetings_falling_with_impact_and_landing_dates():
    acts, deals = [], []
    for week in range(12):  # week 0 is the last 7 days
        per_week = 1 if week < 4 else 3  # Alice: 3 a week for 8 weeks, then 1 a week
        acts += [act(d(7 * week + k), "Alice", "qualified_meeting") for k in range(per_week)]
        acts += [act(d(7 * week + k), "Bob", "qualified_meeting") for k in range(2)]  # Bob: steady 2 a week
    for i in range(7):  # Alice won 7 deals of 10,000 over the year
        deals.append(deal(f"W{i}", "Alice", "won", 10_000, d(300), closed=d(100 + 10 * i)))
    alerts = of_kind(compute_alerts(make_data(deals, acts, REPS), AS_OF), "meetings_falling")
    assert "rep:Bob" not in alerts
    a = alerts["rep:Alice"]
    numbers = dict(a.numbers)
    assert numbers["now"] == pytest.approx(1) and numbers["before"] == pytest.approx(3)
    assert numbers["drop"] == pytest.approx(2 / 3) and a.severity == HIGH
    # 8 meetings lost in 4 weeks; the stake projects the shortfall of 2 a week over a quarter (13 weeks):
    # 26 meetings × 7 wins per 28 meetings over the year × 10,000
    assert numbers["lost"] == pytest.approx((3 - 1) * 4)
    assert a.stake_eur == pytest.approx(26 * (7 / 28) * 10_000)
    # the next 13 weeks' meetings would have turned into revenue 60 to 90 days after each
    assert (a.lands_from, a.lands_to) == (AS_OF + timedelta(days=60), AS_OF + timedelta(days=91 + 90))
    assert a.leading


def test_many_meetings_few_proposals():
    acts = []
    for rep, meetings, proposals in (("Alice", 20, 2), ("Bob", 10, 6), ("Chloé", 10, 5)):
        acts += [act(d(1 + i), rep, "qualified_meeting") for i in range(meetings)]
        acts += [act(d(1 + i), rep, "proposal") for i in range(proposals)]
    alerts = of_kind(compute_alerts(make_data(activities=acts, reps=REPS), AS_OF), "few_proposals")
    # Alice: 2/20 = 0.10 against (6 + 5)/(10 + 10) = 0.55 for the rest of Nord; Bob: 0.6 against 7/30.
    assert set(alerts) == {"rep:Alice"}
    assert dict(alerts["rep:Alice"].numbers)["reference"] == pytest.approx(11 / 20)


def test_cycle_lengthening():
    deals = [deal(f"R{i}", "Alice", "won", 5_000, d(10 + i + 60), closed=d(10 + i)) for i in range(4)]
    deals += [deal(f"P{i}", "Alice", "won", 5_000, d(120 + i + 30), closed=d(120 + i)) for i in range(4)]
    deals += [deal(f"B{i}", "Bob", "won", 5_000, d(10 + i + 30), closed=d(10 + i)) for i in range(4)]
    deals += [deal(f"Q{i}", "Bob", "won", 5_000, d(120 + i + 30), closed=d(120 + i)) for i in range(4)]
    alerts = of_kind(compute_alerts(make_data(deals, reps=REPS), AS_OF), "cycle_lengthening")
    assert "rep:Bob" not in alerts
    numbers = dict(alerts["rep:Alice"].numbers)
    assert (numbers["now"], numbers["before"]) == (60, 30)
    assert alerts["rep:Alice"].stake_eur is None  # a longer cycle delays revenue, no euros lost to count


def test_deal_size_falling():
    deals = [deal(f"R{i}", "Alice", "won", 5_000 + i, d(100), closed=d(10 + i)) for i in range(5)]
    deals += [deal(f"P{i}", "Alice", "won", 10_000 + i, d(300), closed=d(120 + i)) for i in range(5)]
    alerts = of_kind(compute_alerts(make_data(deals, reps=REPS), AS_OF), "deal_size_falling")
    a = alerts["rep:Alice"]
    assert dict(a.numbers)["now"] == pytest.approx(5_002)  # mean of 5,000 .. 5,004
    assert a.stake_eur == pytest.approx((10_002 - 5_002) * 5)


def test_behind_target_pace_and_sorting():
    deals = [deal("A1", "Alice", "won", 5_000, d(30), closed=d(3)),
             deal("B1", "Bob", "won", 18_000, d(30), closed=d(3))]
    targets = [target("2026-11", "rep", "Alice", 30_000), target("2026-11", "rep", "Bob", 24_000),
               target("2026-11", "rep", "Chloé", 3_000)]
    alerts = compute_alerts(make_data(deals, reps=REPS, targets=targets, inactive=("Chloé",)), AS_OF)
    behind = of_kind(alerts, "behind_target")
    # 20 of 30 November days elapsed: Alice's pace is 30,000 × 20/30 = 20,000, she has 5,000 (< 50 %: high);
    # Bob's is 16,000 and he has 18,000; Chloé is inactive; the quarter has no October target.
    assert set(behind) == {"rep:Alice", "team:Nord", "company"}
    assert dict(behind["rep:Alice"].numbers)["month_pace"] == pytest.approx(20_000)
    assert behind["rep:Alice"].severity == HIGH and behind["rep:Alice"].stake_eur == pytest.approx(15_000)
    # Nord: 57,000 × 2/3 = 38,000 of pace for 23,000 won: medium, 15,000 at stake like Alice, after her (high)
    assert behind["team:Nord"].severity == "medium"
    assert alerts.index(behind["rep:Alice"]) < alerts.index(behind["team:Nord"])
    keys = [a.sort_key() for a in alerts]
    assert keys == sorted(keys)


def test_no_data_no_alert():
    assert compute_alerts(make_data(reps=REPS), AS_OF) == []


def test_no_rep_at_all_gives_no_rep_alert_and_no_error():
    """A file whose every deal was excluded (nothing kept, no activity) still gets its alerts computed:
    none about a rep, since there is none."""
    data = make_data(deals=[], activities=[])
    alerts = compute_alerts(data, date(2026, 3, 31))
    assert [a for a in alerts if a.scope.level == "rep"] == []
