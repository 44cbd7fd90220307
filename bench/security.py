"""Security benchmark: the time and peak memory each hostile workbook costs, and what the guard costs.

Each case of ``tests/support/security_corpus.py`` is generated into a temporary folder
and read by ``load_pipeline`` in a fresh process under a memory limit
(``RLIMIT_AS``, 1 GiB by default); the child's wall time and peak resident
memory (``wait4``) are printed with the outcome (refused / read). Then:

- the cost of ``archive_guard.check_archive`` alone on the benchmark's large
  workbooks, when present in ``bench/output`` (``bench/read_workbook.py`` and
  ``bench/refresh_package.py`` build them);
- ``--unguarded``: python-calamine reading the two zip bombs directly,
  without the guard, under the same limit (shows what the guard prevents;
  takes a few seconds and up to the memory limit).

    .venv/bin/python bench/security.py [--limit-mb 1024] [--unguarded] [--json OUT]

Not a test: nothing is asserted; timings vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOAD = """
import json, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from kpicore.model.errors import InputFileError
from workbook_templates.reading import load_pipeline
try:
    data = load_pipeline(sys.argv[1])
except InputFileError as err:
    print(json.dumps({"outcome": "refusé", "detail": str(err).split(" : ", 1)[-1].split("\\n")[0][:90]}))
except MemoryError:
    print(json.dumps({"outcome": "MemoryError", "detail": ""}))
else:
    detail = f"{len(data.deals)} affaires, {len(data.quality.issues)} remarque(s)"
    print(json.dumps({"outcome": "lu", "detail": detail}))
"""

BUILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, "tests")
import support.security_corpus as corpus
folder = Path(sys.argv[1])
out = {}
for name, build in [("classeur propre", lambda f: corpus.base_workbook(f / "propre.xlsx")), *corpus.CASES.items()]:
    t0 = time.perf_counter()
    out[name] = [str(build(folder)), round(time.perf_counter() - t0, 2)]
print(json.dumps(out))
"""

UNGUARDED = """
import json, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
try:
    rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name("Affaires").to_python()
    print(json.dumps({"outcome": "lu sans garde", "detail": f"{len(rows)} lignes"}))
except MemoryError:
    print(json.dumps({"outcome": "MemoryError sans garde", "detail": ""}))
except Exception as exc:
    print(json.dumps({"outcome": "erreur sans garde", "detail": f"{type(exc).__name__}: {str(exc)[:80]}"}))
"""


def run_measured(script: str, path: Path, limit: int) -> dict:
    """Run ``script`` on ``path`` in a fresh process; its wall time, its own peak RSS (os.wait4), its outcome."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", script, str(path), str(limit)], cwd=ROOT,
                                stdout=out, stderr=err, text=True)
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        lines = out.read().strip().splitlines()
        result = {"seconds": round(wall, 2), "peak_rss_mb": round(rusage.ru_maxrss / 1024, 1),
                  "returncode": proc.returncode}
        if lines:
            result.update(json.loads(lines[-1]))
        else:
            result.update({"outcome": f"processus terminé ({proc.returncode})", "detail": err.read().strip()[-120:]})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit-mb", type=int, default=1024)
    parser.add_argument("--unguarded", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    limit = args.limit_mb * 1024**2
    report: dict = {"limit_mb": args.limit_mb, "cases": {}, "guard_cost": {}}
    with tempfile.TemporaryDirectory(prefix="pilotage-security-") as folder:
        folder = Path(folder)
        # the files are built in another process: building the million shared strings would
        # otherwise raise this process's memory, which a forked child's peak RSS starts from
        built = json.loads(subprocess.run(
            [sys.executable, "-c", BUILD, str(folder)], cwd=ROOT, check=True, capture_output=True,
            text=True).stdout)
        print("(temps et mémoire du processus enfant entier : démarrage de Python et imports compris, "
              "voir « classeur propre »)")
        print(f"{'cas':<22} {'fichier':>10} {'temps':>8} {'mémoire':>10}  résultat")
        for name, (path, build_s) in built.items():
            path = Path(path)
            r = run_measured(LOAD, path, limit)
            r.update({"file_kb": round(path.stat().st_size / 1024, 1), "build_s": build_s})
            report["cases"][name] = r
            print(f"{name:<22} {r['file_kb']:>8.0f} ko {r['seconds']:>6.2f} s {r['peak_rss_mb']:>7.0f} Mo  "
                  f"{r['outcome']} : {r['detail']}")
        if args.unguarded:
            for case in ("zip_bomb", "zip_bomb_lying"):
                r = run_measured(UNGUARDED, Path(built[case][0]), limit)
                report[f"unguarded_{case}"] = r
                print(f"{case + ' sans garde':<22} {'':>11} {r['seconds']:>6.2f} s {r['peak_rss_mb']:>7.0f} Mo  "
                      f"{r['outcome']} : {r['detail']}")

    from workbook_templates.archive_guard import check_archive

    print("\ncoût de la garde seule (check_archive : répertoire + décompression en flux + prologues XML)")
    for name in ("client_1000000_rows.xlsx", "pipeline_large.xlsx", "kpis_large_demo.xlsx"):
        path = ROOT / "bench" / "output" / name
        if not path.exists():
            continue
        t0 = time.perf_counter()
        check_archive(path)
        seconds = time.perf_counter() - t0
        with zipfile.ZipFile(path) as z:
            inflated = sum(i.file_size for i in z.infolist())
        report["guard_cost"][name] = {"seconds": round(seconds, 2), "file_mb": round(path.stat().st_size / 1e6, 1),
                                      "inflated_mb": round(inflated / 1e6, 1)}
        print(f"  {name:<28} {path.stat().st_size / 1e6:>6.1f} Mo ({inflated / 1e6:>6.0f} Mo décompressés) : "
              f"{seconds:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nrapport : {args.json}")


if __name__ == "__main__":
    main()
