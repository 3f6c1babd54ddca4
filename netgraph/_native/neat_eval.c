/* A genome's network, evaluated as neat-python 2.0.0 evaluates it (nn/feed_forward.py,
 * nn/recurrent.py, aggregations.py), with netgraph's activation functions (rules.h).
 *
 * Feed-forward: the nodes required for the outputs (graphs.required_for_output over the
 * enabled connections) in an order where every node follows its sources (the order of
 * graphs.feed_forward_layers up to nodes of one layer, which do not read each other).
 * Recurrent: every node with an enabled incoming connection, all reading the previous
 * step's values (inputs: the current ones), two buffers as RecurrentNetwork.
 * A node's value is act(bias + response * agg(w_i * x_i)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neat.h"
#include "rules.h"

static int ensure_i32(int32_t **p, int32_t *cap, int32_t n)
{
    if (n <= *cap) return 0;
    int32_t c = n + n / 2 + 8;
    void *q = realloc(*p, sizeof(int32_t) * (size_t)c);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

void net_free(Net *net)
{
    free(net->eval_node); free(net->link_start); free(net->link_src); free(net->link_w);
    free(net->v0); free(net->v1); free(net->tmp); free(net->work); free(net->blk);
    memset(net, 0, sizeof *net);
}

static int net_reserve(Net *net, int32_t slots, int32_t links, int32_t work)
{
    if (slots > net->cap_slots) {
        int32_t c = slots + slots / 2 + 8;
        void *a = realloc(net->eval_node, sizeof(int32_t) * (size_t)c);
        if (!a) return -1;
        net->eval_node = a;
        a = realloc(net->link_start, sizeof(int32_t) * (size_t)(c + 1));
        if (!a) return -1;
        net->link_start = a;
        a = realloc(net->v0, sizeof(double) * (size_t)c);
        if (!a) return -1;
        net->v0 = a;
        a = realloc(net->v1, sizeof(double) * (size_t)c);
        if (!a) return -1;
        net->v1 = a;
        net->cap_slots = c;
    }
    if (links > net->cap_links) {
        int32_t c = links + links / 2 + 8;
        void *a = realloc(net->link_src, sizeof(int32_t) * (size_t)c);
        if (!a) return -1;
        net->link_src = a;
        a = realloc(net->link_w, sizeof(double) * (size_t)c);
        if (!a) return -1;
        net->link_w = a;
        a = realloc(net->tmp, sizeof(double) * (size_t)c);
        if (!a) return -1;
        net->tmp = a;
        net->cap_links = c;
    }
    return ensure_i32(&net->work, &net->cap_work, work);
}

/* Build g's network into net (buffers reused between genomes). Returns 0 or -1 (memory). */
int net_build(Net *net, const Genome *g, const NeatConfig *c)
{
    int32_t nin = c->num_inputs, nn = g->nn, nc = g->nc, slots = nin + nn;
    /* work: src slot[nc], dst node[nc], in_start[nn+1], in_list[nc], state[nn], stack[2nn+2] */
    int32_t need = 3 * nc + 4 * nn + 8;
    if (net_reserve(net, slots, nc, need)) return -1;
    net->nin = nin;
    net->nout = c->num_outputs;
    net->nslots = slots;
    net->recurrent = !c->feed_forward;
    int32_t *src = net->work, *dst = src + nc, *in_start = dst + nc, *in_list = in_start + nn + 1;
    int32_t *state = in_list + nc, *stack = state + nn;
    int32_t ne = 0; /* enabled connections kept */
    for (int32_t k = 0; k < nc; k++) {
        if (!g->en[k]) continue;
        int64_t a = g->cin[k];
        int32_t sa = a < 0 ? (int32_t)(-a - 1) : nin + genome_find_node(g, a);
        int32_t d = genome_find_node(g, g->cout[k]);
        if (d < 0 || sa < 0 || (a >= 0 && sa < nin)) continue; /* not a gene of this genome */
        src[ne] = sa;
        dst[ne] = d;
        in_list[ne] = k; /* temporarily: gene index */
        ne++;
    }
    /* CSR of enabled connections by destination node, in innovation order */
    memset(in_start, 0, sizeof(int32_t) * (size_t)(nn + 1));
    for (int32_t e = 0; e < ne; e++) in_start[dst[e] + 1]++;
    for (int32_t i = 0; i < nn; i++) in_start[i + 1] += in_start[i];
    /* links grouped by node: link_src/link_w at in_start positions */
    {
        int32_t *fill = state; /* nn entries, reused below */
        memcpy(fill, in_start, sizeof(int32_t) * (size_t)nn);
        for (int32_t e = 0; e < ne; e++) {
            int32_t pos = fill[dst[e]]++;
            net->link_src[pos] = src[e];
            net->link_w[pos] = g->w[in_list[e]];
        }
    }
    int32_t nev = 0;
    net->clean = 0;
    if (net->recurrent) {
        for (int32_t i = 0; i < nn; i++)
            if (in_start[i + 1] > in_start[i]) net->eval_node[nev++] = i;
    } else {
        /* depth-first from the outputs through sources: post-order is a topological order
         * of the required nodes. state: 0 new, 1 open, 2 done */
        memset(state, 0, sizeof(int32_t) * (size_t)nn);
        int cyclic = 0;
        for (int32_t o = 0; o < c->num_outputs && o < nn; o++) {
            if (state[o]) continue;
            int32_t top = 0;
            stack[top++] = o;
            state[o] = 1;
            /* each stack entry: node, and next link to explore kept in stack[nn + depth] */
            int32_t *next = stack + nn + 1;
            next[0] = in_start[o];
            while (top) {
                int32_t v = stack[top - 1];
                int32_t e = next[top - 1];
                if (e < in_start[v + 1]) {
                    next[top - 1]++;
                    int32_t s = net->link_src[e];
                    if (s < nin) continue;
                    int32_t u = s - nin;
                    if (state[u] == 1) cyclic = 1; /* read before it is computed */
                    if (state[u]) continue; /* done, or open (a cycle: not in feed-forward) */
                    state[u] = 1;
                    stack[top] = u;
                    next[top] = in_start[u];
                    top++;
                } else {
                    state[v] = 2;
                    net->eval_node[nev++] = v;
                    top--;
                }
            }
        }
        /* every evaluated node then rewrites its slot before any read of it, and the
         * others stay 0: v0 is cleared here once, not by each activation */
        if (!cyclic) {
            memset(net->v0, 0, sizeof(double) * (size_t)slots);
            net->clean = 1;
        }
    }
    net->nevals = nev;
    /* node i's links are link_src/link_w[link_start[i] .. link_start[i + 1]) */
    memcpy(net->link_start, in_start, sizeof(int32_t) * (size_t)(nn + 1));
    return 0;
}

/* Clear a recurrent network's memory (RecurrentNetwork.reset) */
void net_reset(Net *net)
{
    memset(net->v0, 0, sizeof(double) * (size_t)net->nslots);
    memset(net->v1, 0, sizeof(double) * (size_t)net->nslots);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* aggregations.py over the products xs[0..n) */
static double aggregate(int code, double *xs, int32_t n)
{
    double v;
    switch (code) {
    case AGG_SUM: v = 0.0; for (int32_t i = 0; i < n; i++) v += xs[i]; return v;
    case AGG_PRODUCT: v = 1.0; for (int32_t i = 0; i < n; i++) v *= xs[i]; return v;
    case AGG_MAX:
        if (!n) return 0.0;
        v = xs[0]; for (int32_t i = 1; i < n; i++) if (xs[i] > v) v = xs[i];
        return v;
    case AGG_MIN:
        if (!n) return 0.0;
        v = xs[0]; for (int32_t i = 1; i < n; i++) if (xs[i] < v) v = xs[i];
        return v;
    case AGG_MAXABS:
        if (!n) return 0.0;
        v = xs[0]; for (int32_t i = 1; i < n; i++) if (fabs(xs[i]) > fabs(v)) v = xs[i];
        return v;
    case AGG_MEDIAN: /* median2: the mean of up to two, else the middle (or middle pair) */
        if (!n) return 0.0;
        if (n <= 2) { v = 0.0; for (int32_t i = 0; i < n; i++) v += xs[i]; return v / n; }
        qsort(xs, (size_t)n, sizeof(double), cmp_d);
        if (n % 2) return xs[n / 2];
        return (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
    default: /* mean */
        if (!n) return 0.0;
        v = 0.0; for (int32_t i = 0; i < n; i++) v += xs[i];
        return v / n;
    }
}

static inline double node_value(const Net *net, const Genome *g, const NeatConfig *c,
                                int32_t node, int32_t a, int32_t b, const double *in)
{
    int aggc = c->agg_codes[g->agg[node]];
    double s;
    if (aggc == AGG_SUM) {
        s = 0.0;
        for (int32_t e = a; e < b; e++) s += in[net->link_src[e]] * net->link_w[e];
    } else {
        for (int32_t e = a; e < b; e++) net->tmp[e - a] = in[net->link_src[e]] * net->link_w[e];
        s = aggregate(aggc, net->tmp, b - a);
    }
    return act(c->act_codes[g->act[node]], g->bias[node] + g->resp[node] * s);
}

/* One activation: x[nin] in, y[nout] out. Feed-forward networks start from scratch each
 * call (nodes not required read 0); recurrent ones step once from their state. */
void net_activate(Net *net, const Genome *g, const NeatConfig *c, const double *x, double *y)
{
    int32_t nin = net->nin;
    if (!net->recurrent) {
        double *v = net->v0;
        for (int32_t i = 0; i < nin; i++) v[i] = x[i];
        /* nodes not required stay 0, as neat-python never computes them (cleared once
         * by net_build when no node is read before it is computed) */
        if (!net->clean)
            for (int32_t i = nin; i < net->nslots; i++) v[i] = 0.0;
        for (int32_t k = 0; k < net->nevals; k++) {
            int32_t node = net->eval_node[k];
            v[nin + node] = node_value(net, g, c, node, net->link_start[node],
                                       net->link_start[node + 1], v);
        }
        for (int32_t o = 0; o < net->nout; o++) y[o] = v[nin + o];
        return;
    }
    double *iv = net->v0, *ov = net->v1;
    for (int32_t i = 0; i < nin; i++) { iv[i] = x[i]; ov[i] = x[i]; }
    for (int32_t k = 0; k < net->nevals; k++) {
        int32_t node = net->eval_node[k];
        ov[nin + node] = node_value(net, g, c, node, net->link_start[node],
                                   net->link_start[node + 1], iv);
    }
    for (int32_t o = 0; o < net->nout; o++) y[o] = ov[nin + o];
    net->v0 = ov;
    net->v1 = iv;
}

#define ROW_BLOCK 128

/* A feed-forward network over many rows at once (X: rows x nin, Y: rows x nout, both
 * row-major): each node's value for a block of rows at a time, so the loops run over
 * rows. Every row gets exactly net_activate's arithmetic (the same sums in the same
 * order), only interleaved. Returns -1 for a recurrent network or memory. */
int net_activate_rows(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                      int64_t rows, double *Y)
{
    if (net->recurrent) return -1;
    int32_t nin = net->nin, nout = net->nout;
    int64_t need = (int64_t)net->nslots * ROW_BLOCK;
    if (need > net->cap_blk) {
        double *b = realloc(net->blk, sizeof(double) * (size_t)need);
        if (!b) return -1;
        net->blk = b;
        net->cap_blk = need;
    }
    double *V = net->blk;
    for (int64_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
        int32_t B = (int32_t)(rows - r0 < ROW_BLOCK ? rows - r0 : ROW_BLOCK);
        for (int32_t i = 0; i < nin; i++) {
            double *vi = V + (int64_t)i * ROW_BLOCK;
            for (int32_t r = 0; r < B; r++) vi[r] = X[(r0 + r) * nin + i];
        }
        for (int32_t k = 0; k < net->nevals; k++) {
            int32_t node = net->eval_node[k];
            int32_t a = net->link_start[node], b = net->link_start[node + 1];
            double *vs = V + (int64_t)(nin + node) * ROW_BLOCK;
            int aggc = c->agg_codes[g->agg[node]];
            int actc = c->act_codes[g->act[node]];
            double bias = g->bias[node], resp = g->resp[node];
            if (aggc == AGG_SUM) {
                for (int32_t r = 0; r < B; r++) vs[r] = 0.0;
                for (int32_t e = a; e < b; e++) {
                    const double *src = V + (int64_t)net->link_src[e] * ROW_BLOCK;
                    double w = net->link_w[e];
                    for (int32_t r = 0; r < B; r++) vs[r] += src[r] * w;
                }
            } else {
                for (int32_t r = 0; r < B; r++) {
                    for (int32_t e = a; e < b; e++)
                        net->tmp[e - a] = V[(int64_t)net->link_src[e] * ROW_BLOCK + r] * net->link_w[e];
                    vs[r] = aggregate(aggc, net->tmp, b - a);
                }
            }
            for (int32_t r = 0; r < B; r++) vs[r] = act(actc, bias + resp * vs[r]);
        }
        for (int32_t o = 0; o < nout; o++) {
            const double *vo = V + (int64_t)(nin + o) * ROW_BLOCK;
            int evaluated = 0;
            for (int32_t k = 0; k < net->nevals && !evaluated; k++) evaluated = net->eval_node[k] == o;
            for (int32_t r = 0; r < B; r++) Y[(r0 + r) * nout + o] = evaluated ? vo[r] : 0.0;
        }
    }
    return 0;
}

/* net_activate over a few rows at once (X: rows x nin, Y: rows x nout, row-major), for a
 * feed-forward network whose nodes are never read before they are computed (net->clean):
 * each node's links are read once for all rows instead of once a row, and every row gets
 * exactly net_activate's arithmetic (the same sums in the same order), so the same bits.
 * Returns -1 when it does not apply (recurrent, not clean, too many rows, memory). */
int net_activate_few(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                     int64_t rows, double *Y)
{
    if (net->recurrent || !net->clean || rows < 1 || rows > NET_FEW_ROWS) return -1;
    int32_t nin = net->nin, nout = net->nout, R = (int32_t)rows;
    int64_t need = (int64_t)net->nslots * NET_FEW_ROWS;
    if (need > net->cap_blk) {
        double *b = realloc(net->blk, sizeof(double) * (size_t)need);
        if (!b) return -1;
        net->blk = b;
        net->cap_blk = need;
    }
    double *V = net->blk; /* slot-major: V[slot * R + r] */
    for (int32_t r = 0; r < R; r++)
        for (int32_t i = 0; i < nin; i++) V[i * R + r] = X[r * nin + i];
    for (int32_t k = 0; k < net->nevals; k++) {
        int32_t node = net->eval_node[k];
        int32_t a = net->link_start[node], b = net->link_start[node + 1];
        double *vs = V + (int64_t)(nin + node) * R;
        int aggc = c->agg_codes[g->agg[node]];
        int actc = c->act_codes[g->act[node]];
        double bias = g->bias[node], resp = g->resp[node];
        if (aggc == AGG_SUM) {
            double s[NET_FEW_ROWS];
            for (int32_t r = 0; r < R; r++) s[r] = 0.0;
            for (int32_t e = a; e < b; e++) {
                const double *src = V + (int64_t)net->link_src[e] * R;
                double w = net->link_w[e];
                for (int32_t r = 0; r < R; r++) s[r] += src[r] * w;
            }
            for (int32_t r = 0; r < R; r++) vs[r] = act(actc, bias + resp * s[r]);
        } else {
            for (int32_t r = 0; r < R; r++) {
                for (int32_t e = a; e < b; e++)
                    net->tmp[e - a] = V[(int64_t)net->link_src[e] * R + r] * net->link_w[e];
                vs[r] = act(actc, bias + resp * aggregate(aggc, net->tmp, b - a));
            }
        }
    }
    for (int32_t o = 0; o < nout; o++) {
        int evaluated = 0;
        for (int32_t k = 0; k < net->nevals && !evaluated; k++) evaluated = net->eval_node[k] == o;
        const double *vo = V + (int64_t)(nin + o) * R;
        for (int32_t r = 0; r < R; r++) Y[r * nout + o] = evaluated ? vo[r] : 0.0;
    }
    return 0;
}

/* net_activate_rows over inputs stored by column (Xc: nin x rows, each input's values
 * contiguous, as a task's fixed cases are kept): the inputs are read in place instead of
 * copied into the block, which was half the time of a multiplexer evaluation. The same
 * arithmetic in the same order, so the same bits. */
int net_activate_cols(Net *net, const Genome *g, const NeatConfig *c, const double *Xc,
                      int64_t rows, double *Y)
{
    if (net->recurrent) return -1;
    int32_t nin = net->nin, nout = net->nout;
    int64_t need = (int64_t)net->nslots * ROW_BLOCK;
    if (need > net->cap_blk) {
        double *b = realloc(net->blk, sizeof(double) * (size_t)need);
        if (!b) return -1;
        net->blk = b;
        net->cap_blk = need;
    }
    double *V = net->blk;
    for (int64_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
        int32_t B = (int32_t)(rows - r0 < ROW_BLOCK ? rows - r0 : ROW_BLOCK);
        for (int32_t k = 0; k < net->nevals; k++) {
            int32_t node = net->eval_node[k];
            int32_t a = net->link_start[node], b = net->link_start[node + 1];
            double *vs = V + (int64_t)(nin + node) * ROW_BLOCK;
            int aggc = c->agg_codes[g->agg[node]];
            int actc = c->act_codes[g->act[node]];
            double bias = g->bias[node], resp = g->resp[node];
            if (aggc == AGG_SUM) {
                for (int32_t r = 0; r < B; r++) vs[r] = 0.0;
                for (int32_t e = a; e < b; e++) {
                    int32_t sl = net->link_src[e];
                    const double *src = sl < nin ? Xc + (int64_t)sl * rows + r0
                                                 : V + (int64_t)sl * ROW_BLOCK;
                    double w = net->link_w[e];
                    for (int32_t r = 0; r < B; r++) vs[r] += src[r] * w;
                }
            } else {
                for (int32_t r = 0; r < B; r++) {
                    for (int32_t e = a; e < b; e++) {
                        int32_t sl = net->link_src[e];
                        double x = sl < nin ? Xc[(int64_t)sl * rows + r0 + r]
                                            : V[(int64_t)sl * ROW_BLOCK + r];
                        net->tmp[e - a] = x * net->link_w[e];
                    }
                    vs[r] = aggregate(aggc, net->tmp, b - a);
                }
            }
            for (int32_t r = 0; r < B; r++) vs[r] = act(actc, bias + resp * vs[r]);
        }
        for (int32_t o = 0; o < nout; o++) {
            const double *vo = V + (int64_t)(nin + o) * ROW_BLOCK;
            int evaluated = 0;
            for (int32_t k = 0; k < net->nevals && !evaluated; k++) evaluated = net->eval_node[k] == o;
            for (int32_t r = 0; r < B; r++) Y[(r0 + r) * nout + o] = evaluated ? vo[r] : 0.0;
        }
    }
    return 0;
}
