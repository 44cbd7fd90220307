"""The slide writer shared by both decks: a blank 16:9 deck or a client's template,
titles, text boxes that fit, tables, and the atomic save.

With a client template (``template=client.pptx``) the deck keeps the template's
masters, layouts, theme colours, fonts of the title placeholders and logo: its
own slides are removed, each slide is made from a layout chosen by name or by
placeholder types (a "title only" layout, else a blank one), and the chart
colours come from the theme's accents. The template is the client's file: it
passes ``workbook_templates.archive_guard.check_archive`` before python-pptx
opens it, whichever way the deck was asked for.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Pt

from kpicore.metrics.targets import BELOW_TARGET, NEAR_TARGET, ON_TARGET
from kpicore.model.errors import InputFileError
from ritual_decks import style, text_fit
from kpicore.text.catalogue import DEFAULT_LANGUAGE
from ritual_decks.charts import Box
from ritual_decks.formats import Voice
from workbook_templates.archive_guard import check_archive
from workbook_templates.safe_file import publish

# Placeholder types a layout may carry and still count as "title only" / "blank".
_FURNITURE = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_TITLE_ONLY_NAMES = ("title only", "titre seul", "titre uniquement", "nur titel", "solo título")
_BLANK_NAMES = ("blank", "vide")
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

# Text frame insets (points): what a text box leaves around its text.
INSET_X = 7.2
INSET_Y = 3.6
CELL_X = 4.0
CELL_Y = 2.0


@dataclass(frozen=True)
class Palette:
    """Colours by meaning; from the cockpit by default, from the theme's accents with a template."""

    actual: RGBColor = style.ACTUAL
    target: RGBColor = style.TARGET
    forecast: RGBColor = style.FORECAST
    up: RGBColor = style.UP
    down: RGBColor = style.DOWN
    total: RGBColor = style.TOTAL
    ink: RGBColor = style.INK
    muted: RGBColor = style.MUTED
    bad: RGBColor = style.BAD_TEXT
    good: RGBColor = style.GOOD_TEXT
    warn: RGBColor = style.WARN_TEXT
    header_fill: RGBColor = style.LIGHT

    def status(self, status: str) -> RGBColor:
        """The colour of a target status (``kpicore.metrics.targets``): good, warn or bad."""
        return {ON_TARGET: self.good, NEAR_TARGET: self.warn, BELOW_TARGET: self.bad}[status]


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box."""

    text: str
    size: float = 14.0
    bold: bool = False
    colour: RGBColor | None = None


def theme_colours(prs) -> dict[str, RGBColor]:
    """accent1..6, dk1, dk2 of the first master's theme (only explicit sRGB or system colours)."""
    import defusedxml.ElementTree as ET  # the template is the client's file: parse it safely

    try:
        theme = prs.slide_masters[0].part.part_related_by(RT.THEME)
    except (KeyError, IndexError):
        return {}
    root = ET.fromstring(theme.blob)
    out: dict[str, RGBColor] = {}
    scheme = root.find(f".//{_A}clrScheme")
    if scheme is None:
        return out
    for slot in scheme:
        name = slot.tag.replace(_A, "")
        srgb, sys_ = slot.find(f"{_A}srgbClr"), slot.find(f"{_A}sysClr")
        value = srgb.get("val") if srgb is not None else (sys_.get("lastClr") if sys_ is not None else None)
        if value and len(value) == 6:
            out[name] = RGBColor.from_string(value.upper())
    return out


def _palette_from_theme(colours: dict[str, RGBColor]) -> Palette:
    base = Palette()
    get = colours.get
    return Palette(actual=get("accent1", base.actual), target=base.target, forecast=get("accent2", base.forecast),
                   up=get("accent1", base.up), down=get("accent2", base.down), total=get("dk2", base.total),
                   ink=get("dk1", base.ink), muted=base.muted, bad=base.bad, good=base.good, warn=base.warn,
                   header_fill=base.header_fill)


def _kinds(layout) -> set:
    return {ph.placeholder_format.type for ph in layout.placeholders}


def _pick_layout(prs, names: Sequence[str], want_title: bool):
    layouts = list(prs.slide_layouts)
    for layout in layouts:  # by name first: the client named them for a reason
        if layout.name.strip().lower() in names:
            return layout
    for layout in layouts:  # then by placeholder types
        kinds = _kinds(layout) - _FURNITURE
        if want_title and kinds and kinds <= {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.SUBTITLE}:
            return layout
    return None


def _blank_layout(prs):
    for layout in prs.slide_layouts:
        if layout.name.strip().lower() in _BLANK_NAMES:
            return layout
    for layout in prs.slide_layouts:
        if not (_kinds(layout) - _FURNITURE):
            return layout
    return prs.slide_layouts[len(prs.slide_layouts) - 1]


def _rules(cell, colour: RGBColor = style.RULE, width_pt: float = 0.75) -> None:
    """Thin lines above and under a table cell (python-pptx has no border API: a:lnT / a:lnB in the
    cell properties; LibreOffice draws a shared edge from either cell, PowerPoint from both)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    for tag in ("a:lnB", "a:lnT"):  # inserted in reverse: lnT must precede lnB, both before the fill
        line = etree.Element(qn(tag), w=str(int(width_pt * 12700)), cap="flat", cmpd="sng", algn="ctr")
        fill = etree.SubElement(line, qn("a:solidFill"))
        etree.SubElement(fill, qn("a:srgbClr"), val=str(colour))
        tc_pr.insert(0, line)


class DeckWriter:
    """Builds slides on the grid of ``style`` (points), over a blank deck or a client template."""

    def __init__(self, template: Path | str | None = None, language: str = DEFAULT_LANGUAGE) -> None:
        self.voice = v = Voice(language)  # every text of the deck, in its reader's language
        if template is None:
            self.prs = Presentation()
            self.prs.slide_width, self.prs.slide_height = style.SLIDE_WIDTH, style.SLIDE_HEIGHT
            self.palette = Palette()
            self.templated = False
            self.content_layout = self.prs.slide_layouts[6]  # blank
        else:
            path = Path(template)
            if not path.is_file():
                raise InputFileError(v("template.missing", path=str(path)))
            if not zipfile.is_zipfile(path):
                raise InputFileError(v("template.not_office"), file=path.name, fix=v("template.not_office_fix"))
            # the client's file is untrusted input like any workbook: bounded and free of DTDs before
            # python-pptx inflates and parses it, whoever asked for the deck (CLI, ribbon, menu)
            check_archive(path)
            try:
                self.prs = Presentation(str(path))
            except Exception as exc:  # python-pptx raises several kinds for a file that is not a .pptx
                raise InputFileError(v("template.unreadable", name=path.name, error=str(exc))) from exc
            self._drop_slides()
            self.palette = _palette_from_theme(theme_colours(self.prs))
            self.templated = True
            self.content_layout = (_pick_layout(self.prs, _TITLE_ONLY_NAMES, True) or _blank_layout(self.prs))
        self.width = self.prs.slide_width / 12700
        self.logo_left = self._logo_left()
        self.height = self.prs.slide_height / 12700
        self.content = Box(style.MARGIN, style.CONTENT_TOP, self.width - 2 * style.MARGIN,
                           self.height - style.CONTENT_TOP - style.FOOTER_HEIGHT - 12)

    def _logo_left(self) -> float:
        """Left edge (points) of a picture of the template in the title band's right half (a logo),
        so that titles stop before it; the slide width when there is none."""
        edge = self.prs.slide_width / 12700
        if not getattr(self, "templated", False):
            return edge
        band = (style.TITLE_TOP + style.TITLE_HEIGHT) * 12700
        for owner in (self.prs.slide_masters[0], self.content_layout):
            for sh in owner.shapes:
                if sh.shape_type == 13 and sh.top is not None and sh.top < band and sh.left > self.prs.slide_width / 2:
                    edge = min(edge, sh.left / 12700 - 8)
        return edge

    def _drop_slides(self) -> None:
        ids = self.prs.slides._sldIdLst  # python-pptx has no public "delete slide"
        for sld_id in list(ids):
            self.prs.part.drop_rel(sld_id.rId)
            ids.remove(sld_id)

    # -- slides -------------------------------------------------------------
    def _new_slide(self, layout):
        slide = self.prs.slides.add_slide(layout)
        for ph in list(slide.placeholders):  # placeholders we do not fill would show "Cliquez pour..."
            if ph.placeholder_format.type not in _TITLES:
                ph._element.getparent().remove(ph._element)
        return slide

    def _title(self, slide, text: str, box: Box, size: float, bold: bool = True, align=PP_ALIGN.LEFT) -> None:
        title = slide.shapes.title
        room = box.w - 2 * INSET_X
        if title is None:
            title = slide.shapes.add_textbox(*box.emu())
            colour = None if self.templated else self.palette.ink
        else:
            box = Box(box.x, box.y, min(box.w, self.logo_left - box.x), box.h)
            title.left, title.top, title.width, title.height = box.emu()
            colour = None  # the template's title colour and font
            # the template's font has unknown metrics: keep a margin (a wide fallback font such
            # as DejaVu Sans is about 12 % wider than Arial)
            room = (box.w - 2 * INSET_X) * 0.85
        fitted = text_fit.largest_size([(text, bold)], room, box.h - 2 * INSET_Y, size, 14)
        self._fill(title.text_frame, [Para(text, fitted, bold, colour)], anchor=MSO_ANCHOR.MIDDLE, align=align,
                   font=None if colour is None else style.FONT)
        title.name = "Titre"

    def header_slide(self, title: str, subtitle: str, footer: str = "") -> object:
        """A content slide headed by the deck's title and its subtitle (the executive summary's): the
        deck then needs no title slide."""
        slide = self._new_slide(self.content_layout)
        box = Box(style.MARGIN, style.TITLE_TOP - 6, self.width - 2 * style.MARGIN, 40)
        self._title(slide, title, box, style.TITLE_SIZE.pt)
        right = min(self.width - style.MARGIN, self.logo_left) - style.MARGIN
        self.text(slide, Box(style.MARGIN, box.y + box.h, right, 24), [Para(subtitle, 13, False, self.palette.muted)])
        if footer:
            self.text(slide, Box(style.MARGIN, self.height - style.FOOTER_HEIGHT - 8, self.width - 2 * style.MARGIN,
                                 style.FOOTER_HEIGHT), [Para(footer, 9, False, self.palette.muted)])
        return slide

    def panel(self, slide, box: Box, colour: RGBColor, name: str = "Fond") -> object:
        """A flat rectangle without outline (a tile's background, a rule)."""
        shape = slide.shapes.add_shape(1, *box.emu())  # 1: rectangle
        shape.fill.solid()
        shape.fill.fore_color.rgb = colour
        shape.line.fill.background()
        shape.shadow.inherit = False
        shape.name = name
        return shape

    def move_first(self, slide) -> None:
        """Put ``slide`` first in the deck (a summary is written last, from what the other slides computed)."""
        ids = self.prs.slides._sldIdLst  # python-pptx has no public "reorder slides"
        for sld_id in list(ids):
            if self.prs.part.related_part(sld_id.rId) is slide.part:
                ids.remove(sld_id)
                ids.insert(0, sld_id)
                return
        raise ValueError("move_first: the slide is not in this deck")

    def slide(self, title: str, footer: str = "") -> object:
        """A content slide whose title is the message of the slide."""
        slide = self._new_slide(self.content_layout)
        self._title(slide, title, Box(style.MARGIN, style.TITLE_TOP, self.width - 2 * style.MARGIN,
                                      style.TITLE_HEIGHT), style.TITLE_SIZE.pt)
        if footer:
            self.text(slide, Box(style.MARGIN, self.height - style.FOOTER_HEIGHT - 8, self.width - 2 * style.MARGIN,
                                 style.FOOTER_HEIGHT), [Para(footer, 9, False, self.palette.muted)])
        return slide

    # -- text -----------------------------------------------------------------
    @staticmethod
    def _fill(tf, paras: Sequence[Para], *, anchor=MSO_ANCHOR.TOP, align=PP_ALIGN.LEFT, font: str | None = style.FONT
              ) -> None:
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        tf.vertical_anchor = anchor
        tf.margin_left = tf.margin_right = Pt(INSET_X)
        tf.margin_top = tf.margin_bottom = Pt(INSET_Y)
        tf.text = ""
        for i, p in enumerate(paras):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            para.alignment = align
            run = para.add_run()
            run.text = text_fit.glued(p.text)
            run.font.size = Pt(p.size)
            run.font.bold = p.bold
            if font:
                run.font.name = font
            if p.colour is not None:
                run.font.color.rgb = p.colour

    def text(self, slide, box: Box, paras: Sequence[Para], *, anchor=MSO_ANCHOR.TOP, align=PP_ALIGN.LEFT,
             min_size: float = 9.0):
        """A text box whose paragraphs are scaled down together until they fit, then cut with "…"."""
        width, height = box.w - 2 * INSET_X, box.h - 2 * INSET_Y
        paras = list(paras)
        scale = 1.0
        while scale > 0.5 and not text_fit.fits([(p.text, p.size * scale, p.bold) for p in paras], width, height):
            scale -= 0.05
        paras = [Para(p.text, max(min_size, round(p.size * scale * 2) / 2), p.bold, p.colour) for p in paras]
        for _ in range(50):  # still too long at the smallest size: cut the end with "…"
            if not paras or text_fit.fits([(p.text, p.size, p.bold) for p in paras], width, height):
                break
            last = paras[-1]
            above = text_fit.text_height([(p.text, p.size, p.bold) for p in paras[:-1]], width)
            room = int((height - above) // (last.size * text_fit.LINE_SPACING))
            if room < 1:
                paras.pop()
                continue
            lines = text_fit.wrap(last.text, width, last.size, last.bold)
            # the lines that fit, the last of them ending in "…" (greedy wrapping keeps the lines above)
            tail = text_fit.shorten(" ".join(lines[room - 1:]), width, last.size, last.bold)
            if tail == " ".join(lines[room - 1:]):  # fits already: force the cut one word earlier
                tail = text_fit.shorten(tail, text_fit.text_width(tail, last.size, last.bold) - 1, last.size,
                                        last.bold)
            paras[-1] = Para(" ".join(lines[: room - 1] + [tail]), last.size, last.bold, last.colour)
        shape = slide.shapes.add_textbox(*box.emu())
        self._fill(shape.text_frame, paras, anchor=anchor, align=align)
        return shape

    def empty_note(self, slide, box: Box, text: str):
        """The one line a slide says when it has nothing to show (rather than an empty chart)."""
        return self.text(slide, Box(box.x, box.y + box.h / 2 - 30, box.w, 60), [Para(text, 20, False,
                         self.palette.muted)], anchor=MSO_ANCHOR.MIDDLE, align=PP_ALIGN.CENTER)

    # -- tables ----------------------------------------------------------------
    def table(self, slide, box: Box, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], *, right: Sequence[int] = (), size: float | None = None,
              colours: dict[tuple[int, int], RGBColor] | None = None, bold_rows: Sequence[int] = (),
              wrap: Sequence[int] = (), max_lines: int = 2, min_row_height: float = 0.0):
        """A table whose cells never overflow; ``widths`` are fractions of ``box.w``.

        A cell holds one line cut with "…" to fit its column, or, in the ``wrap`` columns,
        up to ``max_lines`` lines (one paragraph each, so no application re-wraps them).
        ``size`` None: the largest of 14, 12 and 11 points at which every row fits in the box
        and no cell is cut (a short table reads better large), else the largest at which no
        right-aligned figure is cut, else 10.  Rows that do not fit in ``box`` are left out:
        callers read ``len(table.rows) - 1`` for the rows shown.
        """
        colours = colours or {}
        total = sum(widths)
        col_w = [box.w * w / total for w in widths]

        cut: dict[float, tuple[int, int]] = {}  # size -> (cells cut, numeric cells cut)

        def layout(sz: float) -> list[list[list[str]]]:
            out = []
            n_cut = n_num = 0
            for i, values in enumerate([list(header)] + [list(r) for r in rows]):
                bold = i == 0 or (i - 1) in bold_rows
                line_room = [cw - 2 * CELL_X - 1 for cw in col_w]
                cells_ = []
                for j, value in enumerate(values):
                    text = str(value)
                    if j in wrap and i > 0:
                        lines = text_fit.wrap(text, line_room[j], sz, bold)
                        if len(lines) > max_lines:
                            rest = " ".join(lines[max_lines - 1:])
                            lines = lines[:max_lines - 1] + [text_fit.shorten(rest + " " + text_fit.ELLIPSIS,
                                                                              line_room[j], sz, bold)]
                        lines = [text_fit.shorten(t, line_room[j], sz, bold) for t in lines]
                    else:
                        lines = [text_fit.shorten(text, line_room[j], sz, bold)]
                    if lines[-1] != text and lines[-1].endswith(text_fit.ELLIPSIS) and j not in wrap:
                        n_cut += 1
                        n_num += j in right
                    cells_.append(lines)
                out.append(cells_)
            cut[sz] = (n_cut, n_num)
            return out

        def heights(cells_: list[list[list[str]]], sz: float) -> list[float]:
            return [max(max(len(c) for c in row) * sz * text_fit.LINE_SPACING + 2 * CELL_Y + 2,
                        min_row_height if i else 0.0) for i, row in enumerate(cells_)]

        if size is None:
            # the largest size at which the rows fit in height and no cell is cut; else at which
            # no figure is cut (a name may lose its end, an amount never); else 10 points
            fit = [c for c in (14.0, 12.0, 11.0, 10.0) if sum(heights(layout(c), c)) <= box.h]
            size = next((c for c in fit if c >= 11 and cut[c] == (0, 0)),
                        next((c for c in fit if cut[c][1] == 0), 10.0))
        grid = layout(size)
        hs = heights(grid, size)
        n = 1
        while n < len(grid) and sum(hs[: n + 1]) <= box.h:
            n += 1
        grid, hs = grid[:n], hs[:n]
        frame = slide.shapes.add_table(n, len(header), *Box(box.x, box.y, box.w, sum(hs)).emu())
        table = frame.table
        table.first_row = True
        table.horz_banding = False
        for j, w in enumerate(col_w):
            table.columns[j].width = style.pt(w)
        for i, h in enumerate(hs):
            table.rows[i].height = style.pt(h)
        for i, row in enumerate(grid):
            for j, lines in enumerate(row):
                cell = table.cell(i, j)
                bold = i == 0 or (i - 1) in bold_rows
                cell.margin_left = cell.margin_right = Pt(CELL_X)
                cell.margin_top = cell.margin_bottom = Pt(CELL_Y)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = self.palette.header_fill if i == 0 else style.PAPER
                _rules(cell)
                tf = cell.text_frame
                tf.word_wrap = False
                for k, line in enumerate(lines):
                    para = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
                    para.alignment = PP_ALIGN.RIGHT if j in right else PP_ALIGN.LEFT
                    run = para.add_run()
                    run.text = text_fit.glued(line)
                    run.font.size = Pt(size)
                    run.font.bold = bold
                    run.font.name = style.FONT
                    run.font.color.rgb = colours.get((i - 1, j), self.palette.ink)
        return table

    def max_rows(self, box: Box, size: float = 10.0) -> int:
        """How many body rows (plus the header) a table of ``box`` height holds."""
        row_h = size * text_fit.LINE_SPACING + 2 * CELL_Y + 2
        return max(1, int(box.h // row_h) - 1)

    # -- output ----------------------------------------------------------------
    def save(self, out_path: Path | str) -> Path:
        """Write atomically (a temporary file in the same folder, then rename)."""
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".pptx", dir=out.parent)
        os.close(fd)
        try:
            self.prs.save(tmp)
            publish(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return out
