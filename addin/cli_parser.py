"""argparse in the reader's language: usage, help and every error from the catalogue (``kpicore.text.*.cli``).

argparse builds all of its sentences through ``argparse._`` and
``argparse.ngettext`` (gettext), looked up when a sentence is needed, in
Python 3.11 to 3.13 alike.  ``speaking(language)`` puts a translator there
for the time a parser is built, formats its help or parses; ``Parser`` does
it around each of those, so a parser speaks its own language wherever it is
used.  A sentence of argparse missing from ``ARGPARSE_TEXTS`` (one a later
Python adds) stays in English rather than break; a test reads the installed
argparse's sentences and requires every one a user can meet to be mapped.

The catalogue's texts use ``{figure}`` fields; argparse fills its own
``%(name)s`` / ``%s`` slots afterwards, so each figure is rendered as the
argparse slot it stands for, and a ``%`` of the text itself is doubled.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from kpicore.text.catalogue import say

# argparse's English sentence -> (catalogue code, {figure: the argparse slot it becomes})
ARGPARSE_TEXTS: dict[str, tuple[str, dict[str, str]]] = {
    "usage: ": ("cli.argparse.usage", {}),
    "positional arguments": ("cli.argparse.positionals", {}),
    "options": ("cli.argparse.options", {}),
    "show this help message and exit": ("cli.argparse.help", {}),
    "%(prog)s: error: %(message)s\n": ("cli.argparse.prog_error", {"prog": "%(prog)s", "message": "%(message)s"}),
    "argument %(argument_name)s: %(message)s": ("cli.argparse.argument",
                                                {"name": "%(argument_name)s", "message": "%(message)s"}),
    "the following arguments are required: %s": ("cli.argparse.required", {"names": "%s"}),
    "unrecognized arguments: %s": ("cli.argparse.unrecognized", {"names": "%s"}),
    "invalid choice: %(value)r (choose from %(choices)s)": ("cli.argparse.invalid_choice",
                                                            {"value": "%(value)s", "choices": "%(choices)s"}),
    "expected one argument": ("cli.argparse.expected_one", {}),
    "expected at least one argument": ("cli.argparse.expected_at_least_one", {}),
    "expected at most one argument": ("cli.argparse.expected_at_most_one", {}),
    "invalid %(type)s value: %(value)r": ("cli.argparse.invalid_type", {"value": "%(value)s"}),
    "ambiguous option: %(option)s could match %(matches)s": ("cli.argparse.ambiguous",
                                                             {"option": "%(option)s", "matches": "%(matches)s"}),
    "not allowed with argument %s": ("cli.argparse.not_allowed", {"name": "%s"}),
    "one of the arguments %s is required": ("cli.argparse.one_required", {"names": "%s"}),
    "unknown parser %(parser_name)r (choices: %(choices)s)": ("cli.argparse.unknown_parser",
                                                              {"name": "%(parser_name)s", "choices": "%(choices)s"}),
    "can't open '%(filename)s': %(error)s": ("cli.argparse.cant_open", {"file": "%(filename)s", "error": "%(error)s"}),
    "ignored explicit argument %r": ("cli.argparse.ignored_explicit", {"value": "%s"}),
    "unexpected option string: %s": ("cli.argparse.unexpected_option", {"option": "%s"}),
}
ARGPARSE_PLURALS: dict[tuple[str, str], tuple[str, str, dict[str, str]]] = {
    ("expected %s argument", "expected %s arguments"): ("cli.argparse.expected_n_one", "cli.argparse.expected_n_many",
                                                        {"count": "%s"}),
}


def _filled(code: str, slots: dict[str, str], language: str) -> str:
    # each figure as a marker first, so that a % of the text itself can be doubled before argparse formats it
    markers = {name: f"\x00{i}\x00" for i, name in enumerate(slots)}
    text = say(code, language, **markers)
    if slots:
        text = text.replace("%", "%%")
        for name, marker in markers.items():
            text = text.replace(marker, slots[name])
    return text


def translate(message: str, language: str) -> str:
    """One of argparse's sentences in ``language`` (unknown ones as they are)."""
    found = ARGPARSE_TEXTS.get(message)
    if found is None:
        return message
    code, slots = found
    if not slots and "%" in message:  # a sentence argparse %-formats with nothing to fill
        return _filled(code, {}, language).replace("%", "%%")
    return _filled(code, slots, language)


def translate_plural(singular: str, plural: str, n: int, language: str) -> str:
    found = ARGPARSE_PLURALS.get((singular, plural))
    if found is None:
        return singular if n == 1 else plural
    one, many, slots = found
    # French takes the singular for 0 and 1, English for 1 only (as kpicore.text.catalogue's count spec)
    single = abs(n) <= 1 if language == "fr" else abs(n) == 1
    return _filled(one if single else many, slots, language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """argparse's sentences in ``language`` inside the block (the CLI is one thread)."""
    saved = argparse._, argparse.ngettext
    argparse._ = functools.partial(translate, language=language)  # type: ignore[attr-defined]
    argparse.ngettext = functools.partial(translate_plural, language=language)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that speaks ``language``: usage, help and errors from the catalogue."""

    def __init__(self, *args: Any, language: str = "fr", **kwargs: Any) -> None:
        self.language = language
        with speaking(language):
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any):  # type: ignore[override]
        kwargs.setdefault("parser_class", functools.partial(type(self), language=self.language))
        with speaking(self.language):
            return super().add_subparsers(**kwargs)

    def parse_args(self, args: Any = None, namespace: Any = None):  # type: ignore[override]
        with speaking(self.language):  # its « unrecognized arguments » is said outside parse_known_args
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Any = None, namespace: Any = None):  # type: ignore[override]
        with speaking(self.language):
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with speaking(self.language):
            return super().format_usage()

    def format_help(self) -> str:
        with speaking(self.language):
            return super().format_help()

    def error(self, message: str):  # type: ignore[override]
        with speaking(self.language):
            super().error(message)


# ------------------------------------------------------------------ argument types that explain themselves

def date_type(language: str) -> Callable[[str], date]:
    """``AAAA-MM-JJ`` read as a date; anything else refused with the catalogue's words."""
    def read(text: str) -> date:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(say("cli.error.date", language, value=text)) from None
    read.__name__ = "date"
    return read


def count_type(language: str) -> Callable[[str], int]:
    """A whole number of 1 or more (draws, rows shown): 0, -3 or « deux » refused."""
    def read(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(say("cli.error.count", language, value=text))
        return value
    read.__name__ = "count"
    return read


def seconds_type(language: str) -> Callable[[str], float]:
    """A number of seconds, 0 or more."""
    def read(text: str) -> float:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            value = -1.0
        if not value >= 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(say("cli.error.seconds", language, value=text))
        return value
    read.__name__ = "seconds"
    return read
