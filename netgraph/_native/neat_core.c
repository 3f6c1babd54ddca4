/* The NEAT algorithm over flat gene arrays: random numbers, genes, operators, speciation,
 * stagnation and reproduction. neat-python 2.0.0 is the reference for every rule; each
 * function names the neat-python method it restates. No Python API here (see neat.c).
 */
#include "neat.h"
#include "neat_ziggurat.h"

#include <float.h>
#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

/* a hint to fetch a genome's genes before they are read (compilers without it: nothing) */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* ================================================================ random numbers */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->tape = NULL;
    r->tape_len = r->tape_pos = 0;
    r->tape_error = 0;
}

/* A standard normal deviate by the ziggurat (Marsaglia & Tsang 2000, J. Stat. Softw.
 * 5(8); 256 layers, tables in neat_ziggurat.h from scripts/ziggurat_tables.py). One
 * 64-bit draw gives the layer i (its low 8 bits) and a signed uniform u in (-1, 1) (its
 * high 52 bits, disjoint from i's); x = u ZIG_X[i] is returned when it lies inside the
 * layer's rectangle under the curve (about 99% of draws). Otherwise: in the base layer,
 * a deviate from the tail beyond r by Marsaglia's method (1964); in another layer, x is
 * kept if a uniform height in the layer's wedge falls under exp(-x^2/2), else all again.
 * Exact in distribution (every layer has the same area); about five times faster than
 * Box-Muller's log, sqrt and cos, which were a fifth of a small generation. */
double rng_normal(Rng *r)
{
    for (;;) {
        uint64_t b = rng_next(r);
        int i = (int)(b & 0xFF);
        double u = ((double)(int64_t)(b >> 12) - 0x1p51 + 0.5) * 0x1p-51;
        double x = u * ZIG_X[i];
        if (fabs(x) < ZIG_X[i + 1]) return x;
        if (i == 0) {
            double t, y;
            do { /* uniforms in (0, 1]: the logs stay finite */
                t = -log((double)((rng_next(r) >> 11) + 1) * 0x1.0p-53) / ZIG_R;
                y = -log((double)((rng_next(r) >> 11) + 1) * 0x1.0p-53);
            } while (y + y < t * t);
            return u < 0 ? -(ZIG_R + t) : ZIG_R + t;
        }
        double h = (double)(rng_next(r) >> 11) * 0x1.0p-53;
        if (ZIG_F[i] + h * (ZIG_F[i + 1] - ZIG_F[i]) < exp(-0.5 * x * x)) return x;
    }
}

/* ================================================================ genes */

/* Give g room for exactly capn node genes and capc connection genes (never shrinks).
 * All ten gene arrays share one block (nkey points at it), node arrays first, 8-byte
 * fields before narrower ones: a small genome is then a few adjacent cache lines, not
 * ten scattered allocations, and speciation, crossover and network building, which read
 * thousands of small genomes each generation, wait far less on memory. */
static int reserve_exact(Genome *g, int32_t capn, int32_t capc)
{
    if (capn <= g->capn && capc <= g->capc) return 0;
    if (capn < g->capn) capn = g->capn;
    if (capc < g->capc) capc = g->capc;
    size_t n = (size_t)capn, m = (size_t)capc;
    char *block = malloc(32 * n + 25 * m + 8);
    if (!block) return -1;
    int64_t *nkey = (int64_t *)block;
    double *bias = (double *)(block + 8 * n), *resp = (double *)(block + 16 * n);
    int32_t *act = (int32_t *)(block + 24 * n), *agg = (int32_t *)(block + 28 * n);
    char *cb = block + 32 * n;
    int64_t *inno = (int64_t *)cb;
    double *w = (double *)(cb + 8 * m);
    int32_t *cin = (int32_t *)(cb + 16 * m), *cout = (int32_t *)(cb + 20 * m);
    uint8_t *en = (uint8_t *)(cb + 24 * m);
    if (g->nkey) {
        size_t on = (size_t)g->capn, om = (size_t)g->capc;
        memcpy(nkey, g->nkey, 8 * on); memcpy(bias, g->bias, 8 * on);
        memcpy(resp, g->resp, 8 * on); memcpy(act, g->act, 4 * on);
        memcpy(agg, g->agg, 4 * on);
        memcpy(inno, g->inno, 8 * om); memcpy(w, g->w, 8 * om);
        memcpy(cin, g->cin, 4 * om); memcpy(cout, g->cout, 4 * om);
        memcpy(en, g->en, om);
        free(g->nkey);
    }
    g->nkey = nkey; g->bias = bias; g->resp = resp; g->act = act; g->agg = agg;
    g->inno = inno; g->w = w; g->cin = cin; g->cout = cout; g->en = en;
    g->capn = capn;
    g->capc = capc;
    return 0;
}

/* Room for nn node and nc connection genes plus the few a mutation adds (a split adds a
 * node and two connections, a new link one): a population of large genomes then holds
 * little slack (10,000 genomes of 2,500 connections fit in 2 GB). */
int genome_reserve(Genome *g, int32_t nn, int32_t nc)
{
    return reserve_exact(g, nn > g->capn ? nn + 2 : g->capn, nc > g->capc ? nc + 3 : g->capc);
}

/* Room for one more gene at a time, amortised (inserts). */
int genome_grow(Genome *g, int32_t nn, int32_t nc)
{
    int32_t capn = nn > g->capn ? (nn > g->capn + g->capn / 4 + 4 ? nn : g->capn + g->capn / 4 + 4)
                                : g->capn;
    int32_t capc = nc > g->capc ? (nc > g->capc + g->capc / 4 + 4 ? nc : g->capc + g->capc / 4 + 4)
                                : g->capc;
    return reserve_exact(g, capn, capc);
}

void genome_init(Genome *g, int64_t key)
{
    memset(g, 0, sizeof *g);
    g->key = key;
    g->fitness = NAN;
    g->species = -1;
}

/* An empty genome that keeps its arrays' memory (the population reuses it). */
void genome_reset(Genome *g, int64_t key)
{
    g->key = key;
    g->fitness = NAN;
    g->species = -1;
    g->nn = g->nc = 0;
    g->ng = 0;
}

void genome_free(Genome *g)
{
    free(g->nkey); /* the block of all gene arrays (reserve_exact) */
    gates_free(g);
    memset(g, 0, sizeof *g);
}

/* dst = a copy of src (dst's old arrays reused or freed). */
int genome_copy(Genome *dst, const Genome *src)
{
    if (genome_reserve(dst, src->nn, src->nc)) return -1;
    dst->key = src->key;
    dst->fitness = src->fitness;
    dst->species = src->species;
    dst->nn = src->nn;
    dst->nc = src->nc;
    size_t n = (size_t)src->nn, m = (size_t)src->nc;
    if (n) {
        memcpy(dst->nkey, src->nkey, 8 * n); memcpy(dst->bias, src->bias, 8 * n);
        memcpy(dst->resp, src->resp, 8 * n); memcpy(dst->act, src->act, 4 * n);
        memcpy(dst->agg, src->agg, 4 * n);
    }
    if (m) {
        memcpy(dst->inno, src->inno, 8 * m); memcpy(dst->cin, src->cin, 4 * m);
        memcpy(dst->cout, src->cout, 4 * m); memcpy(dst->w, src->w, 8 * m);
        memcpy(dst->en, src->en, m);
    }
    return gates_copy(dst, src);
}

/* Index of node `key`, or -1 (nodes are sorted by key). */
int32_t genome_find_node(const Genome *g, int64_t key)
{
    int32_t lo = 0, hi = g->nn - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) / 2;
        if (g->nkey[mid] == key) return mid;
        if (g->nkey[mid] < key) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* Index of the connection (in, out), or -1 (a linear scan: genes are innovation-ordered). */
int32_t genome_find_conn(const Genome *g, int64_t in, int64_t out)
{
    for (int32_t k = 0; k < g->nc; k++)
        if (g->cin[k] == in && g->cout[k] == out) return k;
    return -1;
}

/* Insert a node gene keeping keys sorted; returns its index or -1 (memory). */
static int32_t insert_node(Genome *g, int64_t key, double bias, double resp, int32_t act,
                           int32_t agg)
{
    if (genome_grow(g, g->nn + 1, g->nc)) return -1;
    int32_t at = g->nn;
    while (at > 0 && g->nkey[at - 1] > key) at--;
    size_t tail = (size_t)(g->nn - at);
    memmove(g->nkey + at + 1, g->nkey + at, 8 * tail);
    memmove(g->bias + at + 1, g->bias + at, 8 * tail);
    memmove(g->resp + at + 1, g->resp + at, 8 * tail);
    memmove(g->act + at + 1, g->act + at, 4 * tail);
    memmove(g->agg + at + 1, g->agg + at, 4 * tail);
    g->nkey[at] = key; g->bias[at] = bias; g->resp[at] = resp;
    g->act[at] = act; g->agg[at] = agg;
    g->nn++;
    return at;
}

/* Insert a connection gene keeping innovation numbers sorted; returns its index or -1. */
static int32_t insert_conn(Genome *g, int64_t inno, int64_t in, int64_t out, double w,
                           uint8_t en)
{
    if (genome_grow(g, g->nn, g->nc + 1)) return -1;
    int32_t at = g->nc;
    while (at > 0 && g->inno[at - 1] > inno) at--;
    size_t tail = (size_t)(g->nc - at);
    memmove(g->inno + at + 1, g->inno + at, 8 * tail);
    memmove(g->cin + at + 1, g->cin + at, 4 * tail);
    memmove(g->cout + at + 1, g->cout + at, 4 * tail);
    memmove(g->w + at + 1, g->w + at, 8 * tail);
    memmove(g->en + at + 1, g->en + at, tail);
    g->inno[at] = inno; g->cin[at] = (int32_t)in; g->cout[at] = (int32_t)out; g->w[at] = w; g->en[at] = en;
    g->nc++;
    return at;
}

static void remove_conn(Genome *g, int32_t k)
{
    size_t tail = (size_t)(g->nc - k - 1);
    memmove(g->inno + k, g->inno + k + 1, 8 * tail);
    memmove(g->cin + k, g->cin + k + 1, 4 * tail);
    memmove(g->cout + k, g->cout + k + 1, 4 * tail);
    memmove(g->w + k, g->w + k + 1, 8 * tail);
    memmove(g->en + k, g->en + k + 1, tail);
    g->nc--;
}

static void remove_node(Genome *g, int32_t k)
{
    size_t tail = (size_t)(g->nn - k - 1);
    memmove(g->nkey + k, g->nkey + k + 1, 8 * tail);
    memmove(g->bias + k, g->bias + k + 1, 8 * tail);
    memmove(g->resp + k, g->resp + k + 1, 8 * tail);
    memmove(g->act + k, g->act + k + 1, 4 * tail);
    memmove(g->agg + k, g->agg + k + 1, 4 * tail);
    g->nn--;
}

/* ================================================================ attributes (attributes.py) */

static double clampd(double v, double lo, double hi) { return v > hi ? hi : (v < lo ? lo : v); }

/* FloatAttribute.init_value */
static double float_init(Rng *r, const FloatAttr *a)
{
    if (a->init_uniform) {
        double lo = fmax(a->min_value, a->init_mean - 2.0 * a->init_stdev);
        double hi = fmin(a->max_value, a->init_mean + 2.0 * a->init_stdev);
        return lo + (hi - lo) * rng_random(r);
    }
    return clampd(rng_gauss(r, a->init_mean, a->init_stdev), a->min_value, a->max_value);
}

/* FloatAttribute.mutate_value */
static double float_mutate(Rng *r, const FloatAttr *a, double v)
{
    double u = rng_random(r);
    if (u < a->mutate_rate)
        return clampd(v + rng_gauss(r, 0.0, a->mutate_power), a->min_value, a->max_value);
    if (u < a->replace_rate + a->mutate_rate)
        return float_init(r, a);
    return v;
}

/* weight_perturbation = "uniform" (Stanley's NEAT C++ 1.2.1, Genome::mutate_link_weights,
 * and the paper's "uniformly perturbed"): one draw decides as float_mutate does, then the
 * perturbation, or the new value, is uniform in +-mutate_power (one draw). */
static double float_mutate_uniform(Rng *r, const FloatAttr *a, double v)
{
    double u = rng_random(r);
    if (u < a->mutate_rate)
        return clampd(v + (2.0 * rng_random(r) - 1.0) * a->mutate_power, a->min_value,
                      a->max_value);
    if (u < a->replace_rate + a->mutate_rate)
        return clampd((2.0 * rng_random(r) - 1.0) * a->mutate_power, a->min_value,
                      a->max_value);
    return v;
}

/* BoolAttribute.init_value for `enabled` */
static uint8_t enabled_init(Rng *r, const NeatConfig *c)
{
    if (c->enabled_default == 2) return rng_random(r) < 0.5;
    return (uint8_t)c->enabled_default;
}

/* BoolAttribute.mutate_value for `enabled` */
static uint8_t enabled_mutate(Rng *r, const NeatConfig *c, uint8_t v)
{
    double rate = c->enabled_mutate_rate + (v ? c->enabled_to_false_add : c->enabled_to_true_add);
    if (rate > 0 && rng_random(r) < rate)
        return rng_random(r) < 0.5;
    return v;
}

/* StringAttribute.init_value / mutate_value over option indices */
static int32_t option_init(Rng *r, int n, int dflt)
{
    return dflt >= 0 ? dflt : (int32_t)rng_choice(r, n);
}

static int32_t option_mutate(Rng *r, int n, double rate, int32_t v)
{
    if (rate > 0 && rng_random(r) < rate)
        return (int32_t)rng_choice(r, n);
    return v;
}

/* DefaultGenome.create_node: a node gene with initial attributes (bias, response,
 * activation, aggregation, in neat-python's attribute order). */
static int32_t create_node(Pop *p, Genome *g, int64_t key)
{
    Rng *r = &p->rng;
    const NeatConfig *c = &p->cfg;
    double b = float_init(r, &c->bias);
    double s = float_init(r, &c->response);
    int32_t a = option_init(r, c->n_act, c->act_default);
    int32_t q = option_init(r, c->n_agg, c->agg_default);
    return insert_node(g, key, b, s, a, q);
}

/* DefaultGenome.create_connection / add_connection: weight and enabled drawn by
 * init_attributes; add_connection then overwrites them (the draws still happen). */
static int32_t create_conn(Pop *p, Genome *g, int64_t in, int64_t out, int64_t inno,
                           int set, double w, uint8_t en)
{
    double w0 = float_init(&p->rng, &p->cfg.weight);
    uint8_t e0 = enabled_init(&p->rng, &p->cfg);
    return insert_conn(g, inno, in, out, set ? w : w0, set ? en : e0);
}

/* ================================================================ innovation tracker */

static uint64_t innov_hash(int64_t in, int64_t out, int32_t type)
{
    uint64_t h = (uint64_t)in * 0x9E3779B97F4A7C15ULL;
    h ^= (uint64_t)out + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
    h ^= (uint64_t)type * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    return h;
}

void innov_clear(Innovations *t)
{
    t->count = 0;
    if (t->live > 0 && t->live < INT32_MAX) { t->live++; return; }
    if (t->table) memset(t->table, 0, sizeof(InnovEntry) * t->cap);
    t->live = 1;
}

void innov_free(Innovations *t)
{
    free(t->table);
    t->table = NULL;
    t->cap = t->count = 0;
    t->live = 0;
}

static int innov_put(Innovations *t, int64_t in, int64_t out, int32_t type, int64_t number);

static int innov_grow(Innovations *t)
{
    size_t oldcap = t->cap;
    InnovEntry *old = t->table;
    size_t cap = oldcap ? oldcap * 2 : 64;
    t->table = calloc(cap, sizeof(InnovEntry));
    if (!t->table) { t->table = old; return -1; }
    t->cap = cap;
    t->count = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].used == t->live) innov_put(t, old[i].in, old[i].out, old[i].type, old[i].number);
    free(old);
    return 0;
}

static int innov_put(Innovations *t, int64_t in, int64_t out, int32_t type, int64_t number)
{
    if (t->live <= 0) t->live = 1;
    if ((t->count + 1) * 2 > t->cap && innov_grow(t)) return -1;
    size_t mask = t->cap - 1, i = innov_hash(in, out, type) & mask;
    while (t->table[i].used == t->live) i = (i + 1) & mask;
    t->table[i] = (InnovEntry){in, out, number, type, t->live};
    t->count++;
    return 0;
}

/* The entry (in, out, type) of this generation, or -1. */
static int64_t innov_find(const Innovations *t, int64_t in, int64_t out, int32_t type)
{
    if (!t->cap) return -1;
    size_t mask = t->cap - 1, i = innov_hash(in, out, type) & mask;
    while (t->table[i].used == t->live) {
        const InnovEntry *e = &t->table[i];
        if (e->in == in && e->out == out && e->type == type) return e->number;
        i = (i + 1) & mask;
    }
    return -1;
}

/* InnovationTracker.get_innovation_number: the same (in, out, type) within one generation
 * gets the same number; otherwise the counter advances. Returns -1 on memory failure. */
int64_t innov_get(Innovations *t, int64_t in, int64_t out, int32_t type)
{
    if (t->cap) {
        size_t mask = t->cap - 1, i = innov_hash(in, out, type) & mask;
        while (t->table[i].used == t->live) {
            InnovEntry *e = &t->table[i];
            if (e->in == in && e->out == out && e->type == type) return e->number;
            i = (i + 1) & mask;
        }
    }
    int64_t number = ++t->counter;
    if (innov_put(t, in, out, type, number)) return -1;
    return number;
}

/* ================================================================ graphs.py */

/* graphs.creates_cycle over all of g's connections (enabled or not): would in -> out
 * close a cycle? A search from `out` along the connections, looking for `in`. */
int creates_cycle(const Genome *g, int64_t in, int64_t out, int num_inputs)
{
    if (in == out) return 1;
    if (in < 0) return 0; /* nothing reaches an input */
    int32_t nn = g->nn, nc = g->nc;
    /* slots: inputs 0..num_inputs-1, then nodes */
    int32_t total = num_inputs + nn;
    /* small genomes (nearly all) work in buffers on the stack: no allocation */
    enum { SMALL_SLOTS = 256, SMALL_CONNS = 1024 };
    uint8_t seen_s[SMALL_SLOTS];
    int32_t stack_s[SMALL_SLOTS + 1], start_s[SMALL_SLOTS + 1], fill_s[SMALL_SLOTS + 1];
    int32_t adj_s[SMALL_CONNS + 1];
    int small = total <= SMALL_SLOTS && nc <= SMALL_CONNS;
    uint8_t *seen = small ? seen_s : malloc((size_t)total);
    int32_t *stack = small ? stack_s : malloc(sizeof(int32_t) * (size_t)(total + 1));
    int32_t *start = small ? start_s : malloc(sizeof(int32_t) * (size_t)(total + 1));
    int32_t *fill = small ? fill_s : malloc(sizeof(int32_t) * (size_t)(total + 1));
    int32_t *adj = small ? adj_s : malloc(sizeof(int32_t) * (size_t)(nc + 1));
    int found = 0;
    if (!seen || !stack || !start || !fill || !adj) { found = -1; goto done; }
    memset(seen, 0, (size_t)total);
    memset(start, 0, sizeof(int32_t) * (size_t)(total + 1));
#define SLOT(key) ((key) < 0 ? (int32_t)(-(key) - 1) : num_inputs + genome_find_node(g, (key)))
    for (int32_t k = 0; k < nc; k++) start[SLOT(g->cin[k]) + 1]++;
    for (int32_t i = 0; i < total; i++) start[i + 1] += start[i];
    memcpy(fill, start, sizeof(int32_t) * (size_t)(total + 1));
    for (int32_t k = 0; k < nc; k++) adj[fill[SLOT(g->cin[k])]++] = SLOT(g->cout[k]);
    {
        int32_t target = SLOT(in), top = 0, s0 = SLOT(out);
        if (s0 < num_inputs) goto done; /* `out` unknown to the graph */
        stack[top++] = s0;
        seen[s0] = 1;
        while (top && !found) {
            int32_t v = stack[--top];
            for (int32_t e = start[v]; e < start[v + 1]; e++) {
                int32_t u = adj[e];
                if (u == target) { found = 1; break; }
                if (!seen[u]) { seen[u] = 1; stack[top++] = u; }
            }
        }
    }
#undef SLOT
done:
    if (!small) { free(seen); free(stack); free(start); free(fill); free(adj); }
    return found;
}

/* ================================================================ mutations (genome.py) */

static int64_t new_node_key(Pop *p, const Genome *g)
{
    /* DefaultGenomeConfig.get_new_node_key: a counter started, at its first use, from the
     * genome in hand (max key + 1, or num_outputs), then shared by the whole run. */
    if (p->next_node_key < 0)
        p->next_node_key = g->nn ? g->nkey[g->nn - 1] + 1 : p->cfg.num_outputs;
    if (p->next_node_key >= INT32_MAX / 2) return -1; /* connections hold keys in 32 bits */
    return p->next_node_key++;
}

int mutate_add_connection(Pop *p, Genome *g);

/* DefaultGenome.mutate_add_node */
int mutate_add_node(Pop *p, Genome *g)
{
    if (g->nc == 0) {
        if (p->cfg.surer) return mutate_add_connection(p, g);
        return 0;
    }
    int32_t k;
    int64_t bias_key = p->cfg.bias_input >= 0 ? -(int64_t)p->cfg.bias_input - 1 : INT64_MIN;
    if (p->cfg.split_old_genes && g->nc < 15) {
        /* NEAT C++ (Genome::mutate_add_node, genomes of fewer than 15 genes, against
         * "chaining"): from the first enabled gene not out of the bias input, step on
         * past each further gene with probability 0.3 (and past any out of the bias
         * input); split the gene stopped at if it is enabled, else nothing */
        for (k = 0; k < g->nc && (!g->en[k] || g->cin[k] == bias_key); k++) {}
        while (k < g->nc && (g->cin[k] == bias_key || rng_random(&p->rng) < 0.3)) k++;
        if (k >= g->nc || !g->en[k]) return 0;
    } else if (bias_key != INT64_MIN) {
        /* NEAT C++ (Genome::mutate_add_node): never a gene out of the bias input; a
         * random enabled one (split_enabled_only) or any other */
        int32_t fit = 0;
        for (k = 0; k < g->nc; k++)
            fit += (g->en[k] || !p->cfg.split_enabled_only) && g->cin[k] != bias_key;
        if (!fit) return 0;
        int64_t want = rng_choice(&p->rng, fit);
        for (k = 0; k < g->nc; k++)
            if ((g->en[k] || !p->cfg.split_enabled_only) && g->cin[k] != bias_key &&
                want-- == 0)
                break;
    } else if (p->cfg.split_enabled_only) {
        /* NEAT C++ (Genome::mutate_add_node): a random enabled connection, or nothing */
        int32_t enabled = 0;
        for (k = 0; k < g->nc; k++) enabled += g->en[k] != 0;
        if (!enabled) return 0;
        int64_t want = rng_choice(&p->rng, enabled);
        for (k = 0; k < g->nc; k++)
            if (g->en[k] && want-- == 0) break;
    } else {
        k = (int32_t)rng_choice(&p->rng, g->nc);
    }
    int64_t i = g->cin[k], o = g->cout[k];
    double w = g->w[k];
    int64_t key = -1;
    if (p->cfg.node_split_reuse) {
        /* the paper: the same split in one generation is the same innovation, so the same
         * node (unless this genome already has that node, split twice) */
        key = innov_find(&p->innov, i, o, INNOV_SPLIT);
        if (key >= 0 && genome_find_node(g, key) >= 0) key = -1;
        if (key < 0) {
            key = new_node_key(p, g);
            if (key < 0 || innov_put(&p->innov, i, o, INNOV_SPLIT, key)) return -1;
        }
    } else {
        key = new_node_key(p, g);
        if (key < 0) return -1;
    }
    int32_t at = create_node(p, g, key);
    if (at < 0) return -1;
    g->bias[at] = 0.0; /* neutral with respect to the split connection */
    g->en[k] = 0;
    int64_t a = innov_get(&p->innov, i, key, INNOV_ADD_NODE_IN);
    int64_t b = innov_get(&p->innov, key, o, INNOV_ADD_NODE_OUT);
    if (a < 0 || b < 0) return -1;
    if (create_conn(p, g, i, key, a, 1, 1.0, 1) < 0) return -1;
    if (create_conn(p, g, key, o, b, 1, w, 1) < 0) return -1;
    return g->ng ? gates_split(p, g, i, o, key) : 0; /* a split gate moves (neat_gates.c) */
}

/* add_connection_rule = "neat-c++": NEAT C++ 1.2's Genome::mutate_add_link. With
 * probability recurrent_connection_rate (recur_only_prob) the mutation looks only for a
 * link that closes a cycle, half of its tries a node's link to itself (a random
 * non-input node); otherwise only for one that does not. Either way a link leaves any
 * node (input, output or hidden: NEAT C++ draws it from all its nodes) and enters a
 * non-input node; up to add_connection_tries pairs are drawn. Draws: the rate (when
 * non-zero), then per try the loop coin (recurrent only), then source, then target. */
static int add_connection_cpp(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    int recur = c->recurrent_connection_rate > 0.0 && rng_random(r) < c->recurrent_connection_rate;
    int tries = c->add_connection_tries > 1 ? c->add_connection_tries : 1;
    for (int attempt = 0; attempt < tries; attempt++) {
        int64_t in, out;
        if (recur && rng_random(r) > 0.5) {
            in = out = g->nkey[rng_choice(r, g->nn)];
        } else {
            int64_t pick = rng_choice(r, c->num_inputs + g->nn);
            in = pick < c->num_inputs ? -(int64_t)c->num_inputs + pick
                                      : g->nkey[pick - c->num_inputs];
            out = g->nkey[rng_choice(r, g->nn)];
        }
        if (genome_find_conn(g, in, out) >= 0) continue;
        int cyc = creates_cycle(g, in, out, c->num_inputs);
        if (cyc < 0) return -1;
        if (cyc != recur) continue;
        int64_t inno = innov_get(&p->innov, in, out, INNOV_ADD_CONNECTION);
        if (inno < 0) return -1;
        return create_conn(p, g, in, out, inno, 0, 0.0, 0) < 0 ? -1 : 0;
    }
    return 0;
}

/* DefaultGenome.mutate_add_connection. possible_outputs: node keys ascending;
 * possible_inputs: input keys and non-output node keys, ascending. */
int mutate_add_connection(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    if (c->add_connection_cpp) return add_connection_cpp(p, g);
    /* add_connection_tries > 1 (NEAT C++'s newlink_tries): pick again while the pair is
     * linked already or cannot be linked */
    int tries = c->add_connection_tries > 1 ? c->add_connection_tries : 1;
    for (int attempt = 0; attempt < tries; attempt++) {
    int64_t out = g->nkey[rng_choice(&p->rng, g->nn)];
    int32_t hidden = 0;
    for (int32_t k = 0; k < g->nn; k++) hidden += g->nkey[k] >= c->num_outputs;
    int64_t pick = rng_choice(&p->rng, c->num_inputs + hidden), in;
    if (pick < c->num_inputs) {
        in = -(int64_t)c->num_inputs + pick; /* -n, ..., -1 ascending */
    } else {
        int64_t want = pick - c->num_inputs;
        in = 0;
        for (int32_t k = 0; k < g->nn; k++)
            if (g->nkey[k] >= c->num_outputs && want-- == 0) { in = g->nkey[k]; break; }
    }
    int32_t existing = genome_find_conn(g, in, out);
    if (existing >= 0) {
        if (c->surer) { g->en[existing] = 1; return 0; }
        continue;
    }
    if (in >= 0 && in < c->num_outputs && out < c->num_outputs) continue;
    if (c->feed_forward) {
        int cyc = creates_cycle(g, in, out, c->num_inputs);
        if (cyc < 0) return -1;
        if (cyc) continue;
    }
    int64_t inno = innov_get(&p->innov, in, out, INNOV_ADD_CONNECTION);
    if (inno < 0) return -1;
    return create_conn(p, g, in, out, inno, 0, 0.0, 0) < 0 ? -1 : 0;
    }
    return 0;
}

/* DefaultGenome.mutate_delete_node: a random non-output node and its connections. */
int mutate_delete_node(Pop *p, Genome *g)
{
    int32_t hidden = 0;
    for (int32_t k = 0; k < g->nn; k++) hidden += g->nkey[k] >= p->cfg.num_outputs;
    if (!hidden) return 0;
    int64_t want = rng_choice(&p->rng, hidden);
    int32_t at = -1;
    for (int32_t k = 0; k < g->nn; k++)
        if (g->nkey[k] >= p->cfg.num_outputs && want-- == 0) { at = k; break; }
    int64_t key = g->nkey[at];
    int32_t m = 0;
    for (int32_t k = 0; k < g->nc; k++) {
        if (g->cin[k] == key || g->cout[k] == key) continue;
        g->inno[m] = g->inno[k]; g->cin[m] = g->cin[k]; g->cout[m] = g->cout[k];
        g->w[m] = g->w[k]; g->en[m] = g->en[k];
        m++;
    }
    g->nc = m;
    remove_node(g, at);
    return 0;
}

/* DefaultGenome.mutate_delete_connection */
int mutate_delete_connection(Pop *p, Genome *g)
{
    if (g->nc) remove_conn(g, (int32_t)rng_choice(&p->rng, g->nc));
    return 0;
}

/* weight_mutation = "neat-c++" (NEAT C++ 1.2, Genome::mutate_link_weights(power, 1.0,
 * GAUSSIAN), as Species::reproduce calls it): one draw per genome makes it "severe"
 * (probability 0.5): then each gene is perturbed with probability 0.7, replaced with 0.2,
 * kept with 0.1. Otherwise every gene is perturbed, except in a genome of at least 10
 * genes those past the first 80% (the newest), which are perturbed with probability 0.5,
 * replaced with 0.2, kept with 0.3. A perturbation adds, a replacement sets, a uniform
 * draw in +-weight_mutate_power; weights stay within their bounds. */
static void mutate_link_weights_cpp(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    int severe = rng_random(r) > 0.5;
    double endpart = 0.8 * (double)g->nc;
    for (int32_t k = 0; k < g->nc; k++) {
        double perturb_above = 0.0, replace_above = 0.0; /* every gene perturbed */
        if (severe) { perturb_above = 0.3; replace_above = 0.1; }
        else if (g->nc >= 10 && (double)k > endpart) { perturb_above = 0.5; replace_above = 0.3; }
        double v = (2.0 * rng_random(r) - 1.0) * c->weight.mutate_power;
        double choice = rng_random(r);
        if (choice > perturb_above) g->w[k] += v;
        else if (choice > replace_above) g->w[k] = v;
        g->w[k] = clampd(g->w[k], c->weight.min_value, c->weight.max_value);
    }
}

/* DefaultGenome.mutate: structural mutations, then every connection's weight and enabled
 * flag (innovation order), then every node's bias, response, activation, aggregation. */
int genome_mutate(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    int rc = 0, structural = 0;
    if (c->exclusive_mutations) {
        /* NEAT C++ (Species::reproduce): an added node, else an added connection, else
         * the weight mutations below; deletions (not NEAT's) each by their own chance */
        if (rng_random(r) < c->node_add_prob) { rc = mutate_add_node(p, g); structural = 1; }
        else if (rng_random(r) < c->conn_add_prob) { rc = mutate_add_connection(p, g); structural = 1; }
        if (!rc && c->node_delete_prob > 0 && rng_random(r) < c->node_delete_prob)
            rc = mutate_delete_node(p, g);
        if (!rc && c->conn_delete_prob > 0 && rng_random(r) < c->conn_delete_prob)
            rc = mutate_delete_connection(p, g);
    } else if (c->single_structural_mutation) {
        double div = fmax(1.0, c->node_add_prob + c->node_delete_prob + c->conn_add_prob +
                                   c->conn_delete_prob);
        double u = rng_random(r);
        if (u < c->node_add_prob / div)
            rc = mutate_add_node(p, g);
        else if (u < (c->node_add_prob + c->node_delete_prob) / div)
            rc = mutate_delete_node(p, g);
        else if (u < (c->node_add_prob + c->node_delete_prob + c->conn_add_prob) / div)
            rc = mutate_add_connection(p, g);
        else if (u < (c->node_add_prob + c->node_delete_prob + c->conn_add_prob +
                      c->conn_delete_prob) / div)
            rc = mutate_delete_connection(p, g);
    } else {
        if (rng_random(r) < c->node_add_prob) rc |= mutate_add_node(p, g);
        if (rng_random(r) < c->node_delete_prob) rc |= mutate_delete_node(p, g);
        if (rng_random(r) < c->conn_add_prob) rc |= mutate_add_connection(p, g);
        if (rng_random(r) < c->conn_delete_prob) rc |= mutate_delete_connection(p, g);
    }
    if (rc) return -1;
    if (gates_mutate(p, g)) return -1; /* Neataptic's mutations: no draws at rate 0 */
    if (structural) return 0;
    /* the paper's gate (a netgraph extra): the weights and biases of a genome are mutated
     * at all only with probability weight_mutate_genome_rate (1: always, neat-python) */
    int weights = c->weight_genome_rate >= 1.0 || rng_random(r) < c->weight_genome_rate;
    if (weights && c->weight_mutation_cpp) {
        mutate_link_weights_cpp(p, g);
        weights = 2; /* connections done; biases below as before */
    }
    for (int32_t k = 0; k < g->nc; k++) {
        if (weights == 1) g->w[k] = c->weight_uniform ? float_mutate_uniform(r, &c->weight, g->w[k])
                                                      : float_mutate(r, &c->weight, g->w[k]);
        g->en[k] = enabled_mutate(r, c, g->en[k]);
    }
    for (int32_t k = 0; k < g->nn; k++) {
        if (weights) g->bias[k] = c->weight_uniform ? float_mutate_uniform(r, &c->bias, g->bias[k])
                                                    : float_mutate(r, &c->bias, g->bias[k]);
        g->resp[k] = float_mutate(r, &c->response, g->resp[k]);
        g->act[k] = option_mutate(r, c->n_act, c->act_mutate_rate, g->act[k]);
        g->agg[k] = option_mutate(r, c->n_agg, c->agg_mutate_rate, g->agg[k]);
    }
    return 0;
}

/* NEAT C++'s mutate_link_weights as a delta-coding clone gets it (Species::reproduce,
 * super_champ_offspring): every connection weight and node bias through the weight
 * mutation, without the per-genome gate; nothing else. */
static void mutate_weights_all(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    for (int32_t k = 0; k < g->nc; k++)
        g->w[k] = c->weight_uniform ? float_mutate_uniform(r, &c->weight, g->w[k])
                                    : float_mutate(r, &c->weight, g->w[k]);
    for (int32_t k = 0; k < g->nn; k++)
        g->bias[k] = c->weight_uniform ? float_mutate_uniform(r, &c->bias, g->bias[k])
                                       : float_mutate(r, &c->bias, g->bias[k]);
}

/* ================================================================ crossover */

/* DefaultGenome.configure_crossover into `child` (its key kept). The fitter parent is a
 * if fitness(a) > fitness(b), else b (neat-python's tie rule). Genes line up by innovation
 * number: matching genes take each attribute from either parent (random() > 0.5: the
 * fitter's), and a gene disabled in either parent is disabled with probability
 * disabled_gene_rate; disjoint and excess genes come from the fitter parent only. The
 * child's connections are a subset of the fitter parent's (in, out) pairs, so in a
 * feed-forward genome neat-python's cycle check never fires; it is not repeated here. */
/* random() > 0.5 (the fitter parent's attribute), as an all-ones or all-zero mask: the
 * coin flips of a crossover pick by masks, not branches, since a branch on a fair coin is
 * mispredicted half the time (the same draws, the same values). */
static inline uint64_t coin_mask(Rng *r) { return (uint64_t)0 - (uint64_t)(rng_random(r) > 0.5); }

static inline double pick_f64(uint64_t m, double x, double y)
{
    uint64_t a, b;
    memcpy(&a, &x, 8);
    memcpy(&b, &y, 8);
    a = (a & m) | (b & ~m);
    memcpy(&x, &a, 8);
    return x;
}

static inline int32_t pick_i32(uint64_t m, int32_t x, int32_t y)
{
    return (int32_t)(((uint32_t)x & (uint32_t)m) | ((uint32_t)y & ~(uint32_t)m));
}

int genome_crossover(Pop *p, const Genome *a, const Genome *b, Genome *child)
{
    const Genome *p1 = a, *p2 = b;
    if (!(a->fitness > b->fitness)) { p1 = b; p2 = a; }
    /* NEAT C++ (Genome::mate_multipoint): at equal fitness the smaller genome (fewer
     * connection genes) is the fitter, "the worse genome should not be allowed to add
     * extra structural baggage"; equal sizes: b, as without the rule */
    if (p->cfg.crossover_tie_smaller && a->fitness == b->fitness && a->nc < b->nc) {
        p1 = a; p2 = b;
    }
    Rng *r = &p->rng;
    child->nn = child->nc = 0;
    if (genome_reserve(child, p1->nn, p1->nc)) return -1;
    /* crossover_average_rate (NEAT C++'s mate_multipoint_avg): in this share of
     * crossovers a matching gene's weight (and a matching node's bias) is the mean of the
     * parents' (one draw per crossover; none when the rate is 0) */
    int average = p->cfg.crossover_average_rate > 0 && rng_random(r) < p->cfg.crossover_average_rate;
    int32_t j = 0;
    for (int32_t k = 0; k < p1->nc; k++) {
        int64_t inno = p1->inno[k];
        while (j < p2->nc && p2->inno[j] < inno) j++;
        int32_t m = child->nc;
        child->inno[m] = inno;
        child->cin[m] = p1->cin[k];
        child->cout[m] = p1->cout[k];
        if (j < p2->nc && p2->inno[j] == inno && p2->cin[j] == p1->cin[k] &&
            p2->cout[j] == p1->cout[k]) {
            if (average) child->w[m] = 0.5 * (p1->w[k] + p2->w[j]);
            else child->w[m] = pick_f64(coin_mask(r), p1->w[k], p2->w[j]);
            child->en[m] = (uint8_t)pick_i32(coin_mask(r), p1->en[k], p2->en[j]);
            if ((!p1->en[k] || !p2->en[j]) && rng_random(r) < p->cfg.disabled_gene_rate)
                child->en[m] = 0;
        } else {
            /* disjoint/excess, or (after a reused number) a collision: the fitter's */
            child->w[m] = p1->w[k];
            child->en[m] = p1->en[k];
        }
        child->nc++;
    }
    j = 0;
    for (int32_t k = 0; k < p1->nn; k++) {
        int64_t key = p1->nkey[k];
        while (j < p2->nn && p2->nkey[j] < key) j++;
        int32_t m = child->nn;
        child->nkey[m] = key;
        if (j < p2->nn && p2->nkey[j] == key) {
            if (average) child->bias[m] = 0.5 * (p1->bias[k] + p2->bias[j]);
            else child->bias[m] = pick_f64(coin_mask(r), p1->bias[k], p2->bias[j]);
            child->resp[m] = pick_f64(coin_mask(r), p1->resp[k], p2->resp[j]);
            child->act[m] = pick_i32(coin_mask(r), p1->act[k], p2->act[j]);
            child->agg[m] = pick_i32(coin_mask(r), p1->agg[k], p2->agg[j]);
        } else {
            child->bias[m] = p1->bias[k]; child->resp[m] = p1->resp[k];
            child->act[m] = p1->act[k]; child->agg[m] = p1->agg[k];
        }
        child->nn++;
    }
    if (gates_copy(child, p1)) return -1; /* the fitter's gates: see neat_gates.c */
    child->fitness = NAN;
    child->species = -1;
    return 0;
}

/* ================================================================ distance */

/* A connection's (in, out) as one sortable 64-bit key (node keys fit 32 bits signed). */
static inline uint64_t pack_key(int64_t in, int64_t out)
{
    return ((uint64_t)(uint32_t)((int32_t)in ^ INT32_MIN) << 32) |
           (uint64_t)(uint32_t)((int32_t)out ^ INT32_MIN);
}

typedef struct { uint64_t k; int32_t i; } KeyPos;

static void sort_keypos(KeyPos *a, KeyPos *tmp, int32_t n)
{
    if (n < 16) {
        for (int32_t i = 1; i < n; i++) {
            KeyPos v = a[i];
            int32_t j = i - 1;
            while (j >= 0 && a[j].k > v.k) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
        return;
    }
    int32_t h = n / 2;
    sort_keypos(a, tmp, h);
    sort_keypos(a + h, tmp, n - h);
    int32_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = a[i].k <= a[j].k ? a[i++] : a[j++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(KeyPos) * (size_t)n);
}

/* g's connections by (in, out): keys[k] ascending, order[k] the gene index of each
 * (neat-python's distance matches connection genes by key, not by innovation). */
int key_index(const Genome *g, uint64_t *keys, int32_t *order)
{
    int32_t n = g->nc;
    if (n == 0) return 0;
    KeyPos *a = malloc(sizeof(KeyPos) * 2 * (size_t)n);
    if (!a) return -1;
    for (int32_t k = 0; k < n; k++) a[k] = (KeyPos){pack_key(g->cin[k], g->cout[k]), k};
    sort_keypos(a, a + n, n);
    for (int32_t k = 0; k < n; k++) { keys[k] = a[k].k; order[k] = a[k].i; }
    free(a);
    return 0;
}

/* The paper's compatibility distance (Stanley & Miikkulainen 2002, section 3.3),
 * compatibility_distance = "paper": c1 E / N + c2 D / N + c3 W over the connection genes
 * matched by innovation number (c1 = c2 = compatibility_disjoint_coefficient, c3 =
 * compatibility_weight_coefficient), W the mean |dw| of the matching genes (disabled ones
 * included; 0 without any), N the larger genome's gene count, or 1 below 20 genes. */
static double paper_distance(const NeatConfig *c, const Genome *a, const Genome *b)
{
    int32_t i = 0, j = 0, matched = 0;
    double sum = 0.0;
    while (i < a->nc && j < b->nc) {
        if (a->inno[i] < b->inno[j]) i++;
        else if (b->inno[j] < a->inno[i]) j++;
        else { sum += fabs(a->w[i] - b->w[j]); matched++; i++; j++; }
    }
    int32_t unmatched = a->nc + b->nc - 2 * matched;
    int32_t larger = a->nc > b->nc ? a->nc : b->nc;
    double n = larger < 20 ? 1.0 : (double)larger;
    double wbar = matched ? sum / matched : 0.0;
    return c->compat_disjoint * (double)unmatched / n + c->compat_weight * wbar;
}

/* DefaultGenome.distance(a, b): node part + connection part, each
 * (sum of homologous gene distances + c1 * disjoint) / max(count), a gene distance being
 * compatibility_weight_coefficient * (|dw| + |enabled differs|) for connections and
 * c * (|dbias| + |dresponse| + activation differs + aggregation differs) for nodes.
 * Homologous sums run in a's order, as neat-python's dicts do (nodes by key,
 * connections by innovation number). Connection genes match by key: b's genes are looked
 * up in a (first where the innovation numbers line up, the common case, else by binary
 * search in a's key index akeys/aorder from key_index), each match's term stored at a's
 * position in `term` (a->nc entries, NaN = unmatched, left all NaN again) and summed in
 * a's order. Only a (a species representative) needs a key index. */
/* genome_distance, for a caller that only asks whether it is below `limit` (strictly):
 * when the node part alone already reaches `limit`, that node part is returned (the
 * caller rejects b just as it would the whole distance) and the connection genes are
 * never matched. Exactly the caller's decision: the connection part is >= 0 and adding
 * it can only keep or raise a sum in floating point (rounding is monotone); so only
 * without gates (a part of their own) and with non-negative coefficients. Speciation
 * compares most genomes with representatives they will not join. */
static double distance_below(const NeatConfig *c, const Genome *a, const uint64_t *akeys,
                             const int32_t *aorder, const Genome *b, double *term,
                             double limit);

double genome_distance(const NeatConfig *c, const Genome *a, const uint64_t *akeys,
                       const int32_t *aorder, const Genome *b, double *term)
{
    return distance_below(c, a, akeys, aorder, b, term, INFINITY);
}

static double distance_below(const NeatConfig *c, const Genome *a, const uint64_t *akeys,
                             const int32_t *aorder, const Genome *b, double *term,
                             double limit)
{
    double gates = a->ng || b->ng ? gates_distance(c, a, b) : 0.0; /* neat_gates.c */
    if (c->distance_paper) return paper_distance(c, a, b) + gates;
    if (limit < INFINITY && !a->ng && !b->ng && c->compat_weight >= 0.0 &&
        c->compat_disjoint >= 0.0) {
        /* the gene counts alone: at least |na - nb| genes of each part are disjoint, so
         * c1 |na - nb| / max(na, nb) bounds each part from below, in floating point too
         * (the parts add non-negative terms to c1 disjoint; rounding is monotone). When
         * the bound already reaches `limit`, it is returned without reading any gene */
        double bound = 0.0;
        if (a->nn || b->nn) {
            int32_t dn = a->nn > b->nn ? a->nn - b->nn : b->nn - a->nn;
            bound = c->compat_disjoint * (double)dn / (double)(a->nn > b->nn ? a->nn : b->nn);
        }
        if (a->nc || b->nc) {
            int32_t dc = a->nc > b->nc ? a->nc - b->nc : b->nc - a->nc;
            bound += c->compat_disjoint * (double)dc / (double)(a->nc > b->nc ? a->nc : b->nc);
        }
        if (bound >= limit) return bound;
    }
    double node_distance = 0.0;
    if (a->nn || b->nn) {
        int64_t disjoint = 0;
        double d = 0.0;
        int32_t i = 0, j = 0;
        while (i < a->nn || j < b->nn) {
            if (j >= b->nn || (i < a->nn && a->nkey[i] < b->nkey[j])) { disjoint++; i++; }
            else if (i >= a->nn || b->nkey[j] < a->nkey[i]) { disjoint++; j++; }
            else {
                double g = fabs(a->bias[i] - b->bias[j]) + fabs(a->resp[i] - b->resp[j]);
                g += 0.0; /* time_constant: always 1.0 here */
                if (a->act[i] != b->act[j]) g += 1.0;
                if (a->agg[i] != b->agg[j]) g += 1.0;
                d += g * c->compat_weight;
                i++; j++;
            }
        }
        int32_t mx = a->nn > b->nn ? a->nn : b->nn;
        node_distance = (d + c->compat_disjoint * (double)disjoint) / (double)mx;
    }
    if (limit < INFINITY && node_distance >= limit && !a->ng && !b->ng &&
        c->compat_weight >= 0.0 && c->compat_disjoint >= 0.0)
        return node_distance;
    double conn_distance = 0.0;
    if (a->nc || b->nc) {
        int64_t matched = 0;
        int32_t x = 0, lo_seen = a->nc, hi_seen = -1;
        for (int32_t y = 0; y < b->nc; y++) {
            int32_t in = b->cin[y], out = b->cout[y];
            while (x < a->nc && a->inno[x] < b->inno[y]) x++;
            int32_t at = -1;
            if (x < a->nc && a->inno[x] == b->inno[y] && a->cin[x] == in && a->cout[x] == out) {
                at = x;
            } else {
                uint64_t key = pack_key(in, out);
                int32_t lo = 0, hi = a->nc - 1;
                while (lo <= hi) {
                    int32_t mid = (lo + hi) / 2;
                    if (akeys[mid] == key) { at = aorder[mid]; break; }
                    if (akeys[mid] < key) lo = mid + 1; else hi = mid - 1;
                }
            }
            if (at < 0) continue;
            double g = fabs(a->w[at] - b->w[y]);
            if (a->en[at] != b->en[y]) g += 1.0;
            term[at] = g * c->compat_weight;
            if (at < lo_seen) lo_seen = at;
            if (at > hi_seen) hi_seen = at;
            matched++;
        }
        double d = 0.0;
        for (int32_t k = lo_seen; k <= hi_seen; k++)
            if (!isnan(term[k])) { d += term[k]; term[k] = NAN; }
        int64_t disjoint = (int64_t)a->nc + b->nc - 2 * matched;
        int32_t mx = a->nc > b->nc ? a->nc : b->nc;
        conn_distance = (d + c->compat_disjoint * (double)disjoint) / (double)mx;
    }
    return node_distance + conn_distance + gates;
}

/* A new connection gene with initial attributes (for neat_gates.c's mutations). */
int32_t genome_insert_conn(Pop *p, Genome *g, int64_t in, int64_t out, int64_t inno)
{
    return create_conn(p, g, in, out, inno, 0, 0.0, 0);
}

void genome_remove_conn(Genome *g, int32_t k) { remove_conn(g, k); }

/* ================================================================ initial population */

static int add_initial(Pop *p, Genome *g, int64_t in, int64_t out)
{
    int64_t inno = innov_get(&p->innov, in, out, INNOV_INITIAL);
    if (inno < 0) return -1;
    return create_conn(p, g, in, out, inno, 0, 0.0, 0) < 0 ? -1 : 0;
}

/* DefaultGenome.compute_full_connections: pairs in neat-python's order. */
static int64_t full_connections(const Pop *p, const Genome *g, int direct, int64_t *pairs)
{
    const NeatConfig *c = &p->cfg;
    int64_t m = 0;
    int32_t hidden = 0;
    for (int32_t k = 0; k < g->nn; k++) hidden += g->nkey[k] >= c->num_outputs;
    if (hidden) {
        for (int i = 0; i < c->num_inputs; i++)
            for (int32_t k = 0; k < g->nn; k++)
                if (g->nkey[k] >= c->num_outputs) { pairs[2 * m] = -i - 1; pairs[2 * m + 1] = g->nkey[k]; m++; }
        for (int32_t k = 0; k < g->nn; k++)
            if (g->nkey[k] >= c->num_outputs)
                for (int o = 0; o < c->num_outputs; o++) { pairs[2 * m] = g->nkey[k]; pairs[2 * m + 1] = o; m++; }
    }
    if (direct || !hidden)
        for (int i = 0; i < c->num_inputs; i++)
            for (int o = 0; o < c->num_outputs; o++) { pairs[2 * m] = -i - 1; pairs[2 * m + 1] = o; m++; }
    if (!c->feed_forward)
        for (int32_t k = 0; k < g->nn; k++) { pairs[2 * m] = g->nkey[k]; pairs[2 * m + 1] = g->nkey[k]; m++; }
    return m;
}

/* DefaultGenome.configure_new */
int genome_configure_new(Pop *p, Genome *g)
{
    const NeatConfig *c = &p->cfg;
    for (int o = 0; o < c->num_outputs; o++)
        if (create_node(p, g, o) < 0) return -1;
    for (int h = 0; h < c->num_hidden; h++) {
        int64_t key = new_node_key(p, g);
        if (key < 0 || create_node(p, g, key) < 0) return -1;
    }
    int ic = c->initial_connection;
    if (ic == IC_FS_NEAT_NOHIDDEN || ic == IC_FS_NEAT_HIDDEN) {
        int64_t in = -rng_choice(&p->rng, c->num_inputs) - 1; /* choice(input_keys) */
        if (ic == IC_FS_NEAT_NOHIDDEN) {
            for (int o = 0; o < c->num_outputs; o++)
                if (add_initial(p, g, in, o)) return -1;
        } else {
            /* outputs first, then hidden: the node dict's order */
            int32_t nn = g->nn;
            int64_t *keys = malloc(8 * (size_t)(nn ? nn : 1));
            if (!keys) return -1;
            memcpy(keys, g->nkey, 8 * (size_t)nn);
            for (int32_t k = 0; k < nn; k++)
                if (add_initial(p, g, in, keys[k])) { free(keys); return -1; }
            free(keys);
        }
    } else if (ic != IC_UNCONNECTED) {
        int direct = ic == IC_FULL_DIRECT || ic == IC_PARTIAL_DIRECT;
        int64_t cap = (int64_t)c->num_inputs * (g->nn + c->num_outputs) +
                      (int64_t)g->nn * c->num_outputs + g->nn + 1;
        int64_t *pairs = malloc(16 * (size_t)cap);
        if (!pairs) return -1;
        int64_t m = full_connections(p, g, direct, pairs), take = m;
        if (ic == IC_PARTIAL_NODIRECT || ic == IC_PARTIAL_DIRECT) {
            for (int64_t i = m - 1; i >= 1; i--) { /* random.shuffle, Fisher-Yates */
                int64_t j = rng_choice(&p->rng, i + 1);
                int64_t t0 = pairs[2 * i], t1 = pairs[2 * i + 1];
                pairs[2 * i] = pairs[2 * j]; pairs[2 * i + 1] = pairs[2 * j + 1];
                pairs[2 * j] = t0; pairs[2 * j + 1] = t1;
            }
            take = (int64_t)nearbyint((double)m * c->connection_fraction);
        }
        if (genome_reserve(g, g->nn, (int32_t)take)) { free(pairs); return -1; }
        for (int64_t k = 0; k < take; k++)
            if (add_initial(p, g, pairs[2 * k], pairs[2 * k + 1])) { free(pairs); return -1; }
        free(pairs);
    }
    return 0;
}

/* ================================================================ population life cycle */

static void species_free(Species *s)
{
    genome_free(&s->rep);
    free(s->members);
    memset(s, 0, sizeof *s);
}

void pop_free(Pop *p)
{
    for (int32_t i = 0; i < p->ncap; i++) genome_free(&p->genomes[i]);
    free(p->genomes);
    for (int32_t i = 0; i < p->nspare; i++) genome_free(&p->spare[i]);
    free(p->spare);
    for (int32_t i = 0; i < p->ns; i++) species_free(&p->species[i]);
    free(p->species);
    innov_free(&p->innov);
    p->genomes = p->spare = NULL;
    p->species = NULL;
    p->n = p->ncap = p->nspare = p->ns = 0;
}

/* DefaultReproduction.create_new: pop_size fresh genomes into p->genomes. */
int pop_create_new(Pop *p)
{
    int32_t n = p->cfg.pop_size;
    Genome *gs = calloc((size_t)n, sizeof(Genome));
    if (!gs) return -1;
    for (int32_t i = 0; i < n; i++) {
        genome_init(&gs[i], p->next_genome_key++);
        if (genome_configure_new(p, &gs[i])) {
            for (int32_t k = 0; k <= i; k++) genome_free(&gs[k]);
            free(gs);
            return -1;
        }
    }
    for (int32_t i = 0; i < p->ncap; i++) genome_free(&p->genomes[i]);
    free(p->genomes);
    p->genomes = gs;
    p->n = p->ncap = n;
    /* the structs and gene arrays the first offspring will fill, made now: reproduction
     * reuses the generation before last, so without them the first generation alone
     * would allocate all of its genomes and cost far more than a later one */
    if (!p->spare) {
        Genome *next = calloc((size_t)n + 1, sizeof(Genome));
        if (next) {
            for (int32_t i = 0; i <= n; i++)
                if (genome_reserve(&next[i], gs[0].nn + 2, gs[0].nc + 4)) break;
            p->spare = next;
            p->nspare = n + 1;
        }
    }
    return 0;
}

static int species_add_member(Species *s, int64_t idx)
{
    if (s->nmembers == s->capmembers) {
        int32_t cap = s->capmembers ? s->capmembers * 2 : 8;
        int64_t *m = realloc(s->members, sizeof(int64_t) * (size_t)cap);
        if (!m) return -1;
        s->members = m;
        s->capmembers = cap;
    }
    s->members[s->nmembers++] = idx;
    return 0;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* speciation = "paper" (Stanley & Miikkulainen 2002, section 3.3): "Each existing
 * species is represented by a random genome inside the species from the previous
 * generation. A given genome g in the current generation is placed in the first species
 * in which g is compatible with the representative genome of that species. If g is not
 * compatible with any existing species, a new species is created with g as its
 * representative." Species are tried oldest (lowest id) first, genomes taken by key; a
 * species that finds no member dies; each survivor then draws its representative for the
 * next generation among its members (one choice per species, by id). */
static int pop_speciate_paper(Pop *p)
{
    const NeatConfig *c = &p->cfg;
    int32_t n = p->n, rc = -1, maxnc = 1, nns = 0, nold = p->ns;
    for (int32_t i = 0; i < n; i++) if (p->genomes[i].nc > maxnc) maxnc = p->genomes[i].nc;
    for (int32_t s = 0; s < p->ns; s++) if (p->species[s].rep.nc > maxnc) maxnc = p->species[s].rep.nc;
    int32_t cap = nold + n + 1;
    Species *ns = calloc((size_t)cap, sizeof(Species));
    const Genome **rep = calloc((size_t)cap, sizeof(Genome *));
    uint64_t **rkeys = calloc((size_t)cap, sizeof(uint64_t *));
    int32_t **rorder = calloc((size_t)cap, sizeof(int32_t *));
    double *term = malloc(sizeof(double) * (size_t)maxnc);
    int64_t *sorted = malloc(sizeof(int64_t) * 2 * (size_t)(n ? n : 1));
    if (!ns || !rep || !rkeys || !rorder || !term || !sorted) goto done;
    for (int32_t k = 0; k < maxnc; k++) term[k] = NAN;
    /* old species by id, as pop_speciate keeps them */
    for (int32_t s = 1; s < p->ns; s++) {
        Species v = p->species[s];
        int32_t k = s - 1;
        while (k >= 0 && p->species[k].key > v.key) { p->species[k + 1] = p->species[k]; k--; }
        p->species[k + 1] = v;
    }
    for (int32_t s = 0; s < nold; s++) {
        ns[s] = p->species[s]; /* moves rep/members ownership */
        memset(&p->species[s], 0, sizeof(Species));
        ns[s].nmembers = 0;
    }
    nns = nold;
    p->ns = 0;
#define INDEX_REP(s) do { \
        const Genome *g_ = rep[s]; \
        rkeys[s] = malloc(sizeof(uint64_t) * (size_t)(g_->nc ? g_->nc : 1)); \
        rorder[s] = malloc(sizeof(int32_t) * (size_t)(g_->nc ? g_->nc : 1)); \
        if (!rkeys[s] || !rorder[s] || key_index(g_, rkeys[s], rorder[s])) goto done; \
    } while (0)
    for (int32_t s = 0; s < nold; s++) { rep[s] = &ns[s].rep; INDEX_REP(s); }
    for (int32_t i = 0; i < n; i++) { sorted[2 * i] = p->genomes[i].key; sorted[2 * i + 1] = i; }
    qsort(sorted, (size_t)n, 16, cmp_i64);
    for (int32_t u = 0; u < n; u++) {
        int64_t gi = sorted[2 * u + 1];
        const Genome *g = &p->genomes[gi];
        int32_t found = -1;
        for (int32_t s = 0; s < nns && found < 0; s++)
            if (genome_distance(c, rep[s], rkeys[s], rorder[s], g, term) < c->compat_threshold)
                found = s;
        if (found < 0) {
            Species *sp = &ns[nns];
            memset(sp, 0, sizeof *sp);
            sp->key = p->next_species_key++;
            sp->created = p->generation;
            sp->last_improved = p->generation;
            sp->fitness = NAN;
            sp->adjusted = NAN;
            rep[nns] = g;
            INDEX_REP(nns);
            found = nns++;
        }
        if (species_add_member(&ns[found], gi)) goto done;
    }
#undef INDEX_REP
    /* the survivors (still by id), each with a random member as its next representative */
    {
        int32_t nk = 0;
        for (int32_t s = 0; s < nns; s++) {
            if (ns[s].nmembers == 0) { species_free(&ns[s]); continue; }
            if (nk != s) { ns[nk] = ns[s]; memset(&ns[s], 0, sizeof(Species)); }
            nk++;
        }
        nns = nk;
    }
    for (int32_t s = 0; s < nns; s++) {
        int64_t m = rng_choice(&p->rng, ns[s].nmembers);
        if (genome_copy(&ns[s].rep, &p->genomes[ns[s].members[m]])) goto done;
        for (int32_t k = 0; k < ns[s].nmembers; k++) p->genomes[ns[s].members[k]].species = ns[s].key;
    }
    free(p->species);
    p->species = ns;
    p->ns = nns;
    ns = NULL;
    rc = 0;
done:
    if (ns) {
        for (int32_t s = 0; s < nns; s++) species_free(&ns[s]);
        free(ns);
    }
    if (rkeys) for (int32_t s = 0; s < cap; s++) free(rkeys[s]);
    if (rorder) for (int32_t s = 0; s < cap; s++) free(rorder[s]);
    free(rkeys); free(rorder); free(rep); free(term); free(sorted);
    return rc;
}

/* DefaultSpeciesSet.speciate: each existing species (by id) takes the closest genome to
 * its old representative as its new one; every other genome (by key) joins the species
 * of the closest representative under compatibility_threshold, or founds a new one. */
int pop_speciate(Pop *p)
{
    const NeatConfig *c = &p->cfg;
    if (c->speciation_paper) return pop_speciate_paper(p);
    int32_t n = p->n, rc = -1, maxnc = 1;
    for (int32_t i = 0; i < n; i++) if (p->genomes[i].nc > maxnc) maxnc = p->genomes[i].nc;
    for (int32_t s = 0; s < p->ns; s++) if (p->species[s].rep.nc > maxnc) maxnc = p->species[s].rep.nc;
    /* a key index per representative (old ones first, then new ones as they are chosen) */
    int32_t capreps = p->ns + n + 1;
    int64_t *roff = malloc(sizeof(int64_t) * (size_t)(capreps + 1));
    uint64_t *keys = NULL;
    int32_t *order = NULL;
    int64_t keycap = 0, keyused = 0;
    double *term = malloc(sizeof(double) * (size_t)maxnc);
    int64_t *un = malloc(sizeof(int64_t) * (size_t)(n ? n : 1)); /* unspeciated genomes */
    int64_t *sorted = malloc(sizeof(int64_t) * 2 * (size_t)(n ? n : 1));
    int64_t *reps = malloc(sizeof(int64_t) * (size_t)capreps); /* rep genome index */
    Species *ns = malloc(sizeof(Species) * (size_t)capreps); /* used slots are set */
    uint8_t *taken = NULL;
    int32_t nns = 0;
    if (!roff || !term || !un || !sorted || !reps || !ns) goto done;
    for (int32_t k = 0; k < maxnc; k++) term[k] = NAN;
#define INDEX(g, slot) do { \
        const Genome *g_ = (g); \
        if (keyused + g_->nc > keycap) { \
            int64_t cap_ = (keyused + g_->nc) * 2 + 64; \
            void *k_ = realloc(keys, sizeof(uint64_t) * (size_t)cap_); \
            if (!k_) goto done; \
            keys = k_; \
            k_ = realloc(order, sizeof(int32_t) * (size_t)cap_); \
            if (!k_) goto done; \
            order = k_; \
            keycap = cap_; \
        } \
        roff[slot] = keyused; \
        if (key_index(g_, keys + keyused, order + keyused)) goto done; \
        keyused += g_->nc; \
    } while (0)
    /* genome indices sorted by key */
    {   /* keys are unique: any sort gives qsort's order; this one allocates once */
        KeyPos *kp = malloc(sizeof(KeyPos) * 2 * (size_t)(n ? n : 1));
        if (kp) {
            for (int32_t i = 0; i < n; i++)
                kp[i] = (KeyPos){(uint64_t)p->genomes[i].key ^ 0x8000000000000000ULL, i};
            sort_keypos(kp, kp + n, n);
            for (int32_t i = 0; i < n; i++) un[i] = kp[i].i;
            free(kp);
        } else {
            for (int32_t i = 0; i < n; i++) { sorted[2 * i] = p->genomes[i].key; sorted[2 * i + 1] = i; }
            qsort(sorted, (size_t)n, 16, cmp_i64);
            for (int32_t i = 0; i < n; i++) un[i] = sorted[2 * i + 1];
        }
    }
    int32_t nun = n;
    /* species sorted by id (they are kept so; sort to be sure after a load) */
    for (int32_t s = 1; s < p->ns; s++) {
        Species v = p->species[s];
        int32_t k = s - 1;
        while (k >= 0 && p->species[k].key > v.key) { p->species[k + 1] = p->species[k]; k--; }
        p->species[k + 1] = v;
    }
    /* existing species pick their new representative: the closest to the old one. Each
     * species in turn takes the closest genome not yet taken (the first of equals, as a
     * scan of the remaining genomes in key order would) */
    int32_t oldns = p->ns;
    if (oldns && n) {
        taken = calloc((size_t)n, 1);
        if (!taken) goto done;
        keyused = 0;
        for (int32_t s = 0; s < oldns; s++) INDEX(&p->species[s].rep, s);
    }
    for (int32_t s = 0; s < oldns; s++) {
        Species *sp = &p->species[s];
        if (nun == 0) { species_free(sp); continue; } /* no genome left for it */
        /* species by species: a genome's distance matters only while it could beat the
         * closest so far (distance_below skips the connection genes otherwise) */
        int32_t best = -1;
        double bestd = INFINITY;
        for (int32_t u = 0; u < n; u++) {
            if (taken[u]) continue;
            double d = distance_below(c, &sp->rep, keys + roff[s], order + roff[s],
                                      &p->genomes[un[u]], term, bestd);
            if (d < bestd || best < 0) { bestd = d; best = u; }
        }
        ns[nns] = *sp; /* moves rep/members ownership */
        memset(sp, 0, sizeof *sp);
        ns[nns].nmembers = 0;
        reps[nns] = un[best];
        taken[best] = 1;
        if (species_add_member(&ns[nns], un[best])) { nns++; goto done; }
        nns++;
        nun--;
    }
    if (taken) { /* the genomes left, still in key order */
        int32_t m = 0;
        for (int32_t u = 0; u < n; u++) if (!taken[u]) un[m++] = un[u];
    }
    /* the new representatives' key indexes */
    keyused = 0;
    for (int32_t s = 0; s < nns; s++) INDEX(&p->genomes[reps[s]], s);
    /* the rest, by key: the closest representative under the threshold, or a new species */
    for (int32_t u = 0; u < nun; u++) {
        int64_t gi = un[u];
        const Genome *g = &p->genomes[gi];
        if (u + 1 < nun) PREFETCH(p->genomes[un[u + 1]].nkey);
        int32_t best = -1;
        double bestd = 0.0;
        for (int32_t s = 0; s < nns; s++) {
            double d = distance_below(c, &p->genomes[reps[s]], keys + roff[s],
                                      order + roff[s], g, term,
                                      best < 0 ? c->compat_threshold : bestd);
            if (d < c->compat_threshold && (best < 0 || d < bestd)) { best = s; bestd = d; }
        }
        if (best < 0) {
            Species *sp = &ns[nns];
            memset(sp, 0, sizeof *sp);
            sp->key = p->next_species_key++;
            sp->created = p->generation;
            sp->last_improved = p->generation;
            sp->fitness = NAN;
            sp->adjusted = NAN;
            reps[nns] = gi;
            INDEX(g, nns);
            best = nns++;
        }
        if (species_add_member(&ns[best], gi)) goto done;
    }
#undef INDEX
    /* representatives become copies of the chosen genomes */
    for (int32_t s = 0; s < nns; s++) {
        if (genome_copy(&ns[s].rep, &p->genomes[reps[s]])) goto done;
        for (int32_t m = 0; m < ns[s].nmembers; m++) p->genomes[ns[s].members[m]].species = ns[s].key;
    }
    free(p->species);
    p->species = ns;
    p->ns = nns;
    ns = NULL;
    rc = 0;
done:
    if (ns) {
        for (int32_t s = 0; s < nns; s++) species_free(&ns[s]);
        free(ns);
    }
    free(roff); free(keys); free(order); free(term); free(un); free(sorted); free(reps);
    free(taken);
    return rc;
}

/* ---------------------------------------------------------------- reproduction */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* math_util's stat_functions over a species' member fitnesses (member order). */
static double species_stat(int func, const double *f, int32_t n, double *scratch)
{
    double v;
    switch (func) {
    case SFF_MIN: v = f[0]; for (int32_t i = 1; i < n; i++) if (f[i] < v) v = f[i]; return v;
    case SFF_MAX: v = f[0]; for (int32_t i = 1; i < n; i++) if (f[i] > v) v = f[i]; return v;
    case SFF_MEDIAN:
        memcpy(scratch, f, sizeof(double) * (size_t)n);
        qsort(scratch, (size_t)n, sizeof(double), cmp_double);
        return scratch[n / 2];
    case SFF_MEDIAN2:
        if (n <= 2) { v = 0.0; for (int32_t i = 0; i < n; i++) v += f[i]; return v / n; }
        memcpy(scratch, f, sizeof(double) * (size_t)n);
        qsort(scratch, (size_t)n, sizeof(double), cmp_double);
        if (n % 2) return scratch[n / 2];
        return (scratch[n / 2 - 1] + scratch[n / 2]) / 2.0;
    default: v = 0.0; for (int32_t i = 0; i < n; i++) v += f[i]; return v / n;
    }
}

/* DefaultReproduction.compute_spawn (neat-python), into spawn[0..ns). */
static void compute_spawn(const double *af, const int64_t *prev, int32_t ns, int64_t pop_size,
                          int64_t min_size, int64_t *spawn)
{
    double af_sum = 0.0;
    for (int32_t i = 0; i < ns; i++) af_sum += af[i];
    int64_t total = 0;
    for (int32_t i = 0; i < ns; i++) {
        double s = af_sum > 0 ? fmax((double)min_size, af[i] / af_sum * (double)pop_size)
                              : (double)min_size;
        double d = (s - (double)prev[i]) * 0.5;
        int64_t c = (int64_t)nearbyint(d), v = prev[i];
        if (c != 0) v += c;
        else if (d > 0) v += 1;
        else if (d < 0) v -= 1;
        spawn[i] = v;
        total += v;
    }
    double norm = (double)pop_size / (double)total;
    for (int32_t i = 0; i < ns; i++) {
        int64_t v = (int64_t)nearbyint((double)spawn[i] * norm);
        spawn[i] = v > min_size ? v : min_size;
    }
}

/* The paper's spawn (explicit fitness sharing): each species' share of pop_size is its
 * summed adjusted fitness over the total, i.e. proportional to its mean fitness (shifted
 * so the worst genome is 0); remainders go by largest fraction (ties: earlier species). */
static void compute_spawn_paper(const double *af, int32_t ns, int64_t pop_size, int64_t *spawn)
{
    double sum = 0.0;
    for (int32_t i = 0; i < ns; i++) sum += af[i];
    int64_t total = 0;
    double *frac = malloc(sizeof(double) * (size_t)(ns > 0 ? ns : 1));
    for (int32_t i = 0; i < ns; i++) {
        double share = sum > 0 ? af[i] / sum * (double)pop_size : (double)pop_size / ns;
        spawn[i] = (int64_t)floor(share);
        if (frac) frac[i] = share - (double)spawn[i];
        total += spawn[i];
    }
    while (total < pop_size) {
        int32_t best = 0;
        for (int32_t i = 1; i < ns; i++) if (frac && frac[i] > frac[best]) best = i;
        spawn[best]++;
        if (frac) frac[best] = -1.0;
        total++;
    }
    free(frac);
}

/* DefaultReproduction._adjust_spawn_exact; returns -1 when the minima cannot be met. */
static int adjust_spawn_exact(int64_t *spawn, int32_t ns, int64_t pop_size, int64_t min_size)
{
    int64_t total = 0;
    for (int32_t i = 0; i < ns; i++) total += spawn[i];
    if (total == pop_size) return 0;
    if ((int64_t)ns * min_size > pop_size) return -1;
    int64_t diff = pop_size - total;
    /* indices sorted by spawn (stable): ascending to add, descending to remove */
    int32_t *idx = malloc(sizeof(int32_t) * (size_t)ns);
    if (!idx) return -2;
    for (int32_t i = 0; i < ns; i++) idx[i] = i;
    for (int32_t i = 1; i < ns; i++) {
        int32_t v = idx[i], j = i - 1;
        while (j >= 0 && (diff > 0 ? spawn[idx[j]] > spawn[v] : spawn[idx[j]] < spawn[v])) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
    int32_t i = 0;
    if (diff > 0) {
        while (diff > 0) { spawn[idx[i]]++; diff--; i = (i + 1) % ns; }
    } else {
        int64_t remaining = -diff;
        while (remaining > 0) {
            if (spawn[idx[i]] > min_size) { spawn[idx[i]]--; remaining--; }
            i = (i + 1) % ns;
            if (i == 0 && remaining > 0) break;
        }
    }
    free(idx);
    total = 0;
    for (int32_t k = 0; k < ns; k++) total += spawn[k];
    return total == pop_size ? 0 : -1;
}

typedef struct { double f; int64_t key; int64_t idx; } Ranked;

static int cmp_ranked_desc(const void *x, const void *y)
{
    const Ranked *a = x, *b = y;
    if (a->f != b->f) return a->f > b->f ? -1 : 1;
    return (a->key < b->key) - (a->key > b->key);
}

/* qsort(a, n, cmp_ranked_desc) without qsort's calls and allocations: a merge sort
 * (keys are unique, so the order is the same). tmp: n entries. */
static void sort_ranked_into(Ranked *a, Ranked *tmp, int32_t n)
{
    if (n < 16) {
        for (int32_t i = 1; i < n; i++) {
            Ranked v = a[i];
            int32_t j = i - 1;
            while (j >= 0 && cmp_ranked_desc(&a[j], &v) > 0) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
        return;
    }
    int32_t h = n / 2;
    sort_ranked_into(a, tmp, h);
    sort_ranked_into(a + h, tmp, n - h);
    int32_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_ranked_desc(&a[i], &a[j]) <= 0 ? a[i++] : a[j++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(Ranked) * (size_t)n);
}

static void sort_ranked(Ranked *a, int32_t n)
{
    if (n < 16) { sort_ranked_into(a, NULL, n); return; }
    Ranked *tmp = malloc(sizeof(Ranked) * (size_t)n);
    if (!tmp) { qsort(a, (size_t)n, sizeof(Ranked), cmp_ranked_desc); return; }
    sort_ranked_into(a, tmp, n);
    free(tmp);
}

typedef struct { double f; int64_t sid; int32_t s; } SpeciesRank;

static int cmp_species_rank(const void *x, const void *y)
{
    const SpeciesRank *a = x, *b = y;
    if (a->f != b->f) return a->f < b->f ? -1 : 1;
    return (a->sid > b->sid) - (a->sid < b->sid); /* stable after the sort by id */
}

/* interspecies_champion (NEAT C++ 1.2, Species::reproduce): the partner's species,
 * species ranked by their champions' fitness (best first, ties by key), picked at
 * floor(min(g / 4, 1) * (n - 1) + 0.5) for a standard normal g (negative: the best),
 * up to 5 tries to find one other than species k (else k itself). */
static int32_t interspecies_pick(Rng *r, Ranked *const *ranked, const int32_t *remaining,
                                 const Species *species, int32_t nrem, int32_t k)
{
    int32_t o = k;
    for (int tries = 0; tries < 5 && o == k; tries++) {
        double m = rng_normal(r) / 4.0;
        if (m > 1.0) m = 1.0;
        double at = floor(m * (double)(nrem - 1) + 0.5);
        int32_t want = at > 0 ? (int32_t)at : 0;
        /* the species of rank `want`: count those ranked before each candidate */
        for (int32_t s = 0; s < nrem; s++) {
            if (!species[remaining[s]].nmembers) continue;
            int32_t before = 0;
            for (int32_t t = 0; t < nrem; t++) {
                if (!species[remaining[t]].nmembers) continue;
                double fs = ranked[s][0].f, ft = ranked[t][0].f;
                if (ft > fs || (ft == fs && species[remaining[t]].key < species[remaining[s]].key))
                    before++;
            }
            if (before == want) { o = s; break; }
        }
    }
    return o;
}

/* DefaultStagnation.update + DefaultReproduction.reproduce: the next generation into
 * p->genomes. Returns 0, 1 when every species is stagnant (complete extinction; the
 * genomes are left in place), -1 out of memory, -2 when the spawn minima cannot be met. */
int pop_reproduce(Pop *p)
{
    const NeatConfig *c = &p->cfg;
    Rng *r = &p->rng;
    innov_clear(&p->innov);
    int32_t ns = p->ns;
    int rc = -1;
    SpeciesRank *rank = malloc(sizeof(SpeciesRank) * (size_t)(ns ? ns : 1));
    double *scratch = malloc(sizeof(double) * (size_t)(p->n ? p->n : 1));
    double *fs = malloc(sizeof(double) * (size_t)(p->n ? p->n : 1));
    int32_t *remaining = malloc(sizeof(int32_t) * (size_t)(ns ? ns : 1));
    double *af = malloc(sizeof(double) * (size_t)(ns ? ns : 1));
    double *shared = malloc(sizeof(double) * (size_t)(ns ? ns : 1));
    int64_t *prev = malloc(sizeof(int64_t) * (size_t)(ns ? ns : 1));
    int64_t *spawn = malloc(sizeof(int64_t) * (size_t)(ns ? ns : 1));
    Ranked **ranked = calloc((size_t)(ns ? ns : 1), sizeof(Ranked *));
    int32_t *cutoffs = calloc((size_t)(ns ? ns : 1), sizeof(int32_t));
    int32_t *produced = calloc((size_t)(ns ? ns : 1), sizeof(int32_t));
    /* a remaining species' share is scaled by stagnation_penalty (NEAT C++) */
    uint8_t *penalized = calloc((size_t)(ns ? ns : 1), 1);
    Genome *next = NULL;
    int32_t nnext = 0, nhave = 0;
    if (!rank || !scratch || !fs || !remaining || !af || !shared || !prev || !spawn || !ranked || !cutoffs || !produced ||
        !penalized)
        goto done;
    /* species are kept sorted by id (speciate sorts them) */
    for (int32_t s = 0; s < ns; s++) {
        Species *sp = &p->species[s];
        double prevf = sp->has_history ? sp->history_max : -DBL_MAX;
        for (int32_t m = 0; m < sp->nmembers; m++) fs[m] = p->genomes[sp->members[m]].fitness;
        sp->fitness = sp->nmembers ? species_stat(c->species_fitness_func, fs, sp->nmembers, scratch)
                                   : -DBL_MAX;
        sp->history_max = sp->has_history ? fmax(sp->history_max, sp->fitness) : sp->fitness;
        sp->has_history = 1;
        sp->adjusted = NAN;
        if (sp->fitness > prevf) sp->last_improved = p->generation;
        rank[s] = (SpeciesRank){sp->fitness, sp->key, s};
    }
    qsort(rank, (size_t)ns, sizeof(SpeciesRank), cmp_species_rank);
    int32_t nrem = 0, non_stagnant = ns;
    uint8_t *stagnant = calloc((size_t)(ns ? ns : 1), 1);
    if (!stagnant) goto done;
    for (int32_t k = 0; k < ns; k++) {
        Species *sp = &p->species[rank[k].s];
        int64_t stagnant_time = p->generation - sp->last_improved;
        int is = 0;
        if (non_stagnant > c->species_elitism) is = stagnant_time >= c->max_stagnation;
        if (ns - k <= c->species_elitism) is = 0;
        if (is) non_stagnant--;
        stagnant[rank[k].s] = (uint8_t)is;
    }
    /* obliterate_every (NEAT C++'s Population::epoch): every so many generations the
     * species of the lowest fitness among those at least 20 generations old counts as
     * stagnant (its flag never clears there, and a flagged species soon dies out) */
    if (c->obliterate_every > 0 && p->generation % c->obliterate_every == 0) {
        for (int32_t k = ns - 1; k >= 0; k--) {
            if (p->generation - p->species[rank[k].s].created >= 20) {
                stagnant[rank[k].s] = 1;
                break;
            }
        }
    }
    /* stagnation_penalty (NEAT C++'s Species::adjust_fitness): a stagnant species is
     * kept, its share of the offspring scaled by the penalty, instead of removed */
    for (int32_t k = 0; k < ns; k++) {
        int is = stagnant[rank[k].s];
        if (is && c->stagnation_penalty > 0.0) penalized[nrem] = 1;
        if (!is || c->stagnation_penalty > 0.0) remaining[nrem++] = rank[k].s;
    }
    free(stagnant);
    if (nrem == 0) { /* complete extinction: pop_advance decides what follows */
        rc = 1;
        goto done;
    }
    double minf = INFINITY, maxf = -INFINITY;
    for (int32_t k = 0; k < nrem; k++) {
        Species *sp = &p->species[remaining[k]];
        for (int32_t m = 0; m < sp->nmembers; m++) {
            double f = p->genomes[sp->members[m]].fitness;
            if (f < minf) minf = f;
            if (f > maxf) maxf = f;
        }
    }
    double range = fmax(1.0, maxf - minf);
    for (int32_t k = 0; k < nrem; k++) {
        Species *sp = &p->species[remaining[k]];
        for (int32_t m = 0; m < sp->nmembers; m++) fs[m] = p->genomes[sp->members[m]].fitness;
        double msf = species_stat(SFF_MEAN, fs, sp->nmembers, scratch);
        af[k] = (msf - minf) / range;
        if (penalized[k]) af[k] *= c->stagnation_penalty;
        sp->adjusted = af[k];
        prev[k] = sp->nmembers;
    }
    int64_t min_size = c->min_species_size > c->elitism ? c->min_species_size : c->elitism;
    if (c->spawn_paper) {
        /* the paper's explicit fitness sharing: a species' summed adjusted fitness is the
         * sum of f_i / |S|, its mean raw fitness (shifted up only if some are negative) */
        double shift = minf < 0.0 ? minf : 0.0;
        for (int32_t k = 0; k < nrem; k++) {
            Species *sp = &p->species[remaining[k]];
            for (int32_t m = 0; m < sp->nmembers; m++) fs[m] = p->genomes[sp->members[m]].fitness;
            shared[k] = species_stat(SFF_MEAN, fs, sp->nmembers, scratch) - shift;
            if (penalized[k]) shared[k] *= c->stagnation_penalty;
        }
        compute_spawn_paper(shared, nrem, c->pop_size, spawn);
    } else {
        compute_spawn(af, prev, nrem, c->pop_size, min_size, spawn);
        int a = adjust_spawn_exact(spawn, nrem, c->pop_size, min_size);
        if (a) { rc = a == -2 ? -1 : -2; goto done; }
    }
    /* members ranked by (fitness, key) descending, and the parents' cut-off */
    for (int32_t k = 0; k < nrem; k++) {
        Species *sp = &p->species[remaining[k]];
        ranked[k] = malloc(sizeof(Ranked) * (size_t)(sp->nmembers ? sp->nmembers : 1));
        if (!ranked[k]) goto done;
        for (int32_t m = 0; m < sp->nmembers; m++) {
            const Genome *g = &p->genomes[sp->members[m]];
            ranked[k][m] = (Ranked){g->fitness, g->key, sp->members[m]};
        }
        sort_ranked(ranked[k], sp->nmembers);
        int32_t cut = (int32_t)ceil(c->survival_threshold * (double)sp->nmembers);
        if (cut < 2) cut = 2;
        /* the paper's spawn: NEAT C++'s parents (Species::adjust_fitness), the best
         * floor(survival_threshold * size + 1), so a species of one still breeds */
        if (c->spawn_paper) cut = (int32_t)floor(c->survival_threshold * (double)sp->nmembers + 1.0);
        if (cut > sp->nmembers) cut = sp->nmembers;
        cutoffs[k] = cut;
    }
    /* population_stagnation (NEAT C++'s delta coding, Population::epoch): the best
     * species by champion gets floor(pop_size / 2) offspring, the second the rest (the
     * best all when alone), the others none; all are clones of the species' champion
     * (super_champ_offspring), and both species count as just improved */
    int32_t delta_best = -1, delta_second = -1;
    if (p->delta_pending) {
        p->delta_pending = 0;
        for (int32_t k = 0; k < nrem; k++) {
            if (!p->species[remaining[k]].nmembers) continue;
            double f = ranked[k][0].f;
            int64_t key = p->species[remaining[k]].key;
            if (delta_best < 0 || f > ranked[delta_best][0].f ||
                (f == ranked[delta_best][0].f && key < p->species[remaining[delta_best]].key)) {
                delta_second = delta_best;
                delta_best = k;
            } else if (delta_second < 0 || f > ranked[delta_second][0].f ||
                       (f == ranked[delta_second][0].f &&
                        key < p->species[remaining[delta_second]].key)) {
                delta_second = k;
            }
        }
        for (int32_t k = 0; k < nrem; k++) spawn[k] = 0;
        if (delta_second >= 0) {
            spawn[delta_best] = c->pop_size / 2;
            spawn[delta_second] = c->pop_size - c->pop_size / 2;
            p->species[remaining[delta_second]].last_improved = p->generation;
        } else {
            spawn[delta_best] = c->pop_size;
        }
        p->species[remaining[delta_best]].last_improved = p->generation;
    }
    int64_t total = 0;
    for (int32_t k = 0; k < nrem; k++) total += spawn[k] > c->elitism ? spawn[k] : c->elitism;
    /* the next generation reuses the structs (and gene arrays) of the one before last */
    next = p->spare;
    nhave = p->nspare;
    p->spare = NULL;
    p->nspare = 0;
    if (nhave < total + 1) {
        Genome *grown = realloc(next, sizeof(Genome) * (size_t)(total + 1));
        if (!grown) goto done;
        next = grown;
        memset(next + nhave, 0, sizeof(Genome) * (size_t)(total + 1 - nhave));
        nhave = (int32_t)(total + 1);
    }
    for (int32_t k = 0; k < nrem; k++) {
        Species *sp = &p->species[remaining[k]];
        int64_t sp_spawn = spawn[k] > c->elitism ? spawn[k] : c->elitism;
        int32_t nm = sp->nmembers, first = nnext;
        if (k == delta_best || k == delta_second) {
            /* the champion's clones: each but the last gets its weights mutated (80%) or
             * a connection added (20%; weights when adding is off); the last is exact */
            const Genome *champ = &p->genomes[ranked[k][0].idx];
            produced[k] = (int32_t)sp_spawn;
            for (int64_t i = 0; i < sp_spawn; i++) {
                Genome *child = &next[nnext];
                genome_reset(child, p->next_genome_key++);
                nnext++;
                if (genome_copy(child, champ)) goto done;
                child->key = p->next_genome_key - 1;
                child->fitness = NAN;
                child->species = -1;
                if (i == sp_spawn - 1) continue;
                if (c->conn_add_prob == 0.0 || rng_random(r) < 0.8) mutate_weights_all(p, child);
                else if (mutate_add_connection(p, child)) goto done;
            }
            continue;
        }
        int32_t elites = c->elitism < nm ? c->elitism : nm;
        for (int32_t e = 0; e < elites && sp_spawn > 0; e++) {
            if (genome_copy(&next[nnext], &p->genomes[ranked[k][e].idx])) goto done;
            nnext++;
            sp_spawn--;
        }
        /* the paper: the champion of a species of more than N members, unchanged */
        /* champion_by_spawn (NEAT C++'s Species::reproduce: expected_offspring > 5):
         * counted by the species' offspring instead of its members */
        if (c->species_champion_min_size > 0 && elites == 0 &&
            (c->champion_by_spawn ? sp_spawn : (int64_t)nm) > c->species_champion_min_size &&
            sp_spawn > 0) {
            if (genome_copy(&next[nnext], &p->genomes[ranked[k][0].idx])) goto done;
            nnext++;
            sp_spawn--;
        }
        int32_t cut = cutoffs[k];
        produced[k] = (int32_t)sp_spawn + (nnext - first);
        while (sp_spawn > 0) {
            sp_spawn--;
            const Genome *p1 = &p->genomes[ranked[k][rng_choice(r, cut)].idx];
            Genome *child = &next[nnext];
            genome_reset(child, p->next_genome_key++);
            nnext++;
            if (c->mutate_only_rate > 0 && rng_random(r) < c->mutate_only_rate) {
                if (genome_copy(child, p1)) goto done;
                child->key = p->next_genome_key - 1;
                child->fitness = NAN;
            } else {
                const Genome *p2;
                if (c->interspecies_mating_rate > 0 && nrem > 1 &&
                    rng_random(r) < c->interspecies_mating_rate) {
                    if (c->interspecies_champion) {
                        int32_t o = interspecies_pick(r, ranked, remaining, p->species, nrem, k);
                        p2 = &p->genomes[ranked[o][0].idx];
                    } else {
                        int32_t o = (int32_t)rng_choice(r, nrem);
                        p2 = &p->genomes[ranked[o][rng_choice(r, cutoffs[o])].idx];
                    }
                } else {
                    p2 = &p->genomes[ranked[k][rng_choice(r, cut)].idx];
                }
                if (genome_crossover(p, p1, p2, child)) goto done;
                /* mate_only_rate (NEAT C++'s mate_only_prob): the child of two different
                 * parents is left unmutated with this probability (NEAT C++ mutates it
                 * anyway when the parents are one genome or at distance 0) */
                if (c->mate_only_rate > 0 && p1->key != p2->key &&
                    rng_random(r) < c->mate_only_rate &&
                    !(c->distance_paper && paper_distance(c, p1, p2) == 0.0)) {
                    child->species = -1;
                    continue;
                }
            }
            if (genome_mutate(p, child)) goto done;
            child->species = -1;
        }
    }
    /* the old generation goes; species keep their representatives, lose their members */
    p->spare = p->genomes;
    p->nspare = p->ncap;
    p->genomes = next;
    p->n = nnext;
    p->ncap = nhave;
    next = NULL;
    {
        Species *kept = calloc((size_t)(nrem ? nrem : 1), sizeof(Species));
        if (!kept) goto done;
        uint8_t *keep = calloc((size_t)(ns ? ns : 1), 1);
        if (!keep) { free(kept); goto done; }
        /* a species left without offspring (the paper's spawn can give it none) dies */
        for (int32_t k = 0; k < nrem; k++) keep[remaining[k]] = produced[k] > 0;
        int32_t nk = 0;
        for (int32_t s = 0; s < ns; s++) { /* stay sorted by id */
            if (keep[s]) { kept[nk] = p->species[s]; kept[nk].nmembers = 0; nk++; }
            else species_free(&p->species[s]);
        }
        free(keep);
        free(p->species);
        p->species = kept;
        p->ns = nk;
    }
    rc = 0;
done:
    if (next) { /* kept for reuse (every struct in it is valid) */
        p->spare = next;
        p->nspare = nhave;
    }
    if (ranked) for (int32_t k = 0; k < ns; k++) free(ranked[k]);
    free(ranked); free(cutoffs); free(produced); free(rank); free(scratch); free(fs); free(remaining);
    free(af); free(shared); free(prev); free(spawn); free(penalized);
    if (rc == 0 && r->tape_error) rc = -3;
    return rc;
}

/* One generation's reproduction and speciation (Population.run's loop body after the
 * evaluation). Returns 0; 1 when everything went extinct and reset_on_extinction made a
 * new population; 2 when everything went extinct without reset (the population is then
 * empty); negative on failure (-1 memory, -2 spawn minima). */
int pop_advance(Pop *p)
{
    /* the species' stagnation record, to put back if the run stops at an extinction */
    typedef struct { double fitness, adjusted, history_max; int64_t last; int has; } Saved;
    Saved *saved = malloc(sizeof(Saved) * (size_t)(p->ns ? p->ns : 1));
    if (!saved) return -1;
    for (int32_t s = 0; s < p->ns; s++) {
        Species *sp = &p->species[s];
        saved[s] = (Saved){sp->fitness, sp->adjusted, sp->history_max, sp->last_improved,
                           sp->has_history};
    }
    int rc = pop_reproduce(p), out = 0;
    if (rc == 1 && !p->cfg.reset_on_extinction) {
        for (int32_t s = 0; s < p->ns; s++) {
            Species *sp = &p->species[s];
            sp->fitness = saved[s].fitness; sp->adjusted = saved[s].adjusted;
            sp->history_max = saved[s].history_max; sp->last_improved = saved[s].last;
            sp->has_history = saved[s].has;
        }
    }
    free(saved);
    if (rc < 0) return rc;
    if (rc == 1) {
        /* every species stagnant: neat-python starts afresh, or stops (the population
         * is then left as it was before this generation) */
        if (!p->cfg.reset_on_extinction) return 2;
        for (int32_t s = 0; s < p->ns; s++) species_free(&p->species[s]);
        p->ns = 0;
        if (pop_create_new(p)) return -1;
        out = 1;
    }
    if (pop_speciate(p)) return -1;
    p->generation++;
    return out;
}

/* An entry of a saved innovation map, put back as it was (checkpoints). */
int innov_restore(Innovations *t, int64_t in, int64_t out, int32_t type, int64_t number)
{
    return innov_put(t, in, out, type, number);
}
