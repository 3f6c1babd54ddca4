"""The JSON Schema in ``schemas/``: generated from the models, checked by ``jsonschema``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import random_recurrent, xor_net

from netgraph import Layer, Network, _document

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
FIXTURES = Path(__file__).parent / "fixtures" / "json"


def schema(version: int = _document.VERSION) -> dict:
    return json.loads(_document.schema_path(version).read_text(encoding="utf-8"))


def validator(version: int = _document.VERSION) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(version), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_schema_file_matches_the_models():
    path = _document.schema_path()
    assert path.parent == SCHEMAS
    assert path.name == f"netgraph-network-v{_document.VERSION}.schema.json"
    assert path.read_text(encoding="utf-8") == _document.schema_text(), (
        "schemas/ drifted from netgraph/_document.py: run python scripts/gen_schemas.py")


def test_generator_script_checks_drift():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_schemas.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_version_has_a_valid_schema_with_schema_and_id():
    files = sorted(SCHEMAS.glob("*.schema.json"))
    versions = sorted(int(re.fullmatch(r"netgraph-network-v(\d+)\.schema\.json", f.name)[1])
                      for f in files)
    assert versions == list(range(1, _document.VERSION + 1))
    for v in versions:
        s = schema(v)
        jsonschema.Draft202012Validator.check_schema(s)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"] == f"urn:netgraph:schema:network:v{v}"
        assert list(s)[:2] == ["$schema", "$id"]
        assert s["additionalProperties"] is False


def documents() -> dict[str, str]:
    rng = np.random.default_rng(4)
    xor = xor_net(seed=1)
    xor.graph.graph.update(name="xor", description="d", training={"rate": 0.3, "iterations": 2},
                           note=[1, 2])
    xor.graph.nodes["h0"]["tag"] = {"a": [1, None]}
    xor.graph["h0"]["o0"]["label"] = "x"
    a, b = Layer(40), Layer(30)
    a.project(b)
    big = Network(input=a, output=b, seed=0)
    rec = Network.from_graph(random_recurrent(rng))
    return {
        "xor-rows": xor.to_json(), "xor-columns": xor.to_json(layout="columns"),
        "big": big.to_json(), "recurrent-rows": rec.to_json(layout="rows"),
        "recurrent-columns": rec.to_json(layout="columns"),
        **{f.name: f.read_text() for f in sorted(FIXTURES.glob("*-v1.json"))},
    }


@pytest.mark.parametrize(("name", "text"), list(documents().items()))
def test_saved_documents_pass_the_schema(name, text):
    errors = list(validator().iter_errors(json.loads(text)))
    assert not errors, f"{name}: {errors[0].json_path}: {errors[0].message}"


def test_frozen_fixtures_pass_their_versions_schema():
    for f in FIXTURES.glob("*-v*.json"):
        version = int(re.search(r"-v(\d+)\.json$", f.name)[1])
        validator(version).validate(json.loads(f.read_text()))


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(formatt=d.pop("format")),
    lambda d: d.update(format="netgraph"),
    lambda d: d.update(version=2),
    lambda d: d.pop("neurons"),
    lambda d: d["neurons"][0].update(biass=0.1),
    lambda d: d["neurons"][0].update(role="middle"),
    lambda d: d["neurons"][0].update(activation="LOGISTIC"),
    lambda d: d["neurons"][0].update(bias="0.1"),
    lambda d: d["neurons"][0].update(id=1.5),
    lambda d: d["neurons"][0].update(layer=[]),
    lambda d: d["neurons"][0].update(attrs=[]),
    lambda d: d["synapses"][0].update(weigth=1),
    lambda d: d["synapses"][0].update(delay=2),
    lambda d: d["synapses"][0].update(weight=None),
    lambda d: d["metadata"].update(author="me"),
    lambda d: d.update(training={"epochs": 1}),
    lambda d: d.update(training={"iterations": -1}),
    lambda d: d.update(synapses={"source": [0], "target": [1]}),
    lambda d: d.update(synapses={"source": [-1], "target": [1], "weight": [0.5]}),
    lambda d: d.update(synapses={"source": ["i0"], "target": [1], "weight": [0.5]}),
    lambda d: d.update(synapses={"source": [0], "target": [1], "weight": [0.5], "delay": [2]}),
    lambda d: d.update(synapses=3),
])
def test_schema_rejects_what_the_loader_rejects(mutate):
    doc = json.loads(xor_net(seed=0).to_json())
    mutate(doc)
    assert not validator().is_valid(doc)
    with pytest.raises(ValueError):
        Network.from_json(json.dumps(doc))
