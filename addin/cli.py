"""The `pilotage` command line: one verb per job.

Every verb is a thin shell: it parses arguments, calls a plain function of
kpicore / workbook_templates, and prints.  A user's mistake (a bad file, a bad
argument) is a ``PilotageError``: its French message goes to stderr and the
exit code is non-zero, with no traceback.  Heavy modules are imported inside
the verbs so that `pilotage --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from kpicore.model.errors import PilotageError
from kpicore.text import formats


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ, reçu « {text} »") from None


# every --period reads these words through kpicore.model.periods.parse_period
_RELATIVE_HELP = ("ou mois, trimestre, semaine, jour, année (month, quarter, week, day, year) : "
                  "celle de la date de référence")


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _step(message: str) -> None:
    """One line of progress on stderr (stdout stays clean for --json)."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    from addin.actions.decks import write_deck
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook
    from kpicore.demo.company import DEMO_AS_OF, generate
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    as_of = args.as_of or DEMO_AS_OF
    t0 = time.perf_counter()
    _step(f"1/3 Génération de l'entreprise de démonstration (taille {args.size}, au {formats.date(as_of)}) ...")
    data = generate(size=args.size, as_of=as_of)
    name = "pipeline_demo.xlsx" if args.size == "small" else f"pipeline_demo_{args.size}.xlsx"
    path = write_pipeline_workbook(data, out / name)
    _step(f"    classeur écrit en {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    _step("2/3 Actualisation du cockpit (KPI, prévision, alertes, affaires à risque) ...")
    outcome = refresh(FileWorkbook(path, backup=False, progress=lambda text: _step(f"    {text}")), as_of=as_of)
    _step(f"    cockpit actualisé en {time.perf_counter() - t1:.1f} s")
    t2 = time.perf_counter()
    _step("3/3 Decks des rituels hebdo et mensuel ...")
    weekly = write_deck(outcome.data, "weekly", as_of, out / "revue_hebdo_demo.pptx")
    monthly = write_deck(outcome.data, "monthly", as_of, out / "revue_mensuelle_demo.pptx")
    _step(f"    decks écrits en {time.perf_counter() - t2:.1f} s")
    print(f"Classeur pipeline de démonstration, avec sa feuille Cockpit (vue {outcome.view}) : {path.resolve()}")
    for attr, frame in data.frames().items():
        print(f"  {attr:<20} {formats.number(len(frame)):>9} lignes")
    print(f"Deck de la revue hebdomadaire : {weekly.resolve()}")
    print(f"Deck de la revue mensuelle : {monthly.resolve()}")
    return 0


# --------------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.text.check import check_report_json, check_report_text

    found = reports.check(_book(args.file))
    data = found.data
    if args.json:
        _print_json(check_report_json(data, found.language))
    else:
        print(check_report_text(data, found.language))
    return 1 if data.quality.errors and args.strict else 0


# --------------------------------------------------------------------------- kpis, alerts
def _book(path: str):
    """The file engine over ``path``, its progress on stderr."""
    from addin.engines.file import FileWorkbook

    return FileWorkbook(Path(path), progress=None)


def _fmt(value: float | None, unit: str) -> str:
    if unit == "fraction":
        return formats.percent(value)
    if unit == "eur":
        return formats.money(value)
    return formats.number(value, 0 if unit == "count" else 1)


def cmd_kpis(args: argparse.Namespace) -> int:
    from addin.actions import reports

    out = reports.kpis(_book(args.file), args.period, scope=args.scope, as_of=args.as_of).result
    if args.json:
        _print_json(out)
        return 0
    print(f"{out['scope']['label']} · {out['period']['label']} · au {out['as_of']}")
    for k in out["kpis"]:
        print(f"  {k['label']:<48} {_fmt(k['value'], k['unit']):>14}   préc. {_fmt(k['previous'], k['unit']):>12}"
              f"   obj. {_fmt(k['target'], k['unit']):>12}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from addin.actions import reports

    out = reports.alerts(_book(args.file), as_of=args.as_of).result
    if args.json:
        _print_json(out)
        return 0
    if not out["alerts"]:
        print("Aucune alerte.")
    for a in out["alerts"]:
        print(f"[{a['severity']}] {a['title']}\n    {a['detail']}\n    → {a['action']}")
    return 0


# --------------------------------------------------------------------------- forecast, backtest, risks
def _scope_tuple(text: str | None) -> tuple[str, str]:
    from kpicore.model.roster import parse_scope

    return parse_scope(text).key


def cmd_forecast(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.forecasting import forecast_json

    report = reports.forecast(_book(args.file), args.period, scope=_scope_tuple(args.scope), as_of=args.as_of,
                              n_sims=args.sims)
    fc, as_of = report.result, report.as_of
    if args.json:
        _print_json(forecast_json(fc, source=report.data.source, text=report.text))
        return 0
    print(f"Prévision {fc.period_label} · {args.scope or 'entreprise'} · au {formats.date(as_of)}")
    print(f"  signé à date            {formats.money(fc.won_to_date)}")
    print(f"  prévision affichée      {formats.money(fc.shown)}  ({fc.method_shown})")
    print(f"  P10 / P50 / P90         {formats.money(fc.p10)} / {formats.money(fc.p50)} / {formats.money(fc.p90)}")
    print(f"  objectif                {formats.money(fc.target)}")
    if fc.prob_reach_target is not None:
        print(f"  P(atteindre l'objectif) {formats.percent(fc.prob_reach_target)}")
    print(f"  {report.text(fc.method_reason)}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.backtest import backtest_json

    _step("Rejeu de l'historique (une prévision par semaine) ...")
    report = reports.backtest(_book(args.file), args.horizon, scope=_scope_tuple(args.scope), start=args.from_,
                              end=args.to)
    bt = report.result
    doc = backtest_json(bt, source=report.data.source, text=report.text)
    if args.json:
        _print_json(doc)
        return 0
    print(bt.summary.to_string())
    print(report.text(bt.reason))
    return 0


def cmd_risks(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from kpicore.forecast.risk import risks_json

    found = reports.risks(_book(args.file), as_of=args.as_of)
    report = found.result
    if args.json:
        _print_json(risks_json(report, source=found.data.source, text=found.text))
        return 0
    if report.deals.empty:
        print("Aucune affaire à risque.")
    for d in report.deals.head(args.limit).itertuples(index=False):
        print(f"{d.deal_id:<12} {str(d.account)[:28]:<28} {str(d.owner)[:18]:<18} {formats.money(d.amount):>12}  "
              f"{found.text(d.reasons_message)}")
    return 0


# --------------------------------------------------------------------------- refresh
def cmd_refresh(args: argparse.Namespace) -> int:
    from addin.actions.refresh import refresh

    options = dict(view=args.view, who=args.team or args.rep, as_of=args.as_of)
    _step(f"Actualisation du cockpit de {args.file} ...")
    if args.engine == "uno":
        if not args.out:
            from kpicore.model.errors import UsageError

            raise UsageError("--engine uno écrit une copie : indiquez-la avec --out COPIE.xlsx (LibreOffice "
                             "réécrit chaque partie du fichier qu'il enregistre, il n'écrit donc jamais sur "
                             "votre classeur).")
        from addin.engines.uno import UnoWorkbook
        from addin.engines.uno_session import headless_calc_copy

        with headless_calc_copy(Path(args.file), Path(args.out), progress=_step) as doc:
            outcome = refresh(UnoWorkbook(doc, lock_wait=args.wait, progress=_step), **options)
        print(f"Cockpit actualisé par LibreOffice (vue {outcome.view}, données au {formats.date(outcome.as_of)}) : "
              f"{Path(args.out)}")
        return 0
    from addin.engines.file import FileWorkbook

    # under Pilotage's own lock: a scheduled run and a manager never interleave on one file
    outcome = refresh(FileWorkbook(Path(args.file), out=args.out, lock_wait=args.wait, progress=_step), **options)
    print(f"Cockpit actualisé (vue {outcome.view}, données au {formats.date(outcome.as_of)}) : {outcome.path}")
    if outcome.backup:
        print(f"Version précédente gardée : {outcome.backup}")
    return 0


# --------------------------------------------------------------------------- decks
def cmd_deck(args: argparse.Namespace) -> int:
    from addin.actions import reports
    from addin.actions.company import read_company
    from addin.actions.decks import write_deck
    from kpicore.forecast.forecasting import resolve_period
    from ritual_decks.deck import deck_as_of
    from workbook_templates.libreoffice import convert, soffice_path

    data = read_company(_book(args.file))
    period = None if args.period is None else resolve_period(args.period, args.as_of or deck_as_of(data, args.kind),
                                                             data)
    as_of = args.as_of or deck_as_of(data, args.kind, period)
    default = f"revue_{'hebdo' if args.kind == 'weekly' else 'mensuelle'}_{as_of:%Y-%m-%d}.pptx"
    out = Path(args.out) if args.out else Path(args.file).with_name(default)
    if out.suffix.lower() != ".pptx":
        out = out / default
    out.parent.mkdir(parents=True, exist_ok=True)
    template = Path(args.template) if args.template else None
    _step(f"Deck {'hebdo' if args.kind == 'weekly' else 'mensuel'} au {formats.date(as_of)} ...")
    path = write_deck(data, args.kind, as_of, out, period=period, template=template)
    print(f"Deck écrit : {path}")
    if args.pdf:
        if soffice_path() is None:
            print("PDF non produit : LibreOffice est introuvable (installez-le, ou exportez le PDF depuis "
                  "PowerPoint).", file=sys.stderr)
            return 1
        print(f"PDF écrit : {convert(path, 'pdf', path.parent)}")
    return 0


# --------------------------------------------------------------------------- add-in
def cmd_addin(args: argparse.Namespace) -> int:
    from addin.excel import build

    if args.action == "build":
        path = build.build_addin(Path(args.out), interpreter_win=args.interpreter_win or "",
                                 interpreter_mac=args.interpreter_mac or "", pythonpath=args.pythonpath or "")
        print(f"Complément Excel écrit : {path}")
    elif args.action == "install":
        print(f"Complément installé : {build.install_addin(interpreter=args.interpreter)}")
    else:
        removed = build.uninstall_addin()
        print(f"Complément retiré : {removed}" if removed else "Aucun complément Pilotage installé.")
    return 0


def cmd_activity(args: argparse.Namespace) -> int:
    from addin.actions.activity import new_activity_workbook

    path = new_activity_workbook(_book(args.pipeline) if args.pipeline else None, Path(args.folder))
    print(f"Classeur d'activité créé : {path}")
    return 0


# --------------------------------------------------------------------------- LibreOffice extension
def cmd_extension(args: argparse.Namespace) -> int:
    from addin.calc.extension import build_extension

    print(f"Extension LibreOffice écrite : {build_extension(Path(args.out))}")
    print("Installez-la avec : unopkg add " + args.out + " (LibreOffice fermé), ou le Gestionnaire des extensions.")
    return 0


# --------------------------------------------------------------------------- templates, rep export
def cmd_template(args: argparse.Namespace) -> int:
    if args.kind == "pipeline":
        from workbook_templates.pipeline_template import write_pipeline_template

        path = write_pipeline_template(Path(args.out))
        print(f"Modèle de classeur pipeline écrit : {path}")
    else:
        from workbook_templates.activity_workbook import write_activity_template

        path = write_activity_template(Path(args.out), team=args.team, pipeline=args.from_)
        print(f"Classeur d'activité écrit : {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbook_templates.rep_export import export_rep_file

    path = export_rep_file(Path(args.file), args.name, Path(args.out), as_of=args.as_of)
    print(f"Vue personnelle de {args.name} écrite : {path} (ses seuls chiffres)")
    return 0


# --------------------------------------------------------------------------- scheduled runs
def cmd_run(args: argparse.Namespace) -> int:
    """Exit codes for Task Scheduler and cron: see addin.scheduled (0 ok ... 6 internal error)."""
    from addin.scheduled import run_scheduled

    return run_scheduled(Path(args.file), Path(args.out), kind=args.kind, log_path=args.log)


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pilotage",
        description="Pilotage : cockpit commercial, prévision et decks de rituels depuis votre classeur pipeline.",
    )
    sub = parser.add_subparsers(dest="verb", metavar="COMMANDE")

    p = sub.add_parser("demo", help="construit l'entreprise de démonstration et ce que Pilotage en fait")
    p.add_argument("--out", default="demo_output", help="dossier de sortie (défaut : demo_output)")
    p.add_argument("--size", choices=("small", "large"), default="small",
                   help="large : ~100 000 affaires et 1 000 000 d'activités, pour les mesures")
    p.add_argument("--as-of", type=_date, help="date de référence (défaut : date fixe de la démo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help="rapport qualité des données d'un fichier (xlsx, xlsm, csv)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="sortie JSON pour les outils")
    p.add_argument("--strict", action="store_true", help="code de sortie 1 si des lignes sont exclues")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("kpis", help="les KPI d'une période et d'un périmètre")
    p.add_argument("file")
    p.add_argument("--period", required=True,
                   help="2025-03-14, 2025-W12, 2025-03, 2025-Q1, 2025, FY2025-Q1, FY2025, " + _RELATIVE_HELP)
    p.add_argument("--as-of", type=_date, help="date de référence (défaut : date des données)")
    p.add_argument("--scope", help="company (défaut), team:NOM ou rep:NOM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("alerts", help="les alertes de la semaine et les actions suggérées")
    p.add_argument("file")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("forecast", help="prévision d'une période : signé à date, P10/P50/P90, objectif")
    p.add_argument("file")
    p.add_argument("--period", required=True, help="2025-06, 2025-Q2, FY2025-Q1, FY2025, " + _RELATIVE_HELP)
    p.add_argument("--as-of", type=_date, help="date de référence (défaut : date des données)")
    p.add_argument("--scope", help="company (défaut), team:NOM ou rep:NOM")
    p.add_argument("--sims", type=int, default=None,
                   help="tirages Monte Carlo (défaut : 2\u202f000, comme le cockpit, les decks et les fonctions "
                        "de cellule, pour les mêmes chiffres)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest", help="précision mesurée des méthodes de prévision sur votre historique")
    p.add_argument("file")
    p.add_argument("--horizon", choices=("month", "quarter"), default="quarter")
    p.add_argument("--from", dest="from_", type=_date, help="première date rejouée")
    p.add_argument("--to", type=_date, help="dernière date rejouée")
    p.add_argument("--scope", help="company (défaut), team:NOM ou rep:NOM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("risks", help="les affaires à risque cette semaine, avec leurs raisons")
    p.add_argument("file")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--limit", type=int, default=20, help="nombre d'affaires affichées (texte)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_risks)

    p = sub.add_parser("deck", help="deck PowerPoint du rituel hebdo (weekly) ou mensuel (monthly)")
    p.add_argument("kind", choices=("weekly", "monthly"))
    p.add_argument("file")
    p.add_argument("--period", help="hebdo : la semaine (2026-W46, ou semaine) ; mensuel : le mois (2026-10, ou "
                                    "mois) ; semaine et mois : ceux de la date de référence")
    p.add_argument("--as-of", type=_date, help="date de référence (défaut : date des données)")
    p.add_argument("--out", help="fichier .pptx ou dossier (défaut : à côté du classeur)")
    p.add_argument("--template", help="modèle PowerPoint du client (.pptx) : masques, couleurs, logo")
    p.add_argument("--pdf", action="store_true", help="convertit aussi en PDF avec LibreOffice")
    p.set_defaults(func=cmd_deck)

    p = sub.add_parser("addin", help="complément Excel : build, install (Windows), uninstall")
    p.add_argument("action", choices=("build", "install", "uninstall"))
    p.add_argument("--out", default="Pilotage.xlam", help="build : fichier .xlam écrit")
    p.add_argument("--interpreter-win", help="build : python.exe à inscrire dans la configuration")
    p.add_argument("--interpreter-mac", help="build : python à inscrire pour macOS")
    p.add_argument("--pythonpath", help="build : dossier du projet si Pilotage n'est pas installé par pip")
    p.add_argument("--interpreter", help="install : python.exe à utiliser (défaut : celui-ci)")
    p.set_defaults(func=cmd_addin)

    p = sub.add_parser("activity-workbook", help="nouveau classeur d'activité partagé pour les commerciaux")
    p.add_argument("folder", help="dossier où le créer (jamais par-dessus un fichier existant)")
    p.add_argument("--pipeline", help="classeur pipeline d'où prendre la liste des commerciaux")
    p.set_defaults(func=cmd_activity)

    p = sub.add_parser("refresh", help="reconstruit la feuille Cockpit dans le classeur (le reste est intact)")
    p.add_argument("file")
    p.add_argument("--view", help="manager, direction ou rep (défaut : la cellule Vue du cockpit, puis Paramètres)")
    p.add_argument("--team", help="équipe de la vue manager (défaut : toute l'entreprise)")
    p.add_argument("--rep", help="commercial de la vue rep")
    p.add_argument("--as-of", type=_date, help="date de référence (défaut : date des données)")
    p.add_argument("--wait", type=float, default=0.0,
                   help="secondes d'attente si une autre actualisation tient le classeur (défaut : refus immédiat)")
    p.add_argument("--engine", choices=("file", "uno"), default="file",
                   help="file (défaut) : écrit dans le fichier au niveau du paquet ; uno : fait le même travail "
                        "dans un LibreOffice sans écran et enregistre une copie (--out obligatoire)")
    p.add_argument("--out", help="écrire le résultat dans ce fichier plutôt que dans le classeur lui-même")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("extension", help="extension LibreOffice Calc (menu Pilotage)")
    p.add_argument("action", choices=("build",))
    p.add_argument("--out", default="pilotage.oxt", help="fichier .oxt écrit")
    p.set_defaults(func=cmd_extension)

    p = sub.add_parser("template", help="modèles : classeur pipeline vierge, classeur d'activité des commerciaux")
    p.add_argument("kind", choices=("pipeline", "activity"))
    p.add_argument("out", help="fichier .xlsx à créer (jamais par-dessus un fichier existant)")
    p.add_argument("--team", help="activity : l'équipe dont les commerciaux figurent dans la liste")
    p.add_argument("--from", dest="from_", help="activity : classeur pipeline d'où prendre commerciaux et types")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("export", help="la vue personnelle d'un commercial, dans un fichier à lui")
    p.add_argument("what", choices=("rep",))
    p.add_argument("name", help="le commercial, tel qu'écrit dans la feuille Commerciaux")
    p.add_argument("file", help="classeur pipeline")
    p.add_argument("--out", required=True, help="fichier .xlsx à écrire")
    p.add_argument("--as-of", type=_date)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("run", help="exécution planifiée : actualisation + deck hebdo (et mensuel le 1er jour ouvré)")
    p.add_argument("kind", choices=("weekly", "monthly", "refresh"))
    p.add_argument("file")
    p.add_argument("--out", required=True, help="dossier des decks et du journal")
    p.add_argument("--log", help="fichier journal (défaut : DOSSIER/pilotage_planifie.log)")
    p.set_defaults(func=cmd_run)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except PilotageError as err:
        print(f"Erreur : {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
