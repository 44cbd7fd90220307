"""KPIs and alerts as JSON-ready dicts, in the shapes of the versioned schemas.

``kpis_json`` follows ``kpicore/model/json_schemas/kpis.v2.json`` and ``alerts_json``
follows ``alerts.v3.json`` (package data; ``load_schema`` reads them); both
start with the envelope every Pilotage document shares (``kpicore.model.json_schemas``).
A missing number is ``null``, never NaN (JSON has no NaN); dates are ISO strings.
A change of shape that could break a reader gets a new schema version.

kpicore writes no sentence (DESIGN.md, "Messages"): an alert's title, detail,
action and severity label are ``Message``s, and ``alerts_json`` takes the
``text`` that renders them in the reader's language from the edge that calls it
(``addin.actions.reports.alerts``).
"""

from __future__ import annotations

import math
from typing import Callable

from kpicore.metrics.alerts import Alert, compute_alerts
from kpicore.metrics.covisits import covisit_scores
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope, load_schema, schema_file, scope_json
from kpicore.model.messages import Message
from kpicore.metrics.dictionary import KpiDictionary
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.roster import Scope, parse_scope
from kpicore.model.periods import DateLike, Period, parse_period, to_date

KPIS_SCHEMA = schema_file("kpis")
ALERTS_SCHEMA = schema_file("alerts")
__all__ = ["ALERTS_SCHEMA", "KPIS_SCHEMA", "alert_json", "alerts_json", "kpis_json", "load_schema"]


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def kpis_json(data: PipelineData, period: Period | str, as_of: DateLike, scope: Scope | str = "company",
              dictionary: KpiDictionary | None = None, engine: KpiEngine | None = None, *,
              text: Callable[[Message], str]) -> dict:
    """Every KPI of the dictionary for one scope and period as of a date (schema ``kpis.v2.json``); ``text``
    renders the period and scope labels in the reader's language (the KPI names are the dictionary's own,
    in both languages)."""
    engine = engine or KpiEngine(data, as_of, dictionary)
    period = parse_period(period, engine.fiscal_start_month)
    scope = parse_scope(scope)
    values = engine.values(period, scope)
    kpis = []
    for v in values:
        d = engine.dictionary[v.kpi]
        kpis.append({
            "id": v.kpi, "label": d.label_fr, "label_en": d.label_en,
            "value": _num(v.value), "previous": _num(v.previous), "target": _num(v.target), "gap": _num(v.gap),
            "unit": d.unit, "direction": d.direction, "core": d.core, "horizon": d.horizon,
            "trend": [{"period": text(Message.of("period.label", period=p)), "value": _num(x)} for p, x in v.trend],
        })
    scores = covisit_scores(data, period, engine.as_of, scope.level, scope.key[1])
    return {
        **envelope("kpis", data.source, engine.as_of),
        "period": {"code": period.code, "kind": period.kind, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "label": text(Message.of("period.label", period=period)),
                   "days_elapsed": period.days_elapsed(engine.as_of), "is_over": period.is_over(engine.as_of)},
        "scope": scope_json(scope, text),
        "kpis": kpis,
        "covisits": {"count": scores.count, "discovery_quality": _num(scores.discovery_quality),
                     "proposal_relevance": _num(scores.proposal_relevance),
                     "customer_satisfaction": _num(scores.customer_satisfaction), "overall": _num(scores.overall)},
    }


def alert_json(alert: Alert, text: Callable[[Message], str]) -> dict:
    """One alert (an item of ``alerts.v3.json``), its words rendered by ``text``: the scope's label too,
    which reads « Équipe Nord » or "Team Nord" by the reader's language."""
    scope = scope_json(alert.scope, text)
    return {
        "code": alert.code, "kind": alert.kind, "horizon": alert.horizon,
        "severity": alert.severity, "severity_label": text(alert.severity_label),
        "scope": scope, "kpi": alert.kpi,
        "title": text(alert.title), "detail": text(alert.detail), "action": text(alert.action),
        "numbers": {k: _num(v) for k, v in alert.numbers},
        "stake_eur": _num(alert.stake_eur),
        "lands_from": alert.lands_from.isoformat() if alert.lands_from else None,
        "lands_to": alert.lands_to.isoformat() if alert.lands_to else None,
    }


def alerts_json(data: PipelineData, as_of: DateLike, dictionary: KpiDictionary | None = None,
                engine: KpiEngine | None = None, *, text: Callable[[Message], str]) -> dict:
    """Every alert as of a date, most important first (schema ``alerts.v3.json``).

    ``text`` renders a message in the reader's language: the edge passes
    ``lambda m: render(m, language)`` (``kpicore.text.catalogue.render``)."""
    alerts = compute_alerts(data, as_of, dictionary, engine)
    return {**envelope("alerts", data.source, to_date(as_of)),
            "count": len(alerts), "alerts": [alert_json(a, text) for a in alerts]}
