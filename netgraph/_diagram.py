"""Topology diagrams through Graphviz.

``diagram(net_or_graph, **options)`` turns a ``Network`` (or any networkx ``DiGraph``
whose nodes and edges carry netgraph's attributes) into a ``graphviz.Digraph``:
one node per neuron, one edge per synapse, each layer on its own rank, synapses
coloured by the sign of their weight, drawn wider the larger ``|w|`` and labelled
with it. ``to_dot`` gives the DOT source (no Graphviz program needed) and
``render`` writes an image, its format taken from the file's extension.

What is drawn, and the options that change it:

- **Neurons** are labelled with their id (``label="name"`` prefers a ``name``
  attribute; a callable ``label(id, attrs)`` chooses freely), optionally followed
  by the bias (``biases=True``) and the activation (``activations=True``). Inputs,
  hidden neurons and outputs have their own shape and fill colour.
- **Synapses** are labelled with the weight at ``precision`` decimals
  (``weights=False`` hides the numbers), coloured by sign and widened with ``|w|``
  relative to the largest ``|w|`` drawn. A caption (``legend=True``) states this
  encoding, under an optional ``title``.
- **Layers** (the ``layer`` attribute, else ``role``) are ranked in order: inputs,
  hidden layers in topological then graph order, outputs; ``rankdir`` picks the
  direction (``"LR"`` by default) and neurons keep their graph order within a
  layer (``keep_order``). A layer whose neurons are linked by undelayed synapses,
  directly or through other layers, is not forced onto one rank.
- **Recurrence and gates:** a synapse with ``delay`` >= 1, and every self-loop, is
  dashed, labelled ``(t-d)`` and does not constrain the ranks (``constraint=false``),
  so back edges do not distort the layering. A synapse with a ``gater`` is
  labelled ``\u00d7 <gater>`` and, with ``gates=True``, a dotted connector runs
  from the gater to the synapse's target.
- **Big networks:** above ``max_neurons`` neurons or ``max_synapses`` synapses
  (or when ``collapse=True``; ``collapse=False`` never; an iterable of layer
  labels collapses just those), each layer becomes one node ("784 neurons") and
  each pair of layers one edge ("100,352 synapses, mean |w| 0.05").

Output is deterministic: neurons, synapses and layers are emitted in graph order
and every number is formatted explicitly, so the same network gives
byte-identical DOT. Ids and labels are arbitrary data: they are escaped so that
no id can inject DOT syntax, escape sequences, HTML labels or XML entities, and
neurons whose ids are not plain identifiers get generated DOT names.
"""

from __future__ import annotations

import contextlib
import difflib
import html
import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, cast

import networkx as nx

from ._blocks import Block, memory_blocks
from ._exceptions import GraphvizNotFoundError
from ._fast import reads_whole
from ._files import write_atomically
from ._layout import ranks
from ._trace import Learning, Step, backward_step, forward_step

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "COLOR_SCHEMES",
    "FORMATS",
    "ColorScheme",
    "DiagramOptions",
    "RenderOptions",
    "diagram",
    "render",
    "to_dot",
]

#: Extensions ``render`` understands; ``dot``/``gv`` write DOT and ``html`` a page to
#: explore, both without Graphviz.
FORMATS = ("svg", "png", "pdf", "dot", "gv", "jpg", "jpeg", "gif", "ps", "eps", "html")

INSTALL_HINT = (
    "Rendering a diagram needs the Graphviz 'dot' program, which was not found on PATH. "
    "Install Graphviz: 'apt-get install graphviz' (Debian/Ubuntu), "
    "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz' (conda), "
    "or the installer from https://graphviz.org/download/ (Windows: add its bin folder "
    "to PATH). Without it, net.to_dot() and net.render('net.dot') still work."
)


@dataclass(frozen=True)
class ColorScheme:
    """The colours of a diagram (any Graphviz colour: a name or ``"#rrggbb"``).

    ``positive``/``negative`` colour synapses by the sign of their weight (and
    their labels); ``neutral`` is for a synapse without a weight or with weight 0.
    ``input``/``hidden``/``output`` fill the neurons, ``gate_fill`` the gates (neurons
    that gate synapses) and ``memory`` the self-connected neurons (memory cells);
    ``line`` draws their outlines and text; ``gate`` draws gate connectors; ``cluster``
    fills the box around each layer. ``negative_arrowhead`` lets a scheme mark
    inhibitory synapses by shape too (``"tee"`` in ``"mono"``).
    """

    positive: str = "#2166ac"
    negative: str = "#b2182b"
    neutral: str = "#7f7f7f"
    input: str = "#d9f0d3"
    hidden: str = "#e8e8f4"
    output: str = "#fde0c5"
    line: str = "#333333"
    gate: str = "#6a3d9a"
    negative_arrowhead: str = "normal"
    gate_fill: str = "#e9def3"
    memory: str = "#fff1c1"
    cluster: str = "#f6f6f6"


COLOR_SCHEMES: dict[str, ColorScheme] = {
    # blue/red ends of ColorBrewer's RdBu (diverging, safe for common colour blindness)
    "default": ColorScheme(),
    # Okabe & Ito's palette
    "colorblind": ColorScheme(positive="#0072b2", negative="#d55e00", neutral="#999999",
                              input="#cde8f6", hidden="#eeeeee", output="#fbe3c9",
                              line="#222222", gate="#cc79a7", gate_fill="#f3dcea",
                              memory="#fbf3c0"),
    # print-friendly: sign by shade and arrowhead (tee = inhibitory)
    "mono": ColorScheme(positive="#000000", negative="#8c8c8c", neutral="#bdbdbd",
                        input="#ffffff", hidden="#f0f0f0", output="#d9d9d9",
                        line="#000000", gate="#555555", negative_arrowhead="tee",
                        gate_fill="#e6e6e6", memory="#cccccc", cluster="#fafafa"),
}

_SHAPES = {"input": "box", "hidden": "circle", "output": "doublecircle"}
_RANKDIRS = ("LR", "RL", "TB", "BT")
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOT_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})
_MIN_WIDTH, _MAX_WIDTH = 0.6, 4.0


class DiagramOptions(TypedDict, total=False):
    """The keyword options of ``diagram``, ``to_dot`` and ``render`` (see ``diagram``).

    Spelled out so that editors and type checkers catch a misspelt option.
    """

    weights: bool | None
    max_labels: int
    biases: bool
    activations: bool
    precision: int
    rankdir: str
    dpi: float | None
    title: str | None
    colors: str | ColorScheme | Mapping[str, str]
    label: str | Callable[[Any, Mapping[str, Any]], str]
    legend: bool
    collapse: bool | Iterable[Any] | None
    max_neurons: int
    max_synapses: int
    gates: bool
    keep_order: bool
    clusters: bool
    fit: bool
    input: Sequence[float] | None
    target: Sequence[float] | None
    rate: float
    fontname: str
    graph_attr: Mapping[str, Any] | None
    node_attr: Mapping[str, Any] | None
    edge_attr: Mapping[str, Any] | None


class RenderOptions(DiagramOptions, total=False):
    """``render``'s options: the diagram's and, for an HTML page, its ``layout``."""

    layout: str


@dataclass(frozen=True)
class _Options:
    weights: bool | None = None
    max_labels: int = 60
    biases: bool = False
    activations: bool = False
    precision: int = 2
    rankdir: str = "LR"
    dpi: float | None = None
    title: str | None = None
    colors: Any = "default"
    label: Any = "id"
    legend: bool = True
    collapse: Any = None
    max_neurons: int = 100
    max_synapses: int = 1000
    gates: bool = True
    keep_order: bool = True
    clusters: bool = True
    fit: bool = True
    input: Any = None
    target: Any = None
    rate: float = 0.3
    fontname: str = "Helvetica"
    graph_attr: Mapping[str, Any] | None = None
    node_attr: Mapping[str, Any] | None = None
    edge_attr: Mapping[str, Any] | None = None


_OPTION_NAMES = tuple(f.name for f in fields(_Options))


def _options(options: Mapping[str, Any]) -> tuple[_Options, ColorScheme]:
    unknown = [k for k in options if k not in _OPTION_NAMES]
    if unknown:
        k = unknown[0]
        close = difflib.get_close_matches(k, _OPTION_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"unknown diagram option {k!r}{hint} "
                        f"(options: {', '.join(_OPTION_NAMES)})")
    o = replace(_Options(), **options)
    if o.weights is not None and not isinstance(o.weights, bool):
        raise TypeError(f"weights must be True, False or None (automatic), got {o.weights!r}")
    for key in ("biases", "activations", "legend", "gates", "keep_order", "clusters", "fit"):
        if not isinstance(getattr(o, key), bool):
            raise TypeError(f"{key} must be True or False, got {getattr(o, key)!r}")
    for key in ("precision", "max_neurons", "max_synapses", "max_labels"):
        v = getattr(o, key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"{key} must be a whole number >= 0, got {v!r}")
    if o.precision > 17:
        raise ValueError(f"precision must be at most 17 decimals, got {o.precision}")
    rankdir = str(o.rankdir).upper()
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {o.rankdir!r}")
    if o.dpi is not None and (isinstance(o.dpi, bool) or not isinstance(o.dpi, (int, float))
                              or not 0 < o.dpi < 10_000):
        raise ValueError(f"dpi must be a positive number, got {o.dpi!r}")
    if o.title is not None and not isinstance(o.title, str):
        raise TypeError(f"title must be a string, got {type(o.title).__name__}")
    if o.label not in ("id", "name") and not callable(o.label):
        raise ValueError(f"label must be 'id', 'name' or a callable(id, attrs), got {o.label!r}")
    _check_plain("fontname", o.fontname)
    return replace(o, rankdir=rankdir), _scheme(o.colors)


def _scheme(colors: Any) -> ColorScheme:
    if isinstance(colors, ColorScheme):
        scheme = colors
    elif isinstance(colors, str):
        if colors not in COLOR_SCHEMES:
            raise ValueError(f"unknown colour scheme {colors!r}; expected one of "
                             f"{', '.join(COLOR_SCHEMES)}, a ColorScheme or a mapping")
        scheme = COLOR_SCHEMES[colors]
    elif isinstance(colors, Mapping):
        names = {f.name for f in fields(ColorScheme)}
        bad = sorted(str(k) for k in colors if k not in names)
        if bad:
            raise ValueError(f"unknown colour {bad[0]!r}; a scheme has {', '.join(sorted(names))}")
        scheme = replace(COLOR_SCHEMES["default"], **colors)
    else:
        raise TypeError(f"colors must be a scheme name, a ColorScheme or a mapping, "
                        f"got {type(colors).__name__}")
    for f in fields(ColorScheme):
        _check_plain(f"colour {f.name!r}", getattr(scheme, f.name))
    return scheme


def _check_plain(what: str, value: Any) -> None:
    """Attribute values we write verbatim must be plain text (no quotes or escapes)."""
    if not isinstance(value, str) or not value or any(
        c in value for c in '"\\<>&') or not value.isprintable():
        raise ValueError(f"{what} must be a plain non-empty string, got {value!r}")


# ------------------------------------------------------------------ escaping
def _xml_char(c: str) -> bool:
    o = ord(c)
    return (o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD
            or 0x10000 <= o <= 0x10FFFF)


def _visible(c: str) -> str:
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def _text(value: Any) -> str:
    """Literal text as a DOT escString value: shown as is, never parsed.

    Backslashes are doubled (no ``\\N``-style escapes), quotes escaped, ``&``
    written as ``&amp;`` (Graphviz decodes entities in labels), line breaks become
    ``\\n`` and characters XML cannot hold are shown as ``\\xNN``. Wrapped in
    ``nohtml`` so a text like ``<b>x</b>`` is not taken for an HTML label.
    """
    from graphviz import nohtml

    s = value if isinstance(value, str) else str(value)
    out = []
    for c in s.replace("\r\n", "\n"):
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "&":
            out.append("&amp;")
        elif c in "\n\r":
            out.append("\\n")
        elif c == "\t":
            out.append(" ")
        elif not _xml_char(c):
            out.append("\\" + _visible(c))
        else:
            out.append(c)
    text: str = nohtml("".join(out))
    return text


def _html(value: str) -> str:
    """Literal text inside an HTML-like label."""
    s = "".join(c if _xml_char(c) and c != "\t" else (" " if c == "\t" else _visible(c))
                for c in value.replace("\r\n", "\n").replace("\r", "\n"))
    return "<br/>".join(html.escape(line, quote=False) for line in s.split("\n"))


# ------------------------------------------------------------------ the model
@dataclass
class _Layer:
    key: Any
    members: list[Any]
    first: int
    role_class: int
    ranked: bool = True  # no undelayed synapse among its own neurons
    cyclic: bool = False  # undelayed synapses lead from it to a later layer and back
    name: str = ""  # DOT name of its node when collapsed


@dataclass
class _Group:
    """Synapses between two drawn nodes when at least one of them is a collapsed layer."""

    count: int = 0
    total_abs: float = 0.0
    weighed: int = 0
    gated: int = 0
    delays: set[int] = field(default_factory=set)


def _graph_of(obj: Any) -> nx.DiGraph[Any]:
    G: Any
    if isinstance(obj, nx.DiGraph):
        G = obj
    else:
        G = getattr(obj, "graph", None)
        if not isinstance(G, nx.DiGraph):
            raise TypeError(f"diagram takes a Network or a networkx DiGraph, "
                            f"got {type(obj).__name__}")
    if G.is_multigraph():
        raise TypeError("diagram takes a DiGraph, not a multigraph")
    graph: nx.DiGraph[Any] = G
    return graph


def _role(attrs: Mapping[str, Any]) -> str:
    role = attrs.get("role")
    return role if role in _SHAPES else "hidden"


def _layer_key(attrs: Mapping[str, Any]) -> Any:
    key = attrs.get("layer", attrs.get("role", "hidden"))
    try:
        hash(key)
    except TypeError:
        key = repr(key)
    return key


_Synapse = tuple[Any, Any, "float | None", int, Any]  # source, target, weight, delay, gater


def _synapses(G: nx.DiGraph[Any]) -> list[_Synapse]:
    """Every synapse in graph order, with its weight (None if missing or not a finite
    number), its delay in steps (0 = same step; a self-loop is always delayed) and
    its gater (None if ungated)."""
    out = []
    for u, nbrs in G.adjacency():
        for v, a in nbrs.items():
            # ``in`` then ``[]``: cheaper than Mapping.get on NetGraph's attribute maps
            try:
                w = _number(a["weight"])
            except KeyError:
                w = None
            d = _steps(a["delay"]) if "delay" in a else 0
            gater = a["gater"] if "gater" in a else None  # noqa: SIM401 (as above)
            out.append((u, v, w, d if d or u != v else 1, gater))
    return out


def _steps(d: Any) -> int:
    if d is None or d is False:
        return 0
    try:
        return max(int(d), 0)
    except (TypeError, ValueError, OverflowError):
        return 1  # delayed by something we cannot read: still drawn as delayed


def _number(x: Any) -> float | None:
    if type(x) is float:
        return x if math.isfinite(x) else None
    if isinstance(x, bool):
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _fmt(x: float, precision: int) -> str:
    return f"{x:.{precision}f}"


def _change(x: float) -> str:
    """A small signed quantity (an error, a weight change): three significant digits."""
    return "0" if x == 0 else f"{x:+.3g}"


def _value(x: float, precision: int) -> str:
    """A computed value: like ``_fmt``, but what rounds to zero shows no sign."""
    text = f"{x:.{precision}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _layers(G: nx.DiGraph[Any], synapses: list[_Synapse]) -> tuple[list[_Layer], nx.DiGraph[Any]]:
    """Layers in drawing order, and the layer graph (an edge where undelayed synapses
    link two layers).

    The order is a topological order of the layer graph, ties broken by role
    (input, hidden, output) then first appearance. A layer gets a rank of its own
    only if no undelayed synapse links two of its neurons, directly or through
    other layers (a cycle in the layer graph); otherwise dot ranks its neurons.
    """
    layers: dict[Any, _Layer] = {}
    roles: dict[Any, set[str]] = {}
    of: dict[Any, Any] = {}
    for k, (n, a) in enumerate(G.nodes(data=True)):
        key = of[n] = _layer_key(a)
        if key not in layers:
            layers[key] = _Layer(key, [], k, 1)
            roles[key] = set()
        layers[key].members.append(n)
        roles[key].add(_role(a))
    for key, layer in layers.items():
        r = roles[key]
        layer.role_class = 0 if "input" in r else 2 if r == {"output"} else 1
    pairs = {(of[u], of[v]) for u, v, _w, d, _g in synapses if not d}
    L: nx.DiGraph[Any] = nx.DiGraph()
    L.add_nodes_from(layers)
    for a, b in sorted(pairs, key=lambda p: (layers[p[0]].first, layers[p[1]].first)):
        if a == b:
            layers[a].ranked = False
        else:
            L.add_edge(a, b)
    order = {key: (layer.role_class, layer.first) for key, layer in layers.items()}
    C = nx.condensation(L)
    members = {c: sorted(C.nodes[c]["members"], key=order.__getitem__) for c in C}
    for keys in members.values():
        if len(keys) > 1:
            for key in keys:
                layers[key].ranked = False
                layers[key].cyclic = True
    ordered = nx.lexicographical_topological_sort(C, key=lambda c: order[members[c][0]])
    return [layers[key] for c in ordered for key in members[c]], L


def _should_collapse(G: nx.DiGraph[Any], o: _Options, layers: list[_Layer]) -> set[Any]:
    c = o.collapse
    if c is None:
        big = (G.number_of_nodes() > o.max_neurons or G.number_of_edges() > o.max_synapses)
        return {layer.key for layer in layers} if big else set()
    if c is True:
        return {layer.key for layer in layers}
    if c is False:
        return set()
    if isinstance(c, (str, bytes)) or not isinstance(c, Iterable):
        raise TypeError("collapse must be None (automatic), True, False or an iterable of "
                        f"layer labels, got {c!r}")
    wanted = list(c)
    known = [layer.key for layer in layers]
    missing = [k for k in wanted if k not in known]
    if missing:
        raise ValueError(f"collapse names layer {missing[0]!r}, which the network does not "
                         f"have (layers: {', '.join(repr(k) for k in known)})")
    return set(wanted)


# ------------------------------------------------------------------ sizes
# The default diagram of any network up to 100 neurons and 1,000 synapses fits in
# 2,000 x 2,000 pt. Neurons and synapses get _BUDGET of it; captions and cluster
# labels the rest. Below Graphviz's own sizes (a 36 pt neuron, 0.3 in between
# neurons, 0.8 in between ranks) everything shrinks together.
_BUDGET = 1700.0
_FIT_INCHES = 27.75  # 1,998 pt
_NODE, _GAP, _RANK_GAP = 36.0, 21.6, 57.6
_CHAR = 0.6  # width of a Helvetica character, in ems (a little more than the mean)


@dataclass(frozen=True)
class _Sizes:
    compact: bool  # shrunk to fit: fixed-size neurons labelled with their id only
    node: float  # a neuron's diameter, points
    nodesep: float
    ranksep: float
    fontsize: float


def _sizes(o: _Options, counts: list[int], crossing: list[int], longest: int) -> _Sizes:
    """Sizes from the number of ranks, the drawn nodes in each (``counts``) and the
    synapses passing through each (``crossing``): dot routes a synapse that skips
    ranks through a point in every rank it crosses, which needs a gap but no room for
    a neuron."""
    pitch = min(_NODE + _GAP, _BUDGET / max(counts, default=1))
    step = min(_NODE + _RANK_GAP, _BUDGET / max(len(counts), 1))
    node = min(_NODE, 0.72 * pitch, 0.55 * step)
    gap = min(_GAP, pitch - node, *(
        (_BUDGET - c * node) / (c + x) for c, x in zip(counts, crossing, strict=True)))
    # A few tall ranks would make a ribbon: part of their height goes between them.
    ranks = max(len(counts), 1)
    wide = min(0.35 * max(counts, default=1) * (node + gap) / max(ranks - 1, 1),
               (_BUDGET - ranks * node) / max(ranks - 1, 1)) if o.fit else 0.0
    if not o.fit or (node >= _NODE and gap >= _GAP and step >= _NODE + _RANK_GAP):
        return _Sizes(False, _NODE, _GAP, max(_RANK_GAP, wide), 12.0)
    font = min(12.0, 0.85 * node / (_CHAR * max(longest, 2)))
    return _Sizes(True, node, max(gap, 1.5), max(step - node, wide, 6.0),
                  math.floor(font * 10) / 10)


def _blend(color: str, t: float) -> str:
    """``color`` (``#rrggbb``) mixed into white by the share ``t`` in [0, 1]."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return color
    rgb = [int(color[k:k + 2], 16) for k in (1, 3, 5)]
    mixed = [round(255 + (c - 255) * t) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _kinds(synapses: list[_Synapse]) -> dict[Any, str]:
    """Neurons with a part in a recurrent architecture: ``"gate"`` for a neuron that
    gates synapses, ``"memory"`` for a self-connected one (an LSTM's memory cell)."""
    kinds: dict[Any, str] = {}
    for u, v, *_ in synapses:
        if u == v:
            kinds[u] = "memory"
    for *_, gater in synapses:
        if gater is not None:
            kinds[gater] = "gate"
    return kinds


_KIND_SHAPES = {"gate": "diamond", "memory": "octagon"}


# ------------------------------------------------------------------ drawing
@dataclass
class _Drawing:
    """What every part of one diagram reads: the network, the options, and the
    decisions taken before anything is drawn (what is collapsed, how big things are)."""

    G: nx.DiGraph[Any]
    o: _Options
    scheme: ColorScheme
    synapses: list[_Synapse]
    layers: list[_Layer]
    linked: nx.DiGraph[Any]
    collapsed: set[Any]
    index: dict[Any, int]
    names: dict[Any, str]
    group: dict[Any, str]  # neuron -> DOT name of the node that draws it
    kinds: dict[Any, str]
    blocks: list[Block]
    step: Step | None
    learning: Learning | None
    rank: dict[Any, int] = field(default_factory=dict)
    sizes: _Sizes = field(default_factory=lambda: _Sizes(False, _NODE, _GAP, _RANK_GAP, 12.0))
    labelled: bool = False
    n_singles: int = 0

    def text_of(self, n: Any) -> str:
        """A neuron's text, as the ``label`` option asks."""
        if n not in self.index:
            return str(n)
        if callable(self.o.label):
            return str(self.o.label(n, self.G.nodes[n]))
        if self.o.label == "name" and self.G.nodes[n].get("name") is not None:
            return str(self.G.nodes[n]["name"])
        return str(n)


@reads_whole
def diagram(obj: Any, **options: Unpack[DiagramOptions]) -> graphviz.Digraph:
    """The topology of a network (or a DiGraph with netgraph's attributes) as a Digraph.

    What is drawn depends on the size, so that the default diagram of any network up
    to 100 neurons and 1,000 synapses fits in 2,000 x 2,000 pt with no text on text:
    up to ``max_labels`` synapses carry their weights as labels; beyond that they
    show weight by colour and width only, with the numbers in tooltips (SVG). When
    a layer or a chain of layers would not fit, neurons shrink to fixed-size shapes
    labelled by id. Larger networks collapse each layer to one node.

    **Options** (all keyword; ``DiagramOptions`` lists them with their types):
    - ``weights`` (None): print each synapse's weight on it; None decides by size
      (up to ``max_labels``, 60, labelled synapses).
    - ``biases`` (False), ``activations`` (False): add them to neuron labels.
    - ``precision`` (2): decimals of printed weights and biases.
    - ``label`` ("id"): neuron text: ``"id"``, ``"name"`` (the ``name`` attribute
      if set) or a callable ``(id, attrs) -> str``.
    - ``input`` (None): the value view for one input (a value per input neuron):
      each neuron shows its bias, sum and output, each synapse its contribution
      ``weight x value = contribution``, coloured by the contribution's sign. A
      network with delayed or gated synapses shows its first step from a cleared
      state.
    - ``target`` (None), ``rate`` (0.3): with ``input``, the propagate view of a
      feed-forward network: what ``propagate(rate, target)`` would do after that
      input: each neuron's error and bias change, each synapse's weight change
      (``rate x error x value``), coloured by its sign.
    - ``rankdir`` ("LR"): "LR", "RL", "TB" or "BT".
    - ``dpi`` (None): resolution for bitmap output (Graphviz default if None).
    - ``title`` (None): a heading above the caption.
    - ``legend`` (True): a caption stating how weights are encoded.
    - ``colors`` ("default"): "default", "colorblind", "mono", a ``ColorScheme``
      or a mapping overriding some colours of the default scheme.
    - ``clusters`` (True): draw a labelled box around each layer, and around each
      memory block (a self-connected neuron with its gates, ``_blocks``).
    - ``fit`` (True): shrink neurons and gaps to fit the 2,000 pt target.
    - ``collapse`` (None): None collapses every layer when the network has more
      than ``max_neurons`` (100) neurons or ``max_synapses`` (1000) synapses; True
      always; False never; an iterable of layer labels collapses those layers.
    - ``gates`` (True): draw a dotted connector from each gater to the target of
      the synapses it gates.
    - ``keep_order`` (True): keep each layer's neurons in graph order (top to
      bottom for "LR"); False lets dot reorder them to reduce crossings.
    - ``fontname`` ("Helvetica"); ``graph_attr``, ``node_attr``, ``edge_attr``:
      extra Graphviz attributes. Graph attributes override ours; node and edge
      ones override our defaults (fonts, sizes) but not the per-neuron and
      per-synapse styling.

    Gates (neurons that gate synapses) are drawn as diamonds and self-connected
    neurons (memory cells) as octagons, each in a colour of its own. The neurons of
    a memory block share one box (``cluster_block_k``) instead of their layers'.

    **Returns** a ``graphviz.Digraph``; ``.source`` is its DOT text.
    """
    d = _what_to_draw(obj, options)
    _decide_room(d)
    dot = _canvas(d)
    _place_layers(d, dot)
    legend = _draw_synapses(d, dot)
    _draw_gate_connectors(d, dot)
    _add_caption(d, dot, legend)
    return dot


def _what_to_draw(obj: Any, options: Mapping[str, Any]) -> _Drawing:
    """Read the options and the network: layers, what collapses, the value and
    learning views, each neuron's kind and the memory blocks drawn as boxes."""
    o, scheme = _options(options)
    G = _graph_of(obj)
    synapses = _synapses(G)
    layers, linked = _layers(G, synapses)
    collapsed = _should_collapse(G, o, layers)
    step = _step(G, o.input)
    learning = None
    if o.target is not None:
        if step is None:
            raise ValueError("target needs an input: diagram(input=[...], target=[...])")
        learning = backward_step(G, step, o.target, o.rate)
    names = _dot_names(G)
    group: dict[Any, str] = {}
    for k, layer in enumerate(layers):
        layer.name = f"layer {k}"
        for n in layer.members:
            group[n] = layer.name if layer.key in collapsed else names[n]
    # memory blocks are boxes of their own, so only where layers are drawn whole
    blocks = _blocks_of(G, synapses, layers) if o.clusters and not collapsed else []
    return _Drawing(G, o, scheme, synapses, layers, linked, collapsed,
                    {n: k for k, n in enumerate(G)}, names, group, _kinds(synapses),
                    blocks, step, learning)


def _blocks_of(G: nx.DiGraph[Any], synapses: list[_Synapse], layers: list[_Layer]) -> list[Block]:
    """The memory blocks (``_blocks``): inputs and outputs stay in their layers."""
    layer_of = {n: layer.key for layer in layers for n in layer.members}
    outside = {n for n, a in G.nodes(data=True) if _role(a) != "hidden"}
    return memory_blocks(G, synapses, layer_of, outside)


def _decide_room(d: _Drawing) -> None:
    """How much room there is, and so what is printed: the sizes of neurons and gaps
    (``_sizes``) and whether synapses carry their weights as labels."""
    G, o, group, names = d.G, d.o, d.group, d.names
    d.rank = ranks(G, d.layers, [(u, v) for u, v, _w, dl, _g in d.synapses if not dl], d.linked)
    per_rank: dict[int, set[str]] = {}
    for n, r in d.rank.items():
        per_rank.setdefault(r, set()).add(group[n])
    crossing = [0] * (max(d.rank.values(), default=0) + 1)
    for u, v, _w, dl, _g in d.synapses:
        if not dl and group[u] != group[v]:
            for r in range(d.rank[u] + 1, d.rank[v]):
                crossing[r] += 1
    longest = max((len(d.text_of(n)) for n in G if group[n] == names[n]), default=2)
    d.sizes = _sizes(o, [len(per_rank[r]) for r in sorted(per_rank)],
                     [crossing[r] for r in sorted(per_rank)], longest)
    d.n_singles = sum(1 for u, v, *_ in d.synapses
                      if group[u] == names[u] and group[v] == names[v])
    d.labelled = o.weights if o.weights is not None else (
        d.n_singles <= o.max_labels and not d.sizes.compact)


def _canvas(d: _Drawing) -> graphviz.Digraph:
    """The empty Digraph with the graph, node and edge attributes for those sizes."""
    import graphviz

    o, sizes, scheme = d.o, d.sizes, d.scheme
    graph_attr = {"rankdir": o.rankdir, "fontname": o.fontname,
                  "nodesep": _fmt(sizes.nodesep / 72, 3), "ranksep": _fmt(sizes.ranksep / 72, 3)}
    if o.keep_order and o.clusters:
        # Inside clusters dot's second pass of crossing minimisation reorders a rank
        # despite the flat edges that fix its order; without that pass, dot keeps it.
        graph_attr["remincross"] = "false"
    if o.fit:
        # the guarantee behind the estimate above: dot scales a larger drawing down
        graph_attr["size"] = f"{_FIT_INCHES},{_FIT_INCHES}"
    if o.dpi is not None:
        graph_attr["dpi"] = _fmt(float(o.dpi), 0) if float(o.dpi).is_integer() else str(o.dpi)
    node_attr = {"fontname": o.fontname, "fontsize": _fmt(sizes.fontsize, 1).removesuffix(".0"),
                 "style": "filled", "color": scheme.line, "fontcolor": scheme.line}
    if sizes.compact:
        node_attr.update(fixedsize="true", width=_fmt(sizes.node / 72, 3),
                         height=_fmt(sizes.node / 72, 3), margin="0")
    node_attr.update({str(k): str(v) for k, v in (o.node_attr or {}).items()})
    edge_attr = {"fontname": o.fontname, "fontsize": "9", "arrowsize": "0.6",
                 **{str(k): str(v) for k, v in (o.edge_attr or {}).items()}}
    return graphviz.Digraph("netgraph", graph_attr=graph_attr, node_attr=node_attr,
                            edge_attr=edge_attr)


def _neuron_lines(d: _Drawing, n: Any, role: str) -> list[str]:
    """A neuron's label: its text, then what the options and the views add."""
    o, step, learning = d.o, d.step, d.learning
    a = d.G.nodes[n]
    bias = _number(a.get("bias"))
    extra = []
    if (o.biases or step) and role != "input" and bias is not None:
        extra.append(f"{'bias' if step else 'b'} {_fmt(bias, o.precision)}")
    if o.activations and role != "input" and a.get("activation") is not None:
        extra.append(str(a["activation"]))
    if learning is not None and step is not None:
        extra = []  # the learning step: what each neuron passes back and changes
        if role == "input":
            extra.append(f"= {_value(step.output[n], o.precision)}")
        else:
            extra.append(f"out {_value(step.output[n], o.precision)}")
            extra.append(f"error {_change(learning.error[n])}")
            extra.append(f"\u0394b {_change(learning.bias_change[n])}")
    elif step is not None:
        if role == "input":
            extra.append(f"= {_value(step.output[n], o.precision)}")
        else:
            extra.append(f"sum {_value(step.state[n], o.precision)}")
            extra.append(f"out {_value(step.output[n], o.precision)}")
    return [d.text_of(n)] + ([] if d.sizes.compact else extra)


def _neuron_tooltip(d: _Drawing, n: Any, role: str, kind: str | None) -> str:
    """Every number of a neuron, in full, for the SVG's tooltip."""
    a = d.G.nodes[n]
    step, learning = d.step, d.learning
    tip = f"{d.text_of(n)}: {role}{f' {kind}' if kind else ''}, layer {_layer_key(a)}"
    if role != "input":
        tip += f", {a.get('activation', '?')}, bias {_number(a.get('bias'))!r}"
    if step is not None:
        tip += (f", value {step.output[n]!r}" if role == "input" else
                f", sum {step.state[n]!r}, output {step.output[n]!r}")
    if learning is not None and role != "input":
        tip += (f", error {learning.error[n]!r}, bias change "
                f"{learning.bias_change[n]!r}")
    return tip


def _add_neuron(d: _Drawing, target: graphviz.Digraph, n: Any, ymax: float) -> None:
    """One neuron: shape by role and kind, fill by role (or, in the value view, by its
    output relative to the largest |output| ``ymax``)."""
    scheme, step, sizes = d.scheme, d.step, d.sizes
    role = _role(d.G.nodes[n])
    kind = d.kinds.get(n)
    lines = _neuron_lines(d, n, role)
    fill = getattr(scheme, role) if kind is None else (
        scheme.gate_fill if kind == "gate" else scheme.memory)
    attrs = {"class": f"neuron {role}" + (f" {kind}" if kind else "")}
    if step is not None and ymax > 0:
        y = step.output[n]
        fill = _blend(scheme.positive if y > 0 else scheme.negative, 0.45 * abs(y) / ymax)
    shape = _KIND_SHAPES[kind] if kind else _SHAPES[role]
    if sizes.compact and role == "input":
        attrs["height"] = _fmt(0.7 * sizes.node / 72, 3)
    if step is not None and not sizes.compact and len(lines) > 2 and shape != "box":
        # four lines of text: a rounded box keeps the neuron small
        shape, attrs["style"] = "box", "rounded,filled"
        attrs["peripheries"] = "2" if role == "output" else "1"
    target.node(d.names[n], _text("\n".join(lines)), shape=shape, fillcolor=fill,
                tooltip=_text(_neuron_tooltip(d, n, role, kind)), **attrs)


def _add_layer_node(d: _Drawing, target: graphviz.Digraph, layer: _Layer) -> None:
    """A collapsed layer: one box saying how many neurons, and optionally their
    activation and mean bias."""
    o = d.o
    role = ("input", "hidden", "output")[layer.role_class]
    count = len(layer.members)
    lines = [str(layer.key), f"{count:,} neuron{'s' if count != 1 else ''}"]
    attrs = [d.G.nodes[n] for n in layer.members]
    acts = sorted({str(a.get("activation")) for a in attrs})
    if o.activations and role != "input":
        lines.append(acts[0] if len(acts) == 1 else "mixed activations")
    if o.biases and role != "input":
        bs = [b for b in (_number(a.get("bias")) for a in attrs) if b is not None]
        if bs:
            lines.append(f"mean b {_fmt(sum(bs) / len(bs), o.precision)}")
    tip = f"layer {layer.key}: {lines[1]} ({role}), {', '.join(acts)}"
    extra = {"fixedsize": "false", "width": "0.75", "height": "0.5",
             "fontsize": "12"} if d.sizes.compact else {}
    target.node(layer.name, _text("\n".join(lines)), shape="box3d",
                fillcolor=getattr(d.scheme, role), tooltip=_text(tip),
                **{"class": f"layer {role}"}, **extra)


def _place_layers(d: _Drawing, dot: graphviz.Digraph) -> None:
    """Nodes, one rank per layer: a layer in its box (a cluster) on one rank in graph
    order where its neurons are not wired among themselves; a memory block in a box
    of its own, where dot places its neurons by their synapses."""
    o, layers, names = d.o, d.layers, d.names
    step = d.step
    ymax = max((abs(step.output[n]) for n in d.G), default=0.0) if step else 0.0
    in_block = {n for block in d.blocks for n in block.members}
    for k, layer in enumerate(layers):
        if layer.key in d.collapsed:
            _add_layer_node(d, dot, layer)
            continue
        members = [n for n in layer.members if n not in in_block]
        if not members:
            continue
        boxed = o.clusters and not layer.cyclic
        with contextlib.ExitStack() as stack:
            outer = dot
            if boxed:
                outer = stack.enter_context(dot.subgraph(name=f"cluster_{k}"))
                outer.attr(label=_text(str(layer.key)), style="rounded,filled",
                           fillcolor=d.scheme.cluster, color="#c8c8c8", fontcolor="#555555",
                           fontsize="10", margin="6", tooltip=_text(f"layer {layer.key}"),
                           **{"class": "cluster"})
            if layer.ranked:
                with outer.subgraph() as s:
                    s.attr(rank="same")
                    for n in members:
                        _add_neuron(d, s, n, ymax)
                    if o.keep_order:  # flat invisible edges fix the order within the rank
                        # (in a cluster, with rankdir LR/RL, dot lays the chain out
                        # bottom to top: reversed, it reads top to bottom)
                        flip = boxed and o.rankdir in ("LR", "RL")
                        chain = members[::-1] if flip else members
                        for a, b in itertools.pairwise(chain):
                            s.edge(names[a], names[b], style="invis")
            else:
                for n in members:
                    _add_neuron(d, outer, n, ymax)
    for k, block in enumerate(d.blocks):
        with dot.subgraph(name=f"cluster_block_{k}") as s:
            s.attr(label=_text(f"block {d.text_of(block.core)}"), style="rounded,filled",
                   fillcolor=d.scheme.cluster, color="#b0a0c8", fontcolor="#555555",
                   fontsize="10", margin="6",
                   tooltip=_text(f"memory block of {d.text_of(block.core)}: "
                                 f"{len(block.members)} neurons"),
                   **{"class": "cluster block"})
            for n in block.members:
                _add_neuron(d, s, n, ymax)
    # an invisible edge keeps two consecutive layers in order if no synapse does
    # (not for layers split into memory blocks: the blocks' own synapses place them)
    for a, b in itertools.pairwise(layers):
        if in_block and (a.members[0] in in_block or b.members[0] in in_block):
            continue
        if not (a.cyclic or b.cyclic or d.linked.has_edge(a.key, b.key)):
            dot.edge(d.group[a.members[0]], d.group[b.members[0]], style="invis", weight="0")


def _sort_synapses(d: _Drawing) -> tuple[list[_Synapse], dict[tuple[str, str, bool], _Group]]:
    """Synapses drawn one by one (both ends shown as neurons) and those summed into
    one edge per pair of drawn nodes (an end in a collapsed layer)."""
    singles: list[_Synapse] = []
    groups: dict[tuple[str, str, bool], _Group] = {}
    for synapse in d.synapses:
        u, v, w, dl, gater = synapse
        gu, gv = d.group[u], d.group[v]
        if gu is d.names[u] and gv is d.names[v]:
            singles.append(synapse)
            continue
        g = groups.get((gu, gv, dl > 0))
        if g is None:
            g = groups[gu, gv, dl > 0] = _Group()
        g.count += 1
        if w is not None:
            g.total_abs += abs(w)
            g.weighed += 1
        if gater is not None:
            g.gated += 1
        if dl:
            g.delays.add(dl)
    return singles, groups


def _shown(d: _Drawing, u: Any, v: Any, w: float | None) -> float | None:
    """What colours and widens a single synapse: its weight, or in the value view its
    contribution, or in the learning view its weight change."""
    if d.learning is not None:
        return d.learning.weight_change.get((u, v))
    return d.step.contribution.get((u, v)) if d.step is not None else w


def _look(scheme: ColorScheme, w: float | None, wmax: float) -> dict[str, str]:
    """Colour by sign and width by |w| relative to ``wmax``."""
    if w is None or w == 0:
        color, head = scheme.neutral, "normal"
    elif w > 0:
        color, head = scheme.positive, "normal"
    else:
        color, head = scheme.negative, scheme.negative_arrowhead
    width = _MIN_WIDTH if w is None or wmax == 0 else (
        _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * abs(w) / wmax)
    look = {"color": color, "fontcolor": color, "penwidth": _fmt(width, 2)}
    if head != "normal":
        look["arrowhead"] = head
    return look


def _synapse_label(d: _Drawing, synapse: _Synapse) -> list[str]:
    """A single synapse's label: its weight (or the view's product), ``(t-d)`` and
    ``x gater``, as far as labels are printed."""
    u, v, w, dl, gater = synapse
    o, step, learning = d.o, d.step, d.learning
    parts = []
    if d.labelled and w is not None:
        if learning is not None:
            parts.append(f"\u0394w {_change(learning.weight_change[(u, v)])}")
        elif step is not None:
            factors = [_fmt(w, o.precision)]
            if gater is not None:
                factors.append(_value(step.gain[(u, v)], o.precision))
            factors.append(_value(step.read[(u, v)], o.precision))
            product = " \u00d7 ".join(factors)
            parts.append(f"{product} = {_value(step.contribution[(u, v)], o.precision)}")
        else:
            parts.append(_fmt(w, o.precision))
    if dl and d.labelled:
        parts.append(f"(t-{dl})")
    if gater is not None and d.labelled and step is None:
        parts.append(f"\u00d7 {d.text_of(gater)}")
    return parts


def _synapse_tooltip(d: _Drawing, synapse: _Synapse) -> str:
    u, v, w, dl, gater = synapse
    tip = f"{d.text_of(u)} -> {d.text_of(v)}: weight {w!r}"
    tip += f", delay {dl}" if dl else ""
    tip += f", gated by {d.text_of(gater)}" if gater is not None else ""
    if d.step is not None:
        tip += f", contribution {d.step.contribution[(u, v)]!r}"
    if d.learning is not None:
        tip += f", weight change {d.learning.weight_change[(u, v)]!r}"
    return tip


def _group_label(d: _Drawing, g: _Group, delayed: bool) -> list[str]:
    """A summed edge's label: count, mean |w|, delays and gated count."""
    lines = [f"{g.count:,} synapse{'s' if g.count != 1 else ''}"]
    if g.weighed:
        lines.append(f"mean |w| {_fmt(g.total_abs / g.weighed, d.o.precision)}")
    if delayed:
        lines.append("(" + ", ".join(f"t-{x}" for x in sorted(g.delays)) + ")")
    if g.gated:
        lines.append(f"{g.gated:,} gated")
    return lines


def _draw_synapses(d: _Drawing, dot: graphviz.Digraph) -> _Legend:
    """Every synapse, single or summed; **returns** what the caption must explain."""
    scheme = d.scheme
    singles, groups = _sort_synapses(d)
    mags = [abs(x) for u, v, w, _d, _g in singles if (x := _shown(d, u, v, w)) is not None]
    mags += [g.total_abs / g.weighed for g in groups.values() if g.weighed]
    wmax = max(mags, default=0.0)

    any_delay = any_gate = any_weight = False
    for synapse in singles:
        u, v, w, dl, gater = synapse
        any_weight = any_weight or (d.labelled and w is not None)
        any_delay = any_delay or bool(dl)
        any_gate = any_gate or gater is not None
        parts = _synapse_label(d, synapse)
        cls = "synapse" + (" delayed" if dl else "") + (" gated" if gater is not None else "")
        extra = {"class": cls}
        if dl:  # recurrent: drawn back without pulling the ranks
            extra["style"] = "dashed"
            extra["constraint"] = "false"
        dot.edge(d.names[u], d.names[v], _text(" ".join(parts)) if parts else None,
                 tooltip=_text(_synapse_tooltip(d, synapse)),
                 **_look(scheme, _shown(d, u, v, w), wmax), **extra)

    for (gu, gv, delayed), g in groups.items():
        mean_abs = g.total_abs / g.weighed if g.weighed else None
        lines = _group_label(d, g, delayed)
        any_delay = any_delay or delayed
        any_gate = any_gate or bool(g.gated)
        # mixed signs have no colour: neutral, width by the mean magnitude
        style = _look(scheme, mean_abs, wmax)
        style["color"], style["fontcolor"] = scheme.neutral, scheme.line
        extra = {"class": "synapses" + (" delayed" if delayed else "")}
        if delayed:
            extra["style"] = "dashed"
            extra["constraint"] = "false"
        dot.edge(gu, gv, _text("\n".join(lines)), tooltip=_text("; ".join(lines)),
                 **style, **extra)

    group, names = d.group, d.names
    return _Legend(
        wmax=wmax if mags else None, singles=bool(singles), groups=bool(groups),
        weights=any_weight, delayed=any_delay, gated=any_gate,
        hidden=d.n_singles if singles and not d.labelled else 0,
        gates=any(group[n] == names[n] for n, kind in d.kinds.items() if kind == "gate"),
        memory=any(group[n] == names[n] for n, kind in d.kinds.items() if kind == "memory"),
        step=d.step, learning=d.learning,
        recurrent=any(dl or g is not None for *_, dl, g in d.synapses),
        compact=d.sizes.compact and (d.o.biases or d.o.activations or d.step is not None),
        blocks=bool(d.blocks))


def _draw_gate_connectors(d: _Drawing, dot: graphviz.Digraph) -> None:
    """A dotted connector from each gater to the target of the synapses it gates
    (once per pair of drawn nodes), when ``gates`` is on."""
    if not d.o.gates:
        return
    gate_links: dict[tuple[str, str], tuple[Any, Any, list[str]]] = {}
    for u, v, _w, _dl, gater in d.synapses:
        if gater is not None and gater in d.index:
            link = (d.group[gater], d.group[v])
            gate_links.setdefault(link, (gater, v, []))[2].append(
                f"{d.text_of(u)} -> {d.text_of(v)}")
    for (gu, gv), (gater, target, gated) in gate_links.items():
        tip = f"gates {', '.join(gated[:5])}" + (" ..." if len(gated) > 5 else "")
        # A connector that points forward may pull the ranks like a synapse (dot 2.43
        # aborts on some unconstrained edges between clusters); one that points back
        # must not.
        forward = d.rank[gater] < d.rank[target]
        dot.edge(gu, gv, style="dotted", color=d.scheme.gate, arrowhead="odot",
                 constraint="true" if forward else "false", penwidth="1.0",
                 tooltip=_text(tip), **{"class": "gate"})


def _add_caption(d: _Drawing, dot: graphviz.Digraph, legend: _Legend) -> None:
    """Title and caption (``_caption``), then the user's graph attributes."""
    label = _caption(d.o, d.scheme, legend)
    if label is not None:
        dot.attr(label=label, labelloc="t" if d.o.title is not None else "b", fontsize="10")
    if d.o.graph_attr:
        dot.attr("graph", **{str(k): str(v) for k, v in d.o.graph_attr.items()})


def _dot_names(G: nx.DiGraph[Any]) -> dict[Any, str]:
    """Each neuron's DOT name: its id when that is a plain identifier, else ``node k``."""
    names: dict[Any, str] = {}
    for k, n in enumerate(G):
        safe = isinstance(n, str) and _SAFE_NAME.match(n) and n.lower() not in _DOT_KEYWORDS
        names[n] = n if safe else f"node {k}"
    return names


def _step(G: nx.DiGraph[Any], x: Any) -> Step | None:
    if x is None:
        return None
    if isinstance(x, (str, bytes)):
        raise TypeError(f"input must be a sequence of numbers, got {x!r}")
    return forward_step(G, x)


@dataclass(frozen=True)
class _Legend:
    """What the drawing contains, so the caption explains just that."""

    wmax: float | None
    singles: bool
    groups: bool
    weights: bool
    delayed: bool
    gated: bool
    hidden: int  # synapses drawn without labels (too many to label)
    gates: bool
    memory: bool
    step: Step | None
    learning: Learning | None
    recurrent: bool
    compact: bool
    blocks: bool = False


def _caption(o: _Options, scheme: ColorScheme, k: _Legend) -> str | None:
    rows = []
    if o.title is not None:
        rows.append(f'<font point-size="16"><b>{_html(o.title)}</b></font>')
    if o.legend:
        key = []
        what = ("weight change" if k.learning is not None else
                "contribution" if k.step is not None else "weight")
        if k.singles:
            sign = (f'<font color="{scheme.positive}">positive</font> / '
                    f'<font color="{scheme.negative}">negative</font> {what}')
            if scheme.negative_arrowhead != "normal":
                sign += f" (negative: {scheme.negative_arrowhead} arrowhead)"
            key.append(sign)
        if k.groups:
            key.append(f'<font color="{scheme.neutral}">neutral</font> edges: all synapses '
                       "between two nodes (count, mean |w|)")
        if k.wmax is not None:
            mean = "(mean) " if k.groups else ""
            sym = ("|weight change|" if k.learning is not None and not k.groups else
                   "|contribution|" if k.step is not None and not k.groups else "|w|")
            key.append(f"thicker = larger {mean}{sym} (thickest {_fmt(k.wmax, o.precision)})")
        notes = []
        if k.learning is not None and k.step is not None:
            values = ", ".join(_value(v, o.precision) for v in k.step.inputs)
            targets = ", ".join(_value(v, o.precision) for v in k.learning.target)
            notes.append(f"propagate({k.learning.rate:g}, [{targets}]) after input [{values}]: "
                         "error = target - out at outputs, else f'(sum) \u00d7 "
                         "\u03a3 error \u00d7 weight downstream")
            notes.append("\u0394w = rate \u00d7 error \u00d7 value, "
                         "\u0394b = rate \u00d7 error")
        elif k.step is not None:
            values = ", ".join(_value(v, o.precision) for v in k.step.inputs)
            first = " (first step from a cleared state)" if k.recurrent else ""
            notes.append(f"input [{values}]{first}: sum = bias + contributions, "
                         "out = activation(sum)")
            if k.weights:
                notes.append("edge labels: weight \u00d7 value = contribution")
        elif k.weights:
            notes.append(f"edge labels: weight, {o.precision} decimals")
        if k.hidden:
            notes.append(f"{k.hidden:,} synapses: numbers in tooltips (SVG)")
        if k.compact:
            notes.append("neuron values in tooltips")
        if k.groups:
            notes.append("boxes: whole layers")
        if k.blocks:
            notes.append("blocks: a memory cell with its gates")
        if k.gates:
            notes.append("diamonds: gates")
        if k.memory:
            notes.append("octagons: self-connected (memory) neurons")
        if k.delayed:
            notes.append("dashed: delayed synapse" + (" (t-d)" if k.weights else ""))
        if k.gated:
            notes.append("\u00d7 g: gated by neuron g" if k.weights and k.step is None
                         else "dotted: gate to the synapses it gates")
        rows += [" \u00b7 ".join(r) for r in (key, notes) if r]
    if not rows:
        return None
    # Renderers drop spaces at the ends of a text run (rsvg, browsers): the spaces that
    # touch a font change become no-break spaces, which every renderer keeps.
    text = "<br/>".join(rows)
    text = re.sub(r" (?=<font)|(?<=</font>) ", "&#160;", text)
    return "<" + text + ">"


def to_dot(obj: Any, **options: Unpack[DiagramOptions]) -> str:
    """The DOT source of ``diagram(obj, **options)``; needs no Graphviz program."""
    source: str = diagram(obj, **options).source
    return source


def _pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    import graphviz

    try:
        data: bytes = dot.pipe(format=fmt, quiet=True)
        return data
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(INSTALL_HINT) from e


def _draw(obj: Any, fmt: str, options: Mapping[str, Any]) -> bytes:
    """Run dot on ``diagram(obj, **options)``. Some versions of dot abort (an assertion
    in their cluster code) on a few graphs; those are drawn again without the boxes
    around the layers, which avoids that code."""
    import graphviz

    try:
        return _pipe(diagram(obj, **options), fmt)
    except graphviz.CalledProcessError as e:
        if e.returncode >= 0 or options.get("clusters") is False:
            raise
    return _pipe(diagram(obj, **{**options, "clusters": False}), fmt)


def render(obj: Any, path: str | os.PathLike[str], *, format: str | None = None,
           **options: Unpack[RenderOptions]) -> Path:
    """Draw ``obj`` into ``path``; the format is the extension (or ``format``).

    svg, png, pdf, jpg, gif, ps and eps run Graphviz's ``dot``; ``dot``/``gv`` write
    the DOT source and need no Graphviz program; ``html`` writes a self-contained
    page to explore the network in a browser (``netgraph._page``: pan, zoom, details,
    search, collapsible layers and the forward pass; options ``title``, ``colors``,
    ``label``, ``collapse``, ``max_neurons``, ``max_synapses``, ``input``,
    ``precision``, ``rankdir`` and ``layout``). The file is replaced only once
    rendering has succeeded. Raises ``GraphvizNotFoundError`` if ``dot`` is missing
    for a picture.

    **Returns** the path written, as a ``Path``.
    """
    target = Path(path)
    fmt = (format or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(target)!r}: use one of the "
                         f"extensions {', '.join(FORMATS)} (or pass format=)")
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"no directory {str(directory)!r} to write {target.name!r} in")
    if fmt == "html":
        from ._page import PageOptions, write_page

        # write_page refuses, by name, the options that do not apply to a page
        return write_page(obj, target, **cast("PageOptions", options))
    if "layout" in options:
        raise TypeError("layout applies to HTML pages only")
    drawing = cast(DiagramOptions, options)
    if fmt in ("dot", "gv"):
        data = diagram(obj, **drawing).source.encode("utf-8")
    else:
        data = _draw(obj, fmt, drawing)
    write_atomically(target, data)
    return target


def svg(obj: Any, **options: Unpack[DiagramOptions]) -> str:
    """The rendered SVG text (for notebooks). Raises ``GraphvizNotFoundError``."""
    return _draw(obj, "svg", options).decode("utf-8")


def mimebundle(obj: Any, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """Jupyter's rich display: SVG when Graphviz is installed, plain text always."""
    bundle = {"text/plain": repr(obj)}
    wanted = (include is None or "image/svg+xml" in include) and not (
        exclude and "image/svg+xml" in exclude)
    if wanted:
        with contextlib.suppress(GraphvizNotFoundError):
            bundle["image/svg+xml"] = svg(obj)
    return bundle

