/* The scalar rules the kernels apply: activations with their derivatives, and costs.
 *
 * Each restates, for one number, a rule of netgraph/_activations.py or _costs.py, keyed
 * by the same code; tests/test_activations.py holds every pair together. Append new
 * activations at the end, with the code the registry gives them.
 */
#ifndef NETGRAPH_RULES_H
#define NETGRAPH_RULES_H

#include <math.h>

#include "plan.h"

#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946
#define LEAKY_SLOPE 0.01
/* neat-python 2.0.0's clamps and constants, and brain.js 1.6.1's leaky-relu slope */
#define NEAT_CLAMP 60.0
#define NEAT_GAUSS_CLAMP 3.4
#define NEAT_LOG_FLOOR 1e-7
#define NEAT_LEAK 0.005
#define BRAIN_LEAKY_ALPHA 0.01
#define STEEP_SLOPE 4.9  /* the NEAT paper's steepened sigmoid */

/* Softmax (_activations.SOFTMAX) is no per-neuron rule: an output's value is
 * exp(s_k) / sum_j exp(s_j) over the network's softmax outputs. Here it is the identity;
 * feedforward.c normalizes the group after each forward pass. */
#define SOFTMAX 33

/* z limited to [-limit, limit] (NaN stays NaN, as numpy's clip keeps it). */
static inline double clamp(double z, double limit)
{
    return z < -limit ? -limit : (z > limit ? limit : z);
}

/* f(s) for activation `code`. */
static inline double act(idx code, double s)
{
    switch (code) {
    case 0:  /* logistic; exp(-s) may overflow to inf, which gives the right limit, 0 */
        return 1.0 / (1.0 + exp(-s));
    case 1: return tanh(s);
    case 2: return s;                               /* identity */
    case 3: return s > 0 ? 1.0 : 0.0;               /* hlim */
    case 4: return s > 0 ? s : 0.0;                 /* relu */
    case 5: return s / (1.0 + fabs(s));             /* softsign */
    case 6: return sin(s);                          /* sinusoid */
    case 7: return exp(-s * s);                     /* gaussian */
    case 8: return (sqrt(s * s + 1.0) - 1.0) / 2.0 + s;  /* bent identity */
    case 9: return s > 0 ? 1.0 : -1.0;              /* bipolar */
    case 10: return tanh(s / 2.0);                  /* bipolar sigmoid, 2/(1+e^-s) - 1 */
    case 11: return s < -1.0 ? -1.0 : (s > 1.0 ? 1.0 : s);  /* hard tanh */
    case 12: return fabs(s);                        /* absolute */
    case 13: return 1.0 - s;                        /* inverse */
    case 14: return SELU_SCALE * (s > 0 ? s : SELU_ALPHA * expm1(s));
    case 15: return s > 0 ? s : LEAKY_SLOPE * s;    /* leaky relu */
    case 16: /* softplus: log(1 + e^s), written so that it cannot overflow */
        return fmax(s, 0.0) + log1p(exp(-fabs(s)));
    case 17: return s > 0 ? 1.0 : 0.0;              /* step (Neataptic's STEP) */
    case 18: return 1.0 / (1.0 + exp(-clamp(5.0 * s, NEAT_CLAMP)));  /* neat_sigmoid */
    case 19: return tanh(clamp(2.5 * s, NEAT_CLAMP));               /* neat_tanh */
    case 20: return sin(clamp(5.0 * s, NEAT_CLAMP));                /* neat_sin */
    case 21: { double z = clamp(s, NEAT_GAUSS_CLAMP); return exp(-5.0 * (z * z)); }
    case 22: /* neat_softplus, as neat-python writes it (log of 1 + e^z, not log1p) */
        return 0.2 * log(1.0 + exp(clamp(5.0 * s, NEAT_CLAMP)));
    case 23: return s > 0 ? s : expm1(s);           /* elu */
    case 24: return s > 0 ? s : NEAT_LEAK * s;      /* neat_lelu */
    case 25: return s != 0 ? 1.0 / s : 0.0;         /* neat_inv: 0 where 1/s is undefined */
    case 26: return log(s > NEAT_LOG_FLOOR ? s : NEAT_LOG_FLOOR);  /* neat_log */
    case 27: return exp(clamp(s, NEAT_CLAMP));      /* neat_exp */
    case 28: return fmax(0.0, 1.0 - fabs(s));       /* hat */
    case 29: return s * s;                          /* square */
    case 30: return pow(s, 3.0);                    /* cube, through pow as neat-python */
    case 32: return 1.0 / (1.0 + exp(-STEEP_SLOPE * s));      /* steep_sigmoid */
    case SOFTMAX: return s;  /* each output's own sum: feedforward.c normalizes the group */
    default: /* 31, brain_leaky_relu: brain.js's "leaky-relu" as it computes it */
        return s < 0 ? 0.0 : BRAIN_LEAKY_ALPHA * s;
    }
}

/* f'(s), given s and y = f(s) (several derivatives are cheapest from y). */
static inline double deriv(idx code, double s, double y)
{
    switch (code) {
    case 0: return y * (1.0 - y);
    case 1: return 1.0 - y * y;
    case 2: return 1.0;
    case 3: return 1.0;             /* hlim: Synaptic's convention, not a derivative */
    case 4: return s > 0 ? 1.0 : 0.0;
    case 5: { double d = 1.0 + fabs(s); return 1.0 / (d * d); }
    case 6: return cos(s);
    case 7: return -2.0 * s * y;
    case 8: return s / (2.0 * sqrt(s * s + 1.0)) + 1.0;
    case 9: return 0.0;
    case 10: return (1.0 - y * y) / 2.0;
    case 11: return fabs(s) < 1.0 ? 1.0 : 0.0;
    case 12: return s < 0 ? -1.0 : 1.0;
    case 13: return -1.0;
    /* selu: scale * alpha * e^s for s <= 0, not y + scale * alpha, which cancels for
     * very negative s (all digits lost by s = -40) */
    case 14: return s > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * exp(s);
    case 15: return s > 0 ? 1.0 : LEAKY_SLOPE;
    case 16: /* softplus' is the logistic, written so that it cannot overflow */
        if (s >= 0)
            return 1.0 / (1.0 + exp(-s));
        { double e = exp(s); return e / (1.0 + e); }
    case 17: return 0.0;
    /* neat-python's clamped forms have slope 0 where the clamp holds */
    case 18: return fabs(5.0 * s) < NEAT_CLAMP ? 5.0 * y * (1.0 - y) : 0.0;
    case 19: return fabs(2.5 * s) < NEAT_CLAMP ? 2.5 * (1.0 - y * y) : 0.0;
    case 20: return fabs(5.0 * s) < NEAT_CLAMP ? 5.0 * cos(5.0 * s) : 0.0;
    case 21: return fabs(s) < NEAT_GAUSS_CLAMP ? -10.0 * s * y : 0.0;
    case 22: { double z = 5.0 * s; return fabs(z) < NEAT_CLAMP ? 1.0 / (1.0 + exp(-z)) : 0.0; }
    case 23: return s > 0 ? 1.0 : y + 1.0;
    case 24: return s > 0 ? 1.0 : NEAT_LEAK;
    case 25: return s != 0 ? -y * y : 0.0;
    case 26: return s > NEAT_LOG_FLOOR ? 1.0 / s : 0.0;
    case 27: return fabs(s) < NEAT_CLAMP ? y : 0.0;
    case 28: return fabs(s) >= 1.0 ? 0.0 : (s > 0 ? -1.0 : (s < 0 ? 1.0 : 0.0));
    case 29: return 2.0 * s;
    case 30: return 3.0 * s * s;
    case 32: return STEEP_SLOPE * y * (1.0 - y);
    case SOFTMAX: return 1.0;  /* the gradients take the group's Jacobian (feedforward.c) */
    default: return s > 0 ? BRAIN_LEAKY_ALPHA : 0.0;
    }
}

/* Logistic is the default and by far the most common: spelled out, it saves the
 * dispatch in the innermost loops. */
static inline void activate_neuron(idx code, double s, double *y, double *dy)
{
    if (code == 0) {
        double v = 1.0 / (1.0 + exp(-s));
        *y = v;
        *dy = v * (1.0 - v);
    } else {
        double v = act(code, s);
        *y = v;
        *dy = deriv(code, s, v);
    }
}

/* Costs, numbered as _costs.py: the per-sample cost Synaptic's Trainer reports. */
enum { MSE = 0, CROSS_ENTROPY = 1, MAE = 2, BINARY = 3 };
#define CE_GUARD 1e-15  /* Synaptic's guard against log(0) */

/* One sample's cost; y is indexed by neuron position, t by output. */
static inline double sample_cost(int cost, const double *y, const idx *output_pos,
                                 const double *t, idx n_out)
{
    double total = 0.0;
    for (idx o = 0; o < n_out; o++) {
        double yo = y[output_pos[o]], to = t[o];
        switch (cost) {
        case MSE: total += (to - yo) * (to - yo); break;
        case CROSS_ENTROPY:
            total -= to * log(yo + CE_GUARD) + (1.0 - to) * log((1.0 + CE_GUARD) - yo);
            break;
        case MAE: total += fabs(to - yo); break;
        default:  /* BINARY counts outputs on the wrong side: JavaScript's Math.round */
            if (floor(2.0 * to + 0.5) != floor(2.0 * yo + 0.5))
                total += 1.0;
        }
    }
    return (cost == MSE || cost == MAE) ? total / (double)n_out : total;
}

/* d cost / d y for each output, times `scale`, into out. */
static inline void cost_gradient(int cost, const double *y, const idx *output_pos,
                                 const double *t, idx n_out, double scale, double *out)
{
    for (idx o = 0; o < n_out; o++) {
        double yo = y[output_pos[o]], to = t[o], g;
        if (cost == MSE)
            g = 2.0 * (yo - to) / (double)n_out;
        else if (cost == CROSS_ENTROPY)
            g = (1.0 - to) / ((1.0 + CE_GUARD) - yo) - to / (yo + CE_GUARD);
        else
            g = (yo > to ? 1.0 : (yo < to ? -1.0 : 0.0)) / (double)n_out;
        out[o] = g * scale;
    }
}

/* Whether every entry is finite. Multiplying by 0 gives 0 for a finite number and NaN
 * for an infinite or NaN one, so the sum is 0 or NaN: no overflow, no early exit, and
 * the loop vectorizes. */
static inline int all_finite(const double *a, idx n)
{
    double z[4] = {0.0, 0.0, 0.0, 0.0};
    idx k = 0;
    for (; k + 4 <= n; k += 4)
        for (int q = 0; q < 4; q++)
            z[q] += a[k + q] * 0.0;
    for (; k < n; k++)
        z[0] += a[k] * 0.0;
    return (z[0] + z[1]) + (z[2] + z[3]) == 0.0;
}

#endif
