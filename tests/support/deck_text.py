"""Every text a reader can see in a deck, read back with python-pptx, and the words of it.

``deck_texts(path)`` gathers, slide by slide: the text frames of shapes (inside groups too),
the cells of tables, each chart's rich text (chart and axis titles, data labels) and its
cached strings (series names, categories), and the speaker notes. ``foreign_words`` says which
words of one language's catalogue (``words(other) - words(language)``) a deck holds, leaving
aside the client's own words (rep, team, account, stage names as typed), which stay as typed
whatever the language.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.enum.text import PP_ALIGN

from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import words
from ritual_decks import text_fit

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _shape_texts(shapes) -> Iterator[str]:
    for sh in shapes:
        if sh.shape_type == 6:  # a group: its own shapes
            yield from _shape_texts(sh.shapes)
            continue
        if sh.has_text_frame:
            yield sh.text_frame.text
        if getattr(sh, "has_table", False) and sh.has_table:
            for row in sh.table.rows:
                for cell in row.cells:
                    yield cell.text
        if getattr(sh, "has_chart", False) and sh.has_chart:
            yield from chart_texts(sh.chart)


def chart_texts(chart) -> Iterator[str]:
    """The rich text of a chart (titles of the chart and axes, data labels typed in) and its
    string caches (series names, categories), straight from the chart part's XML."""
    root = etree.fromstring(chart.part.blob)
    for t in root.iter(f"{_A}t"):
        yield t.text or ""
    for cache in root.iter(f"{_C}strCache"):
        for v in cache.iter(f"{_C}v"):
            yield v.text or ""


def deck_texts(path: Path | str) -> list[str]:
    """Every text of every slide of the deck at ``path``, notes included."""
    prs = Presentation(str(path))
    texts: list[str] = []
    for slide in prs.slides:
        texts.extend(_shape_texts(slide.shapes))
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return [t for t in texts if t]


def words_in(texts: Iterable[str]) -> set[str]:
    """The words of ``texts`` in lower case, each whole and split at its apostrophes (« l'objectif »
    gives l'objectif, l and objectif), as ``kpicore.text.catalogue.words`` splits the catalogue."""
    found: set[str] = set()
    for text in texts:
        for word in _WORD.findall(str(text)):
            found.add(word.lower())
            found.update(part.lower() for part in re.split(r"['’]", word) if part)
    return found


_CODE = re.compile(r"^[a-z0-9_]+$")  # a status, a ritual, a KPI, a Settings key: read by the product, never shown


def client_words(data: PipelineData) -> set[str]:
    """The words of every text cell of the client's tables (names, stages, reasons, decisions...),
    leaving out the cells that hold a code (``open``, ``weekly``, ``qualified_meetings``)."""
    cells: list[str] = []
    for frame in data.frames().values():
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                cells.extend(str(v) for v in values.dropna() if not _CODE.match(str(v)))
    return words_in(cells)


def product_words_of(other: str, language: str) -> set[str]:
    """Words the product writes in ``other`` and never in ``language`` (two letters or more)."""
    return {w for w in words(other) - words(language) if len(w) >= 2}


def foreign_words(texts: Iterable[str], language: str, data: PipelineData, other: str | None = None,
                  allowed: Iterable[str] = ()) -> set[str]:
    """The words of ``other``'s catalogue (French for an English deck, English for a French one)
    found in ``texts``, the client's own words and ``allowed`` left aside."""
    other = other or ("fr" if language == "en" else "en")
    return (words_in(texts) & product_words_of(other, language)) - client_words(data) - set(allowed)


def in_language(data: PipelineData, language: str) -> PipelineData:
    """``data`` whose Settings say ``language = <language>`` (the line replaced, or added)."""
    s = data.settings
    kept = s[s["key"].astype(str).str.lower() != "language"] if len(s) else s
    line = pd.DataFrame({"key": ["language"], "value": [language]})
    return data.with_frames(settings=pd.concat([kept, line], ignore_index=True))


# -- text that fits its box ---------------------------------------------------------------------

def _font(bold: bool):
    from PIL import ImageFont

    path = text_fit.font_file(bold)
    if path is None:
        from conftest import require_or_skip

        require_or_skip("aucune police Liberation/DejaVu sur cette machine (apt-get install fonts-liberation2)")
    return ImageFont.truetype(path, 1000)


def text_width(text: str, size: float, bold: bool) -> float:
    # the word joiner that ties a sign to its currency symbol takes no room
    return _font(bool(bold)).getlength(text.replace("\u2060", "")) / 1000 * size


def text_lines(text: str, width: float, size: float, bold: bool) -> int:
    """Greedy wrap, measured here with Pillow; a word wider than the line fails the test."""
    n, line = 1, ""
    for word in text.split(" "):
        assert text_width(word, size, bold) <= width + 0.5, f"mot trop long pour sa boîte : {word!r}"
        candidate = word if not line else f"{line} {word}"
        if text_width(candidate, size, bold) <= width + 0.01:
            line = candidate
        else:
            n, line = n + 1, word
    return n


def check_fit(prs) -> int:
    """Every text box and table cell of ``prs`` holds its text, measured with Pillow (not with
    ritual_decks.text_fit, which is under test); returns how many were checked."""
    checked = 0
    height = prs.slide_height
    for k, slide in enumerate(prs.slides, start=1):
        for sh in slide.shapes:
            if sh.has_text_frame and sh.text_frame.text.strip():
                tf = sh.text_frame
                w = (sh.width - tf.margin_left - tf.margin_right) / 12700
                h = (sh.height - tf.margin_top - tf.margin_bottom) / 12700
                used = 0.0
                for p in tf.paragraphs:
                    size = p.runs[0].font.size.pt if p.runs else 14
                    used += text_lines(p.text, w, size, p.runs[0].font.bold if p.runs else False) * size * 1.2
                assert used <= h + 0.5, f"diapositive {k} : « {tf.text[:60]} » déborde ({used:.0f} > {h:.0f} pt)"
                checked += 1
            if sh.has_table:
                table = sh.table
                bottom = sh.top + sum(r.height for r in table.rows)
                assert bottom <= height, f"diapositive {k} : le tableau sort de la diapositive"
                for i, row in enumerate(table.rows):
                    for j, cell in enumerate(row.cells):
                        paras = [p for p in cell.text_frame.paragraphs if p.runs and p.text]
                        if not paras:
                            continue
                        # cells do not wrap (one paragraph per line): each line must fit its column,
                        # and the lines the row's height
                        assert not cell.text_frame.word_wrap
                        room = (table.columns[j].width - cell.margin_left - cell.margin_right) / 12700
                        for p in paras:
                            run = p.runs[0]
                            if p.alignment == PP_ALIGN.RIGHT:  # figures: shrunk if need be, never cut
                                assert not p.text.endswith("…"), f"diapositive {k} : montant coupé « {p.text} »"
                            assert text_width(p.text, run.font.size.pt, run.font.bold) <= room + 0.5, \
                                f"diapositive {k} : cellule « {p.text} » trop large"
                        need = sum(p.runs[0].font.size.pt * 1.2 for p in paras)
                        have = (row.height - cell.margin_top - cell.margin_bottom) / 12700
                        assert need <= have + 0.5, f"diapositive {k} : cellule « {cell.text} » trop haute"
                        checked += 1
    return checked
