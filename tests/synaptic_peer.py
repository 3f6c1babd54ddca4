"""Run programs in the real Synaptic.js 1.1.4 (``tests/synaptic_peer.js``) and replay them.

Shared by the fidelity tests and ``scripts/synaptic_differential.py``. Needs Node and
``benchmarks/node_modules/synaptic`` (``bash scripts/bootstrap`` installs both); without
them the tests fail, saying what to install. They never skip.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import js_peers
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "synaptic_peer.js"
SYNAPTIC = ROOT / "benchmarks" / "node_modules" / "synaptic"


def missing() -> str | None:
    """What to install to run the peer here, or None."""
    return js_peers.missing("synaptic")


def require() -> None:
    """Fail the calling test, saying what to install, without the peer."""
    js_peers.require("synaptic")


def run(programs: list[dict[str, Any]], timeout: float = 600) -> list[dict[str, Any]]:
    """Each program's reply from real Synaptic (see ``synaptic_peer.js``)."""
    node = js_peers.require("synaptic")
    proc = subprocess.run([node, str(SCRIPT)], input=json.dumps(programs), text=True,
                          capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"synaptic_peer.js failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def replay(net: Any, steps: list[dict[str, Any]]) -> list[list[float]]:
    """Run Synaptic-style steps on a netgraph network; every activate's output.

    If training diverges (netgraph raises DivergenceError where Synaptic runs on with
    infinities and NaN), the outputs from then on read NaN."""
    from netgraph import DivergenceError

    out: list[list[float]] = []
    for k, step in enumerate(steps):
        if step["op"] == "activate":
            out.append([float(v) for v in net.activate(step["input"])])
        elif step["op"] == "propagate":
            try:
                net.propagate(step["rate"], step["target"])
            except DivergenceError:
                width = len(out[-1]) if out else 0
                out += [[math.nan] * width for s in steps[k:] if s["op"] == "activate"]
                break
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


# ------------------------------------------------------------ the differential check
# Random networks of each kind, run step by step in real Synaptic and in netgraph.
SQUASHES = ["LOGISTIC", "TANH", "IDENTITY", "HLIM", "RELU"]
KINDS = ("layers", "lstm", "liquid", "hopfield")
TOL = 1e-9


def random_layers(rng: np.random.Generator) -> dict[str, Any]:
    """A random program over layers: a chain from input to output plus random extra
    projections (forward, backward, self, all three types) and gates (all three types)."""
    n_hidden = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 4))] + [int(rng.integers(1, 5)) for _ in range(n_hidden)] \
        + [int(rng.integers(1, 4))]
    layers = [{"size": n} for n in sizes]
    for lay in layers[1:]:
        lay["squash"] = str(rng.choice(["LOGISTIC", "LOGISTIC", "TANH", "IDENTITY", "HLIM",
                                        "RELU"]))
    last = len(sizes) - 1
    ops: list[list[Any]] = []
    made: list[tuple[int, int, int]] = []  # (from, to, synapse count) per projection

    def project(a: int, b: int, kind: str | None) -> None:
        if kind == "one_to_one" and sizes[a] != sizes[b]:
            kind = None
        if (kind is None and a == b) or kind == "one_to_one":
            count = sizes[a]
        elif kind == "all_to_else" and a == b:
            count = sizes[a] * (sizes[a] - 1)
            if count == 0:
                return
        else:
            count = sizes[a] * sizes[b]
        ops.append(["project", a, b, kind, None])
        made.append((a, b, count))

    kinds = [None, "all_to_all", "one_to_one", "all_to_else"]
    for a in range(last):
        project(a, a + 1, kinds[int(rng.integers(0, 4))])
    for _ in range(int(rng.integers(0, 5))):
        a = int(rng.integers(0, last))  # any layer but the output projects
        b = int(rng.integers(1, last + 1))  # onto any layer but the input
        project(a, b, kinds[int(rng.integers(0, 4))])
    gated: set[int] = set()
    for _ in range(int(rng.integers(0, 4))):
        k = int(rng.integers(0, len(made)))
        if k in gated:
            continue  # a synapse gated twice keeps only its last gater in toJSON
        a, b, count = made[k]
        g = int(rng.integers(1, last + 1))
        options = [t for t, n in (("input", sizes[b]), ("output", sizes[a]),
                                  ("one_to_one", count)) if n == sizes[g]]
        if options:
            ops.append(["gate", g, k, options[int(rng.integers(0, len(options)))]])
            gated.add(k)
    return {"kind": "layers", "layers": layers, "input": 0, "hidden": list(range(1, last)),
            "output": last, "ops": ops}


def random_program(kind: str, rng: np.random.Generator, seed: int,
                   train: bool = True) -> dict[str, Any]:
    if kind == "layers":
        spec = random_layers(rng)
        n_in, n_out = spec["layers"][0]["size"], spec["layers"][-1]["size"]
    elif kind == "lstm":
        blocks = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(1, 3)))]
        n_in, n_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        options = {"peepholes": str(rng.choice(["ALL_TO_ALL", "ONE_TO_ONE", "ALL_TO_ELSE"]))}
        for name in ("hiddenToHidden", "outputToHidden", "outputToGates", "inputToOutput"):
            if rng.random() < 0.5:
                options[name] = bool(rng.random() < 0.5)
        spec = {"kind": "LSTM", "sizes": [n_in, *blocks, n_out], "options": options}
    elif kind == "liquid":
        n_in, n_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        hidden = int(rng.integers(2, 9))
        connections = int(rng.integers(0, 4 * hidden))
        gates = int(rng.integers(0, 2 * hidden)) if connections else 0  # else Synaptic fails
        spec = {"kind": "Liquid", "args": [n_in, hidden, n_out, connections, gates]}
    else:
        n = int(rng.integers(2, 7))
        n_in = n_out = n
        spec = {"kind": "Hopfield", "size": n}
    steps = steps_for(n_in, n_out, rng, 40, train=train, rate=float(rng.uniform(0.05, 0.5)))
    return {"seed": seed, "build": spec, "steps": steps, "scale": float(rng.uniform(0.5, 2))}


def defects(net: Any) -> list[str]:
    """Why Synaptic's compiled mode computes this network differently from the defined
    rules (empty if it should match exactly): the neurons it mistakes for extra inputs or
    outputs (training and outputs differ) or the stale accumulator (training differs)."""
    from netgraph.interop._synaptic import stale_accumulator_neurons

    G = net.graph
    gaters = {a.get("gater") for key, a in _synapses(G)}
    out = []
    if any(G.nodes[n]["role"] == "hidden" and not any(v != n for v in G.succ[n])
           and n not in gaters for n in G):
        out.append("extra output")
    if any(G.nodes[n]["role"] != "input" and not any(u != n for u in G.pred[n]) for n in G):
        out.append("extra input")
    if stale_accumulator_neurons(G):
        out.append("stale accumulator")
    return out


def _synapses(G: Any) -> list[tuple[Any, Any]]:
    from netgraph._reference import all_synapses

    return all_synapses(G)


def close(a: list[list[float]], b: list[list[float]]) -> float:
    """Worst difference relative to max(1, |value|): what the 1e-9 target measures."""
    A, B = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if A.shape != B.shape:
        return float("inf")
    with np.errstate(invalid="ignore"):
        d = np.abs(A - B) / np.maximum(1.0, np.abs(B))
    d = np.where(np.isnan(A) & np.isnan(B), 0.0, d)
    return float(np.nan_to_num(d, nan=np.inf).max()) if d.size else 0.0


def bounded(outputs: list[list[float]]) -> bool:
    A = np.asarray(outputs, dtype=float)
    return bool(np.isfinite(A).all() and (np.abs(A) < 1e6).all())


def import_direction(kind: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` random networks of ``kind`` built and run by Synaptic, imported and
    replayed by netgraph. One record per network: its class and worst difference."""
    import warnings

    from netgraph import Network, SynapticFidelityWarning

    rng = np.random.default_rng(seed)
    train = [random_program(kind, rng, seed * 100_000 + k) for k in range(count)]
    alone = [{**p, "steps": [s for s in p["steps"] if s["op"] == "activate"]} for p in train]
    replies = run(train + alone)
    records = []
    for k, prog in enumerate(train):
        reply, reply_alone = replies[k], replies[count + k]
        rec: dict[str, Any] = {"kind": kind, "direction": "import", "program": prog}
        if "error" in reply:
            rec.update(outcome="synaptic refused", reason=reply["error"])
            records.append(rec)
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SynapticFidelityWarning)
            net = Network.from_synaptic(reply["initial"])
            fresh = Network.from_synaptic(reply["initial"])
            if reply["multi_gated"]:
                rec["fresh_twin"] = Network.from_synaptic(reply["initial"])
                rec["initial"] = reply["initial"]
        warned = any(issubclass(w.category, SynapticFidelityWarning) for w in caught)
        found = defects(net)
        rec["defects"] = found
        rec["multi_gated"] = reply["multi_gated"]
        rec["parallel"] = any(p for _, _, p in net.graph.edges(data="parallel"))
        rec["warned"] = warned
        _compare(rec, net, replay(net, prog["steps"]), reply["outputs"],
                 replay(fresh, alone[k]["steps"]), reply_alone["outputs"])
        records.append(rec)
    # A synapse gated more than once: toJSON keeps one gater, so Synaptic's own fromJSON
    # of the document computes what netgraph computes. Measure that too.
    multi = [r for r in records if r.get("multi_gated")]
    if multi:
        again = run([{"seed": 1, "build": {"kind": "json", "network": r["initial"]},
                      "steps": [s for s in r["program"]["steps"] if s["op"] == "activate"]}
                     for r in multi])
        for r, reply in zip(multi, again, strict=True):
            r["vs_fromjson"] = close(replay(r.pop("fresh_twin"), [
                s for s in r["program"]["steps"] if s["op"] == "activate"]), reply["outputs"])
    for r in records:
        r.pop("initial", None)
        r.pop("fresh_twin", None)
    return [_judge(r) if "defects" in r else r for r in records]


def export_direction(kind: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` random networks of ``kind`` built by netgraph (weights and biases from
    uniform(-scale, scale)), exported with ``to_synaptic`` and run by Synaptic."""
    import json
    import warnings

    from netgraph import Network, NetworkFormatError, SynapticFidelityWarning
    from netgraph.architect import Hopfield, Liquid

    rng = np.random.default_rng(seed + 7_777)
    nets, progs, records = [], [], []
    for k in range(count):
        prog = random_program(kind, rng, seed * 100_000 + k)
        spec = prog["build"]
        if kind == "liquid":
            net = Liquid(*spec["args"], seed=int(rng.integers(2**31)))
        elif kind == "hopfield":
            net = Hopfield(spec["size"], seed=int(rng.integers(2**31)))
        else:
            net = build(spec, seed=int(rng.integers(2**31)))
        scale = prog["scale"]
        for u, v, a in net.graph.edges(data=True):
            if u != v:
                a["weight"] = float(rng.uniform(-scale, scale))
            for p in a.get("parallel") or ():
                p["weight"] = float(rng.uniform(-scale, scale))
        for _, a in net.graph.nodes(data=True):
            a["bias"] = float(rng.uniform(-scale, scale))
        rec: dict[str, Any] = {"kind": kind, "direction": "export", "program": prog}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SynapticFidelityWarning)
            try:
                doc = json.loads(json.dumps(net.to_synaptic()))
            except NetworkFormatError as e:
                rec.update(outcome="refused", reason=str(e))
                records.append(rec)
                continue
        rec["warned"] = bool(caught)
        rec["document"] = doc
        rec["defects"] = defects(net)
        rec["multi_gated"] = 0
        nets.append((rec, net, prog))
        for steps in (prog["steps"], [s for s in prog["steps"] if s["op"] == "activate"]):
            progs.append({"seed": 1, "build": {"kind": "json", "network": doc}, "steps": steps})
    replies = run(progs)
    for q, (rec, net, prog) in enumerate(nets):
        reply, reply_alone = replies[2 * q], replies[2 * q + 1]
        twin = Network.from_graph(net.graph)
        _compare(rec, net, replay(net, prog["steps"]), reply["outputs"],
                 replay(twin, [s for s in prog["steps"] if s["op"] == "activate"]),
                 reply_alone["outputs"])
        records.append(_judge(rec))
    return records


def _compare(rec: dict[str, Any], net: Any, mine: list[list[float]], theirs: list[list[float]],
             mine_alone: list[list[float]], theirs_alone: list[list[float]]) -> None:
    """Record the worst differences of the training run and the activation-only run, and
    whether they are explained by something other than the rules: outputs that blow up
    (Synaptic's TANH gives NaN past |s| ~ 709.8, netgraph's +-1), or a hard threshold
    (HLIM) flipped by a rounding difference (Math.exp vs C's exp, summation order)."""
    rec["training"] = close(mine, theirs)
    rec["activation"] = close(mine_alone, theirs_alone)
    rec["bounded"] = all(bounded(x) for x in (mine, theirs, mine_alone, theirs_alone))
    hlim = any(a == "hlim" for _, a in net.graph.nodes(data="activation"))
    rec["threshold"] = hlim and (_flipped(mine, theirs) or _flipped(mine_alone, theirs_alone))


def _flipped(mine: list[list[float]], theirs: list[list[float]]) -> bool:
    """The outputs agreed to rounding (1e-12) up to the step where they first differ by
    more than the target."""
    d = [close([a], [b]) for a, b in zip(mine, theirs, strict=False)]
    first = next((k for k, x in enumerate(d) if x > TOL), None)
    return first is not None and all(x < 1e-12 for x in d[:first])


def _judge(rec: dict[str, Any]) -> dict[str, Any]:
    """Whether a network meets the target: 1e-9 on training; for the stale accumulator
    (and only it), on activation alone, with a warning on import."""
    found = rec["defects"]
    measured = rec["activation"] if found == ["stale accumulator"] else rec["training"]
    if measured > TOL and not rec["bounded"]:
        rec.update(outcome="unbounded", reason="")
        return rec
    if measured > TOL and rec["threshold"] and not rec["multi_gated"]:
        rec.update(outcome="threshold", reason="an HLIM threshold flipped on a rounding "
                                               "difference")
        return rec
    if found == ["stale accumulator"] and not rec["multi_gated"]:
        ok = rec["activation"] <= TOL and (rec["warned"] or rec["direction"] == "export")
        rec.update(outcome="match (activation)" if ok else "outside",
                   reason="" if ok else "stale accumulator, activation differs")
    elif not found and not rec["multi_gated"]:
        ok = rec["training"] <= TOL
        rec.update(outcome="match" if ok else "outside", reason="" if ok else "unexplained")
    else:
        reasons = list(found)
        if rec["multi_gated"]:
            merged = " and parallel synapses it merges" if rec.get("parallel") else ""
            reasons.append("a synapse gated more than once (toJSON keeps one gater; vs "
                           f"Synaptic's own fromJSON{merged}: "
                           f"{rec.get('vs_fromjson', math.nan):.1e})")
        rec.update(outcome="outside", reason=", ".join(reasons))
    return rec
