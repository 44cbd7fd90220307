"""The three ritual decks as plain functions the CLI calls.

    build_weekly(data, as_of, out_path, template=None, *, language=None) -> Path
    build_monthly(data, as_of, out_path, period=None, template=None, *, language=None) -> Path
    build_quarterly(data, as_of, out_path, period=None, template=None, *, language=None) -> Path

``language`` is ``fr`` or ``en``; None reads the workbook's Settings ``language`` (French
by default). ``weekly_deck`` / ``monthly_deck`` / ``quarterly_deck`` do the same and return a ``DeckReport``: what
each slide showed (numbers and table rows), for tests and for the CLI's summary.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kpicore.model.pipeline_data import PipelineData
from kpicore.forecast.forecasting import N_SIMS, ForecastContext
from kpicore.model.periods import MONTH, QUARTER, DateLike, Period, to_date
from kpicore.text.catalogue import language_of
from ritual_decks.shown import DeckReport
from ritual_decks.slides import DeckWriter


def weekly_deck(data: PipelineData, as_of: DateLike, out_path: Path | str, template: Path | str | None = None,
                *, n_sims: int = N_SIMS, language: str | None = None,
                context: ForecastContext | None = None) -> DeckReport:
    """Write the weekly pipeline review and say what each slide showed (``language``: ``fr`` or
    ``en``; None, the workbook's Settings ``language``).  ``context``: a ``prepare(data)`` to forecast
    with, e.g. seeded with the backtest kept in the workbook (``kpicore.forecast.kept_backtest``)."""
    from ritual_decks.weekly import WeeklyDeck

    day = to_date(as_of)
    writer = DeckWriter(template, deck_language(data, language))
    deck = WeeklyDeck(data, day, writer, n_sims, context)
    slides = deck.build()
    path = writer.save(out_path)
    return DeckReport("weekly", path, day, deck.week.code, tuple(slides))


def monthly_deck(data: PipelineData, as_of: DateLike, out_path: Path | str, period: Period | str | None = None,
                 template: Path | str | None = None, *, n_sims: int = N_SIMS,
                 language: str | None = None, context: ForecastContext | None = None) -> DeckReport:
    """Write the monthly executive review of ``period`` (default: the last month over on ``as_of``);
    ``context`` as for ``weekly_deck``."""
    from ritual_decks.blocks import reviewed_period
    from ritual_decks.monthly import MonthlyDeck

    day = to_date(as_of)
    writer = DeckWriter(template, deck_language(data, language))
    month = reviewed_period(MONTH, "decks.monthly.not_a_month", data, day, period, writer.voice.language)
    deck = MonthlyDeck(data, day, month, writer, n_sims, context)
    slides = deck.build()
    path = writer.save(out_path)
    return DeckReport("monthly", path, day, deck.period.code, tuple(slides))


def quarterly_deck(data: PipelineData, as_of: DateLike, out_path: Path | str, period: Period | str | None = None,
                   template: Path | str | None = None, *, n_sims: int = N_SIMS,
                   language: str | None = None, context: ForecastContext | None = None) -> DeckReport:
    """Write the quarterly executive review of ``period`` (default: the last quarter over on ``as_of``; the
    running quarter is forecast as the next one); ``context`` as for ``weekly_deck``."""
    from ritual_decks.blocks import reviewed_period
    from ritual_decks.quarterly import QuarterlyDeck

    day = to_date(as_of)
    writer = DeckWriter(template, deck_language(data, language))
    quarter = reviewed_period(QUARTER, "decks.quarterly.not_a_quarter", data, day, period, writer.voice.language)
    deck = QuarterlyDeck(data, day, quarter, writer, n_sims, context)
    slides = deck.build()
    path = writer.save(out_path)
    return DeckReport("quarterly", path, day, deck.quarter.code, tuple(slides))


def build_weekly(data: PipelineData, as_of: DateLike, out_path: Path | str,
                 template: Path | str | None = None, *, language: str | None = None,
                 context: ForecastContext | None = None) -> Path:
    """The weekly pipeline review (.pptx) as of ``as_of``; returns the file written."""
    return weekly_deck(data, as_of, out_path, template, language=language, context=context).path


def build_monthly(data: PipelineData, as_of: DateLike, out_path: Path | str, period: Period | str | None = None,
                  template: Path | str | None = None, *, language: str | None = None,
                  context: ForecastContext | None = None) -> Path:
    """The monthly executive review (.pptx) of ``period`` as known on ``as_of``; returns the file written."""
    return monthly_deck(data, as_of, out_path, period, template, language=language, context=context).path


def build_quarterly(data: PipelineData, as_of: DateLike, out_path: Path | str, period: Period | str | None = None,
                    template: Path | str | None = None, *, language: str | None = None,
                    context: ForecastContext | None = None) -> Path:
    """The quarterly executive review (.pptx) of ``period`` as known on ``as_of``; returns the file written."""
    return quarterly_deck(data, as_of, out_path, period, template, language=language, context=context).path


def deck_language(data: PipelineData, language: str | None = None) -> str:
    """The language a deck speaks: the one asked for, else the workbook's Settings ``language``
    (the command line passes its own choice, which ``PILOTAGE_LANG`` may force)."""
    return language_of(language if language else data.setting("language"))


def deck_as_of(data: PipelineData, kind: str = "weekly", period: Period | str | None = None) -> date:
    """The as-of date a CLI run uses: the date of the data (its latest recorded date), or for
    ``weekly`` with a ``period`` (a week, e.g. 2026-W46) the end of that week if earlier."""
    from kpicore.forecast.asof import data_today
    from kpicore.metrics.kpis import fiscal_start_month_of
    from kpicore.model.periods import parse_period

    today = data_today(data).date()
    if kind == "weekly" and period is not None:
        return min(parse_period(period, fiscal_start_month_of(data)).end, today)
    return today


def to_pdf(deck: Path, out_dir: Path | None = None) -> Path:
    """The deck as PDF through LibreOffice (``pilotage deck ... --pdf``)."""
    from workbook_templates.libreoffice import convert

    return convert(Path(deck), "pdf", Path(out_dir) if out_dir else Path(deck).parent, recalculate=False)


__all__ = ["build_weekly", "build_monthly", "build_quarterly", "weekly_deck", "monthly_deck", "quarterly_deck", "deck_as_of", "deck_language", "to_pdf",
           "DeckReport"]
