"""Render a ``Message`` in the reader's language from the catalogues (``kpicore.text.fr``, ``.en``).

A catalogue maps a code to a template in ``str.format`` syntax whose format
spec names how a figure reads::

    "alert.meetings_falling.title": "{scope} : RDV qualifiés en baisse de {drop:percent}"

=================  ==========================================================
spec               the figure reads as
=================  ==========================================================
(none)             by its type: a ``Message`` rendered, a ``Scope`` or a
                   ``Period`` by its label, a date in digits, a number with no
                   decimal, text as typed (the client's own words)
``money``          ``12 500 €`` (``money+``: signed; ``money1``: one decimal)
``percent``        ``23 %`` (``percent1``, ``percent+``...)
``number``         ``12,5`` with the digits given (``number1``, ``number2``)
``int``            ``12 500``
``date``           ``20/11/2026`` (``day``: ``20/11``)
``period``         ``mars 2026`` / ``March 2026``; ``period_short``: ``mars 26``
``count|one|many`` the whole number and its noun, singular or plural by the
                   language's rule (``3 propositions``)
=================  ==========================================================

The catalogues are packages: each module of ``kpicore/text/fr/`` holds a
``MESSAGES`` dict for one part of the product (alerts, risks, the cockpit, the
command line...), and ``kpicore/text/en/`` holds the same codes in English.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from datetime import date, datetime
from functools import lru_cache
from types import ModuleType
from typing import Any, Iterable

from babel.dates import get_day_names, get_month_names

from kpicore.model.messages import Message
from kpicore.model.periods import (DAY, FISCAL_QUARTER, FISCAL_YEAR, MONTH, QUARTER, WEEK, YEAR, Period)
from kpicore.model.rep_roster import NO_TEAM
from kpicore.model.roster import COMPANY, TEAM, Scope
from kpicore.text import formats

LANGUAGES = (formats.FR, formats.EN)
DEFAULT_LANGUAGE = formats.FR
_LANGUAGE_WORDS = {"fr": formats.FR, "francais": formats.FR, "français": formats.FR, "french": formats.FR,
                   "en": formats.EN, "english": formats.EN, "anglais": formats.EN}


def language_of(setting: object) -> str:
    """``fr`` or ``en`` from a Settings value (``en``, ``EN-gb``, ``English``, ``anglais``); French otherwise."""
    text = str(setting or "").strip().lower()
    return _LANGUAGE_WORDS.get(text, _LANGUAGE_WORDS.get(text[:2], DEFAULT_LANGUAGE))


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, str]:
    """Every code of one language, gathered from the modules of its package."""
    package = importlib.import_module(f"kpicore.text.{language_of(language)}")
    merged: dict[str, str] = {}
    for module in _modules(package):
        for code, template in getattr(module, "MESSAGES", {}).items():
            if code in merged:
                raise ValueError(f"{code} is defined twice in the {language} catalogue")
            merged[code] = template
    return merged


def _modules(package: ModuleType) -> list[ModuleType]:
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def has(code: str, language: str = DEFAULT_LANGUAGE) -> bool:
    return code in catalogue(language)


def say(code: str, language: str = DEFAULT_LANGUAGE, /, **figures: Any) -> str:
    """The catalogue's text of ``code`` filled with ``figures``: ``say("cockpit.alerts", "en")``."""
    return render(Message.of(code, **figures), language)


def render(message: Message | str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A message in one language; a plain string (the client's text) is returned as it is."""
    if message is None:
        return ""
    if not isinstance(message, Message):
        return str(message)
    language = language_of(language)
    try:
        template = catalogue(language)[message.code]
    except KeyError:
        raise KeyError(f"no text for {message.code!r} in the {language} catalogue") from None
    return _Formatter(language).vformat(template, (), message.figure_dict)


class _Formatter(string.Formatter):
    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, spec: str) -> str:
        return figure_text(value, spec, self.language)


_DIGITS = re.compile(r"^([a-z_]+?)(\d?)(\+?)$")


def figure_text(value: Any, spec: str, language: str) -> str:
    """One figure as a reader sees it (the spec table of the module docstring)."""
    if spec.startswith("count|"):
        _, one, many = spec.split("|")
        n = 0 if formats.missing(value) else int(round(float(value)))
        noun = one if _singular(n, language) else many
        return f"{formats.number(n, locale=language)} {noun}"
    if isinstance(value, Message):
        return render(value, language)
    if isinstance(value, Scope):
        return scope_label(value, language)
    if isinstance(value, Period):
        return period_label(value, language, short=spec == "period_short")
    match = _DIGITS.match(spec) if spec else None
    kind, digits, signed = (match.group(1), match.group(2), bool(match.group(3))) if match else (spec, "", False)
    if kind in ("money", "percent", "number"):
        fmt = getattr(formats, kind)
        return fmt(value, int(digits or 0), signed=signed, locale=language)
    if kind == "int":
        return formats.number(value, 0, signed=signed, locale=language)
    if kind in ("date", "day"):
        return formats.date(value, year=kind == "date", locale=language)
    if isinstance(value, (date, datetime)):
        return formats.date(value, locale=language)
    if isinstance(value, float):
        return formats.number(value, 0, locale=language)
    return format(value, spec) if spec else str(value)


def _singular(n: int, language: str) -> bool:
    # French: 0 and 1 take the singular (« 0 affaire », « 1 affaire »); English: 1 only.
    return abs(n) <= 1 if language == formats.FR else abs(n) == 1


def scope_label(scope: Scope, language: str = DEFAULT_LANGUAGE) -> str:
    """``Entreprise`` / ``Company``, ``Équipe Nord`` / ``Team Nord``, a rep by their name."""
    if scope.level == COMPANY:
        return say("scope.company", language)
    if scope.level == TEAM:
        if scope.name == NO_TEAM:
            return say("scope.no_team", language)
        return say("scope.team", language, name=scope.name)
    return scope.name


def month_name(month: int, language: str = DEFAULT_LANGUAGE, width: str = "wide") -> str:
    """``mars`` / ``March`` (``width="abbreviated"``: ``mars`` / ``Mar``)."""
    return get_month_names(width, "format", locale=language_of(language))[month]


def period_label(period: Period, language: str = DEFAULT_LANGUAGE, *, short: bool = False) -> str:
    """``Semaine 12 2025`` / ``Week 12 2025``, ``mars 2025`` / ``March 2025``, ``T1 2025`` / ``Q1 2025``.

    ``short`` is for chart axes: ``S12`` / ``W12``, ``mars 25`` / ``Mar 25``."""
    lang, s = language_of(language), period.start
    if short and period.kind == WEEK:
        return say("period.week_short", lang, week=s.isocalendar().week)
    if short and period.kind == MONTH:
        return f"{month_name(s.month, lang, 'abbreviated')} {s.year % 100:02d}"
    if period.kind == DAY:
        return say("period.day", lang, day=s.day, month=month_name(s.month, lang), year=s.year)
    if period.kind == WEEK:
        iso = s.isocalendar()
        return say("period.week", lang, week=iso.week, year=iso.year)
    if period.kind == MONTH:
        return say("period.month", lang, month=month_name(s.month, lang), year=s.year)
    if period.kind == QUARTER:
        return say("period.quarter", lang, quarter=(s.month - 1) // 3 + 1, year=s.year)
    if period.kind == YEAR:
        return str(s.year)
    name = period.fiscal_year_name
    if period.kind == FISCAL_YEAR:
        return say("period.fiscal_year", lang, name=name)
    if period.kind == FISCAL_QUARTER:
        q = ((s.month - period.fiscal_start_month) % 12) // 3 + 1
        return say("period.fiscal_quarter", lang, quarter=q, name=name)
    return say("period.range", lang, start=period_label(Period.day(s), lang),
               end=period_label(Period.day(period.end), lang))


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_FIELD = re.compile(r"\{[^{}]*\}")


def words(language: str) -> set[str]:
    """Every word the product itself writes in one language, lower case: each word of every message
    (the figures left out; the nouns of ``count`` specs in), the month and day names, wide and short."""
    lang = language_of(language)
    found: set[str] = set()
    for template in catalogue(lang).values():
        for spec_words in re.findall(r"\{[^{}]*count\|([^{}]*)\}", template):
            found |= set(_split(spec_words.replace("|", " ")))
        found |= set(_split(_FIELD.sub(" ", template)))
    for width in ("wide", "abbreviated"):
        found |= {m.lower().rstrip(".") for m in get_month_names(width, "format", locale=lang).values()}
        found |= {d.lower().rstrip(".") for d in get_day_names(width, "format", locale=lang).values()}
    return found


def _split(text: str) -> Iterable[str]:
    for word in _WORD.findall(text):
        yield word.lower()
        yield from (part.lower() for part in re.split(r"['’]", word) if part)
