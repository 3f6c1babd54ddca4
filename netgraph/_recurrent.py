"""Compiled kernels for Synaptic's gated, self-connected neuron model.

Used when a plan has delayed or gated synapses (``Plan.recurrent``). The rules are
those of ``shared/synaptic-semantics.md``; ``_reference.Recurrent`` states them one
synapse at a time, and the tests hold the two together and both against the
Synaptic.js fixtures.

``P`` is the plan's feed-forward tuple (``Plan.arrays``: CSR over every synapse but
self-connections), ``R`` the tuple from ``_compile._recurrent_arrays``. The state
``ST`` is a tuple of float arrays:

    0 s, 1 old, 2 y, 3 dy, 4 y_prev   per neuron (y_prev: activations at the start of
                                      this step, read by delayed synapses)
    5 gain                            per synapse (self-connections included), 1 if ungated
    6 elig                            eligibility trace per CSR synapse
    7 xtrace                          extended traces, per (gater j, gated k, synapse into j)
    8 resp                            each neuron's last error ("responsibility")
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import act, deriv, sample_cost

OUTPUT = 2


def new_state(n: int, n_synapses: int, n_csr: int, n_xtrace: int) -> tuple[np.ndarray, ...]:
    """A fresh state: everything 0 but the gains, which read 1 until their gater runs."""
    return (np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
            np.ones(n_synapses), np.zeros(n_csr), np.zeros(n_xtrace), np.zeros(n))


@njit(cache=True, error_model="numpy", inline="always")
def _self_term(R, weights, gain, k):
    c = R[1][k]
    return gain[c] * weights[c] if c >= 0 else 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _influence(R, weights, ST, p, k):
    """I_k for pair p = (j, k): what j's gain multiplies in k's state, at current values."""
    pair_self, pair_c_ptr, pair_c, pair_c_src = R[10], R[11], R[12], R[13]
    old, y = ST[1], ST[2]
    total = old[k] if pair_self[p] else 0.0
    for q in range(pair_c_ptr[p], pair_c_ptr[p + 1]):
        total += weights[pair_c[q]] * y[pair_c_src[q]]
    return total


@njit(cache=True, error_model="numpy", inline="always")
def _activate(P, R, n_in, weights, biases, X, r, ST):
    """One step on sample ``X[r]``: states, activations, gains and traces, in order."""
    in_ptr, in_src, codes = P[0], P[1], P[3]
    in_delay, gate_ptr, gate_syn = R[0], R[3], R[4]
    pair_ptr, pair_k, xt_off = R[8], R[9], R[14]
    s, old, y, dy, y_prev, gain, elig, xtrace = (ST[0], ST[1], ST[2], ST[3], ST[4], ST[5],
                                                 ST[6], ST[7])
    n = len(codes)
    for k in range(n):
        y_prev[k] = y[k]
    for k in range(n_in):
        y[k] = X[r, k]
        dy[k] = 0.0
    for j in range(n_in, n):
        old[j] = s[j]
        total = _self_term(R, weights, gain, j) * s[j] + biases[j]
        for e in range(in_ptr[j], in_ptr[j + 1]):
            i = in_src[e]
            total += (y_prev[i] if in_delay[e] else y[i]) * weights[e] * gain[e]
        s[j] = total
        v = act(codes[j], total)
        y[j] = v
        dy[j] = deriv(codes[j], total, v)
        # a neuron's own state read its gains before this; its traces read them after
        for q in range(gate_ptr[j], gate_ptr[j + 1]):
            gain[gate_syn[q]] = v
        decay = _self_term(R, weights, gain, j)
        for e in range(in_ptr[j], in_ptr[j + 1]):
            i = in_src[e]
            elig[e] = decay * elig[e] + gain[e] * (y_prev[i] if in_delay[e] else y[i])
        for p in range(pair_ptr[j], pair_ptr[j + 1]):
            k = pair_k[p]
            k_decay = _self_term(R, weights, gain, k)
            scale = dy[j] * _influence(R, weights, ST, p, k)
            base = xt_off[p] - in_ptr[j]
            for e in range(in_ptr[j], in_ptr[j + 1]):
                xtrace[base + e] = k_decay * xtrace[base + e] + scale * elig[e]


@njit(cache=True, error_model="numpy", inline="always")
def _propagate(P, R, n_in, weights, biases, T, r, rate, ST):
    """Synaptic's propagate with eligibility and extended traces, in place."""
    in_ptr, roles, output_index = P[0], P[4], P[5]
    out_ptr, out_syn, out_dst = R[5], R[6], R[7]
    pair_ptr, pair_k, xt_off, fixed = R[8], R[9], R[14], R[15]
    y, dy, gain, elig, xtrace, resp = ST[2], ST[3], ST[5], ST[6], ST[7], ST[8]
    n = len(roles)
    for j in range(n - 1, n_in - 1, -1):
        if roles[j] == OUTPUT:
            projected = T[r, output_index[j]] - y[j]
            d = projected
        else:
            projected = 0.0
            for q in range(out_ptr[j], out_ptr[j + 1]):
                c = out_syn[q]
                projected += resp[out_dst[q]] * gain[c] * weights[c]
            projected *= dy[j]
            gated = 0.0
            for p in range(pair_ptr[j], pair_ptr[j + 1]):
                k = pair_k[p]
                gated += resp[k] * _influence(R, weights, ST, p, k)
            d = projected + gated * dy[j]
        resp[j] = d
        if fixed[j]:
            continue
        # Compiled Synaptic: an output neuron learns from its eligibility traces only,
        # with no extended-trace term even when it gates (its gating error is never used).
        gates = roles[j] != OUTPUT
        for e in range(in_ptr[j], in_ptr[j + 1]):
            g = projected * elig[e]
            if gates:
                for p in range(pair_ptr[j], pair_ptr[j + 1]):
                    g += resp[pair_k[p]] * xtrace[xt_off[p] - in_ptr[j] + e]
            weights[e] += rate * g
        biases[j] += rate * d


@njit(cache=True, error_model="numpy")
def activate(P, R, n_in, weights, biases, X, r, ST):
    """One step on sample ``X[r]``: states, activations, gains and traces, in order."""
    _activate(P, R, n_in, weights, biases, X, r, ST)


@njit(cache=True, error_model="numpy")
def propagate(P, R, n_in, weights, biases, T, r, rate, ST):
    """Synaptic's propagate with eligibility and extended traces, in place."""
    _propagate(P, R, n_in, weights, biases, T, r, rate, ST)


@njit(cache=True, error_model="numpy")
def activate_rows(P, R, n_in, weights, biases, X, Y, ST):
    """Activate each row of X in turn (a sequence), writing every neuron's y into Y."""
    for r in range(X.shape[0]):
        _activate(P, R, n_in, weights, biases, X, r, ST)
        Y[r, :] = ST[2]


@njit(cache=True, error_model="numpy")
def clear(R, ST):
    """Synaptic's clear(): traces and errors to 0; self-connection gains read 1 again."""
    self_e = R[1]
    ST[6][:] = 0.0
    ST[7][:] = 0.0
    ST[8][:] = 0.0
    for k in range(len(self_e)):
        if self_e[k] >= 0:
            ST[5][self_e[k]] = 1.0


@njit(cache=True, error_model="numpy")
def train_sequences(P, R, n_in, weights, biases, X, T, starts, order, rates, cost_code,
                    stop_error, fresh, ST, errors, backup_w, backup_b):
    """Online training over sequences: ``starts[q]..starts[q+1]`` are sequence q's rows.

    Each epoch runs the sequences (in ``order``, if given), activating then propagating
    every step. With ``fresh`` each sequence starts from a cleared, zeroed state
    (``Network.clear(states=True)``); without it the state runs on from one row to
    the next, as in Synaptic's Trainer. Returns as ``_kernels.train_online``.
    """
    output_pos = P[6]
    n_seq = len(starts) - 1
    for ep in range(len(rates)):
        for k in range(len(weights)):
            backup_w[k] = weights[k]
        for k in range(len(biases)):
            backup_b[k] = biases[k]
        total = 0.0
        for qq in range(n_seq):
            q = order[ep, qq] if order.shape[0] > 0 else qq
            if fresh:
                clear(R, ST)
                for a in range(5):
                    ST[a][:] = 0.0
                ST[5][:] = 1.0
            for r in range(starts[q], starts[q + 1]):
                _activate(P, R, n_in, weights, biases, X, r, ST)
                total += sample_cost(cost_code, ST[2], output_pos, T, r)
                _propagate(P, R, n_in, weights, biases, T, r, rates[ep], ST)
        err = total / X.shape[0]
        errors[ep] = err
        finite = math.isfinite(err)
        for v in weights:
            finite = finite and math.isfinite(v)
        for v in biases:
            finite = finite and math.isfinite(v)
        if not finite:
            weights[:] = backup_w
            biases[:] = backup_b
            errors[ep] = math.nan
            return ep + 1, 2
        if err <= stop_error:
            return ep + 1, 1
    return len(rates), 0


@njit(cache=True, error_model="numpy")
def dsr_trials(P, R, n_in, weights, biases, symbols, answers, n_targets, rate, cost_code,
               skip_first, ST):
    """Synaptic's Discrete Sequence Recall trials, compiled (see ``_tasks.dsr``).

    ``symbols[q, i]`` is the symbol shown at step i of trial q; ``answers[q, i]`` the
    target index the network should output (-1: all zeros). A step is propagated only
    when its rounded prediction is wrong. Returns (fully correct trials, not counting
    the first if ``skip_first``; the last trial's mean cost per step).
    """
    n_trials, length = symbols.shape
    output_pos = P[6]
    X = np.zeros((1, n_in))
    T = np.zeros((1, n_targets))
    correct = 0
    error = 0.0
    for q in range(n_trials):
        right = 0
        error = 0.0
        for i in range(length):
            X[0, :] = 0.0
            X[0, symbols[q, i]] = 1.0
            T[0, :] = 0.0
            if answers[q, i] >= 0:
                T[0, answers[q, i]] = 1.0
            _activate(P, R, n_in, weights, biases, X, 0, ST)
            same = True
            for o in range(n_targets):
                if math.floor(ST[2][output_pos[o]] + 0.5) != T[0, o]:
                    same = False
            if same:
                right += 1
            else:
                _propagate(P, R, n_in, weights, biases, T, 0, rate, ST)
            error += sample_cost(cost_code, ST[2], output_pos, T, 0)
        if right == length and not (skip_first and q == 0):
            correct += 1
        error /= length
    return correct, error
