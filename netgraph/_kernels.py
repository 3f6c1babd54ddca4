"""The compiled edge loops behind the fast path (numba, cached on disk).

Each kernel walks a Plan's arrays: neurons in topological order, each neuron's
incoming synapses contiguous (CSR). Activation codes follow the registry in
``_activations.py``; ``act``/``deriv`` restate those rules for scalars, and the
tests hold the two copies together. Weights and biases are the graph's own
arrays, updated in place.
"""

from __future__ import annotations

import math

from numba import njit

from ._activations import LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE

OUTPUT = 2


@njit(cache=True, inline="always")
def act(code, s):
    if code == 0:  # logistic; exp(-s) may overflow to inf, giving the right limit 0
        return 1.0 / (1.0 + math.exp(-s))
    if code == 1:
        return math.tanh(s)
    if code == 2:
        return s
    if code == 3:  # hlim
        return 1.0 if s > 0 else 0.0
    if code == 4:  # relu
        return s if s > 0 else 0.0
    if code == 5:  # softsign
        return s / (1.0 + abs(s))
    if code == 6:
        return math.sin(s)
    if code == 7:  # gaussian
        return math.exp(-s * s)
    if code == 8:  # bent identity
        return (math.sqrt(s * s + 1.0) - 1.0) / 2.0 + s
    if code == 9:  # bipolar
        return 1.0 if s > 0 else -1.0
    if code == 10:  # bipolar sigmoid
        return math.tanh(s / 2.0)
    if code == 11:  # hard tanh
        return -1.0 if s < -1.0 else (1.0 if s > 1.0 else s)
    if code == 12:
        return abs(s)
    if code == 13:  # inverse
        return 1.0 - s
    if code == 14:  # selu
        return SELU_SCALE * (s if s > 0 else SELU_ALPHA * math.expm1(s))
    if code == 15:  # leaky relu
        return s if s > 0 else LEAKY_SLOPE * s
    # softplus: log(1 + e^s) without overflow
    return max(s, 0.0) + math.log1p(math.exp(-abs(s)))


@njit(cache=True, inline="always")
def deriv(code, s, y):
    if code == 0:
        return y * (1.0 - y)
    if code == 1:
        return 1.0 - y * y
    if code == 2 or code == 3:
        return 1.0
    if code == 4:
        return 1.0 if s > 0 else 0.0
    if code == 5:
        d = 1.0 + abs(s)
        return 1.0 / (d * d)
    if code == 6:
        return math.cos(s)
    if code == 7:
        return -2.0 * s * y
    if code == 8:
        return s / (2.0 * math.sqrt(s * s + 1.0)) + 1.0
    if code == 9:
        return 0.0
    if code == 10:
        return (1.0 - y * y) / 2.0
    if code == 11:
        return 1.0 if abs(s) < 1.0 else 0.0
    if code == 12:
        return -1.0 if s < 0 else 1.0
    if code == 13:
        return -1.0
    if code == 14:
        return SELU_SCALE if s > 0 else y + SELU_SCALE * SELU_ALPHA
    if code == 15:
        return 1.0 if s > 0 else LEAKY_SLOPE
    if s >= 0:  # softplus' = logistic, written to avoid overflow
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


@njit(cache=True)
def forward(in_ptr, in_src, codes, n_in, weights, biases, x, s, y, dy):
    """One sample: fill state s, activation y and derivative dy of every neuron."""
    for k in range(n_in):
        y[k] = x[k]
        s[k] = x[k]
        dy[k] = 0.0
    for k in range(n_in, len(codes)):
        total = biases[k]
        for e in range(in_ptr[k], in_ptr[k + 1]):
            total += weights[e] * y[in_src[e]]
        s[k] = total
        v = act(codes[k], total)
        y[k] = v
        dy[k] = deriv(codes[k], total, v)


@njit(cache=True)
def forward_batch(in_ptr, in_src, codes, n_in, weights, biases, X, S, Y, DY):
    """Rows of X are samples; S, Y, DY get one row per sample."""
    for r in range(X.shape[0]):
        forward(in_ptr, in_src, codes, n_in, weights, biases, X[r], S[r], Y[r], DY[r])


@njit(cache=True)
def propagate(in_ptr, in_src, roles, output_index, n_in, weights, biases, y, dy,
              target, rate, acc):
    """Synaptic's propagate for a feed-forward graph, in place.

    Outputs take d = t - y; others d = f' * sum(d_k * w_kj) over the synapses they
    project, with w_kj already updated in this pass (Synaptic's in-order rule).
    Errors are pushed upstream right after each weight is updated.
    """
    for k in range(n_in, len(roles)):
        acc[k] = 0.0
    for k in range(len(roles) - 1, n_in - 1, -1):
        d = target[output_index[k]] - y[k] if roles[k] == OUTPUT else dy[k] * acc[k]
        step = rate * d
        for e in range(in_ptr[k], in_ptr[k + 1]):
            i = in_src[e]
            weights[e] += step * y[i]
            if i >= n_in:
                acc[i] += d * weights[e]
        biases[k] += step


@njit(cache=True)
def train_online(in_ptr, in_src, codes, roles, output_index, n_in, weights, biases,
                 X, T, rate, s, y, dy, acc):
    """activate then propagate, for each row of X with target row of T, in order."""
    for r in range(X.shape[0]):
        forward(in_ptr, in_src, codes, n_in, weights, biases, X[r], s, y, dy)
        propagate(in_ptr, in_src, roles, output_index, n_in, weights, biases, y, dy,
                  T[r], rate, acc)


@njit(cache=True)
def backward_batch(in_ptr, in_src, n_in, output_pos, weights, Y, DY, dC_dy, gw, gb, delta):
    """Exact gradient: dC/dy of each output row in, dC/dw and dC/db summed over rows out."""
    n = DY.shape[1]
    for r in range(Y.shape[0]):
        for k in range(n):
            delta[k] = 0.0
        for o in range(len(output_pos)):
            delta[output_pos[o]] = dC_dy[r, o]
        # delta holds dC/dy_k until neuron k is reached, then dC/ds_k.
        for k in range(n - 1, n_in - 1, -1):
            dk = delta[k] * DY[r, k]
            gb[k] += dk
            for e in range(in_ptr[k], in_ptr[k + 1]):
                i = in_src[e]
                gw[e] += dk * Y[r, i]
                delta[i] += dk * weights[e]
