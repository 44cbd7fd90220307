"""The headline numbers of a deck, read back from its summary slide (the slide after the title).

Read from the file itself, so the mail says exactly what the slide shows, whichever step wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUMMARY_SLIDE = 1  # index: slide 0 is the title slide


@dataclass(frozen=True)
class DeckSummary:
    deck_title: str  # the title slide's first line: « Revue mensuelle — octobre 2026 »
    title: str  # the summary slide's title, the headline sentence
    rows: tuple[tuple[str, ...], ...] = ()  # a table on the slide (KPI, actual, target, status)
    lines: tuple[str, ...] = ()  # the slide's other text, paragraph by paragraph


def _texts(shape) -> list[str]:
    if not shape.has_text_frame:
        return []
    return [p.text.strip() for p in shape.text_frame.paragraphs if p.text.strip()]


def read_summary(deck: Path) -> DeckSummary:
    from pptx import Presentation

    slides = list(Presentation(str(deck)).slides)
    first = slides[0] if slides else None
    deck_title = ""
    if first is not None:
        found = [t for shape in first.shapes for t in _texts(shape)]
        deck_title = found[0] if found else ""
    if len(slides) <= SUMMARY_SLIDE:
        return DeckSummary(deck_title, deck_title)
    slide = slides[SUMMARY_SLIDE]
    title = slide.shapes.title.text_frame.text.strip() if slide.shapes.title is not None else ""
    rows: list[tuple[str, ...]] = []
    lines: list[str] = []
    for shape in slide.shapes:
        if shape == slide.shapes.title:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            rows.extend(tuple(c.text.strip() for c in r.cells) for r in shape.table.rows)
        else:
            lines.extend(_texts(shape))
    if not title and lines:
        title, lines = lines[0], lines[1:]
    return DeckSummary(deck_title, title, tuple(rows), tuple(lines))
