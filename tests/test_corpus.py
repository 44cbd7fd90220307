"""Day one on the client's own file (issue 16): every corpus file gives its true KPIs of March 2026.

The corpus (``tests/corpus``) writes 25 files in the shapes vendors and SMEs produce;
each describes the same twelve deals and, where the file has one, the same activity
log (``tests/corpus/rows.py``).  The true KPIs are worked out below by hand from those
rows, following DESIGN.md "The numbers" and ``kpicore.metrics.definitions``: the
month is March 2026 measured as of its last day (31 days elapsed).  Each file is read
through ``pilotage kpis FILE --json --period 2026-03`` (the CLI's main, in-process) and
through the cockpit (its tiles, built in-process as a refresh builds them); the test
also checks the header taken for each canonical column (what « Correspondances »
shows) and that every row is kept, excluded or merged, never lost.

Many of these fail on a product that recognises columns only by exact synonyms: that is
the point of the corpus.  The expectations are not to be weakened, nor synonyms added
to pass them (``test_evidence_not_listing_carries_recognition``).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from corpus import AS_OF, PERIOD, CorpusFile, all_files
from corpus.recognition import taken_headers
from corpus.rows import DEALS, LOG
from support.ingest_checks import assert_rows_accounted

FILES = {f.name: f for f in all_files()}
DAYS = 31  # March 2026, as of 31 March: every day of the month elapsed
PER_MONTH = 30.4375  # days in a month for proposals_per_month (365.25 / 12)
# The day the files are read, after AS_OF: they were exported on 1 and 2 April 2026 (their names and the
# Salesforce footer say so) and the log holds an activity of 1 April.  A gathered activity dated after the
# day of reading is a typo and is excluded (workbook_templates.gathering), so reading them "on" 31 March
# would refuse a true activity; the KPIs are still measured as of AS_OF, as ``--as-of`` does.
READ_ON = date(2026, 4, 2)

# ---------------------------------------------------------------------------------------------- by hand
# Deals decided in March 2026 (rows.DEALS):
#   won  1001 12 000 € created 10/01, closed 05/03, proposal 15/02
#        1002  8 000 € created 01/02, closed 12/03, proposal 20/02
#        1003  5 000 € created 02/03, closed 20/03, no proposal
#        1012 10 000 € created 02/02, closed 30/03, proposal 02/03
#   lost 1004 (proposal 15/01, closed 10/03), 1005 (proposal 03/03, closed 25/03), 1006 (no proposal, 15/03)
#   1010 won 25/02 and 1011 lost 30/01 are decided outside March; 1007, 1008, 1009 are open.
AVERAGE_DEAL = (12000 + 8000 + 5000 + 10000) / 4  # 35 000 / 4 = 8 750 €
AVERAGE_DEAL_TTC = (12000 + 8000 + 5000 + 10000) * 1.2 / 4  # the same deals at 20 % VAT: 10 500 €
# cycles in calendar days, creation to win: 1001 10/01→05/03 = 21 + 28 + 5 = 54; 1002 01/02→12/03 = 28 + 11 = 39;
# 1003 02/03→20/03 = 18; 1012 02/02→30/03 = 26 + 30 = 56.  Sorted 18, 39, 54, 56: median (39 + 54) / 2.
CYCLE = (39 + 54) / 2  # 46.5 days
# deals with a proposal date decided in March: won 1001, 1002, 1012; lost 1004, 1005 → 3 / (3 + 2)
CONVERSION = 3 / 5
# proposal dates in March: 1012 (02/03), 1005 (03/03), 1007 (10/03), 1008 (18/03) = 4 proposals
PROPOSALS_FROM_DATES = 4 / (DAYS / PER_MONTH)
# the activity log of March: « RDV découverte » on 02/03, 09/03, 17/03, 23/03 (26/02 is February) = 4
QUALIFIED_FROM_LOG = 4 / (DAYS / 7)
# « Envoi devis » on 10/03, 16/03, 25/03 = 3 (the log names accounts, not deals: no deal's proposal date to add)
PROPOSALS_FROM_LOG = 3 / (DAYS / PER_MONTH)


@dataclass(frozen=True)
class Unsupported:
    """A KPI the file cannot support, and why (what the diagnostic says would unlock it)."""

    reason: str
    counted: bool = True  # a count per period: the engine may say 0 (nothing counted) or nothing at all


NO_LOG = Unsupported("aucun journal d'activité : les RDV qualifiés ne sont pas enregistrés")
NO_PROPOSALS = Unsupported("ni date de proposition sur les affaires ni activité « proposition »")
NO_CONVERSION = Unsupported("aucune affaire décidée en mars n'a de proposition connue", counted=False)
NO_CONVERSION_LINK = Unsupported("les propositions du journal ne nomment pas d'affaire et les affaires n'ont pas "
                                 "de date de proposition", counted=False)

KPI_IDS = ("qualified_meetings_per_week", "proposals_per_month", "proposal_conversion", "average_deal_size",
           "sales_cycle_days")


def kpis(qualified, proposals, conversion, deal_size=AVERAGE_DEAL, cycle=CYCLE) -> dict:
    return dict(zip(KPI_IDS, (qualified, proposals, conversion, deal_size, cycle)))


CRM_ONLY = kpis(NO_LOG, NO_PROPOSALS, NO_CONVERSION)  # a CRM export of deals: no quote date, no log
WITH_QUOTE_DATES = kpis(NO_LOG, PROPOSALS_FROM_DATES, CONVERSION)
WITH_LOG = kpis(QUALIFIED_FROM_LOG, PROPOSALS_FROM_LOG, NO_CONVERSION_LINK)
# Odoo's activity types say « Appeler », « Réunion », « Email », « To-Do »: a log, but no type is a
# qualified meeting or a proposal, so March has truly 0 of each (not « unknown »: the log is there)
ODOO_LOG = kpis(0.0, 0.0, NO_CONVERSION)

EXPECTED_KPIS = {
    "Opportunites_trimestre.xlsx": CRM_ONLY,
    "report1743577200000.csv": CRM_ONLY,
    "hubspot-crm-exports-toutes-les-transactions-2026-04-01.xlsx": CRM_ONLY,
    "hubspot-deals-api-2026-04-01.csv": CRM_ONLY,
    "affaires-5234567-12.xlsx": CRM_ONLY,
    "deals-5234567-13.csv": CRM_ONLY,
    "Deals_2026_04_01.xlsx": CRM_ONLY,
    "crm.lead.xlsx": CRM_ONLY,
    "crm.lead (groupé par étape).xlsx": CRM_ONLY,
    "Pipeline Odoo 10.xlsx": ODOO_LOG,
    "Opportunités ouvertes et fermées 01-04-2026 09-30-12.xlsx": CRM_ONLY,
    "All Opportunities 4-1-2026.csv": CRM_ONLY,
    "export_opportunites.xlsx": CRM_ONLY,
    "teamleader_opportunites.xlsx": CRM_ONLY,
    "leads_nocrm.csv": CRM_ONLY,
    "Suivi affaires 2026.xlsx": WITH_QUOTE_DATES,  # HT taken, not TTC: 8 750 €
    "export_affaires.csv": WITH_QUOTE_DATES,  # the line pasted twice is one deal: merged, not counted twice
    "Affaires TTC.xlsx": kpis(NO_LOG, PROPOSALS_FROM_DATES, CONVERSION, deal_size=AVERAGE_DEAL_TTC),
    "Pipeline et journal.xlsx": WITH_LOG,
    "Affaires 2026.xlsx": WITH_LOG,
    "Objectifs mensuels.xlsx": WITH_QUOTE_DATES,
    "Objectifs annuels.xlsx": WITH_QUOTE_DATES,
    "Objectifs par mois.xlsx": WITH_QUOTE_DATES,
    "Suivi commercial.xls": WITH_QUOTE_DATES,
    "Suivi commercial 2.ods": WITH_QUOTE_DATES,
}

# The company's revenue target of March 2026, by hand from the targets the files hold:
EXPECTED_TARGET = {
    # wide table: the « Mars » column, 25 000 + 18 000 + 12 000 (the « Total » row and column dropped)
    "Objectifs mensuels.xlsx": 25000 + 18000 + 12000,
    # yearly targets 240 000 + 180 000 + 120 000 spread evenly (less than twelve months of history: the deals
    # start in November 2025): 540 000 / 12
    "Objectifs annuels.xlsx": (240000 + 180000 + 120000) / 12,
    # one row per rep and month, « Objectif CA », the March rows: 22 000 + 16 000 + 11 000
    "Objectifs par mois.xlsx": 22000 + 16000 + 11000,
}

# The activity log's types, by what each label means in the method (rows.LOG, all 14 rows, any month)
LOG_TYPES = {"qualified_meeting": 5, "proposal": 3, "meeting": 2, "call": 3, "follow_up": 1}
ODOO_TYPES = {"meeting": 7, "call": 3, "other": 4}  # Réunion 5 + 2, Appeler 3, Email 3 + To-Do 1 → other
assert sum(LOG_TYPES.values()) == sum(ODOO_TYPES.values()) == len(LOG)
LOG_TYPES_OF = {"Pipeline et journal.xlsx": LOG_TYPES, "Affaires 2026.xlsx": LOG_TYPES,
                "Pipeline Odoo 10.xlsx": ODOO_TYPES}

assert set(EXPECTED_KPIS) == set(FILES), "every corpus file states its true KPIs"


# ---------------------------------------------------------------------------------------------- reading
@dataclass
class Outcome:
    path: Path
    kpis_json: dict | None = None
    cli_error: str = ""
    data: object = None
    read_error: str = ""


def _convert(office, source: Path, target: Path) -> Path:
    """Save ``source`` (.xlsx) as .xls or .ods through the session's one LibreOffice."""
    from addin.engines.uno_bridge import props

    filters = {".xls": "MS Excel 97", ".ods": "calc8"}
    doc = office.open(source)
    try:
        doc.storeToURL(target.resolve().as_uri(), props(FilterName=filters[target.suffix], Overwrite=True))
    finally:
        doc.close(True)
    return target


def _cli_kpis(path: Path) -> tuple[dict | None, str]:
    from addin.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["kpis", str(path), "--json", "--period", PERIOD, "--as-of", AS_OF])
        except SystemExit as exc:  # argparse's own exit
            code = exc.code
    if code != 0:
        return None, f"code {code}: {err.getvalue().strip()}"
    return json.loads(out.getvalue()), ""


def _read(f: CorpusFile, folder: Path, office=None) -> Outcome:
    from workbook_templates.company import load_company

    if f.convert_to:
        written = f.build(folder / "_xlsx")
        path = _convert(office, written, folder / f.name)
    else:
        path = f.build(folder)
    outcome = Outcome(path)
    outcome.kpis_json, outcome.cli_error = _cli_kpis(path)
    try:
        outcome.data = load_company(path, today=READ_ON)
    except Exception as exc:  # a refused file is a failed expectation of its own tests, not of the session
        outcome.read_error = f"{type(exc).__name__}: {exc}"
    return outcome


@pytest.fixture(scope="session")
def corpus_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "_xlsx").mkdir()
    return folder


@pytest.fixture(scope="session")
def outcomes(corpus_folder) -> dict:
    """Every corpus file that needs no LibreOffice, built once and read once."""
    return {f.name: _read(f, corpus_folder) for f in FILES.values() if not f.needs_office}


@pytest.fixture(scope="session")
def office_outcomes(corpus_folder, request) -> dict:
    """The .xls and .ods files: converted through the session's one LibreOffice, then read."""
    office = request.getfixturevalue("office")
    return {f.name: _read(f, corpus_folder, office) for f in FILES.values() if f.needs_office}


def outcome_of(name: str, request) -> Outcome:
    fixture = "office_outcomes" if FILES[name].needs_office else "outcomes"
    return request.getfixturevalue(fixture)[name]


@pytest.fixture(scope="session")
def cockpit_of(request):
    """The cockpit of a corpus file as of 31 March 2026, built once per file (as a refresh builds it)."""
    from kpicore.cockpit.build import build_cockpit

    built: dict = {}

    def get(name: str):
        if name not in built:
            try:
                built[name] = build_cockpit(_data(outcome_of(name, request)), date.fromisoformat(AS_OF),
                                            n_sims=100)
            except Exception as exc:  # kept, so that a file whose cockpit fails fails fast in every test
                built[name] = exc
        if isinstance(built[name], Exception):
            pytest.fail(f"no cockpit for {name}: {type(built[name]).__name__}: {built[name]}")
        return built[name]
    return get


def _data(o: Outcome):
    if o.read_error:
        pytest.fail(f"{o.path.name} not read: {o.read_error}")
    return o.data


def _close(got, want, what: str) -> None:
    if isinstance(want, Unsupported):
        if want.counted:
            # nothing recorded to count: the engine says 0 of them, or nothing; never a made-up figure
            assert got in (None, 0, 0.0), f"{what}: {got} (expected none: {want.reason})"
        else:
            assert got is None, f"{what}: {got} (expected none: {want.reason})"
    else:
        assert got is not None, f"{what}: no value (expected {want:.4f})"
        assert got == pytest.approx(want, rel=1e-6), what


# the .xls / .ods files open LibreOffice (marked so; the office fixture fails under PILOTAGE_REQUIRE_APPS=1)
NAMES = [pytest.param(n, marks=pytest.mark.libreoffice) if FILES[n].needs_office else n for n in sorted(FILES)]


# ---------------------------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", NAMES)
def test_kpis_json_gives_the_true_kpis(name, request):
    o = outcome_of(name, request)
    if o.kpis_json is None:
        pytest.fail(f"pilotage kpis refused {name}: {o.cli_error}")
    got = {k["id"]: k["value"] for k in o.kpis_json["kpis"]}
    for kpi, want in EXPECTED_KPIS[name].items():
        _close(got[kpi], want, f"{name} {kpi}")


@pytest.mark.parametrize("name", NAMES)
def test_the_cockpit_shows_the_true_kpis(name, cockpit_of):
    from kpicore.cockpit.build import TILE_KPIS

    tiles = cockpit_of(name).block("tiles")
    shown = {kpi: tiles.cells[1][2 * i].value for i, kpi in enumerate(TILE_KPIS)}
    for kpi, want in EXPECTED_KPIS[name].items():
        value = shown[kpi]
        _close(None if value in ("", None) else float(value), want, f"{name} cockpit {kpi}")


REPS = {"Marie Curie", "Paul Martin", "Léa Dubois"}  # rows.DEALS' owners: no corpus file has a Reps sheet


@pytest.mark.parametrize("name", NAMES)
def test_the_cockpit_has_a_row_per_rep_without_a_reps_sheet(name, cockpit_of):
    """One roster: the reps come from the deals' owners (and the log's reps) when the file has no Reps table."""
    table = cockpit_of(name).block("scope_table")
    names = {row[0].value for row in table.cells[2:]}
    assert names == REPS, name


@pytest.mark.parametrize("name", NAMES)
def test_every_deal_has_its_true_status(name, request):
    """The stage and status labels of each vendor (« Closed Won », « closedlost », « Conclu gagné »,
    « Abandonnée », Odoo's lost reason...) read as the rows say: won, lost or open, with its amount."""
    deals = _data(outcome_of(name, request)).deals
    got = sorted(zip(deals["account"], deals["status"], deals["amount"].round(2)))
    factor = 1.2 if name == "Affaires TTC.xlsx" else 1  # that file holds TTC amounts only
    want = [(d.account, d.status, round(d.amount * factor, 2)) for d in DEALS]
    if name == "teamleader_opportunites.xlsx":
        want.append(("Pharmacie Gambetta", "open", 2500.0))  # its second robot, open
    assert got == sorted(want)


def test_a_team_column_gives_the_teams(outcomes):
    """« Équipe » in the hand-kept table (no Reps sheet): team Nord is Marie Curie and Léa Dubois, Sud is Paul
    Martin.  March wins of Nord: 1001 12 000 (Marie), 1003 5 000 and 1012 10 000 (Léa) → 27 000 / 3 = 9 000;
    of Sud: 1002 8 000 → 8 000."""
    from addin.cli import main

    path = outcomes["Suivi affaires 2026.xlsx"].path
    for team, want in (("Nord", (12000 + 5000 + 10000) / 3), ("Sud", 8000)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["kpis", str(path), "--json", "--period", PERIOD, "--as-of", AS_OF, "--scope", f"team:{team}"])
        assert code == 0, team
        got = {k["id"]: k["value"] for k in json.loads(out.getvalue())["kpis"]}
        assert got["average_deal_size"] == pytest.approx(want), team


NO_ID = [p for p in NAMES
         if "deal_id" not in FILES[p if isinstance(p, str) else p.values[0]].choices.get("Deals", {})]


@pytest.mark.parametrize("name", NO_ID)
def test_a_file_without_ids_gets_stable_distinct_ids(name, request):
    """No id column: an id derived from each deal's name, account and creation date, the same at every read,
    one per deal (Teamleader's file holds two real deals with the same title, client and date)."""
    from workbook_templates.company import load_company

    o = outcome_of(name, request)
    first = _data(o).deals["deal_id"].tolist()
    again = load_company(o.path, today=date.fromisoformat(AS_OF)).deals["deal_id"].tolist()
    assert first == again
    assert len(set(first)) == len(first) == FILES[name].rows["Deals"][0]


@pytest.mark.parametrize("name", NAMES)
def test_each_canonical_column_takes_the_right_header(name, request):
    o = outcome_of(name, request)
    data = _data(o)
    f = FILES[name]
    for table, expected in f.choices.items():
        beside = [n for n, t in f.extra.items() if t == table]
        if beside:  # a table kept in a file of its own: how that file was read
            from workbook_templates.reading import load_pipeline

            data = load_pipeline(o.path.parent / beside[0])
        got = taken_headers(data, table)
        wrong = {col: (header, got.get(col)) for col, header in expected.items() if got.get(col) != header}
        assert not wrong, f"{name} {table}: column → (expected header, taken) {wrong}"


@pytest.mark.parametrize("name", NAMES)
def test_no_row_disappears(name, request):
    data = _data(outcome_of(name, request))
    assert_rows_accounted(data)
    for table, (kept, excluded, merged) in FILES[name].rows.items():
        grids = [g for g in data.ingest.read if g.table == table]
        if grids:
            got = (sum(len(g.kept) for g in grids), sum(len(g.excluded) for g in grids),
                   sum(len(g.merged) for g in grids))
        else:  # gathered from a file beside the workbook (Settings activity_workbooks)
            got = (len(getattr(data, table.lower())), 0, 0)
        assert got == (kept, excluded, merged), f"{name} {table}: (kept, excluded, merged)"


@pytest.mark.parametrize("name", sorted(LOG_TYPES_OF))
def test_free_text_activity_types_are_read_by_their_meaning(name, request):
    data = _data(outcome_of(name, request))
    counts = data.activities["type"].value_counts().to_dict()
    assert {k: v for k, v in counts.items() if v} == LOG_TYPES_OF[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_TARGET))
def test_targets_in_sme_shapes_give_the_month_target(name, request):
    o = outcome_of(name, request)
    if o.kpis_json is None:
        pytest.fail(f"pilotage kpis refused {name}: {o.cli_error}")
    revenue = next(k for k in o.kpis_json["kpis"] if k["id"] == "revenue_won")
    assert revenue["target"] == pytest.approx(EXPECTED_TARGET[name])


def test_evidence_not_listing_carries_recognition():
    """At least a third of the headers the corpus expects to be taken appear in no synonym list: recognition
    has to come from the header's words and the column's values, not from a list grown to fit the corpus."""
    from kpicore.ingest.mapping import SYNONYMS, lookup
    from kpicore.ingest.parsing import fold

    listed = {table: {fold(w) for words in cols.values() for w in words} for table, cols in SYNONYMS.items()}
    headers = {(table, header) for f in FILES.values() for table, cols in f.choices.items()
               for header in cols.values()}
    unlisted = {(t, h) for t, h in headers if fold(h) not in listed[t] and lookup(t, h) is None}
    assert len(headers) >= 60
    assert len(unlisted) * 3 >= len(headers), (len(unlisted), len(headers), sorted(headers - unlisted))


def test_the_corpus_is_large_and_varied():
    assert len(FILES) >= 20
    suffixes = {Path(n).suffix for n in FILES}
    assert {".xlsx", ".csv", ".xls", ".ods"} <= suffixes
    # the brief's shapes: no id column somewhere, two files, targets, an activity log
    assert any("deal_id" not in f.choices.get("Deals", {}) for f in FILES.values())
    assert any(f.extra for f in FILES.values())
    assert any("Targets" in f.rows for f in FILES.values())


def test_the_corpus_files_are_written_as_their_vendors_write_them(corpus_folder, outcomes):
    """A few bytes checked at the source: the cp1252 CSV is cp1252 with semicolons and decimal commas, the
    Salesforce report keeps its furniture, Odoo's sheet is "Sheet1"."""
    import openpyxl

    raw = outcomes["export_affaires.csv"].path.read_bytes()
    assert "Découverte".encode("cp1252") in raw and b";" in raw and "12\u00a0000,00".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    sf = openpyxl.load_workbook(outcomes["Opportunites_trimestre.xlsx"].path, read_only=True)
    cells = [c for row in sf.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Grand Totals (12 records)" in cells and "Confidential Information - Do Not Distribute" in cells
    assert openpyxl.load_workbook(outcomes["crm.lead.xlsx"].path, read_only=True).sheetnames == ["Sheet1"]
    two = outcomes["Affaires 2026.xlsx"].path
    assert (two.parent / "Journal d'activité.xlsx").exists()


@pytest.mark.parametrize("name", NAMES)
def test_the_file_reads_as_its_golden_record(name, request):
    """Every cell of every canonical table and every message of the quality report, as the golden file
    (``tests/support/golden_reading.py``) kept them: a faster reader must read the client's file the same."""
    from support.golden_reading import check_golden, reading_record

    o = outcome_of(name, request)
    assert o.data is not None, o.read_error
    assert check_golden(name, reading_record(o.data, every_cell=True)) == []
