"""Taking a network out of netgraph: ONNX, PyTorch, and code that needs no library.

    python examples/export_anywhere.py [output folder]   # default: out/

1. A 2-4-1 network learns XOR in netgraph, then leaves as
   - ``xor.onnx`` (``netgraph.interop.to_onnx``), run here by onnxruntime;
   - ``xor.py``, ``xor.js`` and ``xor.c`` (``to_python``, ``to_javascript``, ``to_c``):
     standalone code; the Python one is run here, the others are ready for Node and a
     C compiler (``gcc xor.c main.c -lm``).
2. The same network goes to PyTorch (``to_torch``), trains further there with Adam,
   and comes back (``load_torch_state``).
3. An LSTM (recurrent, gated) leaves as a one-step ONNX model, ``lstm_step.onnx``: a
   loop feeding each step's state into the next reproduces ``net.activate`` over a
   sequence.

Each step prints the largest difference from netgraph's own outputs.
Needs the extras: ``pip install 'netgraph-nn[onnx,torch]'``.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np

from netgraph.architect import LSTM, Perceptron
from netgraph.interop import (
    load_torch_state,
    state_layout,
    to_c,
    to_javascript,
    to_onnx,
    to_python,
    to_torch,
)

XOR_IN = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_OUT = np.array([[0.0], [1.0], [1.0], [0.0]])


def main(out: Path) -> None:
    import onnxruntime as ort
    import torch

    out.mkdir(parents=True, exist_ok=True)
    net = Perceptron(2, 4, 1, seed=3)
    net.train(XOR_IN, XOR_OUT, rate=0.5, iterations=20_000, error=0.002, seed=0)
    ours = net.activate(XOR_IN)
    print("netgraph XOR outputs:", np.round(ours[:, 0], 3).tolist())

    # 1. ONNX, run by onnxruntime; standalone Python (JavaScript and C are written too)
    to_onnx(net, out / "xor.onnx")
    session = ort.InferenceSession((out / "xor.onnx").read_bytes())
    theirs = session.run(None, {"input": XOR_IN})[0]
    print(f"onnxruntime:  max |difference| {np.abs(theirs - ours).max():.1e}")
    (out / "xor.py").write_text(to_python(net))
    (out / "xor.js").write_text(to_javascript(net))
    (out / "xor.c").write_text(to_c(net))
    standalone = runpy.run_path(str(out / "xor.py"))  # needs nothing but math
    py = np.array([standalone["activate"](list(x)) for x in XOR_IN])
    print(f"xor.py:       max |difference| {np.abs(py - ours).max():.1e}")

    # 2. to PyTorch, train there, and back
    module = to_torch(net)
    opt = torch.optim.Adam(module.parameters(), lr=0.01)
    X, T = torch.tensor(XOR_IN), torch.tensor(XOR_OUT)
    before = ((module(X) - T) ** 2).mean().item()
    for _ in range(200):
        opt.zero_grad()
        loss = ((module(X) - T) ** 2).mean()
        loss.backward()
        opt.step()
    load_torch_state(net, module)
    after = net.test(XOR_IN, XOR_OUT)
    back = np.abs(net.activate(XOR_IN) - module(X).detach().numpy()).max()
    print(f"PyTorch:      mse {before:.2e} -> {after:.2e} after 200 Adam steps; "
          f"back in netgraph, max |difference| {back:.1e}")

    # 3. a recurrent network as a one-step ONNX model with explicit state
    lstm = LSTM(1, 4, 1, seed=1)
    to_onnx(lstm, out / "lstm_step.onnx")
    step = ort.InferenceSession((out / "lstm_step.onnx").read_bytes())
    layout = state_layout(lstm)
    n, g = len(layout.neurons), len(layout.gated)
    state = {"state": np.zeros((1, n)), "activation": np.zeros((1, n)), "gain": np.ones((1, g))}
    sequence = np.sin(np.arange(20) / 3.0).reshape(-1, 1)
    outputs = []
    for x in sequence:
        output, s, y, gain = step.run(
            ["output", "next_state", "next_activation", "next_gain"],
            {"input": x[None], **state})
        state = {"state": s, "activation": y, "gain": gain}
        outputs.append(output[0])
    expected = lstm.activate(sequence)
    print(f"LSTM step model, {len(sequence)} steps in onnxruntime: max |difference| "
          f"{np.abs(np.array(outputs) - expected).max():.1e}")
    print(f"wrote {', '.join(sorted(p.name for p in out.iterdir()))} in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out"))
