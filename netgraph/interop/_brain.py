"""brain.js (1.6.1) ``NeuralNetwork`` ``toJSON``/``fromJSON`` interchange.

brain.js's ``NeuralNetwork`` is layered and fully connected: every node of a layer sums
``bias + sum_k(weights[k] * input[k])`` over the previous layer's outputs, in order, and
one activation serves every layer: ``sigmoid``, ``relu``, ``tanh`` or ``leaky-relu``. Its
"leaky-relu" computes ``sum < 0 ? 0 : leakyReluAlpha * sum`` (alpha 0.01): no leak below
zero, and slope alpha above it (its training passes the error back with slope 1 above
zero and alpha below). netgraph's ``brain_leaky_relu`` is that function.

brain.js keeps biases, weights and every layer's outputs in ``Float32Array``s, so its
results carry float32 rounding (about 6e-8 relative) at each layer; netgraph computes in
float64. Weights and biases are imported as the float32 values brain.js holds (a
document written by brain.js has only those; other values are rounded as brain.js rounds
them, with a ``ConversionWarning``), and ``to_brain`` writes float32 values.

Node keys follow JavaScript's ``Object.keys`` order (integer-like keys first, ascending,
then the rest as written), which is the order brain.js uses. Named inputs and outputs
(brain.js's lookups, from training on objects) keep their names as each neuron's
``name`` attribute. ``trainOpts`` are options for brain.js's next ``train`` call, not
part of the network; they are not imported.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import ConversionWarning, NetworkFormatError, TopologyError
from .._fast import reads_whole
from ._detect import BRAIN_RECURRENT_TYPES, FORMATS, detect_document
from ._source import MAX_BYTES, Where, integer, mapping, number, read_json, sequence, text

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["ACTIVATIONS", "from_brain", "to_brain"]

ACTIVATIONS = {"sigmoid": "logistic", "relu": "relu", "tanh": "tanh",
               "leaky-relu": "brain_leaky_relu"}
_TO_BRAIN = {v: k for k, v in ACTIVATIONS.items()}
LEAKY_RELU_ALPHA = 0.01  # brain.js's default leakyReluAlpha, the one brain_leaky_relu has


def _array_index(key: str) -> bool:
    """Whether JavaScript treats ``key`` as an array index (and so orders it first)."""
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and \
        len(key) <= 10 and int(key) < 2**32 - 1


def js_keys(obj: dict[str, Any]) -> list[str]:
    """``Object.keys(obj)`` as JavaScript orders them."""
    first = sorted((k for k in obj if _array_index(k)), key=int)
    return first + [k for k in obj if not _array_index(k)]


def _f32(x: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.float32(x))


def _float32(where: Where, place: str, x: float) -> float:
    """``x`` as the float32 brain.js holds it (refused where that is infinite)."""
    y = _f32(x)
    if not math.isfinite(y):
        raise where.error(place, f"{x!r} is beyond float32's range: brain.js would hold "
                                 f"{'-' if x < 0 else ''}Infinity")
    return y


def from_brain(source: Any, *, max_bytes: int = MAX_BYTES) -> Network:
    """Read brain.js's ``NeuralNetwork#toJSON()`` document.

    **Arguments**
    - ``source``: the document as a dict, JSON text, bytes, or a path.
    - ``max_bytes``: refuse larger sources (default 512 MiB).

    **Returns** a layered ``Network`` (``i0..``, ``h0..``, ``o0..``; layers ``input``,
    ``hidden0``, ..., ``output``) computing what brain.js's ``run`` computes, to float32
    precision. ``brain.recurrent.*`` models, an unknown activation or a leakyReluAlpha
    other than 0.01 raise ``NetworkFormatError``, as does anything malformed, naming the
    place.
    """
    from .._network import Network

    doc, where = read_json(source, max_bytes)
    kind = doc.get("type") if isinstance(doc, dict) else None
    if isinstance(kind, str) and kind in BRAIN_RECURRENT_TYPES:
        raise where.error("type", f"a brain.recurrent.{doc['type']} model: netgraph reads "
                                  "brain.js's feed-forward NeuralNetwork only")
    found = detect_document(doc)
    if found not in (None, "brain"):
        raise where.error("", f"this is {FORMATS[found][0]}, not brain.js JSON")
    if not isinstance(doc, dict):
        raise where.error("", "a brain.js network is a JSON object with sizes and layers")
    sizes = [integer(where, f"sizes[{k}]", s, 1)
             for k, s in enumerate(sequence(where, "sizes", doc.get("sizes")))]
    layers = sequence(where, "layers", doc.get("layers"))
    if len(sizes) < 2:
        raise where.error("sizes", "a network needs an input and an output layer")
    if len(layers) != len(sizes):
        raise where.error("layers", f"{len(layers)} layers, but sizes lists {len(sizes)}")
    kind = text(where, "activation", doc.get("activation", "sigmoid"))
    if kind not in ACTIVATIONS:
        raise where.error("activation", f"{kind!r:.40} is not one of brain.js's "
                                        f"activations ({', '.join(ACTIVATIONS)})")
    alpha = number(where, "leakyReluAlpha", doc.get("leakyReluAlpha", LEAKY_RELU_ALPHA))
    if kind == "leaky-relu" and alpha != LEAKY_RELU_ALPHA:
        raise where.error("leakyReluAlpha", f"{alpha!r}: netgraph's brain_leaky_relu has "
                                            f"brain.js's default, {LEAKY_RELU_ALPHA}")
    keys: list[list[str]] = []
    for k, raw in enumerate(layers):
        layer = mapping(where, f"layers[{k}]", raw)
        keys.append(js_keys(layer))
        if len(keys[k]) != sizes[k]:
            raise where.error(f"layers[{k}]", f"{len(keys[k])} nodes, but sizes[{k}] is "
                                              f"{sizes[k]}")
    activation = ACTIVATIONS[kind]
    last = len(sizes) - 1
    ids: list[list[str]] = [[f"i{j}" for j in range(sizes[0])]]
    hidden = 0
    for k in range(1, last):
        ids.append([f"h{hidden + j}" for j in range(sizes[k])])
        hidden += sizes[k]
    ids.append([f"o{j}" for j in range(sizes[last])])
    net = Network()
    G = net.graph
    named = [bool(doc.get(flag)) or "0" not in layers[k]
             for k, flag in ((0, "inputLookup"), (last, "outputLookup"))]
    for k in range(len(sizes)):
        role = "input" if k == 0 else "output" if k == last else "hidden"
        label = role if role != "hidden" else f"hidden{k - 1}"
        for j, n in enumerate(ids[k]):
            attrs: dict[str, Any] = {"bias": 0.0, "activation": activation, "role": role,
                                     "layer": label}
            if (k == 0 and named[0]) or (k == last and named[1]):
                attrs["name"] = keys[k][j]
            G.add_node(n, **attrs)
    rounded = 0
    for k in range(1, len(sizes)):
        previous = keys[k - 1]
        for j, key in enumerate(keys[k]):
            place = f"layers[{k}][{key!r:.40}]"
            node = mapping(where, place, layers[k][key])
            bias = number(where, f"{place}.bias", node.get("bias"))
            raw = node.get("weights")
            if isinstance(raw, list):  # brain.js keeps an array as it is, in float64
                if len(raw) != len(previous):
                    raise where.error(f"{place}.weights", f"{len(raw)} weights for "
                                                          f"{len(previous)} inputs")
                weights = [number(where, f"{place}.weights[{i}]", w) for i, w in enumerate(raw)]
            else:
                table = mapping(where, f"{place}.weights", raw)
                if js_keys(table) != previous:
                    raise where.error(f"{place}.weights", "its keys must be those of "
                                      f"layers[{k - 1}], in the same order (brain.js pairs "
                                      "weights with inputs by position)")
                weights = [number(where, f"{place}.weights[{i!r:.40}]", table[i])
                           for i in previous]
                # brain.js holds them in a Float32Array
                exact = [_float32(where, f"{place}.weights[{i!r:.40}]", w)
                         for i, w in zip(previous, weights, strict=True)]
                rounded += sum(a != b for a, b in zip(exact, weights, strict=True))
                weights = exact
            bias32 = _float32(where, f"{place}.bias", bias)
            rounded += bias32 != bias
            n = ids[k][j]
            G.nodes[n]["bias"] = bias32
            G.add_edges_from((u, n, {"weight": w})
                             for u, w in zip(ids[k - 1], weights, strict=True))
    if rounded:
        warnings.warn(f"brain.js keeps weights and biases as float32: {rounded} values in "
                      "the document were rounded as brain.js rounds them",
                      ConversionWarning, stacklevel=2)
    try:
        net._plan()
    except TopologyError as e:  # pragma: no cover - a layered graph always evaluates
        raise where.error("", f"not a network netgraph can evaluate: {e}") from None
    return net


def _lookup_names(net: Network, neurons: list[Any]) -> list[str] | None:
    """The neurons' ``name`` attributes if they can be brain.js lookup keys (strings,
    distinct, none that JavaScript would reorder), else None."""
    names: list[str] = []
    for n in neurons:
        name = net.graph.nodes[n].get("name")
        if not isinstance(name, str) or not name or _array_index(name) or \
                name == "__proto__" or name in names:
            return None
        names.append(name)
    return names


@reads_whole
def to_brain(net: Network) -> dict[str, Any]:
    """Write a network as brain.js's ``NeuralNetwork#toJSON()`` (``net.fromJSON`` reads it).

    **Arguments**
    - ``net``: a layered feed-forward network: every synapse joins a neuron to one in the
      next layer (layers by depth from the inputs; a missing synapse is written as weight
      0), the outputs form the last layer, and every neuron but the inputs has the same
      activation: ``logistic``, ``relu``, ``tanh`` or ``brain_leaky_relu``.

    **Returns** the document as a dict, weights and biases rounded to float32 as brain.js
    holds them. Inputs and outputs whose neurons all have distinct string ``name``
    attributes are written with brain.js's lookups. Anything else raises
    ``NetworkFormatError`` naming the neuron or synapse.
    """
    plan = net._plan()
    G = net.graph
    if not plan.feedforward:
        for u, v, a in G.edges(data=True):
            if u == v or a.get("delay") or a.get("gater") is not None:
                raise NetworkFormatError(f"synapse {u!r} -> {v!r} is recurrent or gated; "
                                         "brain.js's NeuralNetwork is feed-forward")
    depth: dict[Any, int] = {}
    for n in plan.neurons:
        if G.nodes[n]["role"] == "input":
            depth[n] = 0
        else:
            depth[n] = 1 + max((depth[u] for u in G.pred[n]), default=0)
    outputs = net.outputs
    last = max(depth[o] for o in outputs)
    for u, v in G.edges:
        if depth[v] != depth[u] + 1:
            raise NetworkFormatError(f"synapse {u!r} -> {v!r} skips a layer; brain.js joins "
                                     "each layer to the next only")
    for n in plan.neurons:
        role = G.nodes[n]["role"]
        if (role == "output") != (depth[n] == last):
            raise NetworkFormatError(
                f"neuron {n!r} ({role}) is in layer {depth[n]}, but brain.js's outputs are "
                f"the last layer ({last}) and only they")
    names = {G.nodes[n]["activation"] for n in plan.neurons if G.nodes[n]["role"] != "input"}
    if len(names) != 1 or next(iter(names)) not in _TO_BRAIN:
        shown = ", ".join(sorted(names))
        raise NetworkFormatError(f"brain.js has one activation for the whole network, one of "
                                 f"{', '.join(_TO_BRAIN)}; this network uses {shown}")
    layers: list[list[Any]] = [net.inputs]
    layers += [[n for n in G if depth[n] == d] for d in range(1, last)]
    layers.append(outputs)
    in_names, out_names = _lookup_names(net, net.inputs), _lookup_names(net, outputs)
    keys = [in_names or [str(j) for j in range(len(layers[0]))]]
    keys += [[str(j) for j in range(len(layer))] for layer in layers[1:-1]]
    keys.append(out_names or [str(j) for j in range(len(outputs))])
    out = Where("cannot write the network as brain.js JSON")
    document_layers: list[dict[str, Any]] = [{key: {} for key in keys[0]}]
    for d in range(1, len(layers)):
        layer: dict[str, Any] = {}
        for key, n in zip(keys[d], layers[d], strict=True):
            pred = G.pred[n]
            layer[key] = {
                "bias": _float32(out, f"neuron {n!r}: bias", G.nodes[n]["bias"]),
                "weights": {k: _float32(out, f"synapse {u!r} -> {n!r}: weight",
                                        pred[u]["weight"]) if u in pred else 0.0
                            for k, u in zip(keys[d - 1], layers[d - 1], strict=True)},
            }
        document_layers.append(layer)
    return {"sizes": [len(layer) for layer in layers], "layers": document_layers,
            "outputLookup": out_names is not None, "inputLookup": in_names is not None,
            "activation": _TO_BRAIN[next(iter(names))]}
