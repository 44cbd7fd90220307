"""How much room a text takes, from the metrics of the font, and shortening with "…".

Widths come from a TrueType file read with Pillow: Liberation Sans, metric-
compatible with Arial (the decks' font), else DejaVu Sans (wider: a safe
over-estimate).  Without Pillow or any font file, a per-character width table
of Arial stands in.  Sizes are points; a line is ``LINE_SPACING`` × the size
high, as PowerPoint and LibreOffice lay out single-spaced Arial.
"""

from __future__ import annotations

import functools
from pathlib import Path

LINE_SPACING = 1.2
ELLIPSIS = "…"
_BREAKABLE = " "  # no-break spaces (U+00A0, U+202F) never break a line
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"),
              "C:/Windows/Fonts", "/Library/Fonts", "/System/Library/Fonts")
_CANDIDATES = {
    False: ("LiberationSans-Regular.ttf", "arial.ttf", "Arial.ttf", "DejaVuSans.ttf"),
    True: ("LiberationSans-Bold.ttf", "arialbd.ttf", "Arial Bold.ttf", "DejaVuSans-Bold.ttf"),
}
_UNITS = 1000  # the font is loaded at 1000 px: widths in thousandths of an em

# Arial advance widths in thousandths of an em (fallback without a font file).
_NARROW = dict.fromkeys("ijlI.,;:!|'`", 278) | dict.fromkeys("frt()[]-/ ", 333) | {"\u202f": 200}
_WIDE = dict.fromkeys("mwMW", 833) | dict.fromkeys("ABCDEFGHKNOPQRSUVXYZ", 690) | {"…": 1000, "€": 556}


@functools.lru_cache(maxsize=None)
def font_file(bold: bool = False) -> str | None:
    """The first candidate font file found on this machine, or None."""
    for name in _CANDIDATES[bold]:
        for root in _FONT_DIRS:
            base = Path(root)
            if not base.is_dir():
                continue
            hit = next(iter(base.rglob(name)), None)
            if hit is not None:
                return str(hit)
    return None


@functools.lru_cache(maxsize=None)
def _font(bold: bool):
    path = font_file(bold)
    if path is None:
        return None
    try:
        from PIL import ImageFont
    except ImportError:  # Pillow is optional: the width table stands in
        return None
    return ImageFont.truetype(path, _UNITS)


WORD_JOINER = "\u2060"  # zero width, and no line break on either side


def glued(text: str) -> str:
    """``text`` with a sign tied to the currency symbol after it: an English ``−€408,353`` would
    otherwise break after the sign (both are prefix characters for the line-breaking rules)."""
    return text.replace("\u2212€", f"\u2212{WORD_JOINER}€").replace("+€", f"+{WORD_JOINER}€")


@functools.lru_cache(maxsize=20_000)
def _em_width(text: str, bold: bool) -> float:
    text = text.replace(WORD_JOINER, "")
    font = _font(bold)
    if font is not None:
        return font.getlength(text) / _UNITS
    factor = 1.05 if bold else 1.0
    return sum(_NARROW.get(c, _WIDE.get(c, 556)) for c in text) * factor / 1000


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of one line of ``text`` at ``size`` points."""
    return _em_width(text, bold) * size


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of one paragraph into lines no wider than ``width``.

    A word longer than the line is cut where it overflows, as PowerPoint does.
    """
    words = text.split(_BREAKABLE)
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = word if not line else f"{line} {word}"
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while text_width(line, size, bold) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and text_width(line[:cut], size, bold) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return lines


def text_height(paragraphs: list[tuple[str, float, bool]], width: float) -> float:
    """Height in points of paragraphs ``(text, size, bold)`` wrapped at ``width``."""
    return sum(len(wrap(t, width, s, b)) * s * LINE_SPACING for t, s, b in paragraphs)


def fits(paragraphs: list[tuple[str, float, bool]], width: float, height: float) -> bool:
    return text_height(paragraphs, width) <= height + 0.01


def shorten(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` itself when it fits on one line of ``width``, else its longest prefix + "…" that does."""
    if text_width(text, size, bold) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis (widths grow with length)
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + ELLIPSIS, size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def largest_size(paragraphs: list[tuple[str, bool]], width: float, height: float, size: float,
                 min_size: float = 8.0) -> float:
    """The largest size from ``size`` down to ``min_size`` (half-points) at which the paragraphs fit."""
    s = size
    while s > min_size and not fits([(t, s, b) for t, b in paragraphs], width, height):
        s -= 0.5
    return s
