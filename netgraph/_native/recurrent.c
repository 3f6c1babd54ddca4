/* Kernels for Synaptic's gated, self-connected neuron model: plans with delayed or gated
 * synapses, self-connections or fixed neurons.
 *
 * The rules are /work/shared/synaptic-semantics.md's (Synaptic 1.1.4's default, compiled
 * mode); netgraph/_reference.py's Recurrent states them one synapse at a time, and the
 * tests hold the two together and both against the Synaptic.js fixtures. Layout: plan.h.
 */
#include <math.h>
#include <string.h>

#include "plan.h"
#include "rules.h"

/* The loops here run over one neuron's few synapses (a dozen in an LSTM): vectorized,
 * they spend more in set-up than they save. Scalar, LSTM(2, 7, 1) trains 20% faster. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif

/* g_kk * w_kk: how much of its previous state neuron k keeps (0 without a self-connection). */
static inline double self_term(const Plan *p, const Gates *g, const double *gain, idx k)
{
    idx c = g->self_e[k];
    return c >= 0 ? gain[c] * p->weights[c] : 0.0;
}

/* I_k for pair q = (j, k): what j's gain multiplies in k's state, at current values: k's
 * old state if j gates k's self-connection, plus w * y over the other synapses j gates. */
static inline double influence(const Plan *p, const Gates *g, const State *st, idx q, idx k)
{
    double total = g->pair_self[q] ? st->old[k] : 0.0;
    for (idx c = g->pair_c_ptr[q]; c < g->pair_c_ptr[q + 1]; c++)
        total += p->weights[g->pair_c[c]] * st->y[g->pair_c_src[c]];
    return total;
}

/* One step: states, activations, gains and traces, neuron by neuron. */
void rec_activate(const Plan *p, const Gates *g, const double *x, State *st)
{
    const double *W = p->weights;
    double *s = st->s, *y = st->y, *y_prev = st->y_prev, *gain = st->gain, *elig = st->elig;
    double *in = st->work;  /* what each synapse into the current neuron reads */
    memcpy(y_prev, y, (size_t)p->n * sizeof(double));
    for (idx k = 0; k < p->n_in; k++) {
        y[k] = x[k];
        st->dy[k] = 0.0;
    }
    for (idx j = p->n_in; j < p->n; j++) {
        idx e0 = p->in_ptr[j], m = p->in_ptr[j + 1] - e0;
        const idx *src = p->in_src + e0, *delay = g->in_delay + e0;
        const double *w = W + e0;
        double *gn = gain + e0, *el = elig + e0;
        /* a delayed synapse reads its source's activation from the previous step */
        for (idx e = 0; e < m; e++)
            in[e] = delay[e] ? y_prev[src[e]] : y[src[e]];
        st->old[j] = s[j];
        double total = self_term(p, g, gain, j) * s[j] + p->biases[j];
        for (idx e = 0; e < m; e++)
            total += in[e] * w[e] * gn[e];
        s[j] = total;
        activate_neuron(p->codes[j], total, &y[j], &st->dy[j]);
        /* a neuron's own state read its gains before this; its traces read them after */
        for (idx q = g->gate_ptr[j]; q < g->gate_ptr[j + 1]; q++)
            gain[g->gate_syn[q]] = y[j];
        double decay = self_term(p, g, gain, j);
        for (idx e = 0; e < m; e++)
            el[e] = decay * el[e] + gn[e] * in[e];
        for (idx q = g->pair_ptr[j]; q < g->pair_ptr[j + 1]; q++) {
            idx k = g->pair_k[q];
            double k_decay = self_term(p, g, gain, k);
            double scale = st->dy[j] * influence(p, g, st, q, k);
            double *xt = st->xtrace + g->xt_off[q];  /* one per synapse into j */
            for (idx e = 0; e < m; e++)
                xt[e] = k_decay * xt[e] + scale * el[e];
        }
    }
}

/* Synaptic's propagate with eligibility and extended traces, in place. An output neuron
 * (compiled Synaptic's sense) takes d = t - y and learns from its eligibility traces only,
 * with no extended-trace term even when it gates. */
void rec_propagate(const Plan *p, const Gates *g, const double *t, double rate, State *st)
{
    double *W = p->weights, *resp = st->resp;
    double *grad = st->work;  /* the gradient of each weight into the current neuron */
    for (idx j = p->n - 1; j >= p->n_in; j--) {
        int output = p->roles[j] == OUTPUT;
        double projected, d;
        if (output) {
            projected = d = t[p->output_index[j]] - st->y[j];
        } else {
            projected = 0.0;
            for (idx q = g->out_ptr[j]; q < g->out_ptr[j + 1]; q++) {
                idx c = g->out_syn[q];
                projected += resp[g->out_dst[q]] * st->gain[c] * W[c];
            }
            projected *= st->dy[j];
            double gated = 0.0;
            for (idx q = g->pair_ptr[j]; q < g->pair_ptr[j + 1]; q++) {
                idx k = g->pair_k[q];
                gated += resp[k] * influence(p, g, st, q, k);
            }
            d = projected + gated * st->dy[j];
        }
        resp[j] = d;
        if (p->fixed[j])
            continue;
        idx e0 = p->in_ptr[j], m = p->in_ptr[j + 1] - e0;
        const double *el = st->elig + e0;
        for (idx e = 0; e < m; e++)
            grad[e] = projected * el[e];
        if (!output) {  /* each gated neuron's error through the extended traces, in order */
            for (idx q = g->pair_ptr[j]; q < g->pair_ptr[j + 1]; q++) {
                double r = resp[g->pair_k[q]];
                const double *xt = st->xtrace + g->xt_off[q];
                for (idx e = 0; e < m; e++)
                    grad[e] += r * xt[e];
            }
        }
        for (idx e = 0; e < m; e++)
            W[e0 + e] += rate * grad[e];
        p->biases[j] += rate * d;
    }
}

/* Synaptic's clear(): traces and errors to 0, and self-connection gains read 1 again
 * until their gater next runs. With `states`, also states and activations to 0 and
 * every gain to 1: the network then starts a sequence exactly as a fresh one. */
void rec_clear(const Plan *p, const Gates *g, State *st, int states)
{
    memset(st->elig, 0, (size_t)p->n_csr * sizeof(double));
    memset(st->xtrace, 0, (size_t)g->n_xtrace * sizeof(double));
    memset(st->resp, 0, (size_t)p->n * sizeof(double));
    if (states) {
        size_t bytes = (size_t)p->n * sizeof(double);
        memset(st->s, 0, bytes);
        memset(st->old, 0, bytes);
        memset(st->y, 0, bytes);
        memset(st->dy, 0, bytes);
        memset(st->y_prev, 0, bytes);
        for (idx c = 0; c < p->n_syn; c++)
            st->gain[c] = 1.0;
        return;
    }
    for (idx k = 0; k < p->n; k++)
        if (g->self_e[k] >= 0)
            st->gain[g->self_e[k]] = 1.0;
}

static void state_copy(const Plan *p, const Gates *g, State *to, const State *from)
{
    size_t n = (size_t)p->n * sizeof(double);
    memcpy(to->s, from->s, n);
    memcpy(to->old, from->old, n);
    memcpy(to->y, from->y, n);
    memcpy(to->dy, from->dy, n);
    memcpy(to->y_prev, from->y_prev, n);
    memcpy(to->resp, from->resp, n);
    memcpy(to->gain, from->gain, (size_t)p->n_syn * sizeof(double));
    memcpy(to->elig, from->elig, (size_t)p->n_csr * sizeof(double));
    memcpy(to->xtrace, from->xtrace, (size_t)g->n_xtrace * sizeof(double));
}

/* Online training over sequences: rows starts[q] .. starts[q+1]-1 are sequence q. Each
 * epoch runs the sequences (in order[epoch], if given), activating then propagating every
 * step. With `fresh` each sequence starts from a cleared, zeroed state; without it the
 * state runs on from one row to the next, as in Synaptic's Trainer. If an epoch diverges
 * (a NaN or infinite error, weight or bias), the weights, biases and the whole state
 * (states, activations, gains, traces) go back to that epoch's start. Returns as
 * ff_train_online. */
idx rec_train_sequences(const Plan *p, const Gates *g, const double *X, const double *T,
                        const idx *starts, idx n_seq, const idx *order, idx n_epochs,
                        const double *rates, int cost, double stop_error, int fresh,
                        State *st, State *backup_st, double *errors, double *backup_w,
                        double *backup_b, int *status)
{
    idx n_rows = starts[n_seq];
    for (idx ep = 0; ep < n_epochs; ep++) {
        memcpy(backup_w, p->weights, (size_t)p->n_syn * sizeof(double));
        memcpy(backup_b, p->biases, (size_t)p->n * sizeof(double));
        state_copy(p, g, backup_st, st);
        double total = 0.0;
        for (idx qq = 0; qq < n_seq; qq++) {
            idx q = order ? order[ep * n_seq + qq] : qq;
            if (fresh)
                rec_clear(p, g, st, 1);
            for (idx r = starts[q]; r < starts[q + 1]; r++) {
                const double *t = T + r * p->n_out;
                rec_activate(p, g, X + r * p->n_in, st);
                total += sample_cost(cost, st->y, p->output_pos, t, p->n_out);
                rec_propagate(p, g, t, rates[ep], st);
            }
        }
        double err = total / (double)n_rows;
        errors[ep] = err;
        if (!(isfinite(err) && all_finite(p->weights, p->n_syn) &&
              all_finite(p->biases, p->n))) {
            memcpy(p->weights, backup_w, (size_t)p->n_syn * sizeof(double));
            memcpy(p->biases, backup_b, (size_t)p->n * sizeof(double));
            state_copy(p, g, st, backup_st);
            errors[ep] = NAN;
            *status = DIVERGED;
            return ep + 1;
        }
        if (err <= stop_error) {
            *status = REACHED_ERROR;
            return ep + 1;
        }
    }
    *status = RAN_ALL;
    return n_epochs;
}

/* Synaptic's Discrete Sequence Recall trials (see _tasks.dsr). symbols[q, i] is the
 * symbol shown at step i of trial q, answers[q, i] the target the network should output
 * (-1: all zeros). A step is propagated only when its rounded prediction is wrong.
 * Returns the fully correct trials (not counting the first if skip_first); *error is the
 * last trial's mean cost per step. x and t are scratch for one input and one target. */
idx rec_dsr_trials(const Plan *p, const Gates *g, const idx *symbols, const idx *answers,
                   idx n_trials, idx length, idx n_targets, double rate, int cost,
                   int skip_first, State *st, double *x, double *t, double *error)
{
    idx correct = 0;
    double err = 0.0;
    for (idx q = 0; q < n_trials; q++) {
        idx right = 0;
        err = 0.0;
        for (idx i = 0; i < length; i++) {
            memset(x, 0, (size_t)p->n_in * sizeof(double));
            x[symbols[q * length + i]] = 1.0;
            memset(t, 0, (size_t)n_targets * sizeof(double));
            if (answers[q * length + i] >= 0)
                t[answers[q * length + i]] = 1.0;
            rec_activate(p, g, x, st);
            int same = 1;
            for (idx o = 0; o < n_targets; o++)
                if (floor(st->y[p->output_pos[o]] + 0.5) != t[o])
                    same = 0;
            if (same)
                right++;
            else
                rec_propagate(p, g, t, rate, st);
            err += sample_cost(cost, st->y, p->output_pos, t, n_targets);
        }
        if (right == length && !(skip_first && q == 0))
            correct++;
        err /= (double)length;
    }
    *error = err;
    return correct;
}
