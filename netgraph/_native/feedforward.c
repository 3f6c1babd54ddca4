/* Kernels for feed-forward plans: Synaptic's activate and propagate, batches in column
 * layout, and whole training loops (online, and minibatch descent on the exact gradient).
 *
 * netgraph/_reference.py states the same rules one synapse at a time; the tests hold
 * every kernel here against it. Layout: plan.h.
 */
#include <math.h>
#include <string.h>

#include "plan.h"
#include "rules.h"
#include "simd.h"
#include "lanes.h"

/* Softmax outputs (code SOFTMAX, rules.h): forward passes compute each one's sum as an
 * identity, then normalize the group: exp(s - max) / sum, the max subtracted so that no
 * exp overflows. Their slope dy is 1: the gradients below take the group's Jacobian.
 * Nothing reads a softmax output (_compile.check_softmax), so normalizing after the pass
 * changes no other neuron. */
static inline int has_softmax(const Plan *p)
{
    for (idx o = 0; o < p->n_out; o++)
        if (p->codes[p->output_pos[o]] == SOFTMAX)
            return 1;
    return 0;
}

/* Normalizes one sample's group: neuron k's state is s[k * stride], its value y[k * stride]
 * (s and y may be the same memory), its slope dy[k * stride] (if dy). */
static inline void softmax_group(const Plan *p, const double *s, double *y, double *dy,
                                 idx stride)
{
    double top = -INFINITY, total = 0.0;
    int any = 0;
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        if (p->codes[k] == SOFTMAX) {
            any = 1;
            top = s[k * stride] > top ? s[k * stride] : top;
        }
    }
    if (!any)
        return;
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        if (p->codes[k] == SOFTMAX) {
            double e = exp(s[k * stride] - top);
            y[k * stride] = e;
            total += e;
        }
    }
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        if (p->codes[k] == SOFTMAX) {
            y[k * stride] /= total;
            if (dy)
                dy[k * stride] = 1.0;
        }
    }
}

/* One sample's cost: sample_cost's, but the cross-entropy of softmax outputs is the
 * categorical one, -sum t log p (_costs.Cost.value). */
static inline double output_cost(const Plan *p, int cost, const double *y, const double *t)
{
    if (cost != CROSS_ENTROPY || !has_softmax(p))
        return sample_cost(cost, y, p->output_pos, t, p->n_out);
    double total = 0.0;
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        double yo = y[k], to = t[o];
        if (p->codes[k] == SOFTMAX)
            total -= to * log(yo + CE_GUARD);
        else
            total -= to * log(yo + CE_GUARD) + (1.0 - to) * log((1.0 + CE_GUARD) - yo);
    }
    return total;
}

/* cost_gradient's d cost / d y, times scale, but d cost / d s at softmax outputs
 * (_costs.output_gradient): p * sum(t) - t for the cross-entropy, else the Jacobian's
 * p_k (g_k - sum_j g_j p_j). */
static inline void output_gradient(const Plan *p, int cost, const double *y, const double *t,
                                   double scale, double *out)
{
    cost_gradient(cost, y, p->output_pos, t, p->n_out, scale, out);
    if (!has_softmax(p))
        return;
    double t_sum = 0.0, gp = 0.0;
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        if (p->codes[k] == SOFTMAX) {
            t_sum += t[o];
            gp += out[o] * y[k];
        }
    }
    for (idx o = 0; o < p->n_out; o++) {
        idx k = p->output_pos[o];
        if (p->codes[k] == SOFTMAX)
            out[o] = cost == CROSS_ENTROPY ? (y[k] * t_sum - t[o]) * scale
                                           : y[k] * (out[o] - gp);
    }
}

static inline int is_wide(const Plan *p, idx k)
{
    return p->loop[k] != NARROW;
}

/* Online training defers one thing. A neuron whose sources are all inputs ("input-fed")
 * is read, after propagate updates its weights, by nothing but the next sample's forward
 * pass. So its update w += step * x_previous waits there, fused into that pass's dot
 * product: each weight is then read and written once per sample instead of read twice
 * and written once, the same operations in the same order, the same bits. The training
 * loop applies what is pending (flush) before anything else reads the weights. */
static inline int input_fed(const Plan *p, idx k)
{
    return p->loop[k] == INPUT_FED;
}

/* dot(w + step * x_old, x_new), storing the updated w: the lanes of lane_dot() exactly. */
static inline double update_dot(double *restrict w, double step, const double *restrict x_old,
                                const double *restrict x_new, idx n)
{
    double a[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    idx j = 0;
    for (; j + 8 <= n; j += 8)
        for (int q = 0; q < 8; q++) {
            double v = w[j + q] + step * x_old[j + q];
            w[j + q] = v;
            a[q] += v * x_new[j + q];
        }
    double total = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; j < n; j++) {
        double v = w[j] + step * x_old[j];
        w[j] = v;
        total += v * x_new[j];
    }
    return total;
}

/* State s, activation y and derivative dy of every neuron for input x. A narrow neuron
 * sums its synapses one by one in the order they were made, as Synaptic does.
 *
 * Online training passes `pending` and `x_old` (see input_fed above): an input-fed neuron
 * then first applies its pending update from the sample whose inputs were x_old. Plain
 * calls pass NULL, and the compiler drops that branch from their inlined copies. */
static inline void forward(const Plan *p, const double *restrict x, double *restrict s,
                           double *restrict y, double *restrict dy, double *restrict pending,
                           const double *restrict x_old)
{
    double *W = p->weights;
    for (idx k = 0; k < p->n_in; k++) {
        s[k] = y[k] = x[k];
        dy[k] = 0.0;
    }
    for (idx k = p->n_in; k < p->n; k++) {
        idx e0 = p->in_ptr[k], e1 = p->in_ptr[k + 1];
        double total = p->biases[k];
        if (x_old && input_fed(p, k)) {
            total += update_dot(W + e0, pending[k], x_old + p->in_start[k],
                                y + p->in_start[k], e1 - e0);
            pending[k] = 0.0;
        } else if (is_wide(p, k)) {
            total += lane_dot(W + e0, y + p->in_start[k], e1 - e0);
        } else {
            for (idx e = e0; e < e1; e++)
                total += W[e] * y[p->in_src[e]];
        }
        s[k] = total;
        activate_neuron(p->codes[k], total, &y[k], &dy[k]);
    }
    softmax_group(p, s, y, dy, 1);
}

/* Synaptic's propagate, in place. Outputs take d = t - y; every other neuron
 * d = f'(s) * sum(d_k * w_kj) over the synapses it projects, with each w_kj already
 * updated in this pass: neurons are visited last to first, and each pushes its error
 * upstream through its new weights right after updating them.
 *
 * With undo_w/undo_b, every value overwritten is saved there first, and a NaN or
 * infinite weight or bias puts the touched ones back and returns 0 (the guard of a
 * single propagate call; the training loops keep one backup per epoch instead).
 * With `pending` (online training), an input-fed neuron leaves its weight update there
 * for the next forward pass (it passes no error back: its sources are inputs); its bias
 * is updated now. Plain calls pass NULL for what they do not use. */
static inline int propagate(const Plan *p, const double *restrict y,
                            const double *restrict dy, const double *restrict t, double rate,
                            double *restrict acc, double *restrict undo_w,
                            double *restrict undo_b, double *restrict pending)
{
    double *W = p->weights, *B = p->biases;
    idx n_in = p->n_in, k;
    int ok = 1;
    for (k = 0; k < p->n; k++)
        acc[k] = 0.0;  /* inputs' entries are written but never read */
    for (k = p->n - 1; k >= n_in; k--) {
        double d = p->roles[k] == OUTPUT ? t[p->output_index[k]] - y[k] : dy[k] * acc[k];
        double step = rate * d;
        idx e0 = p->in_ptr[k], e1 = p->in_ptr[k + 1];
        if (pending && input_fed(p, k)) {
            pending[k] = step;
        } else if (is_wide(p, k)) {
            idx s0 = p->in_start[k], m = e1 - e0;
            double *restrict w = W + e0;
            const double *restrict ys = y + s0;
            if (undo_w)
                memcpy(undo_w + e0, w, (size_t)m * sizeof(double));
            if (s0 + m > n_in) {
                double *restrict a = acc + s0;
                for (idx j = 0; j < m; j++) {
                    double v = w[j] + step * ys[j];
                    w[j] = v;
                    a[j] += d * v;
                }
            } else {  /* every source an input: no error to pass back */
                for (idx j = 0; j < m; j++)
                    w[j] += step * ys[j];
            }
            if (undo_w && !all_finite(w, m))
                ok = 0;
        } else {
            double bad = 0.0;
            for (idx e = e0; e < e1; e++) {
                idx i = p->in_src[e];
                double v = W[e] + step * y[i];
                if (undo_w) {
                    undo_w[e] = W[e];
                    bad += v * 0.0;  /* NaN once any v is not finite */
                }
                W[e] = v;
                acc[i] += d * v;
            }
            if (bad != 0.0)
                ok = 0;
        }
        if (undo_b)
            undo_b[k] = B[k];
        B[k] += step;
        if (undo_b && !isfinite(B[k]))
            ok = 0;
        if (!ok)
            break;
    }
    if (!ok) {  /* put back neurons k .. n-1, the ones this call touched */
        idx e0 = p->in_ptr[k];
        memcpy(W + e0, undo_w + e0, (size_t)(p->in_ptr[p->n] - e0) * sizeof(double));
        memcpy(B + k, undo_b + k, (size_t)(p->n - k) * sizeof(double));
    }
    return ok;
}

/* Applies the pending updates, from the sample whose inputs are x_old. */
static inline void flush(const Plan *p, double *restrict pending, const double *restrict x_old)
{
    if (!x_old)
        return;
    for (idx k = p->n_in; k < p->n; k++) {
        if (!input_fed(p, k))
            continue;
        idx e0 = p->in_ptr[k], m = p->in_ptr[k + 1] - e0;
        double *restrict w = p->weights + e0, step = pending[k];
        const double *restrict x = x_old + p->in_start[k];
        for (idx j = 0; j < m; j++)
            w[j] += step * x[j];
        pending[k] = 0.0;
    }
}

SIMD_CLONES
void ff_forward(const Plan *p, const double *x, double *s, double *y, double *dy)
{
    forward(p, x, s, y, dy, NULL, NULL);
}

SIMD_CLONES
int ff_propagate(const Plan *p, const double *y, const double *dy, const double *t,
                 double rate, double *acc, double *undo_w, double *undo_b)
{
    return propagate(p, y, dy, t, rate, acc, undo_w, undo_b, NULL);
}

/* A batch laid out one row per neuron: Xt is (n_in, m), S/Y/DY are (n, m). Every synapse
 * then updates a whole row at unit stride, which vectorizes across samples whatever the
 * graph's shape; each sample still sums its synapses in creation order. */
SIMD_CLONES
void ff_forward_columns(const Plan *p, const double *Xt, idx m, double *S, double *Y,
                        double *DY)
{
    const double *W = p->weights;
    int softmax = has_softmax(p);
    for (idx q0 = 0; q0 < m; q0 += COLUMNS) {
        idx q1 = q0 + COLUMNS < m ? q0 + COLUMNS : m, w = q1 - q0;
        for (idx k = 0; k < p->n_in; k++) {
            for (idx q = q0; q < q1; q++) {
                S[k * m + q] = Y[k * m + q] = Xt[k * m + q];
                DY[k * m + q] = 0.0;
            }
        }
        for (idx k = p->n_in; k < p->n; k++) {
            double *restrict row = S + k * m + q0;
            for (idx q = 0; q < w; q++)
                row[q] = p->biases[k];
            for (idx e = p->in_ptr[k]; e < p->in_ptr[k + 1]; e++) {
                const double *restrict src = Y + p->in_src[e] * m + q0;
                double we = W[e];
                for (idx q = 0; q < w; q++)
                    row[q] += we * src[q];
            }
            double *out = Y + k * m + q0, *d = DY + k * m + q0;
            idx code = p->codes[k];
            for (idx q = 0; q < w; q++)
                activate_neuron(code, row[q], &out[q], &d[q]);
        }
        if (softmax)
            for (idx q = q0; q < q1; q++)
                softmax_group(p, S + q, Y + q, DY + q, m);
    }
}

/* activate() on a batch, rows of X (m, n_in) into rows of out (m, n_out), without keeping
 * anything but the outputs: each block of COLUMNS samples runs through the plan in a small
 * column-layout scratch (n rows of COLUMNS), which stays in cache. The state (s, y, dy)
 * takes the last sample's values, for a propagate that follows. work: n * COLUMNS + COLUMNS. */
SIMD_CLONES
void ff_activate_batch(const Plan *p, const double *X, idx m, double *out, double *work,
                       double *s, double *y, double *dy)
{
    const double *W = p->weights;
    idx n = p->n, n_in = p->n_in;
    double *Yb = work, *row = work + n * COLUMNS;  /* Yb[k * COLUMNS + q] */
    int softmax = has_softmax(p);
    for (idx q0 = 0; q0 < m; q0 += COLUMNS) {
        idx w = q0 + COLUMNS < m ? COLUMNS : m - q0, last = q0 + w == m ? w - 1 : -1;
        for (idx q = 0; q < w; q++)
            for (idx k = 0; k < n_in; k++)
                Yb[k * COLUMNS + q] = X[(q0 + q) * n_in + k];
        for (idx k = n_in; k < n; k++) {
            for (idx q = 0; q < w; q++)
                row[q] = p->biases[k];
            for (idx e = p->in_ptr[k]; e < p->in_ptr[k + 1]; e++) {
                const double *restrict src = Yb + p->in_src[e] * COLUMNS;
                double we = W[e];
                for (idx q = 0; q < w; q++)
                    row[q] += we * src[q];
            }
            double *restrict yk = Yb + k * COLUMNS;
            idx code = p->codes[k];
            for (idx q = 0; q < w; q++) {
                double d;
                activate_neuron(code, row[q], &yk[q], &d);
                if (q == last) {
                    s[k] = row[q];
                    y[k] = yk[q];
                    dy[k] = d;
                }
            }
        }
        if (softmax) {  /* a softmax output's row holds its sum until normalized */
            for (idx q = 0; q < w; q++)
                softmax_group(p, Yb + q, Yb + q, NULL, COLUMNS);
            if (last >= 0)
                softmax_group(p, s, y, dy, 1);
        }
        for (idx q = 0; q < w; q++)
            for (idx o = 0; o < p->n_out; o++)
                out[(q0 + q) * p->n_out + o] = Yb[p->output_pos[o] * COLUMNS + q];
        if (last >= 0)
            for (idx k = 0; k < n_in; k++) {
                s[k] = y[k] = Yb[k * COLUMNS + last];
                dy[k] = 0.0;
            }
    }
}

/* The backward pass of a column batch: D (n, m) comes in holding dC/dy at the output
 * rows and zeros elsewhere, and is scratch. Adds dC/dw and dC/db summed over samples. */
SIMD_CLONES
void ff_backward_columns(const Plan *p, const double *Y, const double *DY, double *D, idx m,
                         double *gw, double *gb)
{
    const double *W = p->weights;
    for (idx k = p->n - 1; k >= p->n_in; k--) {
        double *restrict row = D + k * m;
        const double *restrict dyk = DY + k * m;
        double total = 0.0;
        for (idx q = 0; q < m; q++) {
            row[q] *= dyk[q];  /* now dC/ds_k */
            total += row[q];
        }
        gb[k] += total;
        for (idx e = p->in_ptr[k]; e < p->in_ptr[k + 1]; e++) {
            idx i = p->in_src[e];
            const double *restrict src = Y + i * m;
            double *restrict up = D + i * m;
            double we = W[e], g = 0.0;
            for (idx q = 0; q < m; q++) {
                g += row[q] * src[q];
                up[q] += we * row[q];
            }
            gw[e] += g;
        }
    }
}

/* One sample's dC/dw and dC/db added into gw, gb, given dC/dy at the outputs. */
static inline void backward_row(const Plan *p, const double *restrict y,
                                const double *restrict dy, const double *restrict dC_dy,
                                double *restrict gw, double *restrict gb,
                                double *restrict delta)
{
    const double *W = p->weights;
    for (idx k = 0; k < p->n; k++)
        delta[k] = 0.0;
    for (idx o = 0; o < p->n_out; o++)
        delta[p->output_pos[o]] = dC_dy[o];
    /* delta holds dC/dy_k until neuron k is reached, then dC/ds_k */
    for (idx k = p->n - 1; k >= p->n_in; k--) {
        double dk = delta[k] * dy[k];
        idx e0 = p->in_ptr[k], e1 = p->in_ptr[k + 1];
        gb[k] += dk;
        if (is_wide(p, k)) {
            idx s0 = p->in_start[k], m = e1 - e0;
            double *restrict g = gw + e0, *restrict up = delta + s0;
            const double *restrict w = W + e0, *restrict ys = y + s0;
            for (idx j = 0; j < m; j++) {
                g[j] += dk * ys[j];
                up[j] += dk * w[j];
            }
        } else {
            for (idx e = e0; e < e1; e++) {
                idx i = p->in_src[e];
                gw[e] += dk * y[i];
                delta[i] += dk * W[e];
            }
        }
    }
}

static inline idx pick(const idx *order, idx n, idx epoch, idx r)
{
    return order ? order[epoch * n + r] : r;
}

/* The end of an epoch: its error (the validation set's, if there is one), or NaN when a
 * weight, bias or the error is no longer finite, in which case the weights and biases
 * go back to the epoch's start. */
static inline double epoch_end(const Plan *p, int cost, double train_error,
                               const double *Xv, const double *Tv, idx n_valid, State *st,
                               const double *backup_w, const double *backup_b)
{
    double err = train_error;
    if (n_valid > 0) {
        err = 0.0;
        for (idx r = 0; r < n_valid; r++) {
            forward(p, Xv + r * p->n_in, st->s, st->y, st->dy, NULL, NULL);
            err += output_cost(p, cost, st->y, Tv + r * p->n_out);
        }
        err /= (double)n_valid;
    }
    if (!(isfinite(err) && all_finite(p->weights, p->n_syn) && all_finite(p->biases, p->n))) {
        memcpy(p->weights, backup_w, (size_t)p->n_syn * sizeof(double));
        memcpy(p->biases, backup_b, (size_t)p->n * sizeof(double));
        return NAN;
    }
    return err;
}

/* What an epoch's error says: DIVERGED (NaN), REACHED_ERROR, or RAN_ALL (go on). */
static inline int verdict(double err, double stop_error)
{
    return isnan(err) ? DIVERGED : (err <= stop_error ? REACHED_ERROR : RAN_ALL);
}

/* Synaptic's online training: each epoch activates then propagates every sample, in
 * order[epoch] (NULL: as given). The epoch's error is the mean cost of the outputs seen
 * before each propagate (Synaptic's Trainer), or the validation set's. Returns the
 * epochs run; *status says why it stopped (RAN_ALL, REACHED_ERROR, DIVERGED: the
 * weights are then those at the start of the last epoch). */
SIMD_CLONES
idx ff_train_online(const Plan *p, const double *X, const double *T, idx n_samples,
                    const idx *order, idx n_epochs, const double *rates, int cost,
                    double stop_error, const double *Xv, const double *Tv, idx n_valid,
                    State *st, double *errors, double *backup_w, double *backup_b,
                    double *pending, int *status)
{
    *status = RAN_ALL;
    for (idx ep = 0; ep < n_epochs; ep++) {
        memcpy(backup_w, p->weights, (size_t)p->n_syn * sizeof(double));
        memcpy(backup_b, p->biases, (size_t)p->n * sizeof(double));
        double total = 0.0;
        const double *x_old = NULL;  /* the inputs of the pending updates */
        for (idx r = 0; r < n_samples; r++) {
            idx i = pick(order, n_samples, ep, r);
            const double *t = T + i * p->n_out, *x = X + i * p->n_in;
            forward(p, x, st->s, st->y, st->dy, pending, x_old);
            total += output_cost(p, cost, st->y, t);
            propagate(p, st->y, st->dy, t, rates[ep], st->resp, NULL, NULL, pending);
            x_old = x;
        }
        flush(p, pending, x_old);
        double err = epoch_end(p, cost, total / (double)n_samples, Xv, Tv, n_valid, st,
                               backup_w, backup_b);
        errors[ep] = err;
        if ((*status = verdict(err, stop_error)) != RAN_ALL)
            return ep + 1;
    }
    return n_epochs;
}

/* One optimizer step given Adam's bias corrections c1 = 1 - beta1^t, c2 = 1 - beta2^t
 * (computed once per step by the caller: the weights and biases share them). */
static inline void optimizer_step_corrected(int optimizer, double *params,
                                            const double *grads, idx n, double rate,
                                            double momentum, double *m, double *v,
                                            double beta1, double beta2, double eps,
                                            double c1, double c2)
{
    if (optimizer == SGD) {
        if (momentum != 0.0) {
            for (idx k = 0; k < n; k++) {
                m[k] = momentum * m[k] - rate * grads[k];
                params[k] += m[k];
            }
        } else {
            for (idx k = 0; k < n; k++)
                params[k] -= rate * grads[k];
        }
        return;
    }
    for (idx k = 0; k < n; k++) {
        double g = grads[k];
        m[k] = beta1 * m[k] + (1.0 - beta1) * g;
        v[k] = beta2 * v[k] + (1.0 - beta2) * g * g;
        params[k] -= rate * (m[k] / c1) / (sqrt(v[k] / c2) + eps);
    }
}

/* SGD (m is the velocity when momentum > 0) or Adam (moments m, v; step t). */
SIMD_CLONES
void optimizer_step(int optimizer, double *params, const double *grads, idx n, double rate,
                    double momentum, double *m, double *v, int64_t t, double beta1,
                    double beta2, double eps)
{
    double c1 = 1.0, c2 = 1.0;
    if (optimizer != SGD) {
        c1 = 1.0 - pow(beta1, (double)t);
        c2 = 1.0 - pow(beta2, (double)t);
    }
    optimizer_step_corrected(optimizer, params, grads, n, rate, momentum, m, v, beta1, beta2,
                             eps, c1, c2);
}

/* Minibatch descent on the exact gradient of each batch's mean cost. Returns as
 * ff_train_online. */
SIMD_CLONES
idx ff_train_gradient(const Plan *p, const double *X, const double *T, idx n_samples,
                      const idx *order, idx n_epochs, const double *rates, idx batch_size,
                      int cost, double stop_error, const double *Xv, const double *Tv,
                      idx n_valid, const Optimizer *opt, State *st, double *delta,
                      double *dC, double *gw, double *gb, double *errors, double *backup_w,
                      double *backup_b, int *status)
{
    *status = RAN_ALL;
    idx n_syn = p->n_syn, n = p->n;
    for (idx ep = 0; ep < n_epochs; ep++) {
        memcpy(backup_w, p->weights, (size_t)n_syn * sizeof(double));
        memcpy(backup_b, p->biases, (size_t)n * sizeof(double));
        double total = 0.0;
        for (idx start = 0; start < n_samples; start += batch_size) {
            idx stop = start + batch_size < n_samples ? start + batch_size : n_samples;
            memset(gw, 0, (size_t)n_syn * sizeof(double));
            memset(gb, 0, (size_t)n * sizeof(double));
            for (idx r = start; r < stop; r++) {
                idx i = pick(order, n_samples, ep, r);
                const double *t = T + i * p->n_out;
                forward(p, X + i * p->n_in, st->s, st->y, st->dy, NULL, NULL);
                total += output_cost(p, cost, st->y, t);
                output_gradient(p, cost, st->y, t, 1.0 / (double)(stop - start), dC);
                backward_row(p, st->y, st->dy, dC, gw, gb, delta);
            }
            /* input neurons' biases are never used, nor learned by fixed neurons */
            for (idx k = 0; k < n; k++)
                gb[k] *= opt->input_mask[k];
            for (idx e = 0; e < n_syn; e++)
                gw[e] *= opt->weight_mask[e];
            *opt->step += 1;
            /* Adam's bias corrections, once for the weights and the biases (pow is a
             * good part of a small network's step) */
            double c1 = 1.0, c2 = 1.0;
            if (opt->optimizer != SGD) {
                c1 = 1.0 - pow(opt->beta1, (double)*opt->step);
                c2 = 1.0 - pow(opt->beta2, (double)*opt->step);
            }
            optimizer_step_corrected(opt->optimizer, p->weights, gw, n_syn, rates[ep],
                                     opt->momentum, opt->state_w, opt->state_w + n_syn,
                                     opt->beta1, opt->beta2, opt->eps, c1, c2);
            optimizer_step_corrected(opt->optimizer, p->biases, gb, n, rates[ep],
                                     opt->momentum, opt->state_b, opt->state_b + n,
                                     opt->beta1, opt->beta2, opt->eps, c1, c2);
        }
        double err = epoch_end(p, cost, total / (double)n_samples, Xv, Tv, n_valid, st,
                               backup_w, backup_b);
        errors[ep] = err;
        if ((*status = verdict(err, stop_error)) != RAN_ALL)
            return ep + 1;
    }
    return n_epochs;
}
