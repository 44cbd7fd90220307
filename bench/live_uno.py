"""Benchmark: a live refresh through LibreOffice (UNO) beside the file writer's refresh, on the demo workbook.

Steps, each timed (wall clock), on copies of the demo workbook (written once
with ``write_pipeline_workbook`` and cached under ``bench/output/``):

- ``file``: the refresh action over the file engine (one read with calamine,
  build, write the product sheets at the package level, atomic save with backup);
- ``uno``: a headless soffice started (own profile), the workbook opened,
  then the same refresh action over the UNO engine, and LibreOffice's save as
  .xlsx; the UNO steps run over the socket bridge, one round trip per call;
- ``calc-copy``: ``addin.engines.uno_session.headless_calc_copy`` alone, the
  session of ``refresh --engine uno --out COPY`` without the action: its own
  soffice started, the workbook opened in place, saved to the copy, stopped;
- ``uno-in-process`` (``--extension``): the same refresh dispatched from the
  installed .oxt, so the Python code runs inside soffice and every UNO call is
  in-process, as for a user clicking the menu.

Usage: ``.venv/bin/python bench/live_uno.py [--n-sims 2000] [--extension]``.
Prints a table and writes ``bench/output/live_uno.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"
sys.path.insert(0, str(HERE.parent))

NOW = datetime(2026, 11, 20, 8, 30)


def demo_workbook() -> Path:
    path = OUTPUT / "live_uno_demo.xlsx"
    if not path.exists():
        from kpicore.demo.company import generate
        from workbook_templates.pipeline_workbook import write_pipeline_workbook

        OUTPUT.mkdir(parents=True, exist_ok=True)
        write_pipeline_workbook(generate(), path)
    return path


def time_file(source: Path, tmp: Path, n_sims: int) -> dict[str, float]:
    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    copy = tmp / "file.xlsx"
    shutil.copy(source, copy)
    t = time.perf_counter()
    refresh(FileWorkbook(copy, progress=None), now=NOW, n_sims=n_sims)
    return {"total": time.perf_counter() - t}


def time_uno(source: Path, tmp: Path, n_sims: int) -> dict[str, float]:
    """``pilotage refresh --engine uno --out COPY``'s steps: start, open, the refresh action, save, stop."""
    from addin.actions.refresh import refresh
    from addin.engines.uno import UnoWorkbook
    from addin.engines.uno_bridge import Office, store_as_xlsx

    copy = tmp / "uno.xlsx"
    shutil.copy(source, copy)
    out: dict[str, float] = {}
    t0 = t = time.perf_counter()
    with Office() as office:
        out["start soffice"] = time.perf_counter() - t
        t = time.perf_counter()
        doc = office.open(copy)
        out["open"] = time.perf_counter() - t
        t = time.perf_counter()
        refresh(UnoWorkbook(doc), now=NOW, n_sims=n_sims)
        out["refresh action (read, compute, write)"] = time.perf_counter() - t
        t = time.perf_counter()
        store_as_xlsx(doc, tmp / "uno-saved.xlsx")
        out["save"] = time.perf_counter() - t
        doc.close(True)
    out["total"] = time.perf_counter() - t0
    return out


def time_calc_copy(source: Path, tmp: Path) -> dict[str, float]:
    from addin.engines.uno_session import headless_calc_copy

    client = tmp / "calc-copy.xlsx"
    shutil.copy(source, client)
    marks: list[float] = []
    t0 = time.perf_counter()
    with headless_calc_copy(client, tmp / "calc-copy-out.xlsx", progress=lambda _t: marks.append(time.perf_counter())):
        opened = time.perf_counter()
    end = time.perf_counter()
    started, saving = marks[1], marks[2]  # "Ouverture..." follows the start, "Enregistrement..." the block
    return {"checks + start soffice": started - t0, "open": opened - started, "save copy + stop": end - saving,
            "total (start + open + save + stop)": end - t0}


def time_extension(source: Path, n_sims: int) -> dict[str, float]:
    """The menu's refresh inside soffice (the .oxt installed with unopkg; as nobody when run as root)."""
    from addin.calc.extension import build_extension, command_url
    from addin.engines.uno_bridge import Office
    from workbook_templates.libreoffice import make_profile

    base = Path(tempfile.mkdtemp(prefix="pilotage-bench-"))
    try:
        profile = base / "profile"
        make_profile(profile)
        oxt = build_extension(base / "pilotage.oxt")
        cmd = ["unopkg", "add", "--suppress-license", f"-env:UserInstallation={profile.as_uri()}", str(oxt)]
        if os.geteuid() == 0:
            for p in (base, profile, profile / "user"):
                p.chmod(0o777)
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        # in base: unopkg cds into the directory it inherits, which nobody may not enter (/root)
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "HOME": str(base)}, cwd=base)
        copy = base / "pipeline.xlsx"
        shutil.copy(source, copy)
        journal = base / "journal.jsonl"
        with Office(profile, env={"PILOTAGE_UNO_JOURNAL": str(journal), "PILOTAGE_NO_DIALOG": "1"}) as office:
            doc = office.open(copy)
            helper = office.service("com.sun.star.frame.DispatchHelper")
            t = time.perf_counter()
            helper.executeDispatch(doc.CurrentController.Frame, command_url("pilotage_refresh"), "", 0, ())
            total = time.perf_counter() - t
            doc.close(True)
        run = json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])
        return {"dispatch (read + build + write)": total, "inside soffice": run["seconds"]}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sims", type=int, default=2000)
    parser.add_argument("--extension", action="store_true", help="also time the refresh dispatched from the .oxt")
    args = parser.parse_args()
    source = demo_workbook()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pilotage-bench-") as tmp:
        results["file"] = time_file(source, Path(tmp), args.n_sims)
        results["uno"] = time_uno(source, Path(tmp), args.n_sims)
        results["calc-copy"] = time_calc_copy(source, Path(tmp))
    if args.extension:
        results["uno-in-process"] = time_extension(source, args.n_sims)
    print(f"demo workbook {source.name} ({source.stat().st_size / 1e6:.1f} MB), n_sims={args.n_sims}")
    for engine, steps in results.items():
        for step, seconds in steps.items():
            print(f"{engine:16} {step:34} {seconds:7.2f} s")
    (OUTPUT / "live_uno.json").write_text(json.dumps({"n_sims": args.n_sims, "results": results}, indent=2))


if __name__ == "__main__":
    main()
