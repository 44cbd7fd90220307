"""The `pilotage` command line: one verb per job, in the reader's language.

Every verb is a thin shell: it checks its arguments, calls a plain function
of kpicore / workbook_templates / addin.actions, and prints.  The command
line speaks French until a workbook is read, then the workbook's language
(Settings ``language``; ``PILOTAGE_LANG`` overrides both, see
``addin.language``); every sentence it prints, argparse's included
(``addin.cli_parser``), comes from the catalogue (``kpicore.text.*.cli``).

A user's mistake is a ``PilotageError``: its message goes to stderr and the
exit code is non-zero (2 for a usage mistake, like argparse), with no
traceback.  The same mistake is refused the same way by every verb:

- a file: missing, a folder, of the wrong kind (``addin.outputs.input_file``);
- an output: ``addin.outputs.output_file`` for every verb that writes;
- a scope, a team or a rep unknown to the workbook, a period the workbook
  cannot read, a Deals table with no rows: checked once, right after the
  workbook is read (``_Book.after_read``), before any engine works on it;
- a date, a count of zero or below, ``--from`` after ``--to``: by the parser.

Heavy modules are imported inside the verbs so that `pilotage --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from addin.cli_parser import Parser, count_type, date_type, seconds_type
from addin.engines.file import FileWorkbook
from addin.language import language
from addin.actions.company import refuse_empty_deals
from addin.outputs import READ_ONLY, READABLE, WORKBOOKS, input_file, output_file, output_folder, prepared
from kpicore.model.errors import PilotageError, UsageError
from kpicore.text import formats
from kpicore.text.catalogue import render, say


class _Voice:
    """The language this run speaks: French (or PILOTAGE_LANG) until a workbook is read."""

    language = "fr"


VOICE = _Voice()


def _say(code: str, **figures: Any) -> str:
    return say(code, VOICE.language, **figures)


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _step(message: str) -> None:
    """One line of progress on stderr (stdout stays clean for --json)."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- what a verb reads

class _Book(FileWorkbook):
    """The file engine over a checked input, with the checks the command line makes once it is read.

    ``addin.actions.company.read_company`` calls ``after_read``: the run takes
    the workbook's language, then ``rows`` (the Deals table must hold at least
    one row: every verb but ``check`` and ``activity-workbook --pipeline``),
    then ``checks`` (a scope, team, rep or period against the company read).
    """

    def __init__(self, path: Path, *, option: str, kinds: tuple[str, ...] = READABLE, checks: Sequence[Callable] = (),
                 rows: bool = True, **kwargs: Any) -> None:
        path = input_file(path, option=option, language=VOICE.language, kinds=kinds)
        kwargs.setdefault("progress", None)
        super().__init__(path, **kwargs)
        self.after_read = (self._speak, *((self._rows,) if rows else ()), *checks)

    def _speak(self, data) -> None:
        VOICE.language = language(data)

    def _rows(self, data) -> None:
        refuse_empty_deals(data, self.path.name, VOICE.language)


def _scope_check(option: str, text: str | None, file: str) -> Callable:
    """Refuse, once the company is read, a team or rep ``text`` names that the workbook does not hold."""
    from kpicore.model.roster import parse_scope

    try:
        scope = parse_scope(text)
    except UsageError:
        raise UsageError(_say("cli.error.scope_syntax", option=option, value=text)) from None

    def check(data) -> None:
        _known_or_refuse(data, scope.level, scope.name, option, file)
    return check


def _known_or_refuse(data, level: str, name: str, option: str, file: str, *, folded: bool = False) -> None:
    from kpicore.ingest.parsing import fold
    from kpicore.model.roster import rep_team_of

    if level == "company":
        return
    rep_team = rep_team_of(data)
    known = sorted(set(rep_team.values())) if level == "team" else sorted(rep_team)
    same = (lambda a, b: fold(a) == fold(b)) if folded else (lambda a, b: a == b)
    if not any(same(k, name) for k in known):
        raise UsageError(_say("cli.error.unknown_team" if level == "team" else "cli.error.unknown_rep",
                              option=option, name=name, file=file,
                              known=", ".join(known) or _say("cli.error.none_known")))


def _period_check(option: str, text: str | None, as_of: date | None) -> Callable:
    def check(data) -> None:
        if text is None:
            return
        from kpicore.forecast.asof import data_today
        from kpicore.forecast.forecasting import resolve_period

        try:
            resolve_period(text, as_of or data_today(data).date(), data)
        except UsageError:
            raise UsageError(_say("cli.error.period", option=option, value=text)) from None
    return check


def _book(args: argparse.Namespace, *, option: str | None = None, rows: bool = True, period: bool = False,
          scope: bool = False, **kwargs: Any) -> _Book:
    """The verb's ``args.file``, with its ``--scope`` and ``--period`` checked once the company is read."""
    checks = []
    if scope:
        checks.append(_scope_check("--scope", args.scope, Path(args.file).name))
    if period:
        checks.append(_period_check("--period", args.period, getattr(args, "as_of", None)))
    return _Book(Path(args.file), option=option or _say("cli.metavar.file"), checks=checks, rows=rows, **kwargs)


# --------------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    from addin.actions.decks import write_deck
    from addin.actions.refresh import refresh
    from kpicore.forecast.forecasting import prepare
    from kpicore.forecast.kept_backtest import with_kept
    from kpicore.demo.company import DEMO_AS_OF, generate
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    out = output_folder(args.out, option="--out", language=VOICE.language, create=True)
    out.mkdir(exist_ok=True)
    as_of = args.as_of or DEMO_AS_OF
    t0 = time.perf_counter()
    _step(_say("cli.demo.step_generate", size=args.size, as_of=as_of))
    data = generate(size=args.size, as_of=as_of)
    name = "pipeline_demo.xlsx" if args.size == "small" else f"pipeline_demo_{args.size}.xlsx"
    path = write_pipeline_workbook(data, out / name)
    _step(_say("cli.demo.workbook_written", seconds=time.perf_counter() - t0))
    t1 = time.perf_counter()
    _step(_say("cli.demo.step_refresh"))
    book = FileWorkbook(path, backup=False, progress=lambda text: _step(f"    {text}"))
    outcome = refresh(book, as_of=as_of)
    VOICE.language = language(outcome.data)
    _step(_say("cli.demo.cockpit_done", seconds=time.perf_counter() - t1))
    t2 = time.perf_counter()
    _step(_say("cli.demo.step_decks"))
    # the decks take the week's replay the refresh has just kept rather than replay
    context = with_kept(prepare(outcome.data), outcome.backtest)
    weekly = write_deck(outcome.data, "weekly", as_of, out / "revue_hebdo_demo.pptx", context=context)
    monthly = write_deck(outcome.data, "monthly", as_of, out / "revue_mensuelle_demo.pptx", context=context)
    quarterly = write_deck(outcome.data, "quarterly", as_of, out / "revue_trimestrielle_demo.pptx", context=context)
    _step(_say("cli.demo.decks_written", seconds=time.perf_counter() - t2))
    print(_say("cli.demo.workbook", view=outcome.view, path=path.resolve()))
    for attr, frame in data.frames().items():
        print(f"  {attr:<20} {_say('cli.demo.rows', rows=len(frame)):>16}")
    print(_say("cli.demo.weekly", path=weekly.resolve()))
    print(_say("cli.demo.monthly", path=monthly.resolve()))
    print(_say("cli.demo.quarterly", path=quarterly.resolve()))
    return 0


# --------------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.text.check import check_report_json, check_report_text

    data = reports.check(_book(args, rows=False)).data
    if args.json:
        _print_json(check_report_json(data, VOICE.language))
    else:
        print(check_report_text(data, VOICE.language))
    return 1 if data.quality.errors and args.strict else 0


# --------------------------------------------------------------------------- kpis, alerts
def _fmt(value: float | None, unit: str) -> str:
    lang = VOICE.language
    if unit == "fraction":
        return formats.percent(value, locale=lang)
    if unit == "eur":
        return formats.money(value, locale=lang)
    return formats.number(value, 0 if unit == "count" else 1, locale=lang)


def cmd_kpis(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.forecasting import resolve_period
    from kpicore.model.roster import parse_scope

    report = reports.kpis(_book(args, period=True, scope=True), args.period, scope=args.scope, as_of=args.as_of)
    out = report.result
    if args.json:
        _print_json(out)
        return 0
    period = resolve_period(args.period, report.as_of, report.data)
    print(_say("cli.kpis.header", scope=parse_scope(args.scope), period=period, as_of=report.as_of))
    previous, target = _say("cli.kpis.previous"), _say("cli.kpis.target")
    for k in out["kpis"]:
        label = k["label_en"] if VOICE.language == "en" and k.get("label_en") else k["label"]
        print(f"  {label:<48} {_fmt(k['value'], k['unit']):>14}   "
              f"{previous} {_fmt(k['previous'], k['unit']):>12}   {target} {_fmt(k['target'], k['unit']):>12}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from addin.actions import reports

    out = reports.alerts(_book(args), as_of=args.as_of).result
    if args.json:
        _print_json(out)
        return 0
    if not out["alerts"]:
        print(_say("cli.alerts.none"))
    lang = VOICE.language
    for a in out["alerts"]:
        print(f"[{a['severity_label']}] {render(a['title'], lang)}\n    {render(a['detail'], lang)}\n"
              f"    → {render(a['action'], lang)}")
    return 0


# --------------------------------------------------------------------------- forecast, backtest, risks
def _scope_key(text: str | None) -> tuple[str, str]:
    from kpicore.model.roster import parse_scope

    return parse_scope(text).key


def cmd_forecast(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.forecasting import forecast_json, resolve_period
    from kpicore.model.roster import parse_scope

    book = _book(args, period=True, scope=True)
    report = reports.forecast(book, args.period, scope=_scope_key(args.scope), as_of=args.as_of, n_sims=args.sims)
    fc, as_of = report.result, report.as_of
    if args.json:
        _print_json(forecast_json(fc, source=report.data.source, text=report.text))
        return 0
    lang = VOICE.language
    money = lambda v: formats.money(v, locale=lang)  # noqa: E731
    period = resolve_period(args.period, as_of, report.data)
    print(_say("cli.forecast.header", period=period, scope=parse_scope(args.scope), as_of=as_of))
    rows = [(_say("cli.forecast.won"), money(fc.won_to_date)),
            (_say("cli.forecast.shown"), f"{money(fc.shown)}  ({_method_name(fc.method_shown)})"),
            (_say("cli.forecast.range"), f"{money(fc.p10)} / {money(fc.p50)} / {money(fc.p90)}"),
            (_say("cli.forecast.target"), money(fc.target))]
    if fc.prob_reach_shown is not None:
        rows.append((_say("cli.forecast.reach"), formats.percent(fc.prob_reach_shown, locale=lang)))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}} {value}")
    print(f"  {render(fc.method_reason, VOICE.language)}")
    if fc.reach_said is not None:
        print(f"  {render(fc.reach_said, VOICE.language)}")
    return 0


def _method_name(method: str) -> str:
    from kpicore.forecast.backtest import method_label
    from kpicore.forecast.forecasting import METHODS

    return render(method_label(method, inline=True), VOICE.language) if method in METHODS else method


def cmd_backtest(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.backtest import backtest_json

    book = _book(args, scope=True)
    _step(_say("cli.backtest.step"))
    report = reports.backtest(book, args.horizon, scope=_scope_key(args.scope), start=args.from_, end=args.to)
    bt = report.result
    if args.json:
        _print_json(backtest_json(bt, source=report.data.source, text=report.text))
        return 0
    print(bt.summary.to_string())
    print(render(bt.reason, VOICE.language))
    return 0


def cmd_risks(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.risk import risks_json

    found = reports.risks(_book(args), as_of=args.as_of)
    report = found.result
    if args.json:
        _print_json(risks_json(report, source=found.data.source, text=found.text))
        return 0
    if report.deals.empty:
        print(_say("cli.risks.none"))
    for d in report.deals.head(args.limit).itertuples(index=False):
        print(f"{d.deal_id:<12} {str(d.account)[:28]:<28} {str(d.owner)[:18]:<18} "
              f"{formats.money(d.amount, locale=VOICE.language):>12}  {render(d.reasons_message, VOICE.language)}")
    return 0


# --------------------------------------------------------------------------- refresh
def _view_check(args: argparse.Namespace, file: str) -> Callable:
    def check(data) -> None:
        if args.team:
            _known_or_refuse(data, "team", args.team, "--team", file)
        if args.rep:
            _known_or_refuse(data, "rep", args.rep, "--rep", file)
    return check


def cmd_refresh(args: argparse.Namespace) -> int:
    from addin.actions.refresh import refresh

    lang = VOICE.language
    source = input_file(args.file, option=_say("cli.metavar.workbook"), language=lang, kinds=WORKBOOKS + READ_ONLY)
    out = None
    if args.out:
        out = output_file(args.out, option="--out", suffix=source.suffix.lower(), language=lang,
                          default_name=_say("cli.file.refreshed_copy", stem=source.stem), inputs=[source])
    if args.view:
        from kpicore.cockpit.build import VIEW_FROM_LABEL, VIEWS

        view = VIEW_FROM_LABEL.get(args.view.strip().lower())
        if view is None:
            raise UsageError(_say("cli.error.view", option="--view", value=args.view, known=", ".join(VIEWS)))
        if view == "rep" and not args.rep:
            raise UsageError(_say("cli.error.view_needs_rep"))
    options = dict(view=args.view, who=args.team or args.rep, as_of=args.as_of)
    checks = [_view_check(args, source.name)]
    _step(_say("cli.refresh.step", file=args.file))
    if args.engine == "uno":
        if out is None:
            raise UsageError(_say("cli.error.uno_needs_out"))
        from addin.engines.uno import UnoWorkbook
        from addin.engines.uno_session import headless_calc_copy

        with headless_calc_copy(source, prepared(out), progress=_step) as doc:
            live = UnoWorkbook(doc, lock_wait=args.wait, progress=_step)
            live.after_read = (lambda data: setattr(VOICE, "language", language(data)),
                               lambda data: refuse_empty_deals(data, source.name, VOICE.language), *checks)
            outcome = refresh(live, **options)
        print(_say("cli.refresh.done_uno", view=outcome.view, as_of=outcome.as_of, path=out))
        return 0
    # under Pilotage's own lock: a scheduled run and a manager never interleave on one file
    book = _Book(source, option=_say("cli.metavar.workbook"), kinds=WORKBOOKS + READ_ONLY, checks=checks,
                 out=prepared(out) if out is not None else None,
                 lock_wait=args.wait, progress=_step)
    outcome = refresh(book, **options)
    print(_say("cli.refresh.done", view=outcome.view, as_of=outcome.as_of, path=outcome.path))
    if outcome.backup:
        print(_say("cli.refresh.backup", path=outcome.backup))
    return 0


# --------------------------------------------------------------------------- decks
def cmd_deck(args: argparse.Namespace) -> int:
    from addin.actions.company import read_company
    from addin.actions.decks import kept_context, write_deck
    from kpicore.forecast.forecasting import resolve_period
    from ritual_decks.deck import deck_as_of
    from workbook_templates.libreoffice import convert, soffice_path

    template = None
    if args.template:
        template = input_file(args.template, option="--template", language=VOICE.language, kinds=(".pptx",))
    book = _book(args, period=True)
    inputs = [book.path, *([template] if template else [])]
    name_code = f"cli.file.{args.kind}_deck"
    # the output checked before the read too (its default name waits for the as-of date): a mistake is told at once
    output_file(args.out, option="--out", suffix=".pptx", default_name=_say(name_code, day="AAAA-MM-JJ"),
                language=VOICE.language, default_folder=book.path.parent, inputs=inputs)
    data = read_company(book)
    period = None if args.period is None else resolve_period(args.period, args.as_of or deck_as_of(data, args.kind),
                                                             data)
    as_of = args.as_of or deck_as_of(data, args.kind, period)
    out = output_file(args.out, option="--out", suffix=".pptx", default_name=_say(name_code, day=as_of.isoformat()),
                      language=VOICE.language, default_folder=book.path.parent, inputs=inputs)
    _step(_say(f"cli.deck.step_{args.kind}", as_of=as_of))
    path = write_deck(data, args.kind, as_of, prepared(out), period=period, template=template,
                      context=kept_context(book, data))
    print(_say("cli.deck.written", path=path))
    if args.pdf:
        if soffice_path() is None:
            print(_say("cli.error.no_libreoffice_pdf"), file=sys.stderr)
            return 1
        print(_say("cli.deck.pdf_written", path=convert(path, "pdf", path.parent)))
    return 0


# --------------------------------------------------------------------------- diagnostic
def cmd_diagnostic(args: argparse.Namespace) -> int:
    from addin.actions.diagnostic import FilesWorkbook, expand_inputs, run_diagnostic
    from workbook_templates.libreoffice import soffice_path

    lang = VOICE.language
    option = _say("cli.metavar.files")
    paths = [input_file(p, option=option, language=lang) for p in expand_inputs(args.files, option=option,
                                                                               language=lang)]
    out = None
    if args.out:
        # a folder (new, made when its parent exists, or existing): a file read is refused as not a folder
        out = output_folder(args.out, option="--out", language=lang, create=True)
    if args.pdf and soffice_path() is None:
        raise UsageError(_say("cli.error.no_libreoffice_pdf"))
    book = FilesWorkbook(paths, language=lang, progress=_step)
    book.after_read = (lambda data: setattr(VOICE, "language", language(data)),)
    _step(_say("cli.diagnostic.step", files=book.name))
    made = run_diagnostic(book, out, pdf=args.pdf, write=not args.json or bool(args.out))
    if args.json:
        _print_json(made.json())
        return 0
    print(_say("cli.diagnostic.deck", path=made.deck))
    print(_say("cli.diagnostic.sheet", path=made.sheet))
    if made.pdf is not None:
        print(_say("cli.diagnostic.pdf", path=made.pdf))
    return 0


# --------------------------------------------------------------------------- add-in
def cmd_addin(args: argparse.Namespace) -> int:
    from addin.excel import build

    if args.action == "build":
        out = output_file(args.out, option="--out", suffix=".xlam", default_name="Pilotage.xlam",
                          language=VOICE.language)
        path = build.build_addin(prepared(out), interpreter_win=args.interpreter_win or "",
                                 interpreter_mac=args.interpreter_mac or "", pythonpath=args.pythonpath or "")
        print(_say("cli.addin.written", path=path))
    elif args.action == "install":
        print(_say("cli.addin.installed", path=build.install_addin(interpreter=args.interpreter)))
    else:
        removed = build.uninstall_addin()
        print(_say("cli.addin.removed", path=removed) if removed else _say("cli.addin.none"))
    return 0


def cmd_activity(args: argparse.Namespace) -> int:
    from addin.actions.activity import new_activity_workbook

    folder = output_folder(args.folder, option=_say("cli.metavar.folder"), language=VOICE.language)
    book = None
    if args.pipeline:
        book = _Book(Path(args.pipeline), option="--pipeline", rows=False)
    path = new_activity_workbook(book, folder, stem=_say("cli.file.activity_workbook"))
    print(_say("cli.activity.written", path=path))
    return 0


# --------------------------------------------------------------------------- LibreOffice extension
def cmd_extension(args: argparse.Namespace) -> int:
    from addin.calc.extension import build_extension

    out = output_file(args.out, option="--out", suffix=".oxt", default_name="pilotage.oxt", language=VOICE.language)
    print(_say("cli.extension.written", path=build_extension(prepared(out))))
    print(_say("cli.extension.install", path=out))
    return 0


# --------------------------------------------------------------------------- templates, rep export
def cmd_template(args: argparse.Namespace) -> int:
    lang = VOICE.language
    pipeline = None
    if args.from_:
        pipeline = input_file(args.from_, option="--from", language=lang)
    default = _say("cli.file.pipeline_template" if args.kind == "pipeline" else "cli.file.activity_template")
    out = output_file(args.out, option=_say("cli.metavar.out"), suffix=".xlsx", default_name=default, language=lang,
                      inputs=[pipeline] if pipeline else [], replace=False)
    if args.kind == "pipeline":
        from workbook_templates.pipeline_template import write_pipeline_template

        path = write_pipeline_template(prepared(out))
        print(_say("cli.template.pipeline_written", path=path))
    else:
        from workbook_templates.activity_workbook import write_activity_template

        path = write_activity_template(prepared(out), team=args.team, pipeline=pipeline)
        print(_say("cli.template.activity_written", path=path))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from addin.actions.company import read_company
    from kpicore.forecast.asof import data_today
    from workbook_templates.rep_export import export_rep

    book = _book(args)
    default = _say("cli.file.rep_export", name=args.name)
    # checked before the (long) read: the rep's file must never land on the pipeline workbook
    out = output_file(args.out, option="--out", suffix=".xlsx", default_name=default, language=VOICE.language,
                      inputs=[book.path], replace=False)
    book.after_read = (*book.after_read,
                       lambda data: _known_or_refuse(data, "rep", args.name, _say("cli.metavar.name"),
                                                     book.path.name, folded=True))
    data = read_company(book)
    as_of = args.as_of or data_today(data).date()
    path = export_rep(data, args.name, prepared(out), as_of=as_of)
    print(_say("cli.export.written", name=args.name, path=path))
    return 0


# --------------------------------------------------------------------------- scheduled runs
def cmd_run(args: argparse.Namespace) -> int:
    """Exit codes for Task Scheduler and cron: see addin.scheduled (0 ok ... 6 internal error, 7 mail not sent)."""
    from addin.mail.delivery import MailRequest
    from addin.mail.settings import SettingError, split_addresses
    from addin.scheduled import run_scheduled

    lang = VOICE.language
    source = input_file(args.file, option=_say("cli.metavar.workbook"), language=lang, kinds=WORKBOOKS)
    mail = None
    if args.mail or args.to_reps:
        if args.to:
            try:  # a mistyped address is refused now, before the (long) run
                split_addresses(args.to)
            except SettingError as err:
                raise UsageError(_say(err.code, **err.figures)) from None
        mail = MailRequest(decks=args.mail, to=args.to, reps=args.to_reps)
    elif args.to:
        raise UsageError(_say("cli.error.to_without_mail"))
    out = Path(args.out)
    if out.is_dir() or out.parent.is_dir():
        # a file, or a folder nobody may write into, is refused now; a missing drive is the run's to log
        # (exit code 4, addin.scheduled), where the task's owner looks
        output_folder(out, option="--out", language=lang, create=True)
    log = None
    if args.log:
        log = output_file(args.log, option="--log", suffix=(".log", ".txt"), default_name=_say("cli.file.log"),
                          language=lang, inputs=[source])
    return run_scheduled(source, out, kind=args.kind, log_path=log, mail=mail)


def cmd_mail(args: argparse.Namespace) -> int:
    """``pilotage mail test --to ADDRESS [FILE]``: a short message, so that an administrator checks the settings."""
    from addin.mail.message import trial_message
    from addin.mail.sending import MailFailed, send
    from addin.mail.settings import SettingError, resolve, split_addresses

    try:  # a mistyped address is refused before the workbook is read
        to = split_addresses(args.to)
    except SettingError as err:
        raise UsageError(_say(err.code, **err.figures)) from None
    setting = lambda key: None  # noqa: E731
    if args.file:
        from addin.actions.company import read_company

        input_file(args.file, option=_say("cli.metavar.workbook"), language=VOICE.language, kinds=READABLE)
        data = read_company(_book(args, option=_say("cli.metavar.workbook")))
        setting = data.setting
        VOICE.language = language(data)
    try:
        settings = resolve(setting)
    except SettingError as err:
        print(_say("mail.test.failed", reason=_say(err.code, **err.figures)), file=sys.stderr)
        return 2
    msg = trial_message(sender=settings.sender, to=to, host=settings.host or "-", port=settings.port,
                        language=VOICE.language)
    try:
        send(msg, settings)
    except MailFailed as err:
        print(_say("mail.test.failed", reason=err.said(VOICE.language)), file=sys.stderr)
        return err.exit_code
    print(_say("mail.test.sent", to=", ".join(to), host=settings.host, port=settings.port))
    return 0


# --------------------------------------------------------------------------- parser
def build_parser(lang: str | None = None) -> Parser:
    """The parser of every verb, its usage, help and errors in ``lang`` (default: the reader's language)."""
    lang = lang or language()
    t = lambda code: say(code, lang)  # noqa: E731
    day, count, seconds = date_type(lang), count_type(lang), seconds_type(lang)
    parser = Parser(prog="pilotage", description=t("cli.help.description"), epilog=t("cli.help.epilog"),
                    language=lang)
    sub = parser.add_subparsers(dest="verb", metavar=t("cli.metavar.command"), title=t("cli.help.commands"))

    def verb(name: str, help_code: str, func: Callable) -> Parser:
        p = sub.add_parser(name, help=t(help_code), description=t(help_code))
        p.set_defaults(func=func)
        return p

    def file_arg(p: Parser, code: str = "cli.help.file", metavar: str = "cli.metavar.file") -> None:
        p.add_argument("file", metavar=t(metavar), help=t(code))

    def as_of(p: Parser, code: str = "cli.help.as_of") -> None:
        p.add_argument("--as-of", type=day, metavar=t("cli.metavar.date"), help=t(code))

    def scope(p: Parser) -> None:
        p.add_argument("--scope", metavar=t("cli.metavar.scope"), help=t("cli.help.scope"))

    def json_flag(p: Parser) -> None:
        p.add_argument("--json", action="store_true", help=t("cli.help.json"))

    p = verb("demo", "cli.help.demo", cmd_demo)
    p.add_argument("--out", default="demo_output", metavar=t("cli.metavar.folder"), help=t("cli.help.demo.out"))
    p.add_argument("--size", choices=("small", "large"), default="small", help=t("cli.help.demo.size"))
    as_of(p, "cli.help.demo.as_of")

    p = verb("check", "cli.help.check", cmd_check)
    file_arg(p)
    json_flag(p)
    p.add_argument("--strict", action="store_true", help=t("cli.help.check.strict"))

    p = verb("kpis", "cli.help.kpis", cmd_kpis)
    file_arg(p)
    p.add_argument("--period", required=True, metavar=t("cli.metavar.period"), help=t("cli.help.period"))
    as_of(p)
    scope(p)
    json_flag(p)

    p = verb("alerts", "cli.help.alerts", cmd_alerts)
    file_arg(p)
    as_of(p)
    json_flag(p)

    p = verb("forecast", "cli.help.forecast", cmd_forecast)
    file_arg(p)
    p.add_argument("--period", required=True, metavar=t("cli.metavar.period"), help=t("cli.help.forecast.period"))
    as_of(p)
    scope(p)
    p.add_argument("--sims", type=count, default=None, metavar=t("cli.metavar.count"),
                   help=t("cli.help.forecast.sims"))
    json_flag(p)

    p = verb("backtest", "cli.help.backtest", cmd_backtest)
    file_arg(p)
    p.add_argument("--horizon", choices=("month", "quarter"), default="quarter", help=t("cli.help.backtest.horizon"))
    p.add_argument("--from", dest="from_", type=day, metavar=t("cli.metavar.date"), help=t("cli.help.backtest.from"))
    p.add_argument("--to", type=day, metavar=t("cli.metavar.date"), help=t("cli.help.backtest.to"))
    scope(p)
    json_flag(p)

    p = verb("risks", "cli.help.risks", cmd_risks)
    file_arg(p)
    as_of(p)
    p.add_argument("--limit", type=count, default=20, metavar=t("cli.metavar.count"), help=t("cli.help.risks.limit"))
    json_flag(p)

    p = verb("deck", "cli.help.deck", cmd_deck)
    p.add_argument("kind", choices=("weekly", "monthly", "quarterly"), help=t("cli.help.deck.kind"))
    file_arg(p)
    p.add_argument("--period", metavar=t("cli.metavar.period"), help=t("cli.help.deck.period"))
    as_of(p)
    p.add_argument("--out", metavar=t("cli.metavar.out"), help=t("cli.help.deck.out"))
    p.add_argument("--template", metavar=t("cli.metavar.template"), help=t("cli.help.deck.template"))
    p.add_argument("--pdf", action="store_true", help=t("cli.help.deck.pdf"))

    p = verb("diagnostic", "cli.help.diagnostic", cmd_diagnostic)
    p.add_argument("files", nargs="+", metavar=t("cli.metavar.files"), help=t("cli.help.diagnostic.files"))
    p.add_argument("--out", metavar=t("cli.metavar.folder"), help=t("cli.help.diagnostic.out"))
    p.add_argument("--pdf", action="store_true", help=t("cli.help.diagnostic.pdf"))
    p.add_argument("--json", action="store_true", help=t("cli.help.diagnostic.json"))

    p = verb("addin", "cli.help.addin", cmd_addin)
    p.add_argument("action", choices=("build", "install", "uninstall"), help=t("cli.help.addin.action"))
    p.add_argument("--out", default="Pilotage.xlam", metavar=t("cli.metavar.out"), help=t("cli.help.addin.out"))
    p.add_argument("--interpreter-win", metavar=t("cli.metavar.python"), help=t("cli.help.addin.interpreter_win"))
    p.add_argument("--interpreter-mac", metavar=t("cli.metavar.python"), help=t("cli.help.addin.interpreter_mac"))
    p.add_argument("--pythonpath", metavar=t("cli.metavar.folder"), help=t("cli.help.addin.pythonpath"))
    p.add_argument("--interpreter", metavar=t("cli.metavar.python"), help=t("cli.help.addin.interpreter"))

    p = verb("activity-workbook", "cli.help.activity", cmd_activity)
    p.add_argument("folder", metavar=t("cli.metavar.folder"), help=t("cli.help.activity.folder"))
    p.add_argument("--pipeline", metavar=t("cli.metavar.workbook"), help=t("cli.help.activity.pipeline"))

    p = verb("refresh", "cli.help.refresh", cmd_refresh)
    file_arg(p, "cli.help.workbook", "cli.metavar.workbook")
    p.add_argument("--view", metavar=t("cli.metavar.view"), help=t("cli.help.refresh.view"))
    p.add_argument("--team", metavar=t("cli.metavar.team"), help=t("cli.help.refresh.team"))
    p.add_argument("--rep", metavar=t("cli.metavar.rep"), help=t("cli.help.refresh.rep"))
    as_of(p)
    p.add_argument("--wait", type=seconds, default=0.0, metavar=t("cli.metavar.seconds"),
                   help=t("cli.help.refresh.wait"))
    p.add_argument("--engine", choices=("file", "uno"), default="file", help=t("cli.help.refresh.engine"))
    p.add_argument("--out", metavar=t("cli.metavar.out"), help=t("cli.help.refresh.out"))

    p = verb("extension", "cli.help.extension", cmd_extension)
    p.add_argument("action", choices=("build",), help=t("cli.help.extension.action"))
    p.add_argument("--out", default="pilotage.oxt", metavar=t("cli.metavar.out"), help=t("cli.help.extension.out"))

    p = verb("template", "cli.help.template", cmd_template)
    p.add_argument("kind", choices=("pipeline", "activity"), help=t("cli.help.template.kind"))
    p.add_argument("out", metavar=t("cli.metavar.out"), help=t("cli.help.template.out"))
    p.add_argument("--team", metavar=t("cli.metavar.team"), help=t("cli.help.template.team"))
    p.add_argument("--from", dest="from_", metavar=t("cli.metavar.workbook"), help=t("cli.help.template.from"))

    p = verb("export", "cli.help.export", cmd_export)
    p.add_argument("what", choices=("rep",), help=t("cli.help.export.what"))
    p.add_argument("name", metavar=t("cli.metavar.name"), help=t("cli.help.export.name"))
    file_arg(p, "cli.help.file")
    p.add_argument("--out", required=True, metavar=t("cli.metavar.out"), help=t("cli.help.export.out"))
    as_of(p)

    p = verb("run", "cli.help.run", cmd_run)
    p.add_argument("kind", choices=("weekly", "monthly", "quarterly", "refresh"), help=t("cli.help.run.kind"))
    file_arg(p, "cli.help.workbook", "cli.metavar.workbook")
    p.add_argument("--out", required=True, metavar=t("cli.metavar.folder"), help=t("cli.help.run.out"))
    p.add_argument("--log", metavar=t("cli.metavar.log"), help=t("cli.help.run.log"))
    p.add_argument("--mail", action="store_true", help=t("cli.help.run.mail"))
    p.add_argument("--to", metavar=t("cli.metavar.addresses"), help=t("cli.help.run.to"))
    p.add_argument("--to-reps", action="store_true", help=t("cli.help.run.to_reps"))

    p = verb("mail", "cli.help.mail", cmd_mail)
    p.add_argument("action", choices=("test",), help=t("cli.help.mail.action"))
    p.add_argument("file", nargs="?", metavar=t("cli.metavar.workbook"), help=t("cli.help.mail.file"))
    p.add_argument("--to", required=True, metavar=t("cli.metavar.addresses"), help=t("cli.help.mail.to"))

    return parser


def _after_parse(args: argparse.Namespace) -> None:
    """What the parser cannot see alone: an argument that contradicts another (reported as argparse does)."""
    start, end = getattr(args, "from_", None), getattr(args, "to", None)
    if isinstance(start, date) and isinstance(end, date) and start > end:
        print(_say("cli.argparse.prog_error", prog=f"pilotage {args.verb}",
                   message=_say("cli.error.from_after_to", start=start, end=end)).rstrip("\n"), file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    VOICE.language = language()
    parser = build_parser(VOICE.language)
    # argparse's own way out stays SystemExit (0 after --help, 2 for a usage mistake), as any argparse program
    args = parser.parse_args(argv)
    _after_parse(args)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except PilotageError as err:
        from kpicore.text.check import error_text

        # a refused file says itself in the run's language when its raiser gave the catalogue's messages
        print(_say("cli.error.prefix", message=error_text(err, VOICE.language)), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(_say("cli.error.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `pilotage kpis ... | head`: the reader left, nothing is wrong
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    # what Python's documentation advises: point stdout at devnull so that its flush at exit stays quiet
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
