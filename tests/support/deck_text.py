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

from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import words

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
