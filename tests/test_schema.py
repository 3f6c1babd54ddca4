"""The JSON Schema in ``schemas/``: generated from the models, checked by ``jsonschema``."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import random_recurrent, xor_net
from hypothesis import given, settings
from hypothesis import strategies as st

from netgraph import Layer, Network, NetworkFormatError, _document

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
    # the network format's versions; schemas/ also holds other documents' (NEAT checkpoints)
    files = sorted(SCHEMAS.glob("netgraph-network-*.schema.json"))
    versions = sorted(int(re.fullmatch(r"netgraph-network-v(\d+)\.schema\.json", f.name)[1])
                      for f in files)
    assert {f.name for f in SCHEMAS.glob("*.schema.json")} - {f.name for f in files} == {
        "netgraph-neat-checkpoint-v1.schema.json"}
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


# ---------------------------------------------- one truth: the loader and the schema agree
def _nested(depth: int) -> object:
    value: object = 1
    for k in range(depth):
        value = [value] if k % 2 else {"k": value}
    return value


TRICKY = [None, True, False, 0, 1, 2, -1, 1.0, 0.0, -0.0, 1.5, 2**63 - 1, 2**63, 1e308,
          -1.7976931348623157e308, 10**400, -(10**309), 3.0e300, "", "x", "yes", "true", "0",
          "input", "hidden", "output", "logistic", "tanh", "sgd", "h0", "i0",
          "2025-01-01T00:00:00Z", "2025-01-01t00:00:00.5+01:00", "2025-01-01",
          "2025-02-30T00:00:00Z", "2025-01-01T00:00:00Z\n", "2025-01-01T24:00:00Z",
          [], [0], [1.0], [None], {}, {"a": 1}, {"bias": 1}, {"weight": 2}, {"name": "n"},
          {"created": "x"}, {"a": 10**400}, {"a": [1e308, -0.0]}, _nested(63), _nested(64),
          _nested(65)]
TOP = ["format", "version", "metadata", "neurons", "synapses", "training", "attrs", "extra"]
NEURON = ["id", "role", "activation", "bias", "layer", "fixed", "attrs", "biass"]
ROW = ["source", "target", "weight", "delay", "gater", "attrs", "weigth"]
COLUMN = ["source", "target", "weight", "delay", "gater", "attrs", "sources"]
META = ["name", "description", "netgraph_version", "created", "author"]
TRAINING = ["optimizer", "cost", "rate", "momentum", "batch_size", "iterations", "error",
            "epochs"]
CROSS_REFERENCE = ("duplicate id", "unknown neuron", "no neuron at index", "duplicate synapse",
                   "input neurons take no synapses", "cycle without a delayed synapse",
                   "the network has no", "items, but source has", "cannot evaluate")


def _base(layout: str) -> dict:
    net = xor_net(seed=0)
    net.graph.graph["training"] = {"rate": 0.3}
    doc = json.loads(net.to_json(layout=layout))
    doc["attrs"] = {"note": 1}
    return doc


@st.composite
def near_valid_documents(draw) -> dict:
    doc = _base(draw(st.sampled_from(["rows", "columns"])))
    # a fresh copy each time: one shared list or dict placed twice (or inside itself) made
    # a document with a cycle, which json.dumps refuses
    value = st.sampled_from(TRICKY).map(copy.deepcopy)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["top", "neuron", "synapse", "metadata", "training"]))
        if where == "top":
            doc[draw(st.sampled_from(TOP))] = draw(value)
        elif where == "neuron" and isinstance(doc.get("neurons"), list) and doc["neurons"]:
            k = draw(st.integers(0, len(doc["neurons"]) - 1))
            if isinstance(doc["neurons"][k], dict):
                doc["neurons"][k][draw(st.sampled_from(NEURON))] = draw(value)
        elif where == "synapse" and isinstance(doc.get("synapses"), list) and doc["synapses"]:
            k = draw(st.integers(0, len(doc["synapses"]) - 1))
            if isinstance(doc["synapses"][k], dict):
                doc["synapses"][k][draw(st.sampled_from(ROW))] = draw(value)
        elif where == "synapse" and isinstance(doc.get("synapses"), dict):
            col = doc["synapses"].setdefault(draw(st.sampled_from(COLUMN)), [])
            if isinstance(col, list) and col and draw(st.booleans()):
                col[draw(st.integers(0, len(col) - 1))] = draw(value)
            else:
                doc["synapses"][draw(st.sampled_from(COLUMN))] = draw(value)
        elif where == "metadata" and isinstance(doc.get("metadata"), dict):
            doc["metadata"][draw(st.sampled_from(META))] = draw(value)
        elif where == "training" and isinstance(doc.get("training"), dict):
            doc["training"][draw(st.sampled_from(TRAINING))] = draw(value)
    return doc


@settings(max_examples=400, deadline=None)
@given(near_valid_documents())
def test_load_and_the_published_schema_agree(doc):
    """What ``load`` accepts passes the published schema; what the schema accepts loads,
    unless it breaks a cross-reference rule that no JSON Schema can state (unique ids,
    synapse ends, duplicates, cycles, equal column lengths)."""
    text = json.dumps(doc)
    in_schema = validator().is_valid(json.loads(text))
    try:
        Network.from_json(text)
    except NetworkFormatError as e:
        assert not in_schema or any(c in str(e) for c in CROSS_REFERENCE), (
            f"the schema accepts what load refuses: {e}")
    else:
        assert in_schema, f"load accepts what the schema refuses: " \
                          f"{next(validator().iter_errors(json.loads(text))).message}"


@pytest.mark.parametrize(("mutate", "ok"), [
    (lambda d: d["neurons"][2].update(fixed="yes"), False),
    (lambda d: d["neurons"][2].update(fixed=0), False),
    (lambda d: d["neurons"][2].update(fixed=True), True),
    (lambda d: d["neurons"][2].update(bias=10**400), False),
    (lambda d: d["neurons"][2].update(attrs={"a": 10**400}), False),
    (lambda d: d["neurons"][2].update(attrs={"role": "x"}), False),
    (lambda d: d["neurons"][2].update(attrs={"deep": _nested(63)}), True),
    (lambda d: d["neurons"][2].update(attrs={"deep": _nested(64)}), False),
    (lambda d: d.update(attrs={"training": 1}), False),
    (lambda d: d.update(attrs={"created": "2025-01-01T00:00:00Z"}), False),
    (lambda d: d["metadata"].update(created="yesterday"), False),
    (lambda d: d["metadata"].update(created="2025-01-01T00:00:00Z\n"), False),
    (lambda d: d["metadata"].update(created="2025-01-01T00:00:00.25-05:30"), True),
    (lambda d: d["synapses"][0].update(delay=1.0), True),
    (lambda d: d.update(version=1.0), True),
])
def test_the_edges_of_the_format_agree(mutate, ok):
    doc = json.loads(xor_net(seed=0).to_json(layout="rows"))
    mutate(doc)
    assert validator().is_valid(doc) == ok
    if ok:
        Network.from_json(json.dumps(doc))
    else:
        with pytest.raises(NetworkFormatError):
            Network.from_json(json.dumps(doc))
