"""The messages themselves, built with the standard ``email`` package (``EmailMessage``).

A deck's message is ``multipart/mixed``: a ``multipart/alternative`` (plain text, then HTML
with the summary slide as a ``cid:`` inline image in a ``multipart/related``), then the PPTX and
the PDF. Every sentence comes from the catalogue (``kpicore.text.*.mail``), in the workbook's language.
"""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from addin.mail.rendering import Rendered
from addin.mail.summary import DeckSummary
from kpicore.text.catalogue import say

PPTX_TYPE = ("application", "vnd.openxmlformats-officedocument.presentationml.presentation")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _envelope(subject: str, sender: str | None, to: Sequence[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    if sender:  # an unsent draft may have no sender yet: Outlook fills in the user's own
        msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=(sender or "pilotage.invalid").rpartition("@")[2] or None)
    return msg


def _attach(msg: EmailMessage, path: Path, kind: tuple[str, str] | None = None) -> None:
    maintype, subtype = kind or tuple((mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/"))
    msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)


def _html_page(paragraphs: Sequence[str], body: str) -> str:
    head = "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paragraphs)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{head}{body}</body></html>\n'


def _missing_note(rendered: Rendered, language: str) -> str | None:
    if rendered.pdf is not None and rendered.png is not None:
        return None
    if rendered.missing == "libreoffice":
        return say("mail.deck.no_libreoffice", language)
    if rendered.pdf is not None:
        return say("mail.deck.no_image", language)
    return say("mail.deck.no_pdf", language, reason=rendered.missing or "")


def deck_message(deck: Path, summary: DeckSummary, rendered: Rendered, *, sender: str | None, to: Sequence[str],
                 language: str) -> EmailMessage:
    """The message carrying ``deck``: its headline numbers as text, the summary slide inline, PPTX and PDF."""
    t = lambda code, **f: say(code, language, **f)  # noqa: E731
    msg = _envelope(t("mail.deck.subject", deck=deck.stem), sender, to)
    intro = [t("mail.greeting"), t("mail.deck.intro", deck=summary.deck_title or deck.stem)]
    note = _missing_note(rendered, language)
    attached = t("mail.deck.attached_pdf") if rendered.pdf is not None else t("mail.deck.attached")
    closing = [attached] + ([note] if note else []) + [t("mail.signature")]

    text = intro + ["", summary.title, ""]
    text += [t("mail.deck.row", label=r[0], values=" · ".join(c for c in r[1:] if c)) for r in summary.rows]
    text += [f"- {line}" for line in summary.lines]
    msg.set_content("\n".join(text + [""] + closing) + "\n")

    cid = make_msgid(domain="pilotage.invalid")
    body = f"<h2>{html.escape(summary.title, quote=False)}</h2>\n"
    if summary.rows:
        cells = lambda row: "".join(f"<td>{html.escape(c, quote=False)}</td>" for c in row)  # noqa: E731
        body += ('<table border="1" cellpadding="4" cellspacing="0">\n'
                 + "".join(f"<tr>{cells(r)}</tr>\n" for r in summary.rows) + "</table>\n")
    if summary.lines:
        body += "<ul>\n" + "".join(f"<li>{html.escape(line, quote=False)}</li>\n" for line in summary.lines)
        body += "</ul>\n"
    if rendered.png is not None:
        body += f'<p><img src="cid:{cid[1:-1]}" alt="{html.escape(summary.title)}" style="max-width:100%"></p>\n'
    body += "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in closing)
    msg.add_alternative(_html_page(intro, body), subtype="html")
    if rendered.png is not None:
        html_part = msg.get_payload()[1]
        html_part.add_related(rendered.png.read_bytes(), maintype="image", subtype="png", cid=cid,
                              filename=rendered.png.name, disposition="inline")
    _attach(msg, deck, PPTX_TYPE)
    if rendered.pdf is not None:
        _attach(msg, rendered.pdf, ("application", "pdf"))
    return msg


def rep_message(rep: str, export: Path, as_of: date, *, sender: str | None, to: Sequence[str],
                language: str) -> EmailMessage:
    """A rep's own view: their name, the date, their export attached; nothing of a colleague."""
    t = lambda code, **f: say(code, language, **f)  # noqa: E731
    msg = _envelope(t("mail.rep.subject", as_of=as_of), sender, to)
    paragraphs = [t("mail.rep.greeting", name=rep), t("mail.rep.intro", as_of=as_of), t("mail.rep.private"),
                  t("mail.signature")]
    msg.set_content("\n\n".join(paragraphs) + "\n")
    msg.add_alternative(_html_page(paragraphs, ""), subtype="html")
    _attach(msg, export, XLSX_TYPE)
    return msg


def trial_message(*, sender: str | None, to: Sequence[str], host: str, port: int, language: str) -> EmailMessage:
    """``pilotage mail test``: a short message that proves the settings work."""
    msg = _envelope(say("mail.test.subject", language), sender, to)
    paragraphs = [say("mail.test.body", language, host=host, port=port), say("mail.signature", language)]
    msg.set_content("\n\n".join(paragraphs) + "\n")
    return msg
