"""The compiled edge loops behind the fast path (numba, cached on disk).

Each kernel walks a Plan's arrays, passed as one tuple ``P`` (see ``Plan.arrays``):
neurons in topological order, inputs first; each neuron's incoming synapses
contiguous (CSR); ``in_start[k]`` >= 0 when neuron k's sources are the consecutive
positions from there, which lets the loops run at unit stride and vectorize.
Activation codes follow the registry in ``_activations.py``; ``act``/``deriv``
restate those rules for scalars, and the tests hold the two copies together.
Weights and biases are the graph's own arrays, updated in place.

Samples are passed as (matrix, row index) rather than as row views: creating a
view per sample cost as much as the arithmetic of a small net.

``FAST`` lets the compiler reassociate sums and fuse multiply-adds (results move
by rounding only, ~1e-16 relative); it keeps NaN and infinity semantics, which
the divergence check relies on. ``error_model="numpy"`` makes a division by zero
give infinity or NaN, as in numpy, instead of a checked Python exception: that
check on every division cost 12% of a small net's step.
"""

from __future__ import annotations

import math

from numba import njit

from ._activations import (
    BRAIN_LEAKY_ALPHA,
    LEAKY_SLOPE,
    NEAT_CLAMP,
    NEAT_GAUSS_CLAMP,
    NEAT_LEAK,
    NEAT_LOG_FLOOR,
    SELU_ALPHA,
    SELU_SCALE,
)

OUTPUT = 2
FAST = {"reassoc", "contract"}
WIDE = 16  # from this many contiguous sources on, loops run over views (vectorized)
COLUMNS = 512  # samples per block in the column-layout batch kernels


@njit(cache=True, error_model="numpy", inline="always")
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
    if code == 16:  # softplus: log(1 + e^s) without overflow
        return max(s, 0.0) + math.log1p(math.exp(-abs(s)))
    if code == 17:  # step (Neataptic's STEP)
        return 1.0 if s > 0 else 0.0
    if code == 18:  # neat_sigmoid
        return 1.0 / (1.0 + math.exp(-max(-NEAT_CLAMP, min(NEAT_CLAMP, 5.0 * s))))
    if code == 19:  # neat_tanh
        return math.tanh(max(-NEAT_CLAMP, min(NEAT_CLAMP, 2.5 * s)))
    if code == 20:  # neat_sin
        return math.sin(max(-NEAT_CLAMP, min(NEAT_CLAMP, 5.0 * s)))
    if code == 21:  # neat_gauss
        z = max(-NEAT_GAUSS_CLAMP, min(NEAT_GAUSS_CLAMP, s))
        return math.exp(-5.0 * (z * z))
    if code == 22:  # neat_softplus, written as neat-python writes it
        return 0.2 * math.log(1.0 + math.exp(max(-NEAT_CLAMP, min(NEAT_CLAMP, 5.0 * s))))
    if code == 23:  # elu
        return s if s > 0 else math.expm1(s)
    if code == 24:  # neat_lelu
        return s if s > 0 else NEAT_LEAK * s
    if code == 25:  # neat_inv: 0 where 1/s is undefined
        return 1.0 / s if s != 0 else 0.0
    if code == 26:  # neat_log
        return math.log(max(NEAT_LOG_FLOOR, s))
    if code == 27:  # neat_exp
        return math.exp(max(-NEAT_CLAMP, min(NEAT_CLAMP, s)))
    if code == 28:  # hat
        return max(0.0, 1.0 - abs(s))
    if code == 29:  # square
        return s * s
    if code == 30:  # cube
        return math.pow(s, 3.0)
    # 31: brain_leaky_relu, brain.js's "leaky-relu"
    return 0.0 if s < 0 else BRAIN_LEAKY_ALPHA * s


@njit(cache=True, error_model="numpy", inline="always")
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
    if code == 16:
        if s >= 0:  # softplus' = logistic, written to avoid overflow
            return 1.0 / (1.0 + math.exp(-s))
        e = math.exp(s)
        return e / (1.0 + e)
    if code == 17:
        return 0.0
    if code == 18:
        return 5.0 * y * (1.0 - y) if abs(5.0 * s) < NEAT_CLAMP else 0.0
    if code == 19:
        return 2.5 * (1.0 - y * y) if abs(2.5 * s) < NEAT_CLAMP else 0.0
    if code == 20:
        return 5.0 * math.cos(5.0 * s) if abs(5.0 * s) < NEAT_CLAMP else 0.0
    if code == 21:
        return -10.0 * s * y if abs(s) < NEAT_GAUSS_CLAMP else 0.0
    if code == 22:
        z = 5.0 * s
        return 1.0 / (1.0 + math.exp(-z)) if abs(z) < NEAT_CLAMP else 0.0
    if code == 23:
        return 1.0 if s > 0 else y + 1.0
    if code == 24:
        return 1.0 if s > 0 else NEAT_LEAK
    if code == 25:
        return -y * y if s != 0 else 0.0
    if code == 26:
        return 1.0 / s if s > NEAT_LOG_FLOOR else 0.0
    if code == 27:
        return y if abs(s) < NEAT_CLAMP else 0.0
    if code == 28:
        if abs(s) >= 1.0:
            return 0.0
        return -1.0 if s > 0 else (1.0 if s < 0 else 0.0)
    if code == 29:
        return 2.0 * s
    if code == 30:
        return 3.0 * s * s
    return BRAIN_LEAKY_ALPHA if s > 0 else 0.0


# Wide neurons (many contiguous sources) go through these two small functions, not
# inlined: views kept out of the per-neuron loops leave the narrow path's code as
# tight as a plain gather loop (the 2-3-1 net ran 40% slower with them inline), and
# views rather than offsets let the wide loops vectorize (6x on 784 sources).
@njit(cache=True, error_model="numpy", fastmath=FAST)
def _dot(wv, yv):
    total = 0.0
    for j in range(len(wv)):
        total += wv[j] * yv[j]
    return total


@njit(cache=True, error_model="numpy", fastmath=FAST)
def _update(wv, yv, av, step, d, pass_back):
    if pass_back:
        for j in range(len(wv)):
            w = wv[j] + step * yv[j]
            wv[j] = w
            av[j] += d * w
    else:
        for j in range(len(wv)):
            wv[j] += step * yv[j]


@njit(cache=True, error_model="numpy", inline="always", fastmath=FAST)
def forward(in_ptr, in_src, in_start, codes, n_in, weights, biases, X, r, s, y, dy):
    """Sample ``X[r]``: fill state s, activation y and derivative dy of every neuron.

    (The inner functions take the plan's arrays one by one: unpacking the tuple ``P``
    in every call cost ~30% of a small net's step.)
    """
    for k in range(n_in):
        y[k] = X[r, k]
        s[k] = X[r, k]
        dy[k] = 0.0
    for k in range(n_in, len(codes)):
        total = biases[k]
        e0, e1, s0 = in_ptr[k], in_ptr[k + 1], in_start[k]
        if s0 >= 0 and e1 - e0 >= WIDE:
            total += _dot(weights[e0:e1], y[s0:s0 + e1 - e0])
        else:
            for e in range(e0, e1):
                total += weights[e] * y[in_src[e]]
        s[k] = total
        c = codes[k]
        if c == 0:  # logistic, the default, spelled out: the generic dispatch costs ~30%
            v = 1.0 / (1.0 + math.exp(-total))
            y[k] = v
            dy[k] = v * (1.0 - v)
        else:
            v = act(c, total)
            y[k] = v
            dy[k] = deriv(c, total, v)


@njit(cache=True, error_model="numpy", fastmath=FAST)
def forward_columns(P, n_in, weights, biases, Xt, S, Y, DY):
    """A batch laid out one row per neuron: ``Xt`` is (n_inputs, n_samples), S/Y/DY are
    (n_neurons, n_samples). Every synapse then updates a whole row at unit stride,
    which vectorizes across samples whatever the graph's shape. Samples go in blocks
    of ``COLUMNS`` so that a block of every neuron's row stays in cache.
    """
    in_ptr, in_src, codes = P[0], P[1], P[3]
    m = Xt.shape[1]
    for q0 in range(0, m, COLUMNS):
        q1 = min(m, q0 + COLUMNS)
        for k in range(n_in):
            for q in range(q0, q1):
                S[k, q] = Xt[k, q]
                Y[k, q] = Xt[k, q]
                DY[k, q] = 0.0
        for k in range(n_in, len(codes)):
            row = S[k, q0:q1]
            row[:] = biases[k]
            for e in range(in_ptr[k], in_ptr[k + 1]):
                _axpy(weights[e], Y[in_src[e], q0:q1], row)
            c = codes[k]
            out, d = Y[k, q0:q1], DY[k, q0:q1]
            if c == 0:
                for q in range(q1 - q0):
                    v = 1.0 / (1.0 + math.exp(-row[q]))
                    out[q] = v
                    d[q] = v * (1.0 - v)
            else:
                for q in range(q1 - q0):
                    v = act(c, row[q])
                    out[q] = v
                    d[q] = deriv(c, row[q], v)


@njit(cache=True, error_model="numpy", fastmath=FAST)
def _axpy(w, src, row):
    for q in range(len(row)):
        row[q] += w * src[q]


@njit(cache=True, error_model="numpy", inline="always", fastmath=FAST)
def propagate(in_ptr, in_src, in_start, roles, output_index, n_in, weights, biases, y, dy, T,
              r, rate, acc):
    """Synaptic's propagate for a feed-forward graph, in place.

    Outputs take d = t - y; others d = f' * sum(d_k * w_kj) over the synapses they
    project, with w_kj already updated in this pass (Synaptic's in-order rule).
    Errors are pushed upstream right after each weight is updated.
    """
    n = len(roles)
    for k in range(n):
        acc[k] = 0.0  # inputs' entries are written but never read
    for k in range(n - 1, n_in - 1, -1):
        d = T[r, output_index[k]] - y[k] if roles[k] == OUTPUT else dy[k] * acc[k]
        step = rate * d
        e0, e1, s0 = in_ptr[k], in_ptr[k + 1], in_start[k]
        if s0 >= 0 and e1 - e0 >= WIDE:
            # sources all inputs: no error to pass back
            _update(weights[e0:e1], y[s0:s0 + e1 - e0], acc[s0:s0 + e1 - e0], step, d,
                    s0 + e1 - e0 > n_in)
        else:
            for e in range(e0, e1):
                i = in_src[e]
                w = weights[e] + step * y[i]
                weights[e] = w
                acc[i] += d * w
        biases[k] += step


@njit(cache=True, error_model="numpy", inline="always", fastmath=FAST)
def forward_narrow(in_ptr, in_src, codes, n_in, weights, biases, X, r, s, y, dy):
    """``forward`` for plans without wide neurons: the same sums, in the same order.

    A separate function because the mere presence of the wide branch made the small
    nets' loop 40% slower. It skips what propagate does not read (states, the inputs'
    derivatives): ``s`` is left as it was.
    """
    for k in range(n_in):
        y[k] = X[r, k]
    for k in range(n_in, len(codes)):
        total = biases[k]
        for e in range(in_ptr[k], in_ptr[k + 1]):
            total += weights[e] * y[in_src[e]]
        c = codes[k]
        if c == 0:
            v = 1.0 / (1.0 + math.exp(-total))
            y[k] = v
            dy[k] = v * (1.0 - v)
        else:
            v = act(c, total)
            y[k] = v
            dy[k] = deriv(c, total, v)


@njit(cache=True, error_model="numpy", inline="always", fastmath=FAST)
def propagate_narrow(in_ptr, in_src, roles, output_index, n_in, weights, biases, y, dy, T, r,
                     rate, acc):
    """``propagate`` for plans without wide neurons (see ``forward_narrow``)."""
    n = len(roles)
    for k in range(n):
        acc[k] = 0.0
    for k in range(n - 1, n_in - 1, -1):
        d = T[r, output_index[k]] - y[k] if roles[k] == OUTPUT else dy[k] * acc[k]
        step = rate * d
        for e in range(in_ptr[k], in_ptr[k + 1]):
            i = in_src[e]
            w = weights[e] + step * y[i]
            weights[e] = w
            acc[i] += d * w
        biases[k] += step


@njit(cache=True, error_model="numpy")
def _first_bad(A):
    """Index of the first non-finite entry of row 0 of A, or -1. The single-sample entry
    points check here, before touching any state: cheaper than numpy from Python."""
    for k in range(A.shape[1]):
        if not math.isfinite(A[0, k]):
            return k
    return -1


@njit(cache=True, error_model="numpy")
def propagate_one(P, n_in, weights, biases, y, dy, T, rate, acc):
    bad = _first_bad(T)
    if bad < 0:
        propagate(P[0], P[1], P[2], P[4], P[5], n_in, weights, biases, y, dy, T, 0, rate, acc)
    return bad


@njit(cache=True, error_model="numpy")
def forward_one(P, n_in, weights, biases, X, s, y, dy):
    bad = _first_bad(X)
    if bad < 0:
        forward(P[0], P[1], P[2], P[3], n_in, weights, biases, X, 0, s, y, dy)
    return bad


@njit(cache=True, error_model="numpy")
def propagate_one_narrow(P, n_in, weights, biases, y, dy, T, rate, acc):
    bad = _first_bad(T)
    if bad < 0:
        propagate_narrow(P[0], P[1], P[4], P[5], n_in, weights, biases, y, dy, T, 0, rate, acc)
    return bad


@njit(cache=True, error_model="numpy")
def forward_one_narrow(P, n_in, weights, biases, X, s, y, dy):
    bad = _first_bad(X)
    if bad < 0:
        forward_narrow(P[0], P[1], P[3], n_in, weights, biases, X, 0, s, y, dy)
    return bad


@njit(cache=True, error_model="numpy", inline="always")
def sample_cost(code, y, output_pos, T, r):
    """One sample's cost, as ``_costs.COSTS`` computes it (codes MSE, CE, MAE, BINARY)."""
    total = 0.0
    n = len(output_pos)
    for o in range(n):
        yo = y[output_pos[o]]
        to = T[r, o]
        if code == 0:
            total += (to - yo) * (to - yo)
        elif code == 1:
            total -= to * math.log(yo + 1e-15) + (1.0 - to) * math.log((1.0 + 1e-15) - yo)
        elif code == 2:
            total += abs(to - yo)
        elif math.floor(2.0 * to + 0.5) != math.floor(2.0 * yo + 0.5):
            total += 1.0
    if code == 0 or code == 2:
        total /= n
    return total


@njit(cache=True, error_model="numpy", inline="always")
def cost_gradient(code, y, output_pos, T, r, scale, out):
    """d cost / d y for each output, times ``scale``, into ``out``."""
    n = len(output_pos)
    for o in range(n):
        yo = y[output_pos[o]]
        to = T[r, o]
        if code == 0:
            g = 2.0 * (yo - to) / n
        elif code == 1:
            g = (1.0 - to) / ((1.0 + 1e-15) - yo) - to / (yo + 1e-15)
        else:
            g = (1.0 if yo > to else (-1.0 if yo < to else 0.0)) / n
        out[o] = g * scale


@njit(cache=True, error_model="numpy", inline="always", fastmath=FAST)
def backward_row(in_ptr, in_src, in_start, output_pos, n_in, weights, y, dy, dC_dy, gw, gb,
                 delta):
    """Add one sample's dC/dw and dC/db to gw, gb, given dC/dy at the outputs."""
    n = len(dy)
    for k in range(n):
        delta[k] = 0.0
    for o in range(len(output_pos)):
        delta[output_pos[o]] = dC_dy[o]
    # delta holds dC/dy_k until neuron k is reached, then dC/ds_k.
    for k in range(n - 1, n_in - 1, -1):
        dk = delta[k] * dy[k]
        gb[k] += dk
        e0, e1, s0 = in_ptr[k], in_ptr[k + 1], in_start[k]
        if s0 >= 0 and e1 - e0 >= WIDE:
            gv, wv = gw[e0:e1], weights[e0:e1]
            yv, dv = y[s0:s0 + e1 - e0], delta[s0:s0 + e1 - e0]
            for j in range(e1 - e0):
                gv[j] += dk * yv[j]
                dv[j] += dk * wv[j]
        else:
            for e in range(e0, e1):
                i = in_src[e]
                gw[e] += dk * y[i]
                delta[i] += dk * weights[e]


@njit(cache=True, error_model="numpy", fastmath=FAST)
def backward_columns(P, n_in, weights, Y, DY, D, gw, gb):
    """Column-layout backward pass (see ``forward_columns``).

    ``D`` (n_neurons, n_samples) comes in holding dC/dy at the output rows and zeros
    elsewhere; it is used as scratch. Adds dC/dw and dC/db, summed over samples.
    """
    in_ptr, in_src = P[0], P[1]
    n, m = Y.shape
    for k in range(n - 1, n_in - 1, -1):
        row, dyk = D[k], DY[k]
        total = 0.0
        for q in range(m):
            row[q] *= dyk[q]  # now dC/ds_k
            total += row[q]
        gb[k] += total
        for e in range(in_ptr[k], in_ptr[k + 1]):
            i = in_src[e]
            src, up = Y[i], D[i]
            w = weights[e]
            g = 0.0
            for q in range(m):
                g += row[q] * src[q]
                up[q] += w * row[q]
            gw[e] += g


@njit(cache=True, error_model="numpy", inline="always")
def _copy(src, dst):
    for k in range(len(src)):
        dst[k] = src[k]


@njit(cache=True, error_model="numpy", inline="always")
def _all_finite(a):
    # one sum instead of a test per element; weights near 1e308 count as diverged too
    total = 0.0
    for v in a:
        total += v
    return math.isfinite(total)


@njit(cache=True, error_model="numpy", inline="always")
def _epoch_end(in_ptr, in_src, in_start, codes, output_pos, n_in, weights, biases, cost_code,
               Xv, Tv, s, y, dy, train_error, backup_w, backup_b):
    """The epoch's error (the validation set's, if there is one); NaN if training diverged."""
    err = train_error
    if Xv.shape[0] > 0:
        err = 0.0
        for r in range(Xv.shape[0]):
            forward(in_ptr, in_src, in_start, codes, n_in, weights, biases, Xv, r, s, y, dy)
            err += sample_cost(cost_code, y, output_pos, Tv, r)
        err /= Xv.shape[0]
    if not (math.isfinite(err) and _all_finite(weights) and _all_finite(biases)):
        _copy(backup_w, weights)  # keep the last finite weights
        _copy(backup_b, biases)
        return math.nan
    return err


@njit(cache=True, error_model="numpy")
def train_online(P, n_in, weights, biases, X, T, order, rates, cost_code, stop_error, Xv, Tv,
                 s, y, dy, acc, errors, backup_w, backup_b):
    """Synaptic's online training: for each epoch, activate then propagate every sample.

    ``order[epoch]`` gives the sample order (empty: as given). The epoch error is the
    mean cost of the outputs seen before each propagate (Synaptic's Trainer), or the
    validation set's after the epoch. Returns (epochs run, status): status 1 means
    the error reached ``stop_error``, 2 that it diverged (weights restored to the
    start of that epoch).
    """
    n = X.shape[0]
    in_ptr, in_src, in_start, codes, roles, output_index, output_pos = P
    for ep in range(len(rates)):
        _copy(weights, backup_w)
        _copy(biases, backup_b)
        total = 0.0
        for r in range(n):
            i = order[ep, r] if order.shape[0] > 0 else r
            forward(in_ptr, in_src, in_start, codes, n_in, weights, biases, X, i, s, y, dy)
            total += sample_cost(cost_code, y, output_pos, T, i)
            propagate(in_ptr, in_src, in_start, roles, output_index, n_in, weights, biases, y,
                      dy, T, i, rates[ep], acc)
        err = _epoch_end(in_ptr, in_src, in_start, codes, output_pos, n_in, weights, biases,
                         cost_code, Xv, Tv, s, y, dy, total / n, backup_w, backup_b)
        errors[ep] = err
        if math.isnan(err):
            return ep + 1, 2
        if err <= stop_error:
            return ep + 1, 1
    return len(rates), 0


@njit(cache=True, error_model="numpy")
def train_online_narrow(P, n_in, weights, biases, X, T, order, rates, cost_code, stop_error, Xv, Tv,
                 s, y, dy, acc, errors, backup_w, backup_b):
    """``train_online`` for plans without wide neurons (see ``forward_narrow``).

    Synaptic's online training: for each epoch, activate then propagate every sample.

    ``order[epoch]`` gives the sample order (empty: as given). The epoch error is the
    mean cost of the outputs seen before each propagate (Synaptic's Trainer), or the
    validation set's after the epoch. Returns (epochs run, status): status 1 means
    the error reached ``stop_error``, 2 that it diverged (weights restored to the
    start of that epoch).
    """
    n = X.shape[0]
    in_ptr, in_src, in_start, codes, roles, output_index, output_pos = P
    for ep in range(len(rates)):
        _copy(weights, backup_w)
        _copy(biases, backup_b)
        total = 0.0
        for r in range(n):
            i = order[ep, r] if order.shape[0] > 0 else r
            forward_narrow(in_ptr, in_src, codes, n_in, weights, biases, X, i, s, y, dy)
            total += sample_cost(cost_code, y, output_pos, T, i)
            propagate_narrow(in_ptr, in_src, roles, output_index, n_in, weights, biases, y, dy,
                             T, i, rates[ep], acc)
        err = _epoch_end(in_ptr, in_src, in_start, codes, output_pos, n_in, weights, biases,
                         cost_code, Xv, Tv, s, y, dy, total / n, backup_w, backup_b)
        errors[ep] = err
        if math.isnan(err):
            return ep + 1, 2
        if err <= stop_error:
            return ep + 1, 1
    return len(rates), 0


SGD, ADAM = 0, 1


@njit(cache=True, error_model="numpy", fastmath=FAST)
def optimizer_step(opt, params, grads, rate, momentum, m, v, t, beta1, beta2, eps):
    """SGD (``m`` is the velocity when momentum > 0) or Adam (moments ``m``, ``v``; step t)."""
    if opt == SGD:
        if momentum != 0.0:
            for k in range(len(params)):
                m[k] = momentum * m[k] - rate * grads[k]
                params[k] += m[k]
        else:
            for k in range(len(params)):
                params[k] -= rate * grads[k]
    else:
        c1 = 1.0 - beta1**t
        c2 = 1.0 - beta2**t
        for k in range(len(params)):
            g = grads[k]
            m[k] = beta1 * m[k] + (1.0 - beta1) * g
            v[k] = beta2 * v[k] + (1.0 - beta2) * g * g
            params[k] -= rate * (m[k] / c1) / (math.sqrt(v[k] / c2) + eps)


@njit(cache=True, error_model="numpy")
def train_gradient(P, n_in, weights, biases, X, T, order, rates, batch_size, cost_code,
                   stop_error, Xv, Tv, opt, momentum, beta1, beta2, eps, state_w, state_b, step,
                   s, y, dy, delta, dC, gw, gb, errors, backup_w, backup_b, input_mask,
                   weight_mask):
    """Minibatch descent on the exact gradient of the mean cost of each batch.

    ``state_w``/``state_b`` have two rows: the velocity or Adam's (m, v); ``step[0]``
    counts optimizer steps across calls. Returns as ``train_online``.
    """
    n = X.shape[0]
    in_ptr, in_src, in_start, codes, _, _, output_pos = P
    for ep in range(len(rates)):
        _copy(weights, backup_w)
        _copy(biases, backup_b)
        total = 0.0
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            gw[:] = 0.0
            gb[:] = 0.0
            for r in range(start, stop):
                i = order[ep, r] if order.shape[0] > 0 else r
                forward(in_ptr, in_src, in_start, codes, n_in, weights, biases, X, i, s, y, dy)
                total += sample_cost(cost_code, y, output_pos, T, i)
                cost_gradient(cost_code, y, output_pos, T, i, 1.0 / (stop - start), dC)
                backward_row(in_ptr, in_src, in_start, output_pos, n_in, weights, y, dy, dC, gw,
                             gb, delta)
            gb *= input_mask  # input neurons' biases are never used, nor fixed ones
            gw *= weight_mask
            step[0] += 1
            optimizer_step(opt, weights, gw, rates[ep], momentum, state_w[0], state_w[1],
                           step[0], beta1, beta2, eps)
            optimizer_step(opt, biases, gb, rates[ep], momentum, state_b[0], state_b[1],
                           step[0], beta1, beta2, eps)
        err = _epoch_end(in_ptr, in_src, in_start, codes, output_pos, n_in, weights, biases,
                         cost_code, Xv, Tv, s, y, dy, total / n, backup_w, backup_b)
        errors[ep] = err
        if math.isnan(err):
            return ep + 1, 2
        if err <= stop_error:
            return ep + 1, 1
    return len(rates), 0
