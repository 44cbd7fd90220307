"""Replacing the product's sheets inside a client's workbook at the package level.

The corpus is built here: XlsxWriter workbooks carrying a chart, an image, a
comment, data validation, defined names and a table, with a pivot table and a
calcChain added by hand, a macro-enabled .xlsm with the vbaProject.bin of
xlwings' quickstart, and that quickstart .xlsm itself (a file saved by Excel).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from kpicore.model.errors import InputFileError
from workbook_templates import package, safe_file
from workbook_templates.package import ArchiveLimits, SheetPart, replace_sheets

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
SHARED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml",
          "xl/styles.xml", "xl/sharedStrings.xml"}
PIVOT_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FORMULA_TEXTS = ["=1+1", "+33 6 12 34 56 78", "-5 %", "@SUM(A1)"]


# ---------------------------------------------------------------------------- the corpus

def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _vba_project() -> bytes:
    import xlwings
    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as z:
        return z.read("xl/vbaProject.bin")


def _write_client(path: Path, *, macro: bool = False, old_cockpit: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path))
    deals = wb.add_worksheet("Deals")
    if old_cockpit:  # a product sheet from an earlier version, in the middle of the tabs
        wb.add_worksheet("COCKPIT").write("A1", "ancien cockpit")
    targets = wb.add_worksheet("Objectifs")
    wb.add_worksheet("Archive").hide()
    money = wb.add_format({"num_format": "#,##0 €", "italic": True})
    deals.write_row(0, 0, ["Commercial", "Étape", "Montant", "Double"])
    for r, (rep, stage, amount) in enumerate([("Alice", "Proposition", 1000), ("Bob", "Gagné", 2500),
                                              ("Alice", "Gagné", 400)], start=1):
        deals.write_row(r, 0, [rep, stage])
        deals.write_number(r, 2, amount, money)
        deals.write_formula(r, 3, f"=C{r + 1}*2", None, amount * 2)
    deals.data_validation("B2:B50", {"validate": "list", "source": ["Proposition", "Gagné", "Perdu"]})
    deals.write_comment("A1", "Saisir le nom du commercial")
    deals.print_area("A1:D4")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Deals!$A$2:$A$4", "values": "=Deals!$C$2:$C$4"})
    deals.insert_chart("F8", chart)
    deals.insert_image("K2", "logo.png", {"image_data": io.BytesIO(_png())})
    wb.define_name("Montants", "=Deals!$C$2:$C$4")
    targets.add_table("A1:C3", {"name": "Targets", "columns": [
        {"header": "Période"}, {"header": "Commercial"}, {"header": "Objectif"}],
        "data": [["2026-11", "Alice", 1200], ["2026-11", "Bob", 800]]})
    if macro:
        wb.add_vba_project(io.BytesIO(_vba_project()), is_stream=True)
    wb.close()
    _add_pivot_and_calc_chain(path)


def _add_pivot_and_calc_chain(path: Path) -> None:
    """A minimal pivot table (sum of Montant by Commercial) and a calcChain, written by hand."""
    parts = {
        "xl/pivotCache/pivotCacheDefinition1.xml": (
            f'<pivotCacheDefinition {PIVOT_NS} xmlns:r="{REL_NS}" r:id="rId1" refreshOnLoad="1" '
            'recordCount="3"><cacheSource type="worksheet"><worksheetSource ref="A1:C4" sheet="Deals"/>'
            '</cacheSource><cacheFields count="3">'
            '<cacheField name="Commercial" numFmtId="0"><sharedItems count="2"><s v="Alice"/><s v="Bob"/>'
            '</sharedItems></cacheField>'
            '<cacheField name="Étape" numFmtId="0"><sharedItems count="2"><s v="Proposition"/><s v="Gagné"/>'
            '</sharedItems></cacheField>'
            '<cacheField name="Montant" numFmtId="0"><sharedItems containsSemiMixedTypes="0" '
            'containsString="0" containsNumber="1" containsInteger="1" minValue="400" maxValue="2500"/>'
            '</cacheField></cacheFields></pivotCacheDefinition>'),
        "xl/pivotCache/pivotCacheRecords1.xml": (
            f'<pivotCacheRecords {PIVOT_NS} count="3"><r><x v="0"/><x v="0"/><n v="1000"/></r>'
            '<r><x v="1"/><x v="1"/><n v="2500"/></r><r><x v="0"/><x v="1"/><n v="400"/></r>'
            '</pivotCacheRecords>'),
        "xl/pivotTables/pivotTable1.xml": (
            f'<pivotTableDefinition {PIVOT_NS} name="TCD1" cacheId="7" dataCaption="Valeurs" '
            'updatedVersion="6" minRefreshableVersion="3" createdVersion="6" useAutoFormatting="1" '
            'itemPrintTitles="1" indent="0" outline="1" outlineData="1">'
            '<location ref="F1:G4" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
            '<pivotFields count="3"><pivotField axis="axisRow" showAll="0"><items count="3"><item x="0"/>'
            '<item x="1"/><item t="default"/></items></pivotField><pivotField showAll="0"/>'
            '<pivotField dataField="1" showAll="0"/></pivotFields>'
            '<rowFields count="1"><field x="0"/></rowFields>'
            '<rowItems count="3"><i><x/></i><i><x v="1"/></i><i t="grand"><x/></i></rowItems>'
            '<colItems count="1"><i/></colItems>'
            '<dataFields count="1"><dataField name="Somme de Montant" fld="2" baseField="0" baseItem="0"/>'
            '</dataFields></pivotTableDefinition>'),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": _rels(
            ("rId1", "pivotCacheRecords", "pivotCacheRecords1.xml")),
        "xl/pivotTables/_rels/pivotTable1.xml.rels": _rels(
            ("rId1", "pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml")),
        "xl/calcChain.xml": f'<calcChain {PIVOT_NS}><c r="D2" i="1"/><c r="D3"/><c r="D4"/></calcChain>',
    }
    types = {"xl/pivotCache/pivotCacheDefinition1.xml": "pivotCacheDefinition",
             "xl/pivotCache/pivotCacheRecords1.xml": "pivotCacheRecords",
             "xl/pivotTables/pivotTable1.xml": "pivotTable", "xl/calcChain.xml": "calcChain"}
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    ct = members["[Content_Types].xml"].decode()
    ct = ct.replace("</Types>", "".join(
        f'<Override PartName="/{p}" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.{t}+xml"/>' for p, t in types.items()) + "</Types>")
    wb = members["xl/workbook.xml"].decode()
    wb = wb.replace("</workbook>", '<pivotCaches><pivotCache cacheId="7" r:id="rId90"/></pivotCaches></workbook>')
    wb_rels = members["xl/_rels/workbook.xml.rels"].decode().replace("</Relationships>", (
        f'<Relationship Id="rId90" Type="{REL_NS}/pivotCacheDefinition" '
        'Target="pivotCache/pivotCacheDefinition1.xml"/>'
        f'<Relationship Id="rId91" Type="{REL_NS}/calcChain" Target="calcChain.xml"/></Relationships>'))
    sheet_rels = members["xl/worksheets/_rels/sheet1.xml.rels"].decode().replace("</Relationships>", (
        f'<Relationship Id="rId90" Type="{REL_NS}/pivotTable" Target="../pivotTables/pivotTable1.xml"/>'
        "</Relationships>"))
    members.update({"[Content_Types].xml": ct.encode(), "xl/workbook.xml": wb.encode(),
                    "xl/_rels/workbook.xml.rels": wb_rels.encode(),
                    "xl/worksheets/_rels/sheet1.xml.rels": sheet_rels.encode()})
    members.update({p: x.encode() if isinstance(x, str) else x for p, x in parts.items()})
    # level 1, unlike our writer's 6: a member recompressed instead of copied would show
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _rels(*rels: tuple[str, str, str]) -> str:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{i}" Type="{REL_NS}/{t}" Target="{g}"/>' for i, t, g in rels)
            + "</Relationships>")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    import xlwings
    folder = tmp_path_factory.mktemp("corpus")
    _write_client(folder / "pipeline.xlsx")
    _write_client(folder / "pipeline_macros.xlsm", macro=True)
    _write_client(folder / "pipeline_ancien.xlsx", old_cockpit=True)
    shutil.copy(Path(xlwings.__file__).parent / "quickstart.xlsm", folder / "saved_by_excel.xlsm")
    return {p.name: p for p in folder.iterdir()}


@pytest.fixture()
def client(corpus, tmp_path, request) -> Path:
    name = getattr(request, "param", "pipeline.xlsx")
    target = tmp_path / "client" / name
    target.parent.mkdir()
    shutil.copy(corpus[name], target)
    return target


# ---------------------------------------------------------------------------- product sheets

def _cockpit(chart: bool = False):
    def write(wb, ws) -> None:
        title = wb.add_format({"bold": True, "font_size": 14, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
        pct = wb.add_format({"num_format": "0.0%"})
        money = wb.add_format({"num_format": "#,##0 €", "italic": True})  # same as a client format
        bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        ws.write("A1", "Cockpit commercial", title)
        ws.write("A2", "Taux de transformation")
        ws.write_number("B2", 0.2, pct)
        ws.conditional_format("B2", {"type": "cell", "criteria": "<", "value": 0.25, "format": bad})
        ws.write("A3", "Objectif du mois")
        # cached value 0 on purpose: LibreOffice must recalculate it from the client's table
        ws.write_formula("B3", '=SUMIFS(Targets[Objectif],Targets[Période],"2026-11")', money, 0)
        for row, text in enumerate(FORMULA_TEXTS, start=4):
            ws.write(row - 1, 0, text)
        ws.data_validation("C2", {"validate": "list", "source": ["manager", "direction", "commercial"]})
        ws.set_column("A:A", 28)
        ws.write_row("D10", [1, 3, 2, 5])  # a trend, its sparkline, a data bar and icons
        ws.add_sparkline("C10", {"range": "Cockpit!D10:G10"})
        ws.conditional_format("D10:G10", {"type": "data_bar", "bar_color": "#2E75B6"})
        ws.conditional_format("D10:G10", {"type": "icon_set", "icon_style": "3_arrows"})
        ws.print_area("A1:F20")
        ws.set_landscape()
        if chart:
            c = wb.add_chart({"type": "bar"})
            c.add_series({"values": "=Cockpit!$B$2:$B$3"})
            ws.insert_chart("D2", c)
    return SheetPart(write)


def _history(wb, ws) -> None:
    ws.write_row(0, 0, ["date", "période", "P50"])
    ws.write_row(1, 0, ["2026-11-23", "2026-11", 1234.5])


PRODUCT = {"Cockpit": _cockpit(), "_Historique prévisions": SheetPart(_history, "hidden")}


# ---------------------------------------------------------------------------- helpers

def _load(path: Path) -> openpyxl.Workbook:
    """openpyxl's reading; any warning fails except the one about sparklines, which it does not model."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparkline Group extension is not supported")
        return openpyxl.load_workbook(path)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _raw(path: Path) -> dict[str, bytes]:
    """Each member's stored (compressed) bytes, read from the local headers."""
    out = {}
    with open(path, "rb") as f, zipfile.ZipFile(path) as z:
        for info in z.infolist():
            f.seek(info.header_offset + 26)
            name_len, extra_len = struct.unpack("<HH", f.read(4))
            f.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = f.read(info.compress_size)
    return out


def _sheet_parts(path: Path) -> dict[str, str]:
    """sheet name -> its part, read from workbook.xml and its rels."""
    m = _members(path)
    rels = {e.get("Id"): e.get("Target") for e in ET.fromstring(m["xl/_rels/workbook.xml.rels"])}
    return {s.get("name"): "xl/" + rels[s.get(R_ID)].lstrip("/").removeprefix("xl/")
            for s in ET.fromstring(m["xl/workbook.xml"]).iter(MAIN + "sheet")}


def _gained(old: ET.Element, new: ET.Element) -> bool:
    """``new`` holds everything ``old`` holds, unchanged and in the same order; it may hold more."""
    strip = lambda e: {k: v for k, v in e.attrib.items() if k != "count"}  # noqa: E731
    if old.tag != new.tag or strip(old) != strip(new) or (old.text or "").strip() != (new.text or "").strip():
        return False
    rest = list(new)
    for child in old:
        while rest and not _gained(child, rest[0]):
            rest.pop(0)
        if not rest:
            return False
        rest.pop(0)
    return True


def _same(a: ET.Element, b: ET.Element) -> bool:
    return ET.tostring(a) == ET.tostring(b)


def _without(root: ET.Element, pred) -> ET.Element:
    root = ET.fromstring(ET.tostring(root))
    for child in [c for c in root if pred(c)]:
        root.remove(child)
    return root


def _unselected(sheet_xml: bytes) -> bytes:
    """A sheet part without the selection flag of its tab (the only edit a refresh makes to a client's sheet)."""
    return re.sub(rb'(<sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"', rb"\1", sheet_xml, count=1)


def _without_active_tab(workbook: ET.Element) -> ET.Element:
    root = ET.fromstring(ET.tostring(workbook))
    for view in root.iter(MAIN + "workbookView"):
        for attr in ("activeTab", "firstSheet"):
            view.attrib.pop(attr, None)
    return root


def _check_only_product_changed(before: Path, after: Path, product_parts: set[str]) -> None:
    old, new = _members(before), _members(after)
    old_raw, new_raw = _raw(before), _raw(after)
    unselected = []
    for name, data in old.items():
        if name in SHARED or name in product_parts or name == "xl/calcChain.xml":
            continue
        assert name in new, f"{name} disappeared"
        if new[name] != data and name.startswith("xl/worksheets/") and new[name] == _unselected(data):
            unselected.append(name)  # the tab shown before the refresh: the Cockpit is shown now
            continue
        assert new[name] == data, f"{name} changed"
        assert new_raw[name] == old_raw[name], f"{name} was recompressed instead of copied"
    assert len(unselected) <= 1, unselected
    calc_chain_removed = "xl/calcChain.xml" in old and "xl/calcChain.xml" not in new
    for name in SHARED & old.keys():
        o, n = ET.fromstring(old[name]), ET.fromstring(new[name])
        if name == "xl/workbook.xml":  # the sheet shown moves to the Cockpit
            o, n = _without_active_tab(o), _without_active_tab(n)
        if calc_chain_removed:  # its entries may go with it, nothing else
            o = _without(o, lambda e: "calcChain" in (e.get("PartName", "") + e.get("Target", "")))
        assert _gained(o, n), f"{name}: an existing entry changed, moved or disappeared"
    # indexed collections only grow at the end: existing ids keep their meaning
    o_styles, n_styles = ET.fromstring(old["xl/styles.xml"]), ET.fromstring(new["xl/styles.xml"])
    for coll in ("numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs", "cellStyleXfs"):
        o_el, n_el = o_styles.find(MAIN + coll), n_styles.find(MAIN + coll)
        if o_el is not None:
            assert all(_same(a, b) for a, b in zip(list(o_el), list(n_el)[:len(o_el)], strict=True)), coll
            if n_el.get("count") is not None:
                assert int(n_el.get("count")) == len(n_el), coll
    o_sheets = list(ET.fromstring(old["xl/workbook.xml"]).find(MAIN + "sheets"))
    n_sheets = list(ET.fromstring(new["xl/workbook.xml"]).find(MAIN + "sheets"))
    assert [s.get("name") for s in n_sheets[:len(o_sheets)]] == [s.get("name") for s in o_sheets]


def _check_package_consistent(path: Path) -> None:
    """Every internal relationship points at a member; every member has a content type."""
    m = _members(path)
    ct = ET.fromstring(m["[Content_Types].xml"])
    overrides = {e.get("PartName").lower() for e in ct if e.tag.endswith("Override")}
    defaults = {e.get("Extension").lower() for e in ct if e.tag.endswith("Default")}
    lower = {n.lower() for n in m}
    for name, data in m.items():
        if name == "[Content_Types].xml":
            continue
        assert "/" + name.lower() in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
        if name.endswith(".rels"):
            folder = os.path.dirname(os.path.dirname(name))
            for rel in ET.fromstring(data):
                if rel.get("TargetMode") != "External":
                    target = rel.get("Target")
                    full = target.lstrip("/") if target.startswith("/") else os.path.normpath(
                        os.path.join(folder, target))
                    assert full.lower() in lower, f"{name} -> {target} is missing"
    for override in overrides:
        assert override.lstrip("/") in lower, f"content type for a missing part {override}"


# ---------------------------------------------------------------------------- tests

@pytest.mark.parametrize("client", ["pipeline.xlsx", "pipeline_macros.xlsm", "saved_by_excel.xlsm"],
                         indirect=True)
def test_refresh_twice_changes_only_the_product_parts(client, tmp_path):
    original = tmp_path / "original"
    shutil.copy(client, original)

    first = replace_sheets(client, PRODUCT)
    assert first.added == ("Cockpit", "_Historique prévisions") and first.replaced == ()
    after_first = tmp_path / "first"
    shutil.copy(client, after_first)
    parts = _sheet_parts(client)
    product = {parts["Cockpit"], parts["_Historique prévisions"]}
    product_rels = {p.replace("worksheets/", "worksheets/_rels/") + ".rels" for p in product}
    assert set(_members(client)) - set(_members(original)) == product
    _check_only_product_changed(original, client, set())
    if "xl/calcChain.xml" in _members(original):  # adding a sheet leaves the calcChain alone
        assert _members(client)["xl/calcChain.xml"] == _members(original)["xl/calcChain.xml"]

    second = replace_sheets(client, PRODUCT)
    assert second.added == () and second.replaced == ("Cockpit", "_Historique prévisions")
    assert _sheet_parts(client) == parts  # same parts, same place
    _check_only_product_changed(original, client, set())
    _check_only_product_changed(after_first, client, product | product_rels)
    # the same formats again: the styles found their entries from the first refresh
    assert _members(client)["xl/styles.xml"] == _members(after_first)["xl/styles.xml"]
    assert "xl/calcChain.xml" not in _members(client)
    _check_package_consistent(client)
    if client.suffix == ".xlsm":
        assert _members(client)["xl/vbaProject.bin"] == _members(original)["xl/vbaProject.bin"]


def test_sheet_entries_keep_ids_and_new_sheets_go_last(client):
    before = ET.fromstring(_members(client)["xl/workbook.xml"])
    replace_sheets(client, PRODUCT)
    wb = ET.fromstring(_members(client)["xl/workbook.xml"])
    sheets = list(wb.find(MAIN + "sheets"))
    # Deals, Objectifs, Archive were sheetId 1-3 and rId1-3 (XlsxWriter), the pivot cache took rId90
    assert [(s.get("name"), s.get("sheetId"), s.get("state")) for s in sheets] == [
        ("Deals", "1", None), ("Objectifs", "2", None), ("Archive", "3", "hidden"),
        ("Cockpit", "4", None), ("_Historique prévisions", "5", "hidden")]
    assert [s.get(R_ID) for s in sheets[3:]] == ["rId92", "rId93"]  # after rId91 (calcChain)
    names = {(d.get("name"), d.get("localSheetId")): d.text for d in wb.iter(MAIN + "definedName")}
    assert names[("_xlnm.Print_Area", "3")] == "Cockpit!$A$1:$F$20"
    assert names[("_xlnm.Print_Area", "0")] == "Deals!$A$1:$D$4"  # the client's own, unchanged
    assert len(before.find(MAIN + "definedNames")) + 1 == len(wb.find(MAIN + "definedNames"))


@pytest.mark.parametrize("client", ["pipeline_ancien.xlsx"], indirect=True)
def test_existing_product_sheet_is_replaced_in_place(client):
    old_parts = _sheet_parts(client)
    result = replace_sheets(client, {"Cockpit": _cockpit()})
    assert result.replaced == ("Cockpit",) and result.added == ()
    sheets = list(ET.fromstring(_members(client)["xl/workbook.xml"]).find(MAIN + "sheets"))
    # the tab keeps its name as the client typed it, its position and its part
    assert [s.get("name") for s in sheets] == ["Deals", "COCKPIT", "Objectifs", "Archive"]
    assert _sheet_parts(client)["COCKPIT"] == old_parts["COCKPIT"]
    wb = _load(client)
    assert wb["COCKPIT"]["A1"].value == "Cockpit commercial"


def test_cells_formats_and_rules_read_back_in_openpyxl(client):
    replace_sheets(client, PRODUCT)
    wb = _load(client)
    ws = wb["Cockpit"]
    assert ws["A1"].value == "Cockpit commercial"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A1"].fill.fgColor.rgb == "FF1F4E79"
    assert ws["B2"].value == 0.2 and ws["B2"].number_format == "0.0%"
    assert ws["B3"].value == '=SUMIFS(Targets[Objectif],Targets[Période],"2026-11")'
    assert ws["B3"].number_format == "#,##0 €" and ws["B3"].font.i
    assert [ws.cell(row, 1).value for row in range(4, 8)] == FORMULA_TEXTS
    assert all(ws.cell(row, 1).data_type == "s" for row in range(4, 8))
    rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]
    assert sorted((ref, r.type) for ref, r in rules) == [
        ("B2", "cellIs"), ("D10:G10", "dataBar"), ("D10:G10", "iconSet")]
    rule = next(r for ref, r in rules if ref == "B2")
    icons = next(r for _, r in rules if r.type == "iconSet")
    assert icons.iconSet.iconSet == "3Arrows"
    xml = _members(client)[_sheet_parts(client)["Cockpit"]].decode()
    assert "<xm:f>Cockpit!D10:G10</xm:f><xm:sqref>C10</xm:sqref>" in xml  # the sparkline
    assert (rule.type, rule.operator, rule.formula) == ("cellIs", "lessThan", ["0.25"])
    assert rule.dxf.font.color.rgb == "FF9C0006" and rule.dxf.fill.bgColor.rgb == "FFFFC7CE"
    assert ws.column_dimensions["A"].width == pytest.approx(28 + 0.7109375)  # XlsxWriter's padding
    assert ws.page_setup.orientation == "landscape" and ws.print_area.endswith("!$A$1:$F$20")
    assert [(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation] == [
        ("C2", '"manager,direction,commercial"')]
    assert wb["_Historique prévisions"].sheet_state == "hidden"
    assert wb["_Historique prévisions"]["C2"].value == 1234.5
    # the client's sheets as they were
    assert wb["Deals"]["C3"].value == 2500 and wb["Deals"]["C3"].number_format == "#,##0 €"
    assert wb["Archive"].sheet_state == "hidden"


def test_text_that_looks_like_a_formula_stays_text(client):
    replace_sheets(client, PRODUCT)
    xml = _members(client)[_sheet_parts(client)["Cockpit"]].decode()
    for text in FORMULA_TEXTS:
        assert f"<is><t>{text}</t></is>" in xml
    assert xml.count("<f>") == 1  # only the real formula, B3


def test_chart_on_the_product_sheet_is_carried_and_replaced(client, tmp_path):
    before = set(_members(client))
    replace_sheets(client, {"Cockpit": _cockpit(chart=True)})
    first = set(_members(client))
    new_parts = first - before
    assert {p.rsplit("/", 1)[0] for p in new_parts} == {
        "xl/worksheets", "xl/worksheets/_rels", "xl/drawings", "xl/drawings/_rels", "xl/charts"}
    # the client already had drawing1/chart1 (its Deals chart): the product's got new names
    assert "xl/drawings/drawing2.xml" in new_parts and "xl/charts/chart2.xml" in new_parts
    _check_package_consistent(client)
    replace_sheets(client, {"Cockpit": _cockpit(chart=True)})
    second = set(_members(client))
    # the product's old drawing and chart are gone, new ones took their place: no orphan part
    assert second == (first - {"xl/calcChain.xml", "xl/drawings/drawing2.xml", "xl/charts/chart2.xml",
                               "xl/drawings/_rels/drawing2.xml.rels"}) | {
        "xl/drawings/drawing3.xml", "xl/charts/chart3.xml", "xl/drawings/_rels/drawing3.xml.rels"}
    _check_package_consistent(client)
    replace_sheets(client, {"Cockpit": _cockpit(chart=False)})
    assert not any("drawing" in p and p not in before for p in _members(client))
    _check_package_consistent(client)


def test_lock_file_refuses_and_leaves_the_file(client):
    before = client.read_bytes()
    for lock in (client.with_name("~$" + client.name), client.with_name(f".~lock.{client.name}#")):
        lock.write_bytes(b"x")
        with pytest.raises(InputFileError, match="ouvert dans") as err:
            replace_sheets(client, PRODUCT)
        assert lock.name in str(err.value) and str(client) in str(err.value)
        lock.unlink()
    assert client.read_bytes() == before
    assert sorted(p.name for p in client.parent.iterdir()) == [client.name]


def test_crash_before_the_rename_leaves_the_original(client, monkeypatch):
    before = client.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disque plein (simulé)")

    monkeypatch.setattr(safe_file.os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulé"):
        replace_sheets(client, PRODUCT)
    assert client.read_bytes() == before
    leftovers = [p for p in client.parent.rglob("*") if p.is_file() and p != client]
    assert leftovers == []  # no temporary file, no backup of a refresh that did not happen


def test_crash_in_the_middle_of_the_write_leaves_the_original(client, monkeypatch):
    before = client.read_bytes()
    real_add_bytes = package.RawZipWriter.add_bytes
    calls = []

    def crash_on_third(self, name, data, date_time=(1980, 1, 1, 0, 0, 0)):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("coupure (simulée)")
        real_add_bytes(self, name, data, date_time)

    monkeypatch.setattr(package.RawZipWriter, "add_bytes", crash_on_third)
    with pytest.raises(RuntimeError, match="simulée"):
        replace_sheets(client, PRODUCT)
    assert client.read_bytes() == before
    assert [p for p in client.parent.rglob("*") if p.is_file() and p != client] == []


def test_backups_keep_the_last_five(client, monkeypatch):
    versions = []
    stamps = iter(f"20261126-2200{s:02d}" for s in range(7))

    class Clock:
        @staticmethod
        def now():
            class T:
                @staticmethod
                def strftime(fmt):
                    return next(stamps)
            return T
    monkeypatch.setattr(safe_file, "datetime", Clock)
    for _ in range(7):
        versions.append(client.read_bytes())
        result = replace_sheets(client, PRODUCT)
    backups = safe_file.list_backups(client)
    assert [b.name for b in backups] == [f"pipeline.20261126-2200{s:02d}.xlsx" for s in range(2, 7)]
    assert backups[-1] == result.backup
    assert [b.read_bytes() for b in backups] == versions[2:]


def test_same_second_backups_do_not_collide(client):
    replace_sheets(client, PRODUCT)
    replace_sheets(client, PRODUCT)
    replace_sheets(client, PRODUCT)
    assert len(safe_file.list_backups(client)) == 3


def test_writing_to_another_path_leaves_the_client_file(client, tmp_path):
    before = client.read_bytes()
    out = tmp_path / "copie.xlsx"
    result = replace_sheets(client, PRODUCT, out)
    assert result.path == out and result.backup is None
    assert client.read_bytes() == before
    assert "Cockpit" in _sheet_parts(out)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_archive_bounds_are_checked_before_parsing(client, tmp_path):
    members = _members(client)
    # 64 MiB of one byte deflates about 1000:1, far beyond any real sheet
    bomb = _zip(tmp_path / "bombe.xlsx", {**members, "xl/media/zeros.bin": b"\0" * (64 * 1024**2)})
    with pytest.raises(InputFileError, match="taux de compression anormal"):
        replace_sheets(bomb, PRODUCT)
    with pytest.raises(InputFileError, match="éléments, plus que la limite"):
        replace_sheets(client, PRODUCT, limits=ArchiveLimits(max_members=len(members) - 1))
    with pytest.raises(InputFileError, match="une fois décompressée"):
        replace_sheets(client, PRODUCT, limits=ArchiveLimits(max_total_size=1000))
    with pytest.raises(InputFileError, match="une fois décompressé,"):
        replace_sheets(client, PRODUCT, limits=ArchiveLimits(max_member_size=1000))
    # a parsed part is bounded on what it inflates to, whatever the directory says
    with pytest.raises(InputFileError, match="dépasse la limite"):
        replace_sheets(client, PRODUCT, limits=ArchiveLimits(max_parsed=100))


def test_unusable_files_are_refused_in_french(tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("pas un classeur")
    with pytest.raises(InputFileError, match="pas un classeur .xlsx/.xlsm lisible"):
        replace_sheets(text, PRODUCT)
    ole = tmp_path / "chiffre.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputFileError, match="mot de passe"):
        replace_sheets(ole, PRODUCT)
    assert ole.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"


def test_dtd_in_a_shared_part_is_refused(client, tmp_path):
    members = _members(client)
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)
    bad = _zip(tmp_path / "dtd.xlsx", members)
    with pytest.raises(InputFileError, match="illisible ou refusée"):
        replace_sheets(bad, PRODUCT)


def test_client_with_prefixed_namespace_gets_prefixed_entries(client, tmp_path):
    """Files from the Open XML SDK write ``<x:workbook xmlns:x=...>``: our entries must follow."""
    members = _members(client)
    for part in ("xl/workbook.xml", "xl/styles.xml"):
        text = members[part].decode()
        text = text.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
        text = re.sub(r"<(/?)(?!\?)([a-zA-Z][\w]*)(?=[\s/>])", lambda m: f"<{m[1]}x:{m[2]}", text)
        members[part] = text.encode()
    prefixed = _zip(tmp_path / "prefixe.xlsx", members)
    replace_sheets(prefixed, PRODUCT)
    wb = ET.fromstring(_members(prefixed)["xl/workbook.xml"])
    assert [s.get("name") for s in wb.iter(MAIN + "sheet")][-2:] == ["Cockpit", "_Historique prévisions"]
    styles = ET.fromstring(_members(prefixed)["xl/styles.xml"])
    assert len(styles.find(MAIN + "dxfs")) == 1  # the client's was empty; one rule uses a dxf (data bars and icons do not)
    assert _load(prefixed)["Cockpit"]["B2"].number_format == "0.0%"


# ---------------------------------------------------------------------------- LibreOffice

def _lo_profile(folder: Path) -> str:
    """A LibreOffice profile of our own that recalculates .xlsx formulas on load."""
    user = folder / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item></oor:items>')
    return (folder / "profile").as_uri()


def _soffice(soffice: str, tmp_path: Path, fmt: str, src: Path) -> Path:
    out = tmp_path / "lo_out"
    subprocess.run([soffice, f"-env:UserInstallation={_lo_profile(tmp_path)}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("client", ["pipeline_macros.xlsm"], indirect=True)
def test_libreoffice_opens_the_result_and_recalculates_the_cockpit(client, soffice, tmp_path):
    replace_sheets(client, PRODUCT)
    replace_sheets(client, PRODUCT)
    # sheet-by-sheet CSV (LibreOffice >= 7.2: 12th token -1), formulas recalculated
    out = _soffice(soffice, tmp_path, 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
                   client)
    cockpit = {row[0]: row[1:] for row in csv.reader(
        (out / f"{client.stem}-Cockpit.csv").read_text(encoding="utf-8").splitlines()) if row}
    assert cockpit["Cockpit commercial"] is not None
    # SUMIFS over the client's Targets table: 1200 (Alice) + 800 (Bob), both 2026-11
    assert cockpit["Objectif du mois"][0] == "2000"  # its cached value was 0: recalculated
    assert cockpit["Taux de transformation"][0] == "20%"  # 0.2 shown as a percentage
    for text in FORMULA_TEXTS:
        assert text in cockpit
    deals = list(csv.reader((out / f"{client.stem}-Deals.csv").read_text(encoding="utf-8").splitlines()))
    assert deals[2][:4] == ["Bob", "Gagné", "2500", "5000"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("client", ["pipeline.xlsx", "saved_by_excel.xlsm"], indirect=True)
def test_libreoffice_renders_the_result_to_pdf(client, soffice, tmp_path):
    replace_sheets(client, {**PRODUCT, "Cockpit": _cockpit(chart=True)})
    replace_sheets(client, {**PRODUCT, "Cockpit": _cockpit(chart=True)})
    out = _soffice(soffice, tmp_path, "pdf", client)
    pdf = (out / f"{client.stem}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_other_sheets_are_never_inflated(client, monkeypatch):
    """The refresh inflates only the shared parts and rels, never another sheet's XML."""
    inflated = []
    real_read = package.RawZipReader.read

    def spy(self, name, max_size):
        inflated.append(name)
        return real_read(self, name, max_size)

    monkeypatch.setattr(package.RawZipReader, "read", spy)
    replace_sheets(client, PRODUCT)
    replace_sheets(client, {"Cockpit": _cockpit(chart=True)})
    assert inflated and all(n in SHARED or n.endswith(".rels") for n in inflated), inflated
    assert not any(n.startswith("xl/worksheets/sheet") for n in inflated)


def test_styles_without_a_dxfs_element_get_one_in_schema_order(client, tmp_path):
    members = _members(client)
    styles = members["xl/styles.xml"].decode()
    assert '<dxfs count="0"/>' in styles  # as XlsxWriter writes it
    members["xl/styles.xml"] = styles.replace('<dxfs count="0"/>', "").encode()
    bare = _zip(tmp_path / "sans_dxfs.xlsx", members)
    replace_sheets(bare, PRODUCT)
    root = ET.fromstring(_members(bare)["xl/styles.xml"])
    order = [c.tag.removeprefix(MAIN) for c in root]
    assert order.index("cellStyles") + 1 == order.index("dxfs") < order.index("tableStyles")
    assert root.find(MAIN + "dxfs").get("count") == "1" and len(root.find(MAIN + "dxfs")) == 1
    rule = _load(bare)["Cockpit"].conditional_formatting
    assert [r.dxf.font.color.rgb for cf in rule for r in cf.rules if r.type == "cellIs"] == ["FF9C0006"]


def test_missing_file_and_refused_write_are_user_errors(client, tmp_path, monkeypatch):
    with pytest.raises(InputFileError, match="classeur introuvable"):
        replace_sheets(tmp_path / "absent.xlsx", PRODUCT)
    before = client.read_bytes()

    def denied(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe_file.os, "replace", denied)
    with pytest.raises(InputFileError, match="accès refusé"):
        replace_sheets(client, PRODUCT)
    assert client.read_bytes() == before


def test_dynamic_array_formulas_are_refused_in_product_sheets(client):
    before = client.read_bytes()
    part = SheetPart(lambda wb, ws: ws.write_dynamic_array_formula("A1", "=SORT(B1:B3)"))
    with pytest.raises(ValueError, match="dynamic array"):
        replace_sheets(client, {"Cockpit": part})
    assert client.read_bytes() == before


def test_state_of_an_existing_product_sheet_follows_the_request(client):
    replace_sheets(client, {"Cockpit": _cockpit()})
    replace_sheets(client, {"Cockpit": SheetPart(_cockpit().write, "veryHidden")})
    sheets = {s.get("name"): s for s in ET.fromstring(_members(client)["xl/workbook.xml"]).iter(MAIN + "sheet")}
    assert sheets["Cockpit"].get("state") == "veryHidden" and sheets["Cockpit"].get("sheetId") == "4"
    replace_sheets(client, {"Cockpit": _cockpit()})
    sheets = {s.get("name"): s for s in ET.fromstring(_members(client)["xl/workbook.xml"]).iter(MAIN + "sheet")}
    assert sheets["Cockpit"].get("state") is None and sheets["Archive"].get("state") == "hidden"
    with pytest.raises(ValueError, match="state of sheet"):
        replace_sheets(client, {"Cockpit": SheetPart(_cockpit().write, "cachée")})


def test_a_workbook_saved_by_openpyxl_gets_a_new_sheet(tmp_path):
    """openpyxl declares xmlns:r on each <sheet>, not on <workbook>: a new entry must declare it too."""
    wb = openpyxl.Workbook()
    wb.active.title = "Affaires"
    wb.active["A1"] = "N° affaire"
    wb.create_sheet("Objectifs")
    path = tmp_path / "saved_by_openpyxl.xlsx"
    wb.save(path)
    workbook_xml = _members(path)["xl/workbook.xml"].decode()
    assert "<workbook xmlns:r=" not in workbook_xml and 'sheet xmlns:r="' in workbook_xml  # the case at hand
    replace_sheets(path, {"Cockpit": SheetPart(lambda wb, ws: ws.write("A1", "ok"))}, backup=False)
    ET.fromstring(_members(path)["xl/workbook.xml"])  # well-formed, every prefix bound
    _check_package_consistent(path)
    assert _load(path)["Cockpit"]["A1"].value == "ok"
