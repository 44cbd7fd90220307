"""The free diagnostic as a deck: four 16:9 slides, every word from the catalogue ``diagnostic``.

1. the summary: how many of the five KPIs the files support, three numbers (columns recognised,
   rows usable, accuracy of the current forecast), what to fix first, the proposal;
2. what was recognised: one row per table read (columns found of the table's canonical ones,
   sure and guessed, rows kept), the guesses to confirm and the tables absent;
3. the five KPIs and the forecast: measurable or not, the value over the last full month, what
   would unlock each missing one; the data quality beside them;
4. the forecast accuracy replayed on the files' own history, a native bar chart of each method's
   mean error (« fiable à ±X % »), or why it cannot be measured yet.

``diagnostic_deck`` returns a ``DeckReport`` whose slides hold the numbers they show, so that a
test compares them with ``pilotage diagnostic --json`` without parsing the deck.
"""

from __future__ import annotations

from pathlib import Path

from kpicore.forecast.diagnostic import Diagnostic, KpiSupport
from kpicore.model.messages import Message
from kpicore.text import formats
from kpicore.text.catalogue import render, say
from ritual_decks import style
from ritual_decks.charts import Box, Series, bar_chart
from ritual_decks.shown import DeckReport, SlideShown
from ritual_decks.slides import DeckWriter, Para

GUESSES_SHOWN = 3

class _Words:
    """The catalogue ``diagnostic`` in one language, and figures as that language writes them."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, code: str, **figures) -> str:
        return say(f"diagnostic.{code}", self.language, **figures)

    def render(self, message: Message | str | None) -> str:
        return render(message, self.language)

    def percent(self, x: float | None) -> str:
        return formats.percent(x, locale=self.language)

    def value(self, k: KpiSupport) -> str:
        if k.value is None:
            return formats.DASH
        if k.unit == "fraction":
            return formats.percent(k.value, locale=self.language)
        if k.unit == "eur":
            return formats.money(k.value, locale=self.language)
        if k.unit == "days":
            return say("decks.unit.days", self.language, n=k.value)
        return formats.number(k.value, 1, locale=self.language)

def _first_fix(dg: Diagnostic, t: _Words) -> str:
    """What to fix first: a missing KPI's unlock, else the guesses, else the rows excluded."""
    missing = next((k for k in dg.kpis if not k.supported), None)
    if missing is not None:
        what = t("summary.risk_unlock", kpi=t(f"kpi.{missing.kpi}"), what=t.render(missing.unlock))
    elif dg.guesses:
        what = t("summary.risk_guess", guesses=dg.guesses)
    elif dg.excluded:
        what = t("summary.risk_errors", excluded=dg.excluded)
    else:
        what = t("summary.risk_none")
    return t("summary.risk", what=what)

class DiagnosticDeck:
    def __init__(self, dg: Diagnostic, writer: DeckWriter) -> None:
        self.dg = dg
        self.w = writer
        self.t = _Words(writer.voice.language)
        self.footer = self.t("footer", source=dg.source, as_of=dg.as_of)

    def build(self) -> list[SlideShown]:
        return [self.summary(), self.recognition(), self.kpis(), self.accuracy()]

    # -- 1 ---------------------------------------------------------------------------------------
    def summary(self) -> SlideShown:
        dg, t, w = self.dg, self.t, self.w
        title = t("summary.title", supported=dg.supported)
        slide = w.slide(title, self.footer)
        c = w.content
        w.text(slide, Box(c.x, c.y, c.w, 30), [Para(t("subtitle", source=dg.source, as_of=dg.as_of, deals=dg.deals),
                                                    14, False, w.palette.muted)])
        declared = dg.method("weighted_declared")
        kept_share = dg.kept / dg.rows if dg.rows else None
        tiles = [(t.percent(dg.recognised_share), t("summary.recognised")),
                 (t.percent(kept_share), t("summary.kept"))]
        if declared is not None and declared.error is not None:
            tiles.append((f"±{t.percent(declared.error)}", t("summary.accuracy")))
        else:
            tiles.append((formats.DASH, t("summary.accuracy_none")))
        gap = style.GUTTER
        tile_w = (c.w - 2 * gap) / 3
        top = c.y + 46
        for i, (number, label) in enumerate(tiles):
            x = c.x + i * (tile_w + gap)
            w.text(slide, Box(x, top, tile_w, 64), [Para(number, 40, True, w.palette.actual)])
            w.text(slide, Box(x, top + 64, tile_w, 44), [Para(label, 14, False, w.palette.ink)])
        lines = [Para(_first_fix(dg, t), 16, True, w.palette.bad if dg.supported < 5 else w.palette.ink)]
        # what the cockpit would show: the method the client's own replay ranks best for months
        shown = dg.method(dg.shown_method) if dg.shown_method else None
        if declared is not None and shown is not None and declared.error is not None and shown.error is not None:
            lines.append(Para(t("summary.reliable", error=declared.error, method=t(f"method.{shown.method}"),
                                shown=shown.error), 14))
        lines.append(Para(t("summary.ask"), 14, False, w.palette.muted))
        w.text(slide, Box(c.x, top + 130, c.w, c.y + c.h - top - 130), lines)
        numbers = {"supported": dg.supported, "recognised_share": dg.recognised_share, "kept_share": kept_share,
                   "declared_error": declared.error if declared is not None else None,
                   "shown_error": shown.error if shown is not None else None}
        return SlideShown("summary", title, numbers)

    # -- 2 ---------------------------------------------------------------------------------------
    def recognition(self) -> SlideShown:
        dg, t, w = self.dg, self.t, self.w
        title = t("recognition.title")
        slide = w.slide(title, self.footer)
        c = w.content
        table_share = 0.62
        header = [t("head.table"), t("head.where"), t("head.columns"), t("head.sure"), t("head.guessed"),
                  t("head.rows")]
        rows = []
        for tr in dg.tables:
            guessed = sum(col.guess for col in tr.columns)
            rows.append((t.render(Message.of(f"quality.table.{tr.table}")), t("where", file=tr.file, sheet=tr.sheet),
                         t("of", found=tr.found, total=tr.canonical), str(tr.found - guessed), str(guessed),
                         formats.number(tr.kept, locale=t.language)))
        box = Box(c.x, c.y, c.w, c.h * table_share)
        shown = w.table(slide, box, header, rows, [1.1, 2.6, 1.2, 0.7, 0.8, 1.0], right=(2, 3, 4, 5))
        used = sum(r.height for r in shown.rows) / 12700
        paras = []
        guesses = [(tr.table, col) for tr in dg.tables for col in tr.columns if col.guess]
        if guesses:
            said = [t("recognition.guess", header=col.header,
                      column=t.render(Message.of(f"quality.column.{table}.{col.column}")), confidence=col.confidence)
                    for table, col in guesses[:GUESSES_SHOWN]]
            paras.append(Para(t("recognition.guesses", columns=", ".join(said)), 14))
        else:
            paras.append(Para(t("recognition.no_guess"), 14))
        missing = [t.render(Message.of(f"quality.column.{tr.table}.{m}"))
                   for tr in dg.tables for m in tr.missing_required]
        if missing:
            paras.append(Para(t("recognition.missing", columns=", ".join(missing)), 14, True, w.palette.bad))
        if dg.absent:
            tables = ", ".join(t.render(Message.of(f"quality.table.{a}")) for a in dg.absent)
            paras.append(Para(t("recognition.absent", tables=tables), 14))
        else:
            paras.append(Para(t("recognition.none_absent"), 14))
        paras.append(Para(t("recognition.note"), 12, False, w.palette.muted))
        top = c.y + used + 14
        w.text(slide, Box(c.x, top, c.w, c.y + c.h - top), paras)
        numbers = {"recognised": dg.recognised, "canonical": dg.canonical, "guesses": dg.guesses}
        return SlideShown("recognition", title, numbers, tuple(rows[: len(shown.rows) - 1]))

    # -- 3 ---------------------------------------------------------------------------------------
    def kpis(self) -> SlideShown:
        dg, t, w = self.dg, self.t, self.w
        title = t("kpis.title_all" if dg.supported == len(dg.kpis) else "kpis.title")
        slide = w.slide(title, self.footer)
        c = w.content
        left_w = c.w * 0.66
        header = [t("head.kpi"), t("head.supported"), t("head.value", period=dg.period), t("head.unlock")]
        rows = []
        for k in dg.kpis:
            rows.append((t(f"kpi.{k.kpi}"), t("yes" if k.supported else "no"), t.value(k),
                         t.render(k.unlock) if k.unlock else ""))
        rows.append((t("kpi.forecast"), t("yes" if dg.forecast_supported else "no"), "",
                     t.render(dg.forecast_unlock) if dg.forecast_unlock else ""))
        colours = {(i, 1): (w.palette.good if r[1] == t("yes") else w.palette.bad) for i, r in enumerate(rows)}
        w.table(slide, Box(c.x, c.y, left_w, c.h), header, rows, [2.2, 0.9, 1.1, 3.0], right=(2,), wrap=(0, 3),
                max_lines=3, colours=colours)
        x = c.x + left_w + style.GUTTER
        paras = [Para(t("quality.title"), 16, True),
                 Para(t("quality.rows", rows=dg.rows, kept=formats.number(dg.kept, locale=t.language),
                        excluded=formats.number(dg.excluded, locale=t.language),
                        merged=formats.number(dg.merged, locale=t.language)), 13),
                 Para(t("quality.issues", errors=dg.errors, warnings=dg.warnings), 13)]
        if dg.problems:
            for p in dg.problems:
                paras.append(Para(t("quality.problem", problem=t.render(p.problem), count=p.count), 12, False,
                                  w.palette.bad if p.severity == "error" else w.palette.warn))
        else:
            paras.append(Para(t("quality.clean"), 13, False, w.palette.good))
        w.text(slide, Box(x, c.y, c.x + c.w - x, c.h), paras)
        numbers = {f"kpi.{k.kpi}": k.value for k in dg.kpis}
        numbers.update(rows_read=dg.rows, kept=dg.kept, excluded=dg.excluded, merged=dg.merged, errors=dg.errors,
                       warnings=dg.warnings)
        return SlideShown("kpis", title, numbers, tuple(rows))

    # -- 4 ---------------------------------------------------------------------------------------
    def accuracy(self) -> SlideShown:
        dg, t, w = self.dg, self.t, self.w
        c = w.content
        if not dg.accuracy:
            title = t("accuracy.title_none")
            slide = w.slide(title, self.footer)
            w.text(slide, Box(c.x, c.y + 20, c.w, 120), [Para(t.render(dg.accuracy_reason), 20)])
            w.text(slide, Box(c.x, c.y + 150, c.w, 80),
                   [Para(t("accuracy.meanwhile", deals=dg.deals, won=dg.won, open=dg.open), 14, False,
                         w.palette.muted)])
            return SlideShown("accuracy", title, {"history_months": dg.history_months}, empty=True)
        title = t("accuracy.title")
        slide = w.slide(title, self.footer)
        chart_w = c.w * 0.55
        methods = [a for a in dg.accuracy if a.error is not None]
        colours = {"weighted_declared": w.palette.down, "run_rate": w.palette.muted,
                   "calibrated": w.palette.actual, "blend": w.palette.actual}
        # one bar per method, each in its colour: their probabilities, the naive reference, ours
        chart = bar_chart(slide, Box(c.x, c.y, chart_w, c.h), [t(f"method.{a.method}") for a in methods],
                          [Series(t("accuracy.series"), tuple(round(a.error * 100, 1) for a in methods),
                                  w.palette.actual)],
                          number_format=w.voice.chart_percent, horizontal=True, legend=False)
        for point, a in zip(chart.plots[0].series[0].points, methods):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = colours[a.method]
        x = c.x + chart_w + style.GUTTER
        paras = [Para(t("accuracy.line", method=t(f"method.{a.method}"), error=a.error, within=a.within_10), 14,
                      a.method == "weighted_declared") for a in methods]
        paras.append(Para(t("accuracy.how", scored=max(a.scored for a in dg.accuracy)), 12, False, w.palette.muted))
        if not dg.declared_probabilities:
            paras.append(Para(t("accuracy.stage_defaults"), 12, False, w.palette.muted))
        w.text(slide, Box(x, c.y, c.x + c.w - x, c.h), paras)
        numbers = {f"error.{a.method}": a.error for a in dg.accuracy}
        return SlideShown("accuracy", title, numbers)

def diagnostic_deck(dg: Diagnostic, out_path: Path | str, *, language: str = "fr") -> DeckReport:
    """Write the diagnostic deck of ``dg`` at ``out_path`` (atomically) in ``language``."""
    writer = DeckWriter(None, language)
    slides = DiagnosticDeck(dg, writer).build()
    path = writer.save(out_path)
    return DeckReport("diagnostic", path, dg.as_of, dg.period.code, tuple(slides))

__all__ = ["diagnostic_deck", "DiagnosticDeck"]
