"""The evolution page and charts (``netgraph.neat._pictures``), read back for real.

The page is opened in headless Chromium from its file:// URL: no console error, no
request beyond the file, stepping through generations changes the champion drawn (to
the genes recorded for that generation), hostile genome keys and species ids stay
text, and the difference view marks added, removed and disabled genes. The static
charts are parsed (SVG), decoded (PNG, by hand: zlib and the PNG layout) and counted
(PDF: one page).
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from browser import chromium

import netgraph.neat as neat
from netgraph.neat._genes import GenomeData
from netgraph.neat._pictures import (
    evolution_data,
    plot_fitness,
    plot_species,
    population_html,
    render_evolution,
)
from netgraph.neat._population import GenerationRecord

EVIL = "</script><img src=x onerror=alert(1)>&amp;\u2028"


@pytest.fixture(scope="module")
def run():
    config = neat.Config.paper(num_inputs=2, num_outputs=1, pop_size=60)
    pop = neat.Population(config, seed=5)
    pop.run(neat.tasks.XOR(), 40)
    return pop


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    log = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: log["errors"].append(m.text)
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.netgraph && window.netgraph.drawn")
    return page, log


def genes_of(g) -> set[str]:
    return {f"{i}>{o}" for i, o in zip(g.conn_in, g.conn_out, strict=True)}


def test_stepping_through_generations_draws_each_champion(run, browser, tmp_path):
    path = render_evolution(run, tmp_path / "evolution.html")
    page, log = open_page(browser, path)
    history = run.history
    seen = set()
    for k in (0, len(history) // 2, len(history) - 1):
        page.evaluate(f"window.netgraph.step({k})")
        drawn = page.evaluate("window.netgraph.drawn()")
        best = history[k].best
        assert set(drawn["genes"]) == genes_of(best)
        expected_nodes = {str(n) for n in best.node_key} | {"-1", "-2"}
        assert set(drawn["nodes"]) == expected_nodes
        seen.add(frozenset(drawn["genes"]) | frozenset(drawn["nodes"]))
    first, last = history[0].best, history[-1].best
    if genes_of(first) != genes_of(last) or list(first.node_key) != list(last.node_key):
        assert len(seen) > 1
    # the slider steps too
    page.fill("#generation", "0")
    page.dispatch_event("#generation", "input")
    assert page.evaluate("window.netgraph.generation()") == history[0].generation
    assert log["errors"] == [] and log["dialogs"] == []
    assert all(u.startswith("file://") for u in log["requests"]), log["requests"]
    page.close()


def record(generation: int, best: GenomeData, species, key) -> GenerationRecord:
    return GenerationRecord(generation=generation, evaluations=10 * (generation + 1),
                            best_fitness=float(generation), mean_fitness=generation / 2,
                            stdev_fitness=0.5, species=tuple(species), best_key=key,
                            best_size=(len(best.node_key), int(best.conn_enabled.sum())),
                            best=best)


def genome(key, conns, nodes=(0,), species=None) -> GenomeData:
    a = np.array
    return GenomeData(
        key=key, node_key=a(nodes, dtype=np.int64), node_bias=a([0.1] * len(nodes)),
        node_response=a([1.0] * len(nodes)), node_activation=a([0] * len(nodes), dtype=np.int64),
        node_aggregation=a([0] * len(nodes), dtype=np.int64),
        conn_innovation=a([c[4] for c in conns], dtype=np.int64),
        conn_in=a([c[0] for c in conns], dtype=np.int64),
        conn_out=a([c[1] for c in conns], dtype=np.int64),
        conn_weight=a([c[2] for c in conns], dtype=float),
        conn_enabled=a([c[3] for c in conns], dtype=bool), fitness=1.0, species=species)


def synthetic_run():
    """Three generations: a hidden node splits -1 -> 0 (that gene disabled), then
    -2 -> 0 is removed; species ids and genome keys are hostile strings."""
    config = neat.Config.paper(num_inputs=2, num_outputs=1, pop_size=10)
    g0 = genome(EVIL, [(-1, 0, 0.5, True, 0), (-2, 0, -0.5, True, 1)], species=EVIL)
    g1 = genome(EVIL + "1", [(-1, 0, 0.5, False, 0), (-2, 0, -0.5, True, 1),
                             (-1, 1, 1.0, True, 2), (1, 0, 1.0, True, 3)], nodes=(0, 1),
                species=EVIL)
    g2 = genome(EVIL + "2", [(-1, 0, 0.5, False, 0), (-1, 1, 1.0, True, 2),
                             (1, 0, 1.0, True, 3)], nodes=(0, 1), species="<b>s2</b>")
    history = [record(0, g0, [(EVIL, 10)], g0.key),
               record(1, g1, [(EVIL, 6), ("<b>s2</b>", 4)], g1.key),
               record(2, g2, [("<b>s2</b>", 10)], g2.key)]
    return SimpleNamespace(history=history, config=config, generation=3)


def test_hostile_keys_are_inert_and_differences_are_marked(browser, tmp_path):
    pop = synthetic_run()
    path = render_evolution(pop, tmp_path / "evil.html")
    text = path.read_text()
    assert "<img" not in text and "</script><img" not in text
    page, log = open_page(browser, path)
    assert page.locator("img").count() == 0 and page.locator("b").count() == 0
    page.evaluate("window.netgraph.step(2)")
    page.check("#diff")
    page.fill("#against", "0")
    page.dispatch_event("#against", "input")
    marked = page.evaluate("""() => Object.fromEntries(["gene-added", "gene-removed",
      "gene-disabled"].map((c) => [c, [...document.querySelectorAll("." + c)].map(
        (p) => p.parentNode.getAttribute("data-gene")).sort()]))""")
    assert marked == {"gene-added": ["-1>1", "1>0"], "gene-removed": ["-2>0"],
                      "gene-disabled": ["-1>0"]}
    assert page.locator(".node-added[data-node='1']").count() == 1
    # hovering a species names it as text and draws its best genome
    page.uncheck("#diff")
    page.dispatch_event(".species-band[data-species='1']", "mouseover")
    assert "<b>s2</b>" in page.locator("#tooltip").inner_text()
    assert set(page.evaluate("window.netgraph.drawn()")["genes"]) == {"-1>0", "-1>1", "1>0"}
    assert page.locator("#genome-note").inner_text().startswith("showing genome " + EVIL[:9])
    assert log["errors"] == [] and log["dialogs"] == []
    page.close()


def test_species_births_and_extinctions(run):
    data = evolution_data(synthetic_run())
    (first, second) = data["species"]
    assert (first["born"], first["last"], first["extinct"]) == (0, 1, True)
    assert (second["born"], second["last"], second["extinct"]) == (1, 2, False)
    assert data["sizes"] == [[10, 6, 0], [0, 4, 10]]
    # node places never move: one place per node key for the whole run
    data = evolution_data(run)
    keys = {str(k) for r in run.history for k in r.best.node_key} | {"-1", "-2"}
    assert keys <= set(data["place"])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:
                                                               pos + 12 + length])[0]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, color = header[:4]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + (width * channels * depth + 7) // 8)
    return width, height


@pytest.mark.parametrize("plot", [plot_fitness, plot_species])
def test_static_charts_read_back(run, tmp_path, plot):
    svg = plot(run, tmp_path / "chart.svg")
    root = ET.parse(svg).getroot()
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "generation" in texts
    assert ("best" in texts and "mean" in texts) if plot is plot_fitness else "species" in texts
    width, height = png_size(plot(run, tmp_path / "chart.png").read_bytes())
    assert width > 300 and height > 150
    pdf = plot(run, tmp_path / "chart.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        plot(run, tmp_path / "chart.gif")


def test_population_html_summarises(run):
    text = population_html(run)
    last = run.history[-1]
    assert f"{last.evaluations:,}" in text and "<svg" in text and "<polyline" in text
    assert str(last.best_key) in text
