"""Every verb of the command line, misused as a new user would: refused with a clear message in the reader's
language naming the argument or the file, a non-zero exit, no traceback, and no file changed or written.

The CLI runs in-process (``addin.cli.main``) over small fixture files built once; two checks run the real
program in a subprocess.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from addin.cli import main
from kpicore.text.catalogue import words

ENGLISH_ARGPARSE = ("Traceback", "usage:", "error:", "invalid choice", "the following arguments",
                    "unrecognized arguments", "expected one argument", "invalid int value")


def _tiny(data, language: str):
    """The demo company cut to a few deals: each read takes a fraction of a second."""
    settings = data.settings[data.settings["key"] != "language"]
    settings = pd.concat([settings, pd.DataFrame({"key": ["language"], "value": [language]})], ignore_index=True)
    return dataclasses.replace(data, deals=data.deals.head(80), activities=data.activities.head(200),
                               stage_history=data.stage_history.head(200),
                               pipeline_snapshots=data.pipeline_snapshots.head(0), settings=settings)


def _read_only(folder: Path) -> Path:
    """A folder nobody may write into, an administrator included (immutable where chattr exists)."""
    folder.mkdir()
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()
    pytest.skip("no read-only folder can be made here")


@pytest.fixture(scope="module")
def files(tmp_path_factory, demo_data):
    from workbook_templates.pipeline_template import write_pipeline_template
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    root = tmp_path_factory.mktemp("misuse")
    write_pipeline_workbook(_tiny(demo_data, "fr"), root / "tiny.xlsx")
    write_pipeline_workbook(_tiny(demo_data, "en"), root / "tiny_en.xlsx")
    shutil.copy(root / "tiny.xlsx", root / "vue_Zoé.xlsx")  # an input named like export's default output
    write_pipeline_template(root / "vide.xlsx")  # a new company's workbook: headers, no rows
    (root / "empty.csv").write_text("deal_id,account,owner,stage,status,amount,created_on\n", encoding="utf-8")
    (root / "notes.txt").write_text("pas un tableur\n", encoding="utf-8")
    (root / "fake.xlsx").write_text("ceci n'est pas un classeur\n", encoding="utf-8")
    (root / "modele.pptx").write_bytes(b"PK\x03\x04 not really a template")
    for name in ("dossier", "x.pptx", "x.xlam", "x.oxt", "x.xlsx"):
        (root / name).mkdir()
    ro = _read_only(root / "lecture_seule")
    yield root
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(ro)], check=False)
    ro.chmod(0o755)


def _state(root: Path) -> dict[str, str]:
    """Every file under ``root`` and its sha256: a change or a new file shows."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*")) if "lecture_seule" not in p.parts or p.name == "lecture_seule"}


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out + err


# (argv, words the message must hold): {d} is the fixture folder
MISUSES = {
    "demo": [
        (["demo", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["demo", "--out", "{d}/nulle_part/sous/dossier"], "nulle_part"),
        (["demo", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["demo", "--out", "{d}/lecture_seule/demo"], "lecture_seule"),
        (["demo", "--as-of", "2026-02-30"], "--as-of"),
        (["demo", "--size", "énorme"], "--size"),
        (["demo", "--out"], "--out"),
        (["demo", "--bogus"], "--bogus"),
        (["demo", "en_trop"], "en_trop"),
    ],
    "check": [
        (["check"], "FICHIER"),
        (["check", "{d}/absent.xlsx"], "absent.xlsx"),
        (["check", "{d}/dossier"], "dossier"),
        (["check", "{d}/notes.txt"], "notes.txt"),
        (["check", "{d}/modele.pptx"], "modele.pptx"),
        (["check", "{d}/fake.xlsx"], "fake.xlsx"),
        (["check", "{d}/tiny.xlsx", "--bogus"], "--bogus"),
        (["check", "{d}/tiny.xlsx", "--strict=oui"], "--strict"),
    ],
    "kpis": [
        (["kpis", "{d}/tiny.xlsx"], "--period"),
        (["kpis", "--period", "2026-10"], "FICHIER"),
        (["kpis", "{d}/tiny.xlsx", "--period", "2026-13"], "2026-13"),
        (["kpis", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "galaxie:X"], "galaxie:X"),
        (["kpis", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "team:Inconnue"], "Inconnue"),
        (["kpis", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "rep:Personne"], "Personne"),
        (["kpis", "{d}/tiny.xlsx", "--period", "2026-10", "--as-of", "20/11/2026"], "--as-of"),
        (["kpis", "{d}/empty.csv", "--period", "2026-10"], "empty.csv"),
        (["kpis", "{d}/vide.xlsx", "--period", "2026-10"], "vide.xlsx"),
        (["kpis", "{d}/absent.xlsx", "--period", "2026-10"], "absent.xlsx"),
        (["kpis", "{d}/dossier", "--period", "2026-10"], "dossier"),
        (["kpis", "{d}/notes.txt", "--period", "2026-10"], "notes.txt"),
        (["kpis", "{d}/tiny.xlsx", "--period"], "--period"),
    ],
    "alerts": [
        (["alerts"], "FICHIER"),
        (["alerts", "{d}/absent.xlsx"], "absent.xlsx"),
        (["alerts", "{d}/dossier"], "dossier"),
        (["alerts", "{d}/notes.txt"], "notes.txt"),
        (["alerts", "{d}/empty.csv"], "empty.csv"),
        (["alerts", "{d}/tiny.xlsx", "--as-of", "hier"], "--as-of"),
        (["alerts", "{d}/tiny.xlsx", "--scope", "team:Nord"], "--scope"),
        (["alerts", "{d}/tiny.xlsx", "--json", "oui"], "oui"),
    ],
    "forecast": [
        (["forecast", "{d}/tiny.xlsx"], "--period"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--sims", "0"], "--sims"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--sims", "-5"], "--sims"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--sims", "deux"], "--sims"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "team:Inconnue"], "Inconnue"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "galaxie:X"], "galaxie:X"),
        (["forecast", "{d}/tiny.xlsx", "--period", "T5"], "T5"),
        (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--as-of", "2026-13-01"], "--as-of"),
        (["forecast", "{d}/empty.csv", "--period", "2026-10"], "empty.csv"),
        (["forecast", "{d}/vide.xlsx", "--period", "2026-10"], "vide.xlsx"),
        (["forecast", "{d}/absent.xlsx", "--period", "2026-10"], "absent.xlsx"),
        (["forecast", "{d}/notes.txt", "--period", "2026-10"], "notes.txt"),
    ],
    "backtest": [
        (["backtest", "{d}/tiny.xlsx", "--from", "2026-09-01", "--to", "2026-06-01"], "--from"),
        (["backtest", "{d}/tiny.xlsx", "--from", "septembre"], "--from"),
        (["backtest", "{d}/tiny.xlsx", "--to", "2026-06-31"], "--to"),
        (["backtest", "{d}/tiny.xlsx", "--horizon", "week"], "--horizon"),
        (["backtest", "{d}/tiny.xlsx", "--scope", "team:Inconnue"], "Inconnue"),
        (["backtest", "{d}/empty.csv"], "empty.csv"),
        (["backtest", "{d}/absent.xlsx"], "absent.xlsx"),
        (["backtest", "{d}/dossier"], "dossier"),
        (["backtest"], "FICHIER"),
    ],
    "risks": [
        (["risks"], "FICHIER"),
        (["risks", "{d}/tiny.xlsx", "--limit", "0"], "--limit"),
        (["risks", "{d}/tiny.xlsx", "--limit", "-1"], "--limit"),
        (["risks", "{d}/tiny.xlsx", "--as-of", "2026-11"], "--as-of"),
        (["risks", "{d}/empty.csv"], "empty.csv"),
        (["risks", "{d}/vide.xlsx"], "vide.xlsx"),
        (["risks", "{d}/absent.xlsx"], "absent.xlsx"),
        (["risks", "{d}/dossier"], "dossier"),
        (["risks", "{d}/notes.txt"], "notes.txt"),
        (["risks", "{d}/tiny.xlsx", "--bogus"], "--bogus"),
    ],
    "deck": [
        (["deck", "trimestriel", "{d}/tiny.xlsx"], "trimestriel"),
        (["deck", "weekly"], "FICHIER"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/x.pptx"], "x.pptx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/nulle_part/deck.pptx"], "nulle_part"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/deck.docx"], "deck.docx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--template", "{d}/modele.pptx", "--out", "{d}/modele.pptx"],
         "modele.pptx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--template", "{d}/absent.pptx"], "absent.pptx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--template", "{d}/tiny.xlsx", "--out", "{d}/dossier"], "--template"),
        (["deck", "monthly", "{d}/tiny.xlsx", "--period", "2026-13", "--out", "{d}/dossier"], "2026-13"),
        (["deck", "weekly", "{d}/empty.csv", "--out", "{d}/dossier"], "empty.csv"),
        (["deck", "monthly", "{d}/vide.xlsx", "--out", "{d}/dossier"], "vide.xlsx"),
        (["deck", "weekly", "{d}/tiny.xlsx", "--as-of", "demain"], "--as-of"),
    ],
    "addin": [
        (["addin"], "build"),
        (["addin", "construire"], "construire"),
        (["addin", "build", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["addin", "build", "--out", "{d}/pilotage.pptx"], "pilotage.pptx"),
        (["addin", "build", "--out", "{d}/x.xlam"], "x.xlam"),
        (["addin", "build", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["addin", "build", "--out", "{d}/nulle_part/Pilotage.xlam"], "nulle_part"),
        (["addin", "build", "--out"], "--out"),
        (["addin", "build", "--bogus"], "--bogus"),
    ],
    "activity-workbook": [
        (["activity-workbook"], "DOSSIER"),
        (["activity-workbook", "{d}/nulle_part"], "nulle_part"),
        (["activity-workbook", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["activity-workbook", "{d}/lecture_seule"], "lecture_seule"),
        (["activity-workbook", "{d}/dossier", "--pipeline", "{d}/absent.xlsx"], "absent.xlsx"),
        (["activity-workbook", "{d}/dossier", "--pipeline", "{d}/dossier"], "--pipeline"),
        (["activity-workbook", "{d}/dossier", "--pipeline", "{d}/notes.txt"], "notes.txt"),
        (["activity-workbook", "{d}/dossier", "--bogus"], "--bogus"),
        (["activity-workbook", "{d}/dossier", "--pipeline"], "--pipeline"),
    ],
    "refresh": [
        (["refresh", "{d}/empty.csv"], "empty.csv"),
        (["refresh", "{d}/vide.xlsx"], "vide.xlsx"),
        (["refresh", "{d}/absent.xlsx"], "absent.xlsx"),
        (["refresh", "{d}/dossier"], "dossier"),
        (["refresh", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["refresh", "{d}/tiny.xlsx", "--out", "{d}/modele.pptx"], "modele.pptx"),
        (["refresh", "{d}/tiny.xlsx", "--out", "{d}/copie.pptx"], "copie.pptx"),
        (["refresh", "{d}/tiny.xlsx", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["refresh", "{d}/tiny.xlsx", "--out", "{d}/x.xlsx"], "x.xlsx"),
        (["refresh", "{d}/tiny.xlsx", "--view", "manager", "--team", "Inconnue"], "Inconnue"),
        (["refresh", "{d}/tiny.xlsx", "--view", "rep", "--rep", "Personne"], "Personne"),
        (["refresh", "{d}/tiny.xlsx", "--wait", "-3"], "--wait"),
        (["refresh", "{d}/tiny.xlsx", "--view", "astronaute"], "astronaute"),
        (["refresh", "{d}/tiny.xlsx", "--view", "rep"], "--rep"),
        (["refresh", "{d}/tiny.xlsx", "--engine", "excel"], "--engine"),
        (["refresh", "{d}/tiny.xlsx", "--as-of", "2026-00-10"], "--as-of"),
    ],
    "extension": [
        (["extension"], "build"),
        (["extension", "install"], "install"),
        (["extension", "build", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["extension", "build", "--out", "{d}/pilotage.zip"], "pilotage.zip"),
        (["extension", "build", "--out", "{d}/x.oxt"], "x.oxt"),
        (["extension", "build", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["extension", "build", "--out", "{d}/nulle_part/pilotage.oxt"], "nulle_part"),
        (["extension", "build", "--bogus"], "--bogus"),
    ],
    "template": [
        (["template", "pipeline"], "SORTIE"),
        (["template", "budget", "{d}/nouveau.xlsx"], "budget"),
        (["template", "pipeline", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["template", "pipeline", "{d}/modele.pptx"], "modele.pptx"),
        (["template", "pipeline", "{d}/nouveau.pptx"], "nouveau.pptx"),
        (["template", "pipeline", "{d}/x.xlsx"], "x.xlsx"),
        (["template", "pipeline", "{d}/lecture_seule"], "lecture_seule"),
        (["template", "pipeline", "{d}/nulle_part/modele.xlsx"], "nulle_part"),
        (["template", "activity", "{d}/dossier", "--from", "{d}/absent.xlsx"], "absent.xlsx"),
        (["template", "activity", "{d}/tiny.xlsx", "--from", "{d}/tiny.xlsx"], "tiny.xlsx"),
    ],
    "export": [
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx"], "--out"),
        (["export", "commercial", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/dossier"], "commercial"),
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["export", "rep", "Zoé", "{d}/vue_Zoé.xlsx", "--out", "{d}"], "vue_Zoé.xlsx"),
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/x.xlsx"], "x.xlsx"),
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/vue.pptx"], "vue.pptx"),
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["export", "rep", "Personne", "{d}/tiny.xlsx", "--out", "{d}/dossier"], "Personne"),
        (["export", "rep", "Sophie Martin", "{d}/empty.csv", "--out", "{d}/dossier"], "empty.csv"),
        (["export", "rep", "Sophie Martin", "{d}/absent.xlsx", "--out", "{d}/dossier"], "absent.xlsx"),
        (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--as-of", "x"], "--as-of"),
    ],
    "run": [
        (["run", "weekly", "{d}/tiny.xlsx"], "--out"),
        (["run", "quotidien", "{d}/tiny.xlsx", "--out", "{d}/dossier"], "quotidien"),
        (["run", "weekly", "{d}/empty.csv", "--out", "{d}/dossier"], "empty.csv"),
        (["run", "weekly", "{d}/absent.xlsx", "--out", "{d}/dossier"], "absent.xlsx"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/notes.txt"], "notes.txt"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--log", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--log", "{d}/journal.xlsx"], "journal.xlsx"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--log", "{d}/lecture_seule/j.log"],
         "lecture_seule"),
        (["run", "weekly", "{d}/dossier", "--out", "{d}/dossier"], "dossier"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--to", "a@exemple.fr"], "--mail"),
        (["run", "weekly", "{d}/tiny.xlsx", "--out", "{d}/dossier", "--mail", "--to", "pas-une-adresse"],
         "pas-une-adresse"),
    ],
    "mail": [
        (["mail"], "--to"),
        (["mail", "envoyer", "--to", "a@exemple.fr"], "envoyer"),
        (["mail", "test"], "--to"),
        (["mail", "test", "--to"], "--to"),
        (["mail", "test", "--to", "pas-une-adresse"], "pas-une-adresse"),
        (["mail", "test", "--to", "a@exemple.fr", "--bogus"], "--bogus"),
        (["mail", "test", "{d}/absent.xlsx", "--to", "a@exemple.fr"], "absent.xlsx"),
        (["mail", "test", "{d}/dossier", "--to", "a@exemple.fr"], "dossier"),
        (["mail", "test", "{d}/notes.txt", "--to", "a@exemple.fr"], "notes.txt"),
    ],
    "diagnostic": [
        (["diagnostic"], "FICHIER"),
        (["diagnostic", "{d}/absent.xlsx"], "absent.xlsx"),
        (["diagnostic", "{d}/notes.txt"], "notes.txt"),
        (["diagnostic", "{d}/fake.xlsx"], "fake.xlsx"),
        (["diagnostic", "{d}/dossier"], "dossier"),
        (["diagnostic", "{d}/empty.csv", "--out", "{d}/dossier"], "empty.csv"),
        (["diagnostic", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
        (["diagnostic", "{d}/tiny.xlsx", "--out", "{d}/lecture_seule"], "lecture_seule"),
        (["diagnostic", "{d}/tiny.xlsx", "--out", "{d}/nulle_part/sous/dossier"], "nulle_part"),
        (["diagnostic", "{d}/tiny.xlsx", "--bogus"], "--bogus"),
    ],
    "": [
        (["rapport"], "rapport"),
        (["--bogus"], "--bogus"),
    ],
}
CASES = [pytest.param(argv, named, id=f"{verb or 'pilotage'}-{i}")
         for verb, cases in MISUSES.items() for i, (argv, named) in enumerate(cases)]


def test_every_verb_is_tried_with_eight_kinds_of_misuse():
    from addin.cli import build_parser

    verbs = set(build_parser("fr")._subparsers._group_actions[0].choices)  # noqa: SLF001 - argparse's own list
    assert verbs <= set(MISUSES)
    assert all(len(MISUSES[v]) >= 8 for v in verbs)


@pytest.mark.parametrize("argv, named", CASES)
def test_a_misuse_is_refused_in_french_naming_the_argument(files, capsys, monkeypatch, argv, named):
    monkeypatch.delenv("PILOTAGE_LANG", raising=False)
    monkeypatch.chdir(files / "dossier")  # a verb's default output would land here: it is watched too
    before = _state(files)
    code, text = run_cli([a.format(d=files) for a in argv], capsys)
    assert code not in (0, None), text
    for english in ENGLISH_ARGPARSE:
        assert english not in text, text
    assert named in text, text
    assert _state(files) == before, "a refused command changed or wrote a file"


# ------------------------------------------------------------------ what the same rules accept

def test_an_existing_folder_takes_each_verbs_default_name(files, tmp_path, capsys, monkeypatch):
    """``--out FOLDER``: the file gets the verb's name inside it, and the input stays as it was."""
    monkeypatch.delenv("PILOTAGE_LANG", raising=False)
    book = tmp_path / "pipeline.xlsx"
    shutil.copy(files / "tiny.xlsx", book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    out = tmp_path / "sorties"
    out.mkdir()
    for argv in (["deck", "weekly", book, "--out", out], ["refresh", book, "--out", out],
                 ["export", "rep", "Sophie Martin", book, "--out", out], ["template", "pipeline", out],
                 ["extension", "build", "--out", out], ["addin", "build", "--out", out]):
        code, text = run_cli([str(a) for a in argv], capsys)
        assert code == 0, text
    names = sorted(p.name for p in out.iterdir())
    assert names[:4] == ["Pilotage.xlam", "modele_pipeline.xlsx", "pilotage.oxt", "pipeline_actualise.xlsx"]
    assert re.fullmatch(r"revue_hebdo_\d{4}-\d\d-\d\d\.pptx", names[4]) and names[5:] == ["vue_Sophie Martin.xlsx"]
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    code, text = run_cli(["template", "pipeline", str(out)], capsys)  # a template never replaces a workbook
    assert code == 2 and "modele_pipeline.xlsx" in text and "existe déjà" in text


def test_an_english_workbook_gets_english_results_and_names(files, tmp_path, capsys, monkeypatch, demo_data):
    monkeypatch.delenv("PILOTAGE_LANG", raising=False)
    code, text = run_cli(["deck", "weekly", str(files / "tiny_en.xlsx"), "--out", str(tmp_path)], capsys)
    assert code == 0 and "Deck written: " in text, text
    assert [p.name[:14] for p in tmp_path.iterdir()] == ["weekly_review_"]
    assert _french_words(text, tmp_path, demo_data, []) == set(), text


# ------------------------------------------------------------------ English

FRENCH_ONLY = {w for w in words("fr") - words("en") if len(w) >= 2}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _french_words(text: str, files: Path, data, argv: list[str]) -> set[str]:
    # the client's own names (teams, reps), the paths and what the user typed stay as they are: not the
    # product's French
    names = set(data.reps["rep"]) | set(data.reps["team"]) | set(data.deals["owner"].dropna()) | set(argv) | {
        part for a in argv for part in a.split(":")} | {Path(a).name for a in argv}
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(str(name), " ")
    text = text.replace(str(files), " ")
    return {w.lower() for w in _WORD.findall(text)} & FRENCH_ONLY


ENGLISH_CASES = [
    (["kpis", "{d}/tiny.xlsx"], "--period"),
    (["kpis", "{d}/tiny.xlsx", "--period", "2026-10", "--scope", "team:Inconnue"], "unknown team"),
    (["forecast", "{d}/tiny.xlsx", "--period", "2026-10", "--sims", "0"], "--sims"),
    (["backtest", "{d}/tiny.xlsx", "--from", "2026-09-01", "--to", "2026-06-01"], "--from"),
    (["deck", "weekly", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
    (["refresh", "{d}/empty.csv"], "empty.csv"),
    (["export", "rep", "Sophie Martin", "{d}/tiny.xlsx", "--out", "{d}/tiny.xlsx"], "tiny.xlsx"),
    (["template", "pipeline", "{d}/lecture_seule"], "lecture_seule"),
    (["rapport"], "rapport"),
    (["refresh", "{d}/tiny.xlsx", "--view", "astronaute"], "unknown view"),
    (["kpis", "{d}/vide.xlsx", "--period", "2026-10"], "no rows"),
    (["risks", "{d}/tiny.xlsx", "--limit", "0"], "--limit"),
    (["demo", "--out", "{d}/nulle_part/sous/dossier"], "does not exist"),
]


@pytest.mark.parametrize("argv, named", ENGLISH_CASES)
def test_in_english_a_misuse_holds_no_french(files, capsys, monkeypatch, demo_data, argv, named):
    monkeypatch.setenv("PILOTAGE_LANG", "en")
    monkeypatch.chdir(files / "dossier")
    argv = [a.format(d=files) for a in argv]
    code, text = run_cli(argv, capsys)
    assert code not in (0, None) and named in text, text
    assert "Traceback" not in text
    assert _french_words(text, files, demo_data, argv) == set(), text


def test_an_english_workbook_makes_the_command_line_speak_english(files, capsys, monkeypatch):
    """Before the read, French (the parser); after it, the workbook's language (Settings language = en)."""
    monkeypatch.delenv("PILOTAGE_LANG", raising=False)
    code, text = run_cli(["kpis", str(files / "tiny_en.xlsx"), "--period", "2026-10", "--scope", "team:Inconnue"],
                         capsys)
    assert code == 2 and "unknown team “Inconnue”" in text and "Error:" in text, text
    monkeypatch.setenv("PILOTAGE_LANG", "fr")
    code, text = run_cli(["kpis", str(files / "tiny_en.xlsx"), "--period", "2026-10", "--scope", "team:Inconnue"],
                         capsys)
    assert code == 2 and "équipe « Inconnue » inconnue" in text, text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_help_of_every_verb_is_in_one_language(capsys, monkeypatch, lang, demo_data, tmp_path):
    from addin.cli import build_parser

    monkeypatch.setenv("PILOTAGE_LANG", lang)
    other = {w for w in words("en" if lang == "fr" else "fr") - words(lang) if len(w) >= 2}
    verbs = build_parser(lang)._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse's own list
    for verb in ["", *verbs]:
        code, text = run_cli([verb, "--help"] if verb else ["--help"], capsys)
        assert code == 0 and text.strip(), verb
        assert ("utilisation : " if lang == "fr" else "usage: ") in text
        for name in sorted(verbs, key=len, reverse=True):  # the verbs' names are the same in both languages
            text = text.replace(name, " ")
        text = re.sub(r"--?[\w-]+", " ", text)  # the options' names too
        found = {w.lower() for w in _WORD.findall(text)} & other
        assert found == set(), (verb, found)


def test_every_argparse_sentence_a_user_can_meet_is_translated():
    """Read from the installed argparse: a sentence a later Python adds shows here, not as English to a user."""
    import argparse
    import inspect

    from addin.cli_parser import ARGPARSE_PLURALS, ARGPARSE_TEXTS

    source = inspect.getsource(argparse)
    found = set(re.findall(r"""\b_\((['"])(.+?)\1\)""", source))
    sentences = {text.encode().decode("unicode_escape") for _, text in found}
    # errors of the program's author, not the user's (a bad add_argument call), stay as Python writes them
    authors = {s for s in sentences if re.search(r"callable|conflict|dest=|mutually exclusive|'required'|"
                                                 r"invalid option string|mode %r|subparser|cannot merge|"
                                                 r"version|deprecated|__call__", s)}
    assert sentences - authors - set(ARGPARSE_TEXTS) == set()
    assert {p for pair in ARGPARSE_PLURALS for p in pair} >= {"expected %s argument", "expected %s arguments"}


def test_a_count_message_doubles_no_percent_and_fills_argparse_slots(capsys):
    from addin.cli_parser import translate, translate_plural

    assert translate("the following arguments are required: %s", "fr") % "--period" == "il manque : --period"
    assert translate_plural("expected %s argument", "expected %s arguments", 2, "fr") % 2 == \
        "2 valeurs doivent suivre cette option"
    assert translate_plural("expected %s argument", "expected %s arguments", 1, "en") % 1 == \
        "1 value must follow this option"


# ------------------------------------------------------------------ the real program

def _program(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    environment.pop("PILOTAGE_LANG", None) if not env else None
    return subprocess.run([sys.executable, "-m", "addin.cli", *argv], capture_output=True, text=True,
                          env=environment, cwd=root, timeout=120)


def test_the_program_exits_non_zero_with_a_french_message(files):
    done = _program("kpis", str(files / "tiny.xlsx"))
    assert done.returncode == 2
    assert "il manque : --period" in done.stderr and "utilisation : pilotage kpis" in done.stderr
    done = _program("forecast", str(files / "absent.xlsx"), "--period", "2026-10")
    assert done.returncode == 2 and "absent.xlsx" in done.stderr and "introuvable" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_program_speaks_english_when_asked(files):
    done = _program("forecast", str(files / "tiny.xlsx"), "--period", "2026-10", "--sims", "0",
                    env={"PILOTAGE_LANG": "en"})
    assert done.returncode == 2 and "usage: pilotage forecast" in done.stderr
    assert "“0” is not a whole number of 1 or more" in done.stderr


def test_a_new_folder_is_made_one_level_deep_only(tmp_path):
    """``--out decks`` beside existing folders is a new folder for the default name; a missing tree is refused."""
    from addin.outputs import output_file, prepared
    from kpicore.model.errors import UsageError

    target = output_file(tmp_path / "decks", option="--out", suffix=".pptx", default_name="d.pptx", language="fr")
    assert target == tmp_path / "decks" / "d.pptx" and not (tmp_path / "decks").exists()
    assert prepared(target).parent.is_dir()
    with pytest.raises(UsageError, match="n'existe pas"):
        output_file(tmp_path / "a" / "b", option="--out", suffix=".pptx", default_name="d.pptx", language="fr")
    with pytest.raises(UsageError, match="n'existe pas"):
        output_file(tmp_path / "a" / "d.pptx", option="--out", suffix=".pptx", default_name="d.pptx", language="fr")
