"""What a scheduled run does after writing its decks: mail each one to its audience, and each
active rep their own view at the Reps table's address.

Each sending is one ``Delivered`` (a line of the run's log). A message that cannot go is kept
as an ``.eml`` beside the deck, marked unsent, so that nothing prepared is lost.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from addin.mail.message import deck_message, rep_message
from addin.mail.rendering import render_deck
from addin.mail.sending import MailFailed, send, write_unsent
from addin.mail.settings import MailSettings, SettingError, recipients, resolve, split_addresses
from addin.mail.summary import read_summary
from kpicore.model.errors import PilotageError
from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import say


@dataclass(frozen=True)
class MailRequest:
    """What ``pilotage run ... --mail [--to ...] [--to-reps]`` asked for."""

    decks: bool = False
    to: str | None = None
    reps: bool = False


@dataclass(frozen=True)
class Delivered:
    """One line of the log: what was sent (or kept as .eml), in the log's language."""

    step: str
    sent: bool
    detail: str
    seconds: float
    failed: bool = True  # False for a notice (reps without an address) that is not a failed sending

    @property
    def ok(self) -> bool:
        return self.sent or not self.failed


def _settings(data: PipelineData, environ: Mapping[str, str] | None) -> MailSettings:
    return resolve(data.setting, environ)


def _send_or_keep(msg, settings: MailSettings | None, problem: MailFailed | None, eml: Path,
                  language: str) -> tuple[bool, str]:
    """Send ``msg``, or write it to ``eml`` with the reason; (sent, what the log says)."""
    if problem is None and settings is not None:
        try:
            send(msg, settings)
            return True, ""
        except MailFailed as err:
            problem = err
    assert problem is not None
    try:
        write_unsent(msg, eml)
        kept = say("mail.log.kept", language, file=eml)
    except OSError as exc:
        kept = say("mail.log.not_kept", language, file=eml, reason=exc.strerror or exc)
    return False, say("mail.log.join", language, first=problem.said(language), then=kept)


def _problem_of(err: SettingError) -> MailFailed:
    return MailFailed(err.code, **err.figures)


def deliver_deck(data: PipelineData, kind: str, deck: Path, *, to: str | None, language: str,
                 environ: Mapping[str, str] | None = None) -> Delivered:
    """Mail ``deck`` (a ``kind`` ritual deck) to ``to`` (``--to``), else to Settings ``mail.<kind>.to``."""
    started = time.perf_counter()
    step = say("mail.step.deck", language, deck=deck.stem)
    problem: MailFailed | None = None
    settings: MailSettings | None = None
    audience: tuple[str, ...] = ()
    try:
        settings = _settings(data, environ)
    except SettingError as err:
        problem = _problem_of(err)
    try:
        audience = recipients(kind, data.setting, to)
    except SettingError as err:
        problem = problem or _problem_of(err)
    if problem is None and not audience:
        problem = MailFailed("mail.error.no_recipients", key=f"mail.{kind}.to")
    with tempfile.TemporaryDirectory(prefix="pilotage-mail-") as work:
        rendered = render_deck(deck, Path(work))
        msg = deck_message(deck, read_summary(deck), rendered, sender=settings.sender if settings else None,
                           to=audience, language=language)
        sent, detail = _send_or_keep(msg, settings, problem, deck.with_suffix(".eml"), language)
    if rendered.missing == "libreoffice":
        note = say("mail.log.no_libreoffice", language)
    elif rendered.pdf is None or rendered.png is None:
        note = say("mail.log.partial", language, reason=rendered.missing or "")
    else:
        note = say("mail.log.complete", language)
    if sent:
        detail = say("mail.log.sent", language, to=", ".join(audience), what=note)
    else:
        detail = say("mail.log.join", language, first=detail, then=note)
    return Delivered(step, sent, detail, time.perf_counter() - started)


def active_reps(data: PipelineData) -> list[tuple[str, str | None]]:
    """(rep, address or None) for each rep of the Reps table not marked inactive, in the table's order."""
    reps = data.reps
    if reps.empty:
        return []
    found: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for row in reps.itertuples(index=False):
        name = getattr(row, "rep")
        active = getattr(row, "active", None)
        if name is None or pd.isna(name) or str(name) in seen:
            continue
        if active is not None and not pd.isna(active) and not bool(active):
            continue
        seen.add(str(name))
        email = getattr(row, "email", None)
        found.append((str(name), None if email is None or pd.isna(email) or not str(email).strip()
                      else str(email).strip()))
    return found


def deliver_reps(data: PipelineData, as_of: date, out: Path, *, language: str,
                 environ: Mapping[str, str] | None = None) -> list[Delivered]:
    """Each active rep's own export (``workbook_templates.rep_export``), written into ``out`` and mailed
    to that rep's address only; one line more names the active reps without an address."""
    from workbook_templates.rep_export import export_rep

    lines: list[Delivered] = []
    problem: MailFailed | None = None
    settings: MailSettings | None = None
    try:
        settings = _settings(data, environ)
    except SettingError as err:
        problem = _problem_of(err)
    reps = active_reps(data)
    for rep, address in reps:
        if address is None:
            continue
        started = time.perf_counter()
        step = say("mail.step.rep", language, rep=rep)
        export = out / say("cli.file.rep_export", language, name=rep)
        try:
            to = split_addresses(address)
        except SettingError as err:
            lines.append(Delivered(step, False, _problem_of(err).said(language), time.perf_counter() - started))
            continue
        try:
            export_rep(data, rep, export, as_of=as_of)
        except PilotageError as err:  # one rep's file that cannot be written: the others still get theirs
            lines.append(Delivered(step, False, str(err), time.perf_counter() - started))
            continue
        msg = rep_message(rep, export, as_of, sender=settings.sender if settings else None, to=to,
                          language=language)
        sent, detail = _send_or_keep(msg, settings, problem, export.with_suffix(".eml"), language)
        if sent:
            detail = say("mail.log.rep_sent", language, to=", ".join(to), file=export.name)
        lines.append(Delivered(step, sent, detail, time.perf_counter() - started))
    without = [rep for rep, address in reps if address is None]
    if without:
        lines.append(Delivered(say("mail.step.reps", language), False,
                               say("mail.log.reps_without_address", language, count=len(without),
                                   reps=", ".join(without)), 0.0, failed=False))
    return lines


