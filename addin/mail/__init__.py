"""Delivery of the ritual decks by e-mail (DESIGN.md, "The ritual decks", Delivery).

- ``settings``: the SMTP server, sender and recipients, from the workbook's Settings and the
  environment (the environment wins; the password only ever comes from the environment);
- ``rendering``: the deck as PDF and its summary slide as PNG, through LibreOffice when it is there;
- ``summary``: the headline numbers of a deck, read back from its summary slide;
- ``message``: the ``EmailMessage`` of a deck, of a rep's own view, of a test;
- ``sending``: smtplib with verified TLS, and the ``.eml`` kept when sending fails;
- ``delivery``: what a scheduled run calls after writing its decks.
"""
