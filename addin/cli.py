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

from kpicore.errors import PilotageError, UsageError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ, reçu « {text} »") from None


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _step(message: str) -> None:
    """One line of progress on stderr (stdout stays clean for --json)."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    from kpicore.demo_company import DEMO_AS_OF, generate
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    as_of = args.as_of or DEMO_AS_OF
    t0 = time.perf_counter()
    _step(f"Génération de l'entreprise de démonstration (taille {args.size}, au {as_of:%d/%m/%Y}) ...")
    data = generate(size=args.size, as_of=as_of)
    name = "pipeline_demo.xlsx" if args.size == "small" else f"pipeline_demo_{args.size}.xlsx"
    path = write_pipeline_workbook(data, out / name)
    _step(f"Classeur écrit en {time.perf_counter() - t0:.1f} s.")
    print(f"Classeur pipeline de démonstration : {path.resolve()}")
    for attr, frame in data.frames().items():
        print(f"  {attr:<20} {len(frame):>9,} lignes".replace(",", " "))
    return 0


# --------------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    from kpicore.quality_text import check_report_dict, check_report_text
    from workbook_templates.reading import load_pipeline

    data = load_pipeline(Path(args.file))
    if args.json:
        _print_json(check_report_dict(data))
    else:
        print(check_report_text(data))
    return 1 if data.quality.errors and args.strict else 0


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
