"""Diagrams stay readable: size, text on text, roles, the value view, the legend's spaces.

Each default diagram is rendered by the real ``dot`` and opened in headless Chromium,
which measures every text's box with the fonts a reader's browser would use. The
target: any network up to 100 neurons and 1,000 synapses fits in 2,000 x 2,000 pt,
shows each neuron, and no text overlaps another text or a neuron it does not label.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
from browser import chromium
from conftest import random_dag, random_recurrent
from test_diagram import Svg, needs_dot

from netgraph import Network
from netgraph._trace import forward_step
from netgraph.architect import LSTM, Perceptron

TARGET_PT = 2000.0

# every text's box and every neuron's shape, in CSS pixels
MEASURE = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; };
  const texts = [...document.querySelectorAll("text")]
    .filter((t) => t.textContent.trim() !== "")
    .map((t) => ({ text: t.textContent, box: box(t),
                   owner: t.closest("g.node, g.edge, g.cluster, g.graph").id }));
  const shapes = [...document.querySelectorAll("g.node")].map((g) => ({
    owner: g.id, box: box(g.querySelector("ellipse, polygon, path")) }));
  return { texts, shapes };
}"""


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        yield browser.new_page()


def nets() -> dict[str, Network]:
    return {
        "4-8-2": Perceptron(4, 8, 2, seed=1),
        "10-16-3": Perceptron(10, 16, 3, seed=1),
        "20-30-5": Perceptron(20, 30, 5, seed=1),
        "LSTM(2,7,1)": LSTM(2, 7, 1, seed=1),
        "random DAG, 60 neurons": Network.from_graph(
            random_dag(np.random.default_rng(7), 5, 50, 5, p=0.3)),
    }


def size_pt(svg: bytes) -> tuple[float, float]:
    text = svg.decode()
    w = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', text)
    assert w, text[:300]
    return float(w.group(1)), float(w.group(2))


def overlap(a: list[float], b: list[float]) -> float:
    """How far two boxes overlap, in pixels (the smaller of the two extents; <= 0: apart)."""
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def inset(box: list[float], share: float) -> list[float]:
    dx, dy = (box[2] - box[0]) * share, (box[3] - box[1]) * share
    return [box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy]


def text_clashes(page, path: Path) -> list[str]:
    page.goto(path.as_uri())
    found = page.evaluate(MEASURE)
    clashes = []
    for t in found["texts"]:
        # a text's box is the font's line box (ascent + descent, about 1.15 em): less
        # a tenth at the top and bottom it still holds every glyph of these labels
        left, top, right, bottom = t["box"]
        pad = (bottom - top) * 0.1
        t["box"] = [left, top + pad, right, bottom - pad]
    for a, b in itertools.combinations(found["texts"], 2):
        if overlap(a["box"], b["box"]) > 0.5:
            clashes.append(f"{a['text']!r} on {b['text']!r}")
    for t in found["texts"]:
        for s in found["shapes"]:
            # the middle of a neuron's shape (corners of a circle's box are empty)
            if t["owner"] != s["owner"] and overlap(t["box"], inset(s["box"], 0.15)) > 0.5:
                clashes.append(f"{t['text']!r} on neuron {s['owner']}")
    return clashes


@needs_dot
@pytest.mark.parametrize("name", list(nets()))
def test_default_diagram_fits_the_target_shows_every_neuron_and_no_text_clashes(
        name, page, tmp_path):
    net = nets()[name]
    path = net.render(tmp_path / "net.svg")
    data = path.read_bytes()
    width, height = size_pt(data)
    assert width <= TARGET_PT and height <= TARGET_PT, (name, width, height)
    svg = Svg(data)
    neurons = [n for n in svg.nodes.values() if "neuron" in n["classes"]]
    assert len(neurons) == net.graph.number_of_nodes()
    assert len(svg.edges_of("synapse")) == net.graph.number_of_edges()
    assert text_clashes(page, path) == []
    # what is not printed is in the tooltips: every synapse's weight, to the last bit
    for e in svg.edges_of("synapse"):
        w = net.graph[e["source"]][e["target"]]["weight"]
        tip = e["g"].find(".//{http://www.w3.org/2000/svg}a").get(
            "{http://www.w3.org/1999/xlink}title")
        assert f"weight {w!r}" in tip


@needs_dot
def test_few_synapses_are_labelled_many_are_not(tmp_path):
    small, large = Perceptron(2, 3, 1, seed=1), Perceptron(10, 16, 3, seed=1)
    labelled = Svg(small.render(tmp_path / "s.svg").read_bytes())
    assert all(len(e["texts"]) == 1 for e in labelled.edges_of("synapse"))
    bare = Svg(large.render(tmp_path / "l.svg").read_bytes())
    assert all(e["texts"] == [] for e in bare.edges_of("synapse"))
    assert "208 synapses: numbers in tooltips" in bare.text().replace("\xa0", " ")
    def labelled_synapses(dot: str) -> int:
        return sum("class=synapse" in line and "[label=" in line for line in dot.splitlines())

    assert labelled_synapses(large.to_dot(weights=True)) == 208  # a choice beats the policy
    assert labelled_synapses(Perceptron(4, 8, 2).to_dot()) == 48
    assert labelled_synapses(Perceptron(4, 8, 2).to_dot(max_labels=47)) == 0


def test_layers_are_labelled_clusters():
    dot = Perceptron(3, 4, 2, seed=1).to_dot()
    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\t\tclass=cluster[^\n]*label=(\w+)", dot)
    assert [label for _, label in clusters] == ["input", "hidden0", "output"]
    assert "subgraph cluster" not in Perceptron(3, 4, 2, seed=1).to_dot(clusters=False)


@needs_dot
def test_lstm_shows_its_gates_and_memory_cells(tmp_path):
    net = LSTM(2, 3, 1, seed=1)
    layers = net.layers
    svg = Svg(net.render(tmp_path / "lstm.svg").read_bytes())
    for layer, ids in layers.items():
        kind = ("gate" if "gate" in layer else "memory" if layer.startswith("memory")
                else None)
        for n in ids:
            assert (kind in svg.nodes[n]["classes"]) if kind else (
                "gate" not in svg.nodes[n]["classes"] and "memory" not in svg.nodes[n]["classes"])
    shapes = {n: next(c.tag.split("}")[1] for c in svg.nodes[n]["g"].iter()
                      if c.tag.endswith(("polygon", "ellipse")))
              for ids in layers.values() for n in ids}
    assert {shapes[n] for n in layers["memory_cell0"]} == {"polygon"}
    text = svg.text().replace("\xa0", " ")
    for cell in layers["memory_cell0"]:
        assert f"block {cell}" in text  # each memory block's box names its cell
    assert "blocks: a memory cell with its gates" in text
    assert "diamonds: gates" in text and "octagons: self-connected (memory) neurons" in text
    # each gate's dotted connector reaches what it gates
    gates = {(e["source"], e["target"]) for e in svg.edges_of("gate")}
    for g, c in zip(layers["forget_gate0"], layers["memory_cell0"], strict=True):
        assert (g, c) in gates


# ------------------------------------------------------------------ the value view
def xor_net() -> Network:
    net = Perceptron(2, 3, 1, seed=1)
    net.train([([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])], rate=0.3,
              iterations=3000, error=0)
    return net


def floats(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d+", text)]


@needs_dot
@pytest.mark.parametrize("x", [[1, 0], [0.25, -3.5]])
def test_value_view_shows_sums_outputs_and_contributions(x, tmp_path):
    net = xor_net()
    G = net.graph
    svg = Svg(net.render(tmp_path / "v.svg", input=x, precision=4).read_bytes())
    y = {}
    for n in G:
        lines = svg.nodes[n]["texts"]
        if G.nodes[n]["role"] == "input":
            assert lines == [n, f"= {x[int(n[1:])]:.4f}"]
            y[n] = float(x[int(n[1:])])
            continue
        bias, total, out = (floats(line)[0] for line in lines[1:4])
        assert lines[0] == n and lines[1].startswith("bias") and lines[2].startswith("sum")
        assert bias == pytest.approx(G.nodes[n]["bias"], abs=5e-5)
        incoming = [(u, G[u][n]["weight"] * y[u]) for u in G.pred[n]]
        assert total == pytest.approx(G.nodes[n]["bias"] + sum(c for _, c in incoming),
                                      abs=5e-4)
        y[n] = out
        for u, c in incoming:
            (label,) = [e["texts"][0] for e in svg.edges
                        if (e["source"], e["target"]) == (u, n)]
            w, value, shown = floats(label)
            assert w == pytest.approx(G[u][n]["weight"], abs=5e-5)
            assert value == pytest.approx(y[u], abs=5e-5)
            assert shown == pytest.approx(c, abs=5e-4)
    assert y["o0"] == pytest.approx(float(net.activate(x)[0]), abs=5e-5)


def test_forward_step_equals_activate(rng):
    for _ in range(5):
        net = Network.from_graph(random_dag(rng, 3, 8, 2))
        x = rng.normal(size=3)
        step = forward_step(net.graph, x)
        np.testing.assert_allclose(step.outputs, net.activate(x), rtol=0, atol=1e-12)
        for v in net.graph:  # each sum is the bias plus the contributions
            if net.graph.nodes[v]["role"] != "input":
                parts = [step.contribution[(u, v)] for u in net.graph.pred[v]]
                assert step.state[v] == pytest.approx(
                    net.graph.nodes[v]["bias"] + math.fsum(parts), abs=1e-12)


def test_forward_step_of_a_recurrent_net_is_its_first_step(rng):
    for _ in range(5):
        net = Network.from_graph(random_recurrent(rng))
        x = rng.normal(size=len(net.inputs))
        step = forward_step(net.graph, x)
        np.testing.assert_allclose(step.outputs, net.copy().activate(x), rtol=0, atol=1e-12)
    lstm = LSTM(2, 3, 1, seed=2)
    np.testing.assert_allclose(forward_step(lstm.graph, [0.5, -1]).outputs,
                               lstm.activate([0.5, -1]), rtol=0, atol=1e-12)
    assert "first step from a cleared state" in lstm.to_dot(input=[0.5, -1])


@needs_dot
def test_propagate_view_shows_what_propagate_changes(tmp_path):
    net = xor_net()
    G = net.graph
    x, t, rate = [1, 0], [1], 0.3
    svg = Svg(net.render(tmp_path / "p.svg", input=x, target=t, rate=rate).read_bytes())
    learner = net.copy()
    learner.activate(x)
    learner.propagate(rate, t)
    step = forward_step(G, x)
    for e in svg.edges_of("synapse"):
        u, v = e["source"], e["target"]
        change = learner.graph[u][v]["weight"] - G[u][v]["weight"]
        (label,) = e["texts"]
        assert label.startswith("\u0394w ")
        assert float(label.split()[1]) == pytest.approx(change, rel=5e-3, abs=1e-12)
        tip = e["g"].find(".//{http://www.w3.org/2000/svg}a").get(
            "{http://www.w3.org/1999/xlink}title")
        assert float(tip.split("weight change ")[1]) == pytest.approx(change, abs=1e-15)
    for n in ("h0", "h1", "h2", "o0"):
        lines = svg.nodes[n]["texts"]
        assert lines[1] == f"out {step.output[n]:.2f}"
        assert lines[2].startswith("error ") and lines[3].startswith("\u0394b ")
        change = learner.graph.nodes[n]["bias"] - G.nodes[n]["bias"]
        assert float(lines[3].split()[1]) == pytest.approx(change, rel=5e-3)
    assert float(svg.nodes["o0"]["texts"][2].split()[1]) == pytest.approx(
        t[0] - step.output["o0"], rel=5e-3)


def test_propagate_view_refuses_what_it_cannot_show():
    with pytest.raises(ValueError, match="target needs an input"):
        xor_net().to_dot(target=[1])
    with pytest.raises(ValueError, match="feed-forward"):
        LSTM(2, 2, 1, seed=1).to_dot(input=[1, 0], target=[1])
    with pytest.raises(ValueError, match="1 outputs, got 2 targets"):
        xor_net().to_dot(input=[1, 0], target=[1, 0])
    with pytest.raises(ValueError, match="rate"):
        xor_net().to_dot(input=[1, 0], target=[1], rate=float("inf"))


def test_value_view_refuses_bad_inputs():
    net = xor_net()
    with pytest.raises(ValueError, match="2 inputs, got 3"):
        net.to_dot(input=[1, 0, 1])
    with pytest.raises(ValueError, match=r"input\[1\]"):
        net.to_dot(input=[1, float("nan")])
    with pytest.raises(TypeError, match="sequence of numbers"):
        net.to_dot(input="10")


# ------------------------------------------------------------------ small things
@needs_dot
def test_the_legend_keeps_its_spaces(page, tmp_path):
    path = Perceptron(2, 3, 1, seed=1).render(tmp_path / "net.svg")
    runs = re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())
    assert "negative" in runs
    # Renderers drop the spaces at the ends of a text run (rsvg, browsers), so none
    # may end in one: where a colour changes, the space is a no-break space.
    for t in runs:
        assert t == t.strip(" "), repr(t)
    assert runs[runs.index("negative") + 1].startswith("\xa0weight")
    # and Chromium draws it: "weight" starts a space's width after "negative" ends
    page.goto(path.as_uri())
    gap = page.evaluate("""() => {
      const texts = [...document.querySelectorAll("text")];
      const a = texts.find((t) => t.textContent === "negative");
      const b = texts[texts.indexOf(a) + 1];
      return b.getExtentOfChar(1).x - (a.getBBox().x + a.getBBox().width); }""")
    assert gap > 2.0


@needs_dot
def test_notebook_shows_large_networks_collapsed_and_mid_sized_ones_whole():
    big = Perceptron(200, 50, 10, seed=1)
    svg = Svg(big._repr_mimebundle_()["image/svg+xml"])
    assert len(svg.nodes) == 3 and all("layer" in n["classes"] for n in svg.nodes.values())
    mid = Perceptron(20, 30, 5, seed=1)._repr_mimebundle_()["image/svg+xml"]
    width, height = size_pt(mid.encode())
    assert width <= TARGET_PT and height <= TARGET_PT
    assert len(Svg(mid).nodes) == 55
