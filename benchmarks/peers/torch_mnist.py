"""PyTorch CPU peer: 784-128-10 sigmoid MLP, float64, minibatch SGD on random data.

nn.Sequential(Linear(784, 128), Sigmoid(), Linear(128, 10), Sigmoid()), MSE loss, SGD with
batch size 32. One warm-up epoch, then the best of a few timed epochs; reports samples/s.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs (best is reported)")
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = torch.float64

    x = torch.rand(args.samples, 784, dtype=dtype)
    labels = torch.randint(0, 10, (args.samples,))
    y = torch.nn.functional.one_hot(labels, 10).to(dtype)

    model = nn.Sequential(nn.Linear(784, 128), nn.Sigmoid(), nn.Linear(128, 10), nn.Sigmoid())
    model = model.to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    def epoch() -> float:
        loss = torch.zeros((), dtype=dtype)
        for start in range(0, args.samples, args.batch):
            xb = x[start : start + args.batch]
            yb = y[start : start + args.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return float(loss.detach())

    epoch()  # warm-up
    rates = []
    last_loss = float("nan")
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        last_loss = epoch()
        rates.append(args.samples / (time.perf_counter() - t0))

    print(
        json.dumps(
            {
                "peer": "torch",
                "version": torch.__version__,
                "task": "mnist_minibatch",
                "threads": torch.get_num_threads(),
                "dtype": "float64",
                "samples": args.samples,
                "batch": args.batch,
                "lr": args.lr,
                "epochs": args.epochs,
                "samples_per_s": max(rates),
                "samples_per_s_all": rates,
                "final_loss": last_loss,
            }
        )
    )


if __name__ == "__main__":
    main()
