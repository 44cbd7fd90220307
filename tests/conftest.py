"""Shared fixtures.

Tests that need LibreOffice use the ``soffice`` fixture: it skips with a reason
where LibreOffice is missing, and fails instead when PILOTAGE_REQUIRE_APPS=1
(set by .ci/run, which installs it), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def _require_apps() -> bool:
    return os.environ.get("PILOTAGE_REQUIRE_APPS", "") not in ("", "0")


def require_or_skip(reason: str) -> None:
    """Skip for a missing application or font; fail instead where CI installed them."""
    if _require_apps():
        pytest.fail(reason + " (PILOTAGE_REQUIRE_APPS=1)", pytrace=False)
    pytest.skip(reason)


def need_app(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    require_or_skip(f"{name} introuvable : {hint}")


@pytest.fixture(scope="session")
def soffice() -> str:
    return need_app("soffice", "apt-get install libreoffice-calc-nogui libreoffice-impress-nogui")


@pytest.fixture(scope="session")
def office(soffice):
    """One headless LibreOffice driven over UNO for the whole test session (``addin.engines.uno_bridge.Office``).

    Starting one costs seconds; tests share it and close every document they open.
    """
    from addin.engines.uno_bridge import Office

    o = Office()
    yield o
    o.close()


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    return need_app("pdftoppm", "apt-get install poppler-utils")


@pytest.fixture(scope="session")
def demo_data():
    """The small demo company, generated once per test session."""
    from kpicore.demo.company import generate

    return generate()


@pytest.fixture(scope="session")
def demo_workbook(tmp_path_factory, demo_data) -> Path:
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    path = tmp_path_factory.mktemp("demo") / "pipeline_demo.xlsx"
    write_pipeline_workbook(demo_data, path)
    return path
