"""The HTML page, in a real browser: headless Chromium driven by Playwright.

Checks that each page loads with no console error and no request beyond its own
file, that hovering shows the right numbers (every digit), that the page's own
forward pass equals ``net.activate`` to 1e-12 (feed-forward, recurrent and gated),
and that clicking, searching, collapsing, panning and zooming do what they say.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from browser import chromium
from conftest import ALL, random_dag, random_recurrent

from netgraph import Network
from netgraph._page import page, page_data
from netgraph.architect import LSTM, Perceptron

ROOT = Path(__file__).resolve().parent.parent
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Page:
    """One page opened in the browser, recording console errors and every request."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => window.netgraph !== undefined")

    def tooltip_of(self, selector: str) -> list[str]:
        self.page.hover(selector, force=True)
        tip = self.page.locator("#tooltip")
        assert tip.is_visible()
        return [line for line in tip.inner_text().splitlines() if line]

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def opened(browser):
    pages: list[Page] = []

    def open_(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def xor_net() -> Network:
    net = Perceptron(2, 3, 1, seed=1)
    net.train(XOR, rate=0.3, iterations=2000, error=0)
    return net


def number(lines: list[str], key: str) -> float:
    (line,) = [line for line in lines if line.startswith(key + " ")]
    return float(line.split(" ", 1)[1])


def test_page_loads_alone_with_no_errors_and_hover_shows_the_numbers(opened, tmp_path):
    net = xor_net()
    p = opened(net.render(tmp_path / "xor.html", title="XOR"))
    assert p.errors == [] and p.dialogs == []
    assert p.requests == [(tmp_path / "xor.html").resolve().as_uri()]  # nothing else loads
    text = (tmp_path / "xor.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<script src" not in text and "<link" not in text
    assert p.page.title() == "XOR"
    G = net.graph
    for n in ("h0", "h2", "o0"):
        lines = p.tooltip_of(f'[data-n="{list(G).index(n)}"] .shape')
        assert lines[0] == n
        assert number(lines, "bias") == G.nodes[n]["bias"]  # every digit
        assert f"activation {G.nodes[n]['activation']}" in lines
    edges = list(zip(page_data(net)["synapses"]["source"], page_data(net)["synapses"]["target"],
                     strict=True))
    names = list(G)
    for k in (0, 4, 8):
        u, v = names[edges[k][0]], names[edges[k][1]]
        lines = p.tooltip_of(f'[data-s="{k}"] .syn')
        assert lines[0] == f"{u} \u2192 {v}"
        assert number(lines, "weight") == G[u][v]["weight"]


def test_value_view_typed_into_the_page_equals_activate(opened, tmp_path):
    net = xor_net()
    p = opened(net.render(tmp_path / "xor.html"))
    for x in ([1, 0], [0.25, -3.5]):
        for k, v in enumerate(x):
            p.page.fill(f'[data-input="{k}"]', str(v))
        p.page.click("#run")
        shown = float(p.page.get_attribute("#outputs td[data-value]", "data-value"))
        assert abs(shown - net.activate(x)[0]) <= 1e-12
        # hovering a neuron now shows its sum and output, every digit
        lines = p.tooltip_of('[data-n="3"] .shape')  # h1
        G = net.graph
        total = G.nodes["h1"]["bias"] + sum(G[u]["h1"]["weight"] * x[i]
                                            for i, u in enumerate(("i0", "i1")))
        assert abs(number(lines, "sum") - total) <= 1e-12
        assert p.page.locator(".neuron .value").count() == 6  # values on the drawing
    assert p.errors == []


def test_an_invalid_input_clears_the_outputs_and_names_the_value(opened, tmp_path):
    net = xor_net()
    p = opened(net.render(tmp_path / "xor.html"))
    pg = p.page
    pg.fill('[data-input="0"]', "1")
    pg.fill('[data-input="1"]', "0")
    pg.click("#run")
    assert pg.locator("#outputs td[data-value]").count() == 1
    assert pg.locator(".neuron .value").count() == 6
    # typing a value that is not a number clears what the old input gave, at once
    pg.fill('[data-input="1"]', "0.5x")
    assert pg.locator("#outputs td[data-value]").count() == 0
    assert pg.locator(".neuron .value").count() == 0
    assert pg.inner_text("#value-note") == 'input i1: "0.5x" is not a number'
    # and Run with it shows nothing but the message
    pg.click("#run")
    assert pg.locator("#outputs td[data-value]").count() == 0
    assert pg.inner_text("#value-note") == 'input i1: "0.5x" is not a number'
    pg.fill('[data-input="1"]', "")  # an empty box is no number either
    pg.click("#run")
    assert pg.inner_text("#value-note") == 'input i1: "" is not a number'
    pg.fill('[data-input="1"]', "1")  # a good input shows the outputs again
    pg.click("#run")
    shown = float(pg.get_attribute("#outputs td[data-value]", "data-value"))
    assert abs(shown - net.activate([1, 1])[0]) <= 1e-12
    assert p.errors == []


def test_many_inputs_in_one_box_say_how_many_are_wrong(opened, tmp_path):
    net = Perceptron(30, 2, 1, seed=0)
    p = opened(net.render(tmp_path / "wide.html"))
    pg = p.page
    pg.fill("#input-list", ", ".join(["0.5"] * 30))
    pg.click("#run")
    assert pg.locator("#outputs td[data-value]").count() == 1
    pg.fill("#input-list", ", ".join(["0.5"] * 29))
    assert pg.locator("#outputs td[data-value]").count() == 0
    assert pg.inner_text("#value-note") == "type 30 numbers, separated by commas (got 29)"
    assert p.errors == []


def test_expand_all_draws_every_synapse_of_a_784_128_10_network(opened, tmp_path):
    # (how long it takes is measured in benchmarks/bench_page.py, not asserted here)
    net = Perceptron(784, 128, 10, seed=0)
    p = opened(net.render(tmp_path / "mnist.html"))
    pg = p.page
    assert pg.locator(".layer-node").count() == 3  # it opens collapsed
    pg.click("#expand-all")
    assert pg.locator(".neuron").count() == 922 and pg.locator(".layer-node").count() == 0
    assert pg.eval_on_selector_all("[data-layer-button]", "(bs) => bs.map((b) => "
                                   "b.getAttribute('aria-expanded'))") == ["true"] * 3
    # drawn in bulk: a few paths, together holding every synapse once
    counts = pg.eval_on_selector_all(".syn.batch", "(ps) => ps.map((p) => "
                                     "[Number(p.dataset.count), p.getAttribute('d')])")
    assert 0 < len(counts) <= 100
    assert sum(c for c, _ in counts) == net.graph.number_of_edges() == 784 * 128 + 128 * 10
    assert sum(d.count("M") for _, d in counts) == net.graph.number_of_edges()
    G, names = net.graph, list(net.graph)
    S = page_data(net)["synapses"]
    h5 = names.index("h5")
    # a clicked neuron's synapses are drawn one by one above, each with its own details
    pg.fill("#search", "h5")
    pg.press("#search", "Enter")  # centres the first match, h5
    pg.fill("#search", "")
    pg.click(f'[data-n="{h5}"] .shape', force=True)
    lit = sorted(int(e) for e in pg.eval_on_selector_all(
        ".synapse.hl", "(gs) => gs.map((g) => g.dataset.s)"))
    touching = [e for e, (a, b) in enumerate(zip(S["source"], S["target"], strict=True))
                if h5 in (a, b)]
    assert lit == touching and len(touching) == 784 + 10
    assert pg.locator(".syn.batch.dim").count() == len(counts)
    # hover one whose middle is on the screen (most run thousands of pixels off it)
    e, x, y = pg.evaluate("""() => {
        for (const g of document.querySelectorAll('.synapse.hl')) {
          const r = g.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
          const at = document.elementFromPoint(x, y);
          if (at !== null && at.closest('.synapse') === g) return [Number(g.dataset.s), x, y];
        } }""")
    pg.mouse.move(x, y)
    assert pg.locator("#tooltip").is_visible()
    lines = [line for line in pg.inner_text("#tooltip").splitlines() if line]
    u, v = names[S["source"][e]], names[S["target"][e]]
    assert lines[0] == f"{u} \u2192 {v}" and number(lines, "weight") == G[u][v]["weight"]
    pg.mouse.click(5, 400)  # the background clears it
    assert pg.locator(".synapse.hl").count() == 0 and pg.locator(".syn.batch.dim").count() == 0
    # force: skip Playwright's wait for two quiet frames, which repainting a hundred
    # thousand curves in software on a busy machine can outlast
    pg.click("#collapse-all", force=True)
    assert pg.locator(".layer-node").count() == 3 and pg.locator(".syn.batch").count() == 0
    assert p.errors == []


@pytest.mark.parametrize("layout", ["dot", "layered"])
def test_in_page_forward_pass_equals_activate_for_every_activation(opened, tmp_path, layout):
    rng = np.random.default_rng(5)
    net = Network.from_graph(random_dag(rng, 4, 14, 3, activations=ALL))
    p = opened(net.render(tmp_path / "dag.html", layout=layout))
    X = rng.normal(0, 2, size=(20, 4))
    Y = p.page.evaluate("(X) => X.map((x) => window.netgraph.activate(x))", X.tolist())
    np.testing.assert_allclose(Y, net.activate(X), rtol=0, atol=1e-12)
    assert p.errors == []
    assert page_data(net, layout=layout)["layout"] == layout


@pytest.mark.parametrize("make", ["lstm", "random"])
def test_in_page_steps_of_a_recurrent_net_equal_activate(opened, tmp_path, make):
    rng = np.random.default_rng(9)
    net = LSTM(2, 4, 1, seed=3) if make == "lstm" else Network.from_graph(
        random_recurrent(rng, 3, 8, 2))
    p = opened(net.render(tmp_path / "rec.html"))
    X = rng.normal(size=(6, len(net.inputs)))
    fresh = net.copy()
    expected = fresh.activate(X)  # a sequence: one step per row
    got = p.page.evaluate("(X) => X.map((x) => window.netgraph.activate(x))", X.tolist())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    p.page.click("#reset")  # from a cleared state again, through the page's buttons
    for k, v in enumerate(X[0]):
        p.page.fill(f'[data-input="{k}"]', repr(float(v)))
    p.page.click("#run")
    shown = [float(v) for v in p.page.eval_on_selector_all(
        "#outputs td[data-value]", "(tds) => tds.map((td) => td.dataset.value)")]
    np.testing.assert_allclose(shown, expected[0], rtol=0, atol=1e-12)
    assert "Step 1" in p.page.inner_text("#value-note")
    assert p.errors == []


def test_click_search_collapse_pan_and_zoom(opened, tmp_path):
    net = Perceptron(3, 5, 2, seed=2)
    p = opened(net.render(tmp_path / "net.html", layout="layered"))
    pg = p.page
    names = list(net.graph)
    h2 = names.index("h2")
    pg.click(f'[data-n="{h2}"] .shape', force=True)
    lit = pg.eval_on_selector_all(".synapse.hl", "(gs) => gs.map((g) => g.dataset.s)")
    S = page_data(net)["synapses"]
    touching = [str(e) for e, (a, b) in enumerate(zip(S["source"], S["target"], strict=True))
                if h2 in (a, b)]
    assert sorted(lit) == sorted(touching) and len(touching) == 3 + 2
    assert pg.locator(".synapse.dim").count() == net.graph.number_of_edges() - 5
    pg.mouse.click(5, 400)  # the background clears it
    assert pg.locator(".synapse.dim").count() == 0

    pg.fill("#search", "h")
    assert pg.inner_text("#search-count") == "5 matches"
    assert pg.locator(".neuron.match").count() == 5
    pg.fill("#search", "o1")
    assert pg.inner_text("#search-count") == "1 match"

    pg.click('[data-layer-button="1"]')  # collapse hidden0
    assert pg.locator(".neuron").count() == 5 and pg.locator(".layer-node").count() == 1
    # one edge per pair of drawn nodes: each input to the layer, the layer to each output
    assert pg.locator(".synapse-group").count() == 3 + 2
    lines = p.tooltip_of(".synapse-group .syn >> nth=0")
    assert lines[:2] == ["i0 \u2192 layer hidden0", "5 synapses"]
    pg.click('[data-layer-button="1"]')
    assert pg.locator(".neuron").count() == 10 and pg.locator(".layer-node").count() == 0

    def transform():
        return pg.get_attribute("#viewport", "transform")

    before = transform()
    pg.mouse.move(400, 400)
    pg.mouse.wheel(0, -300)
    zoomed = transform()
    scale = lambda t: float(re.search(r"scale\(([0-9.e-]+)\)", t).group(1))  # noqa: E731
    assert scale(zoomed) > scale(before) * 1.2
    pg.mouse.move(300, 300)
    pg.mouse.down()
    pg.mouse.move(420, 350, steps=4)
    pg.mouse.up()
    (tx, ty), (tx0, ty0) = (map(float, re.search(r"translate\(([^,]+),([^)]+)\)", t).groups())
                            for t in (transform(), zoomed))
    assert (round(tx - tx0), round(ty - ty0)) == (120, 50)
    assert p.errors == []


def test_large_networks_open_collapsed(opened, tmp_path):
    net = Perceptron(300, 20, 4, seed=1)
    p = opened(net.render(tmp_path / "big.html"))
    assert p.page.locator(".layer-node").count() == 3 and p.page.locator(".neuron").count() == 0
    assert page_data(net)["layout"] == "layered"  # no dot run for a collapsed network
    p.page.click("#expand-all")
    assert p.page.locator(".neuron").count() == 324
    X = np.random.default_rng(1).normal(size=(3, 300))
    Y = p.page.evaluate("(X) => X.map((x) => window.netgraph.activate(x))", X.tolist())
    np.testing.assert_allclose(Y, net.activate(X), rtol=0, atol=1e-12)
    assert p.errors == []


def test_page_works_without_graphviz(opened, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    net = LSTM(2, 3, 1, seed=1)
    assert page_data(net)["layout"] == "layered"
    p = opened(net.render(tmp_path / "lstm.html"))
    assert p.errors == []
    assert p.page.locator(".neuron").count() == net.graph.number_of_nodes()
    from netgraph import GraphvizNotFoundError

    with pytest.raises(GraphvizNotFoundError):
        net.render(tmp_path / "x.html", layout="dot")


def test_ids_and_titles_are_shown_as_text_never_run(opened, tmp_path):
    evil = "</script><script>alert(1)</script>"
    G = nx.DiGraph()
    G.add_node(evil, role="input", layer="<b>in</b>", bias=0.0, activation="identity")
    G.add_node("x\u2028y", role="input", layer="in&amp;", bias=0.0, activation="identity")
    G.add_node(("tu", "ple"), role="output", layer="out", bias=0.5, activation="tanh")
    G.add_edge(evil, ("tu", "ple"), weight=0.25)
    G.add_edge("x\u2028y", ("tu", "ple"), weight=-1.5)
    net = Network.from_graph(G)
    text = page(net, title=evil)
    body = text.split('id="netgraph-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    p = opened(net.render(tmp_path / "evil.html", title=evil))
    assert p.dialogs == [] and p.errors == []
    assert p.page.inner_text("#title") == evil
    assert p.page.title() == evil
    assert p.tooltip_of('[data-n="0"] .shape')[0] == evil
    assert "layer <b>in</b> (input)" in p.tooltip_of('[data-n="0"] .shape')
    y = p.page.evaluate("() => window.netgraph.activate([2, 1])")
    assert abs(y[0] - net.activate([2, 1])[0]) <= 1e-12


def test_page_options_are_checked(tmp_path):
    net = xor_net()
    with pytest.raises(TypeError, match="'dpi' does not apply to an HTML page"):
        net.render(tmp_path / "x.html", dpi=100)
    with pytest.raises(ValueError, match="layout must be one of"):
        net.render(tmp_path / "x.html", layout="circle")
    with pytest.raises(TypeError, match="layout applies to HTML pages only"):
        net.render(tmp_path / "x.svg", layout="dot")
    with pytest.raises(ValueError, match="2 inputs, got 1"):
        net.render(tmp_path / "x.html", input=[1])
    assert list(tmp_path.iterdir()) == []
    data = page_data(net, input=[1, 0.5])
    assert data["input"] == [1.0, 0.5]
    assert json.loads(json.dumps(data)) == data


def test_cli_writes_the_page(opened, tmp_path):
    net = xor_net()
    net.save(tmp_path / "net.json")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "netgraph", "render", str(tmp_path / "net.json"),
                          "-o", str(tmp_path / "net.html"), "--title", "From the CLI",
                          "--input", "1,0"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    p = opened(tmp_path / "net.html")
    assert p.page.inner_text("#title") == "From the CLI"
    assert p.page.input_value('[data-input="0"]') == "1"
    assert p.errors == []
