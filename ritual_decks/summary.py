"""The executive-summary slide that opens every ritual deck (slide 1): the deck's title and subtitle
in its header, the headline in one sentence, three numbers against their targets, the main risk and
the decision asked for.

Its text boxes are named (« Accroche », « Chiffre 1 texte » … « Chiffre 3 texte », « Risque texte »,
« Décision texte ») so that a reader of the file, a test or an e-mail, finds each part.

A deck calls ``summary_slide`` once its other slides are written, with what they computed (its
target checks turned into ``Figure`` by ``kpicore.cockpit.summary.actual_figure`` /
``forecast_figure``, its deals at risk, its alerts, the Actions table); the slide is moved first.
The choices (main risk, decision, headline) are ``kpicore.cockpit.summary``'s; this module words
and places them.  A quarterly deck calls it the same way::

    self.shown.insert(0, summary_slide(w, "quarterly", title, subtitle, figures, as_of,
                                       risk=risk, alerts=alerts, actions=data.actions))
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd
from pptx.enum.text import MSO_ANCHOR

from kpicore.cockpit.summary import (ACTIONS, ALERT, DEAL, FORECAST, MONEY, ExecutiveSummary, Figure,
                                     actual_figure, executive_summary, forecast_figure)
from kpicore.forecast.forecasting import Forecast
from kpicore.forecast.risk import RiskReport, deals_at_risk
from kpicore.metrics.alerts import Alert, compute_alerts
from kpicore.metrics.kpis import KpiEngine
from kpicore.metrics.targets import TargetCheck
from kpicore.model.periods import Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.text import formats as F
from ritual_decks.blocks import TARGET_SIGN
from ritual_decks.charts import Box
from ritual_decks.formats import Voice, upper_first
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para

KEY = "summary"
GAP = 18.0



# the names of the summary's text boxes, which the e-mail (addin.mail.summary) reads back
HEADLINE_BOX = "Accroche"
FIGURE_BOXES = ("Chiffre 1 texte", "Chiffre 2 texte", "Chiffre 3 texte")
RISK_BOX, DECISION_BOX = "Risque texte", "Décision texte"

def summary_slide(w: DeckWriter, ritual: str, title: str, subtitle: str, figures: Sequence[Figure],
                  as_of: date, *, risk: RiskReport | None, alerts: Sequence[Alert],
                  actions: pd.DataFrame) -> SlideShown:
    """Write the executive summary of ``ritual`` (weekly, monthly, quarterly) and put it first in the deck."""
    summary = executive_summary(ritual, figures, as_of, risk=risk, alerts=alerts, actions=actions)
    return write_summary(w, summary, title, subtitle)


def review_summary(w: DeckWriter, ritual: str, title: str, subtitle: str, data: PipelineData, as_of: date,
                   engine: KpiEngine, reviewed: tuple[Period, TargetCheck], ytd_months: tuple[Period, ...],
                   ytd_check: TargetCheck, fc: Forecast, forecast_period: Period) -> SlideShown:
    """The summary of a review deck (monthly, quarterly): the period reviewed and the fiscal year to date
    against target, then the forecast of ``forecast_period``; the deals at risk valued with that
    forecast's calibrated probabilities (as its forecast slide values them), the alerts as the cockpit
    ranks them."""
    period, check = reviewed
    first, last = ytd_months[0], ytd_months[-1]
    figures = (actual_figure("revenue", check, period),
               actual_figure("ytd_revenue", ytd_check, Period.between(first.start, last.end), first=first, last=last),
               forecast_figure("forecast", fc, forecast_period, tolerance=engine.targets.tolerance("revenue_won")))
    risk = deals_at_risk(data, as_of, probabilities=fc.calibrated_probabilities)
    alerts = compute_alerts(data, as_of, engine=engine)
    return summary_slide(w, ritual, title, subtitle, figures, as_of, risk=risk, alerts=alerts, actions=data.actions)


def figure_value(f: Figure, v: Voice, x: float | None = None) -> str:
    """A figure's value (or ``x``) as the slide writes it: euros, or a rate with one decimal."""
    x = f.value if x is None else x
    return v.money(x) if f.unit == MONEY else v.number(x, 1)


def figure_lines(f: Figure, v: Voice) -> tuple[str, str]:
    """The two lines under a figure's value: its target (and share of it), then its status."""
    if f.target is None:
        return v("summary.no_target"), ""
    if f.unit == MONEY:
        of = v("summary.of_target_money", target=f.target, share=f.share)
    else:
        of = v("summary.of_target_rate", target=f.target, share=f.share)
    if f.status is None:
        return of, ""
    paced = f.kind != FORECAST and f.due is not None and f.unit == MONEY and round(f.due, 2) < round(f.target, 2)
    if f.kind == FORECAST:
        said = v(f"summary.outlook.{f.status}")
    elif paced:
        said = v(f"summary.pace.{f.status}", due=f.due)
    else:
        said = v(f"summary.status.{f.status}")
    return of, f"{TARGET_SIGN[f.status]} {said}"


def risk_paras(s: ExecutiveSummary, w: DeckWriter) -> list[Para]:
    v, r = w.voice, s.risk
    paras = [Para(v("summary.risk_head"), 15, True, w.palette.down)]
    if r.source == DEAL:
        paras.append(Para(v("summary.risk.deal", deal=r.deal_id or F.DASH, account=r.account or F.DASH,
                            owner=r.owner or F.DASH, value=r.value_at_risk, amount=r.amount), 14, True,
                          w.palette.ink))
        if r.said is not None:
            paras.append(Para(upper_first(v.render(r.said)), 12, False, w.palette.ink))
        paras.append(Para(v("summary.risk.more", n=r.n_deals, total=r.total_at_risk), 11, False, w.palette.muted))
    elif r.source == ALERT:
        paras.append(Para(f"{v(f'severity.{r.alert.severity}')} · {v.render(r.alert.title)}", 14, True,
                          w.palette.bad if r.alert.severity == "high" else w.palette.ink))
        paras.append(Para(upper_first(v.render(r.alert.detail)), 12, False, w.palette.muted))
    else:
        paras.append(Para(v("summary.risk.none"), 14, False, w.palette.muted))
    return paras


def decision_paras(s: ExecutiveSummary, w: DeckWriter) -> list[Para]:
    v, d = w.voice, s.decision
    paras = [Para(v("summary.decision_head"), 15, True, w.palette.actual)]
    if d.source == ACTIONS:
        paras.append(Para(str(d.text), 14, True, w.palette.ink))
        owner = d.owner or F.DASH
        if d.due_on is None:
            who = v("summary.decision.owner", owner=owner)
        else:
            who = v("summary.decision.owner_late" if d.late else "summary.decision.owner_due", owner=owner,
                    due=d.due_on)
        paras.append(Para(who, 12, False, w.palette.bad if d.late else w.palette.muted))
        if d.others:
            paras.append(Para(v("summary.decision.others", n=d.others), 11, False, w.palette.muted))
    elif d.source == ALERT:
        paras.append(Para(upper_first(v.render(d.text)), 14, True, w.palette.ink))
        paras.append(Para(v("summary.decision.from_alert", title=v.render(d.alert.title)), 11, False,
                          w.palette.muted))
    else:
        paras.append(Para(upper_first(v("summary.decision.none")), 14, False, w.palette.muted))
    return paras


def write_summary(w: DeckWriter, s: ExecutiveSummary, title: str, subtitle: str) -> SlideShown:
    """Place an ``ExecutiveSummary`` on a slide headed by the deck's title; the slide goes first."""
    v, c = w.voice, w.content
    slide = w.header_slide(title, subtitle, footer=v("summary.footer"))
    headline = upper_first(v.render(s.headline))
    top = c.y
    w.text(slide, Box(c.x, top, c.w, 62), [Para(headline, 20, True, w.palette.ink)],
           anchor=MSO_ANCHOR.MIDDLE).name = HEADLINE_BOX
    tiles_y, tiles_h = top + 72, 122.0
    n = len(s.figures)
    tile_w = (c.w - GAP * (n - 1)) / n
    numbers: dict[str, float | None] = {}
    rows: list[tuple[str, ...]] = [(headline,)]
    for i, f in enumerate(s.figures):
        box = Box(c.x + i * (tile_w + GAP), tiles_y, tile_w, tiles_h)
        w.panel(slide, box, w.palette.header_fill, f"Chiffre {i + 1}")
        colour = w.palette.ink if f.status is None else w.palette.status(f.status)
        w.panel(slide, Box(box.x, box.y, box.w, 4), colour, f"Filet {i + 1}")
        of, status = figure_lines(f, v)
        label = v.render(f.label)
        paras = [Para(label, 12, True, w.palette.ink), Para(figure_value(f, v), 30, True, w.palette.actual),
                 Para(of, 12, False, w.palette.muted)]
        if status:
            paras.append(Para(status, 12, True, colour))
        w.text(slide, Box(box.x + 4, box.y + 10, box.w - 8, box.h - 14), paras).name = FIGURE_BOXES[i]
        rows.append((label, figure_value(f, v), of, status))
        key = str(i + 1)
        numbers.update({key: f.value, f"{key}|target": f.target, f"{key}|due": f.due})
    low_y = tiles_y + tiles_h + 16
    low_h = w.height - 30 - low_y - 4
    half = (c.w - GAP) / 2
    for x, paras, colour, part, box_name in (
            (c.x, risk_paras(s, w), w.palette.down, "Risque", RISK_BOX),
            (c.x + half + GAP, decision_paras(s, w), w.palette.actual, "Décision", DECISION_BOX)):
        w.panel(slide, Box(x, low_y, half, 2), colour, f"Filet {part}")
        w.text(slide, Box(x, low_y + 6, half, low_h - 6), paras).name = box_name
        rows.append(tuple(p.text for p in paras))
    numbers["risk_value"] = s.risk.value_at_risk
    w.move_first(slide)
    return SlideShown(KEY, title, numbers, tuple(rows))
