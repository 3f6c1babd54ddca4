"""The one seam between the network and its fast paths.

Batches travel in column layout, one row per neuron and one column per sample
(``S``, ``Y``, ``DY`` of shape (n_neurons, n_samples)), so that:
- a layered plan (``Plan.blocks``) large enough to pay for numpy's call overhead
  runs each layer pair as one BLAS matrix product over the graph's own weights;
- any other graph runs the numba kernels, whose per-synapse loops then stride
  over samples at unit stride.
Single samples and small nets stay in the numba row kernels (``_kernels``).
Every path here is tested against the reference evaluator (``_reference``).
"""

from __future__ import annotations

import numpy as np

from ._activations import ACTIVATIONS
from ._compile import Plan
from ._costs import Cost

# Below this many synapses numpy's per-call overhead outweighs BLAS (measured on the
# 784-128-10 and 2-3-1 benchmarks; see benchmarks/).
DENSE_MIN_SYNAPSES = 4096
_BY_CODE = list(ACTIVATIONS.values())


def dense(plan: Plan) -> bool:
    """Whether batches of this plan go through BLAS, layer pair by layer pair."""
    return plan.blocks is not None and len(plan.synapses) >= DENSE_MIN_SYNAPSES


def forward(plan: Plan, Xt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Activate a batch given as ``Xt`` (n_inputs, n_samples); returns S, Y, DY."""
    n, m = len(plan.neurons), Xt.shape[1]
    S, Y, DY = np.empty((n, m)), np.empty((n, m)), np.empty((n, m))
    if not dense(plan):
        plan.kernels.forward_columns(plan.arrays, plan.n_inputs, plan.weights, plan.biases,
                                     Xt, S, Y, DY)
        return S, Y, DY
    k = plan.n_inputs
    S[:k] = Y[:k] = Xt
    DY[:k] = 0.0
    W, b = plan.weights, plan.biases
    assert plan.blocks is not None
    with np.errstate(over="ignore"):
        for blk in plan.blocks:
            nt, ns = blk.t1 - blk.t0, blk.s1 - blk.s0
            Wb = W[blk.e0:blk.e0 + nt * ns].reshape(nt, ns)
            s = S[blk.t0:blk.t1]
            s[:] = Wb @ Y[blk.s0:blk.s1]
            s += b[blk.t0:blk.t1, None]
            a = _BY_CODE[blk.code]
            Y[blk.t0:blk.t1] = a.function(s)
            DY[blk.t0:blk.t1] = a.derivative(s, Y[blk.t0:blk.t1])
    return S, Y, DY


def backward(plan: Plan, Y: np.ndarray, DY: np.ndarray, dC_dy: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """dC/dw and dC/db summed over the batch, given dC/dy (n_outputs, n_samples)."""
    D = np.zeros_like(Y)
    D[plan.output_pos] = dC_dy
    gw, gb = np.zeros(len(plan.synapses)), np.zeros(len(plan.neurons))
    if not dense(plan):
        plan.kernels.backward_columns(plan.arrays, plan.n_inputs, plan.weights, Y, DY, D, gw, gb)
        return gw, gb
    W = plan.weights
    assert plan.blocks is not None
    for blk in reversed(plan.blocks):
        nt, ns = blk.t1 - blk.t0, blk.s1 - blk.s0
        Wb = W[blk.e0:blk.e0 + nt * ns].reshape(nt, ns)
        dS = D[blk.t0:blk.t1] * DY[blk.t0:blk.t1]
        gb[blk.t0:blk.t1] = dS.sum(axis=1)
        # (matmul with out= into the flat gradient ran 10x slower than this copy)
        gw[blk.e0:blk.e0 + nt * ns] = (dS @ Y[blk.s0:blk.s1].T).ravel()
        if blk.s1 > plan.n_inputs:  # no error to pass back into the inputs
            D[blk.s0:blk.s1] += Wb.T @ dS
    return gw, gb


def gradient(plan: Plan, X: np.ndarray, T: np.ndarray, cost: Cost
             ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Mean cost over the rows of X, T and its gradient; also the outputs (rows = samples)."""
    _, Y, DY = forward(plan, np.ascontiguousarray(X.T))
    out = Y[plan.output_pos].T
    dC_dy = np.ascontiguousarray((cost.derivative(out, T) / len(X)).T)
    gw, gb = backward(plan, Y, DY, dC_dy)
    return cost.value(out, T), gw, gb, out
