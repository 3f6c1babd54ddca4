"""Run programs in the real Synaptic.js 1.1.4 (``tests/synaptic_peer.js``) and replay them.

Shared by the fidelity tests and ``scripts/synaptic_differential.py``. Needs Node and
``benchmarks/node_modules/synaptic`` (``cd benchmarks && npm ci``); without them the
tests skip, saying why, or fail under ``NETGRAPH_REQUIRE_NODE=1`` (as in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "synaptic_peer.js"
SYNAPTIC = ROOT / "benchmarks" / "node_modules" / "synaptic"


def missing() -> str | None:
    """Why the peer cannot run here, or None."""
    why = []
    if shutil.which("node") is None:
        why.append("the `node` program is not on PATH")
    if not (SYNAPTIC / "package.json").exists():
        why.append(f"{SYNAPTIC} is missing (run `cd benchmarks && npm ci`)")
    return "; ".join(why) or None


def require() -> None:
    """Skip the calling test (or fail it, under NETGRAPH_REQUIRE_NODE=1) without the peer."""
    import pytest

    why = missing()
    if why:
        reason = "real Synaptic.js not run: " + why
        if os.environ.get("NETGRAPH_REQUIRE_NODE") == "1":
            pytest.fail(reason + " (NETGRAPH_REQUIRE_NODE=1)")
        pytest.skip(reason)


def run(programs: list[dict[str, Any]], timeout: float = 600) -> list[dict[str, Any]]:
    """Each program's reply from real Synaptic (see ``synaptic_peer.js``)."""
    node = shutil.which("node")
    assert node is not None, missing()
    proc = subprocess.run([node, str(SCRIPT)], input=json.dumps(programs), text=True,
                          capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"synaptic_peer.js failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def replay(net: Any, steps: list[dict[str, Any]]) -> list[list[float]]:
    """Run Synaptic-style steps on a netgraph network; every activate's output."""
    out = []
    for step in steps:
        if step["op"] == "activate":
            out.append([float(v) for v in net.activate(step["input"])])
        elif step["op"] == "propagate":
            net.propagate(step["rate"], step["target"])
        elif step["op"] == "clear":
            net.clear()
    return out


def worst(a: list[list[float]], b: list[list[float]]) -> float:
    """The largest absolute difference between two runs' outputs (inf if shapes differ
    or either has a non-finite value where the other does not)."""
    A, B = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if A.shape != B.shape:
        return float("inf")
    both_nan = np.isnan(A) & np.isnan(B)
    diff = np.abs(np.where(both_nan, 0.0, A - B))
    return float(np.nan_to_num(diff, nan=np.inf).max()) if diff.size else 0.0


def steps_for(n_in: int, n_out: int, rng: np.random.Generator, count: int = 40,
              train: bool = True, rate: float = 0.1) -> list[dict[str, Any]]:
    """``count`` activate (and, with ``train``, propagate) steps on random data."""
    steps: list[dict[str, Any]] = []
    for _ in range(count):
        steps.append({"op": "activate", "input": rng.uniform(-1, 1, n_in).tolist()})
        if train:
            steps.append({"op": "propagate", "rate": rate,
                          "target": rng.uniform(0, 1, n_out).tolist()})
    return steps


SQUASH = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "hlim",
          "RELU": "relu"}


def build(spec: dict[str, Any], seed: int = 0) -> Any:
    """The same program built by netgraph's builder (``Layer``/``architect``).

    Weights are netgraph's own random draws; the structure is what is compared."""
    from netgraph import Layer, Network
    from netgraph.architect import LSTM, Hopfield

    kind = spec["kind"]
    if kind == "LSTM":
        o = spec.get("options", {})
        names = {"peepholes": "peepholes", "hiddenToHidden": "hidden_to_hidden",
                 "outputToHidden": "output_to_hidden", "outputToGates": "output_to_gates",
                 "inputToOutput": "input_to_output"}
        options = {names[k]: v for k, v in o.items()}
        if "peepholes" in options:
            options["peepholes"] = {"ALL_TO_ALL": "all_to_all", "ONE_TO_ONE": "one_to_one",
                                    "ALL_TO_ELSE": "all_to_else"}[options["peepholes"]]
        return LSTM(*spec["sizes"], seed=seed, **options)
    if kind == "Hopfield":
        return Hopfield(spec["size"], seed=seed)
    assert kind == "layers", kind
    layers = [Layer(lay["size"], SQUASH[lay.get("squash", "LOGISTIC")])
              for lay in spec["layers"]]
    projections: list[Any] = []
    for op in spec["ops"]:
        if op[0] == "project":
            _, a, b, kind_, weight = op
            projections.append(layers[a].project(layers[b], kind_, weight))
        elif op[0] == "gate":
            _, g, k, type_ = op
            layers[g].gate(projections[k], type_)
        else:
            raise ValueError(f"netgraph's builder has no {op[0]}")
    return Network(input=layers[spec["input"]], hidden=[layers[k] for k in spec["hidden"]],
                   output=layers[spec["output"]], seed=seed)


def structure(doc: dict[str, Any]) -> dict[str, Any]:
    """What a Synaptic document says about structure: layers, and each connection's
    (from, to, gater), plus the self-connections' weights (Synaptic makes them 1)."""
    rows = [(c["from"], c["to"], c["gater"]) for c in doc["connections"]]
    # a pair's parallel synapses are listed after its first by netgraph, in creation
    # order among the source's synapses by Synaptic: compare with each pair's together
    first = {}
    for k, (u, v, _) in enumerate(rows):
        first.setdefault((u, v), k)
    rows.sort(key=lambda r: first[(r[0], r[1])])
    return {"layers": [n["layer"] for n in doc["neurons"]],
            "squash": [n["squash"] for n in doc["neurons"]],
            "connections": rows,
            "self_weights": [c["weight"] for c in doc["connections"] if c["from"] == c["to"]]}
