"""Diagrams: real ``dot`` output parsed back, DOT determinism, escaping, collapse, errors.

Rendering tests need the Graphviz ``dot`` program (``scripts/bootstrap`` installs
it as root). Where it is missing they fail, saying what to install; they never skip.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import netgraph
from netgraph import ColorScheme, GraphvizNotFoundError, Layer, Network, diagram, to_dot
from netgraph._diagram import COLOR_SCHEMES, INSTALL_HINT

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/2000/svg}"

# fails, saying what to install, without Graphviz (conftest.graphviz_dot)
needs_dot = pytest.mark.usefixtures("graphviz_dot")


def trained_net(seed: int = 0) -> Network:
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    net = Network(input=inp, hidden=[hid], output=out, seed=seed)
    net.activate([0, 1])
    net.propagate(0.3, [1])
    return net


def big_net(seed: int = 0) -> Network:
    inp, hid, out = Layer(784), Layer(128), Layer(10)
    inp.project(hid)
    hid.project(out)
    return Network(input=inp, hidden=[hid], output=out, seed=seed)


class Svg:
    """Nodes and edges of a Graphviz SVG, keyed by DOT name."""

    def __init__(self, data: bytes | str) -> None:
        self.root = ET.fromstring(data)
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        for g in self.root.iter(f"{NS}g"):
            classes = (g.get("class") or "").split()
            if not classes or classes[0] not in ("node", "edge"):
                continue
            title = g.findtext(f"{NS}title")
            texts = [t.text or "" for t in g.iter(f"{NS}text")]
            item = {"classes": classes[1:], "title": title, "texts": texts, "g": g}
            if classes[0] == "node":
                item["x"], item["y"] = centre(g)
                assert title not in self.nodes
                self.nodes[title] = item
            else:
                item["source"], item["target"] = title.split("->")
                path = next(g.iter(f"{NS}path"))
                item["stroke"] = path.get("stroke")
                item["width"] = float(path.get("stroke-width", "1"))
                item["dasharray"] = path.get("stroke-dasharray")
                self.edges.append(item)

    def edges_of(self, cls: str) -> list[dict]:
        return [e for e in self.edges if cls in e["classes"]]

    def text(self) -> str:
        return "\n".join(t.text or "" for t in self.root.iter(f"{NS}text"))


def centre(g: ET.Element) -> tuple[float, float]:
    """Centre of a node's shape (its first ellipse, polygon or path)."""
    for shape in g.iter():
        if shape.tag == f"{NS}ellipse":
            return float(shape.get("cx")), float(shape.get("cy"))
        if shape.tag == f"{NS}polygon":
            points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        if shape.tag == f"{NS}path":  # a rounded box
            numbers = [float(v) for v in re.findall(r"-?[0-9.]+", shape.get("d"))]
            xs, ys = numbers[0::2], numbers[1::2]
            return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    raise AssertionError("a node without a shape")


def rendered(obj, tmp_path: Path, name: str = "net.svg", **options) -> Svg:
    if isinstance(obj, Network):
        path = obj.render(tmp_path / name, **options)
    else:
        path = netgraph.render_diagram(obj, tmp_path / name, **options)
    assert path == tmp_path / name
    return Svg(path.read_bytes())


# --------------------------------------------------------------------- structure
@needs_dot
@pytest.mark.parametrize("precision", [0, 2, 4])
def test_svg_has_a_node_per_neuron_and_a_labelled_edge_per_synapse(tmp_path, precision):
    net = trained_net()
    svg = rendered(net, tmp_path, precision=precision)
    G = net.graph
    assert set(svg.nodes) == {str(n) for n in G}  # plain ids are their own DOT names
    for n in G:
        assert svg.nodes[n]["texts"] == [n]
        assert svg.nodes[n]["classes"] == ["neuron", G.nodes[n]["role"]]
    assert len(svg.edges) == G.number_of_edges()
    assert sorted((e["source"], e["target"]) for e in svg.edges) == sorted(G.edges)
    for e in svg.edges:
        w = G[e["source"]][e["target"]]["weight"]
        assert e["texts"] == [f"{w:.{precision}f}"]
        assert e["classes"] == ["synapse"]


@needs_dot
def test_layers_are_ranked_in_order_left_to_right(tmp_path):
    inp, h0, h1, out = Layer(2), Layer(4), Layer(3), Layer(2)
    inp.project(h0)
    h0.project(h1)
    h1.project(out)
    inp.project(out)  # a skip connection must not disturb the ranks
    net = Network(input=inp, hidden=[h0, h1], output=out, seed=3)
    svg = rendered(net, tmp_path)
    xs = [[svg.nodes[n]["x"] for n in ids] for ids in net.layers.values()]
    assert list(net.layers) == ["input", "hidden0", "hidden1", "output"]
    for ids, layer_xs in zip(net.layers.values(), xs, strict=True):
        assert len(set(layer_xs)) == 1, ids  # one rank per layer
    assert [x[0] for x in xs] == sorted(x[0] for x in xs)
    assert len({x[0] for x in xs}) == 4

    for ids in net.layers.values():  # neurons keep their graph order, top to bottom
        ys = [svg.nodes[n]["y"] for n in ids]
        assert ys == sorted(ys) and len(set(ys)) == len(ys), ids

    tb = rendered(net, tmp_path, "tb.svg", rankdir="TB")
    ys = [tb.nodes[ids[0]]["y"] for ids in net.layers.values()]
    assert ys == sorted(ys) and len(set(ys)) == 4  # top to bottom (SVG y grows down)
    for ids in net.layers.values():  # and left to right within a layer
        xs = [tb.nodes[n]["x"] for n in ids]
        assert xs == sorted(xs) and len(set(xs)) == len(xs), ids
    assert len(tb.edges) == net.graph.number_of_edges()  # ordering edges are invisible


@needs_dot
def test_layer_order_follows_the_synapses_not_the_insertion_order(tmp_path):
    G = nx.DiGraph()
    G.add_node("late", role="hidden", layer="B", bias=0.0, activation="tanh")
    G.add_node("out", role="output", layer="out", bias=0.0, activation="logistic")
    G.add_node("early", role="hidden", layer="A", bias=0.0, activation="tanh")
    G.add_node("x", role="input", layer="in", bias=0.0, activation="identity")
    G.add_edge("x", "early", weight=1.0)
    G.add_edge("early", "late", weight=-1.0)
    G.add_edge("late", "out", weight=0.5)
    svg = rendered(Network.from_graph(G), tmp_path)
    xs = [svg.nodes[n]["x"] for n in ("x", "early", "late", "out")]
    assert xs == sorted(xs) and len(set(xs)) == 4


@needs_dot
def test_a_layer_wired_within_itself_is_not_forced_onto_one_rank(tmp_path, rng):
    from conftest import random_dag

    G = random_dag(rng, n_in=3, n_hidden=6, n_out=2)  # every hidden neuron in layer "hidden"
    net = Network.from_graph(G)
    svg = rendered(net, tmp_path)
    assert len(svg.nodes) == G.number_of_nodes()
    assert len(svg.edges_of("synapse")) == G.number_of_edges() == len(svg.edges)
    for u, v in G.edges:  # every synapse points forward (even output -> hidden)
        assert svg.nodes[u]["x"] < svg.nodes[v]["x"], (u, v)


@needs_dot
def test_weights_are_coloured_by_sign_and_widened_by_magnitude(tmp_path):
    net = trained_net()
    G = net.graph
    G["i0"]["h0"]["weight"] = -2.0
    G["h0"]["o0"]["weight"] = 0.0
    svg = rendered(net, tmp_path)
    scheme = COLOR_SCHEMES["default"]
    by_w = []
    for e in svg.edges:
        w = G[e["source"]][e["target"]]["weight"]
        want = scheme.positive if w > 0 else scheme.negative if w < 0 else scheme.neutral
        assert e["stroke"] == want
        by_w.append((abs(w), e["width"]))
    by_w.sort()
    assert [wd for _, wd in by_w] == sorted(wd for _, wd in by_w)
    assert by_w[-1][1] > 3 * by_w[0][1]
    caption = svg.text()
    assert "positive" in caption and "negative" in caption and "thickest 2.00" in caption


# -------------------------------------------------------------------- determinism
def test_dot_is_byte_identical_for_the_same_network_and_for_a_twin():
    a, b = trained_net(), trained_net()
    assert a.to_dot() == a.to_dot()
    assert a.to_dot() == b.to_dot()
    assert a.to_dot(biases=True, title="t") == b.to_dot(biases=True, title="t")
    assert big_net().to_dot() == big_net().to_dot()
    assert trained_net(seed=1).to_dot() != a.to_dot()


def test_dot_does_not_depend_on_hash_randomisation():
    code = ("import sys; sys.path.insert(0, 'tests'); from test_diagram import trained_net; "
            "sys.stdout.write(trained_net().to_dot(biases=True, activations=True))")
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        outs.add(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, check=True).stdout)
    assert len(outs) == 1
    assert outs.pop().decode() == trained_net().to_dot(biases=True, activations=True)


def test_to_dot_needs_no_graphviz_program(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    dot = trained_net().to_dot()
    assert dot.startswith("digraph netgraph {")
    assert dot == trained_net().diagram().source


# ---------------------------------------------------------------------- escaping
NASTY = [
    'a"b{c}\nd',  # quotes, braces, a newline
    "x]; evil [shape=box",
    "p -> q; r",
    "back\\slash\\",
    "\\N\\G\\l",
    "<b>html</b>",
    "&amp; &lt;",
    "node",
    "bell\x07",
    "tab\there",
    "",
    0,
    "0",
    ("tu", "ple"),
]


def nasty_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_node(NASTY[0], role="input", layer="in", bias=0.0, activation="identity")
    G.add_node(NASTY[1], role="input", layer="in", bias=0.0, activation="identity")
    for k, n in enumerate(NASTY[2:-1]):
        G.add_node(n, role="hidden", layer='h"}\n{', bias=0.1 * k, activation="tanh")
    G.add_node(NASTY[-1], role="output", layer="out", bias=0.0, activation="logistic")
    for k, n in enumerate(NASTY[2:-1]):
        G.add_edge(NASTY[k % 2], n, weight=0.5 - 0.1 * k)
        G.add_edge(n, NASTY[-1], weight=0.25 * k - 1)
    return G


def shown(n) -> list[str]:
    """What a label should display for id n: its text, line by line."""
    s = str(n).replace("\x07", "\\x07").replace("\t", " ")
    return s.split("\n") if s else []  # an empty label has no text element


def test_dot_of_arbitrary_ids_is_quoted_and_escaped():
    G = nasty_graph()
    dot = to_dot(G, title='T "}\n{ <b>&amp;')
    # no raw newline, brace or unescaped quote from an id reaches the DOT text
    body = dot.split("\n")
    for line in body:  # quotes balance on every line once escapes are removed
        if "label=<" in line:  # the title's HTML-like label: quotes are plain text there
            assert '<b>T "}<br/>{ &lt;b&gt;&amp;amp;</b>' in line
            continue
        assert line.replace("\\\\", "").replace('\\"', "").count('"') % 2 == 0, line
    assert 'label="<b>html</b>"' in dot and "=<b>html" not in dot  # quoted, not HTML
    assert 'label="a\\"b{c}\\nd"' in dot
    assert 'label="back\\\\slash\\\\"' in dot
    assert 'label="&amp;amp; &amp;lt;"' in dot
    assert "\x07" not in dot
    # ids that are not plain identifiers get generated names, so 0 and "0" differ
    nodes = [line for line in body if "class=\"neuron" in line]
    assert len(nodes) == G.number_of_nodes()


@needs_dot
def test_rendered_labels_of_arbitrary_ids_read_back_exactly(tmp_path):
    G = nasty_graph()
    svg = rendered(G, tmp_path, title='T "}\n{ <b>&amp;')
    assert len(svg.nodes) == G.number_of_nodes()
    assert len(svg.edges) == G.number_of_edges()
    labels = sorted(tuple(node["texts"]) for node in svg.nodes.values())
    assert labels == sorted(tuple(shown(n)) for n in G)
    assert 'T "}' in svg.text() and "{ <b>&amp;" in svg.text()
    weights = sorted(e["texts"][0] for e in svg.edges)
    assert weights == sorted(f"{w:.2f}" for *_, w in G.edges(data="weight"))


def test_user_strings_that_would_be_written_verbatim_are_checked():
    net = trained_net()
    with pytest.raises(ValueError, match="colour 'positive'"):
        net.to_dot(colors={"positive": 'red" penwidth=9 x="'})
    with pytest.raises(ValueError, match="fontname"):
        net.to_dot(fontname="Helvetica\\")


# --------------------------------------------------------------- recurrence, gates
def recurrent_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for n, role, layer in [("x", "input", "in"), ("h", "hidden", "mem"),
                           ("g", "hidden", "gate"), ("y", "output", "out")]:
        G.add_node(n, role=role, layer=layer, bias=0.1, activation="tanh")
    G.add_edge("x", "h", weight=0.5)
    G.add_edge("x", "g", weight=0.3)
    G.add_edge("h", "h", weight=0.9)  # self-loop: delayed even without a delay attribute
    G.add_edge("y", "h", weight=-0.4, delay=1)  # back edge from the output
    G.add_edge("h", "y", weight=1.5, gater="g")
    G.add_edge("g", "y", weight=-0.2, delay=2)
    return G


def test_delayed_and_gated_synapses_are_marked_in_dot():
    dot = to_dot(recurrent_graph())
    lines = {line.strip().split(" [")[0]: line for line in dot.splitlines()
             if "class=synapse" in line or 'class="synapse ' in line}
    for edge, d in [("h -> h", 1), ("y -> h", 1), ("g -> y", 2)]:
        assert "style=dashed" in lines[edge] and "constraint=false" in lines[edge]
        assert f"(t-{d})" in lines[edge]
    assert "0.90 (t-1)" in lines["h -> h"]
    assert 'label="1.50 \u00d7 g"' in lines["h -> y"]
    assert "dashed" not in lines["h -> y"] and "dashed" not in lines["x -> h"]
    gate = [line for line in dot.splitlines() if "class=gate" in line]
    assert len(gate) == 1 and gate[0].strip().startswith("g -> y")
    # g runs before y, so its connector may pull the ranks like a synapse
    assert "dotted" in gate[0] and "constraint=true" in gate[0]
    assert "delayed" in dot and "gated by neuron g" in dot  # the caption explains both
    assert "class=gate" not in to_dot(recurrent_graph(), gates=False)
    G = recurrent_graph()
    G["x"]["h"]["gater"] = "y"  # a gater after its target: its connector points back
    back = [line for line in to_dot(G).splitlines() if "class=gate" in line]
    assert [line.strip()[:6] for line in back] == ["y -> h", "g -> y"]
    assert "constraint=false" in back[0] and "constraint=true" in back[1]


@needs_dot
def test_rendered_recurrent_net_keeps_ranks_and_marks_edges(tmp_path):
    G = recurrent_graph()
    svg = rendered(G, tmp_path)
    assert len(svg.edges_of("synapse")) == G.number_of_edges()
    delayed = svg.edges_of("delayed")
    assert sorted((e["source"], e["target"]) for e in delayed) == [
        ("g", "y"), ("h", "h"), ("y", "h")]
    assert all(e["dasharray"] for e in delayed)
    assert [(e["source"], e["target"]) for e in svg.edges_of("gated")] == [("h", "y")]
    assert len(svg.edges_of("gate")) == 1
    x = {n: svg.nodes[n]["x"] for n in G}
    assert x["x"] < x["h"] < x["y"] and x["x"] < x["g"] < x["y"]


def test_collapsed_layers_keep_recurrence_apart():
    G = recurrent_graph()
    dot = to_dot(G, collapse=True)
    groups = [line for line in dot.splitlines() if "class=synapses" in line
              or 'class="synapses ' in line]
    # one edge per layer pair and kind: in>mem, in>gate, mem>mem (t-1), mem>out (gated),
    # gate>out (t-2), out>mem (t-1)
    assert len(groups) == 6
    assert sum("dashed" in line and "constraint=false" in line for line in groups) == 3
    assert "1 gated" in dot and "(t-2)" in dot
    assert "edge labels: weight" not in dot  # no single synapse is drawn


# ------------------------------------------------------------------- big networks
def test_big_network_collapses_to_one_node_per_layer():
    net = big_net()
    dot = net.to_dot()
    G = net.graph
    assert dot.count("class=\"layer ") == 3
    assert dot.count("class=synapses") == 2
    assert "784 neurons" in dot and "128 neurons" in dot and "10 neurons" in dot
    assert "100,352 synapses" in dot and "1,280 synapses" in dot
    w_ih = np.array([G[u][v]["weight"] for u, v in G.edges if u.startswith("i")])
    assert f"mean |w| {np.abs(w_ih).mean():.2f}" in dot
    assert "mean |w| 0.05" in dot
    assert "class=synapse " not in dot and "class=synapse]" not in dot


@needs_dot
def test_big_network_renders_collapsed(tmp_path):
    net = big_net()
    svg = rendered(net, tmp_path)
    assert len(svg.nodes) == 3 and len(svg.edges) == 2
    xs = [node["x"] for node in svg.nodes.values()]
    assert xs == sorted(xs)
    labels = [e["texts"] for e in svg.edges]
    assert labels[0][0] == "100,352 synapses" and labels[1][0] == "1,280 synapses"
    assert [node["texts"][1] for node in svg.nodes.values()] == [
        "784 neurons", "128 neurons", "10 neurons"]


def test_collapse_threshold_and_override_are_options():
    net = trained_net()  # 6 neurons, 9 synapses
    assert "class=synapses" not in net.to_dot()
    assert net.to_dot(max_neurons=5).count('class="layer ') == 3
    assert net.to_dot(max_synapses=8).count('class="layer ') == 3
    assert net.to_dot(max_neurons=6, max_synapses=9).count('class="layer ') == 0
    assert net.to_dot(collapse=True).count('class="layer ') == 3
    assert net.to_dot(collapse=False, max_neurons=0).count('class="layer ') == 0
    partial = net.to_dot(collapse=["hidden0"])
    assert partial.count('class="layer ') == 1
    assert partial.count('class="neuron ') == 3
    assert partial.count("class=synapses") == 3  # i0>hidden0, i1>hidden0, hidden0>o0
    assert "3 synapses" in partial
    with pytest.raises(ValueError, match="hidden7"):
        net.to_dot(collapse=["hidden7"])
    with pytest.raises(TypeError, match="collapse"):
        net.to_dot(collapse="hidden0")


# ------------------------------------------------------------------------ options
def test_options_change_what_is_printed():
    net = trained_net()
    G = net.graph
    assert "label=0." not in net.to_dot(weights=False).replace("label=0.0", "")
    for e in ("i0 -> h0", "h1 -> o0"):
        assert f"{e} [class=synapse" in net.to_dot(weights=False)
    with_b = net.to_dot(biases=True, precision=3)
    assert f'label="h1\\nb {G.nodes["h1"]["bias"]:.3f}"' in with_b
    assert "label=i0 " in with_b  # input biases are unused and not shown
    assert 'label="o0\\nlogistic"' in net.to_dot(activations=True)
    assert "rankdir=TB" in net.to_dot(rankdir="tb")
    assert "dpi=150" in net.to_dot(dpi=150)
    assert "dpi" not in net.to_dot()
    assert "<b>My net</b>" in net.to_dot(title="My net")
    assert "label=<" not in net.to_dot(legend=False)
    mono = net.to_dot(colors="mono")
    assert "arrowhead=tee" in mono and "tee arrowhead" in mono
    custom = net.to_dot(colors={"positive": "darkgreen"})
    assert "darkgreen" in custom
    scheme = ColorScheme(positive="#010203", negative="#040506")
    assert "#010203" in net.to_dot(colors=scheme) and "#040506" in net.to_dot(colors=scheme)
    assert "fontname=Courier" in net.to_dot(fontname="Courier")
    assert "bgcolor=lightyellow" in net.to_dot(graph_attr={"bgcolor": "lightyellow"})


def test_labels_by_name_or_callable():
    net = trained_net()
    net.graph.nodes["o0"]["name"] = "XOR"
    assert "label=XOR" in net.to_dot(label="name")
    assert "label=h0 " in net.to_dot(label="name")  # no name: the id
    dot = net.to_dot(label=lambda n, a: f"{n}:{a['role'][0]}")
    assert 'label="h2:h"' in dot and 'label="i0:i"' in dot


def test_bad_options_are_refused_with_a_hint():
    net = trained_net()
    with pytest.raises(TypeError, match="did you mean 'weights'"):
        net.to_dot(weigths=False)
    with pytest.raises(ValueError, match="rankdir"):
        net.to_dot(rankdir="up")
    with pytest.raises(ValueError, match="precision"):
        net.to_dot(precision=-1)
    with pytest.raises(ValueError, match="dpi"):
        net.to_dot(dpi=0)
    with pytest.raises(ValueError, match="colour scheme"):
        net.to_dot(colors="neon")
    with pytest.raises(TypeError, match="weights must be"):
        net.to_dot(weights="yes")
    with pytest.raises(TypeError, match="Network or a networkx DiGraph"):
        diagram([1, 2])


# ---------------------------------------------------------------------- rendering
@needs_dot
def test_render_picks_the_format_from_the_extension(tmp_path):
    net = trained_net()
    assert net.render(tmp_path / "n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert net.render(tmp_path / "n.pdf").read_bytes()[:5] == b"%PDF-"
    assert net.render(tmp_path / "n.SVG").read_bytes().lstrip().startswith(b"<?xml")
    assert net.render(tmp_path / "n.dot").read_text() == net.to_dot()
    assert net.render(str(tmp_path / "n.gv"), title="x").read_text() == net.to_dot(title="x")
    assert net.render(tmp_path / "n.out", format="svg").read_bytes().startswith(b"<?xml")
    with pytest.raises(ValueError, match="extensions svg, png, pdf, dot"):
        net.render(tmp_path / "n.txt")
    with pytest.raises(FileNotFoundError, match="no directory"):
        net.render(tmp_path / "missing" / "n.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "n.SVG", "n.dot", "n.gv", "n.out", "n.pdf", "n.png"]


@needs_dot
def test_dpi_is_a_graph_attribute_that_scales_bitmaps(tmp_path):
    def size(path: Path) -> tuple[int, int]:
        data = path.read_bytes()
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    net = trained_net()
    small = size(net.render(tmp_path / "a.png", dpi=50))
    large = size(net.render(tmp_path / "b.png", dpi=200))
    assert large[0] > 3 * small[0] and large[1] > 3 * small[1]


@needs_dot
def test_notebook_display_is_svg(tmp_path):
    net = trained_net()
    bundle = net._repr_mimebundle_()
    assert bundle["text/plain"] == repr(net)
    assert len(Svg(bundle["image/svg+xml"]).nodes) == 6
    assert "image/svg+xml" not in net._repr_mimebundle_(exclude={"image/svg+xml"})
    assert "image/svg+xml" not in net._repr_mimebundle_(include={"text/plain"})
    assert len(Svg(net._repr_svg_()).edges) == 9


# ------------------------------------------------------------------ missing Graphviz
def test_missing_graphviz_raises_a_clear_error_and_leaves_the_target_alone(
        monkeypatch, tmp_path):
    net = trained_net()
    target = tmp_path / "net.svg"
    target.write_text("old")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(GraphvizNotFoundError) as info:
        net.render(target)
    message = str(info.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install",
                 "to_dot"):
        assert hint in message
    assert message == INSTALL_HINT
    assert isinstance(info.value, RuntimeError)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "net.svg"]
    with pytest.raises(GraphvizNotFoundError):
        net.render(tmp_path / "new.png")
    assert not (tmp_path / "new.png").exists()
    # DOT still works, and notebooks fall back to text
    assert net.render(tmp_path / "net.dot").read_text() == net.to_dot()
    assert net._repr_mimebundle_() == {"text/plain": repr(net)}
    assert net._repr_svg_() is None


@needs_dot
def test_a_failing_dot_leaves_the_target_alone(monkeypatch, tmp_path):
    import graphviz

    net = trained_net()
    target = tmp_path / "net.png"
    target.write_bytes(b"old")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\necho 'dot: out of ink' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(graphviz.CalledProcessError, match="out of ink"):
        net.render(target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "net.png"]


@needs_dot
def test_render_honours_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = trained_net().render(tmp_path / "n.svg")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640


def test_importing_netgraph_does_not_import_graphviz():
    code = "import sys, netgraph; assert 'graphviz' not in sys.modules"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def test_networks_of_more_than_100_neurons_collapse_by_default():
    def net(hidden):
        a, h, b = Layer(1), Layer(hidden), Layer(1)
        a.project(h)
        h.project(b)
        return Network(input=a, hidden=[h], output=b, seed=0)

    assert net(98).to_dot().count('class="layer ') == 0  # 100 neurons: drawn one by one
    assert net(99).to_dot().count('class="layer ') == 3  # 101 neurons: one node a layer
