"""A network as one self-contained HTML page, to explore in a browser.

``page(net)`` returns the HTML text and ``write_page(net, path)`` writes it. The page
needs nothing but the file: its script and style are ours and inline, the network
(ids, layers, activations, weights, biases, positions) is embedded as JSON, and it
never touches the network. It offers pan and zoom, details on hover, the synapses
of a clicked neuron, a search box for ids, layers that collapse and expand, and the
value view for an input typed into the page: a forward pass computed in the page
from the embedded weights (equal to ``net.activate`` to 1e-12). A network with
delayed or gated synapses runs one time step per click from the state the previous
step left, as ``activate`` does, and starts again from a cleared state on request.

Positions come from Graphviz's ``dot`` when it is installed (the layout of the SVG
diagrams), else from netgraph's own layered layout (``_layout``). A network with
memory blocks (``_blocks``: a self-connected cell with its gates, as in LSTMs and
GRUs, found from the synapses) is laid out by netgraph with each block as one unit
of fixed size, shut (one node) by default when there are more than ``FEW_BLOCKS``;
opening one moves nothing else.

Everything taken from the network is data: it reaches the page as JSON inside a
``<script type="application/json">`` element (with ``<``, ``>`` and ``&`` escaped),
is read with ``JSON.parse`` and shown with ``textContent``. The only code written
into the script is netgraph's own: one function per activation, from
``activation_source`` (the registry's text, never the document's).
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict, Unpack

import networkx as nx

from ._activations import activation_source, get_activation
from ._blocks import Block
from ._diagram import (
    ColorScheme,
    _blocks_of,
    _dot_names,
    _graph_of,
    _kinds,
    _Layer,
    _layers,
    _number,
    _options,
    _role,
    _should_collapse,
    _synapses,
)
from ._fast import reads_whole
from ._files import write_atomically
from ._layout import place, place_blocks, ranks
from ._trace import activation_order

__all__ = ["LAYOUTS", "PageOptions", "page", "page_data", "write_page"]

LAYOUTS = ("auto", "dot", "layered")


class PageOptions(TypedDict, total=False):
    """The keyword options of ``page`` and ``write_page`` (as ``diagram``'s where shared)."""

    title: str | None
    colors: str | ColorScheme | Mapping[str, str]
    label: str
    collapse: bool | Iterable[Any] | None
    max_neurons: int
    max_synapses: int
    input: Sequence[float] | None
    precision: int
    rankdir: str
    layout: str


_PAGE_OPTIONS = frozenset(PageOptions.__annotations__)


def _check(options: Mapping[str, Any]) -> tuple[Any, ColorScheme, str]:
    unknown = [k for k in options if k not in _PAGE_OPTIONS]
    if unknown:
        raise TypeError(f"option {unknown[0]!r} does not apply to an HTML page "
                        f"(its options: {', '.join(sorted(_PAGE_OPTIONS))})")
    layout = options.get("layout", "auto")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if options.get("label", "id") not in ("id", "name"):
        raise ValueError("label must be 'id' or 'name' for an HTML page")
    rest = {k: v for k, v in options.items() if k != "layout"}
    o, scheme = _options(rest)
    return o, scheme, layout


@dataclass
class _Positions:
    x: dict[Any, float]
    y: dict[Any, float]
    paths: dict[tuple[Any, Any], str]  # synapse -> SVG path (Graphviz's splines)
    width: float
    height: float
    engine: str
    boxes: list[tuple[float, float, float, float]] | None = None  # memory blocks'


#: Memory blocks are drawn collapsed by default when a network has more than this many.
FEW_BLOCKS = 6


def _block_layout(G: nx.DiGraph[Any], layers: list[_Layer], blocks: list[Block],
                  undelayed: list[tuple[Any, Any]], rankdir: str) -> _Positions:
    """netgraph's layout with each memory block as one unit (``_layout.place_blocks``)."""
    in_block = {n for block in blocks for n in block.members}
    units: list[list[Any]] = []
    for layer in layers:
        members = [n for n in layer.members if n not in in_block]
        if layer.ranked:
            units += [members] if members else []
        else:
            units += [[n] for n in members]
    p = place_blocks(G, units, [(b.members, b.core) for b in blocks], undelayed,
                     rankdir=rankdir)
    margin = 60.0
    x = {n: v + margin for n, v in p.x.items()}
    y = {n: v + margin for n, v in p.y.items()}
    boxes = [(x0 + margin, y0 + margin, x1 + margin, y1 + margin)
             for x0, y0, x1, y1 in p.boxes]
    # netgraph's own layered layout, block-aware: named as such on the page
    return _Positions(x, y, {}, p.width + 2 * margin, p.height + 2 * margin, "layered", boxes)


def _collapse_with_blocks(G: nx.DiGraph[Any], o: Any, layers: list[_Layer],
                          blocks: list[Block]) -> tuple[set[Any], bool]:
    """Which layers start collapsed, and whether the blocks do: blocks above a few
    collapse, and layers only if the drawing is still too big with the blocks shut."""
    shut = len(blocks) > FEW_BLOCKS
    if o.collapse is not None or not blocks:
        return _should_collapse(G, o, layers), shut
    in_block = sum(len(b.members) for b in blocks)
    drawn = G.number_of_nodes() - in_block + (len(blocks) if shut else in_block)
    return ({layer.key for layer in layers} if drawn > o.max_neurons else set()), shut


def _own_layout(G: nx.DiGraph[Any], layers: list[_Layer], linked: nx.DiGraph[Any],
                undelayed: list[tuple[Any, Any]], rankdir: str) -> _Positions:
    rank = ranks(G, layers, undelayed, linked)
    keep = {n for layer in layers if layer.ranked for n in layer.members}
    p = place(G, rank, keep, undelayed, pitch=44.0, rank_gap=200.0, rankdir=rankdir)
    margin = 60.0
    x = {n: v + margin for n, v in p.x.items()}
    y = {n: v + margin for n, v in p.y.items()}
    return _Positions(x, y, {}, p.width + 2 * margin, p.height + 2 * margin, "layered")


def _dot_layout(obj: Any, G: nx.DiGraph[Any], o: Any) -> _Positions | None:
    """Graphviz's positions and splines for the uncollapsed diagram, or None when
    ``dot`` is missing or fails."""
    import subprocess

    from ._diagram import diagram

    names = _dot_names(G)
    by_name = {name: n for n, name in names.items()}
    options = {"weights": False, "legend": False, "collapse": False, "fit": False,
               "rankdir": o.rankdir}
    data = None
    for clusters in (True, False):  # some versions of dot abort on a few cluster graphs
        source = diagram(obj, clusters=clusters, **options).source
        try:
            run = subprocess.run(["dot", "-Tjson"], input=source.encode("utf-8"),
                                 capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if run.returncode == 0:
            data = json.loads(run.stdout)
            break
    if data is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    height = y1 - y0
    objects = data.get("objects", [])
    x: dict[Any, float] = {}
    y: dict[Any, float] = {}
    gvid: dict[int, Any] = {}
    for obj_ in objects:
        if "pos" in obj_ and obj_.get("name") in by_name:
            n = by_name[obj_["name"]]
            px, py = (float(v) for v in obj_["pos"].split(","))
            x[n], y[n] = px - x0, height - (py - y0)
            gvid[obj_["_gvid"]] = n
    if len(x) != G.number_of_nodes():
        return None
    paths: dict[tuple[Any, Any], str] = {}
    for e in data.get("edges", []):
        if "synapse" not in str(e.get("class", "")).split() or "pos" not in e:
            continue
        u, v = gvid.get(e["tail"]), gvid.get(e["head"])
        if u is None or v is None:
            continue
        points, end = [], None
        for part in e["pos"].split():
            if part.startswith("e,"):
                end = part[2:]
            elif not part.startswith("s,"):
                points.append(part)
        xy = []
        for point in points + ([end] if end else []):
            px, py = (float(c) for c in point.split(","))
            xy.append((px - x0, height - (py - y0)))
        if len(xy) < 4:
            continue
        d = f"M{xy[0][0]:.1f},{xy[0][1]:.1f}"
        body = xy[1:len(points)]
        for k in range(0, len(body) - 2, 3):
            (ax, ay), (bx, by), (cx, cy) = body[k:k + 3]
            d += f"C{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {cx:.1f},{cy:.1f}"
        if end:
            d += f"L{xy[-1][0]:.1f},{xy[-1][1]:.1f}"
        paths[(u, v)] = d
    return _Positions(x, y, paths, x1 - x0, height, "dot")


@reads_whole
def page_data(obj: Any, **options: Unpack[PageOptions]) -> dict[str, Any]:
    """What the page embeds, as plain JSON-ready data (see ``page``)."""
    o, scheme, layout = _check(options)
    G = _graph_of(obj)
    synapses = _synapses(G)
    layers, linked = _layers(G, synapses)
    blocks = _blocks_of(G, synapses, layers)
    collapsed, blocks_shut = _collapse_with_blocks(G, o, layers, blocks)
    kinds = _kinds(synapses)
    undelayed = [(u, v) for u, v, _w, d, _g in synapses if not d]
    pos = None
    if blocks and layout != "dot":
        pos = _block_layout(G, layers, blocks, undelayed, o.rankdir)
    elif layout == "dot" or (layout == "auto" and not collapsed and shutil.which("dot")):
        pos = _dot_layout(obj, G, o)
        if pos is None and layout == "dot":
            from ._diagram import INSTALL_HINT
            from ._exceptions import GraphvizNotFoundError

            if shutil.which("dot") is None:
                raise GraphvizNotFoundError(INSTALL_HINT)
            raise RuntimeError("Graphviz's dot could not lay this network out; "
                               "use layout='layered'")
    if pos is None:
        pos = _own_layout(G, layers, linked, undelayed, o.rankdir)

    index = {n: k for k, n in enumerate(G)}
    layer_of = {n: k for k, layer in enumerate(layers) for n in layer.members}
    block_of = {n: k for k, block in enumerate(blocks) for n in block.members}
    acts: list[str] = []
    act_index: dict[str, int] = {}
    neurons = []
    for n, a in G.nodes(data=True):
        role = _role(a)
        name = get_activation(a.get("activation", "identity")).name
        if name not in act_index:
            act_index[name] = len(acts)
            acts.append(name)
        label = str(a["name"]) if o.label == "name" and a.get("name") is not None else str(n)
        bias = _number(a.get("bias"))
        neurons.append({
            "id": label, "layer": layer_of[n], "role": role, "kind": kinds.get(n, ""),
            "act": act_index[name], "bias": bias if bias is not None else 0.0,
            "block": block_of.get(n, -1),
            "x": round(pos.x[n], 2), "y": round(pos.y[n], 2),
        })
    src, dst, weight, delay, gater, path = [], [], [], [], [], []
    for u, v, w, d, g in synapses:
        src.append(index[u])
        dst.append(index[v])
        weight.append(w if w is not None else 0.0)
        delay.append(d)
        gater.append(index[g] if g is not None and g in index else -1)
        path.append(pos.paths.get((u, v), ""))
    inputs = [n for n in G if _role(G.nodes[n]) == "input"]
    initial = list(o.input) if o.input is not None else [0.0] * len(inputs)
    if len(initial) != len(inputs):
        from ._exceptions import InputError

        raise InputError(f"the network has {len(inputs)} inputs, got {len(initial)} values")
    return {
        "format": "netgraph-page", "version": 1,
        "title": o.title if o.title is not None else "",
        "precision": o.precision,
        "layout": pos.engine, "rankdir": o.rankdir,
        "width": round(pos.width, 1), "height": round(pos.height, 1),
        "colors": {f.name: getattr(scheme, f.name) for f in fields(ColorScheme)},
        "activations": acts,
        "neurons": neurons,
        "layers": [{"name": str(layer.key), "role": ("input", "hidden", "output")[
            layer.role_class], "collapsed": layer.key in collapsed, "boxed": not layer.cyclic,
            "blocked": all(n in block_of for n in layer.members)}
            for layer in layers],
        "blocks": [_block_data(block, k, index, pos, blocks_shut, o.label, G)
                   for k, block in enumerate(blocks)],
        "synapses": {"source": src, "target": dst, "weight": weight, "delay": delay,
                     "gater": gater, "path": path},
        "order": [index[n] for n in activation_order(G)],
        "recurrent": any(d or g is not None for *_, d, g in synapses),
        "input": [float(v) for v in initial],
    }


def _block_data(block: Block, k: int, index: dict[Any, int], pos: _Positions, shut: bool,
                label: str, G: nx.DiGraph[Any]) -> dict[str, Any]:
    """A memory block as the page draws it: name, neurons, box (when laid out by
    blocks; else the page boxes its neurons' positions) and whether it starts shut."""
    a = G.nodes[block.core]
    core = str(a["name"]) if label == "name" and a.get("name") is not None else str(block.core)
    box = pos.boxes[k] if pos.boxes is not None else None
    return {"name": f"block {core}", "core": index[block.core],
            "members": [index[n] for n in block.members], "collapsed": shut,
            "box": [round(v, 2) for v in box] if box is not None else None}


def _json_for_script(data: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (so
    no ``</script>`` and no ``<!--``), and no line separators JavaScript would trip on."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for c, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                   ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(c, esc)
    return text


def _activations_script(names: list[str]) -> str:
    """The page's table of activation functions, from the registry's JavaScript text."""
    # softmax: each output's own part is its sum; draw.js's activate normalizes the group
    lines = [f"  {json.dumps(name)}: function (s) {{ "
             f"return {'s' if name == 'softmax' else activation_source(name, 'javascript')}; }},"
             for name in names]
    return "const ACTIVATIONS = {\n" + "\n".join(lines) + "\n};\n"


def _asset(name: str) -> str:
    return resources.files("netgraph").joinpath("page", name).read_text(encoding="utf-8")


def page(obj: Any, **options: Unpack[PageOptions]) -> str:
    """The network as a self-contained HTML page (a ``str``); see the module docstring.

    **Options** (keyword): ``title``, ``colors``, ``label`` (``"id"`` or ``"name"``),
    ``collapse``, ``max_neurons``, ``max_synapses`` and ``rankdir`` as for
    ``diagram``; ``precision`` (2): decimals shown on the drawing (the details show
    every digit); ``input``: the values first shown in the page's input boxes;
    ``layout``: ``"auto"`` (Graphviz's when ``dot`` is installed and the network is
    drawn whole, else netgraph's own), ``"dot"`` or ``"layered"``.
    """
    data = page_data(obj, **options)
    return render_html(data, _asset("explore.js"))


def render_html(data: dict[str, Any], script: str, extra: str = "") -> str:
    """Assemble a page from its data and the script that draws it."""
    title = data["title"] or "netgraph network"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        # nothing may load from anywhere: the page is the file
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n",
        f"<title>{html.escape(title)}</title>\n",
        "<style>\n", _asset("page.css"), "</style>\n</head>\n<body>\n",
        _asset("page.html"),
        "<script type=\"application/json\" id=\"netgraph-data\">",
        _json_for_script(data), "</script>\n",
        extra,
        "<script>\n\"use strict\";\n", _activations_script(data["activations"]),
        _asset("draw.js"), script, "</script>\n</body>\n</html>\n",
    ])


def write_page(obj: Any, path: str | Path, **options: Unpack[PageOptions]) -> Path:
    """Write ``page(obj, **options)`` to ``path`` (atomically). **Returns** the path."""
    text = page(obj, **options)
    return write_atomically(Path(path), text.encode("utf-8"))
