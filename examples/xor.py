"""The seed tutorial: Synaptic's 2-3-1 XOR network, in netgraph.

Synaptic.js::

    var inputLayer = new Layer(2), hiddenLayer = new Layer(3), outputLayer = new Layer(1);
    inputLayer.project(hiddenLayer);
    hiddenLayer.project(outputLayer);
    var myNetwork = new Network({input: inputLayer, hidden: [hiddenLayer], output: outputLayer});
    for (var i = 0; i < 20000; i++) {
        myNetwork.activate([0,0]); myNetwork.propagate(.3, [0]);
        ...
    }

Run it with ``bash scripts/xor`` (or ``python examples/xor.py [output folder]``): it trains
the net, prints the four outputs, checks they round to XOR, saves the net as JSON,
reloads it, checks the reloaded net gives the same outputs, and draws the diagram.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from netgraph import GraphvizNotFoundError, Layer, Network

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def main(out: Path) -> None:
    input_layer, hidden_layer, output_layer = Layer(2), Layer(3), Layer(1)
    input_layer.project(hidden_layer)
    hidden_layer.project(output_layer)
    net = Network(input=input_layer, hidden=[hidden_layer], output=output_layer, seed=1)

    # The tutorial's loop, call by call. (net.train(XOR, rate=0.3, iterations=20000, error=0)
    # does exactly the same in compiled code, ~50x faster.)
    for _ in range(20000):
        for x, t in XOR:
            net.activate(x)
            net.propagate(0.3, t)

    outputs = net.activate([x for x, _ in XOR]).ravel()
    for (x, t), y in zip(XOR, outputs, strict=True):
        print(f"{x} -> {y:.6f}  (target {t[0]})")
    assert [round(y) for y in outputs] == [t[0] for _, t in XOR], "outputs do not round to XOR"
    print("the outputs round to XOR")

    out.mkdir(parents=True, exist_ok=True)
    path = net.save(out / "xor.json")
    again = Network.load(path)
    np.testing.assert_array_equal(again.activate([x for x, _ in XOR]).ravel(), outputs)
    print(f"saved {path} and reloaded it: identical outputs")

    # the README's picture (docs/xor.svg) is this drawing; a test redraws and compares it
    options = {"title": "XOR 2-3-1 after 20,000 epochs (rate 0.3, seed 1)", "biases": True}
    try:
        for suffix in (".svg", ".png"):
            print(f"drew {again.render(out / f'xor{suffix}', **options)}")
    except GraphvizNotFoundError as e:
        dot = out / "xor.dot"
        dot.write_text(again.to_dot(**options))
        print(f"wrote {dot} (Graphviz is not installed, so no picture): {e}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
