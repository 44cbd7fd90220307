"""Delivery by e-mail (addin.mail): the messages, the run's log lines and the errors of sending."""

MESSAGES = {
    # the messages
    "mail.greeting": "Hello,",
    "mail.signature": "— Pilotage",
    "mail.deck.subject": "{deck}",
    "mail.deck.intro": "Here is the {deck}. The headline numbers:",
    "mail.deck.row": "- {label}: {values}",
    "mail.deck.attached": "The presentation is attached (PPTX).",
    "mail.deck.attached_pdf": "The presentation is attached as PPTX and PDF.",
    "mail.deck.no_libreoffice": "LibreOffice is not installed on the computer that prepared this message: "
                                "no PDF nor image of the summary slide, only the PPTX presentation.",
    "mail.deck.no_image": "The image of the summary slide could not be made (pdftoppm missing); the PDF is attached.",
    "mail.deck.no_pdf": "The PDF could not be made ({reason}): only the PPTX presentation is attached.",
    "mail.rep.subject": "Your Pilotage view as of {as_of:date}",
    "mail.rep.greeting": "Hello {name},",
    "mail.rep.intro": "Here is your Pilotage view as of {as_of:date}: your indicators and your activities "
                      "of the last three months, attached.",
    "mail.rep.private": "This file holds only your own figures.",
    "mail.test.subject": "Pilotage: test message",
    "mail.test.body": "This message confirms that Pilotage can send e-mail through the server {host} (port {port}).",
    # the run's log
    "mail.step.deck": "sending {deck}",
    "mail.step.rep": "sending view {rep}",
    "mail.step.reps": "sending to reps",
    "mail.log.sent": "sent to {to}; {what}",
    "mail.log.rep_sent": "sent to {to}; attachment {file}",
    "mail.log.complete": "PPTX, PDF and summary image",
    "mail.log.no_libreoffice": "LibreOffice not found: no PDF nor image, PPTX only",
    "mail.log.partial": "PDF or image missing ({reason})",
    "mail.log.join": "{first}; {then}",
    "mail.log.kept": "message saved in {file} (not sent: open it in Outlook to send it)",
    "mail.log.not_kept": "the message could not be saved in {file}: {reason}",
    "mail.log.reps_without_address": "{count:count|active rep|active reps} without an e-mail address in the Reps "
                                     "sheet (E-mail column): {reps}",
    # the errors
    "mail.error.address": "invalid e-mail address: \"{address}\" → write it as name@domain.com "
                          "(several addresses separated by commas).",
    "mail.error.port": "invalid SMTP port: \"{value}\" → give a number, 587 (STARTTLS) or 465 (TLS).",
    "mail.error.cafile": "certificate file not found: {file} → correct PILOTAGE_SMTP_CAFILE.",
    "mail.error.no_server": "no SMTP server configured → set PILOTAGE_SMTP_HOST or the mail.smtp_host setting "
                            "of the Settings sheet.",
    "mail.error.no_sender": "no sender configured → set PILOTAGE_SMTP_FROM or the mail.from setting of the "
                            "Settings sheet.",
    "mail.error.no_password": "the SMTP account {user} has no password → set PILOTAGE_SMTP_PASSWORD "
                              "(never in the workbook).",
    "mail.error.no_recipients": "no recipient → give --to or the {key} setting of the Settings sheet.",
    "mail.error.connect": "cannot connect to the SMTP server {host}:{port} ({reason}) → check the server name, "
                          "the port and the network.",
    "mail.error.timeout": "the SMTP server {host}:{port} does not answer (over {seconds} s) → check the server "
                          "and the port.",
    "mail.error.no_starttls": "the SMTP server {host}:{port} does not offer STARTTLS → use port 465 (TLS) or ask "
                              "the administrator to enable STARTTLS.",
    "mail.error.certificate": "the certificate of the SMTP server {host}:{port} could not be verified ({reason}) → "
                              "name the company's authority certificate in PILOTAGE_SMTP_CAFILE.",
    "mail.error.tls": "TLS failed with the SMTP server {host}:{port} ({reason}) → check the port "
                      "(587 STARTTLS, 465 TLS).",
    "mail.error.no_auth": "the SMTP server {host}:{port} accepts no authentication → remove PILOTAGE_SMTP_USER "
                          "or check the encryption (STARTTLS).",
    "mail.error.auth": "authentication refused for {user} by the SMTP server {host}:{port} ({reason}) → "
                       "check PILOTAGE_SMTP_USER and PILOTAGE_SMTP_PASSWORD.",
    "mail.error.refused": "recipient refused by the SMTP server: {addresses} ({reason}) → check the address.",
    "mail.error.sender_refused": "sender {sender} refused by the SMTP server ({reason}) → check mail.from "
                                 "or PILOTAGE_SMTP_FROM.",
    "mail.error.smtp": "the SMTP server {host}:{port} refused the message ({reason}).",
    # pilotage mail test
    "mail.test.sent": "Test message sent to {to} through {host}:{port}.",
    "mail.test.failed": "The test message could not be sent: {reason}",
    # the command line
    "cli.help.run.mail": "sends each deck this run writes to its audience (SMTP server: PILOTAGE_SMTP_* "
                         "variables or the Settings sheet)",
    "cli.help.run.to": "the decks' recipients, separated by commas (else the mail.<kind>.to setting)",
    "cli.help.run.to_reps": "sends each active rep their own view, at the address of the Reps sheet",
    "cli.help.mail": "checks sending e-mail (test message)",
    "cli.help.mail.action": "test: sends a short test message",
    "cli.help.mail.to": "the test message's recipient",
    "cli.help.mail.file": "a workbook whose Settings sheet completes the configuration (optional)",
    "cli.error.to_without_mail": "--to only works with --mail → add --mail, or remove --to.",
    "cli.metavar.addresses": "ADDRESSES",
}
