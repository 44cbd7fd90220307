"""Scheduled runs: the steps done on which day, the log, the exit codes (steps injected, plus one real run)."""

from __future__ import annotations

import re
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from addin import scheduled
from addin.scheduled import Refreshed, Steps, first_working_day, french_holidays, run_scheduled
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import FileBusyError, InputFileError, WriteFailedError
from kpicore.model.quality import WARNING, Issue, QualityReport
from workbook_templates.file_lock import pilotage_lock

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \| [^|]+ \| [^|]+ \| (?:\d+\.\d\d s|-) \| .*$")


def _data(issues: int = 0) -> PipelineData:
    quality = QualityReport()
    for n in range(issues):
        quality.add(Issue(WARNING, "Deals", "Date réparée", "Rien à faire", sheet="Affaires", row=n + 2))
    return PipelineData(quality=quality)


class Recorder:
    """Fake steps that record their calls and write small files where the real ones would."""

    def __init__(self, data: PipelineData | None = None, refresh_error: Exception | None = None,
                 deck_error: dict[str, Exception] | None = None) -> None:
        self.calls: list[tuple] = []
        self.data = data if data is not None else _data()
        self.refresh_error = refresh_error
        self.deck_error = deck_error or {}

    def steps(self) -> Steps:
        def refresh(path, as_of):
            self.calls.append(("refresh", Path(path).name, as_of))
            if self.refresh_error:
                raise self.refresh_error
            return Refreshed(self.data, "cockpit actualisé")

        def deck(kind):
            def build(refreshed, as_of, out):
                self.calls.append((kind, as_of))
                out.write_bytes(b"deck " + kind.encode())  # half a deck, then maybe a failure
                if kind in self.deck_error:
                    raise self.deck_error[kind]
                return out
            return build

        return Steps(refresh, deck("weekly"), deck("monthly"), deck("quarterly"))


@pytest.fixture
def workbook(tmp_path) -> Path:
    path = tmp_path / "pipeline.xlsx"
    path.write_bytes(b"classeur")
    return path


def _log(out: Path) -> list[str]:
    return (out / scheduled.DEFAULT_LOG_NAME).read_text(encoding="utf-8").splitlines()


def test_first_working_days_in_france():
    # 1 Jan 2027 is a Friday and a public holiday, then a weekend: Monday 4 Jan
    assert first_working_day(2027, 1) == date(2027, 1, 4)
    # 1 Nov 2026 is a Sunday (and All Saints' Day): Monday 2 Nov
    assert first_working_day(2026, 11) == date(2026, 11, 2)
    # 1 May 2026 (Labour Day) is a Friday: Monday 4 May
    assert first_working_day(2026, 5) == date(2026, 5, 4)
    # 1 Dec 2026 is a Tuesday: the first itself
    assert first_working_day(2026, 12) == date(2026, 12, 1)
    # Easter 2026 is 5 April: Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)} <= french_holidays(2026)
    # Easter 2024 was 31 March: Easter Monday 1 April, so 2 April was the first working day
    assert first_working_day(2024, 4) == date(2024, 4, 2)
    assert len(french_holidays(2026)) == 11


def test_weekly_run_on_an_ordinary_monday(workbook, tmp_path):
    rec, out = Recorder(), tmp_path / "decks"
    code = run_scheduled(workbook, out, today=date(2026, 11, 23), steps=rec.steps())
    assert code == scheduled.EXIT_OK
    assert rec.calls == [("refresh", "pipeline.xlsx", date(2026, 11, 23)), ("weekly", date(2026, 11, 23))]
    assert sorted(p.name for p in out.iterdir()) == sorted([scheduled.DEFAULT_LOG_NAME, "Revue hebdo 2026-11-23.pptx"])
    lines = _log(out)
    assert all(LINE.match(line) for line in lines), lines
    steps = [line.split(" | ")[1:3] for line in lines]
    assert steps == [["dossier de sortie", "créé"], ["début", "ok"], ["actualisation", "ok"],
                     ["deck revue hebdo", "ok"], ["fin", "code 0"]]


def test_weekly_run_on_the_first_working_day_adds_the_monthly_deck(workbook, tmp_path):
    rec, out = Recorder(), tmp_path / "decks"
    assert run_scheduled(workbook, out, today=date(2026, 11, 2), steps=rec.steps()) == 0
    assert [c[0] for c in rec.calls] == ["refresh", "weekly", "monthly"]
    assert (out / "Revue mensuelle 2026-11-02.pptx").read_bytes() == b"deck monthly"


def test_weekly_run_on_the_first_working_day_of_a_quarter_adds_the_quarterly_deck(workbook, tmp_path):
    # Thursday 1 October 2026: the first working day of October, and of the fourth quarter
    rec, out = Recorder(), tmp_path / "decks"
    assert run_scheduled(workbook, out, today=date(2026, 10, 1), steps=rec.steps()) == 0
    assert [c[0] for c in rec.calls] == ["refresh", "weekly", "monthly", "quarterly"]
    assert (out / "Revue trimestrielle 2026-10-01.pptx").read_bytes() == b"deck quarterly"
    # Monday 2 November 2026 starts a month, not a quarter
    rec = Recorder()
    run_scheduled(workbook, tmp_path / "nov", today=date(2026, 11, 2), steps=rec.steps())
    assert "quarterly" not in [c[0] for c in rec.calls]


def test_a_quarterly_run_writes_the_quarterly_deck_alone(workbook, tmp_path):
    rec, out = Recorder(), tmp_path / "q"
    assert run_scheduled(workbook, out, kind="quarterly", today=date(2026, 11, 23), steps=rec.steps()) == 0
    assert [c[0] for c in rec.calls] == ["refresh", "quarterly"]
    assert [p.name for p in out.glob("*.pptx")] == ["Revue trimestrielle 2026-11-23.pptx"]


def test_monthly_and_refresh_only_kinds(workbook, tmp_path):
    rec = Recorder()
    assert run_scheduled(workbook, tmp_path / "m", kind="monthly", today=date(2026, 11, 23), steps=rec.steps()) == 0
    assert [c[0] for c in rec.calls] == ["refresh", "monthly"]
    rec = Recorder()
    assert run_scheduled(workbook, tmp_path / "r", kind="refresh", today=date(2026, 11, 2), steps=rec.steps()) == 0
    assert [c[0] for c in rec.calls] == ["refresh"]
    with pytest.raises(ValueError, match="kind must be one of"):
        run_scheduled(workbook, tmp_path, kind="daily", steps=rec.steps())


def test_data_warnings_give_exit_code_1(workbook, tmp_path):
    rec = Recorder(_data(issues=3))
    assert run_scheduled(workbook, tmp_path / "o", today=date(2026, 11, 23), steps=rec.steps()) == 1
    assert [c[0] for c in rec.calls] == ["refresh", "weekly"]  # the decks are still written


@pytest.mark.parametrize("error, code", [
    (InputFileError("aucune table reconnue", file="pipeline.xlsx", fix="vérifiez"), 2),
    (FileBusyError("le classeur est ouvert dans Excel", file="pipeline.xlsx", fix="fermez-le"), 3),
    (WriteFailedError("espace disque insuffisant", file="pipeline.xlsx", fix="libérez de la place"), 4),
    (RuntimeError("bogue"), 6),
])
def test_a_failed_refresh_skips_the_decks_with_its_code(workbook, tmp_path, error, code):
    rec, out = Recorder(refresh_error=error), tmp_path / "o"
    assert run_scheduled(workbook, out, today=date(2026, 11, 23), steps=rec.steps()) == code
    assert [c[0] for c in rec.calls] == ["refresh"]
    text = "\n".join(_log(out))
    assert " | actualisation | " in text and " | deck revue hebdo | non fait | " in text
    assert f"fin | code {code}" in text
    if code == 6:
        assert "Traceback" in text and "RuntimeError: bogue" in text
    else:
        # the French message on one line, with its fix
        assert str(error).replace("\n", " ") in text


def test_a_failed_deck_leaves_no_partial_file_and_gives_5(workbook, tmp_path):
    rec, out = Recorder(deck_error={"weekly": OSError(28, "No space left on device")}), tmp_path / "o"
    assert run_scheduled(workbook, out, today=date(2026, 11, 2), steps=rec.steps()) == 5
    names = sorted(p.name for p in out.iterdir())
    # the weekly deck failed half-way: nothing under its name, no temporary file; the monthly one is there
    assert names == sorted([scheduled.DEFAULT_LOG_NAME, "Revue mensuelle 2026-11-02.pptx"])
    assert "deck revue hebdo | échec" in "\n".join(_log(out))


def test_an_output_folder_on_a_missing_drive_is_not_created(workbook, tmp_path):
    rec = Recorder()
    out = tmp_path / "lecteur" / "absent" / "decks"
    assert run_scheduled(workbook, out, today=date(2026, 11, 23), steps=rec.steps()) == 4
    assert not out.parent.exists()
    assert [c[0] for c in rec.calls] == ["refresh"]  # the cockpit is still refreshed
    log = (workbook.parent / scheduled.DEFAULT_LOG_NAME).read_text(encoding="utf-8")
    assert "dossier introuvable" in log and "fin | code 4" in log


def test_a_busy_workbook_is_waited_for_then_refused(workbook, tmp_path):
    rec = Recorder()
    held, done = threading.Event(), threading.Event()

    def manager_refreshing():  # another thread: the lock is re-entrant only within one thread
        with pilotage_lock(workbook):
            held.set()
            done.wait(60)

    other = threading.Thread(target=manager_refreshing)
    other.start()
    try:
        assert held.wait(60)
        code = run_scheduled(workbook, tmp_path / "o", today=date(2026, 11, 23), lock_wait=0.3,
                             steps=rec.steps())
    finally:
        done.set()
        other.join()
    assert code == 3 and rec.calls == []
    assert "une autre actualisation Pilotage est en cours" in "\n".join(_log(tmp_path / "o"))


def test_log_path_can_be_chosen_and_is_appended(workbook, tmp_path):
    log = tmp_path / "journal.log"
    for day in (date(2026, 11, 23), date(2026, 11, 30)):
        run_scheduled(workbook, tmp_path / "o", today=day, log_path=log, steps=Recorder().steps())
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum(1 for line in lines if " | début | " in line) == 2
    assert not (tmp_path / "o" / scheduled.DEFAULT_LOG_NAME).exists()


def test_real_run_on_the_demo_workbook(demo_workbook, tmp_path, monkeypatch):
    """The default steps: the real refresh and the real decks, which forecast with the refresh's replay of
    the week instead of replaying the history again."""
    import kpicore.forecast.backtest as backtest_module
    import kpicore.forecast.kept_backtest as kept_module
    import kpicore.forecast.shown as shown_module
    from kpicore.demo.company import DEMO_AS_OF
    from pptx import Presentation

    replays = []

    def counted(real):
        def run(*args, **kwargs):
            replays.append(1)
            return real(*args, **kwargs)
        return run

    for module in (backtest_module, kept_module, shown_module):
        monkeypatch.setattr(module, "backtest", counted(module.backtest))
    path = tmp_path / "pipeline.xlsx"
    shutil.copyfile(demo_workbook, path)
    out = tmp_path / "decks"
    code = run_scheduled(path, out, kind="monthly", today=DEMO_AS_OF)
    assert code in (0, 1)  # 1 if the demo data carries deliberate quality issues
    deck = out / f"Revue mensuelle {DEMO_AS_OF.isoformat()}.pptx"
    assert len(Presentation(str(deck)).slides) > 0
    assert [line.split(" | ")[2] for line in _log(out)][-3:] == ["ok", "ok", f"code {code}"]
    assert len(replays) == 1  # the refresh's, which the monthly deck's forecast and accuracy reuse


def test_the_log_speaks_the_workbooks_language_once_it_is_read(workbook, tmp_path, monkeypatch):
    """French until the workbook is read, then its Settings language: an English company gets an English
    log from the refresh on, and English deck names."""
    import pandas as pd

    monkeypatch.delenv("PILOTAGE_LANG", raising=False)
    english = PipelineData(settings=pd.DataFrame({"key": ["language"], "value": ["en"]}))
    rec, out = Recorder(data=english), tmp_path / "decks"
    assert run_scheduled(workbook, out, today=date(2026, 11, 23), steps=rec.steps()) == scheduled.EXIT_OK
    steps = [line.split(" | ")[1:3] for line in _log(out)]
    assert steps == [["dossier de sortie", "créé"], ["début", "ok"], ["refresh", "ok"],
                     ["deck weekly review", "ok"], ["end", "code 0"]]
    assert (out / "Weekly review 2026-11-23.pptx").exists()


def test_pilotage_lang_makes_the_whole_log_english(workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("PILOTAGE_LANG", "en")
    rec, out = Recorder(refresh_error=InputFileError("illisible", file="pipeline.xlsx")), tmp_path / "decks"
    assert run_scheduled(workbook, out, today=date(2026, 11, 23), steps=rec.steps()) == scheduled.EXIT_BAD_INPUT
    steps = [line.split(" | ")[1:3] for line in _log(out)]
    assert steps == [["output folder", "created"], ["start", "ok"], ["refresh", "failed"],
                     ["deck weekly review", "not done"], ["end", "code 2"]]


def test_a_workbook_with_no_deals_is_bad_input_not_a_bug(tmp_path):
    """A new company's workbook (the template: headers, no rows) is the user's to fill: exit 2 with the reason,
    no traceback in the log."""
    from workbook_templates.pipeline_template import write_pipeline_template

    book = write_pipeline_template(tmp_path / "nouveau.xlsx")
    out = tmp_path / "decks"
    assert run_scheduled(book, out, kind="refresh", today=date(2026, 11, 23)) == scheduled.EXIT_BAD_INPUT
    text = "\n".join(_log(out))
    assert "nouveau.xlsx : la table des affaires n'a aucune ligne" in text and "Traceback" not in text
