"""A file the command line cannot read is refused in the run's language.

The reader, the archive guard and the lock raise ``InputFileError``s whose
``str`` is French and whose ``said``/``fix_said`` messages the edge renders
(``kpicore.text.check.error_text``): with ``PILOTAGE_LANG=en`` the refusal is
English and holds no French word of the catalogue; in French it is today's
French text, word for word.  The expected phrases are written here by hand,
so that a catalogue edit that changes what a user reads shows up as a failure.
"""

from __future__ import annotations

import json
import os
import socket
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from addin.cli import main
from kpicore.model.errors import InputFileError
from kpicore.text.check import error_text
from tests.support.deck_text import product_words_of, words_in
from workbook_templates.file_lock import lock_path
from workbook_templates.pipeline_template import write_pipeline_template
from workbook_templates.reading import read_source


def _missing(folder: Path) -> Path:
    return folder / "absent.xlsx"


def _empty(folder: Path) -> Path:
    path = folder / "vide.xlsx"
    path.write_bytes(b"")
    return path


def _word_document(folder: Path) -> Path:
    # a Word document renamed .xlsx: the extension passes, the content does not
    path = folder / "lettre.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def _damaged_zip(folder: Path) -> Path:
    # a workbook cut short by a copy: the zip's local header is there, its directory is not
    whole = write_pipeline_template(folder / "entier.xlsx")
    path = folder / "tronque.xlsx"
    path.write_bytes(Path(whole).read_bytes()[:200])
    return path


def _encrypted(folder: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_pipeline_template(folder / "clair.xlsx")
    path = folder / "secret.xlsx"
    with open(plain, "rb") as src, open(path, "wb") as dst:
        OOXMLFile(src).encrypt("motdepasse", dst)
    return path


def _locked(folder: Path) -> Path:
    # Pilotage's lock held by a live process of this host that is not this one: another refresh running
    path = write_pipeline_template(folder / "occupe.xlsx")
    holder = {"pid": os.getppid(), "host": socket.gethostname(), "started": time.time(), "token": "autre"}
    lock_path(path).write_text(json.dumps(holder), encoding="utf-8")
    return Path(path)


# (the file, the verb, the English phrases, the French phrases): hand-written, as a user reads them
CASES: dict[str, tuple[Callable[[Path], Path], str, tuple[str, ...], tuple[str, ...]]] = {
    "missing": (_missing, "check", ("not found", "check the path"), ("introuvable",)),
    "empty": (_empty, "check", ("vide.xlsx: the file is empty (0 bytes).", "→ Export or save the file again."),
              ("vide.xlsx : le fichier est vide (0 octet).", "→ Exportez ou enregistrez à nouveau le fichier.")),
    "word": (_word_document, "check",
             ("lettre.xlsx: this is not an Excel workbook (a Word document).",
              "→ Give the .xlsx workbook of the sales pipeline."),
             ("lettre.xlsx : ce n'est pas un classeur Excel (un document Word).",
              "→ Indiquez le classeur .xlsx du pipeline commercial.")),
    "damaged": (_damaged_zip, "check",
                ("tronque.xlsx: the workbook is damaged or incomplete (unreadable zip archive).",
                 "get a complete copy or save it again from Excel."),
                ("tronque.xlsx : le classeur est endommagé ou incomplet (archive zip illisible).",
                 "récupérez-en une copie complète ou enregistrez-le à nouveau depuis Excel.")),
    "encrypted": (_encrypted, "check",
                  ("secret.xlsx: the workbook is protected by a password (encrypted).",
                   "→ Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                   "Password, empty field) and save it."),
                  ("secret.xlsx : le classeur est protégé par un mot de passe (chiffré).",
                   "→ Ouvrez-le dans Excel, retirez le mot de passe (Fichier > Informations > Protéger le "
                   "classeur > Chiffrer avec mot de passe, champ vide) et enregistrez-le.")),
    "locked": (_locked, "refresh",
               ("another Pilotage refresh is running on this workbook (process", "nothing was changed",
                "→ wait until it is over, then run again. If no refresh is running, delete the "
                "“.~pilotage.occupe.xlsx.lock” file next to the workbook."),
               ("une autre actualisation Pilotage est en cours sur ce classeur (processus",
                "rien n'a été modifié",
                "→ attendez qu'elle se termine puis relancez. Si aucune actualisation ne tourne, "
                "supprimez le fichier « .~pilotage.occupe.xlsx.lock » à côté du classeur.")),
}


def _refusal(case: str, language: str, folder: Path, capsys, monkeypatch) -> tuple[int, str, Path]:
    make, verb, _, _ = CASES[case]
    monkeypatch.setenv("PILOTAGE_LANG", language)
    path = make(folder)
    capsys.readouterr()  # what building the file printed is not the refusal
    try:
        code = main([verb, str(path)])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out + err, path


@pytest.mark.parametrize("case", CASES)
def test_a_refused_file_is_said_in_english(case, tmp_path, capsys, monkeypatch):
    code, text, path = _refusal(case, "en", tmp_path, capsys, monkeypatch)
    assert code not in (0, None), text
    for phrase in CASES[case][2]:
        assert phrase in text, text
    # the folder's path and the file's name are the user's, not the product's French
    said = text.replace(str(path.parent), "").replace(path.name, "")
    assert words_in([said]) & product_words_of("fr", "en") == set(), text
    assert "fichier" not in said.lower() and "classeur" not in said.lower(), text


@pytest.mark.parametrize("case", CASES)
def test_a_refused_file_is_said_in_french_as_before(case, tmp_path, capsys, monkeypatch):
    code, text, _ = _refusal(case, "fr", tmp_path, capsys, monkeypatch)
    assert code not in (0, None), text
    for phrase in CASES[case][3]:
        assert phrase in text, text


def test_the_readers_own_missing_file_refusal_speaks_both_languages(tmp_path):
    # the command line refuses a missing file before the reader does; a button calls the reader directly
    with pytest.raises(InputFileError) as refused:
        read_source(tmp_path / "absent.xlsx")
    assert str(refused.value).startswith("absent.xlsx : fichier introuvable.\n→ Vérifiez le chemin : ")
    assert error_text(refused.value, "fr") == str(refused.value)
    assert error_text(refused.value, "en").startswith("absent.xlsx: file not found.\n→ Check the path: ")


@pytest.mark.parametrize("language, phrase", [
    ("en", "another Pilotage refresh is running on this workbook"),
    ("fr", "une autre actualisation Pilotage est en cours sur ce classeur"),
])
def test_the_scheduled_runs_log_says_a_busy_workbook_in_its_language(tmp_path, monkeypatch, language, phrase):
    from addin.scheduled import DEFAULT_LOG_NAME, run_scheduled

    monkeypatch.setenv("PILOTAGE_LANG", language)
    book, out = _locked(tmp_path), tmp_path / "decks"
    assert run_scheduled(book, out, today=date(2026, 11, 23), lock_wait=0.0) == 3
    assert phrase in (out / DEFAULT_LOG_NAME).read_text(encoding="utf-8")
