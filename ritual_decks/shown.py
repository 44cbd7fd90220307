"""What each slide of a deck showed: the numbers and rows, kept beside the file so that
tests (and the CLI's summary) can compare them with kpicore without parsing the deck."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class SlideShown:
    key: str  # stable id of the slide: "week_kpis", "movement", ...
    title: str
    numbers: Mapping[str, float | None] = field(default_factory=dict)
    rows: tuple[tuple[str, ...], ...] = ()  # table rows as shown (header excluded)
    empty: bool = False  # nothing to show: the slide says so in one line


@dataclass(frozen=True)
class DeckReport:
    kind: str  # "weekly", "monthly" or "quarterly"
    path: Path
    as_of: date
    period: str  # code of the period reviewed: "2026-W47", "2026-10", "2026-Q3"
    slides: tuple[SlideShown, ...]

    def slide(self, key: str) -> SlideShown:
        for s in self.slides:
            if s.key == key:
                return s
        raise KeyError(f"pas de diapositive « {key} » dans le deck {self.kind}")
