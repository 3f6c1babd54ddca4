"""Network: a NetGraph plus the compiled plan that evaluates and trains it."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Unpack, overload

import networkx as nx
import numpy as np

from . import _arguments, _core, _fast
from ._activations import get_activation
from ._arguments import flag, seed_generator
from ._compile import Plan, compile_plan
from ._costs import get_cost
from ._exceptions import (
    DivergenceError,
    InputError,
    NetgraphError,
    NeuronError,
    TopologyError,
    UnreachableOutputWarning,
)
from ._graph import ROLES, NetGraph, _finite, synapse_attrs, synapse_order
from ._layer import Layer, Projection
from ._memory import check_fits
from ._reach import unreachable_outputs

if TYPE_CHECKING:
    import graphviz

    from ._diagram import DiagramOptions, RenderOptions
    from ._json import Layout
    from ._train import TrainOptions, TrainResult

Seed = int | np.random.Generator | None
NeuronId = TypeVar("NeuronId")
_ID_PREFIX = {"input": "i", "hidden": "h", "output": "o"}


@dataclass(frozen=True)
class Gradient:
    """Gradient of a cost with respect to every weight and bias.

    ``weights[k]`` belongs to ``synapses[k]`` and ``biases[k]`` to ``neurons[k]``
    (input neurons' biases are unused and get 0). ``value`` is the cost itself.
    """

    value: float
    weights: np.ndarray
    biases: np.ndarray
    synapses: list[tuple[Any, Any]]
    neurons: list[Any]

    def weight(self, source: Any, target: Any) -> float:
        """d cost / d weight of the synapse source -> target."""
        return float(self.weights[self.synapses.index((source, target))])

    def bias(self, neuron: Any) -> float:
        """d cost / d bias of a neuron."""
        return float(self.biases[self.neurons.index(neuron)])


def _connected(G: NetGraph, src: list[Any], dst: list[Any]) -> bool:
    """Synaptic's ``Layer.connected``: whether every neuron of ``src`` already projects
    onto every neuron of ``dst``, or each onto its counterpart (equal sizes). A pair
    counts only if Synaptic would find the synapse among the source's projections before
    any synapse from the target (``Neuron.connected`` looks at inputs first)."""

    def projects(u: Any, v: Any) -> bool:
        return G.has_edge(u, v) and not G.has_edge(v, u)

    if all(projects(u, v) for u in src for v in dst):
        return True
    return len(src) == len(dst) and all(projects(u, v) for u, v in zip(src, dst, strict=True))


def _rng(seed: Seed) -> np.random.Generator:
    return seed_generator(seed)


class Network:
    """A neural network whose model is a networkx DiGraph (``net.graph``).

    Build it from layers, Synaptic style::

        inp, hid, out = Layer(2), Layer(3), Layer(1)
        inp.project(hid); hid.project(out)
        net = Network(input=inp, hidden=[hid], output=out, seed=1)

    or from any graph with ``Network.from_graph``, or neuron by neuron with
    ``add_neuron``/``connect``.

    **Arguments**
    - ``input``, ``hidden``, ``output``: the layers, in activation order.
    - ``seed``: an int or ``numpy.random.Generator`` for the random biases and
      weights left unset (uniform(-0.1, 0.1), as Synaptic). ``None``: fresh entropy.
    """

    def __init__(
        self,
        input: Layer | None = None,
        hidden: Sequence[Layer] = (),
        output: Layer | None = None,
        *,
        seed: Seed = None,
    ) -> None:
        self._graph = NetGraph()
        self._rng = _rng(seed)
        self._plan_cache: Plan | None = None
        self._engine: _core.Engine = _fast.EMPTY
        self._state: _fast.State | None = None
        self._flags = np.zeros(1, dtype=np.int64)  # [0]: activated since the last clear
        self._state_version = -1
        self._unreachable: list[Any] = []  # the outputs last warned about (_check_reach)
        # Whether this network is being built by the caller (layers, from_graph, add_neuron,
        # connect, ...), whose cut-off outputs are news; a network read from a document
        # computes what its file says, and evolved genomes leave outputs unconnected.
        self._watch_reach = False
        if input is None and output is None and not hidden:
            return
        if input is None or output is None:
            raise TopologyError("a layered Network needs both an input and an output layer")
        self._add_layers(input, list(hidden), output)
        self._watch_reach = True
        # Compiled now (the first activate uses this plan) so that an output no input
        # reaches is reported where the layers were put together.
        with contextlib.suppress(NetgraphError):  # a graph that cannot run says so when run
            self._plan()

    # ------------------------------------------------------------------ build
    def _add_layers(self, input: Layer, hidden: list[Layer], output: Layer) -> None:
        layers = [(input, "input", "input")]
        layers += [(h, "hidden", f"hidden{k}") for k, h in enumerate(hidden)]
        layers.append((output, "output", "output"))
        seen: set[int] = set()
        for layer, _, _ in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"expected a Layer, got {type(layer).__name__}")
            if layer.network is not None:
                raise TopologyError(f"{layer!r} already belongs to a network")
            if id(layer) in seen:
                raise TopologyError(f"{layer!r} is listed twice")
            seen.add(id(layer))
        members = {id(layer) for layer, _, _ in layers}
        projections = []
        for layer, _, _ in layers:
            for p in layer.projections:
                if id(p.target) not in members:
                    raise TopologyError(
                        f"{layer!r} projects onto {p.target!r}, which is not in the network"
                    )
                projections.append(p)
        projections.sort(key=lambda p: p._seq)
        # refused before a neuron is made: too large a network would otherwise run for
        # minutes and then be killed by the system
        check_fits(sum(layer.size for layer, _, _ in layers),
                   sum(p.count() for p in projections))
        G = self._graph
        # Biases are drawn before weights, layer by layer, so a seed fixes both.
        for layer, role, default_label in layers:
            if layer.label is None:
                layer.label = default_label
            biases = layer._biases(self._rng)
            ids = self._new_ids(role, layer.size)
            extra = {"fixed": True} if layer.fixed else {}
            G.add_nodes_from(
                (n, {"bias": float(b), "activation": layer.activation, "role": role,
                     "layer": layer.label, **extra})
                for n, b in zip(ids, biases, strict=True)
            )
            layer.neurons = ids
            layer.network = self
        for p in projections:
            self._add_projection(p)
        for layer, _, _ in layers:
            for p, gate_type in layer.gatings:
                self._add_gate(layer, p, gate_type)

    def _add_gate(self, gater: Layer, p: Projection, gate_type: str) -> None:
        if p.source.network is not self or gater.network is not self:
            raise TopologyError(f"{gater!r} gates {p!r}: both must belong to the same network")
        G = self._graph
        g = gater.neurons
        if not p.synapses:  # a projection Synaptic did not make (already connected)
            return
        if gate_type == "input":
            where = {n: k for k, n in enumerate(p.target.neurons)}
            pick = [g[where[key[1]]] for key in p.synapses]
        elif gate_type == "output":
            where = {n: k for k, n in enumerate(p.source.neurons)}
            pick = [g[where[key[0]]] for key in p.synapses]
        else:
            pick = list(g)
        for key, neuron in zip(p.synapses, pick, strict=True):
            # Synaptic's input and output gates look through a neuron's inputs and
            # projections, where its self-connection is not: they leave it ungated.
            if key[0] != key[1] or gate_type == "one_to_one":
                synapse_attrs(G, key)["gater"] = neuron

    def _add_projection(self, p: Projection) -> None:
        src, dst = p.source.neurons, p.target.neurons
        G = self._graph
        succ, pred = G._succ, G._pred
        fresh = not any(pred[v] or succ[v] for v in dst)
        if not fresh and p.source is not p.target and _connected(G, src, dst):
            p.synapses = []  # Synaptic's Layer.project: already connected, nothing to do
            return
        if p.connection == "all_to_all":
            p.synapses = list(itertools.product(src, dst))
        else:
            p.synapses = [(src[i], dst[j]) for i, j in p.pairs()]
        weights = p.weights(self._rng)
        if fresh:
            G._add_synapses_fast(p.synapses, weights)
        else:
            p.synapses = [self._project(u, v, float(w), p.weight is not None)
                          for (u, v), w in zip(p.synapses, weights, strict=True)]
        # Synaptic activates neurons in the order they were made: a synapse from a neuron
        # made at or after its target reads the previous step's value.
        rank = {n: k for k, n in enumerate(G)}
        if min(rank[v] for v in dst) <= max(rank[u] for u in src):
            for key in p.synapses:
                if rank[key[0]] >= rank[key[1]]:
                    synapse_attrs(G, key)["delay"] = 1

    def _project(self, u: Any, v: Any, weight: float, given: bool) -> tuple[Any, ...]:
        """Synaptic's ``Neuron.project``: the synapse u -> v it makes or reuses (its key).

        ``u.project(u)`` sets the self-connection to 1. Otherwise Synaptic looks through
        u's inputs, then its projections: finding v -> u first, it makes a new synapse
        even if u -> v exists (a parallel one); finding u -> v, it reuses it, setting its
        weight only if one was ``given``.
        """
        G = self._graph
        if u == v:
            G.add_edge(u, u, weight=1.0)
            return (u, u)
        if G.has_edge(v, u) and G.has_edge(u, v):
            a = G[u][v]
            parallel = [*(a.get("parallel") or ()), {"weight": weight}]
            a["parallel"] = parallel
            return (u, v, len(parallel))
        if G.has_edge(u, v) and not G.has_edge(v, u):
            if given:
                G[u][v]["weight"] = weight
            return (u, v)
        G.add_edge(u, v, weight=weight)
        return (u, v)

    def _new_ids(self, role: str, count: int) -> list[str]:
        """``count`` unused ids like ``h3``, numbered on from the role's neuron count."""
        prefix = _ID_PREFIX[role]
        k = sum(1 for _, a in self._graph.nodes(data=True) if a.get("role") == role)
        ids: list[str] = []
        while len(ids) < count:
            if f"{prefix}{k}" not in self._graph:
                ids.append(f"{prefix}{k}")
            k += 1
        return ids

    @classmethod
    def from_graph(cls, graph: nx.DiGraph[Any], *, seed: Seed = None) -> Network:
        """Build a network from any DiGraph; attributes it lacks get defaults.

        Each node may carry ``bias`` (float), ``activation`` (a registered name), ``role``
        ("input", "hidden" or "output") and ``layer``; each edge ``weight``. What is
        missing is filled in as Synaptic fills in a new neuron or synapse:

        - ``activation``: ``"logistic"`` (Synaptic's default squash);
        - ``role``: from the node's degrees: no incoming edge makes an input, else no
          outgoing edge an output, else a hidden neuron;
        - ``layer``: the role;
        - ``bias`` and ``weight``: drawn from uniform(-0.1, 0.1) with ``seed`` (an int
          or ``numpy.random.Generator``), the biases first in node order, then the
          weights in ``graph.edges`` order, as for any netgraph network.

        So a plain ``nx.DiGraph`` of edges is a network. Inputs and outputs are taken in
        the graph's node order. The graph is copied; errors name the offending neuron or
        synapse, and nothing is built unless everything checks out.
        """
        if not isinstance(graph, nx.DiGraph) or graph.is_multigraph():
            raise TypeError(f"from_graph takes a networkx DiGraph, got {type(graph).__name__}")
        rng = _rng(seed)
        net = cls(seed=rng)
        net._graph = _copy_graph(graph, rng)
        net._watch_reach = True
        net._plan()  # validate now: a bad graph never becomes a Network
        return net

    @_fast.held
    def copy(self) -> Network:
        """An independent network with the same graph (weights, biases, ids, order)."""
        net = Network(seed=np.random.default_rng(self._rng.integers(2**63)))
        net._graph = _copy_graph(self._graph, net._rng)
        net._unreachable = list(getattr(self, "_unreachable", []))  # warned about already
        net._watch_reach = getattr(self, "_watch_reach", False)
        net._plan()
        return net

    @overload
    def add_neuron(self, id: None = None, *, role: str = "hidden", activation: str = "logistic",
                   bias: float | None = None, layer: Any = None) -> str: ...
    @overload
    def add_neuron(self, id: NeuronId, *, role: str = "hidden", activation: str = "logistic",
                   bias: float | None = None, layer: Any = None) -> NeuronId: ...

    @_fast.held
    def add_neuron(
        self,
        id: Any = None,
        *,
        role: str = "hidden",
        activation: str = "logistic",
        bias: float | None = None,
        layer: Any = None,
    ) -> Any:
        """Add one neuron; returns its id (``h3``-style if none is given).

        ``bias=None`` draws it from uniform(-0.1, 0.1) with the network's generator.
        """
        if role not in ROLES:
            raise TopologyError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        self._watch_reach = True
        name = get_activation(activation).name
        if id is None:
            id = self._new_ids(role, 1)[0]
        elif id in self._graph:
            raise TopologyError(f"there is already a neuron {id!r}")
        b = float(self._rng.uniform(-0.1, 0.1)) if bias is None else bias
        try:
            self._graph.add_node(id, bias=b, activation=name, role=role,
                                 layer=role if layer is None else layer)
        except (TypeError, ValueError) as e:
            self._graph.remove_node(id) if id in self._graph else None
            raise TopologyError(f"neuron {id!r}: {e}") from None
        return id

    @_fast.held
    def connect(self, source: Any, target: Any, weight: float | None = None, *,
                delay: int = 0, gater: Any = None, replace: bool = False) -> None:
        """Add the synapse source -> target.

        **Arguments**
        - ``weight``: ``None`` draws it from uniform(-0.1, 0.1) with the network's
          generator (a self-connection gets 1, as in Synaptic).
        - ``delay``: 1 makes the synapse read its source's activation from the previous
          step (needed to close a cycle). A self-connection (``source == target``) is
          always delayed and feeds back the neuron's previous *state*, as Synaptic's
          memory cells do.
        - ``gater``: a neuron whose activation multiplies the synapse.
        - ``replace``: if the synapse exists, give it this weight, delay and gater
          instead (keeping its place in the summation order). Without it an existing
          synapse raises ``TopologyError`` naming it: a trained weight is never
          overwritten by accident.
        """
        G = self._graph
        for n in (source, target) + (() if gater is None else (gater,)):
            if n not in G:
                raise NeuronError(f"no neuron {n!r} in the network")
        if G.nodes[target]["role"] == "input":
            raise TopologyError(f"cannot connect {source!r} -> {target!r}: "
                                f"{target!r} is an input neuron")
        exists = G.has_edge(source, target)
        self._watch_reach = True
        if exists and not flag("replace", replace):
            raise TopologyError(
                f"there is already a synapse {source!r} -> {target!r} (weight "
                f"{G[source][target]['weight']!r}); pass replace=True to replace it, or "
                "set its weight with net.graph[source][target]['weight'] = w")
        if source == target:
            delay = 1
        if isinstance(delay, bool) or delay not in (0, 1):
            raise TopologyError(f"synapse {source!r} -> {target!r}: delay must be 0 or 1, "
                                f"got {delay!r}")
        try:
            if weight is None:
                w = 1.0 if source == target else float(self._rng.uniform(-0.1, 0.1))
            else:
                w = _finite("weight", weight)
        except (TypeError, ValueError) as e:
            raise TopologyError(f"synapse {source!r} -> {target!r}: {e}") from None
        attrs: dict[str, Any] = {"weight": w}
        if delay:
            attrs["delay"] = 1
        if gater is not None:
            attrs["gater"] = gater
        if exists:  # the old synapse's delay and gater go too: it becomes what was asked
            old = G[source][target]
            for key in ("delay", "gater"):
                if key in old and key not in attrs:
                    del old[key]
        G.add_edge(source, target, **attrs)

    @_fast.held
    def disconnect(self, source: Any, target: Any) -> None:
        """Remove the synapse source -> target."""
        if not self._graph.has_edge(source, target):
            raise NeuronError(f"no synapse {source!r} -> {target!r}")
        self._watch_reach = True
        self._graph.remove_edge(source, target)

    @_fast.held
    def remove_neuron(self, neuron: Any) -> None:
        """Remove a neuron and every synapse into or out of it.

        The synapses it gated stay, ungated (Synaptic's ``ungate``): their gain is 1 again.
        """
        G = self._graph
        if neuron not in G:
            raise NeuronError(f"no neuron {neuron!r} in the network")
        self._watch_reach = True
        for *_, a in list(G.edges(data=True)):
            if a.get("gater") == neuron:
                del a["gater"]
            parallel = a.get("parallel")
            if parallel and any(p.get("gater") == neuron for p in parallel):
                a["parallel"] = [{k: x for k, x in p.items()
                                  if not (k == "gater" and x == neuron)} for p in parallel]
        G.remove_node(neuron)

    # -------------------------------------------------------------- inspect
    @property
    def graph(self) -> NetGraph:
        """The model itself, a live ``networkx.DiGraph``: read it, edit it, the network follows."""
        return self._graph

    @property
    @_fast.held
    def inputs(self) -> list[Any]:
        """Ids of the input neurons, in input-vector order."""
        return [n for n, a in self._graph.nodes(data=True) if a.get("role") == "input"]

    @property
    @_fast.held
    def outputs(self) -> list[Any]:
        """Ids of the output neurons, in output-vector order."""
        return [n for n, a in self._graph.nodes(data=True) if a.get("role") == "output"]

    @property
    @_fast.held
    def neurons(self) -> list[Any]:
        """Every neuron id, in the graph's order."""
        return list(self._graph)

    @property
    @_fast.held
    def synapses(self) -> list[tuple[Any, Any]]:
        """Every synapse as (source, target), in the graph's order."""
        return list(self._graph.edges)

    @property
    @_fast.held
    def layers(self) -> dict[Any, list[Any]]:
        """Neuron ids grouped by their ``layer`` label, in the graph's order."""
        out: dict[Any, list[Any]] = {}
        for n, label in self._graph.nodes(data="layer"):
            out.setdefault(label, []).append(n)
        return out

    def __repr__(self) -> str:
        n, m = self._graph.number_of_nodes(), self._graph.number_of_edges()
        counts = f"{n} neuron{'' if n == 1 else 's'}, {m} synapse{'' if m == 1 else 's'}"
        sizes = "-".join(str(len(v)) for v in self.layers.values())
        return f"Network({sizes}: {counts})" if sizes else f"Network({counts})"

    # ------------------------------------------------------------- evaluate
    def _plan(self) -> Plan:
        plan = self._plan_cache
        if plan is None or plan.version != self._graph.version:
            with _fast.exclusive(self._graph):  # compiling relocates the weights
                plan = self._plan_cache = compile_plan(self._graph)
            if getattr(self, "_watch_reach", False):
                self._check_reach(plan)
        return plan

    def _check_reach(self, plan: Plan) -> None:
        """Warn about outputs no input reaches, once for each structure that has them."""
        lost = unreachable_outputs(plan)
        if lost and lost != getattr(self, "_unreachable", None):
            shown = ", ".join(map(repr, lost[:10])) + (", ..." if len(lost) > 10 else "")
            warnings.warn(UnreachableOutputWarning(
                f"output neuron{'s' if len(lost) > 1 else ''} {shown} "
                f"{'are' if len(lost) > 1 else 'is'} reached from no input: "
                f"{'their values do' if len(lost) > 1 else 'its value does'} not depend on the "
                "input. Connect a path from the inputs (a layer that was never projected?)",
                lost), stacklevel=_caller_level())
        self._unreachable = lost

    def _ready(self) -> _core.Engine:
        """The engine running the current plan on this network's state (made anew when
        the structure changed: the state too is then fresh)."""
        plan = self._plan()
        if self._engine.plan is not plan:
            if self._state is None or self._state_version != plan.version:
                self._state, self._flags = _fast.new_state(plan)
                self._state_version = plan.version
            self._engine = _fast.engine(plan, self._state, self._flags)
        return self._engine

    @_fast.held
    def __getstate__(self) -> dict[str, Any]:
        # The compiled plan and its engine are rebuilt on first use: a network pickles,
        # deep-copies and crosses process boundaries with its weights, state and traces.
        state = self.__dict__.copy()
        state["_plan_cache"] = None
        state["_engine"] = None
        # copies taken while the network is held: another thread cannot be mid-epoch
        if self._state is not None:
            state["_state"] = tuple(a.copy() for a in self._state)
        state["_flags"] = self._flags.copy()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        # A memory-mapped load (joblib's mmap_mode="r", as scikit-learn's checks use) gives
        # read-only arrays; the engine writes its state in place.
        if self._state is not None:
            self._state = tuple(np.array(a) for a in self._state)
        self._flags = np.array(self._flags)
        self._engine = _fast.EMPTY

    def _inputs(self, x: Any, n_inputs: int) -> tuple[np.ndarray, bool]:
        """x as a C-contiguous float64 (n, n_inputs) array, and whether it was one sample."""
        X = _array(x, "input")
        if X.dtype.kind not in "biuf":
            raise InputError(f"input must be numbers, got an array of {X.dtype}")
        X = X.astype(np.float64, copy=False)
        if X.ndim == 1:
            single = True
            X2 = X.reshape(1, -1)
        elif X.ndim == 2:
            single, X2 = False, X
        else:
            raise InputError(f"input must be 1-D (one sample) or 2-D (rows = samples), "
                             f"got shape {X.shape}")
        if X2.shape[1] != n_inputs:
            raise InputError(f"the network has {n_inputs} inputs, got {X2.shape[1]} values")
        # one sum is cheaper than an isfinite array; a NaN or infinity makes it non-finite
        if not math.isfinite(X2.sum()) and not np.isfinite(X2).all():
            r, c = np.argwhere(~np.isfinite(X2))[0]
            where = f"input[{c}]" if single else f"input[{r}, {c}]"
            raise InputError(f"{where} is {X2[r, c]}; inputs must be finite numbers")
        return np.ascontiguousarray(X2), single

    def activate(self, x: Any) -> np.ndarray:
        """Feed one sample (1-D) or a batch (2-D, rows = samples) forward.

        **Returns** the outputs: shape (n_outputs,) for one sample, (n_samples,
        n_outputs) for a batch. For a feed-forward network a batch gives the rows that
        activating its samples one by one would (up to the last bits: vectorized and
        BLAS sums round differently); ``propagate`` then learns from the last row.
        A network with delayed or gated synapses carries its state from step to step,
        so a batch is a sequence: its rows are activated in order.
        """
        # The native engine takes one sample of floats itself; it hands back (None)
        # anything else, and every call after a structural change.
        y = self._engine.activate(x)
        return self._activate(x) if y is None else y

    def _activate(self, x: Any) -> np.ndarray:
        engine = self._ready()
        plan = engine.plan
        X, single = self._inputs(x, plan.n_inputs)
        if single:
            y = engine.activate(X[0])
            assert y is not None
            return y
        if plan.recurrent is not None:
            out = np.empty((len(X), plan.n_outputs))
            engine.activate_rows(X, out)
            return out
        return _fast.activate_batch(engine, X)

    def clear(self, *, states: bool = False) -> None:
        """Synaptic's ``clear()``: forget traces and errors between sequences.

        Weights, biases, states, activations and gains are kept, except that
        self-connection gains read 1 again until their gater next runs. With
        ``states=True`` the states and activations are zeroed too and every gain reads
        1: the network then starts the next sequence exactly as a fresh one.
        A feed-forward network keeps nothing between samples, so this only forgets
        the last activation. Either way ``propagate`` needs an ``activate`` first.
        """
        self._ready().clear(flag("states", states))

    @_fast.held
    def reset(self, *, seed: Seed = None) -> None:
        """Synaptic's ``reset()``: new random weights and biases (uniform(-0.1, 0.1)) and a
        cleared, zeroed state. Self-connection weights are kept, as in Synaptic.
        ``seed``: an int or Generator; default: the network's own generator.
        """
        rng = self._rng if seed is None else _rng(seed)
        G = self._graph
        for u, v, a in G.edges(data=True):
            if u != v:
                a["weight"] = float(rng.uniform(-0.1, 0.1))
                for p in a.get("parallel") or ():
                    p["weight"] = float(rng.uniform(-0.1, 0.1))
        for _, a in G.nodes(data=True):
            a["bias"] = float(rng.uniform(-0.1, 0.1))
        self.clear(states=True)

    def _targets(self, target: Any, n_outputs: int) -> np.ndarray:
        T = _array(target, "target")
        if T.dtype.kind not in "biuf":
            raise InputError(f"target must be numbers, got an array of {T.dtype}")
        T = T.astype(np.float64, copy=False).reshape(-1) if T.ndim <= 1 else T
        if T.ndim != 1 or len(T) != n_outputs:
            raise InputError(f"the network has {n_outputs} outputs, got a target of shape "
                             f"{np.shape(target)}")
        if not math.isfinite(T.sum()) and not np.isfinite(T).all():
            k = int(np.argmax(~np.isfinite(T)))
            raise InputError(f"target[{k}] is {T[k]}; targets must be finite numbers")
        return np.ascontiguousarray(T)

    def propagate(self, rate: float, target: Any) -> None:
        """Learn from the last ``activate``: Synaptic's rule, in place.

        Output neurons take the error ``t - y``; the rest backpropagate it, each
        neuron updating its incoming weights and bias (``w += rate * d * y_source``)
        before neurons upstream compute theirs.

        ``rate`` must be a finite number >= 0 (else ``InputError``). Raises
        ``DivergenceError`` if a weight or bias would become NaN or infinite; the
        network then keeps the weights, biases and state it had before the call.
        """
        if not (type(rate) is float and 0.0 <= rate <= _FLOAT_MAX):
            rate = _rate(rate)  # one comparison in the common case; else check it
        done = self._engine.propagate(rate, target)
        if done is not True:
            self._propagate(rate, target, done)

    def _propagate(self, rate: Any, target: Any, done: bool | None) -> None:
        if done is None:  # the engine handed the call back: check everything, then run it
            # held first: another thread's call is refused before it reads our flags
            with _fast.exclusive(self._graph):
                engine = self._ready()
                if not self._flags[0]:
                    raise InputError("propagate needs an activate first (and no clear() or "
                                     "change to the network's structure in between)")
                T = self._targets(target, engine.plan.n_outputs)
                done = engine.propagate(_rate(rate), T)
            assert done is not None
        if not done:
            raise DivergenceError(
                f"propagate(rate={rate!r}) would make a weight or bias NaN or infinite; the "
                "network keeps the weights and biases it had before the call (try a smaller "
                "rate)")

    def gradient(self, inputs: Any, targets: Any, cost: str = "mse") -> Gradient:
        """Exact gradient of the mean cost over a batch, by backpropagation on the graph.

        **Arguments**
        - ``inputs``: shape (n_samples, n_inputs) (or one sample, 1-D).
        - ``targets``: shape (n_samples, n_outputs) (or 1-D for one sample).
        - ``cost``: ``"mse"`` (mean over outputs of (t - y)^2), ``"cross_entropy"``
          (sum over outputs), or ``"mae"``.

        **Returns** a ``Gradient``; the network is not changed.
        """
        plan = self._plan()
        X, _ = self._inputs(inputs, plan.n_inputs)
        T = np.atleast_2d(_array(targets, "targets"))
        if T.dtype.kind not in "biuf":
            raise InputError(f"targets must be numbers, got an array of {T.dtype}")
        T = T.astype(np.float64, copy=False)
        if T.shape != (len(X), plan.n_outputs):
            raise InputError(f"targets must have shape {(len(X), plan.n_outputs)}, got {T.shape}")
        if not np.isfinite(T).all():
            raise InputError("targets must be finite numbers")
        c = get_cost(cost)
        if not c.differentiable:
            raise InputError(f"the {c.name!r} cost has no gradient")
        if not plan.feedforward:
            raise TopologyError("gradient() needs a feed-forward network; networks with "
                                "delayed or gated synapses learn online with propagate/train")
        value, gw, gb, _ = _fast.gradient(self._ready(), X, T, c)
        return Gradient(value, gw, gb, list(plan.synapses), list(plan.neurons))

    # ----------------------------------------------------------------- train
    def train(self, data: Any, targets: Any = None, **options: Unpack[TrainOptions]
              ) -> TrainResult:
        """Train on a data set; returns a ``TrainResult`` (error, iterations, time, history).

        **Arguments**
        - ``data``: ``(input, target)`` pairs, Synaptic's ``{"input", "output"}`` dicts,
          or a 2-D input array with ``targets`` a 2-D target array (rows = samples).
        - ``rate``: a number >= 0, a list (spread evenly over ``iterations``, as
          Synaptic) or a callable ``rate(iteration, last_error)``. Default 0.2 (Adam: 0.001).
        - ``iterations`` (100000), ``error`` (0.005): stop after that many epochs or
          once the epoch's error is at most ``error``.
        - ``cost``: ``"mse"`` (default), ``"cross_entropy"``, ``"mae"``, ``"binary"``.
        - ``shuffle``: reshuffle the samples after every epoch (seeded by ``seed``).
        - ``batch_size`` (1), ``momentum`` (0), ``optimizer`` (``"sgd"``, ``"adam"``):
          with the defaults each sample is activated then propagated with Synaptic's
          rule, exactly as calling ``activate``/``propagate`` in a loop; otherwise
          each minibatch takes a step along the exact gradient of its mean cost.
        - ``schedule``: ``{"every": N, "do": fn}``; ``fn({"error", "iterations",
          "rate"})`` runs every N epochs and stops training by returning True.
        - ``cross_validate``: ``{"test_size": 0.3, "test_error": 0.02}``: hold out the
          last 30% of the samples; the reported error is theirs, and training stops
          when it reaches ``test_error``.
        - ``sequences``: ``data`` is a list of sequences (each in any of the forms
          above); every sequence starts from a cleared, zeroed state
          (``clear(states=True)``) and is trained step by step. Without it a network
          with delayed or gated synapses runs through the samples as one stream,
          keeping its state, as Synaptic's Trainer does.
        - ``seed``: int or Generator for shuffling. ``progress``: show a progress bar
          (``True``, ``False``, or ``"auto"``, the default: on a terminal or in a Jupyter
          notebook, for runs over a second; tqdm's bar if tqdm is installed, as
          ``[notebook]`` installs it). ``log=N``: print the error every N epochs.
        - ``record_every=N``: keep the weights and biases before training, every N
          epochs and at the end in ``result.snapshots`` (``netgraph.render_training``
          replays them in a browser).

        Every option is checked before anything runs: a wrong type or value (``True``
        for a count, ``"yes"`` for a flag, a NaN, a negative rate) raises ``InputError``
        naming it. Raises ``DivergenceError`` if the error or a weight becomes NaN or
        infinite; the network then keeps the weights it had before that epoch.
        """
        from ._train import train

        return train(self, data, targets, **options)

    def test(self, data: Any, targets: Any = None, cost: str = "mse") -> float:
        """Mean ``cost`` of the network's outputs over a data set (same forms as ``train``)."""
        from ._train import test

        return test(self, data, targets, cost)

    # ----------------------------------------------------------- save/load
    @_fast.held
    def to_synaptic(self, *, strict: bool = True) -> dict[str, Any]:
        """Synaptic.js ``toJSON()`` format, in the order Synaptic's ``fromJSON`` runs it.

        With ``strict`` (the default) a network that Synaptic would load but compute
        differently raises ``NetworkFormatError`` naming the neuron or synapse and why: a
        self-connection whose weight is not 1 (fromJSON sets them to 1), an output neuron
        that runs before hidden neurons it is linked to (Synaptic runs outputs last), a
        ``fixed`` neuron (Synaptic trains every neuron), parallel synapses a -> b with no
        b -> a (fromJSON would merge them; with b -> a they are written after every
        pair's first synapse, which fromJSON keeps apart). ``strict=False`` writes it
        anyway with a ``SynapticFidelityWarning``. A hidden neuron that feeds nothing, or a
        neuron with no input, always warns: Synaptic's compiled mode takes it for an extra
        output or input.
        """
        from .interop._synaptic import to_synaptic

        return to_synaptic(self, strict=strict)

    @classmethod
    def from_synaptic(cls, data: Any, *, max_bytes: int | None = None) -> Network:
        """Import Synaptic.js ``toJSON()`` output: a dict, JSON text or bytes, a file path
        or an open file. At most ``max_bytes`` (default 512 MiB) are read from any
        source; every bad input raises ``NetworkFormatError`` naming the place. Warns
        (``SynapticFidelityWarning``) if Synaptic's compiled mode would train the network
        differently (see the README's "Synaptic fidelity")."""
        from .interop._synaptic import MAX_DOCUMENT_BYTES, from_synaptic

        return from_synaptic(data, max_bytes=max_bytes or MAX_DOCUMENT_BYTES)

    @_fast.held
    def to_json(self, *, layout: Layout = "auto", name: str | None = None,
                description: str | None = None, training: Any = None,
                created: Any = None) -> str:
        """The network as netgraph JSON text (format ``netgraph-network``, version 1).

        Neuron ids, the order of neurons and synapses, and every weight and bias (bit
        for bit) survive ``from_json``. ``layout``: ``"rows"`` (one synapse object per
        line, readable), ``"columns"`` (parallel lists, compact and fast) or ``"auto"``
        (rows up to 1000 synapses). ``name``/``description`` default to the graph
        attributes of those names; ``training`` (a ``TrainingState`` or dict: optimizer,
        cost, rate, momentum, batch_size, iterations, error) defaults to
        ``graph.graph["training"]``; ``created`` (a datetime or ISO 8601 text) to now.
        Raises ``NetworkFormatError`` for what JSON cannot hold (NaN or infinite
        weights, ids other than str/int, ...).
        """
        from ._json import to_json

        return to_json(self, layout=layout, name=name,
                       description=description, training=training, created=created)

    @classmethod
    def from_json(cls, text: str | bytes | dict[str, Any], *,
                  max_bytes: int | None = None) -> Network:
        """A network from netgraph JSON text (or bytes, or the parsed dict).

        Everything is checked before anything is built; a bad document raises
        ``NetworkFormatError`` naming the place (``synapses[17].target: unknown neuron
        'h9'``). Older format versions are upgraded. ``max_bytes`` (default 512 MiB,
        ``None`` for the default) refuses documents of more bytes (text counts as UTF-8).
        Reading stops at the first error; loading needs at most about 4 x the document's
        size in memory on top of the network it builds (a document refused late in the
        read: up to about 5.5 x its size).
        """
        from ._json import MAX_BYTES, from_json

        return from_json(text, max_bytes=MAX_BYTES if max_bytes is None else max_bytes,
                         network_class=cls)

    @_fast.held
    def save(self, path: str | PathLike[str], *, layout: Layout = "auto", name: str | None = None,
             description: str | None = None, training: Any = None, created: Any = None
             ) -> Path:
        """Write ``to_json(**options)`` to ``path`` atomically; returns the path.

        The text goes to a temporary file in the same folder, which then replaces
        ``path``: a crash or kill mid-save leaves the old file as it was.
        """
        from ._json import save

        return save(self, path, layout=layout, name=name, description=description,
                    training=training, created=created)

    @classmethod
    def load(cls, path: str | PathLike[str], *, max_bytes: int | None = None) -> Network:
        """Read a network written by ``save`` (see ``from_json``)."""
        from ._json import MAX_BYTES, load

        return load(path, max_bytes=MAX_BYTES if max_bytes is None else max_bytes,
                    network_class=cls)

    # ------------------------------------------------------------- diagrams
    def diagram(self, **options: Unpack[DiagramOptions]) -> graphviz.Digraph:
        """The topology as a ``graphviz.Digraph``; options as ``netgraph.diagram``
        (``net.diagram(input=[1, 0])`` shows what each neuron computes for that input)."""
        from ._diagram import diagram

        return diagram(self, **options)

    def to_dot(self, **options: Unpack[DiagramOptions]) -> str:
        """The diagram's DOT source (needs no Graphviz program)."""
        from ._diagram import to_dot

        return to_dot(self, **options)

    def render(self, path: str | PathLike[str], *, format: str | None = None,
               **options: Unpack[RenderOptions]) -> Path:
        """Draw the network into ``path``: svg, png, pdf, dot, ... from the extension,
        or ``.html`` for a page to explore it in a browser (see ``netgraph.render``).

        Returns the ``Path``; raises ``GraphvizNotFoundError`` for a picture without
        Graphviz (an HTML page needs none).
        """
        from ._diagram import render

        return render(self, path, format=format, **options)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from ._diagram import mimebundle

        return mimebundle(self, include, exclude)

    def _repr_svg_(self) -> str | None:
        from ._diagram import svg
        from ._exceptions import GraphvizNotFoundError

        try:
            return svg(self)
        except GraphvizNotFoundError:
            return None


def _copy_graph(graph: nx.DiGraph[Any], rng: np.random.Generator) -> NetGraph:
    """``graph`` as a new NetGraph, with ``from_graph``'s defaults for what it lacks."""
    G = NetGraph()
    G.graph.update(graph.graph)
    for n, a in graph.nodes(data=True):
        attrs = dict(a)
        if "role" not in attrs:
            attrs["role"] = ("input" if graph.in_degree(n) == 0 else
                             "output" if graph.out_degree(n) == 0 else "hidden")
        attrs.setdefault("activation", "logistic")
        if "bias" not in attrs:
            attrs["bias"] = float(rng.uniform(-0.1, 0.1))
        attrs.setdefault("layer", attrs["role"])
        try:
            G.add_node(n, **attrs)
        except (TypeError, ValueError) as e:
            raise TopologyError(f"neuron {n!r}: {e}") from None
    drawn = {(u, v): float(rng.uniform(-0.1, 0.1))
             for u, v, a in graph.edges(data=True) if "weight" not in a}
    # Keep each neuron's incoming order (its summation order) as well as its outgoing
    # one: a copy must compute exactly what the original computes.
    for u, v in synapse_order(graph):
        a = graph[u][v]
        if drawn and "weight" not in a:
            a = {**a, "weight": drawn[u, v]}
        try:
            G.add_edge(u, v, **a)
        except (TypeError, ValueError) as e:
            raise TopologyError(f"synapse {u!r} -> {v!r}: {e}") from None
    return G


def _rate(value: Any) -> float:
    return _arguments.rate(value)


def _array(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x)``, with ragged nesting (rows of different lengths) an ``InputError``
    naming ``name`` rather than numpy's ValueError."""
    try:
        return np.asarray(x)
    except (ValueError, TypeError):
        pass
    rows: list[int] = []
    with contextlib.suppress(TypeError):
        rows = [len(row) for row in x]
    for k, n in enumerate(rows[1:], 1):
        if n != rows[0]:
            raise InputError(f"{name} rows differ in length: row 0 has {rows[0]} values, row "
                             f"{k} has {n}") from None
    raise InputError(f"{name} must be an array of numbers with rows of equal length, got "
                     f"{type(x).__name__}") from None


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_FLOAT_MAX = sys.float_info.max  # NaN and infinity fail the comparison with it


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside netgraph."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level
