"""The live-Excel writer and reader, driven through xlwings' public classes over the recording engine.

The main check: the operations recorded while writing the demo cockpit,
replayed onto a file, give the same sheet as the file writer for the same spec,
compared by meaning (values, formulas, number formats, fonts, fills, merges,
widths, conditional formats with their order, validation, sparklines).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import date, datetime

import pytest

from addin.engines.live_excel import excel_value, read_live_grids, style_areas, write_cockpit_live
from kpicore.cockpit.style_areas import rectangles
from support.recording_engine import model_of, new_book, put_table, replay_to_xlsx
from support.addin_tables import DEALS
from kpicore.cockpit.spec import Block, Cell, CockpitSpec, ConditionalRule


@pytest.fixture(scope="module")
def demo_spec(demo_data):
    from kpicore.cockpit.build import build_cockpit
    from kpicore.demo.company import DEMO_AS_OF
    from kpicore.text.sheets import rendered

    return rendered(build_cockpit(demo_data, DEMO_AS_OF, refreshed_at=datetime(2026, 11, 20, 8, 30), n_sims=200),
                    "fr")


def _load(path):
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl does not model the sparkline extension and says so; sparklines are compared apart
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path)["Cockpit"]


def _cells(ws) -> dict[str, tuple]:
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and c.number_format == "General" and not c.font.b and not c.fill.fill_type:
                continue
            fill = c.fill.fgColor.rgb if c.fill.fill_type else None
            out[c.coordinate] = (c.value, c.data_type, c.number_format, bool(c.font.b), c.font.sz,
                                 c.font.color.rgb if c.font.color is not None else None, fill,
                                 c.alignment.horizontal, bool(c.alignment.wrap_text))
    return out


def _rules(ws) -> list[tuple]:
    out = []
    for rng, rules in ws.conditional_formatting._cf_rules.items():
        for r in rules:
            icons = (r.iconSet.iconSet, [(v.type, v.val) for v in r.iconSet.cfvo], r.iconSet.reverse) \
                if r.iconSet is not None else None
            scale = [c.rgb for c in r.colorScale.color] if r.colorScale is not None else None
            fill = r.dxf.fill.bgColor.rgb if r.dxf is not None and r.dxf.fill is not None else None
            out.append((r.priority, str(rng.sqref), r.type, tuple(r.formula or ()), bool(r.stopIfTrue), icons,
                        scale, fill))
    return sorted(out)


def _sparklines(path) -> list[tuple[str, str]]:
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    return sorted(re.findall(r"<x14:sparkline><xm:f>([^<]+)</xm:f><xm:sqref>([^<]+)</xm:sqref>", xml))


def _columns(ws) -> dict[int, tuple]:
    """Per column number: (width, hidden); a hidden column's width is not compared (Excel ignores it)."""
    out = {}
    for d in ws.column_dimensions.values():
        for c in range(d.min, d.max + 1):
            out[c] = (None if d.hidden else round(d.width, 2), bool(d.hidden))
    return out


def test_replayed_live_write_equals_the_file_writer(demo_spec, tmp_path):
    from workbook_templates.cockpit_sheet import write_cockpit_file

    book, rec = new_book("Pipeline.xlsx", ("Affaires",))
    skipped = write_cockpit_live(book, demo_spec)
    assert skipped == []
    live = replay_to_xlsx(rec.ops, "Cockpit", tmp_path / "live.xlsx")
    ref = write_cockpit_file(demo_spec, tmp_path / "file.xlsx")
    a, b = _load(ref), _load(live)

    ca, cb = _cells(a), _cells(b)
    assert len(ca) > 200  # the demo cockpit is a real sheet, not an empty one
    diff = {k: (ca.get(k), cb.get(k)) for k in set(ca) | set(cb) if ca.get(k) != cb.get(k)}
    assert diff == {}
    assert sum(1 for v in ca.values() if v[1] == "f") >= 20  # formulas went through as formulas
    assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
    ra, rb = _rules(a), _rules(b)
    assert len(ra) == len(demo_spec.rules)
    assert ra == rb  # same ranges, types, formulas, colours and the same priority order
    cols = _columns(a)
    assert cols == _columns(b)
    # both writers hide the spec's hidden columns that have a width (the file writer's rule)
    assert [c for c, (_, hidden) in sorted(cols.items()) if hidden] == \
        [c + 1 for c in demo_spec.hidden_columns if c < len(demo_spec.column_widths)]
    assert [a.row_dimensions[r + 1].height for r in demo_spec.row_heights] == \
           [b.row_dimensions[r + 1].height for r in demo_spec.row_heights]
    va = [(str(v.sqref), v.formula1) for v in a.data_validations.dataValidation]
    vb = [(str(v.sqref), v.formula1) for v in b.data_validations.dataValidation]
    assert va == vb
    assert a.print_area == b.print_area
    assert _sparklines(ref) == _sparklines(live) and len(_sparklines(ref)) == len(demo_spec.sparklines)


def test_one_two_dimensional_write_per_block(demo_spec):
    book, rec = new_book("Pipeline.xlsx", ())
    write_cockpit_live(book, demo_spec)
    writes = rec.of_kind("value")
    assert len(writes) == len(demo_spec.blocks)
    for op, block in zip(writes, demo_spec.blocks):
        assert op.address.split(":")[0] == f"{_letters(block.col)}{block.row + 1}"
        assert (len(op.payload), len(op.payload[0])) == (block.height, block.width)


def _letters(col: int) -> str:
    from kpicore.cockpit.spec import col_letter

    return col_letter(col)


def test_formats_go_per_block_and_style_within_excels_address_limit(demo_spec):
    areas = style_areas(demo_spec)
    for _, _, addresses in areas:
        assert all(len(a) <= 255 for a in addresses)
    # every cell of every block is covered exactly once by its block's style calls
    from support.recording_engine import parse_area

    for b in demo_spec.blocks:
        covered = []
        for name, _, addresses in areas:
            if name != b.name:
                continue
            for address in addresses:
                for part in address.split(","):
                    r1, c1, r2, c2 = parse_area(part)
                    covered += [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        expected = [(b.row + i + 1, b.col + j + 1) for i, row in enumerate(b.cells) for j in range(len(row))]
        assert sorted(covered) == sorted(expected), b.name


def test_rectangles_cover_exactly():
    cells = {(0, 0), (0, 1), (1, 0), (1, 1), (3, 4), (0, 5)}
    rects = rectangles(cells)
    got = {(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    assert got == cells
    assert (0, 0, 1, 1) in rects  # the 2x2 square is one rectangle, not four cells


def test_screen_updating_off_during_the_write_and_restored(demo_spec):
    book, rec = new_book("Pipeline.xlsx", ())
    write_cockpit_live(book, demo_spec)
    kinds = [o.kind for o in rec.ops]
    first_write = kinds.index("value")
    su = [(i, o.payload) for i, o in enumerate(rec.ops) if o.kind == "app.screen_updating"]
    assert su[0][1] is False and su[0][0] < first_write
    assert su[-1][1] is True and book.app.screen_updating is True
    assert book.app.calculation == "automatic"
    statuses = [o.payload for o in rec.ops if o.kind == "app.status_bar"]
    assert any(isinstance(s, str) and s.startswith("Pilotage") for s in statuses)
    assert statuses[-1] is False  # the status bar is handed back to Excel


def test_settings_are_restored_when_the_write_fails():
    bad = CockpitSpec("Cockpit", "manager", "fr", (Block("b", 0, 0, ((Cell(1.0, "number"),),)),),
                      rules=(ConditionalRule("A1", "gauge"),))
    book, rec = new_book("Pipeline.xlsx", ())
    with pytest.raises(ValueError):
        write_cockpit_live(book, bad)
    assert book.app.screen_updating is True and book.app.display_alerts is True
    assert book.app.calculation == "automatic"


def test_refresh_reuses_the_sheet_and_leaves_no_stale_rule(demo_spec, tmp_path):
    book, rec = new_book("Pipeline.xlsx", ("Affaires",))
    write_cockpit_live(book, demo_spec)
    write_cockpit_live(book, demo_spec)
    assert [s.name for s in book.sheets].count("Cockpit") == 1
    assert [o.kind for o in rec.ops].count("sheet.add") == 1
    model = model_of(rec.ops, "Cockpit")
    assert len(model.rules) == len(demo_spec.rules)  # cleared, then written once
    assert len(model.sparklines) == len(demo_spec.sparklines)
    assert len(model.merges) == sum(len(b.merges) for b in demo_spec.blocks)
    assert len(model.validations) == len(demo_spec.validations)


def test_client_text_stays_text():
    spec = CockpitSpec("Cockpit", "manager", "fr", (Block("risks", 0, 0, (
        (Cell('=HYPERLINK("http://x","clic")'), Cell("00123"), Cell("12/03"), Cell("Martin"),
         Cell(None, formula="=1+1"), Cell(float("nan"), "money"), Cell(date(2025, 3, 31), "date")),)),))
    assert excel_value(spec.blocks[0].cells[0][0]) == "'=HYPERLINK(\"http://x\",\"clic\")"
    book, rec = new_book("Pipeline.xlsx", ())
    write_cockpit_live(book, spec)
    row = rec.of_kind("value")[0].payload[0]
    assert row[:5] == ["'=HYPERLINK(\"http://x\",\"clic\")", "'00123", "'12/03", "Martin", "=1+1"]
    assert row[5] == ""  # NaN: an empty cell, never 0
    assert isinstance(row[6], date)


def test_replayed_client_text_is_a_string_cell(tmp_path):
    cells = ((Cell("=SUM(A1)"), Cell(None, formula="=2*3")),)
    spec = CockpitSpec("Cockpit", "manager", "fr", (Block("b", 0, 0, cells),))
    book, rec = new_book("Pipeline.xlsx", ())
    write_cockpit_live(book, spec)
    ws = _load(replay_to_xlsx(rec.ops, "Cockpit", tmp_path / "t.xlsx"))
    assert (ws["A1"].value, ws["A1"].data_type) == ("=SUM(A1)", "s")
    assert (ws["B1"].value, ws["B1"].data_type) == ("=2*3", "f")


# --------------------------------------------------------------------------- reader
def test_reader_takes_tables_exactly_and_sheets_by_used_range():
    book, _ = new_book("Client.xlsx", ())
    # a Deals Table at B3 with a totals row, on a sheet with a title above it
    put_table(book, "Affaires", [["Pipeline 2025"]], top_left=(1, 1))
    put_table(book, "Affaires", DEALS, top_left=(3, 2), table_name="Deals",
              totals=["Total", None, None, None, None, 80000.0, None, None, None, None, None])
    # a plain range with a title row: the ingest finds the header itself
    put_table(book, "Commerciaux", [["Liste des commerciaux"], [], ["Commercial", "Équipe"],
                                    ["Martin", "Grands comptes"], ["Durand", "PME"]], top_left=(2, 1))
    grids = read_live_grids(book)
    deals = next(g for g in grids if g.table_name == "Deals")
    assert (deals.sheet, deals.first_row, deals.first_col) == ("Affaires", 3, 2)
    assert deals.rows[0] == DEALS[0] and len(deals.rows) == len(DEALS)  # header + 6 deals, no totals row
    assert not any(g.sheet == "Affaires" and g.table_name is None for g in grids)  # the Table, not the sheet
    plain = next(g for g in grids if g.sheet == "Commerciaux")
    assert (plain.first_row, plain.first_col, plain.table_name) == (2, 1, None)

    from kpicore.ingest.grids import ingest

    data = ingest(grids, source="Client.xlsx")
    assert len(data.deals) == 6
    assert dict(zip(data.reps["rep"], data.reps["team"])) == {"Martin": "Grands comptes", "Durand": "PME"}


def test_xlwings_validates_calls_before_they_reach_the_engine():
    book, rec = new_book("Pipeline.xlsx", ("Feuil1",))
    rng = book.sheets[0].range("A1:A5")
    with pytest.raises(ValueError, match="operator"):
        rng.conditional_formats.add_cell_value("bigger_than", 1)
    with pytest.raises(ValueError, match="formula"):
        rng.conditional_formats.add_custom("A1>0")  # a formula must start with "="
    assert rec.of_kind("cf.") == []  # nothing invalid was recorded
    rng.conditional_formats.add_cell_value("greater_than", 1, fill_color="#FF0000")
    assert rec.of_kind("cf.")[0].payload["fill_color"] == (255, 0, 0)  # xlwings normalised the colour
