/* netgraph._neat: a NEAT population stored as arrays of genes (SharpNEAT style).
 *
 * The algorithm is neat-python 2.0.0's (genome.py, genes.py, attributes.py,
 * reproduction.py, species.py, stagnation.py, innovation.py, graphs.py, nn/), restated
 * over flat arrays, plus the 2002 paper's extras (see NeatConfig). Each genome owns its
 * node genes sorted by key and its connection genes sorted by innovation number.
 *
 * Random numbers come from xoshiro256** seeded through splitmix64; every random decision
 * draws uniforms in [0, 1) by the protocol in rng_* below, which tests can replace with a
 * scripted tape (Population._set_draws) to replay exact decisions.
 */
#ifndef NETGRAPH_NEAT_H
#define NETGRAPH_NEAT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- random numbers */
typedef struct {
    uint64_t s[4];
    const double *tape;   /* scripted uniforms (tests); NULL = the generator */
    size_t tape_len, tape_pos;
    int tape_error;       /* set when a scripted tape ran out */
} Rng;

/* ---------------------------------------------------------------- configuration */
typedef struct {
    double init_mean, init_stdev, replace_rate, mutate_rate, mutate_power, max_value,
        min_value;
    int init_uniform; /* 0 gaussian, 1 uniform (neat-python's init_type) */
} FloatAttr;

enum { IC_UNCONNECTED = 0, IC_FS_NEAT_NOHIDDEN, IC_FS_NEAT_HIDDEN, IC_FULL_NODIRECT,
       IC_FULL_DIRECT, IC_PARTIAL_NODIRECT, IC_PARTIAL_DIRECT };
enum { SFF_MIN = 0, SFF_MAX, SFF_MEAN, SFF_MEDIAN, SFF_MEDIAN2 };
enum { AGG_SUM = 0, AGG_PRODUCT, AGG_MAX, AGG_MIN, AGG_MAXABS, AGG_MEDIAN, AGG_MEAN };
/* kinds of innovation-map entries; INNOV_SPLIT maps a split connection (in, out) to the
 * node key it got this generation (node_split_reuse), not to an innovation number */
enum { INNOV_ADD_CONNECTION = 0, INNOV_ADD_NODE_IN, INNOV_ADD_NODE_OUT, INNOV_INITIAL,
       INNOV_SPLIT, INNOV_GATE };

#define NEAT_MAX_OPTIONS 64

typedef struct {
    int num_inputs, num_outputs, num_hidden, pop_size;
    int feed_forward;
    double compat_disjoint, compat_weight, compat_threshold;
    double conn_add_prob, conn_delete_prob, node_add_prob, node_delete_prob;
    int single_structural_mutation, surer;
    int initial_connection;
    double connection_fraction;
    FloatAttr bias, response, weight;
    int enabled_default; /* 0 false, 1 true, 2 random */
    double enabled_mutate_rate, enabled_to_true_add, enabled_to_false_add;
    int n_act, act_default; /* act_default: index, or -1 for a random option */
    int act_codes[NEAT_MAX_OPTIONS];
    double act_mutate_rate;
    int n_agg, agg_default;
    int agg_codes[NEAT_MAX_OPTIONS];
    double agg_mutate_rate;
    int species_fitness_func, max_stagnation, species_elitism;
    int elitism, min_species_size;
    double survival_threshold;
    int reset_on_extinction;
    /* netgraph extras: defaults reproduce neat-python */
    double interspecies_mating_rate, mutate_only_rate, disabled_gene_rate, weight_genome_rate;
    int species_champion_min_size;
    int spawn_paper;
    int distance_paper; /* compatibility_distance = "paper" (section 3.3 of the paper) */
    int node_split_reuse; /* the same split in one generation gives the same node key */
    /* Neataptic's structural mutations (neat_gates.c); all 0 = neat-python */
    double gate_add_prob, gate_delete_prob, self_add_prob, self_delete_prob, back_add_prob,
        back_delete_prob;
    int weight_uniform; /* weight_perturbation = "uniform" (NEAT C++): +-mutate_power */
    int exclusive_mutations; /* add node, else add connection, else weights (NEAT C++) */
    int add_connection_tries; /* attempts to find an unlinked pair (NEAT C++: 20) */
    int split_enabled_only; /* add node splits an enabled connection only (NEAT C++) */
    int speciation_paper; /* first fit, a random member of last generation represents */
    double crossover_average_rate; /* matching weights averaged (NEAT C++: 0.4) */
    int population_stagnation; /* NEAT C++'s delta coding after this many generations
                                * without a new population record (0: off) */
    /* more of NEAT C++ 1.2 (Species::reproduce, Genome::mutate_*); all 0/-1 = off */
    int bias_input;         /* index of a constant bias input add-node never splits, or -1 */
    int split_old_genes;    /* add node in genomes of < 15 genes prefers older genes */
    double mate_only_rate;  /* crossover offspring left unmutated */
    int champion_by_spawn;  /* champion copied when the species' offspring > min size */
    int interspecies_champion; /* interspecies partner: a fitter species' champion */
    int weight_mutation_cpp;   /* Genome::mutate_link_weights' per-genome schedule */
    int crossover_tie_smaller; /* equal fitness: the smaller genome is the fitter parent */
    int add_connection_cpp; /* add_connection_rule = "neat-c++" (Genome::mutate_add_link) */
    double recurrent_connection_rate; /* its recur_only_prob: look for a cycle-closing link */
    double stagnation_penalty; /* Species::adjust_fitness: stagnant species kept, share scaled */
    int obliterate_every; /* Population::epoch: worst species over age 20 stagnant every n */
} NeatConfig;

/* ---------------------------------------------------------------- genomes */
typedef struct {
    int64_t key;
    double fitness;  /* NaN: not assigned */
    int64_t species; /* -1: none */
    int32_t nn, nc, capn, capc;
    int64_t *nkey;
    double *bias, *resp;
    int32_t *act, *agg;
    int64_t *inno;
    int32_t *cin, *cout; /* node keys fit 32 bits (checked where keys are made): 25 bytes
                          * a connection gene in all */
    double *w;
    uint8_t *en;
    /* gate genes (neat_gates.c), sorted by innovation: gate k lets node gnode[k] gate the
     * connection (gin[k] -> gout[k]) */
    int32_t ng, capg;
    int64_t *ginno;
    int32_t *gnode, *gin, *gout;
} Genome;

/* ---------------------------------------------------------------- innovation tracker */
typedef struct {
    int64_t in, out, number;
    int32_t type, used; /* used: the table's `live` stamp when made this generation */
} InnovEntry;

typedef struct {
    int64_t counter;  /* the last innovation number given */
    InnovEntry *table;
    size_t cap, count;
    int32_t live; /* the stamp of this generation's entries: clearing the map bumps it
                   * instead of zeroing the whole table every generation */
} Innovations;

/* ---------------------------------------------------------------- species */
typedef struct {
    int64_t key, created, last_improved;
    Genome rep;
    double fitness, adjusted;
    int has_history;
    double history_max;
    int64_t *members; /* indices into the population */
    int32_t nmembers, capmembers;
} Species;

/* ---------------------------------------------------------------- the population */
typedef struct {
    NeatConfig cfg;
    Rng rng;
    int64_t generation;
    int64_t next_genome_key, next_node_key, next_species_key; /* next_node_key -1: unset */
    Innovations innov;
    Genome *genomes;
    int32_t n, ncap;   /* genomes in use; structs initialised (arrays kept for reuse) */
    Genome *spare;     /* the previous generation's structs, reused by the next one */
    int32_t nspare;
    Species *species;
    int32_t ns;
    int delta_pending; /* population_stagnation reached: the next reproduction is NEAT
                        * C++'s delta coding (set by the caller, cleared by it) */
} Pop;

/* ---------------------------------------------------------------- neat_core.c */
void rng_seed(Rng *r, uint64_t seed);

/* The generator is used in every operator's inner loop: inline, here. */
static inline uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** (Blackman & Vigna): 64 random bits. */
static inline uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* random(): a uniform double in [0, 1) with 53 random bits, or the next scripted one. */
static inline double rng_random(Rng *r)
{
    if (r->tape) {
        if (r->tape_pos >= r->tape_len) {
            r->tape_error = 1;
            return 0.0;
        }
        return r->tape[r->tape_pos++];
    }
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* choice(n): floor(u * n), an index in [0, n). */
static inline int64_t rng_choice(Rng *r, int64_t n)
{
    int64_t k = (int64_t)(rng_random(r) * (double)n);
    return k < n ? k : n - 1;
}

double rng_normal(Rng *r);

/* gauss(mu, sigma): from the generator, mu + sigma z with z a standard normal deviate by
 * the ziggurat (rng_normal, neat_core.c: one 64-bit draw nearly always, no spare value
 * kept, so the state is still just the generator's); from a scripted tape, Box-Muller on
 * two uniforms, the cosine branch only (the tests' reference draws gauss so). */
static inline double rng_gauss(Rng *r, double mu, double sigma)
{
    if (!r->tape) return mu + sigma * rng_normal(r);
    double u1 = rng_random(r), u2 = rng_random(r);
    return mu + sigma * (sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * 3.14159265358979323846 * u2));
}

int genome_reserve(Genome *g, int32_t nn, int32_t nc);
int genome_grow(Genome *g, int32_t nn, int32_t nc);
void genome_init(Genome *g, int64_t key);
void genome_reset(Genome *g, int64_t key);
void genome_free(Genome *g);
int genome_copy(Genome *dst, const Genome *src);
int32_t genome_find_node(const Genome *g, int64_t key);
int32_t genome_find_conn(const Genome *g, int64_t in, int64_t out);

void innov_clear(Innovations *t);
void innov_free(Innovations *t);
int64_t innov_get(Innovations *t, int64_t in, int64_t out, int32_t type);
int innov_restore(Innovations *t, int64_t in, int64_t out, int32_t type, int64_t number);

int creates_cycle(const Genome *g, int64_t in, int64_t out, int num_inputs);
int mutate_add_node(Pop *p, Genome *g);
int mutate_add_connection(Pop *p, Genome *g);
int mutate_delete_node(Pop *p, Genome *g);
int mutate_delete_connection(Pop *p, Genome *g);
int genome_mutate(Pop *p, Genome *g);
int genome_crossover(Pop *p, const Genome *a, const Genome *b, Genome *child);
int key_index(const Genome *g, uint64_t *keys, int32_t *order);
double genome_distance(const NeatConfig *c, const Genome *a, const uint64_t *akeys,
                       const int32_t *aorder, const Genome *b, double *term);
int genome_configure_new(Pop *p, Genome *g);

void pop_free(Pop *p);
int pop_create_new(Pop *p);
int pop_speciate(Pop *p);
int pop_reproduce(Pop *p);
int pop_advance(Pop *p);

/* ---------------------------------------------------------------- neat_gates.c */
int gates_reserve(Genome *g, int32_t ng);
void gates_free(Genome *g);
int gates_copy(Genome *dst, const Genome *src);
int gates_prune(Genome *g);
int gates_split(Pop *p, Genome *g, int64_t in, int64_t out, int64_t node);
int gates_mutate(Pop *p, Genome *g);
double gates_distance(const NeatConfig *c, const Genome *a, const Genome *b);
int genome_back_flags(const Genome *g, int num_inputs, uint8_t *back);
int mutate_add_gate(Pop *p, Genome *g);
int mutate_delete_gate(Pop *p, Genome *g);
int mutate_add_self_connection(Pop *p, Genome *g);
int mutate_delete_self_connection(Pop *p, Genome *g);
int mutate_add_back_connection(Pop *p, Genome *g);
int mutate_delete_back_connection(Pop *p, Genome *g);
int gated_eval_dataset(const Genome *g, const NeatConfig *c, const double *X, const double *Y,
                       int64_t rows, int cost, double offset, double *fitness);
int gated_run(const Genome *g, const NeatConfig *c, const double *X, int64_t rows,
              const int64_t *resets, int64_t nresets, const double *Y, int cost,
              double offset, double *fitness, double *outputs);
/* from neat_core.c, for neat_gates.c */
int32_t genome_insert_conn(Pop *p, Genome *g, int64_t in, int64_t out, int64_t inno);
void genome_remove_conn(Genome *g, int32_t k);

/* ---------------------------------------------------------------- neat_eval.c */
/* A genome's network in neat-python's semantics, ready to run: slots 0..nin-1 are the
 * inputs, nin + k node k (key order). */
typedef struct {
    int32_t nin, nout, nslots, nevals;
    int recurrent;
    int32_t *eval_node;          /* node index of each evaluated node, in order */
    int32_t *link_start;         /* CSR over evaluated nodes */
    int32_t *link_src;           /* source slot */
    double *link_w;
    double *v0, *v1;             /* values (v1: the recurrent network's second buffer) */
    double *tmp;                 /* aggregation scratch */
    int32_t cap_slots, cap_links, cap_tmp;
    int32_t *work;               /* build scratch */
    int32_t cap_work;
    double *blk;                 /* values of a block of rows, slot-major (net_activate_rows) */
    int64_t cap_blk;
    int clean;                   /* feed-forward, v0 cleared by net_build and no node read
                                  * before it is computed: net_activate need not clear v0 */
} Net;

int net_build(Net *net, const Genome *g, const NeatConfig *c);
void net_reset(Net *net);
void net_activate(Net *net, const Genome *g, const NeatConfig *c, const double *x, double *y);
void net_free(Net *net);
int net_activate_rows(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                      int64_t rows, double *Y);
/* A feed-forward network over a few rows (at most NET_FEW_ROWS) at once: XOR's four. */
#define NET_FEW_ROWS 8
int net_activate_few(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                     int64_t rows, double *Y);
int net_activate_cols(Net *net, const Genome *g, const NeatConfig *c, const double *Xc,
                      int64_t rows, double *Y);

#endif
