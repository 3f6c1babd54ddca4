"""Memory blocks on the HTML page, in headless Chromium: readable at first sight.

An LSTM's page once opened as a tall, thin tangle in a third of the canvas. Now each
memory block (a cell with its gates) is one unit, shut by default above a few blocks,
and the first view fits the canvas. Measured in the browser: no text on text (the
boxes of every drawn text), everything inside the canvas, the drawing filling it,
no console error; and a shut block opens on a click without overlapping its
neighbours.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from browser import chromium

from netgraph._page import FEW_BLOCKS, page_data, write_page
from netgraph.architect import GRU, LSTM

MEASURE = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; };
  const canvas = document.getElementById("canvas");
  const texts = [...canvas.querySelectorAll("text")].filter((t) => t.textContent.trim() !== "")
    .map((t) => ({ text: t.textContent, box: box(t) }));
  const drawn = [...canvas.querySelectorAll(".neuron, .layer-node, .block-node, .box")].map(box);
  return { canvas: box(canvas), texts, drawn,
           neurons: canvas.querySelectorAll(".neuron").length,
           blocks: canvas.querySelectorAll(".block-node").length,
           open: canvas.querySelectorAll(".block-box").length };
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def overlap(a: list[float], b: list[float]) -> float:
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.netgraph !== undefined")
    return page, errors


def check_readable(found: dict) -> None:
    clashes = []
    for a, b in itertools.combinations(found["texts"], 2):
        pad_a = (a["box"][3] - a["box"][1]) * 0.1
        pad_b = (b["box"][3] - b["box"][1]) * 0.1
        ba = [a["box"][0], a["box"][1] + pad_a, a["box"][2], a["box"][3] - pad_a]
        bb = [b["box"][0], b["box"][1] + pad_b, b["box"][2], b["box"][3] - pad_b]
        if overlap(ba, bb) > 0.5:
            clashes.append(f"{a['text']!r} on {b['text']!r}")
    assert clashes == []
    left, top, right, bottom = found["canvas"]
    boxes = found["drawn"] + [t["box"] for t in found["texts"]]
    for x0, y0, x1, y1 in boxes:
        assert left - 0.5 <= x0 and x1 <= right + 0.5 and top - 0.5 <= y0 and y1 <= bottom + 0.5
    # the first view uses the canvas: not a thin strip in a third of it
    width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    height = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    assert width >= 0.6 * (right - left) or height >= 0.6 * (bottom - top), (width, height)


@pytest.mark.parametrize(("shape", "rankdir"), [((2, 4, 1), "LR"), ((10, 30, 10), "LR"),
                                               ((2, 4, 1), "TB"), ((3, 8, 2), "BT")])
def test_lstm_page_opens_readable_and_inside_the_canvas(browser, tmp_path, shape, rankdir):
    net = LSTM(*shape, seed=1)
    path = write_page(net, tmp_path / "lstm.html", rankdir=rankdir)
    page, errors = open_page(browser, path)
    found = page.evaluate(MEASURE)
    blocks = shape[1]
    if blocks > FEW_BLOCKS:
        assert found["blocks"] == blocks and found["open"] == 0
        assert found["neurons"] == shape[0] + shape[2]
    else:
        assert found["blocks"] == 0 and found["open"] == blocks
        assert found["neurons"] == net.graph.number_of_nodes()
    check_readable(found)
    assert errors == []
    page.close()


def test_a_shut_block_opens_in_place(browser, tmp_path):
    net = LSTM(10, 30, 10, seed=1)
    path = write_page(net, tmp_path / "lstm.html")
    page, errors = open_page(browser, path)
    before = page.evaluate(MEASURE)
    page.click(".block-node[data-block='7']")
    after = page.evaluate(MEASURE)
    assert after["blocks"] == 29 and after["open"] == 1
    assert after["neurons"] == before["neurons"] + 4
    check_readable(after)
    # the block's details name its cell and its three gates
    data = page_data(net)
    members = {data["neurons"][k]["id"] for k in data["blocks"][7]["members"]}
    page.click("[data-block-button='7']")  # shut it again, from the panel
    page.hover(".block-node[data-block='7']", force=True)
    tip = page.locator("#tooltip").inner_text()
    assert all(m in tip for m in members)
    assert errors == []
    page.close()


def test_gru_page_groups_each_unit(browser, tmp_path):
    net = GRU(2, 3, 1, seed=1)
    data = page_data(net)
    assert [len(b["members"]) for b in data["blocks"]] == [6, 6, 6]
    path = write_page(net, tmp_path / "gru.html")
    page, errors = open_page(browser, path)
    found = page.evaluate(MEASURE)
    assert found["open"] == 3
    check_readable(found)
    assert errors == []
    page.close()
