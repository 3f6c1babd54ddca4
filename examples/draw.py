"""Every kind of picture netgraph draws, from the seed's XOR net and two larger ones.

    python examples/draw.py [output folder]        # default: out/
    python examples/draw.py docs --screenshot      # the README's pictures (docs/)

Writes:

- ``xor.svg``, ``xor.png``: the 2-3-1 XOR net after Synaptic's 20,000 training passes
  (rate 0.3, seed 1), weights on the synapses and biases in the neurons; the same
  picture ``bash scripts/xor`` draws.
- ``xor_values.svg``: the value view for the input [1, 0]: each neuron's bias, sum
  and output, each synapse's weight x value = contribution.
- ``xor_learning.svg``: the propagate view: what ``propagate(0.3, [0])`` would change
  after the input [1, 0] (each neuron's error and bias change, each synapse's weight
  change).
- ``mid.svg``: a trained 10-16-3 network (208 synapses): colour and width only,
  the numbers in tooltips, within 2,000 x 2,000 pt.
- ``lstm.svg``: an LSTM(2, 7, 1): gates as diamonds, memory cells as octagons,
  each layer in a labelled box.
- ``xor.html``: the page to explore the XOR net in a browser (no network access).
- ``xor_training.html``: a page replaying the XOR net's training with a slider.
- with ``--screenshot``: ``xor_page.png``, the page in headless Chromium (needs
  Debian's chromium and the ``playwright`` package from the ``test`` extra).

Pictures other than the pages need Graphviz's ``dot``; without it the script says
what to install and writes the pages only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import netgraph
from netgraph import GraphvizNotFoundError, Layer, Network
from netgraph.architect import LSTM, Perceptron

SAMPLES = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
EPOCHS = 20_000
RATE = 0.3
SEED = 1  # seeds 0 and 7 end in a local minimum; 1 learns XOR
#: what examples/xor.py (bash scripts/xor) draws too: docs/xor.svg is that picture
XOR_OPTIONS = {"title": f"XOR 2-3-1 after {EPOCHS:,} epochs (rate {RATE}, seed {SEED})",
               "biases": True}


def seed_net() -> Network:
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    return Network(input=inp, hidden=[hid], output=out, seed=SEED)


def train() -> Network:
    """The seed tutorial's loop, call by call."""
    net = seed_net()
    for _ in range(EPOCHS):
        for x, t in SAMPLES:
            net.activate(x)
            net.propagate(RATE, t)
    return net


def mid_net() -> Network:
    """A 10-16-3 net trained briefly on three linear rules of ten inputs."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(200, 10))
    rules = rng.normal(size=(10, 3))
    T = (X @ rules > 0).astype(float)
    net = Perceptron(10, 16, 3, seed=3)
    net.train(X, T, rate=0.1, iterations=300, error=0)
    return net


def screenshot(page: Path, picture: Path) -> Path:
    """The page after a forward pass for [1, 0], hovering o0, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1100, "height": 640})
        tab.goto(page.resolve().as_uri())
        tab.fill('[data-input="0"]', "1")
        tab.fill('[data-input="1"]', "0")
        tab.click("#run")
        tab.hover('[data-n="5"] .shape', force=True)
        tab.screenshot(path=str(picture))
        browser.close()
    return picture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("out"),
                        help="folder for the pictures (default: out/)")
    parser.add_argument("--out", type=Path, help="the same as FOLDER (older spelling)")
    parser.add_argument("--screenshot", action="store_true",
                        help="also take a screenshot of the page (needs chromium, playwright)")
    args = parser.parse_args(argv)
    out: Path = args.out or args.folder
    out.mkdir(parents=True, exist_ok=True)

    net = train()
    for x, t in SAMPLES:
        print(f"{x} -> {net.activate(x)[0]:.4f} (target {t[0]})")
    # pages need no Graphviz
    print("wrote", net.render(out / "xor.html", title="XOR 2-3-1, trained", input=[1, 0]))
    recorded = seed_net()
    result = recorded.train(SAMPLES, rate=RATE, iterations=EPOCHS, error=0, record_every=1)
    print("wrote", netgraph.render_training(recorded, result, out / "xor_training.html",
                                            title="XOR 2-3-1 learning, 20,000 epochs"))
    if args.screenshot:
        print("wrote", screenshot(out / "xor.html", out / "xor_page.png"))
    try:
        print("wrote", net.render(out / "xor.svg", **XOR_OPTIONS))
        print("wrote", net.render(out / "xor.png", dpi=96, **XOR_OPTIONS))
        print("wrote", net.render(out / "xor_values.svg", input=[1, 0],
                                  title="What each neuron computes for the input [1, 0]"))
        print("wrote", net.render(out / "xor_learning.svg", input=[1, 0], target=[0], rate=RATE,
                                  title="What propagate(0.3, [0]) would change after [1, 0]"))
        print("wrote", mid_net().render(out / "mid.svg", title="A 10-16-3 network, trained"))
        print("wrote", LSTM(2, 7, 1, seed=1).render(out / "lstm.svg", title="LSTM(2, 7, 1)"))
    except GraphvizNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
