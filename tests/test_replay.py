"""Training you can watch: ``record_every`` snapshots and the replay page in Chromium."""

from __future__ import annotations

import numpy as np
import pytest
from browser import chromium

import netgraph
from netgraph import InputError, Layer, Network
from netgraph.architect import Perceptron

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def seed_net() -> Network:
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    return Network(input=inp, hidden=[hid], output=out, seed=1)


def test_snapshots_are_the_weights_after_each_n_epochs():
    net = seed_net()
    before = [net.graph[u][v]["weight"] for u, v in net.graph.edges]
    result = net.train(XOR, rate=0.3, iterations=230, error=0, record_every=50)
    snaps = result.snapshots
    assert [s.iteration for s in snaps] == [0, 50, 100, 150, 200, 230]
    assert snaps[0].weights.tolist() == before and np.isnan(snaps[0].error)
    assert snaps[-1].weights.tolist() == [net.graph[u][v]["weight"] for u, v in net.graph.edges]
    assert snaps[-1].biases.tolist() == [net.graph.nodes[n]["bias"] for n in net.graph]
    for s in snaps[1:]:
        assert s.error == result.history[s.iteration - 1]
        again = seed_net()  # the same training stopped there has the same weights
        again.train(XOR, rate=0.3, iterations=s.iteration, error=0)
        assert s.weights.tolist() == [again.graph[u][v]["weight"] for u, v in s.synapses]
        assert s.biases.tolist() == [again.graph.nodes[n]["bias"] for n in s.neurons]
    assert net.train(XOR, rate=0.3, iterations=10).snapshots == []


def test_snapshots_when_training_stops_early():
    net = seed_net()
    result = net.train(XOR, rate=0.3, iterations=20000, error=0.01, record_every=400)
    assert result.stopped == "goal"
    assert result.snapshots[-1].iteration == result.iterations
    assert [s.iteration for s in result.snapshots[:-1]] == list(
        range(0, result.iterations, 400))[:len(result.snapshots) - 1]
    with pytest.raises(InputError, match="record_every"):
        net.train(XOR, iterations=5, record_every=0)
    with pytest.raises(InputError, match="record_every"):
        net.train(XOR, iterations=5, record_every=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_replay_page_of_the_seed_training(browser, tmp_path):
    net = seed_net()
    result = net.train(XOR, rate=0.3, iterations=20000, error=0, record_every=1)
    assert len(result.snapshots) == 20001
    path = netgraph.render_training(net, result, tmp_path / "xor.html", title="XOR learns")
    size = path.stat().st_size
    assert size < 2_000_000, size
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    frames = int(page.get_attribute("#frame", "max")) + 1
    assert 200 <= frames <= 400
    edges = list(net.graph.edges)

    def shown_weight(k: int) -> float:
        page.hover(f'[data-s="{k}"] .syn', force=True)
        line = [t for t in page.inner_text("#tooltip").splitlines() if t.startswith("weight ")]
        return float(line[0].split()[1])

    def stroke(k: int) -> tuple[str, str]:
        p = page.locator(f'[data-s="{k}"] .syn')
        return p.get_attribute("stroke"), p.get_attribute("stroke-width")

    assert "epoch 0 (before training)" in page.inner_text("#frame-label")
    first = [stroke(k) for k in range(len(edges))]
    for k in (0, 5):
        assert shown_weight(k) == result.snapshots[0].weights[k]
    page.fill("#frame", str(frames - 1))
    assert "epoch 20,000" in page.inner_text("#frame-label")
    last = [stroke(k) for k in range(len(edges))]
    for k, (u, v) in enumerate(edges):
        assert shown_weight(k) == net.graph[u][v]["weight"]
    assert sum(a != b for a, b in zip(first, last, strict=True)) >= 7  # colours, widths
    # the page's forward pass runs with the epoch shown: the last is the trained net
    y = page.evaluate("() => [[0, 0], [0, 1], [1, 0], [1, 1]].map(window.netgraph.activate)")
    np.testing.assert_allclose(y, net.activate([x for x, _ in XOR]), rtol=0, atol=1e-12)
    page.fill("#frame", "0")
    y0 = page.evaluate("() => window.netgraph.activate([1, 0])")
    fresh = seed_net()
    assert abs(y0[0] - fresh.activate([1, 0])[0]) <= 1e-12
    assert errors == []
    page.close()


def test_replay_needs_snapshots_of_this_network(tmp_path):
    net = seed_net()
    plain = net.train(XOR, iterations=10)
    with pytest.raises(InputError, match="record_every"):
        netgraph.render_training(net, plain, tmp_path / "x.html")
    recorded = net.train(XOR, iterations=10, record_every=5)
    other = Perceptron(2, 4, 1)
    with pytest.raises(InputError, match="other synapses"):
        netgraph.render_training(other, recorded, tmp_path / "x.html")
    with pytest.raises(ValueError, match="max_frames"):
        netgraph.render_training(net, recorded, tmp_path / "x.html", max_frames=1)
    assert list(tmp_path.iterdir()) == []
