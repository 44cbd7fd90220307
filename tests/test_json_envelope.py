"""Every ``--json`` output shares one envelope and one scope shape, and follows its committed schema.

The contract is written out here (the keys, the schema file of each verb, the
scope shape) rather than read from ``kpicore.model.json_schemas``, so that a change
to it shows in this file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources

import jsonschema
import pytest

from addin.cli import main
from kpicore.text.catalogue import render

ENVELOPE = ("$schema", "version", "kind", "source", "as_of")
BASE_URL = "https://pilotage.example/schemas/"
SCHEMA_OF = {"check": "check.v2.json", "kpis": "kpis.v2.json", "alerts": "alerts.v3.json",
             "forecast": "forecast.v3.json", "backtest": "backtest.v3.json", "risks": "risks.v3.json",
             "diagnostic": "diagnostic.v1.json"}
LEVELS = {"company", "team", "rep"}
AS_OF = "2026-11-20"


def in_french(message) -> str:
    return render(message, "fr")


def _schema(name: str) -> dict:
    return json.loads(resources.files("kpicore.model.json_schemas").joinpath(name).read_text(encoding="utf-8"))


def _schema_files() -> list[str]:
    return sorted(p.name for p in resources.files("kpicore.model.json_schemas").iterdir() if p.name.endswith(".json"))


def _rep(demo_data) -> str:
    return str(demo_data.reps["rep"].dropna().iloc[0])


COMPANY = {"level": "company", "name": "", "label": "Entreprise"}
# verb: its arguments after the workbook, the envelope's as_of, and the scopes the document holds
# (None: at least one, any); {rep} is a rep of the demo company
VERBS = {
    "check": ([], None, []),
    "kpis": (["--period", "2026-10", "--as-of", AS_OF, "--scope", "team:Grands comptes"], AS_OF,
             [{"level": "team", "name": "Grands comptes", "label": "Équipe Grands comptes"}]),
    "alerts": (["--as-of", AS_OF], AS_OF, None),
    "forecast": (["--period", "2026-Q4", "--as-of", AS_OF, "--scope", "rep:{rep}", "--sims", "300"], AS_OF,
                 [{"level": "rep", "name": "{rep}", "label": "{rep}"}]),
    # a short replay: eight weekly dates, months only
    "backtest": (["--horizon", "month", "--from", "2026-09-07", "--to", "2026-10-31"], None, [COMPANY]),
    "risks": (["--as-of", AS_OF], AS_OF, []),
    # the date of the demo's data; no scope: a diagnostic is of the whole company
    "diagnostic": ([], AS_OF, []),
}


def _scopes(node):
    """Every value under a key ``scope``, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "scope":
                yield value
            yield from _scopes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scopes(value)


def _assert_scope(scope) -> None:
    assert isinstance(scope, dict) and tuple(sorted(scope)) == ("label", "level", "name"), scope
    assert scope["level"] in LEVELS
    assert isinstance(scope["name"], str) and isinstance(scope["label"], str) and scope["label"]
    assert (scope["name"] == "") == (scope["level"] == "company"), scope


@pytest.mark.parametrize("verb", list(VERBS))
def test_every_json_output_has_the_envelope_and_follows_its_schema(capsys, demo_workbook, demo_data, verb):
    extra, as_of, expected_scopes = VERBS[verb]
    rep = _rep(demo_data)
    argv = [verb, str(demo_workbook), *[a.format(rep=rep) for a in extra], "--json"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    doc = json.loads(out)

    schema = _schema(SCHEMA_OF[verb])
    jsonschema.validate(doc, schema)

    # the envelope: the same five keys first, in this order, with their types
    assert tuple(doc)[:len(ENVELOPE)] == ENVELOPE
    assert doc["$schema"] == schema["$id"] == BASE_URL + SCHEMA_OF[verb]
    assert type(doc["version"]) is int
    assert doc["version"] == int(re.fullmatch(r"[a-z]+\.v(\d+)\.json", SCHEMA_OF[verb]).group(1))
    assert doc["kind"] == verb
    assert doc["source"] == demo_workbook.name
    assert doc["as_of"] == as_of
    if doc["as_of"] is not None:
        date.fromisoformat(doc["as_of"])
    # the old envelope is gone
    assert "schema" not in doc

    scopes = list(_scopes(doc))
    for scope in scopes:
        _assert_scope(scope)
    if expected_scopes is None:
        assert scopes, f"{verb}: the demo company is built to raise alerts, each with its scope"
    else:
        assert scopes == [{k: v.format(rep=rep) for k, v in e.items()} for e in expected_scopes]


def test_the_schemas_are_the_ones_named_and_declare_the_same_envelope():
    # one file per kind, named KIND.vN.json; no file left over from an old version
    assert _schema_files() == sorted(SCHEMA_OF.values())
    scope_defs = []
    for kind, name in SCHEMA_OF.items():
        schema = _schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        version = int(re.fullmatch(r"[a-z]+\.v(\d+)\.json", name).group(1))
        assert schema["$id"] == BASE_URL + name
        assert f"version {version}" in schema["title"]
        # the forecast has two forms (one forecast, or a list): each carries the envelope
        for form in schema.get("oneOf", [schema]):
            assert set(ENVELOPE) <= set(form["required"]), (name, form["required"])
            props = form["properties"]
            assert props["$schema"] == {"const": schema["$id"]}
            assert props["version"] == {"const": version}
            assert props["kind"] == {"const": kind}
            assert props["source"] == {"type": "string"}
        if "scope" in schema.get("$defs", {}):
            scope_defs.append(schema["$defs"]["scope"])
    # the one scope shape, word for word in every schema that has a scope
    assert len(scope_defs) == 4  # kpis, alerts, forecast, backtest
    assert all(d == scope_defs[0] for d in scope_defs)
    assert scope_defs[0]["required"] == ["level", "name", "label"]
    assert scope_defs[0]["additionalProperties"] is False


def test_a_document_with_an_old_scope_or_envelope_is_refused(demo_data):
    from kpicore.metrics.json_results import kpis_json

    doc = kpis_json(demo_data, "2026-10", AS_OF, text=in_french)
    schema = _schema(SCHEMA_OF["kpis"])
    old_scope = {**doc, "scope": {"type": "company", "name": ""}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(old_scope, schema)
    old_envelope = {k: v for k, v in doc.items() if k not in ("$schema", "kind", "source")}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": "pilotage.kpis", **old_envelope}, schema)
