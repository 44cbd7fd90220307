"""Sending through the company's SMTP server, and keeping what could not be sent.

TLS is always verified (``ssl.create_default_context``, with the administrator's CA file when
named): a server whose certificate cannot be checked gets nothing, password included. Port 465
speaks TLS from the first byte; any other port starts in clear and upgrades with STARTTLS
unless the settings turn it off (a relay on the same machine).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from addin.mail.settings import MailSettings
from kpicore.model.errors import PilotageError
from kpicore.text.catalogue import say

TIMEOUT = 30.0  # seconds for each exchange with the server: a run must not hang on a dead relay
UNSENT_HEADER = "X-Unsent"  # "1": Outlook opens the .eml as a draft, ready to send


class MailFailed(PilotageError):
    """Sending failed; ``code`` and ``figures`` are the catalogue's, ``str()`` the French sentence."""

    exit_code = 7  # addin.scheduled.EXIT_MAIL_FAILED

    def __init__(self, code: str, **figures: object) -> None:
        super().__init__(say(code, "fr", **figures))
        self.code, self.figures = code, figures

    def said(self, language: str) -> str:
        return say(self.code, language, **self.figures)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc) or type(exc).__name__


def _connect(settings: MailSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=settings.cafile)
    if settings.implicit_tls:
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    try:
        smtp.ehlo()
        if settings.starttls:
            if not smtp.has_extn("starttls"):
                raise MailFailed("mail.error.no_starttls", host=settings.host, port=settings.port)
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(msg: EmailMessage, settings: MailSettings) -> None:
    """Send ``msg`` to every address of its To header; ``MailFailed`` if a single one is not accepted."""
    if not settings.host:
        raise MailFailed("mail.error.no_server")
    if not msg["From"]:
        raise MailFailed("mail.error.no_sender")
    if settings.user and not settings.password:
        raise MailFailed("mail.error.no_password", user=settings.user)
    where = {"host": settings.host, "port": settings.port}
    try:
        smtp = _connect(settings)
        try:
            if settings.user:
                if not smtp.has_extn("auth"):
                    raise MailFailed("mail.error.no_auth", **where)
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(msg)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except MailFailed:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailFailed("mail.error.auth", user=settings.user, reason=_reason(exc), **where) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailFailed("mail.error.refused", addresses=", ".join(exc.recipients),
                         reason=_reason_of(exc.recipients)) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailFailed("mail.error.sender_refused", sender=exc.sender, reason=_reason(exc)) from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailFailed("mail.error.certificate", reason=exc.verify_message or _reason(exc), **where) from exc
    except ssl.SSLError as exc:
        raise MailFailed("mail.error.tls", reason=_reason(exc), **where) from exc
    except smtplib.SMTPException as exc:
        raise MailFailed("mail.error.smtp", reason=_reason(exc), **where) from exc
    except (socket.timeout, TimeoutError) as exc:
        raise MailFailed("mail.error.timeout", seconds=TIMEOUT, **where) from exc
    except OSError as exc:
        raise MailFailed("mail.error.connect", reason=_reason(exc), **where) from exc
    if refused:
        raise MailFailed("mail.error.refused", addresses=", ".join(refused), reason=_reason_of(refused))


def _reason_of(refused: dict) -> str:
    code, text = next(iter(refused.values()), (0, b""))
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def write_unsent(msg: EmailMessage, path: Path) -> Path:
    """``msg`` as an ``.eml`` at ``path``, marked unsent (temporary file, then rename)."""
    from workbook_templates.safe_file import publish

    del msg[UNSENT_HEADER]
    msg[UNSENT_HEADER] = "1"
    fd, tmp = tempfile.mkstemp(prefix=".pilotage-mail.", suffix=".eml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(msg.as_bytes(policy=default_policy))
        publish(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
