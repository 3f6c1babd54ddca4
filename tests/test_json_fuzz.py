"""Fuzzing the loader: mutated and random documents raise NetworkFormatError, nothing else.

Thousands of documents, made by mutating valid ones (their parsed structure and their
text) and from scratch, go into ``Network.from_json`` and ``Network.load``. Each must
either load or raise ``NetworkFormatError``. When one loads, it must also pass the
JSON Schema (the schema is never stricter than the loader) and save and load again
to the same network.
"""

from __future__ import annotations

import copy
import json
import random
import traceback

import jsonschema
import numpy as np
import pytest
from conftest import random_recurrent, xor_net
from hypothesis import given, settings
from hypothesis import strategies as st

from netgraph import Layer, Network, NetworkFormatError
from netgraph._document import json_schema

VALIDATOR = jsonschema.Draft202012Validator(json_schema())

POOL = [None, True, False, 0, 1, -1, 2, 7, 2**31, 2**63, 2**64, -(2**63), 10**30, 0.5, -0.0,
        1e308, 5e-324, 1.5, "", "x", "h0", "i0", "o0", "input", "hidden", "output", "logistic",
        "tanh", "identity", "netgraph-network", "rows", "columns", "weight", "source", [], {},
        [0, 1], [1.5], ["h0"], {"a": 1}, {"weight": 1}, [[[[[]]]]], {"source": [0], "target": [1],
        "weight": [0.5]}]
KEYS = ["format", "version", "metadata", "neurons", "synapses", "training", "attrs", "id",
        "role", "activation", "bias", "layer", "source", "target", "weight", "delay", "gater",
        "name", "created", "rate", "iterations", "zzz", "Bias", ""]
TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 400, "1" * 5000, "null", "true",
          '"h0"', "{}", "[]", "-0", "0.0", "1e-400", '"\\ud800"', '"\\u0000"']


def seeds() -> list[str]:
    rng = np.random.default_rng(3)
    big_in, big_out = Layer(40), Layer(30)
    big_in.project(big_out)
    big = Network(input=big_in, output=big_out, seed=0)
    xor = xor_net(seed=1)
    xor.graph.graph.update(name="xor", training={"optimizer": "sgd", "rate": 0.3})
    xor.graph.nodes["h1"]["tags"] = ["a", {"b": 1}]
    rec = Network.from_graph(random_recurrent(rng, n_hidden=5))
    docs = [xor.to_json(), xor.to_json(layout="columns"), rec.to_json(),
            rec.to_json(layout="columns"), big.to_json()]
    return docs


SEEDS = seeds()


def load_or_format_error(text, how: str = "from_json", tmp_path=None) -> Network | None:
    try:
        if how == "load":
            path = tmp_path / "doc.json"
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8",
                                                                              "surrogatepass"))
            return Network.load(path)
        return Network.from_json(text)
    except NetworkFormatError as e:
        assert str(e), "empty error message"
        return None
    except Exception:
        shown = text if len(text) < 3000 else text[:3000] + "..."
        pytest.fail(f"not a NetworkFormatError:\n{traceback.format_exc()}\ndocument:\n{shown!r}")


def check_loaded(text, net: Network) -> None:
    """A document that loads passes the schema and survives another save and load."""
    doc = json.loads(text) if isinstance(text, str) else json.loads(text.decode("utf-8-sig"))
    errors = list(VALIDATOR.iter_errors(doc))
    assert not errors, f"loaded but fails the schema: {errors[0].message}\n{text[:2000]!r}"
    again = Network.from_json(net.to_json())
    assert again.neurons == net.neurons and again.synapses == net.synapses


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node[:12]):
            yield from paths(v, (*prefix, k))


def get(node, path):
    for p in path:
        node = node[p]
    return node


def mutate(doc: dict, r: random.Random) -> dict:
    doc = copy.deepcopy(doc)
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        all_paths = list(paths(doc))
        path = r.choice(all_paths[1:]) if len(all_paths) > 1 else ()
        parent, key = get(doc, path[:-1]), path[-1]
        op = r.randrange(9)
        if op == 0:  # delete
            del parent[key]
        elif op == 1:  # replace with something else
            parent[key] = copy.deepcopy(r.choice(POOL))
        elif op == 2 and isinstance(parent, dict):  # add a key
            parent[r.choice(KEYS)] = copy.deepcopy(r.choice(POOL))
        elif op == 3 and isinstance(parent, list):  # duplicate an item
            parent.append(copy.deepcopy(parent[key]))
        elif op == 4 and isinstance(parent, list) and len(parent) > 1:  # swap
            j = r.randrange(len(parent))
            parent[key], parent[j] = parent[j], parent[key]
        elif op == 5 and isinstance(parent[key], (int, float)) and not isinstance(
                parent[key], bool):  # nudge a number
            parent[key] = r.choice([parent[key] + 1, -parent[key] - 1, parent[key] * 1e300,
                                    float(parent[key]), int(parent[key])])
        elif op == 6 and isinstance(parent[key], list):  # truncate a list
            del parent[key][r.randrange(len(parent[key]) + 1):]
        elif op == 7 and isinstance(parent[key], str):  # change a string
            parent[key] = parent[key][:-1] + r.choice("xyz0") if parent[key] else "a"
        elif op == 8 and isinstance(parent, dict):  # rename a key
            parent[r.choice(KEYS)] = parent.pop(key)
    return doc


def test_mutated_documents_raise_only_network_format_error():
    r = random.Random(12345)
    parsed = [json.loads(s) for s in SEEDS]
    loaded = 0
    for k in range(3000):
        text = json.dumps(mutate(parsed[k % len(parsed)], r))
        net = load_or_format_error(text)
        if net is not None:
            loaded += 1
            if k % 10 == 0:
                check_loaded(text, net)
    assert 100 < loaded < 2900  # the mutations exercise both outcomes


def text_mutation(text: str, r: random.Random) -> str:
    op = r.randrange(7)
    k = r.randrange(len(text))
    if op == 0:
        return text[:k]
    if op == 1:
        return text[:k] + text[k + 1:]
    if op == 2:
        return text[:k] + r.choice('{}[],:"\\0123456789.-eEnNaIfty ') + text[k:]
    if op == 3:  # a number replaced by something JSON-ish
        starts = [i for i in range(len(text) - 1) if text[i] in "-0123456789" and
                  text[i - 1] in " :[,"]
        if not starts:
            return text
        i = r.choice(starts)
        j = i
        while j < len(text) and text[j] in "-+.0123456789eE":
            j += 1
        return text[:i] + r.choice(TOKENS) + text[j:]
    if op == 4:  # a key repeated
        return text.replace("{", '{"version": 1, ', 1) if r.random() < 0.5 else \
            text.replace('"bias": ', '"bias": 1, "bias": ', 1)
    if op == 5:  # a big chunk swapped
        j = r.randrange(len(text))
        i, j = sorted((k, j))
        return text[:i] + text[j:] + text[i:j]
    return text[:k] + chr(r.choice([0, 0xD800, 0xFEFF, 0x2603, 0x7F, 0xE9])) + text[k:]


def test_mutated_text_raises_only_network_format_error(tmp_path):
    r = random.Random(777)
    for k in range(1500):
        text = text_mutation(SEEDS[k % 4], r)
        how = "load" if k % 5 == 0 else "from_json"
        net = load_or_format_error(text, how, tmp_path)
        if net is not None and k % 10 == 0:
            check_loaded(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), net)


def test_random_bytes_and_random_json(tmp_path):
    r = random.Random(99)
    for k in range(400):
        data = bytes(r.randrange(256) for _ in range(r.randrange(200)))
        if k % 2:
            assert load_or_format_error(data, "load", tmp_path) is None
        else:
            assert load_or_format_error(data) is None
    for value in ([], {}, "netgraph", 0, None, [{"format": "netgraph-network"}],
                  {"format": "netgraph-network", "version": 1, "neurons": [], "synapses": []},
                  {"format": "netgraph-network", "version": 1, "neurons": [{}], "synapses": {}}):
        assert load_or_format_error(json.dumps(value)) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_raises_only_network_format_error(value):
    load_or_format_error(json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["metadata", "neurons", "synapses", "training", "attrs"]),
                       json_values, max_size=5))
def test_documents_with_random_sections_raise_only_network_format_error(sections):
    doc = {"format": "netgraph-network", "version": 1, **sections}
    net = load_or_format_error(json.dumps(doc))
    if net is not None:
        check_loaded(json.dumps(doc), net)
