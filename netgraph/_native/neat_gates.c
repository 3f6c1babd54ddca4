/* Neataptic's structural mutations over NEAT genomes (issue 22): gates, self-connections
 * and back-connections, with gates as genes that carry innovation numbers.
 *
 * Neataptic 1.4.7 (methods/mutation.js, Network.mutate) is the reference for what each
 * mutation picks; NEAT (this library's neat_core.c) for how the genes are kept:
 *
 * - A gate gene (innovation, gater node, gated connection (in, out)) says the gater's
 *   activation multiplies the connection (Synaptic's / Neataptic's gain). A connection
 *   has at most one gate. Its innovation number comes from the run's innovation map
 *   (kind INNOV_GATE, keyed by the gater and the connection), so the same gate made twice
 *   in one generation has one number, as NEAT's connections do.
 * - A self-connection is the connection gene (k, k): Synaptic's memory, which feeds
 *   back the node's previous state.
 * - A back-connection is a connection gene that, taken in innovation order, closes a cycle
 *   with the undelayed connections before it; it reads its source's previous activation
 *   (a delayed synapse). Connections are never reordered, so whether a gene is delayed
 *   follows from the genome's genes alone (genome_back_flags).
 *
 * Each mutation draws at its own rate after neat-python's structural mutations (and draws
 * nothing at rate 0, so neat-python's random sequence is untouched). Splitting a gated
 * connection (add node) moves its gate to one of the halves, as Neataptic's ADD_NODE does
 * (gates_split; one draw, only when there is a gate). Gates whose gater or connection is gone (a deleted node or connection) are dropped with them. Crossover gives
 * the child the fitter parent's gates (its connections are the fitter parent's, and a
 * gate has no attribute to mix), and the compatibility distance counts the gate genes two
 * genomes do not share as disjoint (gates_distance).
 */
#include "neat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "lanes.h"

/* ================================================================ gene storage */

int gates_reserve(Genome *g, int32_t ng)
{
    if (ng <= g->capg) return 0;
    int32_t cap = ng + 4;
    void *a = realloc(g->ginno, 8 * (size_t)cap);
    if (!a) return -1;
    g->ginno = a;
    a = realloc(g->gnode, 4 * (size_t)cap);
    if (!a) return -1;
    g->gnode = a;
    a = realloc(g->gin, 4 * (size_t)cap);
    if (!a) return -1;
    g->gin = a;
    a = realloc(g->gout, 4 * (size_t)cap);
    if (!a) return -1;
    g->gout = a;
    g->capg = cap;
    return 0;
}

void gates_free(Genome *g)
{
    free(g->ginno); free(g->gnode); free(g->gin); free(g->gout);
    g->ginno = NULL; g->gnode = g->gin = g->gout = NULL;
    g->ng = g->capg = 0;
}

/* dst's gate genes = src's. */
int gates_copy(Genome *dst, const Genome *src)
{
    dst->ng = 0;
    if (!src->ng) return 0;
    if (gates_reserve(dst, src->ng)) return -1;
    size_t n = (size_t)src->ng;
    memcpy(dst->ginno, src->ginno, 8 * n); memcpy(dst->gnode, src->gnode, 4 * n);
    memcpy(dst->gin, src->gin, 4 * n); memcpy(dst->gout, src->gout, 4 * n);
    dst->ng = src->ng;
    return 0;
}

static int32_t gate_find(const Genome *g, int64_t in, int64_t out)
{
    for (int32_t k = 0; k < g->ng; k++)
        if (g->gin[k] == in && g->gout[k] == out) return k;
    return -1;
}

static void gate_remove(Genome *g, int32_t k)
{
    size_t tail = (size_t)(g->ng - k - 1);
    memmove(g->ginno + k, g->ginno + k + 1, 8 * tail);
    memmove(g->gnode + k, g->gnode + k + 1, 4 * tail);
    memmove(g->gin + k, g->gin + k + 1, 4 * tail);
    memmove(g->gout + k, g->gout + k + 1, 4 * tail);
    g->ng--;
}

static int gate_insert(Genome *g, int64_t inno, int64_t node, int64_t in, int64_t out)
{
    if (gates_reserve(g, g->ng + 1)) return -1;
    int32_t at = g->ng;
    while (at > 0 && g->ginno[at - 1] > inno) at--;
    size_t tail = (size_t)(g->ng - at);
    memmove(g->ginno + at + 1, g->ginno + at, 8 * tail);
    memmove(g->gnode + at + 1, g->gnode + at, 4 * tail);
    memmove(g->gin + at + 1, g->gin + at, 4 * tail);
    memmove(g->gout + at + 1, g->gout + at, 4 * tail);
    g->ginno[at] = inno; g->gnode[at] = (int32_t)node;
    g->gin[at] = (int32_t)in; g->gout[at] = (int32_t)out;
    g->ng++;
    return 0;
}

/* Drop the gates whose gater node or connection the genome no longer has. */
int gates_prune(Genome *g)
{
    int32_t m = 0;
    for (int32_t k = 0; k < g->ng; k++) {
        if (genome_find_node(g, g->gnode[k]) < 0 || genome_find_conn(g, g->gin[k], g->gout[k]) < 0)
            continue;
        g->ginno[m] = g->ginno[k]; g->gnode[m] = g->gnode[k];
        g->gin[m] = g->gin[k]; g->gout[m] = g->gout[k];
        m++;
    }
    g->ng = m;
    return 0;
}

/* ================================================================ delayed connections */

/* back[k] for each connection gene k: 2 a self-connection, 1 a back-connection (in
 * innovation order, it closes a cycle of the undelayed connections before it, disabled
 * ones included), 0 an undelayed one. Returns -1 when out of memory. */
int genome_back_flags(const Genome *g, int num_inputs, uint8_t *back)
{
    int32_t nslots = num_inputs + g->nn, nc = g->nc;
    int32_t *head = malloc(sizeof(int32_t) * (size_t)(nslots ? nslots : 1));
    int32_t *next = malloc(sizeof(int32_t) * (size_t)(nc ? nc : 1));
    int32_t *dst = malloc(sizeof(int32_t) * (size_t)(nc ? nc : 1));
    int32_t *stack = malloc(sizeof(int32_t) * (size_t)(nslots + 1));
    uint8_t *seen = malloc((size_t)(nslots ? nslots : 1));
    if (!head || !next || !dst || !stack || !seen) {
        free(head); free(next); free(dst); free(stack); free(seen);
        return -1;
    }
    for (int32_t s = 0; s < nslots; s++) head[s] = -1;
#define SLOT(key) ((key) < 0 ? (int32_t)(-(key) - 1) : num_inputs + genome_find_node(g, (key)))
    for (int32_t k = 0; k < nc; k++) {
        int64_t in = g->cin[k], out = g->cout[k];
        if (in == out) { back[k] = 2; continue; }
        int32_t a = SLOT(in), b = SLOT(out), found = 0;
        if (in >= 0) { /* does `out` reach `in` through the undelayed genes so far? */
            memset(seen, 0, (size_t)nslots);
            int32_t top = 0;
            stack[top++] = b;
            seen[b] = 1;
            while (top && !found) {
                int32_t v = stack[--top];
                for (int32_t e = head[v]; e >= 0; e = next[e]) {
                    if (dst[e] == a) { found = 1; break; }
                    if (!seen[dst[e]]) { seen[dst[e]] = 1; stack[top++] = dst[e]; }
                }
            }
        }
        back[k] = (uint8_t)found;
        if (!found) { dst[k] = b; next[k] = head[a]; head[a] = k; }
    }
#undef SLOT
    free(head); free(next); free(dst); free(stack); free(seen);
    return 0;
}

/* ================================================================ mutations */

/* Neataptic's ADD_GATE: a random non-input node gates a random ungated connection
 * (enabled ones, self-connections included). Neataptic draws the node, then the
 * connection; nothing is drawn when no connection can take a gate. */
int mutate_add_gate(Pop *p, Genome *g)
{
    int32_t open = 0;
    for (int32_t k = 0; k < g->nc; k++)
        open += g->en[k] && gate_find(g, g->cin[k], g->cout[k]) < 0;
    if (!open || !g->nn) return 0;
    int64_t node = g->nkey[rng_choice(&p->rng, g->nn)];
    int64_t want = rng_choice(&p->rng, open);
    for (int32_t k = 0; k < g->nc; k++) {
        if (!g->en[k] || gate_find(g, g->cin[k], g->cout[k]) >= 0 || want-- > 0) continue;
        int64_t in = g->cin[k], out = g->cout[k];
        int64_t pair = (int64_t)(((uint64_t)(uint32_t)(int32_t)in << 32) | (uint32_t)(int32_t)out);
        int64_t inno = innov_get(&p->innov, node, pair, INNOV_GATE);
        if (inno < 0) return -1;
        return gate_insert(g, inno, node, in, out);
    }
    return 0;
}

/* Neataptic's ADD_NODE keeps a split connection's gate: it gates one of the two new
 * connections, either with even odds (random() >= 0.5: in -> node, else node -> out).
 * The old gene is disabled, so its gate gene goes; the moved one is a new gate gene. */
int gates_split(Pop *p, Genome *g, int64_t in, int64_t out, int64_t node)
{
    int32_t k = gate_find(g, in, out);
    if (k < 0) return 0;
    int64_t gater = g->gnode[k];
    gate_remove(g, k);
    int first = rng_random(&p->rng) >= 0.5;
    int64_t a = first ? in : node, b = first ? node : out;
    int64_t pair = (int64_t)(((uint64_t)(uint32_t)(int32_t)a << 32) | (uint32_t)(int32_t)b);
    int64_t inno = innov_get(&p->innov, gater, pair, INNOV_GATE);
    if (inno < 0) return -1;
    return gate_insert(g, inno, gater, a, b);
}

/* Neataptic's SUB_GATE: a random gate goes. */
int mutate_delete_gate(Pop *p, Genome *g)
{
    if (g->ng) gate_remove(g, (int32_t)rng_choice(&p->rng, g->ng));
    return 0;
}

/* Neataptic's ADD_SELF_CONN: a random node without a self-connection gets one (its
 * weight and flag drawn as any new connection's). */
int mutate_add_self_connection(Pop *p, Genome *g)
{
    int32_t open = 0;
    for (int32_t k = 0; k < g->nn; k++) open += genome_find_conn(g, g->nkey[k], g->nkey[k]) < 0;
    if (!open) return 0;
    int64_t want = rng_choice(&p->rng, open);
    for (int32_t k = 0; k < g->nn; k++) {
        int64_t key = g->nkey[k];
        if (genome_find_conn(g, key, key) >= 0 || want-- > 0) continue;
        int64_t inno = innov_get(&p->innov, key, key, INNOV_ADD_CONNECTION);
        if (inno < 0) return -1;
        return genome_insert_conn(p, g, key, key, inno) < 0 ? -1 : 0;
    }
    return 0;
}

/* Neataptic's SUB_SELF_CONN: a random self-connection goes (with its gate). */
int mutate_delete_self_connection(Pop *p, Genome *g)
{
    int32_t have = 0;
    for (int32_t k = 0; k < g->nc; k++) have += g->cin[k] == g->cout[k];
    if (!have) return 0;
    int64_t want = rng_choice(&p->rng, have);
    for (int32_t k = 0; k < g->nc; k++) {
        if (g->cin[k] != g->cout[k] || want-- > 0) continue;
        genome_remove_conn(g, k);
        return gates_prune(g);
    }
    return 0;
}

/* Neataptic's ADD_BACK_CONN: a connection from a node to one before it, which reads the
 * previous step. Here "before" is "reaches it through undelayed connections", so the new
 * gene closes a cycle and is delayed (genome_back_flags). Pairs (from, to) of node genes
 * are taken by from's key, then to's key, those already connected left out. */
int mutate_add_back_connection(Pop *p, Genome *g)
{
    int32_t nn = g->nn, ni = p->cfg.num_inputs, nslots = ni + nn;
    if (nn < 2) return 0;
    uint8_t *back = malloc((size_t)(g->nc ? g->nc : 1));
    uint8_t *reach = calloc((size_t)nn * (size_t)nn, 1); /* reach[v * nn + u]: v reaches u */
    int32_t *stack = malloc(sizeof(int32_t) * (size_t)(nslots + 1));
    int rc = -1;
    if (!back || !reach || !stack || genome_back_flags(g, ni, back)) goto done;
    for (int32_t v = 0; v < nn; v++) {
        uint8_t *row = reach + (size_t)v * (size_t)nn;
        int32_t top = 0;
        stack[top++] = v;
        while (top) {
            int64_t from = g->nkey[stack[--top]];
            for (int32_t k = 0; k < g->nc; k++) {
                if (back[k] || g->cin[k] != from) continue;
                int32_t u = genome_find_node(g, g->cout[k]);
                if (!row[u]) { row[u] = 1; stack[top++] = u; }
            }
        }
    }
    int64_t open = 0;
    for (int32_t u = 0; u < nn; u++)
        for (int32_t v = 0; v < nn; v++)
            open += u != v && reach[(size_t)v * nn + u] &&
                    genome_find_conn(g, g->nkey[u], g->nkey[v]) < 0;
    rc = 0;
    if (!open) goto done;
    int64_t want = rng_choice(&p->rng, open);
    for (int32_t u = 0; u < nn; u++)
        for (int32_t v = 0; v < nn; v++) {
            if (u == v || !reach[(size_t)v * nn + u] ||
                genome_find_conn(g, g->nkey[u], g->nkey[v]) >= 0 || want-- > 0)
                continue;
            int64_t inno = innov_get(&p->innov, g->nkey[u], g->nkey[v], INNOV_ADD_CONNECTION);
            rc = inno < 0 || genome_insert_conn(p, g, g->nkey[u], g->nkey[v], inno) < 0 ? -1 : 0;
            goto done;
        }
done:
    free(back); free(reach); free(stack);
    return rc;
}

/* Neataptic's SUB_BACK_CONN: a random back-connection goes, among those whose source
 * sends and whose target receives more than this one connection. */
int mutate_delete_back_connection(Pop *p, Genome *g)
{
    if (!g->nc) return 0;
    uint8_t *back = malloc((size_t)g->nc);
    if (!back || genome_back_flags(g, p->cfg.num_inputs, back)) { free(back); return -1; }
    int32_t have = 0;
    for (int32_t pass = 0; pass < 2; pass++) {
        int64_t want = pass ? rng_choice(&p->rng, have) : 0;
        for (int32_t k = 0; k < g->nc; k++) {
            if (back[k] != 1) continue;
            int32_t outs = 0, ins = 0;
            for (int32_t j = 0; j < g->nc; j++) {
                outs += g->cin[j] == g->cin[k];
                ins += g->cout[j] == g->cout[k];
            }
            if (outs < 2 || ins < 2) continue;
            if (!pass) { have++; continue; }
            if (want-- > 0) continue;
            genome_remove_conn(g, k);
            free(back);
            return gates_prune(g);
        }
        if (!have) break;
    }
    free(back);
    return 0;
}

/* Each of Neataptic's mutations at its own rate (a rate of 0 draws nothing), after
 * neat-python's structural ones; then the gates of anything deleted go. */
int gates_mutate(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    int rc = 0;
    if (g->ng) gates_prune(g);
    if (c->gate_add_prob > 0 && rng_random(r) < c->gate_add_prob) rc |= mutate_add_gate(p, g);
    if (c->gate_delete_prob > 0 && rng_random(r) < c->gate_delete_prob)
        rc |= mutate_delete_gate(p, g);
    if (c->self_add_prob > 0 && rng_random(r) < c->self_add_prob)
        rc |= mutate_add_self_connection(p, g);
    if (c->self_delete_prob > 0 && rng_random(r) < c->self_delete_prob)
        rc |= mutate_delete_self_connection(p, g);
    if (c->back_add_prob > 0 && rng_random(r) < c->back_add_prob)
        rc |= mutate_add_back_connection(p, g);
    if (c->back_delete_prob > 0 && rng_random(r) < c->back_delete_prob)
        rc |= mutate_delete_back_connection(p, g);
    return rc ? -1 : 0;
}

/* ================================================================ distance */

/* The gates' part of the compatibility distance: c1 * (gate genes not shared) / N.
 * neat-python's distance matches genes by key, so gates match by (gater, in, out) and N
 * is the larger gate count; the paper's matches them by innovation number and N is the
 * larger gate count, or 1 below 20 (as its connection part). */
double gates_distance(const NeatConfig *c, const Genome *a, const Genome *b)
{
    int32_t matched = 0;
    if (c->distance_paper) {
        int32_t i = 0, j = 0;
        while (i < a->ng && j < b->ng) {
            if (a->ginno[i] < b->ginno[j]) i++;
            else if (b->ginno[j] < a->ginno[i]) j++;
            else { matched++; i++; j++; }
        }
    } else {
        for (int32_t i = 0; i < a->ng; i++)
            for (int32_t j = 0; j < b->ng; j++)
                if (a->gnode[i] == b->gnode[j] && a->gin[i] == b->gin[j] &&
                    a->gout[i] == b->gout[j]) { matched++; break; }
    }
    int32_t larger = a->ng > b->ng ? a->ng : b->ng;
    double n = (double)larger;
    if (c->distance_paper && larger < 20) n = 1.0;
    return larger ? c->compat_disjoint * (double)(a->ng + b->ng - 2 * matched) / n : 0.0;
}

/* ================================================================ evaluation */

/* The fitness offset - cost of a gated genome's network (netgraph/neat/_gated.py builds
 * it as a netgraph Network) over rows X -> Y, stepping from a fresh state, computed as
 * netgraph's recurrent kernel (recurrent.c's rec_activate) computes it, bit for bit:
 * neurons in netgraph's order (inputs, then a topological order of the undelayed synapses
 * taking the lowest of hidden-by-key-then-outputs-by-key first), state = g_self * w_self *
 * old state + bias + sum(in * w * gain) in innovation order, gains set by each gater as it
 * activates; a genome without a delayed, gated or self synapse as netgraph's feed-forward
 * kernel computes it. Returns 0; 1 when that feed-forward genome has softmax outputs (the
 * caller evaluates it through its network); -1 out of memory. */
int gated_eval_dataset(const Genome *g, const NeatConfig *c, const double *X, const double *Y,
                       int64_t rows, int cost, double offset, double *fitness)
{
    return gated_run(g, c, X, rows, NULL, 0, Y, cost, offset, fitness, NULL);
}

/* gated_eval_dataset's network run over rows X, from a fresh state that comes back at
 * each row index in resets[0..nresets) (ascending; sequences). With Y, the fitness
 * offset - cost into *fitness; with out, the outputs (rows x num_outputs). */
int gated_run(const Genome *g, const NeatConfig *c, const double *X, int64_t rows,
              const int64_t *resets, int64_t nresets, const double *Y, int cost,
              double offset, double *fitness, double *outputs)
{
    int32_t ni = c->num_inputs, nn = g->nn, nc = g->nc, n = ni + nn;
    int rc = -1;
    uint8_t *back = malloc((size_t)(nc ? nc : 1));
    int32_t *pos = malloc(sizeof(int32_t) * (size_t)n);      /* node index -> position */
    int32_t *order = malloc(sizeof(int32_t) * (size_t)n);    /* position -> slot */
    int32_t *indeg = calloc((size_t)n, sizeof(int32_t));
    int32_t *rank = malloc(sizeof(int32_t) * (size_t)n);
    int32_t *gater = malloc(sizeof(int32_t) * (size_t)(nc ? nc : 1)); /* slot, or -1 */
    double *s = calloc((size_t)n, sizeof(double)), *y = calloc((size_t)n, sizeof(double));
    double *yp = calloc((size_t)n, sizeof(double)), *gain = malloc(sizeof(double) * (size_t)(nc ? nc : 1));
    double *w = malloc(sizeof(double) * (size_t)(nc ? nc : 1));
    uint8_t *done = calloc((size_t)n, 1);
    int32_t *selfc = malloc(sizeof(int32_t) * (size_t)n);
    int32_t *ff_start = NULL;
    double *ff_w = NULL, *ff_y = NULL;
    if (!back || !pos || !order || !indeg || !rank || !gater || !s || !y || !yp || !gain || !w ||
        !done || !selfc || genome_back_flags(g, ni, back))
        goto out;
#define SLOT(key) ((key) < 0 ? (int32_t)(-(key) - 1) : ni + genome_find_node(g, (key)))
    /* netgraph's insertion order: inputs, hidden nodes by key, outputs by key */
    for (int32_t i = 0; i < ni; i++) rank[i] = i;
    {
        int32_t r = ni;
        for (int32_t k = 0; k < nn; k++) if (g->nkey[k] >= c->num_outputs) rank[ni + k] = r++;
        for (int32_t k = 0; k < nn; k++) if (g->nkey[k] < c->num_outputs) rank[ni + k] = r++;
    }
    int recurrent = 0;
    for (int32_t k = 0; k < n; k++) selfc[k] = -1;
    for (int32_t e = 0; e < nc; e++) {
        gater[e] = -1;
        gain[e] = 1.0;
        w[e] = g->resp[genome_find_node(g, g->cout[e])] * g->w[e];
        if (!g->en[e]) continue;
        if (back[e]) recurrent = 1;
        if (back[e] == 2) selfc[SLOT(g->cout[e])] = e;
        else if (!back[e]) indeg[SLOT(g->cout[e])]++;
    }
    for (int32_t q = 0; q < g->ng; q++) {
        int32_t e = genome_find_conn(g, g->gin[q], g->gout[q]);
        if (e >= 0 && g->en[e]) { gater[e] = SLOT(g->gnode[q]); recurrent = 1; }
    }
    /* A genome without a delayed, gated or self synapse is a feed-forward network, which
     * netgraph runs with its feed-forward kernel (feedforward.c's forward): restated below
     * (ff_start), but for softmax outputs, which that kernel normalizes as a group (the
     * caller evaluates such a genome itself). */
    int ff = !recurrent;
    if (ff)
        for (int32_t k = 0; k < nn; k++)
            if (c->act_codes[g->act[k]] == SOFTMAX) { rc = 1; goto out; }
    /* lexicographical topological sort (networkx's, keyed by rank) over undelayed synapses */
    for (int32_t p = 0; p < n; p++) {
        int32_t best = -1;
        for (int32_t v = 0; v < n; v++)
            if (!done[v] && indeg[v] == 0 && (best < 0 || rank[v] < rank[best])) best = v;
        if (best < 0) goto out; /* a cycle of undelayed synapses: cannot happen */
        done[best] = 1;
        order[p] = best;
        pos[best] = p;
        if (best >= ni) {
            int64_t key = g->nkey[best - ni];
            for (int32_t e = 0; e < nc; e++)
                if (g->en[e] && !back[e] && g->cin[e] == key) indeg[SLOT(g->cout[e])]--;
        } else {
            int64_t key = -(int64_t)best - 1;
            for (int32_t e = 0; e < nc; e++)
                if (g->en[e] && !back[e] && g->cin[e] == key) indeg[SLOT(g->cout[e])]--;
        }
    }
    /* Feed-forward networks: a neuron with WIDE or more synapses whose sources sit at
     * consecutive positions (in innovation order, netgraph's synapse order) sums them as
     * feedforward.c's dot does, in eight lanes; ff_start[j] is its first source's
     * position, or -1 (one synapse at a time, bias first, as the gated sum below). */
    if (ff) {
        ff_start = malloc(sizeof(int32_t) * (size_t)n);
        ff_w = malloc(sizeof(double) * (size_t)(nc ? nc : 1));
        ff_y = malloc(sizeof(double) * (size_t)n);
        if (!ff_start || !ff_w || !ff_y) goto out;
        for (int32_t j = 0; j < n; j++) {
            ff_start[j] = -1;
            if (j < ni) continue;
            int64_t key = g->nkey[j - ni];
            int32_t width = 0, first = -1, runs = 1;
            for (int32_t e = 0; e < nc; e++) {
                if (!g->en[e] || g->cout[e] != key) continue;
                int32_t at = pos[SLOT(g->cin[e])];
                if (width == 0) first = at;
                else if (at != first + width) runs = 0;
                width++;
            }
            if (width >= WIDE && runs) ff_start[j] = first;
        }
    }
    double f = offset, acc = 0.0;
    int32_t nout = c->num_outputs;
    int64_t next_reset = 0;
    for (int64_t r = 0; r < rows; r++) {
        while (next_reset < nresets && resets[next_reset] <= r) {
            if (resets[next_reset++] == r) { /* a fresh state: netgraph's clear(states=True) */
                memset(s, 0, sizeof(double) * (size_t)n);
                memset(y, 0, sizeof(double) * (size_t)n);
                for (int32_t e = 0; e < nc; e++) gain[e] = 1.0;
            }
        }
        memcpy(yp, y, sizeof(double) * (size_t)n);
        for (int32_t i = 0; i < ni; i++) y[i] = X[r * ni + i];
        for (int32_t p = ni; p < n; p++) {
            int32_t j = order[p], node = j - ni;
            int64_t key = g->nkey[node];
            int32_t se = selfc[j];
            if (ff && ff_start[j] >= 0) { /* feedforward.c's dot, over positions */
                int32_t width = 0;
                for (int32_t e = 0; e < nc; e++)
                    if (g->en[e] && g->cout[e] == key) ff_w[width++] = w[e];
                for (int32_t q = 0; q < width; q++) ff_y[q] = y[order[ff_start[j] + q]];
                double total = g->bias[node] + lane_dot(ff_w, ff_y, width);
                s[j] = total;
                double dy;
                activate_neuron(c->act_codes[g->act[node]], total, &y[j], &dy);
                continue;
            }
            double total = ff ? g->bias[node]
                              : (se >= 0 ? gain[se] * w[se] : 0.0) * s[j] + g->bias[node];
            for (int32_t e = 0; e < nc; e++) { /* synapses into j, innovation order */
                if (!g->en[e] || g->cout[e] != key || back[e] == 2) continue;
                int32_t u = SLOT(g->cin[e]);
                double in = back[e] ? yp[u] : y[u];
                total += in * w[e] * gain[e];
            }
            s[j] = total;
            double dy;
            activate_neuron(c->act_codes[g->act[node]], total, &y[j], &dy);
            for (int32_t e = 0; e < nc; e++) if (gater[e] == j) gain[e] = y[j];
        }
        for (int32_t o = 0; o < nout; o++) {
            if (outputs) outputs[r * nout + o] = y[ni + genome_find_node(g, o)];
            if (!Y) continue;
            double d = y[ni + genome_find_node(g, o)] - Y[r * nout + o];
            switch (cost) {
            case 0: f -= d * d; break;          /* sse */
            case 3: f -= fabs(d); break;        /* sae */
            case 1: acc += d * d; break;        /* mse */
            default: acc += fabs(d); break;     /* mae */
            }
        }
    }
#undef SLOT
    if (cost == 1 || cost == 2) f = offset - acc / ((double)rows * (double)nout);
    if (fitness) *fitness = f;
    rc = 0;
out:
    free(back); free(pos); free(order); free(indeg); free(rank); free(gater); free(s); free(y);
    free(yp); free(gain); free(w); free(done); free(selfc); free(ff_start); free(ff_w);
    free(ff_y);
    return rc;
}
