"""Delivery by e-mail (addin.mail) against a real SMTP server on 127.0.0.1 (aiosmtpd).

One monthly run of the demo company is mailed to a recording server and read back: recipients,
sender, subject, the headline numbers (computed here from kpicore) in the plain-text and HTML
parts, the summary slide inline, the PPTX and the PDF attached. STARTTLS with a certificate of
our own authority, trusted through PILOTAGE_SMTP_CAFILE and refused without it; AUTH; a refused
recipient; a server down (exit code 7, the .eml kept); each rep's own view at their own address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import socket
import ssl
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from unittest import mock

import pytest

from addin.cli import main
from addin.mail.settings import IMPLICIT_TLS_PORT, SettingError, recipients, resolve
from addin.scheduled import EXIT_MAIL_FAILED

SENDER = "pilotage@exemple.fr"
PASSWORD = "s3cret-de-test"
WITH_ADDRESS = {"Sophie Martin": "sophie.martin@exemple.fr", "Thomas Moreau": "thomas.moreau@exemple.fr"}


# --------------------------------------------------------------------------- the servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message; a recipient starting with ``refuse`` is refused."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@dataclass
class Server:
    port: int
    recorder: Recorder

    def env(self, **more: str) -> dict[str, str]:
        return {"PILOTAGE_SMTP_HOST": "127.0.0.1", "PILOTAGE_SMTP_PORT": str(self.port),
                "PILOTAGE_SMTP_FROM": SENDER, **more}


@contextlib.contextmanager
def running(**smtp_parameters) -> Iterator[Server]:
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **smtp_parameters)
    controller.start()
    try:
        yield Server(port, recorder)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def plain_server() -> Iterator[Server]:
    """No TLS: a relay on the same machine (PILOTAGE_SMTP_STARTTLS=0)."""
    with running() as server:
        yield server


@dataclass(frozen=True)
class Authority:
    ca: Path  # what PILOTAGE_SMTP_CAFILE names
    chain: Path
    key: Path


@pytest.fixture(scope="module")
def authority(tmp_path_factory) -> Authority:
    """A certificate authority of our own and a server certificate it signs for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    import ipaddress

    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pilotage test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "server.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return Authority(folder / "ca.pem", folder / "server.pem", folder / "server.key")


def _authenticate(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"pilotage" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls_server(authority) -> Iterator[Server]:
    """STARTTLS required, AUTH required and offered only once TLS is up (as a company's relay)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority.chain, authority.key)
    with running(tls_context=context, require_starttls=True, authenticator=_authenticate, auth_required=True,
                 auth_require_tls=True) as server:
        yield server


# --------------------------------------------------------------------------- running the command line

@dataclass(frozen=True)
class Ran:
    code: int
    err: str
    out: str


def run_cli(argv: list[str], env: dict[str, str], capsys=None) -> Ran:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PILOTAGE_SMTP_")}
    stderr, stdout = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, {**clean, **env}, clear=True), \
            contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
        code = main(argv)
    return Ran(code, stderr.getvalue(), stdout.getvalue())


@pytest.fixture(scope="module")
def company(tmp_path_factory, demo_data) -> Path:
    """The demo company with an address for two of its reps (the others have none)."""
    from workbook_templates.pipeline_workbook import write_pipeline_workbook

    reps = demo_data.reps.copy()
    reps["email"] = reps["rep"].map(WITH_ADDRESS).astype("string")
    path = tmp_path_factory.mktemp("company") / "pipeline_demo.xlsx"
    write_pipeline_workbook(demo_data.with_frames(reps=reps), path)
    return path


def copy_of(workbook: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(workbook, folder / workbook.name))


@dataclass(frozen=True)
class MonthlyRun:
    ran: Ran
    out: Path
    workbook: Path
    received: list[tuple[list[str], EmailMessage]]
    seconds: float


@pytest.fixture(scope="module")
def monthly_run(company, plain_server, tmp_path_factory, soffice) -> MonthlyRun:
    import time

    folder = tmp_path_factory.mktemp("monthly")
    workbook = copy_of(company, folder / "in")
    before = len(plain_server.recorder.received)
    started = time.perf_counter()
    ran = run_cli(["run", "monthly", str(workbook), "--out", str(folder / "out"), "--mail", "--to",
                   "direction@exemple.fr,finance@exemple.fr"], plain_server.env(PILOTAGE_SMTP_STARTTLS="0"))
    return MonthlyRun(ran, folder / "out", workbook, plain_server.recorder.received[before:],
                      time.perf_counter() - started)


def headline(workbook: Path) -> dict[str, str]:
    """The monthly deck's headline, worked out here from kpicore: the month reviewed (the last month over
    today), its revenue won and its target, as the French catalogue writes money."""
    from kpicore.metrics.kpis import KpiEngine
    from kpicore.model.periods import MONTH, Period
    from kpicore.model.roster import Scope
    from kpicore.text.catalogue import figure_text
    from workbook_templates.company import load_company

    data = load_company(workbook)
    today = dt.date.today()
    month = Period.containing(MONTH, today)
    month = month if month.end <= today else month.previous()
    engine = KpiEngine(data, today)
    won = float(engine.table(month).loc[Scope.company().key, "revenue_won"])
    target = engine.target("revenue_won", month, Scope.company())
    return {"won": figure_text(won, "money", "fr"), "target": figure_text(target, "money", "fr"),
            "share": figure_text(won / target, "percent", "fr")}


def parts(msg: EmailMessage) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for part in msg.walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return found


def check_deck_message(msg: EmailMessage, workbook: Path, tmp_path: Path) -> None:
    """The parts of a monthly deck's message, sent or kept as .eml."""
    from pptx import Presentation

    numbers = headline(workbook)
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for text in (plain, html):
        assert all(value in text for value in numbers.values()), (numbers, text)
    found = parts(msg)
    (image,) = found["image/png"]
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html and image.get_content_disposition() == "inline"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    (pptx,) = found["application/vnd.openxmlformats-officedocument.presentationml.presentation"]
    assert pptx.get_filename().endswith(".pptx")
    deck = Presentation(io.BytesIO(pptx.get_content()))
    # slide 1, the executive summary, is what the message says in words and shows as its image
    summary = {shape.name: [p.text.replace("\u2060", "") for p in shape.text_frame.paragraphs]
               for shape in deck.slides[0].shapes if shape.has_text_frame}
    assert numbers["won"] in summary["Chiffre 1 texte"][1]
    assert " ".join(summary["Accroche"]).strip() in plain
    for part_name, heading in (("Risque texte", "Risque principal"), ("Décision texte", "Décision demandée")):
        assert summary[part_name][0] == heading
        assert f"{heading} : {summary[part_name][1]}" in plain and heading in html
    (pdf,) = found["application/pdf"]
    (tmp_path / "deck.pdf").write_bytes(pdf.get_content())
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        from tests.conftest import require_or_skip
        require_or_skip("pdftoppm introuvable : apt-get install poppler-utils")
    subprocess.run([pdftoppm, "-png", "-r", "20", "-f", "1", "-l", "1", str(tmp_path / "deck.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    assert list(tmp_path.glob("page-*.png"))


# --------------------------------------------------------------------------- settings

def test_the_environment_wins_and_the_password_never_comes_from_the_workbook(tmp_path):
    book = {"mail.smtp_host": "smtp.classeur.fr", "mail.smtp_port": "25", "mail.from": "classeur@exemple.fr",
            "mail.smtp_password": "dans-le-classeur", "mail.password": "dans-le-classeur",
            "mail.monthly.to": "a@exemple.fr; b@exemple.fr"}
    s = resolve(book.get, {})
    assert (s.host, s.port, s.sender, s.starttls, s.password) == ("smtp.classeur.fr", 25, "classeur@exemple.fr",
                                                                  True, None)
    s = resolve(book.get, {"PILOTAGE_SMTP_HOST": "smtp.env.fr", "PILOTAGE_SMTP_PORT": "465",
                           "PILOTAGE_SMTP_PASSWORD": "env"})
    assert (s.host, s.port, s.implicit_tls, s.password, s.sender) == ("smtp.env.fr", IMPLICIT_TLS_PORT, True, "env",
                                                                      "classeur@exemple.fr")
    default = resolve({}.get, {})
    assert (default.port, default.starttls, default.implicit_tls) == (587, True, False)
    assert recipients("monthly", book.get) == ("a@exemple.fr", "b@exemple.fr")
    assert recipients("monthly", book.get, "c@exemple.fr") == ("c@exemple.fr",)
    assert recipients("weekly", book.get) == ()
    with pytest.raises(SettingError):
        resolve({"mail.smtp_port": "vingt-cinq"}.get, {})
    with pytest.raises(SettingError):
        recipients("weekly", {}.get, "pas-une-adresse")


# --------------------------------------------------------------------------- a run mailed

def test_a_monthly_run_mails_its_deck_with_the_headline_numbers(monthly_run, tmp_path, pdftoppm):
    assert monthly_run.ran.code == 0, monthly_run.ran.err
    (envelope, msg), = monthly_run.received
    assert envelope == ["direction@exemple.fr", "finance@exemple.fr"]
    assert msg["From"] == SENDER and msg["To"] == "direction@exemple.fr, finance@exemple.fr"
    (deck,) = monthly_run.out.glob("Revue mensuelle *.pptx")
    assert msg["Subject"] == deck.stem and "X-Unsent" not in msg
    check_deck_message(msg, monthly_run.workbook, tmp_path)
    log = (monthly_run.out / "pilotage_planifie.log").read_text(encoding="utf-8")
    assert "envoyé à direction@exemple.fr, finance@exemple.fr ; PPTX, PDF et image de la synthèse" in log
    print(f"monthly run with mail: {monthly_run.seconds:.1f} s")


def test_a_server_down_keeps_the_message_as_an_unsent_eml(company, monthly_run, tmp_path, soffice, pdftoppm):
    workbook = copy_of(company, tmp_path / "in")
    out = tmp_path / "out"
    env = {"PILOTAGE_SMTP_HOST": "127.0.0.1", "PILOTAGE_SMTP_PORT": str(free_port()), "PILOTAGE_SMTP_FROM": SENDER}
    ran = run_cli(["run", "monthly", str(workbook), "--out", str(out), "--mail", "--to", "direction@exemple.fr"], env)
    assert ran.code == EXIT_MAIL_FAILED == 7
    assert "connexion impossible au serveur SMTP 127.0.0.1" in ran.err and "non envoyé" in ran.err
    (deck,) = out.glob("Revue mensuelle *.pptx")
    eml = deck.with_suffix(".eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1" and msg["To"] == "direction@exemple.fr" and msg["From"] == SENDER
    check_deck_message(msg, workbook, tmp_path)
    sent = monthly_run.received[0][1]
    assert sorted(parts(msg)) == sorted(parts(sent))
    assert "code 7" in (out / "pilotage_planifie.log").read_text(encoding="utf-8")


def test_without_libreoffice_nor_recipient_the_message_says_so(monthly_run, monkeypatch, demo_data):
    from addin.mail.delivery import deliver_deck

    monkeypatch.setattr("workbook_templates.libreoffice.soffice_path", lambda: None)
    (deck,) = monthly_run.out.glob("Revue mensuelle *.pptx")
    copy = Path(shutil.copy2(deck, monthly_run.out / "copie.pptx"))
    done = deliver_deck(demo_data, "monthly", copy, to=None, language="fr", environ={})
    assert not done.ok
    assert "aucun destinataire" in done.detail and "mail.monthly.to" in done.detail
    assert "LibreOffice introuvable : ni PDF ni image" in done.detail
    msg = message_from_bytes(copy.with_suffix(".eml").read_bytes(), policy=policy.default)
    assert "application/pdf" not in parts(msg) and "image/png" not in parts(msg)
    assert "LibreOffice n'est pas installé" in msg.get_body(("plain",)).get_content()
    assert "LibreOffice n'est pas installé" in msg.get_body(("html",)).get_content()


# --------------------------------------------------------------------------- TLS, AUTH, refusals

def test_starttls_with_the_company_authority_and_auth(tls_server, authority):
    before = len(tls_server.recorder.received)
    env = tls_server.env(PILOTAGE_SMTP_USER="pilotage", PILOTAGE_SMTP_PASSWORD=PASSWORD,
                         PILOTAGE_SMTP_CAFILE=str(authority.ca))
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], env)
    assert ran.code == 0, ran.err
    assert "Message de test envoyé à admin@exemple.fr" in ran.out
    (envelope, msg), = tls_server.recorder.received[before:]
    assert envelope == ["admin@exemple.fr"] and msg["Subject"] == "Pilotage : message de test"


def test_a_certificate_nobody_vouches_for_is_refused(tls_server):
    env = tls_server.env(PILOTAGE_SMTP_USER="pilotage", PILOTAGE_SMTP_PASSWORD=PASSWORD)
    before = len(tls_server.recorder.received)
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], env)
    assert ran.code == EXIT_MAIL_FAILED
    assert "n'a pas pu être vérifié" in ran.err and "PILOTAGE_SMTP_CAFILE" in ran.err
    assert len(tls_server.recorder.received) == before


def test_a_wrong_password_is_refused(tls_server, authority):
    env = tls_server.env(PILOTAGE_SMTP_USER="pilotage", PILOTAGE_SMTP_PASSWORD="faux",
                         PILOTAGE_SMTP_CAFILE=str(authority.ca))
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], env)
    assert ran.code == EXIT_MAIL_FAILED and "authentification refusée pour pilotage" in ran.err


def test_no_password_goes_out_in_clear(tls_server):
    # STARTTLS turned off: the server offers no AUTH before TLS, and Pilotage never tries
    env = tls_server.env(PILOTAGE_SMTP_USER="pilotage", PILOTAGE_SMTP_PASSWORD=PASSWORD, PILOTAGE_SMTP_STARTTLS="non")
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], env)
    assert ran.code == EXIT_MAIL_FAILED and "n'accepte pas d'authentification" in ran.err


def test_a_refused_recipient(plain_server):
    ran = run_cli(["mail", "test", "--to", "refuse@exemple.fr"], plain_server.env(PILOTAGE_SMTP_STARTTLS="0"))
    assert ran.code == EXIT_MAIL_FAILED
    assert "destinataire refusé par le serveur SMTP : refuse@exemple.fr (550" in ran.err


def test_mail_test_without_server():
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], {})
    assert ran.code == EXIT_MAIL_FAILED and "aucun serveur SMTP configuré" in ran.err


# --------------------------------------------------------------------------- each rep their own view

def _texts(msg: EmailMessage) -> str:
    """Every text a rep could read in their message: the parts and the attached workbook's XML."""
    found = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            found.append(part.get_content())
        elif part.get_filename() and part.get_filename().endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(part.get_content())) as z:
                found += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
    return "\n".join(found) + "\n".join(str(v) for v in msg.values())


def test_each_rep_receives_only_their_own_view(company, plain_server, demo_data, tmp_path):
    workbook = copy_of(company, tmp_path / "in")
    before = len(plain_server.recorder.received)
    ran = run_cli(["run", "refresh", str(workbook), "--out", str(tmp_path / "out"), "--to-reps"],
                  plain_server.env(PILOTAGE_SMTP_STARTTLS="0"))
    assert ran.code == 0, ran.err
    received = plain_server.recorder.received[before:]
    assert sorted(e[0] for e, _ in received) == sorted(WITH_ADDRESS.values())
    reps = [str(r) for r in demo_data.reps["rep"]]
    for envelope, msg in received:
        (rep,) = [name for name, address in WITH_ADDRESS.items() if envelope == [address]]
        text = _texts(msg)
        assert rep in text
        assert [other for other in reps if other != rep and other in text] == []
    without = ", ".join(r for r in reps if r not in WITH_ADDRESS)
    assert f"7 commerciaux actifs sans adresse e-mail dans la feuille Commerciaux (colonne E-mail) : {without}" \
        in ran.err


def test_one_refused_address_among_two_fails_the_sending(plain_server):
    before = len(plain_server.recorder.received)
    ran = run_cli(["mail", "test", "--to", "admin@exemple.fr,refuse.aussi@exemple.fr"],
                  plain_server.env(PILOTAGE_SMTP_STARTTLS="0"))
    assert ran.code == EXIT_MAIL_FAILED and "refuse.aussi@exemple.fr" in ran.err
    assert [e for e, _ in plain_server.recorder.received[before:]] == [["admin@exemple.fr"]]


def test_implicit_tls_on_the_smtps_port(authority, monkeypatch):
    # the SMTPS port is 465; the test server listens elsewhere, so that port is taken for it
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(authority.chain, authority.key)
    with running(ssl_context=server_context) as server:
        monkeypatch.setattr("addin.mail.settings.IMPLICIT_TLS_PORT", server.port)
        ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], server.env(PILOTAGE_SMTP_CAFILE=str(authority.ca)))
        assert ran.code == 0, ran.err
        assert [e for e, _ in server.recorder.received] == [["admin@exemple.fr"]]
        ran = run_cli(["mail", "test", "--to", "admin@exemple.fr"], server.env())
        assert ran.code == EXIT_MAIL_FAILED and "n'a pas pu être vérifié" in ran.err
