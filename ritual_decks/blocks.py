"""Slides both decks share: forecast vs target, open actions, this ritual's decisions,
and small helpers over kpicore results."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pptx.enum.chart import XL_LABEL_POSITION

from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import METHOD_LABELS_FR, Forecast
from kpicore.metrics.targets import BELOW_TARGET, NEAR_TARGET, ON_TARGET
from kpicore.text import formats as F
from kpicore.text.catalogue import render
from ritual_decks.charts import Box, Series, bar_chart
from ritual_decks.shown import SlideShown
from ritual_decks.slides import DeckWriter, Para

RITUAL_FR = {"weekly": "hebdo", "monthly": "mensuel", "quarterly": "trimestriel"}
STATUS_FR = {"open": "ouverte", "done": "faite", "dropped": "abandonnée"}
UP_SIGN, NEAR_SIGN, DOWN_SIGN = "▲", "●", "▼"
# A value against its target (kpicore.metrics.targets.target_status): the sign, and the sign with words.
TARGET_SIGN = {ON_TARGET: UP_SIGN, NEAR_TARGET: NEAR_SIGN, BELOW_TARGET: DOWN_SIGN}
TARGET_STATUS_FR = {ON_TARGET: f"{UP_SIGN} atteint", NEAR_TARGET: f"{NEAR_SIGN} proche",
                    BELOW_TARGET: f"{DOWN_SIGN} en dessous"}


def company_name(data: PipelineData) -> str:
    for key in ("company_name", "company", "entreprise"):
        value = data.setting(key)
        if value:
            return value
    return "Entreprise"


def halves(w: DeckWriter, gap: float = 18.0) -> tuple[Box, Box]:
    c = w.content
    half = (c.w - gap) / 2
    return Box(c.x, c.y, half, c.h), Box(c.x + half + gap, c.y, half, c.h)


def forecast_slide(w: DeckWriter, key: str, fc: Forecast, reason_fr: str, what: str) -> SlideShown:
    """Won to date, the P10-P90 range and the forecast shown against the target of the period."""
    target = fc.target
    if target:
        title = (f"{what} : prévision {F.money(fc.shown)} (P10 {F.money(fc.p10)} – P90 {F.money(fc.p90)}) "
                 f"pour {F.money(target)} d'objectif")
    else:
        title = f"{what} : prévision {F.money(fc.shown)} (P10 {F.money(fc.p10)} – P90 {F.money(fc.p90)}), sans objectif"
    slide = w.slide(title, footer=f"Prévision au {F.date(fc.as_of)} · {F.number(fc.n_sims)} tirages Monte-Carlo")
    left = Box(w.content.x, w.content.y, w.content.w * 0.62, w.content.h)
    right = Box(left.x + left.w + 18, w.content.y, w.content.w - left.w - 18, w.content.h)
    cats = ["Signé à date", "P10", "Prévision retenue", "P90"] + (["Objectif"] if target else [])
    values = [fc.won_to_date, fc.p10, fc.shown, fc.p90] + ([target] if target else [])
    chart = bar_chart(slide, left, cats, [Series("Montant", tuple(round(v, 2) for v in values), w.palette.actual)],
                      legend=False)
    colours = [w.palette.actual, w.palette.forecast, w.palette.forecast, w.palette.forecast, w.palette.target]
    for i, colour in enumerate(colours[: len(values)]):
        point = chart.plots[0].series[0].points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = colour
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    paras = [Para("Probabilité d'atteindre l'objectif", 12, False, w.palette.muted),
             Para(F.percent(fc.prob_reach_target) if fc.prob_reach_target is not None else "sans objectif", 28, True,
                  w.palette.ink),
             Para("", 6), Para("Méthode affichée", 12, False, w.palette.muted),
             Para(METHOD_LABELS_FR.get(fc.method_shown, fc.method_shown), 13, True, w.palette.ink),
             Para(render(reason_fr), 11, False, w.palette.muted)]
    if target:
        gap = fc.shown - target
        paras[2:2] = [Para("", 6), Para("Écart prévision – objectif", 12, False, w.palette.muted),
                      Para(F.money(gap, signed=True), 20, True, w.palette.bad if gap < 0 else w.palette.good)]
    w.text(slide, right, paras)
    numbers = {"won_to_date": fc.won_to_date, "p10": fc.p10, "shown": fc.shown, "p50": fc.p50, "p90": fc.p90,
               "target": target, "prob_reach_target": fc.prob_reach_target}
    return SlideShown(key, title, numbers)


def _short_date(x) -> str:
    return F.date(x) if pd.notna(x) else F.DASH


def open_actions(data: PipelineData) -> pd.DataFrame:
    a = data.actions
    return a[(a["status"] == "open").fillna(False)].sort_values(["due_on", "date"], kind="stable")


def actions_slide(w: DeckWriter, key: str, data: PipelineData, as_of: date) -> SlideShown:
    """The decisions still open from earlier rituals, overdue ones first in colour and with a sign."""
    acts = open_actions(data)
    late = acts["due_on"].notna() & (acts["due_on"] < pd.Timestamp(as_of))
    n, k = len(acts), int(late.sum())
    title = (f"{n} action{'s' if n > 1 else ''} ouverte{'s' if n > 1 else ''}, dont {k} en retard" if n
             else "Aucune action ouverte des rituels précédents")
    slide = w.slide(title, footer="Source : feuille Actions (statut « open »)")
    if n == 0:
        w.empty_note(slide, w.content, "Aucune action ouverte : toutes les décisions précédentes sont soldées.")
        return SlideShown(key, title, {"open": 0, "late": 0}, empty=True)
    limit = w.max_rows(w.content)
    rows, colours = [], {}
    for i, (r, is_late) in enumerate(zip(acts.head(limit).itertuples(index=False), late.head(limit))):
        rows.append((_short_date(r.date), RITUAL_FR.get(str(r.ritual), str(r.ritual or "")), str(r.decision),
                     "" if pd.isna(r.owner) else str(r.owner), _short_date(r.due_on),
                     f"{DOWN_SIGN} en retard" if is_late else "à tenir"))
        if is_late:
            colours[(i, 4)] = colours[(i, 5)] = w.palette.bad
    table = w.table(slide, w.content, ["Décidée le", "Rituel", "Décision", "Responsable", "Échéance", "État"], rows,
                    [0.10, 0.08, 0.46, 0.14, 0.10, 0.12], colours=colours, wrap=(2,))
    return SlideShown(key, title, {"open": n, "late": k}, tuple(rows[: len(table.rows) - 1]))


def decisions_slide(w: DeckWriter, key: str, ritual: str, n_rows: int = 6) -> SlideShown:
    title = "Décisions de cette revue"
    slide = w.slide(title, footer=f"À reporter dans la feuille Actions (rituel : {ritual}), avec un responsable "
                                  "et une échéance")
    rows = [("", "", "")] * n_rows
    w.table(slide, Box(w.content.x, w.content.y, w.content.w, w.content.h), ["Décision", "Responsable", "Échéance"],
            rows, [0.64, 0.2, 0.16], size=18, min_row_height=44)
    return SlideShown(key, title, {"rows": n_rows})
