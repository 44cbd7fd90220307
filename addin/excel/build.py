"""The Excel add-in file (``pilotage.xlam``): build it on any OS, install it where Excel runs.

**How the add-in is made, and why.**  A VBA project cannot be built reliably
on Linux (``ms-ovba`` 0.0.1 is early; Excel's own format is undocumented in
places).  So the build starts from xlwings' own custom add-in template
(``xlwings/quickstart_addin_ribbon.xlam``, what ``xlwings quickstart NAME
--addin --ribbon`` copies) and changes only XML parts:

- ``customUI/customUI.xml``: the *Pilotage* tab generated from the action table
  (``addin.excel.ribbon_actions.ACTIONS``): one button per action, every ``onAction``
  naming a routine of the VBA module ``Pilotage`` (the dispatcher);
- the template's hidden config sheet ``_myaddin.conf`` becomes ``myaddin.conf``
  (the name its VBA looks for: ``PROJECT_NAME = "myaddin"``), holding ``UDF
  Modules = addin.excel.udfs`` and the interpreter paths when given;
- ``xl/vbaProject.bin`` is copied byte for byte: xlwings' VBA (``RunPython``,
  ``ImportPythonUDFsToAddin``...) as xlwings ships it.

The dispatcher itself (``addin/excel/vba/Pilotage.bas``, kept as text in the repo) is
imported into the add-in's VBA project **by Excel**, at install:
:func:`install_addin` (``pilotage addin install``, Windows) opens the add-in
in Excel through xlwings/COM, imports the ``.bas``, writes the interpreter into
the config sheet and saves it into Excel's startup folder.  That needs Excel's
« Accès approuvé au modèle d'objet du projet VBA » (Trust access to the VBA
project object model), once.  On macOS (no COM), the ``.bas`` is imported by
hand in the VBA editor (README).  Until it is imported, the buttons show but
Excel says it cannot find ``Pilotage.Dispatch``.

The build is reproducible: members sorted (``[Content_Types].xml`` first),
fixed timestamps and attributes, so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from addin.excel.ribbon_actions import ACTIONS, VBA_MODULE, RibbonAction, groups
from kpicore.model.errors import UsageError
from workbook_templates.safe_file import publish

ADDIN_NAME = "pilotage.xlam"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOM_UI_PART = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"
CONFIG_PART = "xl/worksheets/sheet1.xml"
TEMPLATE_SHEET = "_myaddin.conf"
CONFIG_SHEET = "myaddin.conf"  # the template's VBA reads PROJECT_NAME & ".conf"
UDF_MODULES = "addin.excel.udfs"
TAB_ID = "pilotageTab"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build clock in the file
# The config sheet's rows, in the template's order (xlwings reads column A as keys, B as values).
CONFIG_KEYS = ("Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env", "UDF Modules",
               "Debug UDFs", "Use UDF Server", "Show Console")


def template_path() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def bas_path() -> Path:
    return Path(__file__).parent / "vba" / f"{VBA_MODULE}.bas"


EVENTS_MODULE = "PilotageEvents"


def events_path() -> Path:
    """The class of application events that raises each workbook's change count (``Pilotage.Bump``)."""
    return Path(__file__).parent / "vba" / f"{EVENTS_MODULE}.cls"


def _group_id(k: int) -> str:
    return f"pilotageGroup{k + 1}"


def ribbon_xml(actions: tuple[RibbonAction, ...] = ACTIONS) -> str:
    """The customUI XML of the *Pilotage* tab: one group per ``group``, one button per action."""
    ET.register_namespace("", CUSTOM_UI_NS)
    q = lambda tag: f"{{{CUSTOM_UI_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("customUI"))
    tabs = ET.SubElement(ET.SubElement(root, q("ribbon")), q("tabs"))
    tab = ET.SubElement(tabs, q("tab"), {"id": TAB_ID, "label": "Pilotage"})
    names = [g for g in groups() if any(a.group == g for a in actions)]
    for k, name in enumerate(names):
        group = ET.SubElement(tab, q("group"), {"id": _group_id(k), "label": name})
        for a in (a for a in actions if a.group == name):
            ET.SubElement(group, q("button"), {"id": a.id, "label": a.label, "size": a.size,
                                               "imageMso": a.image, "screentip": a.label,
                                               "supertip": a.screentip, "onAction": a.vba_callback})
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def config_values(interpreter_win: str = "", interpreter_mac: str = "", pythonpath: str = "") -> dict[str, object]:
    return {"Interpreter_Win": interpreter_win, "Interpreter_Mac": interpreter_mac, "PYTHONPATH": pythonpath,
            "Conda Path": "", "Conda Env": "", "UDF Modules": UDF_MODULES, "Debug UDFs": False,
            "Use UDF Server": False, "Show Console": False}


def config_sheet_xml(values: dict[str, object]) -> str:
    """The config sheet: keys in A, values in B, as inline strings (no shared-strings bookkeeping)."""
    rows = []
    for r, key in enumerate(CONFIG_KEYS, start=1):
        cells = [f'<c r="A{r}" s="1" t="inlineStr"><is><t>{escape(key)}</t></is></c>']
        value = values.get(key, "")
        if isinstance(value, bool):
            cells.append(f'<c r="B{r}" s="1" t="b"><v>{int(value)}</v></c>')
        elif value not in ("", None):
            cells.append(f'<c r="B{r}" s="1" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}'
                         "</t></is></c>")
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr codeName="Sheet2"/><dimension ref="A1:B9"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15.75"/>'
            '<cols><col min="1" max="1" width="16" style="1" customWidth="1"/>'
            '<col min="2" max="2" width="60" style="1" customWidth="1"/></cols>'
            f'<sheetData>{"".join(rows)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            "</worksheet>")


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0
    return info


def build_addin(out_path: str | os.PathLike, *, template: Path | None = None, interpreter_win: str = "",
                interpreter_mac: str = "", pythonpath: str = "") -> Path:
    """Build ``pilotage.xlam`` at ``out_path`` from xlwings' add-in template; return the path.

    Written to a temporary file, then renamed (never a half-written add-in).
    """
    out_path = Path(out_path)
    template = Path(template) if template else template_path()
    if not template.is_file():
        raise UsageError(f"modèle de complément xlwings introuvable : {template} ; réinstallez xlwings "
                         "(pip install --force-reinstall xlwings).")
    replaced = {
        CUSTOM_UI_PART: ribbon_xml().encode("utf-8"),
        CONFIG_PART: config_sheet_xml(config_values(interpreter_win, interpreter_mac, pythonpath)).encode("utf-8"),
    }
    with zipfile.ZipFile(template) as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    workbook = members["xl/workbook.xml"].decode("utf-8")
    if f'name="{TEMPLATE_SHEET}"' not in workbook:
        raise UsageError(f"modèle de complément inattendu (feuille {TEMPLATE_SHEET} absente) : {template}")
    replaced["xl/workbook.xml"] = workbook.replace(f'name="{TEMPLATE_SHEET}"', f'name="{CONFIG_SHEET}"') \
        .encode("utf-8")
    members.update(replaced)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".xlam", dir=out_path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zout:
            for name in sorted(members):
                zout.writestr(_zipinfo(name), members[name])
        publish(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_path


# --------------------------------------------------------------------------- install (Windows Excel)
TRUST_HINT = ("Dans Excel : Fichier > Options > Centre de gestion de la confidentialité > Paramètres du Centre "
              "de gestion de la confidentialité > Paramètres des macros > cochez « Accès approuvé au modèle "
              "d'objet du projet VBA », puis relancez pilotage addin install.")


def _pythonw() -> str:
    exe = Path(sys.executable)
    windowed = exe.with_name("pythonw.exe")
    return str(windowed if windowed.exists() else exe)


def install_addin(*, interpreter: str | None = None) -> Path:
    """Install the add-in for the current user: Excel's startup folder, dispatcher imported, interpreter set.

    Windows only (COM).  Needs Excel installed and the trust setting
    :data:`TRUST_HINT`.  Returns the installed add-in's path.
    """
    if not sys.platform.startswith("win"):
        raise UsageError("l'installation automatique demande Excel pour Windows. Sur macOS : copiez "
                         "pilotage.xlam (pilotage addin build) dans le dossier de démarrage d'Excel et importez "
                         f"{bas_path().name} et {events_path().name} dans l'éditeur VBA (voir le README).")
    import xlwings as xw

    interpreter = interpreter or _pythonw()
    with tempfile.TemporaryDirectory() as tmp:
        built = build_addin(Path(tmp) / ADDIN_NAME, interpreter_win=interpreter)
        with xw.App(visible=False, add_book=False) as app:
            target = Path(app.startup_path) / ADDIN_NAME
            for book in list(app.books):
                if book.name.lower() == ADDIN_NAME:
                    book.close()
            shutil.copyfile(built, target)
            book = app.books.open(str(target))
            try:
                project = book.api.VBProject
                components = project.VBComponents
            except Exception:
                book.close()
                raise UsageError("Excel refuse l'accès au projet VBA du complément. " + TRUST_HINT) from None
            for module, path in ((VBA_MODULE, bas_path()), (EVENTS_MODULE, events_path())):
                try:
                    components.Remove(components(module))
                except Exception:  # not there yet: a first install
                    pass
                components.Import(str(path))
            book.save()
            book.close()
    return target


def uninstall_addin() -> Path | None:
    """Remove the add-in from Excel's startup folder (Windows); returns the removed path, None if absent."""
    if not sys.platform.startswith("win"):
        raise UsageError("sur macOS, supprimez pilotage.xlam du dossier de démarrage d'Excel (voir le README).")
    import xlwings as xw

    with xw.App(visible=False, add_book=False) as app:
        target = Path(app.startup_path) / ADDIN_NAME
        for book in list(app.books):
            if book.name.lower() == ADDIN_NAME:
                book.close()
    if target.exists():
        target.unlink()
        return target
    return None
