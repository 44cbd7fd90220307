"""The PILOT_ Excel functions, called as plain Python over tables as Excel passes them.

Tables are the hand-made company of ``tests/support/addin_tables.py``; every expected
number is worked out below from its rows.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import sys
import types
from datetime import date, datetime
from pathlib import Path
from typing import get_type_hints

import pytest

from addin.excel import udfs
from support.addin_tables import ACTIVITIES, AS_OF, DEALS, REPS, TARGETS
from kpicore.metrics.dictionary import DEFAULT_DICTIONARY


@pytest.fixture(autouse=True)
def fresh_caches():
    udfs.clear_caches()
    yield
    udfs.clear_caches()


def _copy(rows):
    """The same content in new list objects: what Excel passes on each recalculation."""
    return [list(r) for r in rows]


# --------------------------------------------------------------------------- KPI values
def test_conversion_per_scope():
    # decided in March with a proposal: D1 won, D2 lost, D3 won (Martin), D6 lost (Durand); D4 had no proposal
    assert udfs.PILOT_CONVERSION(DEALS, "", "2025-03", AS_OF) == pytest.approx(2 / 4)
    assert udfs.PILOT_CONVERSION(DEALS, "rep:Martin", "2025-03", AS_OF) == pytest.approx(2 / 3)
    assert udfs.PILOT_CONVERSION(DEALS, "rep:Durand", "2025-03", AS_OF) == 0.0  # 0 won of 1 decided


def test_result_kpis_of_march():
    won = [10000, 20000, 5000]  # D1, D3, D4 closed won in March
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", AS_OF) == sum(won)
    assert udfs.PILOT_AFFAIRES_GAGNEES(DEALS, "", "2025-03", AS_OF) == 3
    assert udfs.PILOT_PANIER_MOYEN(DEALS, "", "2025-03", AS_OF) == pytest.approx(35000 / 3)
    # cycles: D1 10/01 -> 05/03 = 21 + 28 + 5 = 54 days; D3 01/02 -> 20/03 = 27 + 20 = 47; D4 01/03 -> 25/03 = 24
    assert udfs.PILOT_CYCLE_JOURS(DEALS, "", "2025-03", AS_OF) == 47
    assert udfs.PILOT_CYCLE_MOYEN_JOURS(DEALS, "", "2025-03", AS_OF) == pytest.approx((54 + 47 + 24) / 3)
    # every deal decided in March: D1, D3, D4 won; D2, D6 lost
    assert udfs.PILOT_TAUX_GAIN(DEALS, "", "2025-03", AS_OF) == pytest.approx(3 / 5)


def test_pipeline_and_coverage():
    # D5 is the only open deal at 31/03: 30 000 at 50 %, expected to close on 31/03
    assert udfs.PILOT_PIPELINE(DEALS, "", "2025-03", AS_OF) == 30000
    assert udfs.PILOT_PIPELINE_PONDERE(DEALS, "", "2025-03", AS_OF) == 15000
    # coverage = weighted pipeline closing in March / (target 40 000 - won 35 000)
    assert udfs.PILOT_COUVERTURE(DEALS, "", "2025-03", AS_OF, None, None, TARGETS) == pytest.approx(15000 / 5000)


def test_proposals_without_activities_use_the_deal_dates():
    # proposal dates in March: D5 (10/03) only; per month = 1 / (31 days / 30.4375)
    assert udfs.PILOT_PROPOSITIONS(DEALS, "", "2025-03", AS_OF) == 1
    assert udfs.PILOT_PROPOSITIONS_MOIS(DEALS, "", "2025-03", AS_OF) == pytest.approx(1 / (31 / 30.4375))


def test_meeting_kpis_take_the_activities_table():
    # 4 qualified meetings in March (31 days): 4 / (31 / 7) per week; Martin 3 of them
    assert udfs.PILOT_RDV_SEMAINE(DEALS, "", "2025-03", AS_OF, ACTIVITIES) == pytest.approx(4 / (31 / 7))
    assert udfs.PILOT_RDV_SEMAINE(DEALS, "rep:Martin", "mois", AS_OF, ACTIVITIES) == pytest.approx(3 / (31 / 7))
    assert udfs.PILOT_RDV_QUALIFIES(DEALS, "", "2025-03", AS_OF, ACTIVITIES) == 4
    assert udfs.PILOT_RDV_VERS_PROPOSITION(DEALS, "", "2025-03", AS_OF, ACTIVITIES) == pytest.approx(1 / 4)
    assert udfs.PILOT_KPI("activities_call", DEALS, "", "2025-03", AS_OF, ACTIVITIES) == 1


def test_meeting_kpi_without_activities_says_so_in_the_cell():
    text = udfs.PILOT_RDV_SEMAINE(DEALS, "", "2025-03", AS_OF)
    assert text.startswith(udfs.ERROR_PREFIX)
    assert "activités" in text and "argument 5" in text


def test_team_scope_needs_the_reps_table():
    # Martin is the only rep of « Grands comptes »: D1 + D3
    assert udfs.PILOT_CA_SIGNE(DEALS, "team:Grands comptes", "2025-03", AS_OF, None, REPS) == 30000
    assert udfs.PILOT_CA_SIGNE(DEALS, "equipe:PME", "2025-03", AS_OF, None, REPS) == 5000
    text = udfs.PILOT_CA_SIGNE(DEALS, "team:Grands comptes", "2025-03", AS_OF)
    assert text.startswith(udfs.ERROR_PREFIX) and "commerciaux" in text


def test_as_of_as_excel_passes_it():
    serial_20_march = (date(2025, 3, 20) - date(1899, 12, 30)).days  # what =DATE(2025;3;20) passes: 45736
    assert serial_20_march == 45736
    # on 20/03 only D1 (05/03) and D3 (20/03) are won; D4 (25/03) is not yet
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", float(serial_20_march)) == 30000
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", "20/03/2025") == 30000
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", datetime(2025, 3, 20)) == 30000
    # empty: the date of the data, its latest creation or close date (D6 lost on 28/03): D4 (25/03) is in
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03") == 35000
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", "27/03/2025") == 35000
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", "24/03/2025") == 30000


def test_a_period_with_nothing_to_measure_is_an_empty_cell_not_zero():
    # no deal was decided in January 2025
    assert udfs.PILOT_CONVERSION(DEALS, "", "2025-01", AS_OF) == ""
    assert udfs.PILOT_PANIER_MOYEN(DEALS, "", "2025-01", AS_OF) == ""


def test_relative_and_numeric_periods():
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "trimestre", AS_OF) == 35000  # Q1 2025: the March wins only
    assert udfs.PILOT_CA_SIGNE(DEALS, "", 2025.0, AS_OF) == 35000  # a year typed in a cell arrives as 2025.0
    assert udfs.PILOT_CA_SIGNE(DEALS, "", "", AS_OF) == 35000  # empty: the month of the as-of date


def test_cells_read_the_period_words_of_the_one_parser():
    from kpicore.model.periods import RELATIVE_WORDS, parse_period

    for word in RELATIVE_WORDS:
        assert udfs.period_of(word, AS_OF) == parse_period(word, as_of=AS_OF), word
    # the English words and « année » in a cell: as of AS_OF in March 2025, the March wins only
    for word in ("month", "quarter", "année", "year"):
        assert udfs.PILOT_CA_SIGNE(DEALS, "", word, AS_OF) == 35000, word


# --------------------------------------------------------------------------- forecast
def test_forecast_figures_are_ordered_and_wired_to_kpicore():
    from kpicore.forecast.shown import forecast
    from kpicore.ingest.grids import RawGrid, ingest

    p10, p50, p90 = (f(DEALS, "", "2025-03", AS_OF) for f in
                     (udfs.PILOT_FORECAST_P10, udfs.PILOT_FORECAST_P50, udfs.PILOT_FORECAST_P90))
    assert p10 <= p50 <= p90
    # won to date (35 000) is in every outcome, and at most D5 (30 000) can be added this month
    assert 35000 <= p10 and p90 <= 35000 + 30000
    data = ingest([RawGrid("t", "Affaires", DEALS, 1, "Deals", 1)])
    direct = forecast(data, "2025-03", ("company", ""), AS_OF)
    assert (p10, p50, p90) == (direct.p10, direct.p50, direct.p90)


def test_forecast_of_a_finished_period_explains_itself():
    text = udfs.PILOT_FORECAST_P50(DEALS, "", "2025-02", AS_OF)
    assert text.startswith(udfs.ERROR_PREFIX) and "PILOT_CA_SIGNE" in text


def test_probability_needs_targets():
    text = udfs.PILOT_FORECAST_PROBA(DEALS, "", "2025-03", AS_OF)
    assert text.startswith(udfs.ERROR_PREFIX) and "objectifs" in text
    p = udfs.PILOT_FORECAST_PROBA(DEALS, "", "2025-03", AS_OF, None, None, TARGETS)
    assert 0.0 <= p <= 1.0


# --------------------------------------------------------------------------- errors never raise
@pytest.mark.parametrize("call, words", [
    (lambda: udfs.PILOT_CA_SIGNE(5.0, "", "2025-03"), "ligne d'en-tête"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS[1:], "", "2025-03"), "en-tête"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS, "", "mars 2025"), "période"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS, "chef:Claire", "2025-03"), "périmètre"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS, "rep:Dupont", "2025-03"), "Dupont"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", "demain"), "date de référence"),
    (lambda: udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", -5.0), "date de référence"),
    (lambda: udfs.PILOT_COUVERTURE(DEALS, "", "2025-03", AS_OF), "objectifs"),
    (lambda: udfs.PILOT_KPI("ca_total", DEALS, "", "2025-03"), "inconnu"),
    (lambda: udfs.PILOT_CA_SIGNE([["Nom", "Ville"], ["a", "b"]], "", "2025-03"), "table"),
])
def test_bad_arguments_give_french_text(call, words):
    out = call()
    assert isinstance(out, str) and out.startswith(udfs.ERROR_PREFIX)
    assert words in out
    assert "Traceback" not in out


def test_a_bug_is_text_in_the_cell(monkeypatch):
    def boom(*_):
        raise ZeroDivisionError("x")

    monkeypatch.setattr(udfs, "_kpi_value", boom)
    out = udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03")
    assert out.startswith(udfs.ERROR_PREFIX) and "ZeroDivisionError" in out


# --------------------------------------------------------------------------- cache
def test_a_table_used_by_many_cells_is_parsed_once():
    for scope in ("", "rep:Martin", "rep:Durand"):
        udfs.PILOT_CA_SIGNE(_copy(DEALS), scope, "2025-03", AS_OF)
    info = udfs.cache_info()["data"]
    assert (info["misses"], info["hits"]) == (1, 2)
    changed = _copy(DEALS)
    changed[4][5] = 6000.0  # D4 now 6 000: new content, parsed again, and the value follows
    assert udfs.PILOT_CA_SIGNE(changed, "", "2025-03", AS_OF) == 10000 + 20000 + 6000
    assert udfs.cache_info()["data"]["misses"] == 2


def test_the_cache_is_bounded():
    for k in range(udfs.CACHE_SIZE + 3):
        rows = _copy(DEALS)
        rows[1][5] = 10000.0 + k  # distinct content each time
        assert udfs.PILOT_CA_SIGNE(rows, "", "2025-03", AS_OF) == 10000 + k + 20000 + 5000
    assert udfs.cache_info()["data"]["size"] == udfs.CACHE_SIZE


# --------------------------------------------------------------------------- registry vs functions
ENTRIES = udfs.REGISTRY + (udfs.GENERIC,)


def test_every_registered_udf_matches_its_function():
    module_functions = {name for name in dir(udfs) if name.startswith("PILOT_")}
    assert module_functions == {u.name for u in ENTRIES}, "a PILOT_ function without a registry entry, or the reverse"
    for udf in ENTRIES:
        f = getattr(udfs, udf.name)
        assert f.__name__ == udf.name and f.__module__ == udfs.__name__
        args = udfs.arguments_of(udf.name)
        params = list(inspect.signature(f).parameters.values())
        assert [p.name for p in params] == [a.name for a in args] + [udfs.CALLER], udf.name
        # xlwings' calling cell comes last, optional, so that a formula never spells it
        assert params[-1].default is None and params[-1].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        for p, a in zip(params, args):
            assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, "xlwings refuses keyword-only arguments"
            if a.optional:
                assert p.default == a.default, (udf.name, p.name)
            else:
                assert p.default is inspect.Parameter.empty, (udf.name, p.name)
            assert p.annotation is inspect.Parameter.empty, "xlwings would read a hint as a converter"
            assert len(a.help_fr) <= 255, (udf.name, a.name)  # Excel's limit for an argument's help
        assert get_type_hints(f) == {}, "xlwings would read a hint, the return's too, as a converter"
        assert inspect.getdoc(f) == udf.help_fr and len(udf.help_fr) <= 255


def test_the_signature_gives_the_defaults_a_formula_leaves_out():
    # the same call spelt with every argument, with keywords, and with the optional ones left out
    full = udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", AS_OF, None, None, None)
    assert udfs.PILOT_CA_SIGNE(DEALS, periode="2025-03", date_ref=AS_OF) == full == 35000
    assert udfs.PILOT_KPI("revenue_won", DEALS, "", "2025-03", AS_OF) == full
    with pytest.raises(TypeError):  # as for any Python function: Excel always passes the declared count
        udfs.PILOT_CA_SIGNE(DEALS, "", "2025-03", AS_OF, None, None, None, None, "one too many")


@pytest.fixture
def xlwings_windows(monkeypatch):
    """xlwings' own Windows decorators: ``xw.func``, ``xw.arg`` and ``xw.ret`` are ``xlfunc``, ``xlarg`` and
    ``xlret`` of xlwings/udfs.py there.  That module imports pywin32 at the top, which Linux lacks: stand-ins
    take its place, and the decorators never touch them."""
    import xlwings

    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["win32com.client"].Dispatch = None
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    spec = importlib.util.spec_from_file_location("xlwings.udfs", Path(xlwings.__file__).with_name("udfs.py"))
    windows = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(windows)
    monkeypatch.setattr(xlwings, "func", windows.xlfunc)
    monkeypatch.setattr(xlwings, "arg", windows.xlarg)
    monkeypatch.setattr(xlwings, "ret", windows.xlret)
    return windows


def test_xlwings_windows_decorators_record_what_the_registry_says(xlwings_windows):
    for udf in ENTRIES:
        f = udfs.cell_function(udf)  # decorated by xlwings' Windows xlfunc and xlarg
        meta = f.__xlfunc__
        assert (meta["name"], meta["category"], meta["sub"]) == (udf.name, udfs.CATEGORY, False)
        assert meta["ret"] == {"doc": udf.help_fr, "options": {}}  # Excel's help; no converter on the result
        assert [a["name"] for a in meta["args"]] == [a.name for a in udf.args] + [udfs.CALLER]
        for pos, (got, a) in enumerate(zip(meta["args"], udf.args)):
            assert (got["pos"], got["doc"], got["vararg"], got["vba"]) == (pos, a.help_fr, False, None)
            # a table arrives as its Range: its values are marshalled only when the cache does not hold it
            assert got["options"] == ({"convert": "range"} if a.kind == "table" else {}), (udf.name, a.name)
            # what call_udf gives an argument the formula leaves out; a required one has no entry
            assert ("optional" in got) == a.optional and got.get("optional") == (a.default if a.optional else None)


def test_the_vba_wrapper_xlwings_writes_for_excel(xlwings_windows):
    """What « Importer les fonctions » puts in the workbook: xlwings lists the module's decorated functions
    with dir() and writes one VBA function each, which calls the Python one by name with every argument."""
    module = types.ModuleType(udfs.__name__)
    for udf in ENTRIES:
        setattr(module, udf.name, udfs.cell_function(udf))

    class AddIn:
        Name = "pilotage.xlam"

    out = io.StringIO()
    xlwings_windows.generate_vba_wrapper(udfs.__name__, module, out, AddIn())
    vba = out.getvalue()
    assert ("Function PILOT_CONVERSION(affaires, Optional perimetre, Optional periode, Optional date_ref, "
            "Optional activites, Optional commerciaux, Optional objectifs)") in vba
    # the calling cell is no argument of the formula: the wrapper passes Nothing, which call_udf replaces
    # by Application.Caller as a Range
    assert ('PILOT_CONVERSION = XLPy.CallUDF("addin.excel.udfs", "PILOT_CONVERSION", Array(affaires, perimetre, '
            'periode, date_ref, activites, commerciaux, objectifs, Nothing), ActiveWorkbook, Application.Caller)') in vba
    assert "Function PILOT_KPI(kpi, affaires, Optional perimetre" in vba
    assert vba.count("End Function") == len(ENTRIES)
    # and the call Excel makes lands on the module's own function, by that name
    assert getattr(udfs, "PILOT_CONVERSION")(DEALS, "", "2025-03", AS_OF, None, None, None) == pytest.approx(2 / 4)


def test_every_named_udf_computes_a_dictionary_kpi_or_a_forecast_figure():
    from kpicore.forecast.forecasting import Forecast

    fields = Forecast.__dataclass_fields__
    for u in udfs.REGISTRY:
        assert bool(u.kpi) != bool(u.forecast), u.name
        # a forecast figure is a field of Forecast or one it derives (the probability as shown)
        assert (u.kpi in DEFAULT_DICTIONARY) if u.kpi else (u.forecast in fields or
                                                            isinstance(getattr(Forecast, u.forecast, None), property)), u.name
    named = {u.kpi for u in udfs.REGISTRY if u.kpi}
    # the five KPIs of the method each have their own French name; the rest go through PILOT_KPI
    assert {"qualified_meetings_per_week", "proposals_per_month", "proposal_conversion", "average_deal_size",
            "sales_cycle_days"} <= named


def test_a_cell_speaks_the_reader_s_language(monkeypatch):
    french = udfs.PILOT_RDV_SEMAINE(DEALS, "", "2025-03", AS_OF)
    assert french == ("#PILOTAGE : PILOT_RDV_SEMAINE a besoin de la table des activités : passez-la en argument 5, "
                      "ex. Activites[#All].")
    monkeypatch.setenv("PILOTAGE_LANG", "en")
    assert udfs.PILOT_RDV_SEMAINE(DEALS, "", "2025-03", AS_OF) == (
        "#PILOTAGE: PILOT_RDV_SEMAINE needs the activities table: pass it as argument 5, e.g. Activites[#All].")
    finished = udfs.PILOT_FORECAST_P50(DEALS, "", "2025-02", AS_OF)
    assert finished.startswith(f"#PILOTAGE: period 2025-02 is over on {AS_OF.month}/{AS_OF.day}/{AS_OF.year}: ")
    assert "prévision" not in finished and "période" not in finished


# --------------------------------------------------------------------------- tables passed by reference
def test_a_table_passed_by_reference_is_read_once_per_change_count():
    """500 cells over one table read its values once while Excel reports no change; an edit (the add-in's
    change count raised) reads them again and the cells follow the new content."""
    from support.excel_ranges import table_range

    rng = table_range(_copy(DEALS))
    by_value = [udfs.PILOT_CA_SIGNE(DEALS, scope, "2025-03", AS_OF) for scope in ("", "rep:Martin", "rep:Durand")]
    assert by_value == [35000, 30000, 5000]  # D1 + D3 (Martin), D4 (Durand), won in March
    for _ in range(500 // 3 + 1):
        assert [udfs.PILOT_CA_SIGNE(rng, scope, "2025-03", AS_OF)
                for scope in ("", "rep:Martin", "rep:Durand")] == by_value
    assert rng.reads == 1
    # an edit: D4 is now Martin's, Excel raises the count
    rng.rows = [r if r[0] != "D4" else [r[0], r[1], "Martin"] + list(r[3:]) for r in rng.rows]
    assert udfs.PILOT_CA_SIGNE(rng, "rep:Martin", "2025-03", AS_OF) == 30000  # the count unchanged: cached
    rng.sheet.book.app.bump(rng.sheet.book)
    assert udfs.PILOT_CA_SIGNE(rng, "rep:Martin", "2025-03", AS_OF) == 35000
    assert udfs.PILOT_CA_SIGNE(rng, "rep:Durand", "2025-03", AS_OF) == 0  # Durand won nothing in March any more
    assert rng.reads == 2


def test_without_a_change_count_a_table_is_read_at_every_call():
    """The add-in's events not hooked (or no add-in): nothing says the table is unchanged, so its values are
    read each time and keyed by their content."""
    from support.excel_ranges import ExcelApp, table_range

    rng = table_range(_copy(DEALS), app=ExcelApp(hooked=False))
    for _ in range(3):
        assert udfs.PILOT_CA_SIGNE(rng, "", "2025-03", AS_OF) == 35000
    assert rng.reads == 3
    rng.rows = [r for r in rng.rows if r[0] != "D3"]  # D3 (20 000) deleted
    assert udfs.PILOT_CA_SIGNE(rng, "", "2025-03", AS_OF) == 15000


def test_two_tables_at_two_addresses_are_two_tables():
    from support.excel_ranges import ExcelApp, table_range

    app = ExcelApp()
    march = table_range(_copy(DEALS), app=app)
    without_d1 = table_range([r for r in _copy(DEALS) if r[0] != "D1"], address="$M$1:$W$6", app=app)
    assert udfs.PILOT_CA_SIGNE(march, "", "2025-03", AS_OF) == 35000
    assert udfs.PILOT_CA_SIGNE(without_d1, "", "2025-03", AS_OF) == 25000
