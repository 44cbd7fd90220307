"""Native PowerPoint charts (python-pptx chart parts with their embedded workbook).

Every chart stays editable in PowerPoint: the numbers live in the chart's own
data sheet.  The waterfall is a stacked column chart whose first series (the
base) is invisible, so that it opens in any PowerPoint version (the native
waterfall chart type of Office 2016 is not in python-pptx and LibreOffice does
not render it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.util import Pt

from kpicore.text import formats
from ritual_decks.style import CHART_SIZE, FONT, LIGHT, MUTED, PAPER, pt


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    colour: RGBColor


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in points."""

    x: float
    y: float
    w: float
    h: float

    def emu(self) -> tuple:
        return pt(self.x), pt(self.y), pt(self.w), pt(self.h)


def _style(chart, number_format: str, legend: bool) -> None:
    chart.font.size = CHART_SIZE
    chart.font.name = FONT
    chart.has_title = False  # the slide title carries the message
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = CHART_SIZE
    va = chart.value_axis
    va.tick_labels.number_format = number_format
    va.tick_labels.number_format_is_linked = False
    va.has_major_gridlines = True
    va.major_gridlines.format.line.color.rgb = LIGHT
    va.format.line.fill.background()
    chart.category_axis.format.line.color.rgb = MUTED
    chart.category_axis.tick_labels.font.size = CHART_SIZE


def _data(categories: Sequence[str], series: Sequence[Series], number_format: str) -> CategoryChartData:
    data = CategoryChartData(number_format=number_format)
    data.categories = list(categories)
    for s in series:
        data.add_series(s.name, list(s.values), number_format)
    return data


def bar_chart(slide, box: Box, categories: Sequence[str], series: Sequence[Series], *,
              number_format: str = formats.MONEY_CODE, horizontal: bool = False, labels: bool = True,
              legend: bool | None = None, gap_width: int = 60):
    """Clustered columns (or bars) with data labels; returns the chart."""
    kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = slide.shapes.add_chart(kind, *box.emu(), _data(categories, series, number_format))
    chart = frame.chart
    _style(chart, number_format, len(series) > 1 if legend is None else legend)
    plot = chart.plots[0]
    plot.gap_width = gap_width
    plot.overlap = -10 if len(series) > 1 else 0
    for s, ps in zip(series, plot.series):
        ps.format.fill.solid()
        ps.format.fill.fore_color.rgb = s.colour
        ps.invert_if_negative = False
    if labels:
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format = number_format
        dl.number_format_is_linked = False
        dl.font.size = CHART_SIZE
        dl.position = XL_LABEL_POSITION.OUTSIDE_END
    if horizontal:
        # the first category at the top, as a table reads
        chart.category_axis.reverse_order = True
    return chart


def line_chart(slide, box: Box, categories: Sequence[str], series: Sequence[Series], *,
               number_format: str = formats.NUMBER_CODE, legend: bool | None = None, dashed: Sequence[int] = ()):
    """Lines with markers (a missing value leaves a gap, not a zero); ``dashed`` series indexes."""
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box.emu(), _data(categories, series, number_format))
    chart = frame.chart
    _style(chart, number_format, len(series) > 1 if legend is None else legend)
    for i, (s, ps) in enumerate(zip(series, chart.plots[0].series)):
        ps.smooth = False
        ps.format.line.color.rgb = s.colour
        ps.format.line.width = Pt(1.5 if i in dashed else 2.25)
        if i in dashed:
            from pptx.enum.dml import MSO_LINE_DASH_STYLE

            ps.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        ps.marker.style = XL_MARKER_STYLE.CIRCLE if i not in dashed else XL_MARKER_STYLE.NONE
        ps.marker.size = 5
        ps.marker.format.fill.solid()
        ps.marker.format.fill.fore_color.rgb = s.colour
        ps.marker.format.line.color.rgb = s.colour
    chart.category_axis.tick_labels.font.size = Pt(9)
    return chart


@dataclass(frozen=True)
class Step:
    """One bar of a waterfall: a total (drawn from zero) or a move (drawn from the running total)."""

    label: str
    value: float
    total: bool = False


@dataclass(frozen=True)
class WaterfallSeries:
    """The four series of the stacked columns, one value per step."""

    base: tuple[float, ...]
    up: tuple[float, ...]
    down: tuple[float, ...]
    totals: tuple[float, ...]


def waterfall_series(steps: Sequence[Step]) -> WaterfallSeries:
    """Split steps into base / up / down / total stacks.

    A move goes from the running total ``a`` to ``b``; its visible bar spans
    ``[min(a, b), max(a, b)]`` above an invisible base of ``min(a, b)``.  While
    the running total stays at or above zero (a pipeline, a revenue) this is
    exact; a bar crossing zero is drawn from zero (the label keeps the true move).
    """
    base, up, down, totals = [], [], [], []
    running = 0.0
    for s in steps:
        if s.total:
            running = s.value
            base.append(0.0), up.append(0.0), down.append(0.0), totals.append(round(s.value, 2))
            continue
        a, b = running, running + s.value
        lo, hi = min(a, b), max(a, b)
        bottom = max(lo, 0.0) if hi > 0 else hi
        height = hi - bottom if hi > 0 else lo - hi
        base.append(round(bottom, 2))
        up.append(round(height, 2) if s.value >= 0 else 0.0)
        down.append(round(height, 2) if s.value < 0 else 0.0)
        totals.append(0.0)
        running = b
    return WaterfallSeries(tuple(base), tuple(up), tuple(down), tuple(totals))


def waterfall_chart(slide, box: Box, steps: Sequence[Step], *, up: RGBColor, down: RGBColor, total: RGBColor,
                    base_name: str, up_name: str, down_name: str, total_name: str, language: str,
                    number_format: str = formats.MONEY_CODE):
    """A waterfall as stacked columns; each visible bar is labelled with its signed move (or total).

    The series names (in the chart's data sheet, seen when a reader edits the chart) come from
    the deck's catalogue; ``language`` formats the bars' labels."""
    ws = waterfall_series(steps)
    cats = [s.label for s in steps]
    series = [Series(base_name, ws.base, total), Series(total_name, ws.totals, total),
              Series(up_name, ws.up, up), Series(down_name, ws.down, down)]
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_STACKED, *box.emu(), _data(cats, series, number_format))
    chart = frame.chart
    _style(chart, number_format, legend=False)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.overlap = 100
    for i, (s, ps) in enumerate(zip(series, plot.series)):
        ps.invert_if_negative = False
        if i == 0:  # the base, under the moves
            ps.format.fill.background()
            ps.format.line.fill.background()
        else:
            ps.format.fill.solid()
            ps.format.fill.fore_color.rgb = s.colour
    # one label per step, on the series that carries its bar
    top = max([abs(b) + u + d + abs(t) for b, u, d, t in zip(ws.base, ws.up, ws.down, ws.totals)] or [1.0])
    for i, step in enumerate(steps):
        k = 1 if step.total else (2 if step.value >= 0 else 3)
        # a move's label sits just under its bar, on the invisible base, where a thin bar
        # would hide it; a bar resting on zero carries its own label
        if not step.total and ws.base[i] > 0.08 * top:
            k = 0
        point = plot.series[k].points[i]
        text = formats.money(step.value, signed=not step.total, locale=language)
        tf = point.data_label.text_frame
        tf.text = text
        font = tf.paragraphs[0].runs[0].font
        font.size = CHART_SIZE
        font.bold = step.total
        if step.total:
            font.color.rgb = PAPER
        point.data_label.position = XL_LABEL_POSITION.INSIDE_END if k in (0, 1) else XL_LABEL_POSITION.CENTER
    chart.category_axis.tick_labels.font.size = Pt(9)
    return chart
