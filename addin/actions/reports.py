"""The read-only verbs (check, kpis, alerts, forecast, backtest, risks) over the workbook protocol.

Each reads the company as the refresh does (``company.read_company``: the
activity workbooks and the edited KPI dictionary included), so a verb never
shows another company than the cockpit; the edges render what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from addin.actions.company import read_company
from addin.engines.protocol import Workbook
from addin.language import language
from kpicore.forecast.forecasting import resolve_period
from kpicore.model.messages import Message
from kpicore.model.periods import Period
from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import render


@dataclass(frozen=True)
class Report:
    """What a read-only verb found: the company it read, its as-of date, and the result."""

    data: PipelineData
    as_of: date
    result: Any

    @property
    def language(self) -> str:
        """The reader's language (``addin.language``: PILOTAGE_LANG, else the workbook's Settings)."""
        return language(self.data)

    def text(self, message: Message | str | None) -> str:
        """A message of the result (a risk reason, the method's reason...) in the reader's language:
        what the JSON writers take as their ``text`` parameter."""
        return render(message, self.language)


def _as_of(data: PipelineData, as_of: date | None) -> date:
    from kpicore.forecast.asof import data_today

    return as_of or data_today(data).date()


def check(book: Workbook) -> Report:
    """The mapping found and the data-quality report (``kpicore.text.check`` renders it)."""
    data = read_company(book)
    return Report(data, _as_of(data, None), data.quality)


def kpis(book: Workbook, period: str | Period, *, scope: str | None = None, as_of: date | None = None) -> Report:
    from kpicore.metrics.json_results import kpis_json

    data = read_company(book)
    day = _as_of(data, as_of)
    return Report(data, day, kpis_json(data, resolve_period(period, day, data), day, scope or "company",
                                       text=lambda message: render(message, language(data))))


def alerts(book: Workbook, *, as_of: date | None = None) -> Report:
    """Every alert (schema ``alerts.v3.json``), its words in the reader's language (``addin.language``)."""
    from addin.language import language
    from kpicore.metrics.json_results import alerts_json
    from kpicore.text.catalogue import render

    data = read_company(book)
    day = _as_of(data, as_of)
    reader = language(data)
    return Report(data, day, alerts_json(data, day, text=lambda message: render(message, reader)))


def forecast(book: Workbook, period: str | Period, *, scope: tuple[str, str], as_of: date | None = None,
             n_sims: int | None = None) -> Report:
    from kpicore.forecast import forecasting as fc, shown

    data = read_company(book)
    day = _as_of(data, as_of)
    return Report(data, day, shown.forecast(data, resolve_period(period, day, data), scope, day,
                                            n_sims=n_sims or fc.N_SIMS))


def backtest(book: Workbook, horizon: str, *, scope: tuple[str, str], start: date | None = None,
             end: date | None = None) -> Report:
    from kpicore.forecast.backtest import backtest as replay

    data = read_company(book)
    return Report(data, _as_of(data, end), replay(data, start=start, end=end, granularities=(horizon,),
                                                  scope=scope))


def risks(book: Workbook, *, as_of: date | None = None) -> Report:
    from kpicore.forecast.risk import deals_at_risk

    data = read_company(book)
    day = _as_of(data, as_of)
    return Report(data, day, deals_at_risk(data, day))
