"""The Pilotage extension for LibreOffice Calc (.oxt): a *Pilotage* menu and toolbar.

The menu offers the Excel ribbon's Python actions (``addin.excel.ribbon_actions``:
same ids, same French labels) and each entry runs the same function
(``addin.calc.uno_actions``) on the document it was chosen in.  An entry's command
is ``vnd.pilotage:<ribbon id>``: Calc hands it to the protocol handler of
``pilotage_job.py`` (a Python UNO component inside the .oxt, registered by
``ProtocolHandler.xcu``), created for the frame of the document the entry was
chosen in, which runs ``addin.calc.uno_actions.dispatch(document, id)``.  (A
``service:`` job URL would not say which document: headless and hidden
documents are never the desktop's "current component".)

How the component finds our package: LibreOffice runs it in its own Python
(Debian: the system python3.11 with ``python3-uno``), which does not know our
venv.  The build writes two absolute paths into ``pilotage_job.py``: the project
folder (for ``kpicore``, ``addin`` ...) and the site-packages of the Python that
built the extension (pandas, numpy, XlsxWriter ...), put first on ``sys.path``
when an entry is chosen.  So the .oxt is built on the machine that uses it,
by the Python that has Pilotage installed, of the same minor version as
LibreOffice's (compiled packages must match it: 3.11 here).

The archive is reproducible: members sorted, fixed timestamps and modes, so
two builds from the same sources and paths are byte-identical.
"""

from __future__ import annotations

import site
import sysconfig
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from addin.excel.ribbon_actions import RibbonAction

EXTENSION_ID = "org.pilotage.libreoffice"
IMPLEMENTATION = "org.pilotage.Dispatch"
PROTOCOL = "vnd.pilotage:"
VERSION = "0.1.0"
CALC = "com.sun.star.sheet.SpreadsheetDocument"
MENU_NODE = "org.pilotage.menu"
TOOLBAR_NODE = "org.pilotage.toolbar"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def command_url(action_id: str) -> str:
    return f"{PROTOCOL}{action_id}"


def menu_actions() -> tuple[RibbonAction, ...]:
    from addin.calc.uno_actions import menu_actions as actions

    return actions()


def _prop(name: str, value: str) -> str:
    return f'<prop oor:name="{name}" oor:type="xs:string"><value>{escape(value)}</value></prop>'


def _entry(node: str, action: RibbonAction) -> str:
    return (f'<node oor:name="{node}" oor:op="replace">{_prop("URL", command_url(action.id))}'
            f'{_prop("Title", action.label)}{_prop("Target", "_self")}{_prop("Context", CALC)}</node>')


def addons_xcu(actions: tuple[RibbonAction, ...]) -> str:
    """The menu (top-level « Pilotage ») and the toolbar, in Calc only."""
    entries = "".join(_entry(f"m{k + 1:02d}", a) for k, a in enumerate(actions))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="Addons" oor:package="org.openoffice.Office">\n'
            '<node oor:name="AddonUI">\n'
            f'<node oor:name="OfficeMenuBar"><node oor:name="{MENU_NODE}" oor:op="replace">'
            f'{_prop("Title", "Pilotage")}{_prop("Target", "_self")}{_prop("Context", CALC)}'
            f'<node oor:name="Submenu">{entries}</node></node></node>\n'
            f'<node oor:name="OfficeToolBar"><node oor:name="{TOOLBAR_NODE}" oor:op="replace">{entries}'
            '</node></node>\n'
            '</node>\n</oor:component-data>\n')


def description_xml() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<description xmlns="http://openoffice.org/extensions/description/2006" '
            'xmlns:d="http://openoffice.org/extensions/description/2006" '
            'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            f'<identifier value="{EXTENSION_ID}"/>\n<version value="{VERSION}"/>\n'
            '<dependencies><l:LibreOffice-minimal-version xmlns:l="http://libreoffice.org/extensions/description/2011" '
            'l:name="LibreOffice 7.0" value="7.0"/></dependencies>\n'
            '<display-name><name lang="fr">Pilotage : cockpit commercial</name>'
            '<name lang="en">Pilotage sales cockpit</name></display-name>\n'
            '<platform value="all"/>\n</description>\n')


def manifest_xml() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">\n'
            '<manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-component;type=Python" '
            'manifest:full-path="pilotage_job.py"/>\n'
            '<manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" '
            'manifest:full-path="Addons.xcu"/>\n'
            '<manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" '
            'manifest:full-path="ProtocolHandler.xcu"/>\n</manifest:manifest>\n')


_JOB = '''"""Pilotage's menu entries in LibreOffice: a protocol handler running addin.calc.uno_actions.dispatch.

Generated by addin/calc/extension.py; the paths below were written at build time.
Calc hands the handler the frame the entry was chosen in (``initialize``), so
the action runs on that document, hidden or not.
"""

import json
import logging
import os
import sys
import time

import unohelper
from com.sun.star.frame import XDispatch, XDispatchProvider
from com.sun.star.lang import XInitialization, XServiceInfo

PILOTAGE_PATHS = {paths}
PROTOCOL = {protocol!r}
IMPLEMENTATION = {implementation!r}
SERVICES = ("com.sun.star.frame.ProtocolHandler",)


class PilotageHandler(unohelper.Base, XInitialization, XDispatchProvider, XDispatch, XServiceInfo):
    def __init__(self, ctx):
        self.ctx = ctx
        self.frame = None

    # XInitialization: Calc passes the frame of the menu
    def initialize(self, args):
        if args:
            self.frame = args[0]

    # XDispatchProvider
    def queryDispatch(self, url, target, flags):
        return self if url.Protocol == PROTOCOL else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    # XDispatch
    def dispatch(self, url, args):
        run(self.ctx, self.frame, url.Path)

    def addStatusListener(self, listener, url):
        pass

    def removeStatusListener(self, listener, url):
        pass

    # XServiceInfo
    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES


def _log_to_file():
    """Messages and tracebacks in a file the user can send (LibreOffice shows no Python console)."""
    logger = logging.getLogger("pilotage.libreoffice")
    if not logger.handlers:
        path = os.environ.get("PILOTAGE_UNO_LOG") or os.path.join(os.path.expanduser("~"), "pilotage-libreoffice.log")
        try:
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            return
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def run(ctx, frame, action_id):
    _log_to_file()
    for path in reversed(PILOTAGE_PATHS):
        if path not in sys.path:
            sys.path.insert(0, path)  # first: our pandas, not an older one of the system
    doc = frame.getController().getModel() if frame is not None and frame.getController() else None
    if doc is None:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.getCurrentComponent()
    started = time.time()
    try:
        from addin.calc.uno_actions import dispatch

        text = dispatch(doc, action_id)
    except Exception as err:  # our package not importable: say why in the log
        logging.getLogger("pilotage.libreoffice").exception("Pilotage")
        text = "Pilotage ne peut pas démarrer : " + repr(err)
    journal = os.environ.get("PILOTAGE_UNO_JOURNAL")
    if journal:
        with open(journal, "a", encoding="utf-8") as f:
            f.write(json.dumps({{"action": action_id, "text": text,
                                "seconds": round(time.time() - started, 3)}}, ensure_ascii=False) + "\\n")


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(PilotageHandler, IMPLEMENTATION, SERVICES)
'''


def default_paths() -> list[str]:
    """The project folder and this Python's site-packages (see the module docstring)."""
    root = str(Path(__file__).resolve().parents[2])
    paths = [root, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    paths += [p for p in site.getsitepackages() if p not in paths]
    return list(dict.fromkeys(p for p in paths if Path(p).is_dir()))


def job_script(paths: list[str]) -> str:
    return _JOB.format(paths=repr(list(paths)), implementation=IMPLEMENTATION, protocol=PROTOCOL)


def protocol_handler_xcu() -> str:
    """Registers the component as the handler of every ``vnd.pilotage:`` command."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="ProtocolHandler" '
            'oor:package="org.openoffice.Office">\n<node oor:name="HandlerSet">'
            f'<node oor:name="{IMPLEMENTATION}" oor:op="replace"><prop oor:name="Protocols" oor:type="oor:string-list">'
            f'<value>{PROTOCOL}*</value></prop></node></node>\n</oor:component-data>\n')


def build_extension(out_path: Path | str, *, paths: list[str] | None = None) -> Path:
    """Write the .oxt to ``out_path`` (reproducible) and return its path."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    members = {
        "Addons.xcu": addons_xcu(menu_actions()),
        "META-INF/manifest.xml": manifest_xml(),
        "ProtocolHandler.xcu": protocol_handler_xcu(),
        "description.xml": description_xml(),
        "pilotage_job.py": job_script(paths if paths is not None else default_paths()),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the building OS
            z.writestr(info, members[name].encode("utf-8"))
    return out


__all__ = ["build_extension", "addons_xcu", "command_url", "default_paths", "job_script"]
