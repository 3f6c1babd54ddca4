"""Train the 2-3-1 XOR network and draw it: SVG for the web, PNG for everything else.

    python examples/draw.py [output folder]  # default: out/
    python examples/draw.py docs             # the pictures in docs/ (xor.svg, xor.png)

Training is Synaptic's classic loop (activate, then propagate at rate 0.3), 20,000
passes over the four samples, with a fixed seed: the picture is the same every run.
Rendering needs Graphviz's ``dot``; without it the script says what to install and
writes the DOT source (xor.dot) instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netgraph import GraphvizNotFoundError, Layer, Network

SAMPLES = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
EPOCHS = 20_000
RATE = 0.3
SEED = 1  # seeds 0 and 7 end in a local minimum; 1 learns XOR


def train() -> Network:
    inp, hid, out = Layer(2), Layer(3), Layer(1)
    inp.project(hid)
    hid.project(out)
    net = Network(input=inp, hidden=[hid], output=out, seed=SEED)
    for _ in range(EPOCHS):
        for x, t in SAMPLES:
            net.activate(x)
            net.propagate(RATE, [t])
    return net


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("out"),
                        help="folder for xor.svg and xor.png (default: out/)")
    parser.add_argument("--out", type=Path, help="the same as FOLDER (older spelling)")
    args = parser.parse_args(argv)
    args.out = args.out or args.folder
    args.out.mkdir(parents=True, exist_ok=True)

    net = train()
    for x, t in SAMPLES:
        print(f"{x} -> {net.activate(x)[0]:.4f} (target {t})")
    options = {"title": f"XOR 2-3-1 after {EPOCHS:,} epochs (rate {RATE}, seed {SEED})",
               "biases": True}
    try:
        print("wrote", net.render(args.out / "xor.svg", **options))
        print("wrote", net.render(args.out / "xor.png", dpi=96, **options))
    except GraphvizNotFoundError as e:
        print(e, file=sys.stderr)
        print("wrote", net.render(args.out / "xor.dot", **options), "instead")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
