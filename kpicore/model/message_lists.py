"""Several messages read as one: a list is a chain of two-figure messages, so a catalogue says how
its language joins them (« a ; b » in French, "a; b" in English) without the engine writing a separator."""

from __future__ import annotations

from typing import Any, Sequence

from kpicore.model.messages import Message


def chained(code: str, items: Sequence[Any]) -> Any:
    """``items`` joined by the template of ``code`` (``"{first} ; {rest}"``): the one item as it is,
    None for none.  Items are Messages or the client's own text."""
    if not items:
        return None
    out = items[-1]
    for item in reversed(items[:-1]):
        out = Message.of(code, first=item, rest=out)
    return out
