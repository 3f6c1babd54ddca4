"""The model: a networkx DiGraph whose weights and biases live in numpy arrays.

Neurons are nodes with attributes ``bias``, ``activation``, ``role`` and ``layer``;
synapses are edges with ``weight`` (and, for recurrent and gated nets, ``delay``
and ``gater``). ``NetGraph`` is an ordinary ``networkx.DiGraph`` except that each
node's and edge's attribute mapping keeps ``bias``/``weight`` in a slot of a shared
float64 array. Compiled plans read and update those arrays in place, so the graph
can never show a stale weight, and a weight a user sets through networkx is what
the next ``activate`` uses. Every structural change (a node, edge, activation,
role, delay or gater added, removed or changed) bumps ``version``, which tells the
network its compiled plan must be rebuilt.

A bias or weight is either set (a float in its slot, whatever its value, NaN
included) or missing (no slot at all): there is no "not set" value, so nothing a
kernel writes can make a weight disappear from the graph. Deleting a weight or bias,
or setting one that was missing, is a structural change: the compiler then names
the neuron or synapse that lacks it. Adding neurons and synapses is all or nothing:
the values of ``bias`` and ``weight`` are checked before anything is added.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import networkx as nx
import numpy as np
import numpy.typing as npt

from . import _core

if TYPE_CHECKING:
    # networkx's classes are generic only in its stubs: subscripting them at run time fails
    _DiGraph: TypeAlias = nx.DiGraph[Any]
else:
    _DiGraph = nx.DiGraph

ROLES = ("input", "hidden", "output")

_Floats: TypeAlias = npt.NDArray[np.float64]


class _Store:
    """Contiguous storage for the weights and biases of one graph.

    It also makes the graph's own attribute classes: subclasses of ``NeuronAttrs``
    and ``SynapseAttrs`` that carry the store as a class attribute, so each neuron's
    or synapse's mapping holds nothing but its slot (and, rarely, extra keys).
    A million synapses are then a million 40-byte objects, made about as fast as
    networkx makes its plain dicts.
    """

    __slots__ = (
        "__weakref__",
        "biases",
        "lock",
        "n_biases",
        "n_weights",
        "neuron_attrs",
        "synapse_attrs",
        "version",
        "weights",
    )
    weights: _Floats
    biases: _Floats
    n_weights: int
    n_biases: int
    version: int
    lock: npt.NDArray[np.uint64]
    neuron_attrs: type[NeuronAttrs]
    synapse_attrs: type[SynapseAttrs]

    def __init__(self) -> None:
        self.weights = np.empty(16)
        self.biases = np.empty(16)
        self.n_weights = 0
        self.n_biases = 0
        self.version = 0
        # The ident of the thread training or evaluating this graph with the GIL released,
        # or 0 (see _fast.exclusive); changes from any other thread are refused meanwhile.
        self.lock = np.zeros(1, dtype=np.uint64)
        self._make_classes()

    def _make_classes(self) -> None:
        self.neuron_attrs = _subclass(NeuronAttrs, self)
        self.synapse_attrs = _subclass(SynapseAttrs, self)

    def __getstate__(self) -> tuple[_Floats, _Floats, int]:
        # held while copied: refused (ConcurrencyError) while another thread trains
        previous = _core.acquire(self.lock)
        try:
            return (self.weights[: self.n_weights].copy(), self.biases[: self.n_biases].copy(),
                    self.version)
        finally:
            _core.release(self.lock, previous)

    def __setstate__(self, state: tuple[_Floats, _Floats, int]) -> None:
        weights, biases, self.version = state
        self.lock = np.zeros(1, dtype=np.uint64)
        self.n_weights, self.n_biases = len(weights), len(biases)
        self.weights = np.concatenate([weights, np.empty(16)])
        self.biases = np.concatenate([biases, np.empty(16)])
        self._make_classes()

    def new_weight(self) -> int:
        if self.n_weights == len(self.weights):
            self.weights = _grown(self.weights)
        self.n_weights += 1
        return self.n_weights - 1

    def new_bias(self) -> int:
        if self.n_biases == len(self.biases):
            self.biases = _grown(self.biases)
        self.n_biases += 1
        return self.n_biases - 1


_A = TypeVar("_A", bound="_Attrs")


_M = TypeVar("_M", bound=Callable[..., Any])


def _held(method: _M) -> _M:
    """A mutator that holds the graph's lock while it runs: refused (ConcurrencyError)
    while another thread holds it, and never interleaved with another thread's work."""
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        lock = self._store.lock
        previous = _core.acquire(lock)
        try:
            return method(self, *args, **kwargs)
        finally:
            _core.release(lock, previous)
    return cast(_M, run)


def _subclass(base: type[_A], store: _Store) -> type[_A]:
    """``base``'s subclass (of the same name) whose mappings keep their values in ``store``."""
    # type() with three arguments makes the class; mypy knows only that it returns a type.
    return cast("type[_A]", type(base.__name__, (base,), {"__slots__": (), "_store": store}))


def _grown(a: _Floats, need: int = 0) -> _Floats:
    """``a`` copied into an array of twice its length, or of ``need`` if that is more."""
    b = np.empty(max(need, 2 * len(a)))
    b[: len(a)] = a
    return b


def _finite(key: str, value: Any, error: type[Exception] | None = None) -> float:
    """``value`` as a float if it is a finite real number; else TypeError/ValueError
    (or ``error``) naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise (error or TypeError)(f"{key} must be a real number, got "
                                   f"{type(value).__name__}: {value!r:.40}")
    try:
        x = float(value)
    except OverflowError:  # an int beyond float64's range
        x = math.inf if value > 0 else -math.inf
    if not math.isfinite(x):
        shown = f"{value!r:.40}" if isinstance(value, int) else str(x)
        raise (error or ValueError)(f"{key} must be finite, got {shown}")
    return x


_UNSET = -1  # the slot of a bias or weight that is missing


def _checked_attrs(key: str, attrs: Any) -> Any:
    """Check ``attrs[key]`` (if given) before anything is changed: all or nothing."""
    if key in attrs:
        _finite(key, attrs[key])
    return attrs


def _restore(store: _Store, key: str, slot: int, extra: dict[str, Any] | None) -> _Attrs:
    cls: type[_Attrs] = store.neuron_attrs if key == "bias" else store.synapse_attrs
    a = cls.__new__(cls)
    a._slot = slot
    if extra:
        a._extra = extra
    return a


class _Attrs(MutableMapping[str, Any]):
    """Attribute mapping of one neuron or synapse; ``_key`` is held in the store.

    Keys other than ``_key`` live in ``_extra``, which exists only once one is set.
    """

    __slots__ = ("_extra", "_slot")
    _extra: dict[str, Any]
    _slot: int
    _key = ""  # "bias" or "weight"
    _store: _Store  # set on each graph's own subclass
    _structural: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self._slot = _UNSET  # a slot is taken when the value is first set

    def _new_slot(self, store: _Store) -> int:
        raise NotImplementedError

    def _array(self) -> _Floats:
        raise NotImplementedError

    def _extras(self) -> dict[str, Any]:
        try:
            return self._extra
        except AttributeError:
            self._extra = {}
            return self._extra

    def __getitem__(self, key: str) -> Any:
        if key == self._key:
            if self._slot < 0:
                raise KeyError(key)
            return float(self._array()[self._slot])
        try:
            return self._extra[key]
        except AttributeError:
            raise KeyError(key) from None

    @_held
    def __setitem__(self, key: str, value: Any) -> None:
        _core.check(self._store.lock)
        if key == self._key:
            x = _finite(key, value)
            if self._slot < 0:  # a missing value becomes present: the plan must see it
                self._slot = self._new_slot(self._store)
                self._store.version += 1
            self._array()[self._slot] = x
            return
        self._extras()[key] = value
        if key in self._structural:
            self._store.version += 1

    @_held
    def __delitem__(self, key: str) -> None:
        _core.check(self._store.lock)
        if key == self._key:
            if self._slot < 0:
                raise KeyError(key)
            self._slot = _UNSET  # the plan must be rebuilt, and will name what is missing
            self._store.version += 1
            return
        del self._extras()[key]
        if key in self._structural:
            self._store.version += 1

    def update(self, other: Any = (), /, **kwds: Any) -> None:
        """As ``dict.update``, all or nothing: a bad ``bias``/``weight`` changes nothing."""
        items = dict(other, **kwds) if kwds or not isinstance(other, dict) else other
        if self._key in items:
            x = _finite(self._key, items[self._key])
            for k, v in items.items():
                self[k] = x if k == self._key else v
        else:
            for k, v in items.items():
                self[k] = v

    def get(self, key: str, default: Any = None) -> Any:
        # Mapping.get goes through a KeyError for every missing key; networkx calls
        # get() on every edge in many algorithms.
        if key == self._key:
            return default if self._slot < 0 else float(self._array()[self._slot])
        extra = getattr(self, "_extra", None)
        return default if extra is None else extra.get(key, default)

    def __contains__(self, key: object) -> bool:
        if key == self._key:
            return self._slot >= 0
        return key in getattr(self, "_extra", ())

    def __iter__(self) -> Iterator[str]:
        if self._slot >= 0:
            yield self._key
        yield from getattr(self, "_extra", ())

    def __len__(self) -> int:
        return (self._slot >= 0) + len(getattr(self, "_extra", ()))

    def copy(self) -> dict[str, Any]:
        """A plain ``dict`` of the attributes (networkx calls this when copying graphs)."""
        return dict(self.items())

    def __repr__(self) -> str:
        return repr(self.copy())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (MutableMapping, dict)):
            return self.copy() == dict(other)
        return NotImplemented

    # Unhashable, as dict is; typeshed declares object.__hash__ a method, not an optional one.
    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self._store, self._key, self._slot, getattr(self, "_extra", None)))


class NeuronAttrs(_Attrs):
    """A neuron's attributes; ``bias`` lives in the graph's bias array."""

    __slots__ = ()
    _key = "bias"
    _structural = frozenset({"activation", "role", "layer", "fixed"})

    def _new_slot(self, store: _Store) -> int:
        return store.new_bias()

    def _array(self) -> _Floats:
        return self._store.biases


class SynapseAttrs(_Attrs):
    """A synapse's attributes; ``weight`` lives in the graph's weight array.

    ``parallel`` holds further synapses between the same two neurons (Synaptic makes
    them): a tuple of mappings of this same kind, each with its own live ``weight`` and
    optional ``gater``/``delay``. Setting it takes any sequence of mappings with a
    ``weight`` and is a structural change; the list it holds is read-only (set the
    attribute anew to add or remove one), while each synapse's ``weight`` can be set.
    """

    __slots__ = ()
    _key = "weight"
    _structural = frozenset({"delay", "gater", "parallel"})

    def _new_slot(self, store: _Store) -> int:
        return store.new_weight()

    def _array(self) -> _Floats:
        return self._store.weights

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "parallel":
            value = self._parallel(value)
            if not value:  # no parallel synapse: no attribute
                if "parallel" in self:
                    del self["parallel"]
                return
        super().__setitem__(key, value)

    def _parallel(self, value: Any) -> Parallel:
        """``value`` as synapses of this graph, each weight in a slot of its own."""
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise TypeError("parallel must be a list of mappings, each with a 'weight', got "
                            f"{type(value).__name__}")
        out = []
        for k, item in enumerate(value):
            if not isinstance(item, Mapping) or "weight" not in item:
                raise TypeError(f"parallel[{k}] must be a mapping with a 'weight', got "
                                f"{item!r:.60}")
            if "parallel" in item:
                raise ValueError(f"parallel[{k}] cannot hold parallel synapses of its own")
            a = type(self)()
            for name, v in item.items():
                try:
                    a[name] = v
                except (TypeError, ValueError) as e:
                    raise type(e)(f"parallel[{k}].{e}") from None
            out.append(a)
        return Parallel(out)

    def copy(self) -> dict[str, Any]:
        """A plain ``dict``, parallel synapses as a list of plain dicts."""
        d = dict(self.items())
        if "parallel" in d:
            d["parallel"] = [p.copy() for p in d["parallel"]]
        return d


class Parallel(list[Any]):
    """The read-only list of a pair's further synapses (``G[u][v]["parallel"]``).

    A list, so that networkx, JSON writers and users read it as one; changing it in place
    would not tell the network its structure changed, so that is refused.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("parallel synapses cannot be changed in place; set "
                        "G[u][v]['parallel'] to a new list (each entry's weight can be set)")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    # list's signatures for these differ from _refuse's (overloads, in-place results)
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse  # type: ignore[assignment]

    def copy(self) -> list[Any]:
        return [dict(a) for a in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Parallel, (list(self),))


def synapse_attrs(G: NetGraph, key: tuple[Any, ...]) -> SynapseAttrs:
    """The attributes of synapse ``key``: ``(u, v)`` is ``G[u][v]``; ``(u, v, k)`` (k >= 1)
    is its k-th parallel synapse, ``G[u][v]["parallel"][k - 1]``."""
    a = G._succ[key[0]][key[1]]
    if len(key) == 2:
        return a
    parallel: list[SynapseAttrs] = a["parallel"]
    k: int = key[2]
    return parallel[k - 1]


def synapse_keys(G: NetGraph, u: Any, v: Any) -> list[tuple[Any, ...]]:
    """Every synapse u -> v: ``(u, v)`` then ``(u, v, k)`` for its parallel synapses."""
    parallel = G._succ[u][v].get("parallel") or ()
    return [(u, v)] + [(u, v, k) for k in range(1, len(parallel) + 1)]


class NetGraph(_DiGraph):
    """The networkx ``DiGraph`` behind a ``Network``.

    Use it as any DiGraph: read it with networkx algorithms, set ``weight`` and
    ``bias`` through it, add or remove neurons and synapses. The network notices
    every change. ``bias`` and ``weight`` must be finite numbers.
    """

    # networkx's own dicts (absent from its stubs), read directly on the fast paths;
    # every attribute mapping in them is made by this graph's store.
    _node: dict[Any, NeuronAttrs]
    _succ: dict[Any, MutableMapping[Any, SynapseAttrs]]
    _pred: dict[Any, MutableMapping[Any, SynapseAttrs]]
    _store: _Store

    def __init__(self, incoming_graph_data: Any = None, **attr: Any) -> None:
        self._store = _Store()
        self._use_store_classes()
        super().__init__(incoming_graph_data, **attr)

    def _use_store_classes(self) -> None:
        # networkx calls these factories with no arguments: use this graph's own classes.
        # The stubs declare them class variables; networkx reads them through the instance.
        self.node_attr_dict_factory = self._store.neuron_attrs  # type: ignore[method-assign, misc]
        self.edge_attr_dict_factory = self._store.synapse_attrs  # type: ignore[method-assign, misc]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["node_attr_dict_factory"], state["edge_attr_dict_factory"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._use_store_classes()

    @property
    def version(self) -> int:
        """Bumped by every structural change; compiled plans remember the one they saw."""
        return self._store.version

    def _may_change(self) -> None:
        # never while another thread runs on these arrays (ConcurrencyError)
        _core.check(self._store.lock)

    def _changed(self) -> None:
        self._store.version += 1

    # Every networkx mutator that can change structure goes through these.
    # Each checks the values of bias and weight before changing anything, so a bad
    # value leaves the graph as it was (networkx would add the node, then fail).
    @_held
    def add_node(self, node_for_adding: Any, **attr: Any) -> None:
        self._may_change()
        super().add_node(node_for_adding, **_checked_attrs("bias", attr))
        self._changed()

    @_held
    def add_nodes_from(self, nodes_for_adding: Any, **attr: Any) -> None:
        self._may_change()
        _checked_attrs("bias", attr)
        nodes = list(nodes_for_adding)
        for n in nodes:
            try:
                n in self._node  # noqa: B015 - networkx's own test for "(node, attrs)"
            except TypeError:
                try:
                    n, ndict = n
                except (TypeError, ValueError):
                    raise TypeError(f"{n!r:.60} is neither a node nor a (node, "
                                    "attributes) pair") from None
                _checked_attrs("bias", ndict)
            if n is None:
                raise ValueError("None cannot be a node")
        super().add_nodes_from(nodes, **attr)
        self._changed()

    @_held
    def remove_node(self, n: Any) -> None:
        self._may_change()
        super().remove_node(n)
        self._changed()

    @_held
    def remove_nodes_from(self, nodes: Any) -> None:
        self._may_change()
        super().remove_nodes_from(nodes)
        self._changed()

    @_held
    def add_edge(self, u_of_edge: Any, v_of_edge: Any, **attr: Any) -> None:
        self._may_change()
        if u_of_edge is None or v_of_edge is None:
            raise ValueError("None cannot be a node")
        super().add_edge(u_of_edge, v_of_edge, **_checked_attrs("weight", attr))
        self._changed()

    @_held
    def add_edges_from(self, ebunch_to_add: Any, **attr: Any) -> None:
        self._may_change()
        _checked_attrs("weight", attr)
        edges = list(ebunch_to_add)
        for e in edges:
            if len(e) == 3:
                _checked_attrs("weight", e[2])
            elif len(e) != 2:
                raise nx.NetworkXError(f"Edge tuple {e} must be a 2-tuple or 3-tuple.")
            if e[0] is None or e[1] is None:
                raise ValueError("None cannot be a node")
        super().add_edges_from(edges, **attr)
        self._changed()

    @_held
    def remove_edge(self, u: Any, v: Any) -> None:
        self._may_change()
        super().remove_edge(u, v)
        self._changed()

    @_held
    def remove_edges_from(self, ebunch: Any) -> None:
        self._may_change()
        super().remove_edges_from(ebunch)
        self._changed()

    @_held
    def clear(self) -> None:
        self._may_change()
        super().clear()
        self._changed()

    @_held
    def clear_edges(self) -> None:
        self._may_change()
        super().clear_edges()
        self._changed()

    @_held
    def _add_neurons_fast(self, nodes: list[tuple[Any, dict[str, Any]]]) -> None:
        """Add many new neurons without per-neuron networkx calls (the loader's path).

        Each attribute dict must hold a finite float ``bias`` and is taken over (``bias``
        moves to the store, the rest becomes the neuron's mapping). The ids must be new
        and distinct: the loader has checked both.
        """
        self._may_change()
        store = self._store
        start = store.n_biases
        need = start + len(nodes)
        if need > len(store.biases):
            store.biases = _grown(store.biases, need)
        biases = store.biases
        succ, pred, node = self._succ, self._pred, self._node
        inner = type(self).adjlist_inner_dict_factory
        cls = store.neuron_attrs
        new = cls.__new__
        slot = start
        for n, attrs in nodes:
            a = new(cls)
            biases[slot] = attrs.pop("bias")
            a._slot = slot
            slot += 1
            a._extra = attrs
            succ[n] = inner()
            pred[n] = inner()
            node[n] = a
        store.n_biases = need
        nx._clear_cache(self)
        self._changed()

    @_held
    def _add_synapses_fast(self, edges: list[tuple[Any, Any]], weights: np.ndarray) -> None:
        """Add many new synapses between existing neurons, without per-edge networkx calls.

        Used by the builder for dense layer pairs, where it is most of the build time.
        """
        self._may_change()
        store = self._store
        start = store.n_weights
        need = start + len(edges)
        if need > len(store.weights):
            store.weights = _grown(store.weights, need)
        store.weights[start:need] = weights
        store.n_weights = need
        succ, pred = self._succ, self._pred
        cls = store.synapse_attrs
        new = cls.__new__
        slot = start
        for u, v in edges:
            a = new(cls)
            a._slot = slot
            slot += 1
            succ[u][v] = a
            pred[v][u] = a
        self._changed()

    @_held
    def _relocate(self, neuron_order: list[Any], synapse_order: list[tuple[Any, ...]]) -> None:
        """Lay biases and weights out in the given orders (slot k = k-th item; a synapse
        is a key of ``synapse_attrs``).

        A compiled plan then reads them as contiguous arrays. Called by the compiler,
        which passes every neuron and synapse exactly once.
        """
        store = self._store
        nodes, succ = self._node, self._succ
        old_b, old_w = store.biases, store.weights
        biases = np.empty(max(16, len(neuron_order)))
        weights = np.empty(max(16, len(synapse_order)))
        for k, n in enumerate(neuron_order):
            a = nodes[n]
            biases[k] = old_b[a._slot]
            a._slot = k
        for k, key in enumerate(synapse_order):
            s = succ[key[0]][key[1]]
            if len(key) == 3:  # a parallel synapse (see ``synapse_attrs``)
                s = s["parallel"][key[2] - 1]
            weights[k] = old_w[s._slot]
            s._slot = k
        store.biases, store.n_biases = biases, len(neuron_order)
        store.weights, store.n_weights = weights, len(synapse_order)


def creation_order(succ_src: np.ndarray, succ_dst: np.ndarray, pred_src: np.ndarray,
                   pred_dst: np.ndarray) -> np.ndarray | None:
    """An order of the synapses that reproduces both adjacency orders, or None if the
    outgoing order (``succ_*``, grouped by source) already does.

    networkx keeps each neuron's outgoing synapses (``G.succ[u]``) and incoming ones
    (``G.pred[v]``, the order the compiled plan sums them in) in the order they were
    added. Listing the synapses source by source keeps the first; the second survives
    only if every neuron's incoming synapses come from sources in node order. When
    they do not, this finds a single order consistent with both (one exists: the order
    the synapses were last added in), staying as close as it can to source by source.
    Returns the permutation of the ``succ_*`` positions.
    """
    m = len(succ_src)
    if m < 2:
        return None
    same_dst = pred_dst[1:] == pred_dst[:-1]
    if not bool(np.any(same_dst & (pred_src[1:] <= pred_src[:-1]))):
        return None
    n = int(max(succ_src.max(), succ_dst.max())) + 1
    key = succ_src * n + succ_dst
    order = np.argsort(key)
    pos = order[np.searchsorted(key[order], pred_src * n + pred_dst)]  # pred item -> succ pos
    nxt_p = np.full(m, -1, dtype=np.int64)  # the next synapse into the same target
    nxt_p[pos[:-1][same_dst]] = pos[1:][same_dst]
    indeg = np.zeros(m, dtype=np.int64)
    same_src = succ_src[1:] == succ_src[:-1]
    indeg[1:] += same_src
    indeg[nxt_p[nxt_p >= 0]] += 1
    same_src_l, nxt_l, indeg_l = same_src.tolist(), nxt_p.tolist(), indeg.tolist()
    heap = [k for k in range(m) if indeg_l[k] == 0]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        k = heapq.heappop(heap)
        out.append(k)
        followers = [nxt_l[k]]
        if k + 1 < m and same_src_l[k]:
            followers.append(k + 1)
        for f in followers:
            if f >= 0:
                indeg_l[f] -= 1
                if indeg_l[f] == 0:
                    heapq.heappush(heap, f)
    if len(out) != m:  # pragma: no cover - the graph's own history is always an answer
        raise AssertionError("adjacency orders are inconsistent")
    return np.array(out, dtype=np.int64)


def synapse_order(G: nx.DiGraph[Any]) -> list[tuple[Any, Any]]:
    """G's synapses in an order that, added one by one, rebuilds both every neuron's
    outgoing order and its incoming order (the order its inputs are summed in)."""
    edges = list(G.edges)
    if len(edges) < 2:
        return edges
    index = {n: k for k, n in enumerate(G)}
    src = np.array([index[u] for u, _ in edges], dtype=np.int64)
    dst = np.array([index[v] for _, v in edges], dtype=np.int64)
    incoming = [(index[u], k) for k, v in enumerate(G) for u in G.pred[v]]
    psrc = np.array([u for u, _ in incoming], dtype=np.int64)
    pdst = np.array([v for _, v in incoming], dtype=np.int64)
    perm = creation_order(src, dst, psrc, pdst)
    return edges if perm is None else [edges[k] for k in perm.tolist()]
