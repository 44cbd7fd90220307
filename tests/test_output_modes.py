"""Files Pilotage writes are ordinary files: a temporary file from mkstemp is private (0600), and a deck
mailed around or a workbook on a shared drive must not stay so. A refreshed workbook keeps its own mode."""

import os
import stat

import pytest

from kpicore.demo.company import DEMO_AS_OF


@pytest.fixture()
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_outputs_get_the_usual_permissions(umask_022, demo_data, tmp_path):
    from addin.excel.build import build_addin
    from ritual_decks.deck import build_weekly
    from workbook_templates.pipeline_template import write_pipeline_template
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    outputs = [
        build_weekly(demo_data, DEMO_AS_OF, tmp_path / "hebdo.pptx"),
        write_pipeline_template(tmp_path / "modele.xlsx"),
        write_pipeline_workbook(demo_data, tmp_path / "pipeline.xlsx"),
        build_addin(tmp_path / "pilotage.xlam"),
    ]
    for path in outputs:
        assert _mode(path) == 0o644, (path.name, oct(_mode(path)))


def test_a_refreshed_workbook_keeps_its_mode(umask_022, demo_workbook, tmp_path):
    import shutil

    from addin.actions.refresh import refresh
    from addin.engines.file import FileWorkbook

    book = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, book)
    os.chmod(book, 0o640)
    refresh(FileWorkbook(book, backup=False), as_of=DEMO_AS_OF, n_sims=200)
    assert _mode(book) == 0o640


def test_a_folder_the_command_line_makes_for_its_output_is_an_ordinary_one(umask_022, tmp_path, capsys):
    """``--out NEW_FOLDER`` (one level, as demo and run make theirs): the folder and the file in it get the
    usual modes, not a temporary file's 0600."""
    from addin.cli import main

    folder = tmp_path / "nouveau"
    assert main(["extension", "build", "--out", str(folder)]) == 0
    assert _mode(folder) == 0o755
    assert _mode(folder / "pilotage.oxt") == 0o644
