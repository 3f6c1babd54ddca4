"""Fuzzing the foreign readers: mutated and random documents load or raise
NetworkFormatError, nothing else.

Documents written by the real peers (neat-python, Neataptic, brain.js) are mutated in
their parsed structure and in their text, and random ones are made from scratch; each
goes to its reader, to ``interop.load`` and to ``interop.detect``. A reader may load it
(then the network runs) or raise ``NetworkFormatError`` with a message; any other
exception fails the test, showing the document. ``scripts/fuzz_interop.py`` runs the
same with many more examples.
"""

from __future__ import annotations

import copy
import json
import os
import random
import tempfile
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netgraph import ConversionWarning, NetgraphError, NetworkFormatError
from netgraph.interop import detect, from_brain, from_neat_json, from_neataptic, load

# per test; scripts/fuzz_interop.py sets NETGRAPH_FUZZ_EXAMPLES to run thousands
EXAMPLES = int(os.environ.get("NETGRAPH_FUZZ_EXAMPLES", "40"))

POOL: list[Any] = [None, True, False, 0, 1, -1, 2, 3, -2, 2**31, 2**64, 10**30, 0.5, -0.0,
                   1e308, 5e-324, 1.5, "", "x", "0", "1", "input", "hidden", "output",
                   "constant", "LOGISTIC", "TANH", "STEP", "sigmoid", "tanh", "relu",
                   "leaky-relu", "sum", "mean", "max", "product", "feedforward",
                   "recurrent", "ctrnn", "LSTM", [], {}, [0, 1], [1.5], {"a": 1},
                   {"name": "sigmoid"}, {"name": "sum", "custom": True}, {"0": {}},
                   {"bias": 0.1, "weights": {"0": 1}}, [[[[[]]]]]]
KEYS = ["nodes", "connections", "input", "output", "dropout", "mask", "squash", "type",
        "bias", "weights", "from", "to", "gater", "weight", "enabled", "id", "activation",
        "aggregation", "response", "topology", "input_keys", "output_keys", "network_type",
        "format_version", "sizes", "layers", "inputLookup", "outputLookup", "leakyReluAlpha",
        "hiddenLayers", "0", "1", "zzz", ""]
TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 400, "1" * 5000, "null",
          "true", "{}", "[]", "-0", "1e-400", '"\\ud800"', '"\\u0000"', "{", "]", ","]
READERS: dict[str, Callable[[Any], Any]] = {"neat": from_neat_json,
                                            "neataptic": from_neataptic,
                                            "brain": from_brain}


def seed_documents() -> dict[str, list[dict]]:
    """A few real documents of each format (made once, when the module is first used)."""
    import js_peers
    import neat
    from neat.export import export_network_json
    from test_neat import BOUNDED, make_config, random_genome

    docs: dict[str, list[dict]] = {"neat": [], "neataptic": [], "brain": []}
    random.seed(11)
    with tempfile.TemporaryDirectory() as folder:
        for feed_forward in (True, False):
            config = make_config(Path(folder), n_in=2, n_out=2, feed_forward=feed_forward,
                                 activations=BOUNDED, aggregations="sum mean product")
            maker = neat.nn.FeedForwardNetwork if feed_forward else neat.nn.RecurrentNetwork
            for key in range(3):
                genome = random_genome(config, key, 15)
                docs["neat"].append(json.loads(export_network_json(maker.create(genome,
                                                                                 config))))
    replies = js_peers.neataptic([
        {"seed": 1, "build": {"kind": "LSTM", "args": [2, 2, 1]}},
        {"seed": 2, "build": {"kind": "GRU", "args": [1, 2, 1]}},
        {"seed": 3, "build": {"kind": "Network", "args": [2, 2]},
         "mutate": {"methods": "ALL", "count": 30}}])
    docs["neataptic"] = [r["json"] for r in replies]
    replies = js_peers.brain([
        {"seed": 1, "options": {"hiddenLayers": [3, 2], "activation": kind},
         "train": {"data": [{"input": [0, 1], "output": [1, 0]}], "options": {"iterations": 2}}}
        for kind in ("sigmoid", "leaky-relu")] + [
        {"seed": 3, "options": {},
         "train": {"data": [{"input": {"r": 1, "g": 0}, "output": {"w": 1}}],
                   "options": {"iterations": 2}}}])
    docs["brain"] = [r["json"] for r in replies]
    return docs


_SEEDS: dict[str, list[dict]] = {}


def seeds() -> dict[str, list[dict]]:
    if not _SEEDS:
        _SEEDS.update(seed_documents())
    return _SEEDS


def paths(node: Any, prefix: tuple = ()):
    yield prefix
    if isinstance(node, dict):
        for k, v in list(node.items())[:40]:
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node[:12]):
            yield from paths(v, (*prefix, k))


def get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def mutate(doc: Any, r: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(r.choice([1, 1, 2, 3])):
        all_paths = list(paths(doc))
        if len(all_paths) < 2:
            return doc
        path = r.choice(all_paths[1:])
        parent, key = get(doc, path[:-1]), path[-1]
        op = r.randrange(7)
        if op == 0:
            del parent[key]
        elif op == 1:
            parent[key] = copy.deepcopy(r.choice(POOL))
        elif op == 2 and isinstance(parent, dict):
            parent[r.choice(KEYS)] = copy.deepcopy(r.choice(POOL))
        elif op == 3 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif op == 4 and isinstance(parent, list) and len(parent) > 1:
            j = r.randrange(len(parent))
            parent[key], parent[j] = parent[j], parent[key]
        elif op == 5 and isinstance(parent[key], (int, float)) and not isinstance(
                parent[key], bool):
            parent[key] = r.choice([parent[key] + 1, -parent[key] - 1, parent[key] * 1e300,
                                    float(parent[key]), int(parent[key]), 2**70])
        elif op == 6 and isinstance(parent[key], str):
            parent[key] = parent[key].lower() if r.random() < 0.5 else parent[key] + "x"
    return doc


def mutate_text(text: str, r: random.Random) -> str | bytes:
    for _ in range(r.choice([1, 1, 2])):
        k = r.randrange(len(text) + 1)
        op = r.randrange(5)
        if op == 0:
            text = text[:k] + r.choice(TOKENS) + text[k:]
        elif op == 1:
            text = text[:k] + text[k + r.randrange(1, 20):]
        elif op == 2:
            text = text[:k]
        elif op == 3:
            return text.encode("utf-8")[:k] + b"\xff\xfe" + text.encode("utf-8")[k:]
        else:
            text = text[:k] + text[k:k + 30] * 2 + text[k + 30:]
    return text


def loads_or_refuses(reader: Callable[[Any], Any], source: Any) -> None:
    """``reader(source)`` builds a network that runs, or raises NetworkFormatError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConversionWarning)
            result = reader(source)
    except NetworkFormatError as e:
        assert str(e), "empty error message"
        return
    except Exception:
        shown = repr(source)
        pytest.fail(f"not a NetworkFormatError:\n{traceback.format_exc()}\nsource:\n"
                    f"{shown[:3000]}")
    net = result.network if hasattr(result, "network") else result
    try:
        with np.errstate(all="ignore"):
            net.activate(np.zeros(len(net.inputs)))
    except NetgraphError:
        pass
    except Exception:
        pytest.fail(f"loaded, but activate failed:\n{traceback.format_exc()}\n"
                    f"source:\n{repr(source)[:3000]}")


def detects(source: Any) -> None:
    try:
        found = detect(source)
    except NetworkFormatError:
        return
    assert found in (None, "netgraph", "synaptic", "neataptic", "brain", "neat", "onnx")


FORMAT = st.sampled_from(sorted(READERS))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                derandomize=os.environ.get("NETGRAPH_FUZZ_SEED") is None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(FORMAT, st.integers(0, 2**32 - 1))
def test_mutated_documents(fmt, seed):
    r = random.Random(seed)
    doc = mutate(r.choice(seeds()[fmt]), r)
    loads_or_refuses(READERS[fmt], doc)
    loads_or_refuses(load, doc)
    detects(doc)


@FUZZ
@given(FORMAT, st.integers(0, 2**32 - 1))
def test_mutated_text(fmt, seed):
    r = random.Random(seed)
    text = mutate_text(json.dumps(r.choice(seeds()[fmt])), r)
    loads_or_refuses(READERS[fmt], text)
    loads_or_refuses(load, text)
    detects(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
    | st.sampled_from(POOL[:30]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=30)


@FUZZ
@given(FORMAT, JSON)
def test_random_documents(fmt, doc):
    loads_or_refuses(READERS[fmt], doc)
    loads_or_refuses(load, doc)
    detects(doc)


@FUZZ
@given(st.binary(max_size=64))
def test_random_bytes(data):
    for reader in (*READERS.values(), load):
        loads_or_refuses(reader, data)
    detects(data)


def test_sources_that_are_not_documents(tmp_path):
    for reader in (*READERS.values(), load):
        for source in (3, None, 2.5, object(), tmp_path, tmp_path / "nope.json",
                       "no\x00such", "x" * 5000, b"", "", "   "):
            loads_or_refuses(reader, source)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(seeds()["brain"][0]))
    for reader in (from_brain, load):
        with pytest.raises(NetworkFormatError, match="larger than 100 bytes"):
            reader(big, max_bytes=100)
