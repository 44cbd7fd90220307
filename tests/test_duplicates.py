"""Code written twice is a decision taken twice: pylint's duplicate-code check over the product.

Five similar lines or more, imports, docstrings, comments and signatures aside, fail the test.
Below five lines pylint mostly reports the shape of a ``dataclass`` or of a call with keyword
arguments, which naming a helper would not make clearer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIN_SIMILAR_LINES = 5


@pytest.mark.slow
def test_no_code_is_written_twice_in_the_product():
    done = subprocess.run(
        [sys.executable, "-m", "pylint", "--disable=all", "--enable=duplicate-code",
         f"--min-similarity-lines={MIN_SIMILAR_LINES}", "--ignore-imports=y", "--ignore-docstrings=y",
         "--ignore-comments=y", "--ignore-signatures=y", "--score=n",
         "kpicore", "workbook_templates", "ritual_decks", "addin"],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr
