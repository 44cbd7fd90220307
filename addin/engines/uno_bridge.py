"""Find LibreOffice's Python bridge (``uno``) and run a headless soffice to drive it.

Debian's ``python3-uno`` installs ``uno.py`` for the system Python; our venv (another
build of Python 3.11) imports it once ``/usr/lib/python3/dist-packages`` and
LibreOffice's ``program`` folder are on ``sys.path``.  ``import_uno()`` adds
them (only them: the rest of dist-packages stays behind the venv's own
packages) and explains the fix in French when the bridge is missing.

``Office`` starts one soffice with a profile of its own on a free loopback
port (two instances sharing a profile block each other), connects with
retries, and always terminates the process it started.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from kpicore.model.errors import PilotageError

UNO_DIRS = ("/usr/lib/python3/dist-packages", "/usr/lib/libreoffice/program",
            "/opt/libreoffice/program", "/Applications/LibreOffice.app/Contents/Resources")
INSTALL_HINT = ("installez LibreOffice et son pont Python (Debian/Ubuntu : "
                "apt-get install libreoffice-calc-nogui python3-uno)")


class UnoMissing(PilotageError):
    def __init__(self, detail: str = "") -> None:
        text = f"Le pont Python de LibreOffice (module uno) est introuvable : {INSTALL_HINT}."
        super().__init__(text + (f" Détail : {detail}" if detail else ""))


def import_uno() -> ModuleType:
    """``import uno`` from wherever LibreOffice put it; ``UnoMissing`` when it is not installed."""
    try:
        return importlib.import_module("uno")  # inside soffice's own Python, or already on the path
    except ImportError:
        for d in UNO_DIRS:
            if Path(d, "uno.py").is_file() and d not in sys.path:
                sys.path.append(d)  # appended: the venv's packages keep precedence
        for d in UNO_DIRS[1:]:
            if Path(d).is_dir() and d not in sys.path:
                sys.path.append(d)
        try:
            return importlib.import_module("uno")
        except ImportError as err:
            raise UnoMissing(str(err)) from None


def prop(name: str, value: Any) -> Any:
    """A ``com.sun.star.beans.PropertyValue``."""
    uno = import_uno()
    p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    p.Name, p.Value = name, value
    return p


def props(**kw: Any) -> tuple:
    return tuple(prop(k, v) for k, v in kw.items())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def soffice_path() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise PilotageError(f"LibreOffice (soffice) est introuvable : {INSTALL_HINT}.")
    return exe


class Office:
    """One headless soffice with its own profile, connected over UNO.

    Use as a context manager; ``close()`` terminates the process in any case.
    ``profile`` may be given (an extension installed with ``unopkg`` lives
    there); otherwise a temporary one is made and removed.
    """

    def __init__(self, profile: Path | None = None, *, timeout: float = 60,
                 env: dict[str, str] | None = None) -> None:
        self.uno = import_uno()
        self._tmp = None if profile else tempfile.TemporaryDirectory(prefix="pilotage-uno-")
        self.profile = Path(profile) if profile else Path(self._tmp.name)
        self.port = free_port()
        from workbook_templates.libreoffice import make_profile

        url = make_profile(self.profile) if not (self.profile / "user" / "registrymodifications.xcu").exists() \
            else self.profile.resolve().as_uri()
        cmd = [soffice_path(), f"-env:UserInstallation={url}", "--headless", "--norestore",
               "--nologo", "--nodefault", f"--accept=socket,host=127.0.0.1,port={self.port};urp;"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})})
        try:
            self.ctx = self._connect(timeout)
            self.smgr = self.ctx.ServiceManager
            self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        except BaseException:
            self.close()
            raise

    def _connect(self, timeout: float):
        local = self.uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            try:
                return resolver.resolve(url)
            except Exception as err:  # NoConnectException until soffice listens
                if self.proc.poll() is not None:
                    raise PilotageError(f"LibreOffice s'est arrêté au démarrage (code {self.proc.returncode}).") \
                        from None
                if time.monotonic() > deadline:
                    raise PilotageError(f"LibreOffice ne répond pas sur le port {self.port} : {err}") from None
                time.sleep(0.25)

    def open(self, path: Path, *, hidden: bool = True, **load: Any):
        """Load a document; ``hidden=False`` gives it a frame the dispatcher can address.

        ``load``: more of the media descriptor (``MacroExecutionMode=0``, ...).
        """
        url = Path(path).resolve().as_uri()
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, props(Hidden=hidden, **load))
        if doc is None:
            raise PilotageError(f"LibreOffice n'a pas pu ouvrir {Path(path).name}.")
        return doc

    def service(self, name: str):
        return self.smgr.createInstanceWithContext(name, self.ctx)

    def close(self) -> None:
        try:
            if getattr(self, "desktop", None) is not None:
                try:
                    # closed documents leave no lock file (.~lock.NAME#) behind
                    components = self.desktop.Components.createEnumeration()
                    while components.hasMoreElements():
                        components.nextElement().close(True)
                except Exception:
                    pass
                try:
                    self.desktop.terminate()
                except Exception:  # the bridge drops as soffice exits
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()

    def __enter__(self) -> "Office":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


XLSX_FILTER = "Calc MS Excel 2007 XML"


def store_as_xlsx(doc, path: Path) -> Path:
    """Save ``doc`` as .xlsx at ``path`` (the document keeps its own location)."""
    doc.storeToURL(Path(path).resolve().as_uri(), props(FilterName=XLSX_FILTER, Overwrite=True))
    return Path(path)
