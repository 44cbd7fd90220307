"""Scheduled runs (Windows Task Scheduler, cron): refresh the cockpit, export the ritual decks.

``run_scheduled(path, out_folder)`` is what a Monday-morning task calls, through
``pilotage run weekly FILE --out OUT_FOLDER`` (``monthly``, ``quarterly`` or ``refresh`` in
place of ``weekly`` for the other kinds below, ``--log FILE`` for another log, ``--mail``
to e-mail the decks, ``--to-reps`` to e-mail each rep their own view):

1. refresh the cockpit in the workbook, holding Pilotage's lock on it; a
   manager's refresh in progress is waited for (``lock_wait``, 10 minutes by
   default), Excel holding the file open is refused at once;
2. write the weekly deck (« Revue hebdo AAAA-MM-JJ.pptx ») into
   ``out_folder``;
3. on the first working day of the month (Monday to Friday, French public
   holidays excluded), write the monthly deck too (« Revue mensuelle
   AAAA-MM-JJ.pptx »);
4. on the first working day of a quarter (January, April, July, October), write the
   quarterly deck too (« Revue trimestrielle AAAA-MM-JJ.pptx »), which reviews the
   quarter just over.

``kind="monthly"`` writes only the monthly deck, ``kind="quarterly"`` only the quarterly
one, ``kind="refresh"`` no deck.
With ``mail`` (``addin.mail.delivery.MailRequest``), each deck written is then mailed
to its audience, and each active rep their own export at the Reps table's address; a
message that cannot be sent is kept as an ``.eml`` beside the deck (marked unsent).
A deck is written to a temporary file in ``out_folder`` and renamed, so a
failed run never leaves half a deck under the final name.

Each step appends one line to the log (``log_path``, default
``OUT_FOLDER/pilotage_planifie.log``), also echoed on stderr::

    2026-11-30T07:00:03 | actualisation | ok | 4.21 s | cockpit actualisé (vue manager) ...

Exit codes (documented for Task Scheduler's « Résultat de la dernière
exécution » and cron's mail):

====  ==========================================================================
 0    everything done, the data had no problem
 1    everything done, but the data-quality report lists problems (see the
      « Qualité des données » sheet or ``pilotage check``)
 2    bad input: the workbook cannot be read or used as it is (message in the log)
 3    busy: the workbook is open in Excel/LibreOffice, another Pilotage run held
      it longer than ``lock_wait``, or it kept changing while read; nothing was
      written, try again later
 4    write failure: disk full, access denied, output folder missing; the
      client's workbook is untouched
 5    the cockpit was refreshed but a deck could not be written
 6    unexpected internal error (a bug: the traceback is in the log)
 7    the decks are written but a message could not be sent (no server or no
      recipient configured, server down, TLS or authentication refused, address
      refused): the message is kept as an ``.eml`` beside the deck
====  ==========================================================================

When several steps fail the highest code is returned.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import FileBusyError, PilotageError, WriteFailedError
from kpicore.text.catalogue import say
from kpicore.text.check import error_text
from workbook_templates.safe_file import publish

if TYPE_CHECKING:
    from addin.mail.delivery import MailRequest
    from kpicore.forecast.kept_backtest import KeptBacktest

EXIT_OK = 0
EXIT_DATA_WARNINGS = 1
EXIT_BAD_INPUT = 2
EXIT_BUSY = 3
EXIT_WRITE_FAILED = 4
EXIT_DECK_FAILED = 5
EXIT_INTERNAL = 6
EXIT_MAIL_FAILED = 7

DEFAULT_LOG_NAME = "pilotage_planifie.log"
DEFAULT_LOCK_WAIT = 600.0
KINDS = ("weekly", "monthly", "quarterly", "refresh")
QUARTER_MONTHS = (1, 4, 7, 10)

@dataclass(frozen=True)
class Refreshed:
    """What the refresh step hands the decks: the data it read, its line in the log, and the week's replay its
    forecasts used (``kpicore.forecast.kept_backtest``), so that the decks forecast with it instead of replaying."""

    data: PipelineData
    detail: str
    backtest: KeptBacktest | None = None


RefreshStep = Callable[[Path, date], Refreshed]
DeckStep = Callable[[Refreshed, date, Path], Path]


@dataclass(frozen=True)
class Steps:
    """The work itself, injectable: tests pass fakes, the defaults call the real refresh and decks."""

    refresh: RefreshStep
    weekly: DeckStep
    monthly: DeckStep
    quarterly: DeckStep | None = None  # None: the real quarterly deck


# --------------------------------------------------------------------------- calendar

def _easter(year: int) -> date:
    # anonymous Gregorian algorithm (Meeus/Jones/Butcher)
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def french_holidays(year: int) -> frozenset[date]:
    """The eleven public holidays of metropolitan France."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + timedelta(days=1), easter + timedelta(days=39), easter + timedelta(days=50)]
    return frozenset([date(year, m, d) for m, d in fixed] + moving)


def first_working_day(year: int, month: int) -> date:
    """First day of the month that is Monday to Friday and not a French public holiday."""
    day = date(year, month, 1)
    holidays = french_holidays(year)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def is_first_working_day(day: date) -> bool:
    return day == first_working_day(day.year, day.month)


def is_first_working_day_of_quarter(day: date) -> bool:
    """The first working day of January, April, July or October: the day the quarterly deck is written."""
    return day.month in QUARTER_MONTHS and is_first_working_day(day)


# --------------------------------------------------------------------------- default steps

def _real_refresh(path: Path, as_of: date) -> tuple[PipelineData, str]:
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from addin.language import language
    from kpicore.text.catalogue import render

    # an empty Deals table is refused by the refresh itself (exit 2, bad input), not a bug of the run
    outcome = refresh(FileWorkbook(path, progress=None), as_of=as_of)
    lang = language(outcome.data)
    quality = render(outcome.data.quality.badge(), lang)
    if outcome.backup:
        detail = say("cli.run.detail.refreshed_backup", lang, view=outcome.view, backup=outcome.backup.name,
                     quality=quality)
    else:
        detail = say("cli.run.detail.refreshed", lang, view=outcome.view, quality=quality)
    return Refreshed(outcome.data, detail, outcome.backtest)


def _deck_context(refreshed: Refreshed):
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import with_kept

    if refreshed.backtest is None:
        return None
    return with_kept(prepare(refreshed.data), refreshed.backtest)


def _real_weekly(refreshed: Refreshed, as_of: date, out: Path) -> Path:
    from addin.actions.decks import write_deck

    return write_deck(refreshed.data, "weekly", as_of, out, context=_deck_context(refreshed))


def _real_monthly(refreshed: Refreshed, as_of: date, out: Path) -> Path:
    from addin.actions.decks import write_deck

    return write_deck(refreshed.data, "monthly", as_of, out, context=_deck_context(refreshed))


def _real_quarterly(refreshed: Refreshed, as_of: date, out: Path) -> Path:
    from addin.actions.decks import write_deck

    return write_deck(refreshed.data, "quarterly", as_of, out, context=_deck_context(refreshed))


DEFAULT_STEPS = Steps(_real_refresh, _real_weekly, _real_monthly, _real_quarterly)


# --------------------------------------------------------------------------- the run

class _Log:
    """The run's log, in ``language``: French until the workbook is read, then the workbook's (or PILOTAGE_LANG)."""

    def __init__(self, path: Path, language: str) -> None:
        self.path = path
        self.language = language

    def say(self, key: str, /, **figures: object) -> str:
        return say(key, self.language, **figures)

    def line(self, step: str, outcome: str, seconds: float | None, detail: str = "") -> None:
        stamp = datetime.now().isoformat(timespec="seconds")
        took = f"{seconds:.2f} s" if seconds is not None else "-"
        text = " | ".join([stamp, step, outcome, took, " ".join(detail.split())])
        print(text, file=sys.stderr, flush=True)
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(text + "\n")
        except OSError as exc:  # the run goes on; the line was at least printed
            print(self.say("cli.run.log_not_written", file=self.path, reason=exc.strerror or exc), file=sys.stderr)

    def block(self, text: str) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
        except OSError:
            print(text, file=sys.stderr)


def deck_label(kind: str, language: str = "fr") -> str:
    """« Revue hebdo » / "Weekly review": the start of a deck's file name in a run's folder."""
    return say(f"cli.run.deck.{kind}", language)


def _code_of(err: PilotageError) -> int:
    if isinstance(err, FileBusyError):
        return EXIT_BUSY
    if isinstance(err, WriteFailedError):
        return EXIT_WRITE_FAILED
    return EXIT_BAD_INPUT


def _write_deck(step: DeckStep, refreshed: Refreshed, as_of: date, final: Path) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=".pilotage-deck.", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        step(refreshed, as_of, tmp)
        publish(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def _out_folder_ready(out: Path, log: _Log) -> bool:
    step, failed = log.say("cli.run.step.out_folder"), log.say("cli.run.outcome.failed")
    if out.is_dir():
        return True
    if out.exists():
        log.line(step, failed, None, log.say("cli.run.detail.not_folder", out=out))
        return False
    if out.parent.is_dir():
        try:
            out.mkdir()
            log.line(step, log.say("cli.run.outcome.created"), None, str(out))
            return True
        except OSError as exc:
            log.line(step, failed, None, log.say("cli.run.detail.mkdir_failed", out=out, reason=exc.strerror or exc))
            return False
    # a missing parent is most often a disconnected network drive: never create a whole tree there
    log.line(step, failed, None, log.say("cli.run.detail.folder_missing", out=out))
    return False


def _deliver(mail: MailRequest, refreshed: Refreshed, written: list[tuple[str, Path]], today: date, out: Path,
             log: _Log) -> list[int]:
    """Mail the decks written and the reps' own views; the exit codes of what failed."""
    from addin.mail.delivery import deliver_deck, deliver_reps

    codes: list[int] = []

    def attempt(step: str, work: Callable[[], list]) -> None:
        t0 = time.perf_counter()
        try:
            for done in work():
                outcome = "cli.run.outcome.ok" if done.ok else "cli.run.outcome.failed"
                log.line(done.step, log.say(outcome), done.seconds, done.detail)
                if not done.ok:
                    codes.append(EXIT_MAIL_FAILED)
        except PilotageError as err:  # a rep's export that cannot be written, say: the other messages still go
            codes.append(EXIT_MAIL_FAILED)
            log.line(step, log.say("cli.run.outcome.failed"), time.perf_counter() - t0, error_text(err, log.language))
        except Exception as exc:
            codes.append(EXIT_INTERNAL)
            log.line(step, log.say("cli.run.outcome.internal"), time.perf_counter() - t0,
                     f"{type(exc).__name__}: {exc}")
            log.block(traceback.format_exc())

    if mail.decks:
        for kind, path in written:
            attempt(log.say("mail.step.deck", deck=path.stem),
                    lambda kind=kind, path=path: [deliver_deck(refreshed.data, kind, path, to=mail.to,
                                                               language=log.language)])
    if mail.reps:
        attempt(log.say("mail.step.reps"), lambda: deliver_reps(refreshed.data, today, out, language=log.language))
    return codes


def run_scheduled(path: Path | str, out_folder: Path | str, *, kind: str = "weekly", today: date | None = None,
                  log_path: Path | str | None = None, lock_wait: float = DEFAULT_LOCK_WAIT,
                  steps: Steps | None = None, mail: MailRequest | None = None) -> int:
    """Refresh the workbook at ``path`` and write the ritual decks into ``out_folder``; the exit code.

    ``kind``: "weekly" (refresh + weekly deck, + monthly deck on the first
    working day of the month, + quarterly deck on that of a quarter),
    "monthly" (refresh + monthly deck), "quarterly" (refresh + quarterly deck)
    or "refresh" (no deck). ``today`` (default: the system date) is the as-of
    date of the cockpit and the decks and decides the first working day.
    ``mail``: what to e-mail once the decks are written (None: nothing).
    See the module docstring for the log and the exit codes; the log speaks
    French (or ``PILOTAGE_LANG``) until the workbook is read, then its language.
    """
    from addin.language import language
    from workbook_templates.file_lock import pilotage_lock

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    path, out = Path(path), Path(out_folder)
    today = today or date.today()
    steps = steps or DEFAULT_STEPS
    if kind == "refresh":
        decks: list[str] = []
    elif kind in ("monthly", "quarterly"):
        decks = [kind]
    else:
        decks = ["weekly"] + (["monthly"] if is_first_working_day(today) else []) + (
            ["quarterly"] if is_first_working_day_of_quarter(today) else [])
    log = _Log(Path(log_path) if log_path is not None else out / DEFAULT_LOG_NAME, language())
    if log_path is None and not out.is_dir() and not out.parent.is_dir():
        log = _Log(path.with_name(DEFAULT_LOG_NAME), log.language)  # the log still goes somewhere visible
    started = time.perf_counter()
    codes: list[int] = []
    # the output folder first: it holds the log, and a missing one is known before any work
    out_ok = _out_folder_ready(out, log) if decks or log_path is None else True
    log.line(log.say("cli.run.step.start"), log.say("cli.run.outcome.ok"), None,
             log.say("cli.run.detail.start", file=path, kind=kind, day=today.isoformat(), out=out))

    refreshed: Refreshed | None = None
    t0 = time.perf_counter()
    step = log.say("cli.run.step.refresh")
    try:
        with pilotage_lock(path, wait=lock_wait):
            refreshed = steps.refresh(path, today)
        log.language = language(refreshed.data)
        log.line(log.say("cli.run.step.refresh"), log.say("cli.run.outcome.ok"), time.perf_counter() - t0,
                 refreshed.detail)
        if refreshed.data.quality.issues:
            codes.append(EXIT_DATA_WARNINGS)
    except PilotageError as err:
        codes.append(_code_of(err))
        log.line(step, log.say("cli.run.outcome.failed"), time.perf_counter() - t0, error_text(err, log.language))
    except Exception as exc:  # a bug: keep the traceback for the support
        codes.append(EXIT_INTERNAL)
        log.line(step, log.say("cli.run.outcome.internal"), time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
        log.block(traceback.format_exc())

    def deck_step(deck: str) -> str:
        return log.say("cli.run.step.deck", name=deck_label(deck, log.language).lower())

    if decks and refreshed is None:
        for deck in decks:
            log.line(deck_step(deck), log.say("cli.run.outcome.not_done"), None,
                     log.say("cli.run.detail.refresh_failed"))
    elif decks and not out_ok:
        codes.append(EXIT_WRITE_FAILED)
    else:
        written_decks: list[tuple[str, Path]] = []
        for deck in decks:
            run = {"weekly": steps.weekly, "monthly": steps.monthly,
                   "quarterly": steps.quarterly or _real_quarterly}[deck]
            final = out / f"{deck_label(deck, log.language)} {today.isoformat()}.pptx"
            t0 = time.perf_counter()
            try:
                written = _write_deck(run, refreshed, today, final)
                written_decks.append((deck, written))
                log.line(deck_step(deck), log.say("cli.run.outcome.ok"), time.perf_counter() - t0, str(written))
            except PilotageError as err:
                codes.append(EXIT_DECK_FAILED)
                log.line(deck_step(deck), log.say("cli.run.outcome.failed"), time.perf_counter() - t0,
                         error_text(err, log.language))
            except OSError as exc:
                codes.append(EXIT_DECK_FAILED)
                log.line(deck_step(deck), log.say("cli.run.outcome.failed"), time.perf_counter() - t0,
                         log.say("cli.run.detail.write_failed", file=final, reason=exc.strerror or exc))
            except Exception as exc:
                codes.append(EXIT_INTERNAL)
                log.line(deck_step(deck), log.say("cli.run.outcome.internal"), time.perf_counter() - t0,
                         f"{type(exc).__name__}: {exc}")
                log.block(traceback.format_exc())
        if mail is not None and refreshed is not None:
            codes.extend(_deliver(mail, refreshed, written_decks, today, out, log))
    code = max(codes, default=EXIT_OK)
    log.line(log.say("cli.run.step.end"), log.say("cli.run.outcome.code", exit=code), time.perf_counter() - started)
    return code


__all__ = ["DEFAULT_STEPS", "EXIT_BAD_INPUT", "EXIT_BUSY", "EXIT_DATA_WARNINGS", "EXIT_DECK_FAILED",
           "EXIT_INTERNAL", "EXIT_MAIL_FAILED", "EXIT_OK", "EXIT_WRITE_FAILED", "Refreshed", "Steps", "deck_label",
           "first_working_day", "french_holidays", "is_first_working_day", "is_first_working_day_of_quarter",
           "run_scheduled"]
