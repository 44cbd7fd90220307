"""The headline numbers of a deck, read back from its executive summary (slide 1, ``ritual_decks.summary``).

Read from the file itself, so the mail says exactly what the slide shows, whichever step wrote it.  The
summary's text boxes are named (``ritual_decks.summary``: the headline, the three numbers, the risk, the
decision); the deck's title is the first text of the slide's header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ritual_decks.summary import DECISION_BOX, FIGURE_BOXES, HEADLINE_BOX, RISK_BOX

SUMMARY_SLIDE = 0  # the executive summary opens every deck


@dataclass(frozen=True)
class DeckSummary:
    deck_title: str  # the deck's title in the summary's header: « Revue mensuelle commerciale · octobre 2026 »
    title: str  # the headline sentence
    rows: tuple[tuple[str, ...], ...] = ()  # one row per number: label, value, « sur … d'objectif », status
    lines: tuple[str, ...] = ()  # the main risk and the decision asked for, each in one line


def _texts(shape) -> list[str]:
    if not shape.has_text_frame:
        return []
    return [p.text.replace("\u2060", "").strip() for p in shape.text_frame.paragraphs if p.text.strip()]


def read_summary(deck: Path) -> DeckSummary:
    from pptx import Presentation

    slides = list(Presentation(str(deck)).slides)
    if len(slides) <= SUMMARY_SLIDE:
        return DeckSummary("", "")
    slide = slides[SUMMARY_SLIDE]
    named = {shape.name: _texts(shape) for shape in slide.shapes}
    texts = [t for shape in slide.shapes for t in _texts(shape)]
    deck_title = texts[0] if texts else ""
    headline = " ".join(named.get(HEADLINE_BOX, [])) or deck_title
    rows: list[tuple[str, ...]] = []
    for name in FIGURE_BOXES:
        parts = named.get(name, [])
        if parts:
            rows.append(tuple(parts[:4]))
    lines = tuple(" : ".join(named[name][:2]) + "".join(f" ({t})" for t in named[name][2:3])
                  for name in (RISK_BOX, DECISION_BOX) if named.get(name))
    return DeckSummary(deck_title, headline, tuple(rows), lines)
