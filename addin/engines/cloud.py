"""Workbooks in the cloud: from Excel's full name (maybe an https address) to the synced local file.

A workbook opened from OneDrive or SharePoint has for ``FullName`` an address,
not a path::

    https://d.docs.live.net/<cid>/Documents/Pipeline.xlsx                   OneDrive (personal)
    https://contoso-my.sharepoint.com/personal/jean_contoso_fr/Documents/…  OneDrive (work or school)
    https://contoso.sharepoint.com/sites/Ventes/Shared Documents/…         a SharePoint site library

Pilotage needs the local file the OneDrive client keeps in sync: its lock
(``.~pilotage.NAME.lock``) goes beside the workbook, and the reps' activity
workbooks named by relative paths in Paramètres resolve from its folder.

``book_local_path(book)`` is the entry for an open ``xlwings.Book``: on Windows
and macOS ``Book.fullname`` runs xlwings' mapping itself and raises an English
``XlwingsError`` when it finds nothing; the raw address is then read from Excel.

``local_workbook_path`` asks xlwings' own mapping first
(``xlwings.utils.fullname_url_to_local_path``, which also reads Windows'
registry of synced libraries) when it runs in the real environment, then
applies the same rules itself, with the environment and home folder as
arguments (tests give fake ones):

- the folder named by the xlwings setting of the kind (``ONEDRIVE_CONSUMER_WIN``
  / ``_MAC``, ``ONEDRIVE_COMMERCIAL_WIN`` / ``_MAC``, ``SHAREPOINT_WIN`` / ``_MAC``),
  from the workbook's ``xlwings.conf`` sheet (``settings``) or the user's
  ``xlwings.conf`` file, ``%VAR%`` and ``$VAR`` expanded;
- the OneDrive client's environment variables: ``OneDriveConsumer``,
  ``OneDriveCommercial``, ``OneDrive``;
- the default places: ``~/OneDrive``, ``~/OneDrive - Org``, the folder ``~/Org``
  beside it for SharePoint libraries, and on macOS ``~/Library/CloudStorage``
  (``OneDrive-Personal``, ``OneDrive-Org``, ``OneDrive-SharedLibraries-Org``).

A SharePoint library is synced as ``<Org>/<Site name> - <Library>`` (the site's
name may have spaces the address lacks) and a synced subfolder as
``<Org>/<Site name> - <Subfolder>``; both are recognised. When no local file
is found the error says why, what Pilotage needs it for and how to fix it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from kpicore.model.errors import InputFileError

_WHY = ("Pilotage a besoin du fichier local : son verrou (« .~pilotage.{name}.lock ») se pose à côté du "
        "classeur, et les classeurs d'activité des commerciaux indiqués par des chemins relatifs dans la "
        "feuille Paramètres (clé activity_workbooks) se trouvent à partir du dossier du classeur")
_KINDS = {
    "consumer": ("OneDrive (personnel)", "ONEDRIVE_CONSUMER", "dossier OneDrive"),
    "commercial": ("OneDrive professionnel", "ONEDRIVE_COMMERCIAL", "dossier « OneDrive - <entreprise> »"),
    "sharepoint": ("SharePoint", "SHAREPOINT", "dossier de l'entreprise qui contient « {site} - Documents »"),
}


class WorkbookNotLocal(InputFileError):
    """The workbook has no local file Pilotage can find (only in the cloud, or never saved)."""


def _is_windows(platform: str) -> bool:
    return platform.startswith("win")


def setting_name(kind: str, platform: str = sys.platform) -> str:
    """The xlwings setting for ``kind`` (consumer, commercial, sharepoint) on ``platform``."""
    return f"{_KINDS[kind][1]}_{'WIN' if _is_windows(platform) else 'MAC'}"


def _user_config_file(home: Path, platform: str) -> Path:
    # where xlwings reads it (xlwings.USER_CONFIG_FILE), for the given home
    if platform.startswith("darwin"):
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def _read_user_config(path: Path) -> dict[str, str]:
    """xlwings.conf: one ``"KEY","VALUE"`` per line; keys compared without case."""
    config: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return config
    for line in text.splitlines():
        values = re.findall(r'"([^"]*)"', line)
        if len(values) >= 2:
            config[values[0].lower()] = values[1]
    return config


def _expand(value: str, env: Mapping[str, str]) -> str:
    """``%VAR%``, ``$VAR`` and ``${VAR}`` from ``env`` (unknown names stay as they are)."""
    lower = {k.lower(): v for k, v in env.items()}

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        return env.get(name, lower.get(name.lower(), m.group(0)))

    return re.sub(r"%([^%/\\]+)%|\$\{([^}]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, value)


def _split_url(fullname: str) -> tuple[str, str, list[str]] | None:
    """(kind, site, path segments after the library) of a OneDrive/SharePoint address; None if unknown."""
    parts = urlsplit(fullname)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host == "d.docs.live.net" and len(segments) >= 2:
        return "consumer", "", segments[1:]  # /<cid>/<path>
    if re.fullmatch(r"[^.]*-my\.sharepoint\.[^/]+", host) and len(segments) >= 4:
        return "commercial", "", segments[3:]  # /personal/<user>/Documents/<path>
    if len(segments) >= 4 and segments[0].lower() in ("sites", "teams"):
        return "sharepoint", unquote(segments[1]), segments[3:]  # /sites/<site>/<library>/<path>
    return None


def _variants(segments: list[str]) -> list[list[str]]:
    """The segments as written, and percent-decoded when they differ (Excel gives either)."""
    decoded = [unquote(s) for s in segments]
    return [segments] if decoded == segments else [decoded, segments]


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []


def _roots(kind: str, env: Mapping[str, str], home: Path, platform: str,
           config: Mapping[str, str]) -> Iterator[Path]:
    """Where the synced files of ``kind`` may be, most specific first."""
    setting = config.get(setting_name(kind, platform).lower())
    if setting:
        yield Path(_expand(setting, env))
    cloud = home / "Library" / "CloudStorage"
    if kind == "consumer":
        for var in ("OneDriveConsumer", "OneDrive"):
            if env.get(var):
                yield Path(env[var])
        if platform.startswith("darwin"):
            yield cloud / "OneDrive-Personal"
        yield home / "OneDrive"
    elif kind == "commercial":
        for var in ("OneDriveCommercial", "OneDrive"):
            if env.get(var):
                yield Path(env[var])
        yield from (p for p in _children(home) if p.name.startswith("OneDrive - "))
        yield from (p for p in _children(cloud) if p.name.startswith("OneDrive-")
                    and p.name != "OneDrive-Personal" and not p.name.startswith("OneDrive-SharedLibraries"))
    else:  # SharePoint libraries sit in a folder named after the organisation, beside "OneDrive - Org"
        business = [Path(env["OneDriveCommercial"])] if env.get("OneDriveCommercial") else []
        business += [p for p in _children(home) if p.name.startswith("OneDrive - ")]
        for p in business:
            yield p.with_name(p.name.replace("OneDrive - ", "", 1))
        yield from (p for p in _children(cloud) if p.name.startswith("OneDrive-SharedLibraries"))


def _site_folders(root: Path, site: str) -> Iterator[tuple[Path, str]]:
    """(folder, what follows the site's name) for each ``<Site name> - <library or subfolder>`` in ``root``.

    The address drops the spaces of the site's name (« Ventes France » is ``VentesFrance``).
    """
    key = site.replace(" ", "").lower()
    for folder in [root, *_children(root)]:  # the setting may name the site's folder itself
        name = folder.name
        for m in re.finditer(" - ", name):
            if name[:m.start()].replace(" ", "").lower() == key:
                yield folder, name[m.end():]
                break


def _candidates(kind: str, site: str, segments: list[str], roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for parts in _variants(segments):
            if kind != "sharepoint":
                yield root.joinpath(*parts)
                continue
            for folder, tail in _site_folders(root, site):
                yield folder.joinpath(*parts)  # the whole library synced
                for i in range(1, len(parts)):  # a subfolder synced on its own: <Site> - <Subfolder>
                    if parts[i - 1].lower() == tail.lower():
                        yield folder.joinpath(*parts[i:])


def _found_by_name(kind: str, site: str, segments: list[str], roots: list[Path]) -> Path | None:
    """xlwings' last resort for SharePoint: the one file of that name in the site's synced folders."""
    if kind != "sharepoint":
        return None
    name = unquote(segments[-1]).lower()
    hits = set()
    for root in roots:
        for folder, _ in _site_folders(root, site):
            try:
                hits.update(p for p in folder.rglob("*") if p.name.lower() == name and p.is_file())
            except OSError:
                continue
    return hits.pop() if len(hits) == 1 else None


def _with_xlwings(fullname: str, settings: Mapping[str, str], platform: str) -> Path | None:
    try:
        from xlwings.utils import fullname_url_to_local_path
    except Exception:  # xlwings absent or not importable here
        return None
    try:
        found = fullname_url_to_local_path(fullname, *(settings.get(setting_name(k, platform).lower())
                                                       for k in ("consumer", "commercial", "sharepoint")))
    except Exception:  # xlwings.XlwingsError: not found by its rules; ours follow
        return None
    return Path(found) if found and Path(found).is_file() else None


def _not_local(fullname: str, message: str, fix: str) -> WorkbookNotLocal:
    return WorkbookNotLocal(message, file=fullname, fix=fix)


def local_workbook_path(fullname: str, *, env: Mapping[str, str] = os.environ, home: Path | None = None,
                        settings: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """The local file of a workbook whose full name (``xlwings.Book.fullname``) is a path or an address.

    ``env``, ``home`` (default ``Path.home()``) and ``platform``: where to look,
    for tests; ``settings``: the workbook's ``xlwings.conf`` sheet, if any
    (``xlwings.utils.read_config_sheet(book)``). A local full name is
    returned as it is; an address is mapped to the synced copy.
    Raises ``WorkbookNotLocal`` (French: why, what for, how to fix) when no
    local file is found, or when the workbook was never saved.
    """
    fullname = str(fullname).strip()
    settings = {str(k).lower(): str(v) for k, v in (settings or {}).items() if v}
    real = env is os.environ and home is None and platform == sys.platform
    home = Path.home() if home is None else Path(home)
    scheme = urlsplit(fullname).scheme.lower()
    if scheme == "file":
        return Path(url2pathname(urlsplit(fullname).path))
    if "://" not in fullname:
        pure = PureWindowsPath(fullname) if _is_windows(platform) else PurePosixPath(fullname)
        if not pure.is_absolute():  # "Classeur1": a workbook never saved
            raise _not_local(fullname, "le classeur n'a pas encore été enregistré, il n'a pas de dossier. "
                                       + _WHY.format(name=pure.name or fullname),
                             "enregistrez le classeur (Fichier > Enregistrer sous), puis relancez.")
        return Path(fullname)

    name = unquote(fullname.rstrip("/").rsplit("/", 1)[-1])
    split = _split_url(fullname)
    if split is None:
        raise _not_local(fullname, "cette adresse n'est ni OneDrive ni SharePoint, Pilotage ne sait pas où en "
                                   "est la copie locale. " + _WHY.format(name=name),
                         "enregistrez le classeur sur ce poste (ou dans un dossier synchronisé par OneDrive) "
                         "et ouvrez-le depuis ce dossier, puis relancez.")
    kind, site, segments = split
    if real:
        found = _with_xlwings(fullname, settings, platform)
        if found is not None:
            return found

    config = {**_read_user_config(_user_config_file(home, platform)), **settings}  # the sheet wins, as in xlwings
    roots = list(dict.fromkeys(_roots(kind, env, home, platform, config)))
    for candidate in _candidates(kind, site, segments, roots):
        if candidate.is_file():
            return candidate
    by_name = _found_by_name(kind, site, segments, roots)
    if by_name is not None:
        return by_name

    label, _, folder_hint = _KINDS[kind]
    folder_hint = folder_hint.format(site=site)
    where = label + (f", site « {site} »" if site else "")
    looked = [str(r) for r in roots if r.is_dir()]
    searched = f"dossiers cherchés : {', '.join(looked)}" if looked \
        else "aucun dossier synchronisé trouvé sur ce poste"
    win, mac = setting_name(kind, "win32"), setting_name(kind, "darwin")
    raise _not_local(
        fullname,
        f"ce classeur est ouvert depuis {where} et Pilotage n'en trouve pas de copie synchronisée sur ce poste : "
        f"il n'est que dans le cloud, ou synchronisé dans un dossier inconnu ({searched}). " + _WHY.format(name=name),
        f"synchronisez la bibliothèque avec le client OneDrive (dans le navigateur : « Synchroniser » ; pour ce "
        f"fichier : « Toujours conserver sur cet appareil ») et rouvrez le classeur depuis le dossier synchronisé ; "
        f"ou, s'il est synchronisé ailleurs, indiquez ce {folder_hint} dans le réglage xlwings {win} (Windows) "
        f"ou {mac} (macOS), dans la feuille xlwings.conf du classeur ou dans le fichier "
        f"{_user_config_file(home, platform)} ; pour les classeurs d'activité, des chemins absolus dans "
        f"Paramètres ne dépendent pas du dossier du classeur.")


def _raw_fullname(book: Any) -> str:
    """Excel's own ``FullName`` (an address for a cloud workbook), past xlwings' mapping."""
    api = book.api
    for read in (lambda: api.FullName, lambda: api.full_name.get()):  # Windows (COM), macOS (appscript)
        try:
            value = read()
        except Exception:
            continue
        if isinstance(value, str) and value:
            return value
    return str(book.name)


def _config_sheet(book: Any) -> dict[str, str]:
    try:
        from xlwings.utils import read_config_sheet
    except Exception:
        return {}
    config = read_config_sheet(book)  # {} without an xlwings.conf sheet
    return {str(k): str(v) for k, v in (config or {}).items() if v}


def book_local_path(book: Any, *, env: Mapping[str, str] = os.environ, home: Path | None = None) -> Path:
    """``local_workbook_path`` for an open ``xlwings.Book``.

    On Windows and macOS ``Book.fullname`` already maps a cloud address with
    xlwings' rules, and raises ``xlwings.XlwingsError`` (in English, pointing
    at xlwings.org) when they find no local file; the address is then read
    from Excel itself and given to ``local_workbook_path`` with the workbook's
    ``xlwings.conf`` sheet, so the user gets the French message.
    """
    try:
        fullname = str(book.fullname)
    except Exception:
        fullname = _raw_fullname(book)
    settings = _config_sheet(book) if "://" in fullname else None
    return local_workbook_path(fullname, env=env, home=home, settings=settings)
