"""Where the mail goes and through which server: Settings of the workbook, then the environment.

The environment wins over the workbook (an administrator's machine setting beats a copied
workbook), and the password is read from the environment only: a workbook travels by e-mail
and must never hold a secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_PORT = 587  # submission port, STARTTLS
IMPLICIT_TLS_PORT = 465  # SMTPS: TLS from the first byte

# workbook Settings key -> environment variable, for what both may hold
SETTING_KEYS = {"host": "mail.smtp_host", "port": "mail.smtp_port", "sender": "mail.from",
                "starttls": "mail.starttls"}
ENV_KEYS = {"host": "PILOTAGE_SMTP_HOST", "port": "PILOTAGE_SMTP_PORT", "sender": "PILOTAGE_SMTP_FROM",
            "starttls": "PILOTAGE_SMTP_STARTTLS", "user": "PILOTAGE_SMTP_USER",
            "password": "PILOTAGE_SMTP_PASSWORD", "cafile": "PILOTAGE_SMTP_CAFILE"}
RECIPIENT_KEY = "mail.{kind}.to"  # mail.weekly.to, mail.monthly.to, mail.quarterly.to

_NO = {"0", "non", "no", "false", "faux", "off", "n"}
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")

Lookup = Callable[[str], "str | None"]


class SettingError(ValueError):
    """A setting that cannot be used; ``code`` and ``figures`` are the catalogue's (addin.mail's callers say it)."""

    def __init__(self, code: str, **figures: object) -> None:
        super().__init__(code)
        self.code, self.figures = code, figures


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int
    sender: str | None
    starttls: bool  # ignored on the implicit-TLS port, where TLS is always on
    user: str | None = None
    password: str | None = None
    cafile: str | None = None

    @property
    def implicit_tls(self) -> bool:
        return self.port == IMPLICIT_TLS_PORT

    @property
    def encrypted(self) -> bool:
        return self.implicit_tls or self.starttls


def split_addresses(text: str | None) -> tuple[str, ...]:
    """``a@b, c@d; e@f`` -> the addresses, in order, without repeats; a malformed one refused."""
    found: list[str] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        if not _ADDRESS.match(part):
            raise SettingError("mail.error.address", address=part)
        if part.lower() not in (f.lower() for f in found):
            found.append(part)
    return tuple(found)


def _flag(text: str) -> bool:
    return text.strip().lower() not in _NO


def resolve(setting: Lookup, environ: Mapping[str, str] | None = None) -> MailSettings:
    """The server settings: ``setting(key)`` reads the workbook's Settings (None when absent), ``environ``
    (default ``os.environ``) wins over it; the password from ``environ`` only."""
    env = os.environ if environ is None else environ

    def value(name: str) -> str | None:
        from_env = (env.get(ENV_KEYS[name]) or "").strip()
        if from_env:
            return from_env
        key = SETTING_KEYS.get(name)
        from_book = (setting(key) or "").strip() if key else ""
        return from_book or None

    port_text = value("port")
    try:
        port = int(port_text) if port_text else DEFAULT_PORT
    except ValueError:
        raise SettingError("mail.error.port", value=port_text) from None
    if not 0 < port < 65536:
        raise SettingError("mail.error.port", value=port_text)
    starttls_text = value("starttls")
    sender = value("sender")
    if sender is not None:
        split_addresses(sender)  # refused now, with the address, rather than by the server
    cafile = value("cafile")
    if cafile is not None and not os.path.isfile(cafile):
        raise SettingError("mail.error.cafile", file=cafile)
    return MailSettings(host=value("host"), port=port, sender=sender,
                        starttls=_flag(starttls_text) if starttls_text else True,
                        user=value("user"), password=env.get(ENV_KEYS["password"]) or None, cafile=cafile)


def recipients(kind: str, setting: Lookup, given: str | None = None) -> tuple[str, ...]:
    """The audience of a ``kind`` deck: ``given`` (``--to``), else the workbook's ``mail.<kind>.to``."""
    if given:
        return split_addresses(given)
    return split_addresses(setting(RECIPIENT_KEY.format(kind=kind)))
