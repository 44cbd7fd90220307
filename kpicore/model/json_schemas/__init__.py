"""Versioned JSON Schemas of the JSON outputs (package data), and the envelope they all share.

Every ``--json`` document starts with the same five keys, built by :func:`envelope`:

- ``$schema``: the ``$id`` URL of the document's schema;
- ``version``: that schema's version (an integer, the ``N`` of its file name);
- ``kind``: which document it is (``check``, ``kpis``, ``alerts``, ``forecast``,
  ``backtest``, ``risks``, ``diagnostic``);
- ``source``: the file the data came from (``PipelineData.source``);
- ``as_of``: the ISO date the document is computed as of, or ``null`` for a
  document that has none (``check`` reports on a file; ``backtest`` replays
  many dates, given by its ``as_of_first`` and ``as_of_last``).

A scope, wherever it appears, has one shape (:func:`scope_json`):
``{"level": "company"|"team"|"rep", "name": str, "label": str}``; ``name`` is
empty for the company, and ``label`` is always present, in the reader's language
(« Entreprise », « Équipe Nord » or "Company", "Team Nord"; a rep by their name).

Schema files are named ``KIND.vN.json`` and their ``$id`` is
``BASE_URL + file name``; a change of shape that could break a reader gets a
new ``N`` (and the file of the old one goes, once no output follows it).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from importlib import resources
from typing import Any, Callable

from kpicore.model.messages import Message
from kpicore.model.roster import Scope

BASE_URL = "https://pilotage.example/schemas/"

# the schema each document follows, by kind
SCHEMA_FILES: dict[str, str] = {
    "check": "check.v2.json",
    "kpis": "kpis.v2.json",
    "alerts": "alerts.v3.json",
    "forecast": "forecast.v3.json",
    "backtest": "backtest.v3.json",
    "risks": "risks.v3.json",
    "diagnostic": "diagnostic.v1.json",
}

ENVELOPE_KEYS: tuple[str, ...] = ("$schema", "version", "kind", "source", "as_of")
SCOPE_KEYS: tuple[str, ...] = ("level", "name", "label")


def schema_file(kind: str) -> str:
    """The file name of the schema of ``kind`` (``kpis`` -> ``kpis.v2.json``)."""
    return SCHEMA_FILES[kind]


def schema_id(kind: str) -> str:
    return BASE_URL + schema_file(kind)


def schema_version(kind: str) -> int:
    return int(re.fullmatch(r"[a-z_]+\.v(\d+)\.json", schema_file(kind)).group(1))


def load_schema(name: str) -> dict:
    """A committed schema, by kind (``kpis``) or by file name (``kpis.v2.json``)."""
    name = SCHEMA_FILES.get(name, name)
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def _iso_day(day: Any) -> str | None:
    if day is None:
        return None
    if isinstance(day, datetime):  # pandas.Timestamp too
        return day.date().isoformat()
    if isinstance(day, date):
        return day.isoformat()
    return date.fromisoformat(str(day)).isoformat()


def envelope(kind: str, source: str, as_of: Any) -> dict[str, Any]:
    """The first keys of every JSON document (module docstring); the document's own keys follow."""
    return {"$schema": schema_id(kind), "version": schema_version(kind), "kind": kind,
            "source": str(source or ""), "as_of": _iso_day(as_of)}


def scope_json(scope: Any, text: Callable[[Message], str] | None = None) -> dict[str, str]:
    """A scope in its one JSON shape, from a ``kpicore.model.roster.Scope`` or a ``(level, name)`` key; ``text``
    (the edge's renderer) gives its label in the reader's language, else the French label."""
    if not isinstance(scope, Scope):
        scope = Scope(*scope)
    label = text(Message.of("scope.label", scope=scope)) if text is not None else scope.label
    return {"level": scope.level, "name": scope.key[1], "label": label}
