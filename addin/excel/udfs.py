"""Excel functions (UDFs) ``PILOT_…``: the KPIs of the dictionary and the forecast, in any cell.

Usage in Excel (French separators)::

    =PILOT_CONVERSION(Affaires[#All]; "rep:Martin"; "2025-03")
    =PILOT_FORECAST_P50(Affaires[#All]; "team:Grands comptes"; "2025-Q2"; AUJOURDHUI(); ; Commerciaux[#All])
    =PILOT_RDV_SEMAINE(Affaires[#All]; ""; "semaine"; ; Activites[#All])

Every function takes the same arguments, in this order:

1. ``affaires``: the Deals table *with its header row* (``Table[#All]``), passed by
   reference (xlwings' ``range`` converter hands its ``Range``; a 2-D list of values is taken too);
2. ``perimetre``: ``rep:NOM``, ``team:NOM`` (``equipe:NOM``), empty for the company;
3. ``periode``: ``2025-03``, ``2025-W12``, ``2025-Q2``, ``2025``, ``FY2025``,
   ``2025-03-14``, or a word such as ``mois``, ``trimestre``, ``semaine``,
   ``année`` (``month``, ``quarter``...: the one containing the as-of date),
   read by ``kpicore.model.periods.parse_period`` as the command line reads
   them; empty = the month;
4. ``date_ref``: the as-of date (a date, an Excel serial number as ``AUJOURDHUI()``
   passes it, or ``jj/mm/aaaa`` text); empty = the date of the data;
5. ``activites``, 6. ``commerciaux``, 7. ``objectifs``: the Activities, Reps and
   Targets tables, optional.  A KPI that counts meetings needs the Activities
   table, a team scope the Reps table, coverage and the probability of reaching
   the target the Targets table: without it the cell says so.

Nothing here raises into Excel: a bad argument gives a readable text in the
cell, starting with ``#PILOTAGE``, in the reader's language (``addin.language``:
``PILOTAGE_LANG``, else the Settings of the tables passed, else French; the
catalogue codes ``udf.*``).  The functions' help stays French: Excel registers
it once, before any workbook is read.  A KPI with nothing to measure (no deal
decided in the period...) gives an empty text, never a 0.

The functions are generated from :data:`REGISTRY`, one entry per function
(its name, its French help, its arguments with theirs, the kpicore call it
makes), by :func:`cell_function`, which gives each its ``__name__``,
``__doc__`` and ``__signature__`` and applies xlwings' ``func`` and ``arg``
decorators: the help is written once, in the registry.  On Linux those
decorators return the function unchanged, so the module imports where Excel
is absent and the tests call the functions directly; the tests also build
them with xlwings' Windows decorators, and check what those record.
The functions deliberately have **no type hints**, their return included: on
Windows, xlwings reads a type hint as a converter (``list`` would become an
unknown converter).

A forecast cell gives the cockpit's numbers: through xlwings' reserved argument ``caller`` (the
calling cell, a ``Range``; xlwings passes it and leaves it out of the formula), the function reads from
the cell's own workbook what a refresh reads beside the tables passed: the sheets of the stage history,
the stages, the settings and the pipeline snapshots (under the product's French sheet names), and the
week's replay the last refresh kept in ``_Backtest`` (``kpicore.forecast.kept_backtest``, used only
when its key is the data's).  Outside Excel ``caller`` is None and the tables passed are all there is.
Only Excel can confirm that reading those sheets during a recalculation works (xlwings reads the
caller's book the same way for its own cache, ``xlwings/udfs.py``); the tests drive it through
xlwings' classes over the recording engine of ``tests``.

A table passed by many cells is ingested once: the canonical data is cached (bounded, :data:`CACHE_SIZE`
entries) on the tables' workbook, sheet and address and the workbook's change count, which the add-in's VBA
raises on every edit, recalculation and opening (``Pilotage.ChangeCount``, ``PilotageEvents.cls``), so that a
hit marshals no values; without a count (values passed, events not hooked) on the tables' content.  So are
the KPI engine of each as-of date, the forecast context of each set of tables (its backtest, run once per as-of
date), each forecast and what a forecast cell reads of its workbook.  Only Excel can confirm that it raises the
count as ``PilotageEvents.cls`` expects and answers ``Application.Run`` during a recalculation.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping

import xlwings as xw

from addin.language import language
from kpicore.model.cells import from_serial
from kpicore.model.errors import PilotageError
from kpicore.model.messages import Message
from kpicore.model.periods import MONTH, Period, parse_period, to_date
from kpicore.text.catalogue import render, say

ERROR_PREFIX = "#PILOTAGE : "
CACHE_SIZE = 8  # distinct sets of tables kept parsed (a workbook rarely has more)
ENGINE_CACHE_SIZE = 16
FORECAST_CACHE_SIZE = 64
CATEGORY = "Pilotage"
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# --------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class UdfArg:
    """One argument of a cell function: its name (the Python parameter's too), Excel's help, its kind."""

    name: str
    help_fr: str  # Excel's help for the argument (<= 255 characters)
    kind: str  # "table" (2-D, header row first), "text", "date"
    optional: bool = True
    default: Any = None  # what the function gets when the formula leaves an optional argument out

    @property
    def xlwings_options(self) -> dict[str, Any]:
        """xlwings' conversion of the argument: a table arrives as its Range, so that a table already read
        is not marshalled again (:func:`table_rows` reads its values, as a 2-D list, only when needed)."""
        return {"convert": "range"} if self.kind == "table" else {}


ARGS: tuple[UdfArg, ...] = (
    UdfArg("affaires", "Table des affaires avec sa ligne d'en-tête, ex. Affaires[#All].", "table", optional=False),
    UdfArg("perimetre", "rep:NOM, team:NOM, ou vide pour toute l'entreprise.", "text", default=""),
    UdfArg("periode", "2025-03, 2025-W12, 2025-Q2, 2025, FY2025, ou mois, trimestre, semaine, année (ceux de la "
           "date de référence) ; vide = le mois.", "text", default=""),
    UdfArg("date_ref", "Date de référence (ex. AUJOURDHUI()) ; vide = date des données.", "date"),
    UdfArg("activites", "Table des activités avec son en-tête (pour les RDV et propositions).", "table"),
    UdfArg("commerciaux", "Table des commerciaux avec son en-tête (pour un périmètre team:).", "table"),
    UdfArg("objectifs", "Table des objectifs avec son en-tête (couverture, probabilité d'atteinte).", "table"),
)
KPI_ID_ARG = UdfArg("kpi", "Identifiant du KPI dans le dictionnaire, ex. proposal_conversion.", "text",
                    optional=False)
TABLE_OF_ARG = {"affaires": "Deals", "activites": "Activities", "commerciaux": "Reps", "objectifs": "Targets"}
# xlwings' reserved argument: the calling cell, a Range, which the VBA wrapper passes as Application.Caller
# and leaves out of the formula (xlwings/udfs.py, generate_vba_wrapper and call_udf)
CALLER = "caller"
ARG_POSITION = {a.name: k + 1 for k, a in enumerate(ARGS)}


@dataclass(frozen=True)
class Udf:
    """One cell function: its Excel name and help, its arguments, and the kpicore call it makes."""

    name: str  # the Excel name, also the Python function's name
    help_fr: str  # Excel's function description (<= 255 characters)
    kpi: str = ""  # a KPI id of the dictionary, or
    forecast: str = ""  # a field of kpicore.forecast.forecasting.Forecast; neither: the KPI its « kpi » names
    needs: tuple[str, ...] = ()  # tables required beyond Deals: "activites", "objectifs"
    args: tuple[UdfArg, ...] = ARGS


REGISTRY: tuple[Udf, ...] = (
    Udf("PILOT_RDV_SEMAINE", "RDV qualifiés par semaine dans la période (table Activités requise).",
        kpi="qualified_meetings_per_week", needs=("activites",)),
    Udf("PILOT_RDV_QUALIFIES", "Nombre de RDV qualifiés dans la période (table Activités requise).",
        kpi="qualified_meetings", needs=("activites",)),
    Udf("PILOT_PROPOSITIONS_MOIS", "Propositions envoyées, ramenées au mois (activités, sinon date de "
        "proposition des affaires).", kpi="proposals_per_month"),
    Udf("PILOT_PROPOSITIONS", "Nombre de propositions envoyées dans la période.", kpi="proposals"),
    Udf("PILOT_CONVERSION", "Taux de transformation proposition → commande : gagnées ÷ (gagnées + perdues) "
        "parmi les affaires avec proposition décidées dans la période.", kpi="proposal_conversion"),
    Udf("PILOT_PANIER_MOYEN", "Panier moyen : montant moyen des affaires gagnées dans la période.",
        kpi="average_deal_size"),
    Udf("PILOT_CYCLE_JOURS", "Durée médiane du cycle de vente (jours, création → signature), affaires "
        "gagnées dans la période.", kpi="sales_cycle_days"),
    Udf("PILOT_CYCLE_MOYEN_JOURS", "Durée moyenne du cycle de vente (jours), affaires gagnées dans la période.",
        kpi="sales_cycle_days_mean"),
    Udf("PILOT_CA_SIGNE", "CA signé : somme des affaires gagnées dans la période.", kpi="revenue_won"),
    Udf("PILOT_AFFAIRES_GAGNEES", "Nombre d'affaires gagnées dans la période.", kpi="won_count"),
    Udf("PILOT_PIPELINE", "Pipeline ouvert à la fin de la période (ou à la date de référence).",
        kpi="open_pipeline"),
    Udf("PILOT_PIPELINE_PONDERE", "Pipeline ouvert pondéré par la probabilité déclarée, sinon celle de l'étape.",
        kpi="weighted_pipeline"),
    Udf("PILOT_COUVERTURE", "Couverture : pipeline pondéré à signer dans la période ÷ reste à faire "
        "(table Objectifs requise).", kpi="coverage", needs=("objectifs",)),
    Udf("PILOT_TAUX_GAIN", "Taux de gain : gagnées ÷ (gagnées + perdues), toutes affaires décidées dans la "
        "période.", kpi="win_rate"),
    Udf("PILOT_RDV_VERS_PROPOSITION", "Propositions ÷ RDV qualifiés de la même période, taux apparent "
        "(table Activités requise).", kpi="meeting_to_proposal_rate", needs=("activites",)),
    Udf("PILOT_FORECAST_P10", "Prévision de CA de la période, bas de fourchette (P10, 9 chances sur 10 "
        "d'être dépassé).", forecast="p10"),
    Udf("PILOT_FORECAST_P50", "Prévision de CA de la période, médiane (P50) calibrée sur l'historique.",
        forecast="p50"),
    Udf("PILOT_FORECAST_P90", "Prévision de CA de la période, haut de fourchette (P90).", forecast="p90"),
    Udf("PILOT_FORECAST_PROBA", "Probabilité d'atteindre l'objectif de CA de la période (table Objectifs "
        "requise) ; vide quand, rejouée sur l'historique, elle ne fait pas mieux que la part des périodes "
        "passées qui ont atteint leur objectif.", forecast="prob_reach_shown", needs=("objectifs",)),
)
GENERIC = Udf("PILOT_KPI", "Tout KPI du dictionnaire par son identifiant (1er argument), ex. "
              "activities_call ; puis les arguments des autres fonctions PILOT_.", args=(KPI_ID_ARG,) + ARGS)
REGISTRY_BY_NAME = {u.name: u for u in REGISTRY + (GENERIC,)}


def arguments_of(name: str) -> tuple[UdfArg, ...]:
    """The Excel arguments of a UDF, in order."""
    return REGISTRY_BY_NAME[name].args


# --------------------------------------------------------------------------- caches
class _Lru:
    def __init__(self, size: int) -> None:
        self.size, self.data = size, OrderedDict()
        self.hits = self.misses = 0

    def get(self, key, make: Callable[[], Any]) -> Any:
        if key in self.data:
            self.hits += 1
            self.data.move_to_end(key)
            return self.data[key]
        self.misses += 1
        value = make()
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)
        return value

    def clear(self) -> None:
        self.data.clear()
        self.hits = self.misses = 0


_DATA = _Lru(CACHE_SIZE)
_ENGINES = _Lru(ENGINE_CACHE_SIZE)
_FORECASTS = _Lru(FORECAST_CACHE_SIZE)
_CONTEXTS = _Lru(CACHE_SIZE)
_BOOKS = _Lru(CACHE_SIZE)  # what a forecast cell reads of its workbook, by workbook and change count


def cache_info() -> dict[str, dict[str, int]]:
    """Hits, misses and size of each cache (for tests and support)."""
    return {name: {"hits": c.hits, "misses": c.misses, "size": len(c.data)}
            for name, c in (("data", _DATA), ("engines", _ENGINES), ("forecasts", _FORECASTS),
                            ("contexts", _CONTEXTS), ("books", _BOOKS))}


def clear_caches() -> None:
    for c in (_DATA, _ENGINES, _FORECASTS, _CONTEXTS, _BOOKS):
        c.clear()


# --------------------------------------------------------------------------- argument conversion
class _BadArgument(Exception):
    """A message for the cell (``udf.*``), and the data it is about when read (its language)."""

    def __init__(self, message: Message, data=None) -> None:
        super().__init__(message.code)
        self.message, self.data = message, data


def _content_key(tables: dict[str, Any]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(tables):
        h.update(name.encode())
        try:
            h.update(pickle.dumps(tables[name], protocol=4))
        except Exception:  # an object pickle refuses: its text still identifies the content
            h.update(repr(tables[name]).encode())
    return h.hexdigest()


def _as_grid(value: Any, arg: str) -> list[list[Any]]:
    pos = ARG_POSITION[arg]
    if not isinstance(value, (list, tuple)) or not value or not isinstance(value[0], (list, tuple)):
        raise _BadArgument(Message.of("udf.not_a_table", position=pos, name=arg,
                                      example=TABLE_OF_ARG[arg] if arg != "affaires" else "Affaires"))
    # a 2-D list as xlwings hands it is used as it is (the ingest never changes its rows); tuples become lists
    rows = value if all(type(r) is list for r in value) else [list(r) for r in value]
    if not any(isinstance(c, str) and c.strip() for c in rows[0]):
        raise _BadArgument(Message.of("udf.no_header", position=pos, name=arg))
    return rows


def is_range(value: Any) -> bool:
    """A table passed by reference (xlwings' ``Range``, the ``range`` converter), not by its values."""
    return not isinstance(value, (list, tuple, str)) and hasattr(value, "address") and hasattr(value, "sheet")


def change_count(book: Any) -> int | None:
    """How many edits, recalculations and openings Excel has reported for ``book`` (xlwings' ``Book``),
    as the add-in's VBA counts them (``Pilotage.ChangeCount``, ``addin/excel/vba/PilotageEvents.cls``);
    None when it cannot say (the events not hooked, no add-in: outside Excel)."""
    try:
        value = book.app.macro("Pilotage.ChangeCount")(str(book.fullname))
    except Exception:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def table_rows(value: Any, arg: str) -> tuple[Any, Callable[[], list[list[Any]]]]:
    """The key of a table argument and how to get its rows.  A Range of a workbook whose change count is
    known is keyed by the workbook, the sheet, the address and that count, and its values are marshalled only
    when that key is new: 500 cells over one table read it once per recalculation.  Otherwise (values
    passed, or no count) the values are read and keyed by their content."""
    if is_range(value):
        count = change_count(value.sheet.book)
        if count is not None:
            key = ("range", str(value.sheet.book.fullname), str(value.sheet.name), str(value.address), count)
            return key, lambda: _as_grid(value.options(ndim=2).value, arg)
        value = value.options(ndim=2).value
    rows = _as_grid(value, arg)
    return _content_key({arg: rows}), lambda: rows


def _data(tables: dict[str, Any], book_grids: tuple = (), book_key: Any = None):
    """The key of the tables passed (and of ``book_grids``, what the caller's workbook adds, keyed by
    ``book_key`` when given) and their data."""
    from kpicore.ingest.grids import RawGrid, ingest

    passed = {arg: table_rows(v, arg) for arg, v in tables.items() if v is not None and not _empty(v)}

    def make():
        return ingest([RawGrid("(formule)", TABLE_OF_ARG[arg], rows(), 1, TABLE_OF_ARG[arg], 1)
                       for arg, (_key, rows) in passed.items()] + list(book_grids), source="(formule)")

    book = book_key if book_key is not None else {f"book:{g.table_name}": g.rows for g in book_grids}
    key = _content_key({"tables": {arg: k for arg, (k, _rows) in passed.items()}, "book": book})
    return key, _DATA.get(key, make)


def _empty(value: Any) -> bool:
    return isinstance(value, str) and value == ""


def caller_workbook(caller: Any):
    """The workbook of the calling cell through the xlwings engine; None outside Excel (no caller, or
    anything that is not a cell of a workbook)."""
    try:
        book = caller.sheet.book
    except Exception:
        return None
    from addin.engines.xlwings import XlwingsWorkbook

    return XlwingsWorkbook(book)


def book_of(workbook) -> tuple[Any, tuple, list[list] | None]:
    """What a forecast cell reads of its workbook beside its tables (:func:`book_grids`, the kept replay's
    rows), with its key: read once per change count of the workbook when the add-in counts them."""
    from kpicore.model import schema

    count = change_count(workbook.book)

    def read() -> tuple[tuple, list[list] | None]:
        return book_grids(workbook), workbook.sheet_rows(schema.BACKTEST_SHEET)

    if count is None:
        grids, kept_rows = read()
        return None, grids, kept_rows
    key = ("book", str(workbook.book.fullname), count)
    grids, kept_rows = _BOOKS.get(key, read)
    return key, grids, kept_rows


def book_grids(workbook) -> tuple:
    """What a refresh reads of ``workbook`` beside the tables a forecast cell passes: the stage history,
    the stages, the settings and the pipeline snapshots, each from its sheet under the product's name."""
    from kpicore.ingest.grids import RawGrid
    from kpicore.model import schema

    out = []
    for table in (schema.STAGE_HISTORY, schema.STAGES, schema.SETTINGS, schema.PIPELINE_SNAPSHOTS):
        rows = workbook.sheet_rows(table.sheet_fr)
        if rows and any(isinstance(c, str) and c.strip() for c in rows[0]):
            out.append(RawGrid(workbook.name, table.sheet_fr, rows, 1, table.name, 1))
    return tuple(out)


def excel_date(value: Any) -> date | None:
    """An as-of date from what Excel passes: a date, a serial number, a text; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:  # Excel's dates run from 1900 to 9999
            raise _BadArgument(Message.of("udf.date_outside", value=value))
        return from_serial(int(value)).date()
    text = str(value).strip()
    try:
        fr = _FR_DATE.match(text)
        if fr:  # jj/mm/aaaa, as a French user types it
            return date(int(fr[3]), int(fr[2]), int(fr[1]))
        return to_date(text)
    except (PilotageError, ValueError):
        raise _BadArgument(Message.of("udf.date_unreadable", value=value)) from None


def period_of(value: Any, as_of: date, fiscal_start_month: int = 1) -> Period:
    """The period a cell asks for: a code or a word read by ``parse_period``, a date, a year; empty = the month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Period.containing(MONTH, as_of)
    if isinstance(value, (datetime, date)):
        return Period.day(value if isinstance(value, date) and not isinstance(value, datetime) else value.date())
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))  # a year typed in a cell arrives as 2025.0
    return parse_period(str(value), fiscal_start_month, as_of=as_of)


def _scope(data, text: Any):
    from kpicore.model.roster import parse_scope

    scope = parse_scope(None if text is None else str(text))
    if scope.level == "team" and not len(data.reps):
        raise _BadArgument(Message.of("udf.scope_needs_reps", scope=text, position=ARG_POSITION["commerciaux"]),
                           data)
    return scope


def _as_cell(x: float | None) -> float | str:
    return "" if x is None or x != x else float(x)


def _guard(f: Callable[[], Any]) -> Any:
    """Run a UDF body; a user's mistake or a bug becomes text in the cell, never an exception."""
    try:
        return f()
    except _BadArgument as exc:
        lang = language(exc.data)
        return say("udf.error", lang, text=render(exc.message, lang))
    except PilotageError as exc:  # its text is French (kpicore.model.errors)
        return ERROR_PREFIX + str(exc).replace("\n", " ")
    except Exception as exc:  # a bug must not break the sheet's recalculation
        lang = language()
        return say("udf.error", lang, text=say("udf.unexpected", lang, kind=type(exc).__name__))


def _missing(udf: Udf, tables: dict[str, Any]) -> Message | None:
    for need in udf.needs:
        if tables.get(need) is None or _empty(tables.get(need)):
            return Message.of(f"udf.needs.{need}", function=udf.name, position=ARG_POSITION[need])
    return None


def _kpi_value(udf: Udf, kpi: str, affaires, perimetre, periode, date_ref, activites, commerciaux, objectifs):
    from kpicore.forecast.asof import data_today
    from kpicore.metrics.dictionary import DEFAULT_DICTIONARY
    from kpicore.metrics.kpis import KpiEngine, fiscal_start_month_of

    tables = {"affaires": affaires, "activites": activites, "commerciaux": commerciaux, "objectifs": objectifs}
    missing = _missing(udf, tables)
    if missing:
        raise _BadArgument(missing)
    if kpi not in DEFAULT_DICTIONARY:
        raise _BadArgument(Message.of("udf.unknown_kpi", kpi=kpi, ids=", ".join(DEFAULT_DICTIONARY.ids)))
    if kpi.startswith("activities_") or kpi in ("qualified_meetings", "qualified_meetings_per_week",
                                                "meeting_to_proposal_rate"):
        if activites is None or _empty(activites):
            raise _BadArgument(Message.of("udf.kpi_needs_activities", kpi=kpi, position=ARG_POSITION["activites"]))
    key, data = _data(tables)
    as_of = excel_date(date_ref) or data_today(data).date()
    period = period_of(periode, as_of, fiscal_start_month_of(data))
    scope = _scope(data, perimetre)
    engine = _ENGINES.get((key, as_of), lambda: KpiEngine(data, as_of))
    return _as_cell(engine.value(kpi, period, scope, with_trend=False).value)


def _forecast_value(udf: Udf, affaires, perimetre, periode, date_ref, activites, commerciaux, objectifs,
                    caller=None):
    from kpicore.forecast.asof import data_today
    from kpicore.forecast.forecasting import N_SIMS, prepare
    from kpicore.forecast.kept_backtest import kept_of_rows, reusable, with_kept
    from kpicore.forecast.shown import forecast
    from kpicore.metrics.kpis import fiscal_start_month_of

    tables = {"affaires": affaires, "activites": activites, "commerciaux": commerciaux, "objectifs": objectifs}
    missing = _missing(udf, tables)
    if missing:
        raise _BadArgument(missing)
    workbook = caller_workbook(caller)
    book_key, grids, kept_rows = book_of(workbook) if workbook is not None else (None, (), None)
    key, data = _data(tables, grids, book_key)
    as_of = excel_date(date_ref) or data_today(data).date()
    period = period_of(periode, as_of, fiscal_start_month_of(data))
    if period.end < as_of:
        raise _BadArgument(Message.of("udf.period_over", period=period.code, day=as_of), data)
    scope = _scope(data, perimetre)
    if scope.level != "company" and scope.key not in _known_scopes(data):
        raise _BadArgument(Message.of("udf.unknown_scope", scope=perimetre), data)
    # the cockpit's path: the backtest of these tables widens the range (and chooses the method): the
    # week's replay the workbook keeps when it replayed these data, else replayed once per set of tables
    # and as-of date, kept in their context
    def make_context():
        kept = reusable(kept_of_rows(kept_rows), data)
        return with_kept(prepare(data), kept) if kept is not None else prepare(data)

    if kept_rows:
        key = _content_key({"data": key, "kept": kept_rows[:2]})  # the key row names the replay kept
    context = _CONTEXTS.get(key, make_context)
    fc = _FORECASTS.get((key, as_of, period.code, scope.key),
                        lambda: forecast(data, period, scope.key, as_of, n_sims=N_SIMS, context=context))
    return _as_cell(getattr(fc, udf.forecast))


def _known_scopes(data) -> set[tuple[str, str]]:
    from kpicore.model.roster import scopes

    return set(scopes(data))


# --------------------------------------------------------------------------- the functions
# What xlwings reads of a function when its decorators run (xlwings/udfs.py, xlfunc and xlarg, on
# Windows): __name__ (the Excel name), inspect.signature(f), which returns __signature__ (the
# argument names; those with a default become Optional in the VBA wrapper and get that default when
# the formula leaves them out), typing.get_type_hints(f) (none here: a hint would be a converter) and
# __doc__ (the function's help; only without it does xlwings look at __code__.co_filename).
# xw.arg adds each argument's help and options.  Excel's wrapper then calls the function by name as
# an attribute of this module, with every argument in order.


def evaluate(udf: Udf, arguments: Mapping[str, Any]) -> float | str:
    """The cell value of ``udf`` for its arguments by name: a number, an empty text, or ``#PILOTAGE`` text."""
    return _guard(lambda: _value(udf, arguments))


def _value(udf: Udf, arguments: Mapping[str, Any]) -> float | str:
    tables_and_text = [arguments[a.name] for a in ARGS]
    if udf.forecast:
        return _forecast_value(udf, *tables_and_text, caller=arguments.get(CALLER))
    return _kpi_value(udf, udf.kpi or str(arguments["kpi"] or "").strip(), *tables_and_text)


def signature_of(udf: Udf) -> inspect.Signature:
    """The Python signature of ``udf``'s function: its arguments in order, the optional ones with their
    default, then xlwings' ``caller`` (never in the formula)."""
    return inspect.Signature([
        inspect.Parameter(a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=a.default if a.optional else inspect.Parameter.empty)
        for a in udf.args] + [inspect.Parameter(CALLER, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)])


def _arguments(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


def cell_function(udf: Udf) -> Callable[..., float | str]:
    """The function Excel calls for ``udf``, named, documented and decorated as its registry entry says."""
    signature = signature_of(udf)

    def cell(*args, **kwargs):  # no hints, the return's included: see the module docstring
        return evaluate(udf, _arguments(signature, args, kwargs))

    cell.__name__ = cell.__qualname__ = udf.name
    cell.__doc__ = udf.help_fr
    cell.__signature__ = signature
    for a in udf.args:
        cell = xw.arg(a.name, doc=a.help_fr, **a.xlwings_options)(cell)
    return xw.func(category=CATEGORY)(cell)


FUNCTIONS: dict[str, Callable[..., float | str]] = {u.name: cell_function(u) for u in REGISTRY + (GENERIC,)}
# module attributes under their Excel names: xlwings lists a module's functions with dir(module) and
# calls one with getattr(module, name)
globals().update(FUNCTIONS)
