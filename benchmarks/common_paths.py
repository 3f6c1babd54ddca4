"""The paths a new user runs first, in one process: benchmarks/cold_start.py times it right
after a fresh install against later runs. Perceptron activate/propagate calls and online
training, Adam in minibatches, a gradient, an LSTM activated and trained, a diagram.

    python common_paths.py OUT_FOLDER
"""

import sys
from pathlib import Path

import numpy as np

from netgraph.architect import LSTM, Perceptron

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
rng = np.random.default_rng(0)

net = Perceptron(2, 3, 1, seed=1)
for _ in range(250):
    for x, t in XOR:
        net.activate(x)
        net.propagate(0.3, t)
net.train(XOR, rate=0.3, iterations=2000, error=0)

X, T = rng.uniform(-1, 1, (256, 8)), rng.uniform(0, 1, (256, 3))
mlp = Perceptron(8, 16, 3, seed=2)
mlp.train(X, T, optimizer="adam", rate=0.01, batch_size=32, iterations=20, error=0)
g = mlp.gradient(X[:32], T[:32])

lstm = LSTM(2, 4, 1, seed=3)
seq = rng.uniform(0, 1, (50, 2))
lstm.activate(seq)
lstm.train([(x, [x[0]]) for x in seq], rate=0.1, iterations=20, error=0)

net.render(out / "common_paths.svg")
print(f"{net.activate([0, 1])[0]:.4f} {float(np.abs(g.weights).sum()):.4f} "
      f"{lstm.activate([0.5, 0.5])[0]:.4f}")
