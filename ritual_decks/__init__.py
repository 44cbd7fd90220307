"""The ritual decks in PowerPoint: the weekly pipeline review, the monthly and the quarterly executive reviews.

Public API (``ritual_decks.deck``)::

    build_weekly(data, as_of, out_path, template=None) -> Path
    build_monthly(data, as_of, out_path, period=None, template=None) -> Path
    build_quarterly(data, as_of, out_path, period=None, template=None) -> Path
    weekly_deck(...) / monthly_deck(...) / quarterly_deck(...) -> DeckReport   # what each slide showed
    to_pdf(deck, out_dir=None) -> Path                  # through LibreOffice

Modules: ``style`` (16:9, fonts, palette), ``formats`` (short units for tables;
numbers and dates are ``kpicore.text.formats``), ``text_fit`` (text extent from
font metrics, "…"), ``charts`` (native charts, the waterfall), ``slides`` (the
slide writer and client templates), ``blocks`` (slides both decks share), ``summary``
(the executive summary, slide 1 of every deck),
``weekly``, ``monthly``, ``quarterly``, ``shown`` (the DeckReport).
"""
