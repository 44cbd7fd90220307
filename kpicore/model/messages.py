"""What the engine says, as a code and its figures: never a sentence (DESIGN.md, "Messages").

An alert, a risk reason, the forecast method's reason or a quality issue is a
``Message``: a code such as ``alert.meetings_falling.title`` and the figures
that fill it (numbers, dates, a ``Scope``, a ``Period``, the client's own text,
or another ``Message``).  The edges render it in the reader's language from the
catalogues of ``kpicore.text`` (``kpicore.text.catalogue.render``), so a message
is written once per language and an English cockpit holds no French.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    """A catalogue code and its figures, in a fixed order so that two equal messages compare equal."""

    code: str
    figures: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **figures: Any) -> "Message":
        return cls(code, tuple(figures.items()))

    def figure(self, name: str, default: Any = None) -> Any:
        for key, value in self.figures:
            if key == name:
                return value
        return default

    @property
    def figure_dict(self) -> dict[str, Any]:
        return dict(self.figures)
