/* netgraph._neat: the Python face of the native NEAT population (neat.h).
 *
 * One type, Population, owning the genomes as arrays of genes; Python sees a genome only
 * when it asks (genome_data). netgraph/neat/_native.py is the only caller: it turns a
 * Config into the flat numeric dictionary read here, and the tuples back into GenomeData.
 * Evaluation of data sets and tasks runs with the GIL released, on `threads` threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

#include <math.h>
#include <string.h>
#ifndef _WIN32
#include <pthread.h>
#endif

#include "neat.h"
#include "neat_tasks.h"
#include "neat_seq.h"

static PyObject *ExtinctionError;

typedef struct {
    PyObject_HEAD
    Pop pop;
    int ready;
    PyArrayObject *tape; /* scripted draws in use */
} PopObject;

/* ================================================================ configuration */

static int get_num(PyObject *d, const char *key, double *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) {
        PyErr_Format(PyExc_KeyError, "NEAT configuration value %s is missing", key);
        return -1;
    }
    double x = PyFloat_AsDouble(v);
    if (x == -1.0 && PyErr_Occurred()) return -1;
    *out = x;
    return 0;
}

static int get_int(PyObject *d, const char *key, int *out)
{
    double x;
    if (get_num(d, key, &x)) return -1;
    *out = (int)x;
    return 0;
}

static int get_attr(PyObject *d, const char *name, FloatAttr *a)
{
    char key[64];
    const char *parts[] = {"init_mean", "init_stdev", "replace_rate", "mutate_rate",
                           "mutate_power", "max_value", "min_value"};
    double *dst[] = {&a->init_mean, &a->init_stdev, &a->replace_rate, &a->mutate_rate,
                     &a->mutate_power, &a->max_value, &a->min_value};
    for (int i = 0; i < 7; i++) {
        snprintf(key, sizeof key, "%s_%s", name, parts[i]);
        if (get_num(d, key, dst[i])) return -1;
    }
    snprintf(key, sizeof key, "%s_init_uniform", name);
    return get_int(d, key, &a->init_uniform);
}

static int get_codes(PyObject *d, const char *key, int *codes, int *n)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v || !PyList_Check(v)) {
        PyErr_Format(PyExc_KeyError, "NEAT configuration value %s (a list) is missing", key);
        return -1;
    }
    Py_ssize_t k = PyList_GET_SIZE(v);
    if (k < 1 || k > NEAT_MAX_OPTIONS) {
        PyErr_Format(PyExc_ValueError, "%s must have 1 to %d entries", key, NEAT_MAX_OPTIONS);
        return -1;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
        long c = PyLong_AsLong(PyList_GET_ITEM(v, i));
        if (c == -1 && PyErr_Occurred()) return -1;
        codes[i] = (int)c;
    }
    *n = (int)k;
    return 0;
}

static int parse_config(PyObject *d, NeatConfig *c)
{
    memset(c, 0, sizeof *c);
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "NEAT configuration values must be a dict");
        return -1;
    }
#undef I
#define I(field, key) if (get_int(d, key, &c->field)) return -1
#define D(field, key) if (get_num(d, key, &c->field)) return -1
    I(num_inputs, "num_inputs"); I(num_outputs, "num_outputs"); I(num_hidden, "num_hidden");
    I(pop_size, "pop_size"); I(feed_forward, "feed_forward");
    D(compat_disjoint, "compatibility_disjoint_coefficient");
    D(compat_weight, "compatibility_weight_coefficient");
    D(compat_threshold, "compatibility_threshold");
    D(conn_add_prob, "conn_add_prob"); D(conn_delete_prob, "conn_delete_prob");
    D(node_add_prob, "node_add_prob"); D(node_delete_prob, "node_delete_prob");
    I(single_structural_mutation, "single_structural_mutation"); I(surer, "surer");
    I(initial_connection, "initial_connection");
    D(connection_fraction, "connection_fraction");
    if (get_attr(d, "bias", &c->bias) || get_attr(d, "response", &c->response) ||
        get_attr(d, "weight", &c->weight))
        return -1;
    I(enabled_default, "enabled_default"); D(enabled_mutate_rate, "enabled_mutate_rate");
    D(enabled_to_true_add, "enabled_rate_to_true_add");
    D(enabled_to_false_add, "enabled_rate_to_false_add");
    if (get_codes(d, "activation_codes", c->act_codes, &c->n_act)) return -1;
    I(act_default, "activation_default"); D(act_mutate_rate, "activation_mutate_rate");
    if (get_codes(d, "aggregation_codes", c->agg_codes, &c->n_agg)) return -1;
    I(agg_default, "aggregation_default"); D(agg_mutate_rate, "aggregation_mutate_rate");
    I(species_fitness_func, "species_fitness_func"); I(max_stagnation, "max_stagnation");
    I(species_elitism, "species_elitism"); I(elitism, "elitism");
    I(min_species_size, "min_species_size"); D(survival_threshold, "survival_threshold");
    I(reset_on_extinction, "reset_on_extinction");
    D(interspecies_mating_rate, "interspecies_mating_rate");
    D(mutate_only_rate, "mutate_only_rate"); D(disabled_gene_rate, "disabled_gene_rate");
    D(weight_genome_rate, "weight_mutate_genome_rate");
    I(species_champion_min_size, "species_champion_min_size"); I(spawn_paper, "spawn_paper");
    I(distance_paper, "distance_paper"); I(node_split_reuse, "node_split_reuse");
    /* Neataptic's mutations (neat_gates.c): optional, 0 when absent */
    {
        static const char *keys[6] = {"gate_add_prob", "gate_delete_prob",
                                      "self_connection_add_prob", "self_connection_delete_prob",
                                      "back_connection_add_prob", "back_connection_delete_prob"};
        double *fields[6] = {&c->gate_add_prob, &c->gate_delete_prob, &c->self_add_prob,
                             &c->self_delete_prob, &c->back_add_prob, &c->back_delete_prob};
        for (int k = 0; k < 6; k++)
            if (PyDict_GetItemString(d, keys[k]) && get_num(d, keys[k], fields[k])) return -1;
    }
    I(weight_uniform, "weight_uniform"); I(exclusive_mutations, "exclusive_mutations");
    I(add_connection_tries, "add_connection_tries");
    I(split_enabled_only, "split_enabled_only"); I(speciation_paper, "speciation_paper");
    D(crossover_average_rate, "crossover_average_rate");
    if (PyDict_GetItemString(d, "population_stagnation")) I(population_stagnation, "population_stagnation");
    /* NEAT C++ 1.2's details (optional: off when absent) */
    c->bias_input = -1;
    if (PyDict_GetItemString(d, "bias_input")) I(bias_input, "bias_input");
    if (PyDict_GetItemString(d, "split_old_genes")) I(split_old_genes, "split_old_genes");
    if (PyDict_GetItemString(d, "mate_only_rate")) D(mate_only_rate, "mate_only_rate");
    if (PyDict_GetItemString(d, "champion_by_spawn")) I(champion_by_spawn, "champion_by_spawn");
    if (PyDict_GetItemString(d, "stagnation_penalty")) D(stagnation_penalty, "stagnation_penalty");
    if (PyDict_GetItemString(d, "obliterate_every")) I(obliterate_every, "obliterate_every");
    if (PyDict_GetItemString(d, "interspecies_champion"))
        I(interspecies_champion, "interspecies_champion");
    if (PyDict_GetItemString(d, "weight_mutation_cpp")) I(weight_mutation_cpp, "weight_mutation_cpp");
    if (PyDict_GetItemString(d, "crossover_tie_smaller"))
        I(crossover_tie_smaller, "crossover_tie_smaller");
    if (PyDict_GetItemString(d, "add_connection_cpp")) I(add_connection_cpp, "add_connection_cpp");
    if (PyDict_GetItemString(d, "recurrent_connection_rate"))
        D(recurrent_connection_rate, "recurrent_connection_rate");
#undef I
#undef D
    if (c->num_inputs < 1 || c->num_outputs < 1 || c->num_hidden < 0 || c->pop_size < 2) {
        PyErr_SetString(PyExc_ValueError, "NEAT configuration: num_inputs and num_outputs "
                        "must be >= 1, num_hidden >= 0, pop_size >= 2");
        return -1;
    }
    if (c->act_default >= c->n_act || c->agg_default >= c->n_agg) {
        PyErr_SetString(PyExc_ValueError, "NEAT configuration: default option out of range");
        return -1;
    }
    return 0;
}

/* ================================================================ helpers */

static Pop *get_pop(PopObject *self)
{
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "the NEAT population is not initialised");
        return NULL;
    }
    return &self->pop;
}

static int check_index(Pop *p, Py_ssize_t i)
{
    if (i < 0 || i >= p->n) {
        PyErr_Format(PyExc_IndexError, "genome index %zd out of range (population of %d)", i,
                     (int)p->n);
        return -1;
    }
    return 0;
}

static PyObject *arr_i64(const int64_t *src, npy_intp n)
{
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_INT64);
    if (a && n) memcpy(PyArray_DATA((PyArrayObject *)a), src, sizeof(int64_t) * (size_t)n);
    return a;
}

static PyObject *arr_i32_as_i64(const int32_t *src, npy_intp n)
{
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_INT64);
    if (!a) return NULL;
    int64_t *d = PyArray_DATA((PyArrayObject *)a);
    for (npy_intp i = 0; i < n; i++) d[i] = src[i];
    return a;
}

static PyObject *arr_f64(const double *src, npy_intp n)
{
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (a && n) memcpy(PyArray_DATA((PyArrayObject *)a), src, sizeof(double) * (size_t)n);
    return a;
}

static PyObject *arr_bool(const uint8_t *src, npy_intp n)
{
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_BOOL);
    if (a && n) memcpy(PyArray_DATA((PyArrayObject *)a), src, (size_t)n);
    return a;
}

/* (key, node_key, bias, response, activation, aggregation, innovation, in, out, weight,
 *  enabled, fitness | None, species | None, gate_innovation, gate_node, gate_in,
 *  gate_out) */
static PyObject *genome_tuple(const Genome *g)
{
    PyObject *fit = isnan(g->fitness) ? Py_NewRef(Py_None) : PyFloat_FromDouble(g->fitness);
    PyObject *sp = g->species < 0 ? Py_NewRef(Py_None) : PyLong_FromLongLong(g->species);
    return Py_BuildValue("(LNNNNNNNNNNNNNNNN)", (long long)g->key, arr_i64(g->nkey, g->nn),
                         arr_f64(g->bias, g->nn), arr_f64(g->resp, g->nn),
                         arr_i32_as_i64(g->act, g->nn), arr_i32_as_i64(g->agg, g->nn),
                         arr_i64(g->inno, g->nc), arr_i32_as_i64(g->cin, g->nc),
                         arr_i32_as_i64(g->cout, g->nc), arr_f64(g->w, g->nc),
                         arr_bool(g->en, g->nc), fit, sp, arr_i64(g->ginno, g->ng),
                         arr_i32_as_i64(g->gnode, g->ng), arr_i32_as_i64(g->gin, g->ng),
                         arr_i32_as_i64(g->gout, g->ng));
}

/* An array argument as a contiguous array of `type` with `n` entries (n < 0: any). */
static PyArrayObject *as_array(PyObject *o, int type, npy_intp n, const char *what)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(o, type, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (!a) return NULL;
    if (n >= 0 && PyArray_DIM(a, 0) != n) {
        PyErr_Format(PyExc_ValueError, "%s has %zd entries, expected %zd", what,
                     (Py_ssize_t)PyArray_DIM(a, 0), (Py_ssize_t)n);
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

/* The gate genes at t[13..16] (absent: none), checked against g's nodes and
 * connections. */
static int gates_from_tuple(Genome *g, PyObject *t)
{
    g->ng = 0;
    if (PyTuple_GET_SIZE(t) < 17) return 0;
    static const char *names[4] = {"gate_innovation", "gate_node", "gate_in", "gate_out"};
    PyArrayObject *a[4] = {0};
    int rc = -1;
    for (int i = 0; i < 4; i++) {
        a[i] = as_array(PyTuple_GET_ITEM(t, 13 + i), NPY_INT64, -1, names[i]);
        if (!a[i]) goto done;
    }
    npy_intp n = PyArray_DIM(a[0], 0);
    for (int i = 1; i < 4; i++)
        if (PyArray_DIM(a[i], 0) != n) {
            PyErr_Format(PyExc_ValueError, "genome %lld: %s has %zd entries, gate_innovation "
                         "%zd", (long long)g->key, names[i], (Py_ssize_t)PyArray_DIM(a[i], 0),
                         (Py_ssize_t)n);
            goto done;
        }
    const int64_t *inn = PyArray_DATA(a[0]), *gn = PyArray_DATA(a[1]);
    const int64_t *gi = PyArray_DATA(a[2]), *go = PyArray_DATA(a[3]);
    if (gates_reserve(g, (int32_t)n)) { PyErr_NoMemory(); goto done; }
    for (npy_intp k = 0; k < n; k++) {
        if ((k && inn[k] <= inn[k - 1]) || inn[k] < 0) {
            PyErr_Format(PyExc_ValueError, "genome %lld: gate innovation numbers must be >= 0 "
                         "and ascend", (long long)g->key);
            goto done;
        }
        if (gn[k] < 0 || gn[k] > INT32_MAX / 2 || genome_find_node(g, gn[k]) < 0 ||
            gi[k] > INT32_MAX / 2 || gi[k] < -(int64_t)INT32_MAX / 2 ||
            go[k] < 0 || go[k] > INT32_MAX / 2 || genome_find_conn(g, gi[k], go[k]) < 0) {
            PyErr_Format(PyExc_ValueError, "genome %lld: gate %lld (node %lld gating %lld -> "
                         "%lld) names a node or connection the genome does not have",
                         (long long)g->key, (long long)inn[k], (long long)gn[k],
                         (long long)gi[k], (long long)go[k]);
            goto done;
        }
        for (npy_intp j = 0; j < k; j++)
            if (gi[j] == gi[k] && go[j] == go[k]) {
                PyErr_Format(PyExc_ValueError, "genome %lld: connection %lld -> %lld has two "
                             "gates", (long long)g->key, (long long)gi[k], (long long)go[k]);
                goto done;
            }
        g->ginno[k] = inn[k]; g->gnode[k] = (int32_t)gn[k];
        g->gin[k] = (int32_t)gi[k]; g->gout[k] = (int32_t)go[k];
    }
    g->ng = (int32_t)n;
    rc = 0;
done:
    for (int i = 0; i < 4; i++) Py_XDECREF(a[i]);
    return rc;
}

/* Fill g from a genome tuple (the form genome_tuple writes); checks sizes and order. */
static int genome_from_tuple(Genome *g, PyObject *t, const NeatConfig *c)
{
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 11) {
        PyErr_SetString(PyExc_TypeError, "a genome is a tuple (key, node_key, bias, response, "
                        "activation, aggregation, innovation, in, out, weight, enabled, ...)");
        return -1;
    }
    long long key = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0));
    if (key == -1 && PyErr_Occurred()) return -1;
    PyArrayObject *a[10] = {0};
    static const int types[10] = {NPY_INT64, NPY_FLOAT64, NPY_FLOAT64, NPY_INT64, NPY_INT64,
                                  NPY_INT64, NPY_INT64, NPY_INT64, NPY_FLOAT64, NPY_BOOL};
    static const char *names[10] = {"node_key", "node_bias", "node_response",
                                    "node_activation", "node_aggregation", "conn_innovation",
                                    "conn_in", "conn_out", "conn_weight", "conn_enabled"};
    int rc = -1;
    for (int i = 0; i < 10; i++) {
        a[i] = as_array(PyTuple_GET_ITEM(t, i + 1), types[i], -1, names[i]);
        if (!a[i]) goto done;
    }
    npy_intp nn = PyArray_DIM(a[0], 0), nc = PyArray_DIM(a[5], 0);
    for (int i = 0; i < 10; i++) {
        npy_intp want = i < 5 ? nn : nc;
        if (PyArray_DIM(a[i], 0) != want) {
            PyErr_Format(PyExc_ValueError, "genome %lld: %s has %zd entries, expected %zd", key,
                         names[i], (Py_ssize_t)PyArray_DIM(a[i], 0), (Py_ssize_t)want);
            goto done;
        }
    }
    const int64_t *nk = PyArray_DATA(a[0]), *ac = PyArray_DATA(a[3]), *ag = PyArray_DATA(a[4]);
    const int64_t *inn = PyArray_DATA(a[5]), *ci = PyArray_DATA(a[6]), *co = PyArray_DATA(a[7]);
    for (npy_intp k = 0; k < nn; k++) {
        if ((k && nk[k] <= nk[k - 1]) || nk[k] < 0 || nk[k] > INT32_MAX / 2) {
            PyErr_Format(PyExc_ValueError, "genome %lld: node keys must be >= 0 and ascending", key);
            goto done;
        }
        if (ac[k] < 0 || ac[k] >= c->n_act || ag[k] < 0 || ag[k] >= c->n_agg) {
            PyErr_Format(PyExc_ValueError, "genome %lld: node %lld's activation/aggregation index "
                         "is out of range", key, (long long)nk[k]);
            goto done;
        }
    }
    if (nn < c->num_outputs || nk[c->num_outputs > 0 ? c->num_outputs - 1 : 0] != c->num_outputs - 1) {
        PyErr_Format(PyExc_ValueError, "genome %lld: output nodes 0..%d must be present", key,
                     c->num_outputs - 1);
        goto done;
    }
    for (npy_intp k = 0; k < nc; k++) {
        if (k && inn[k] <= inn[k - 1]) {
            PyErr_Format(PyExc_ValueError, "genome %lld: innovation numbers must ascend", key);
            goto done;
        }
        if (co[k] < 0 || co[k] > INT32_MAX / 2 || ci[k] > INT32_MAX / 2 ||
            (ci[k] < 0 && -ci[k] > c->num_inputs)) {
            PyErr_Format(PyExc_ValueError, "genome %lld: connection %lld (%lld -> %lld) has a bad end",
                         key, (long long)inn[k], (long long)ci[k], (long long)co[k]);
            goto done;
        }
    }
    if (genome_reserve(g, (int32_t)nn, (int32_t)nc)) { PyErr_NoMemory(); goto done; }
    g->key = key;
    g->nn = (int32_t)nn;
    g->nc = (int32_t)nc;
    if (nn) {
        memcpy(g->nkey, nk, 8 * (size_t)nn);
        memcpy(g->bias, PyArray_DATA(a[1]), 8 * (size_t)nn);
        memcpy(g->resp, PyArray_DATA(a[2]), 8 * (size_t)nn);
        for (npy_intp k = 0; k < nn; k++) { g->act[k] = (int32_t)ac[k]; g->agg[k] = (int32_t)ag[k]; }
    }
    if (nc > 0) {
        memcpy(g->inno, inn, 8 * (size_t)nc);
        for (npy_intp k = 0; k < nc; k++) { g->cin[k] = (int32_t)ci[k]; g->cout[k] = (int32_t)co[k]; }
        memcpy(g->w, PyArray_DATA(a[8]), 8 * (size_t)nc);
        memcpy(g->en, PyArray_DATA(a[9]), (size_t)nc);
    }
    for (npy_intp k = 0; k < nc; k++) {
        if (genome_find_node(g, g->cout[k]) < 0 || (g->cin[k] >= 0 && genome_find_node(g, g->cin[k]) < 0)) {
            PyErr_Format(PyExc_ValueError, "genome %lld: connection %lld (%lld -> %lld) names a node "
                         "the genome does not have", key, (long long)g->inno[k],
                         (long long)g->cin[k], (long long)g->cout[k]);
            goto done;
        }
    }
    g->fitness = NAN;
    g->species = -1;
    if (PyTuple_GET_SIZE(t) > 11 && PyTuple_GET_ITEM(t, 11) != Py_None) {
        g->fitness = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 11));
        if (g->fitness == -1.0 && PyErr_Occurred()) goto done;
    }
    if (PyTuple_GET_SIZE(t) > 12 && PyTuple_GET_ITEM(t, 12) != Py_None) {
        g->species = PyLong_AsLongLong(PyTuple_GET_ITEM(t, 12));
        if (g->species == -1 && PyErr_Occurred()) goto done;
    }
    if (gates_from_tuple(g, t)) goto done;
    rc = 0;
done:
    for (int i = 0; i < 10; i++) Py_XDECREF(a[i]);
    return rc;
}

/* ================================================================ evaluation over threads */

typedef struct {
    Pop *p;
    int32_t lo, hi;
    int kind;                  /* -1 data set, else TASK_* */
    const double *X, *Y;
    int64_t rows;
    int cost;
    double offset;
    const double *params;
    int64_t nparams;
    double *fitness;
    uint8_t *solved;
    int failed;
} Job;

static void *run_job(void *arg)
{
    Job *j = arg;
    Net net;
    memset(&net, 0, sizeof net);
    const NeatConfig *c = &j->p->cfg;
    double *y = malloc(sizeof(double) * (size_t)(c->num_outputs + 1));
    double *cases = NULL, *out = NULL, *cols = NULL;
    if (j->kind == TASK_MULTIPLEXER) {
        int a = (int)j->params[0];
        cases = multiplexer_cases(a);
        cols = cases ? multiplexer_cols(cases, a) : NULL;
        out = malloc(sizeof(double) * ((size_t)1 << (a + (1 << a))));
    } else if (j->kind < 0) {
        out = malloc(sizeof(double) * (size_t)(j->rows * c->num_outputs + 1));
    }
    if (!y || (j->kind == TASK_MULTIPLEXER && (!cases || !out)) || (j->kind < 0 && !out)) {
        free(y); free(cases); free(out); free(cols);
        j->failed = 1;
        return NULL;
    }
    for (int32_t i = j->lo; i < j->hi; i++) {
        Genome *g = &j->p->genomes[i];
        if (net_build(&net, g, c)) { j->failed = 1; break; }
        int ok = 0;
        double f;
        switch (j->kind) {
        case TASK_XOR: /* params: [1.0] when the task feeds the bias input */
            f = eval_xor(&net, g, c, j->nparams > 0 && j->params[0] != 0.0, &ok);
            break;
        case TASK_MULTIPLEXER:
        {   /* feed-forward: the cases by column, the same bits, faster (NaN: again by row,
             * which also covers a failed allocation) */
            int a = (int)j->params[0];
            int64_t nin = a + (1 << a);
            f = NAN;
            if (cols && !net.recurrent)
                f = eval_multiplexer_cols(&net, g, c, a, &ok, cols, cols + (nin << nin), out);
            if (isnan(f))
                f = eval_multiplexer(&net, g, c, (int)j->params[0], &ok, cases, out);
            break;
        }
        case TASK_CARTPOLE:
            f = eval_cartpole(&net, g, c, j->params + 1, (int64_t)j->params[0], &ok);
            break;
        case TASK_DOUBLEPOLE: {
            int64_t steps;
            int vel = (int)j->params[0];
            f = eval_doublepole(&net, g, c, vel, (int64_t)j->params[1], &steps);
            /* a candidate: balanced the whole evaluation; the full test is separate */
            ok = vel ? steps >= DP_SOLVED_STEPS : steps >= 1000;
            break;
        }
        default:
            f = eval_dataset(&net, g, c, j->X, j->Y, j->rows, j->cost, j->offset, y, out);
        }
        j->fitness[i - j->lo] = f;
        if (j->solved) j->solved[i - j->lo] = (uint8_t)ok;
    }
    free(y); free(cases); free(out); free(cols);
    net_free(&net);
    return NULL;
}

/* Evaluate genomes [0, n) on `threads` threads (the GIL is released by the caller). */
static int run_jobs(Job *proto, int threads)
{
    int32_t n = proto->p->n;
    if (threads < 1) threads = 1;
    if (threads > n) threads = n > 0 ? n : 1;
#ifdef _WIN32
    threads = 1;
#endif
    Job jobs[64];
    if (threads > 64) threads = 64;
    for (int t = 0; t < threads; t++) {
        jobs[t] = *proto;
        jobs[t].lo = (int32_t)((int64_t)n * t / threads);
        jobs[t].hi = (int32_t)((int64_t)n * (t + 1) / threads);
        jobs[t].fitness = proto->fitness + jobs[t].lo;
        jobs[t].solved = proto->solved ? proto->solved + jobs[t].lo : NULL;
        jobs[t].failed = 0;
    }
#ifndef _WIN32
    pthread_t tid[64];
    int started[64] = {0};
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    run_job(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else run_job(&jobs[t]);
    }
#else
    run_job(&jobs[0]);
#endif
    for (int t = 0; t < threads; t++) if (jobs[t].failed) return -1;
    return 0;
}

/* ================================================================ the type */

static void pop_dealloc(PopObject *self)
{
    if (self->ready) pop_free(&self->pop);
    Py_XDECREF(self->tape);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *pop_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PopObject *self = (PopObject *)type->tp_alloc(type, 0);
    if (self) { memset(&self->pop, 0, sizeof self->pop); self->ready = 0; self->tape = NULL; }
    return (PyObject *)self;
}

static int pop_init(PopObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"values", "seed", NULL};
    PyObject *values;
    unsigned long long seed;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OK", kwlist, &values, &seed)) return -1;
    if (self->ready) { pop_free(&self->pop); self->ready = 0; }
    Pop *p = &self->pop;
    memset(p, 0, sizeof *p);
    if (parse_config(values, &p->cfg)) return -1;
    rng_seed(&p->rng, (uint64_t)seed);
    p->next_genome_key = 1;
    p->next_node_key = -1;
    p->next_species_key = 1;
    if (pop_create_new(p) || pop_speciate(p)) {
        pop_free(p);
        PyErr_NoMemory();
        return -1;
    }
    self->ready = 1;
    return 0;
}

static PyObject *pop_keys(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    npy_intp n = p->n;
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_INT64);
    if (!a) return NULL;
    int64_t *d = PyArray_DATA((PyArrayObject *)a);
    for (int32_t i = 0; i < p->n; i++) d[i] = p->genomes[i].key;
    return a;
}

static PyObject *pop_species_ids(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    npy_intp n = p->n;
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_INT64);
    if (!a) return NULL;
    int64_t *d = PyArray_DATA((PyArrayObject *)a);
    for (int32_t i = 0; i < p->n; i++) d[i] = p->genomes[i].species;
    return a;
}

static PyObject *pop_fitness(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    npy_intp n = p->n;
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (!a) return NULL;
    double *d = PyArray_DATA((PyArrayObject *)a);
    for (int32_t i = 0; i < p->n; i++) d[i] = p->genomes[i].fitness;
    return a;
}

static PyObject *pop_set_fitness(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    PyArrayObject *a = as_array(arg, NPY_FLOAT64, p->n, "fitness");
    if (!a) return NULL;
    const double *f = PyArray_DATA(a);
    for (int32_t i = 0; i < p->n; i++) p->genomes[i].fitness = f[i];
    Py_DECREF(a);
    Py_RETURN_NONE;
}

/* Sizes (nodes, enabled connections) of every genome: two int64 arrays. */
static PyObject *pop_sizes(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    npy_intp n = p->n;
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_INT64), *b = PyArray_SimpleNew(1, &n, NPY_INT64);
    if (!a || !b) { Py_XDECREF(a); Py_XDECREF(b); return NULL; }
    int64_t *da = PyArray_DATA((PyArrayObject *)a), *db = PyArray_DATA((PyArrayObject *)b);
    for (int32_t i = 0; i < p->n; i++) {
        const Genome *g = &p->genomes[i];
        int64_t e = 0;
        for (int32_t k = 0; k < g->nc; k++) e += g->en[k];
        da[i] = g->nn;
        db[i] = e;
    }
    return Py_BuildValue("(NN)", a, b);
}

/* One generation's numbers for pop.history, in one call: (best index (the first of the
 * highest fitness), mean, population standard deviation, species ids, species sizes,
 * the best genome's nodes and enabled connections, the first genome whose fitness is not finite
 * or -1). */
static PyObject *pop_summary(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    if (p->n == 0) { PyErr_SetString(PyExc_ValueError, "the population is empty"); return NULL; }
    int32_t best = 0, nan_at = -1;
    double sum = 0.0;
    for (int32_t i = 0; i < p->n; i++) {
        double f = p->genomes[i].fitness;
        sum += f;
        if (f > p->genomes[best].fitness) best = i;
        if (nan_at < 0 && !isfinite(f)) nan_at = i;
    }
    double mean = sum / p->n, var = 0.0;
    for (int32_t i = 0; i < p->n; i++) {
        double d = p->genomes[i].fitness - mean;
        var += d * d;
    }
    PyObject *ids = PyList_New(p->ns), *sizes = PyList_New(p->ns);
    if (!ids || !sizes) { Py_XDECREF(ids); Py_XDECREF(sizes); return NULL; }
    for (int32_t s = 0; s < p->ns; s++) {
        PyList_SET_ITEM(ids, s, PyLong_FromLongLong(p->species[s].key));
        PyList_SET_ITEM(sizes, s, PyLong_FromLong(p->species[s].nmembers));
    }
    const Genome *g = &p->genomes[best];
    int64_t enabled = 0;
    for (int32_t k = 0; k < g->nc; k++) enabled += g->en[k];
    return Py_BuildValue("(iddNNiLi)", (int)best, mean, sqrt(var / p->n), ids, sizes, (int)g->nn,
                         (long long)enabled, (int)nan_at);
}

static PyObject *finish_eval(Pop *p, Job *job, PyObject *fit, PyObject *solved, int threads)
{
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = run_jobs(job, threads);
    Py_END_ALLOW_THREADS
    if (rc) { Py_DECREF(fit); Py_XDECREF(solved); return PyErr_NoMemory(); }
    const double *f = PyArray_DATA((PyArrayObject *)fit);
    for (int32_t i = 0; i < p->n; i++) p->genomes[i].fitness = f[i];
    if (solved) return Py_BuildValue("(NN)", fit, solved);
    return fit;
}

static PyObject *pop_evaluate_dataset(PopObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Y", "cost", "offset", "threads", NULL};
    PyObject *xo, *yo;
    int cost = COST_SSE, threads = 1;
    double offset = 0.0;
    Pop *p = get_pop(self);
    if (!p) return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|idi", kwlist, &xo, &yo, &cost, &offset,
                                     &threads))
        return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    PyArrayObject *Y = X ? (PyArrayObject *)PyArray_FROMANY(yo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY) : NULL;
    if (!X || !Y) { Py_XDECREF(X); Py_XDECREF(Y); return NULL; }
    if (PyArray_DIM(X, 1) != p->cfg.num_inputs || PyArray_DIM(Y, 1) != p->cfg.num_outputs ||
        PyArray_DIM(X, 0) != PyArray_DIM(Y, 0)) {
        PyErr_Format(PyExc_ValueError, "data set shapes (%zd, %zd) -> (%zd, %zd) do not fit %d "
                     "inputs and %d outputs", (Py_ssize_t)PyArray_DIM(X, 0),
                     (Py_ssize_t)PyArray_DIM(X, 1), (Py_ssize_t)PyArray_DIM(Y, 0),
                     (Py_ssize_t)PyArray_DIM(Y, 1), p->cfg.num_inputs, p->cfg.num_outputs);
        Py_DECREF(X); Py_DECREF(Y);
        return NULL;
    }
    npy_intp n = p->n;
    PyObject *fit = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (!fit) { Py_DECREF(X); Py_DECREF(Y); return NULL; }
    Job job = {.p = p, .kind = -1, .X = PyArray_DATA(X), .Y = PyArray_DATA(Y),
               .rows = PyArray_DIM(X, 0), .cost = cost, .offset = offset,
               .fitness = PyArray_DATA((PyArrayObject *)fit)};
    PyObject *r = finish_eval(p, &job, fit, NULL, threads);
    Py_DECREF(X); Py_DECREF(Y);
    return r;
}

/* Gated genomes (Neataptic's mutations): (fitness float64[n], done bool[n]); a genome
 * whose network has no delayed, gated or self synapse is left to the caller (done False,
 * fitness NaN). Sets nothing: the caller sets the fitness. */
static PyObject *pop_evaluate_gated(PopObject *self, PyObject *args)
{
    PyObject *xo, *yo;
    int cost;
    double offset;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "OOid", &xo, &yo, &cost, &offset)) return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    PyArrayObject *Y = X ? (PyArrayObject *)PyArray_FROMANY(yo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY) : NULL;
    if (!X || !Y) { Py_XDECREF(X); Py_XDECREF(Y); return NULL; }
    if (PyArray_DIM(X, 1) != p->cfg.num_inputs || PyArray_DIM(Y, 1) != p->cfg.num_outputs ||
        PyArray_DIM(X, 0) != PyArray_DIM(Y, 0)) {
        PyErr_SetString(PyExc_ValueError, "data set shapes do not fit the configuration");
        Py_DECREF(X); Py_DECREF(Y);
        return NULL;
    }
    npy_intp n = p->n;
    PyObject *fit = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    PyObject *ok = fit ? PyArray_SimpleNew(1, &n, NPY_BOOL) : NULL;
    if (!fit || !ok) { Py_XDECREF(fit); Py_DECREF(X); Py_DECREF(Y); return NULL; }
    double *f = PyArray_DATA((PyArrayObject *)fit);
    npy_bool *d = PyArray_DATA((PyArrayObject *)ok);
    int failed = 0;
    const double *xd = PyArray_DATA(X), *yd = PyArray_DATA(Y);
    int64_t rows = PyArray_DIM(X, 0);
    Py_BEGIN_ALLOW_THREADS
    for (int32_t i = 0; i < p->n && !failed; i++) {
        f[i] = NAN;
        int rc = gated_eval_dataset(&p->genomes[i], &p->cfg, xd, yd, rows, cost, offset, &f[i]);
        if (rc < 0) failed = 1;
        d[i] = rc == 0;
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(X); Py_DECREF(Y);
    if (failed) { Py_DECREF(fit); Py_DECREF(ok); return PyErr_NoMemory(); }
    return Py_BuildValue("(NN)", fit, ok);
}

/* activate_gated(i, X, resets): genome i's outputs over rows X as its gated network gives
 * them (Neataptic's semantics), the state fresh at row 0 and at each row index in resets
 * (sequences); None when the network has no delayed, gated or self synapse. */
static PyObject *pop_activate_gated(PopObject *self, PyObject *args)
{
    Py_ssize_t i;
    PyObject *xo, *ro = Py_None;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nO|O", &i, &xo, &ro) || check_index(p, i)) return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    if (!X) return NULL;
    PyArrayObject *R = ro == Py_None ? NULL
        : (PyArrayObject *)PyArray_FROMANY(ro, NPY_INT64, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (ro != Py_None && !R) { Py_DECREF(X); return NULL; }
    const int64_t *rd = R ? PyArray_DATA(R) : NULL;
    int64_t nr = R ? PyArray_DIM(R, 0) : 0;
    for (int64_t k = 1; k < nr; k++)
        if (rd[k] <= rd[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "resets must ascend");
            Py_DECREF(X); Py_XDECREF(R);
            return NULL;
        }
    if (PyArray_DIM(X, 1) != p->cfg.num_inputs) {
        PyErr_Format(PyExc_ValueError, "X has %zd columns, the configuration %d inputs",
                     (Py_ssize_t)PyArray_DIM(X, 1), p->cfg.num_inputs);
        Py_DECREF(X); Py_XDECREF(R);
        return NULL;
    }
    npy_intp dims[2] = {PyArray_DIM(X, 0), p->cfg.num_outputs};
    PyObject *out = PyArray_SimpleNew(2, dims, NPY_FLOAT64);
    if (!out) { Py_DECREF(X); Py_XDECREF(R); return NULL; }
    int rc;
    const Genome *g = &p->genomes[i];
    const double *xd = PyArray_DATA(X);
    double *od = PyArray_DATA((PyArrayObject *)out);
    Py_BEGIN_ALLOW_THREADS
    rc = gated_run(g, &p->cfg, xd, dims[0], rd, nr, NULL, 0, 0.0, NULL, od);
    Py_END_ALLOW_THREADS
    Py_DECREF(X); Py_XDECREF(R);
    if (rc < 0) { Py_DECREF(out); return PyErr_NoMemory(); }
    if (rc == 1) { Py_DECREF(out); Py_RETURN_NONE; }
    return out;
}

static PyObject *pop_evaluate_task(PopObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"task", "params", "threads", NULL};
    int task, threads = 1;
    PyObject *po;
    Pop *p = get_pop(self);
    if (!p) return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "iO|i", kwlist, &task, &po, &threads)) return NULL;
    PyArrayObject *params = as_array(po, NPY_FLOAT64, -1, "params");
    if (!params) return NULL;
    npy_intp np_ = PyArray_DIM(params, 0);
    static const npy_intp need[4] = {0, 1, 5, 2};
    if (task < 0 || task > 3 || np_ < need[task]) {
        Py_DECREF(params);
        PyErr_Format(PyExc_ValueError, "task %d: unknown, or too few parameters", task);
        return NULL;
    }
    const double *pp = PyArray_DATA(params);
    int nin_need[4] = {pp && np_ > 0 && task == 0 && pp[0] != 0.0 ? 3 : 2, 0, 4,
                       pp && np_ > 0 && task == 3 ? (pp[0] ? 7 : 4) : 0};
    if (task == 1) nin_need[1] = (int)pp[0] + (1 << (int)pp[0]);
    if (task == 1 && (pp[0] < 1 || pp[0] > 5)) {
        Py_DECREF(params);
        PyErr_SetString(PyExc_ValueError, "multiplexer: 1 to 5 address bits");
        return NULL;
    }
    if (p->cfg.num_inputs != nin_need[task] || p->cfg.num_outputs != 1) {
        Py_DECREF(params);
        PyErr_Format(PyExc_ValueError, "this task needs num_inputs = %d and num_outputs = 1 "
                     "(the configuration has %d and %d)", nin_need[task], p->cfg.num_inputs,
                     p->cfg.num_outputs);
        return NULL;
    }
    npy_intp n = p->n;
    PyObject *fit = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    PyObject *solved = PyArray_SimpleNew(1, &n, NPY_BOOL);
    if (!fit || !solved) { Py_XDECREF(fit); Py_XDECREF(solved); Py_DECREF(params); return NULL; }
    Job job = {.p = p, .kind = task, .params = pp, .nparams = np_,
               .fitness = PyArray_DATA((PyArrayObject *)fit),
               .solved = PyArray_DATA((PyArrayObject *)solved)};
    PyObject *r = finish_eval(p, &job, fit, solved, threads);
    Py_DECREF(params);
    return r;
}

/* Fitness offset - cost over sequences (netgraph.neat.Sequences), for every genome: X and
 * Y hold the steps of all sequences in turn, starts their nseq + 1 row offsets. */
static PyObject *pop_evaluate_sequences(PopObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Y", "starts", "washout", "cost", "offset", "threads", NULL};
    PyObject *xo, *yo, *so;
    long long washout = 0;
    int cost = COST_MSE, threads = 1;
    double offset = 0.0;
    Pop *p = get_pop(self);
    if (!p) return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|Lidi", kwlist, &xo, &yo, &so, &washout,
                                     &cost, &offset, &threads))
        return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    PyArrayObject *Y = X ? (PyArrayObject *)PyArray_FROMANY(yo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY) : NULL;
    PyArrayObject *S = Y ? (PyArrayObject *)PyArray_FROMANY(so, NPY_INT64, 1, 1, NPY_ARRAY_IN_ARRAY) : NULL;
    if (!S) { Py_XDECREF(X); Py_XDECREF(Y); return NULL; }
    npy_intp rows = PyArray_DIM(X, 0), nseq = PyArray_DIM(S, 0) - 1;
    const int64_t *st = PyArray_DATA(S);
    int bad = PyArray_DIM(X, 1) != p->cfg.num_inputs || PyArray_DIM(Y, 1) != p->cfg.num_outputs ||
              PyArray_DIM(Y, 0) != rows || nseq < 1 || st[0] != 0 || st[nseq] != rows ||
              washout < 0;
    int64_t counted = 0;
    for (npy_intp s = 0; s < nseq && !bad; s++) {
        bad = st[s + 1] < st[s];
        if (st[s + 1] - st[s] > washout) counted += st[s + 1] - st[s] - washout;
    }
    if (bad || counted == 0) {
        PyErr_Format(PyExc_ValueError, "sequences: steps (%zd, %zd) -> (%zd, %zd), %zd "
                     "offsets and washout %lld do not fit %d inputs and %d outputs",
                     (Py_ssize_t)rows, (Py_ssize_t)PyArray_DIM(X, 1),
                     (Py_ssize_t)PyArray_DIM(Y, 0), (Py_ssize_t)PyArray_DIM(Y, 1),
                     (Py_ssize_t)(nseq + 1), washout, p->cfg.num_inputs, p->cfg.num_outputs);
        Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S);
        return NULL;
    }
    npy_intp n = p->n;
    PyObject *fit = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (!fit) { Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S); return NULL; }
    SeqData d = {.X = PyArray_DATA(X), .Y = PyArray_DATA(Y), .starts = st, .nseq = nseq,
                 .washout = washout, .cost = cost, .offset = offset};
    double *f = PyArray_DATA((PyArrayObject *)fit);
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = seq_evaluate_population(p, &d, threads, f);
    Py_END_ALLOW_THREADS
    Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S);
    if (rc) { Py_DECREF(fit); return PyErr_NoMemory(); }
    for (int32_t i = 0; i < p->n; i++) p->genomes[i].fitness = f[i];
    return fit;
}

/* evaluate_gated_sequences(X, Y, starts, washout, cost, offset): gated genomes
 * (Neataptic's mutations) on sequence data, as evaluate_sequences takes it: (fitness
 * float64[n], done bool[n]); a genome gated_run leaves to the caller is done False,
 * fitness NaN. Sets nothing: the caller sets the fitness. */
static PyObject *pop_evaluate_gated_sequences(PopObject *self, PyObject *args)
{
    PyObject *xo, *yo, *so;
    long long washout;
    int cost;
    double offset;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "OOOLid", &xo, &yo, &so, &washout, &cost, &offset))
        return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    PyArrayObject *Y = X ? (PyArrayObject *)PyArray_FROMANY(yo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY) : NULL;
    PyArrayObject *S = Y ? (PyArrayObject *)PyArray_FROMANY(so, NPY_INT64, 1, 1, NPY_ARRAY_IN_ARRAY) : NULL;
    if (!S) { Py_XDECREF(X); Py_XDECREF(Y); return NULL; }
    npy_intp rows = PyArray_DIM(X, 0), nseq = PyArray_DIM(S, 0) - 1;
    const int64_t *st = PyArray_DATA(S);
    int bad = PyArray_DIM(X, 1) != p->cfg.num_inputs || PyArray_DIM(Y, 1) != p->cfg.num_outputs ||
              PyArray_DIM(Y, 0) != rows || nseq < 1 || st[0] != 0 || st[nseq] != rows ||
              washout < 0;
    for (npy_intp s = 0; s < nseq && !bad; s++) bad = st[s + 1] - st[s] <= washout;
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "gated sequences: the steps, offsets and washout "
                        "do not fit the configuration (every sequence longer than washout)");
        Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S);
        return NULL;
    }
    npy_intp n = p->n;
    PyObject *fit = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    PyObject *ok = fit ? PyArray_SimpleNew(1, &n, NPY_BOOL) : NULL;
    if (!ok) { Py_XDECREF(fit); Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S); return NULL; }
    SeqData d = {.X = PyArray_DATA(X), .Y = PyArray_DATA(Y), .starts = st, .nseq = nseq,
                 .washout = washout, .cost = cost, .offset = offset};
    double *f = PyArray_DATA((PyArrayObject *)fit);
    npy_bool *done = PyArray_DATA((PyArrayObject *)ok);
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int32_t i = 0; i < p->n && !failed; i++) {
        f[i] = NAN;
        int rc = gated_eval_sequences(&p->genomes[i], &p->cfg, &d, &f[i]);
        failed = rc < 0;
        done[i] = rc == 0;
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(X); Py_DECREF(Y); Py_DECREF(S);
    if (failed) { Py_DECREF(fit); Py_DECREF(ok); return PyErr_NoMemory(); }
    return Py_BuildValue("(NN)", fit, ok);
}

/* Full double-pole test of genome i (100,000 steps, and the generalisation test without
 * velocities): (solved, generalisation count or -1). */
static PyObject *pop_doublepole_solved(PopObject *self, PyObject *args)
{
    Py_ssize_t i;
    int vel;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "np", &i, &vel) || check_index(p, i)) return NULL;
    Net net;
    memset(&net, 0, sizeof net);
    int ok = 0, gen = -1, rc;
    Py_BEGIN_ALLOW_THREADS
    rc = net_build(&net, &p->genomes[i], &p->cfg);
    if (!rc) ok = doublepole_solved(&net, &p->genomes[i], &p->cfg, vel, &gen);
    Py_END_ALLOW_THREADS
    net_free(&net);
    if (rc) return PyErr_NoMemory();
    return Py_BuildValue("(Oi)", ok ? Py_True : Py_False, gen);
}

/* Genome i's outputs for the rows of X (a recurrent genome steps through them in order
 * from a cleared state). */
static PyObject *pop_activate(PopObject *self, PyObject *args)
{
    Py_ssize_t i;
    PyObject *xo;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nO", &i, &xo) || check_index(p, i)) return NULL;
    PyArrayObject *X = (PyArrayObject *)PyArray_FROMANY(xo, NPY_FLOAT64, 2, 2, NPY_ARRAY_IN_ARRAY);
    if (!X) return NULL;
    if (PyArray_DIM(X, 1) != p->cfg.num_inputs) {
        Py_DECREF(X);
        PyErr_Format(PyExc_ValueError, "inputs have %zd columns, the genome %d inputs",
                     (Py_ssize_t)PyArray_DIM(X, 1), p->cfg.num_inputs);
        return NULL;
    }
    npy_intp dims[2] = {PyArray_DIM(X, 0), p->cfg.num_outputs};
    PyObject *out = PyArray_SimpleNew(2, dims, NPY_FLOAT64);
    Net net;
    memset(&net, 0, sizeof net);
    if (!out || net_build(&net, &p->genomes[i], &p->cfg)) {
        Py_XDECREF(out); Py_DECREF(X); net_free(&net);
        return out ? PyErr_NoMemory() : NULL;
    }
    net_reset(&net);
    const double *x = PyArray_DATA(X);
    double *y = PyArray_DATA((PyArrayObject *)out);
    for (npy_intp r = 0; r < dims[0]; r++)
        net_activate(&net, &p->genomes[i], &p->cfg, x + r * p->cfg.num_inputs, y + r * dims[1]);
    net_free(&net);
    Py_DECREF(X);
    return out;
}

static PyObject *advance_result(int rc)
{
    if (rc == 2) {
        PyErr_SetString(ExtinctionError, "every species went extinct (stagnant) and "
                        "reset_on_extinction is False");
        return NULL;
    }
    if (rc == -2) {
        PyErr_SetString(PyExc_ValueError, "population size is less than the number of species "
                        "times min_species_size: the per-species minima cannot be met");
        return NULL;
    }
    if (rc == -3) {
        PyErr_SetString(PyExc_ValueError, "the scripted draws ran out");
        return NULL;
    }
    if (rc < 0) return PyErr_NoMemory();
    return PyLong_FromLong(rc);
}

static PyObject *py_advance(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    for (int32_t i = 0; i < p->n; i++)
        if (isnan(p->genomes[i].fitness)) {
            PyErr_Format(PyExc_ValueError, "genome %lld has no fitness", (long long)p->genomes[i].key);
            return NULL;
        }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = pop_advance(p);
    Py_END_ALLOW_THREADS
    return advance_result(rc);
}

/* set_delta_coding(flag): the next advance() gives every offspring to the two best
 * species' champions (NEAT C++'s Population::epoch at population-level stagnation) */
static PyObject *py_set_delta_coding(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    p->delta_pending = on;
    Py_RETURN_NONE;
}

static PyObject *pop_genome_data(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if ((i == -1 && PyErr_Occurred()) || check_index(p, i)) return NULL;
    return genome_tuple(&p->genomes[i]);
}

/* Genome i's genes in one bytes object (a generation record keeps its best genome so: one
 * copy, where genome_data makes fourteen arrays, and most records are never read). Native
 * byte order: int64 key, nn, nc, ng, species (-1: none), float64 fitness (NaN: none), then
 * nkey, bias, resp, inno, w, ginno (8 bytes each), act, agg, cin, cout, gnode, gin, gout
 * (4 bytes), en (1 byte); netgraph.neat._native.record_tuple reads it back. */
static PyObject *pop_genome_record(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if ((i == -1 && PyErr_Occurred()) || check_index(p, i)) return NULL;
    const Genome *g = &p->genomes[i];
    size_t n = (size_t)g->nn, m = (size_t)g->nc, q = (size_t)g->ng;
    size_t size = 48 + 32 * n + 25 * m + 20 * q;
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!b) return NULL;
    char *d = PyBytes_AS_STRING(b);
    int64_t head[5] = {g->key, g->nn, g->nc, g->ng, g->species < 0 ? -1 : g->species};
    memcpy(d, head, 40);
    memcpy(d + 40, &g->fitness, 8);
    d += 48;
#define PUT(src, bytes) do { size_t k_ = (bytes); if (k_) memcpy(d, (src), k_); d += k_; } while (0)
    PUT(g->nkey, 8 * n); PUT(g->bias, 8 * n); PUT(g->resp, 8 * n);
    PUT(g->inno, 8 * m); PUT(g->w, 8 * m); PUT(g->ginno, 8 * q);
    PUT(g->act, 4 * n); PUT(g->agg, 4 * n); PUT(g->cin, 4 * m); PUT(g->cout, 4 * m);
    PUT(g->gnode, 4 * q); PUT(g->gin, 4 * q); PUT(g->gout, 4 * q);
    PUT(g->en, m);
#undef PUT
    return b;
}

/* record_tuple(record): the genome tuple (genome_data's) of a genome_record, its arrays
 * made straight from the bytes. Raises ValueError for bytes of the wrong size. */
static PyObject *mod_record_tuple(PyObject *mod, PyObject *arg)
{
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "record_tuple() takes the bytes of genome_record()");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(arg);
    size_t size = (size_t)PyBytes_GET_SIZE(arg);
    int64_t head[5];
    if (size < 48) goto bad;
    memcpy(head, d, 40);
    if (head[1] < 0 || head[2] < 0 || head[3] < 0 || head[1] > INT32_MAX || head[2] > INT32_MAX ||
        head[3] > INT32_MAX ||
        size != 48 + 32 * (size_t)head[1] + 25 * (size_t)head[2] + 20 * (size_t)head[3])
        goto bad;
    Genome g;
    memset(&g, 0, sizeof g);
    g.key = head[0];
    g.nn = (int32_t)head[1];
    g.nc = (int32_t)head[2];
    g.ng = (int32_t)head[3];
    g.species = head[4];
    memcpy(&g.fitness, d + 40, 8);
    size_t n = (size_t)g.nn, m = (size_t)g.nc, q = (size_t)g.ng;
    /* bytes objects are 8-aligned and every field starts on a multiple of its width */
    const char *at = d + 48;
#define TAKE(field, type, bytes) do { g.field = (type *)(uintptr_t)at; at += (bytes); } while (0)
    TAKE(nkey, int64_t, 8 * n); TAKE(bias, double, 8 * n); TAKE(resp, double, 8 * n);
    TAKE(inno, int64_t, 8 * m); TAKE(w, double, 8 * m); TAKE(ginno, int64_t, 8 * q);
    TAKE(act, int32_t, 4 * n); TAKE(agg, int32_t, 4 * n); TAKE(cin, int32_t, 4 * m);
    TAKE(cout, int32_t, 4 * m); TAKE(gnode, int32_t, 4 * q); TAKE(gin, int32_t, 4 * q);
    TAKE(gout, int32_t, 4 * q); TAKE(en, uint8_t, m);
#undef TAKE
    return genome_tuple(&g);
bad:
    PyErr_SetString(PyExc_ValueError, "not the bytes of a genome_record()");
    return NULL;
}

static PyObject *pop_set_genome_data(PopObject *self, PyObject *args)
{
    Py_ssize_t i;
    PyObject *t;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nO", &i, &t) || check_index(p, i)) return NULL;
    Genome g;
    genome_init(&g, 0);
    if (genome_from_tuple(&g, t, &p->cfg)) { genome_free(&g); return NULL; }
    /* new node keys must not collide with the run's counter */
    if (g.nn && p->next_node_key >= 0 && g.nkey[g.nn - 1] >= p->next_node_key)
        p->next_node_key = g.nkey[g.nn - 1] + 1;
    g.species = p->genomes[i].species;
    genome_free(&p->genomes[i]);
    p->genomes[i] = g;
    Py_RETURN_NONE;
}

/* k draws from the population's generator: uniforms in [0, 1) (tasks' random starts),
 * or deviates of gauss(0, 1) as the operators draw them (the ziggurat, or Box-Muller over
 * a scripted tape), for the sampler's tests. */
static PyObject *draws(PopObject *self, PyObject *arg, int normal)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_ssize_t k = PyNumber_AsSsize_t(arg, PyExc_ValueError);
    if (k == -1 && PyErr_Occurred()) return NULL;
    if (k < 0) { PyErr_SetString(PyExc_ValueError, "k must be >= 0"); return NULL; }
    npy_intp n = k;
    PyObject *a = PyArray_SimpleNew(1, &n, NPY_FLOAT64);
    if (!a) return NULL;
    double *d = PyArray_DATA((PyArrayObject *)a);
    for (npy_intp j = 0; j < n; j++)
        d[j] = normal ? rng_gauss(&p->rng, 0.0, 1.0) : rng_random(&p->rng);
    return a;
}

static PyObject *pop_uniforms(PopObject *self, PyObject *arg) { return draws(self, arg, 0); }

static PyObject *pop_normals(PopObject *self, PyObject *arg) { return draws(self, arg, 1); }

/* Species: list of (key, created, last_improved, member indices int64[], representative
 * genome tuple, fitness | None, adjusted fitness | None, best fitness so far | None). */
static PyObject *pop_species(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    PyObject *list = PyList_New(p->ns);
    if (!list) return NULL;
    for (int32_t s = 0; s < p->ns; s++) {
        Species *sp = &p->species[s];
        PyObject *f = isnan(sp->fitness) ? Py_NewRef(Py_None) : PyFloat_FromDouble(sp->fitness);
        PyObject *a = isnan(sp->adjusted) ? Py_NewRef(Py_None) : PyFloat_FromDouble(sp->adjusted);
        PyObject *h = sp->has_history ? PyFloat_FromDouble(sp->history_max) : Py_NewRef(Py_None);
        PyObject *item = Py_BuildValue("(LLLNNNNN)", (long long)sp->key, (long long)sp->created,
                                       (long long)sp->last_improved,
                                       arr_i64(sp->members, sp->nmembers), genome_tuple(&sp->rep),
                                       f, a, h);
        if (!item) { Py_DECREF(list); return NULL; }
        PyList_SET_ITEM(list, s, item);
    }
    return list;
}

/* Everything needed to continue the run, as plain Python objects and arrays. */
static PyObject *pop_state(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    PyObject *genomes = PyList_New(p->n);
    if (!genomes) return NULL;
    for (int32_t i = 0; i < p->n; i++) {
        PyObject *t = genome_tuple(&p->genomes[i]);
        if (!t) { Py_DECREF(genomes); return NULL; }
        PyList_SET_ITEM(genomes, i, t);
    }
    PyObject *innov = PyList_New(0);
    if (!innov) { Py_DECREF(genomes); return NULL; }
    for (size_t k = 0; k < p->innov.cap; k++) {
        InnovEntry *e = &p->innov.table[k];
        if (e->used != p->innov.live) continue;
        PyObject *t = Py_BuildValue("(LLiL)", (long long)e->in, (long long)e->out, (int)e->type,
                                    (long long)e->number);
        if (!t || PyList_Append(innov, t)) { Py_XDECREF(t); Py_DECREF(innov); Py_DECREF(genomes); return NULL; }
        Py_DECREF(t);
    }
    /* sorted by number, then type: the map's own order depends on its history */
    if (PyList_Sort(innov)) { Py_DECREF(innov); Py_DECREF(genomes); return NULL; }
    PyObject *species = pop_species(self, NULL);
    if (!species) { Py_DECREF(innov); Py_DECREF(genomes); return NULL; }
    return Py_BuildValue("{s:(KKKK),s:L,s:L,s:L,s:L,s:L,s:N,s:N,s:N}",
                         "rng", (unsigned long long)p->rng.s[0], (unsigned long long)p->rng.s[1],
                         (unsigned long long)p->rng.s[2], (unsigned long long)p->rng.s[3],
                         "generation", (long long)p->generation,
                         "next_genome_key", (long long)p->next_genome_key,
                         "next_node_key", (long long)p->next_node_key,
                         "next_species_key", (long long)p->next_species_key,
                         "innovation_counter", (long long)p->innov.counter,
                         "innovations", innov, "genomes", genomes, "species", species);
}

static int item_ll(PyObject *d, const char *key, long long *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) { PyErr_Format(PyExc_KeyError, "NEAT state: %s is missing", key); return -1; }
    *out = PyLong_AsLongLong(v);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* Population.from_state(values, state): the population a state() describes. */
static PyObject *pop_from_state(PyTypeObject *type, PyObject *args)
{
    PyObject *values, *state;
    if (!PyArg_ParseTuple(args, "OO!", &values, &PyDict_Type, &state)) return NULL;
    PopObject *self = (PopObject *)pop_new(type, NULL, NULL);
    if (!self) return NULL;
    Pop *p = &self->pop;
    if (parse_config(values, &p->cfg)) goto fail;
    rng_seed(&p->rng, 0);
    long long v;
    PyObject *rng = PyDict_GetItemString(state, "rng");
    if (!rng || !PyTuple_Check(rng) || PyTuple_GET_SIZE(rng) != 4) {
        PyErr_SetString(PyExc_ValueError, "NEAT state: rng must be 4 integers");
        goto fail;
    }
    for (int k = 0; k < 4; k++) {
        p->rng.s[k] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(rng, k));
        if (PyErr_Occurred()) goto fail;
    }
    if (item_ll(state, "generation", &v)) goto fail;
    p->generation = v;
    if (item_ll(state, "next_genome_key", &v)) goto fail;
    p->next_genome_key = v;
    if (item_ll(state, "next_node_key", &v)) goto fail;
    p->next_node_key = v;
    if (item_ll(state, "next_species_key", &v)) goto fail;
    p->next_species_key = v;
    if (item_ll(state, "innovation_counter", &v)) goto fail;
    p->innov.counter = v;
    PyObject *innov = PyDict_GetItemString(state, "innovations");
    PyObject *genomes = PyDict_GetItemString(state, "genomes");
    PyObject *species = PyDict_GetItemString(state, "species");
    if (!innov || !PyList_Check(innov) || !genomes || !PyList_Check(genomes) || !species ||
        !PyList_Check(species)) {
        PyErr_SetString(PyExc_ValueError, "NEAT state: innovations, genomes and species must be lists");
        goto fail;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(innov); k++) {
        long long a, b, num;
        int t;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(innov, k), "LLiL", &a, &b, &t, &num)) goto fail;
        if (innov_restore(&p->innov, a, b, t, num)) { PyErr_NoMemory(); goto fail; }
    }
    Py_ssize_t n = PyList_GET_SIZE(genomes);
    p->genomes = calloc((size_t)(n ? n : 1), sizeof(Genome));
    if (!p->genomes) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < n; i++) {
        genome_init(&p->genomes[i], 0);
        p->n = p->ncap = (int32_t)(i + 1);
        if (genome_from_tuple(&p->genomes[i], PyList_GET_ITEM(genomes, i), &p->cfg)) goto fail;
    }
    Py_ssize_t ns = PyList_GET_SIZE(species);
    p->species = calloc((size_t)(ns ? ns : 1), sizeof(Species));
    if (!p->species) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t s = 0; s < ns; s++) {
        Species *sp = &p->species[s];
        p->ns = (int32_t)(s + 1);
        long long key, created, last;
        PyObject *members, *rep, *f, *a, *h;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(species, s), "LLLOOOOO", &key, &created, &last,
                              &members, &rep, &f, &a, &h))
            goto fail;
        sp->key = key; sp->created = created; sp->last_improved = last;
        sp->fitness = f == Py_None ? NAN : PyFloat_AsDouble(f);
        sp->adjusted = a == Py_None ? NAN : PyFloat_AsDouble(a);
        sp->has_history = h != Py_None;
        sp->history_max = h == Py_None ? 0.0 : PyFloat_AsDouble(h);
        if (PyErr_Occurred()) goto fail;
        genome_init(&sp->rep, 0);
        if (genome_from_tuple(&sp->rep, rep, &p->cfg)) goto fail;
        PyArrayObject *m = as_array(members, NPY_INT64, -1, "species members");
        if (!m) goto fail;
        const int64_t *md = PyArray_DATA(m);
        for (npy_intp k = 0; k < PyArray_DIM(m, 0); k++) {
            if (md[k] < 0 || md[k] >= n) {
                Py_DECREF(m);
                PyErr_Format(PyExc_ValueError, "NEAT state: species %lld names genome index %lld "
                             "of %zd", key, (long long)md[k], n);
                goto fail;
            }
            int64_t *grown = realloc(sp->members, sizeof(int64_t) * (size_t)(sp->nmembers + 1));
            if (!grown) { Py_DECREF(m); PyErr_NoMemory(); goto fail; }
            sp->members = grown;
            sp->members[sp->nmembers++] = md[k];
            sp->capmembers = sp->nmembers;
        }
        Py_DECREF(m);
    }
    self->ready = 1;
    return (PyObject *)self;
fail:
    pop_free(p);
    Py_DECREF(self);
    return NULL;
}

/* ---------------------------------------------------------------- operators, for tests */

typedef int (*GenomeOp)(Pop *, Genome *);

static PyObject *run_op(PopObject *self, PyObject *arg, GenomeOp op)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if ((i == -1 && PyErr_Occurred()) || check_index(p, i)) return NULL;
    p->rng.tape_error = 0;
    if (op(p, &p->genomes[i])) return PyErr_NoMemory();
    if (p->rng.tape_error) {
        PyErr_SetString(PyExc_ValueError, "the scripted draws ran out");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *op_mutate(PopObject *s, PyObject *a) { return run_op(s, a, genome_mutate); }
static PyObject *op_add_node(PopObject *s, PyObject *a) { return run_op(s, a, mutate_add_node); }
static PyObject *op_add_conn(PopObject *s, PyObject *a) { return run_op(s, a, mutate_add_connection); }
static PyObject *op_del_node(PopObject *s, PyObject *a) { return run_op(s, a, mutate_delete_node); }
static PyObject *op_del_conn(PopObject *s, PyObject *a) { return run_op(s, a, mutate_delete_connection); }
static PyObject *op_add_gate(PopObject *s, PyObject *a) { return run_op(s, a, mutate_add_gate); }
static PyObject *op_del_gate(PopObject *s, PyObject *a) { return run_op(s, a, mutate_delete_gate); }
static PyObject *op_add_self(PopObject *s, PyObject *a) { return run_op(s, a, mutate_add_self_connection); }
static PyObject *op_del_self(PopObject *s, PyObject *a) { return run_op(s, a, mutate_delete_self_connection); }
static PyObject *op_add_back(PopObject *s, PyObject *a) { return run_op(s, a, mutate_add_back_connection); }
static PyObject *op_del_back(PopObject *s, PyObject *a) { return run_op(s, a, mutate_delete_back_connection); }

/* Each connection gene's delay kind: 0 undelayed, 1 back-connection, 2 self-connection. */
static PyObject *op_back_flags(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if ((i == -1 && PyErr_Occurred()) || check_index(p, i)) return NULL;
    const Genome *g = &p->genomes[i];
    uint8_t *back = malloc((size_t)(g->nc ? g->nc : 1));
    if (!back || genome_back_flags(g, p->cfg.num_inputs, back)) { free(back); return PyErr_NoMemory(); }
    int32_t *v = malloc(sizeof(int32_t) * (size_t)(g->nc ? g->nc : 1));
    if (!v) { free(back); return PyErr_NoMemory(); }
    for (int32_t k = 0; k < g->nc; k++) v[k] = back[k];
    PyObject *out = arr_i32_as_i64(v, g->nc);
    free(back); free(v);
    return out;
}

static PyObject *op_crossover(PopObject *self, PyObject *args)
{
    Py_ssize_t i, j;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nn", &i, &j) || check_index(p, i) || check_index(p, j))
        return NULL;
    Genome child;
    genome_init(&child, -1);
    p->rng.tape_error = 0;
    if (genome_crossover(p, &p->genomes[i], &p->genomes[j], &child)) {
        genome_free(&child);
        return PyErr_NoMemory();
    }
    PyObject *t = p->rng.tape_error ? NULL : genome_tuple(&child);
    if (p->rng.tape_error) PyErr_SetString(PyExc_ValueError, "the scripted draws ran out");
    genome_free(&child);
    return t;
}

static PyObject *op_distance(PopObject *self, PyObject *args)
{
    Py_ssize_t i, j;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nn", &i, &j) || check_index(p, i) || check_index(p, j))
        return NULL;
    const Genome *a = &p->genomes[i], *b = &p->genomes[j];
    uint64_t *ka = malloc(sizeof(uint64_t) * (size_t)(a->nc + 1));
    int32_t *oa = malloc(sizeof(int32_t) * (size_t)(a->nc + 1));
    double *term = malloc(sizeof(double) * (size_t)(a->nc + 1));
    if (!ka || !oa || !term || key_index(a, ka, oa)) {
        free(ka); free(oa); free(term);
        return PyErr_NoMemory();
    }
    for (int32_t k = 0; k < a->nc; k++) term[k] = NAN;
    double d = genome_distance(&p->cfg, a, ka, oa, b, term);
    free(ka); free(oa); free(term);
    return PyFloat_FromDouble(d);
}

static PyObject *op_creates_cycle(PopObject *self, PyObject *args)
{
    Py_ssize_t i;
    long long a, b;
    Pop *p = get_pop(self);
    if (!p || !PyArg_ParseTuple(args, "nLL", &i, &a, &b) || check_index(p, i)) return NULL;
    int r = creates_cycle(&p->genomes[i], a, b, p->cfg.num_inputs);
    if (r < 0) return PyErr_NoMemory();
    return PyBool_FromLong(r);
}

static PyObject *op_reset_innovations(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    innov_clear(&p->innov);
    Py_RETURN_NONE;
}

static PyObject *op_set_draws(PopObject *self, PyObject *arg)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    Py_CLEAR(self->tape);
    p->rng.tape = NULL;
    p->rng.tape_len = p->rng.tape_pos = 0;
    p->rng.tape_error = 0;
    if (arg == Py_None) Py_RETURN_NONE;
    PyArrayObject *a = as_array(arg, NPY_FLOAT64, -1, "draws");
    if (!a) return NULL;
    self->tape = a;
    p->rng.tape = PyArray_DATA(a);
    p->rng.tape_len = (size_t)PyArray_DIM(a, 0);
    Py_RETURN_NONE;
}

static PyObject *op_draws_used(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    return PyLong_FromSize_t(p->rng.tape_pos);
}

static PyObject *op_reproduce(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    int rc = pop_reproduce(p);
    if (rc == 1) return PyLong_FromLong(1);
    return advance_result(rc < 0 ? rc : 0);
}

static PyObject *op_speciate(PopObject *self, PyObject *unused)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    if (pop_speciate(p)) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyObject *get_size(PopObject *self, void *c)
{
    Pop *p = get_pop(self);
    return p ? PyLong_FromLong(p->n) : NULL;
}

static PyObject *get_generation(PopObject *self, void *c)
{
    Pop *p = get_pop(self);
    return p ? PyLong_FromLongLong(p->generation) : NULL;
}

static PyObject *get_counters(PopObject *self, void *c)
{
    Pop *p = get_pop(self);
    if (!p) return NULL;
    return Py_BuildValue("{s:L,s:L,s:L,s:L}", "next_genome_key", (long long)p->next_genome_key,
                         "next_node_key", (long long)p->next_node_key, "next_species_key",
                         (long long)p->next_species_key, "innovation", (long long)p->innov.counter);
}

static PyMethodDef pop_methods[] = {
    {"keys", (PyCFunction)pop_keys, METH_NOARGS, "Genome keys in population order."},
    {"species_ids", (PyCFunction)pop_species_ids, METH_NOARGS, "Each genome's species id."},
    {"fitness", (PyCFunction)pop_fitness, METH_NOARGS, "Fitness of each genome (NaN: none)."},
    {"set_fitness", (PyCFunction)pop_set_fitness, METH_O, "Set every genome's fitness."},
    {"sizes", (PyCFunction)pop_sizes, METH_NOARGS, "(nodes, enabled connections) per genome."},
    {"summary", (PyCFunction)pop_summary, METH_NOARGS,
     "(best, mean, stdev, species ids, species sizes, best nodes, best enabled, first NaN)."},
    {"evaluate_dataset", (PyCFunction)(void (*)(void))pop_evaluate_dataset,
     METH_VARARGS | METH_KEYWORDS, "Fitness offset - cost over a data set, for every genome."},
    {"evaluate_task", (PyCFunction)(void (*)(void))pop_evaluate_task,
     METH_VARARGS | METH_KEYWORDS, "(fitness, solved) of every genome on a native task."},
    {"evaluate_sequences", (PyCFunction)(void (*)(void))pop_evaluate_sequences,
     METH_VARARGS | METH_KEYWORDS, "Fitness offset - cost over sequences, for every genome."},
    {"doublepole_solved", (PyCFunction)pop_doublepole_solved, METH_VARARGS,
     "The double pole's full test of genome i: (solved, generalisation)."},
    {"activate", (PyCFunction)pop_activate, METH_VARARGS, "Genome i's outputs for rows X."},
    {"activate_gated", (PyCFunction)pop_activate_gated, METH_VARARGS,
     "Genome i's outputs over rows X (gated network; state fresh at row 0 and resets)."},
    {"evaluate_gated_sequences", (PyCFunction)pop_evaluate_gated_sequences, METH_VARARGS,
     "(fitness, done) of gated genomes over sequences (Neataptic's semantics)."},
    {"evaluate_gated", (PyCFunction)pop_evaluate_gated, METH_VARARGS,
     "(fitness, done) of gated genomes over a data set (Neataptic's semantics)."},
    {"advance", (PyCFunction)py_advance, METH_NOARGS, "Reproduce and speciate: one generation."},
    {"set_delta_coding", (PyCFunction)py_set_delta_coding, METH_O,
     "Make the next advance() NEAT C++'s delta coding (population_stagnation reached)."},
    {"genome_data", (PyCFunction)pop_genome_data, METH_O, "Genome i as a tuple of arrays."},
    {"genome_record", (PyCFunction)pop_genome_record, METH_O,
     "Genome i's genes as one bytes object (see _native.record_tuple)."},
    {"set_genome_data", (PyCFunction)pop_set_genome_data, METH_VARARGS, "Replace genome i."},
    {"uniforms", (PyCFunction)pop_uniforms, METH_O, "k uniforms from the generator."},
    {"_normals", (PyCFunction)pop_normals, METH_O, "k gauss(0, 1) deviates, as operators draw."},
    {"species", (PyCFunction)pop_species, METH_NOARGS, "The species, as tuples."},
    {"state", (PyCFunction)pop_state, METH_NOARGS, "Everything, to continue the run later."},
    {"from_state", (PyCFunction)pop_from_state, METH_VARARGS | METH_CLASS,
     "The population a state() describes."},
    {"_mutate", (PyCFunction)op_mutate, METH_O, "DefaultGenome.mutate on genome i."},
    {"_mutate_add_node", (PyCFunction)op_add_node, METH_O, "mutate_add_node on genome i."},
    {"_mutate_add_connection", (PyCFunction)op_add_conn, METH_O, "mutate_add_connection."},
    {"_mutate_delete_node", (PyCFunction)op_del_node, METH_O, "mutate_delete_node."},
    {"_mutate_delete_connection", (PyCFunction)op_del_conn, METH_O, "mutate_delete_connection."},
    {"_mutate_add_gate", (PyCFunction)op_add_gate, METH_O, "Neataptic's ADD_GATE on genome i."},
    {"_mutate_delete_gate", (PyCFunction)op_del_gate, METH_O, "Neataptic's SUB_GATE."},
    {"_mutate_add_self_connection", (PyCFunction)op_add_self, METH_O, "ADD_SELF_CONN."},
    {"_mutate_delete_self_connection", (PyCFunction)op_del_self, METH_O, "SUB_SELF_CONN."},
    {"_mutate_add_back_connection", (PyCFunction)op_add_back, METH_O, "ADD_BACK_CONN."},
    {"_mutate_delete_back_connection", (PyCFunction)op_del_back, METH_O, "SUB_BACK_CONN."},
    {"_back_flags", (PyCFunction)op_back_flags, METH_O,
     "Per connection gene: 0 undelayed, 1 back-connection, 2 self-connection."},
    {"_crossover", (PyCFunction)op_crossover, METH_VARARGS, "Child of genomes i and j (a tuple)."},
    {"_distance", (PyCFunction)op_distance, METH_VARARGS, "Compatibility distance of i and j."},
    {"_creates_cycle", (PyCFunction)op_creates_cycle, METH_VARARGS, "graphs.creates_cycle."},
    {"_reset_innovations", (PyCFunction)op_reset_innovations, METH_NOARGS,
     "Start a new generation of the innovation tracker."},
    {"_set_draws", (PyCFunction)op_set_draws, METH_O, "Scripted uniforms (None: the generator)."},
    {"_draws_used", (PyCFunction)op_draws_used, METH_NOARGS, "Scripted uniforms consumed."},
    {"_reproduce", (PyCFunction)op_reproduce, METH_NOARGS, "Reproduction alone (no speciation)."},
    {"_speciate", (PyCFunction)op_speciate, METH_NOARGS, "Speciation alone."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef pop_getset[] = {
    {"size", (getter)get_size, NULL, "Number of genomes.", NULL},
    {"generation", (getter)get_generation, NULL, "The generation number.", NULL},
    {"counters", (getter)get_counters, NULL, "The run's key and innovation counters.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PopType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "netgraph._neat.Population",
    .tp_basicsize = sizeof(PopObject),
    .tp_dealloc = (destructor)pop_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A NEAT population stored natively (see netgraph/neat/_native.py).",
    .tp_methods = pop_methods,
    .tp_getset = pop_getset,
    .tp_init = (initproc)pop_init,
    .tp_new = pop_new,
};

/* ================================================================ module functions */

static PyObject *mod_cartpole_step(PyObject *m, PyObject *args)
{
    double s[4];
    int action;
    if (!PyArg_ParseTuple(args, "(dddd)i", &s[0], &s[1], &s[2], &s[3], &action)) return NULL;
    int done = cartpole_step(s, action);
    return Py_BuildValue("((dddd)O)", s[0], s[1], s[2], s[3], done ? Py_True : Py_False);
}

static PyObject *mod_doublepole_step(PyObject *m, PyObject *args)
{
    double s[6], out;
    if (!PyArg_ParseTuple(args, "(dddddd)d", &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &out))
        return NULL;
    doublepole_step(s, out);
    return Py_BuildValue("(dddddd)", s[0], s[1], s[2], s[3], s[4], s[5]);
}

static PyMethodDef module_methods[] = {
    {"record_tuple", mod_record_tuple, METH_O,
     "The genome tuple (genome_data's) of the bytes genome_record() gave."},
    {"cartpole_step", mod_cartpole_step, METH_VARARGS,
     "One CartPole-v1 step: ((x, x_dot, theta, theta_dot), action) -> (state, terminated)."},
    {"doublepole_step", mod_doublepole_step, METH_VARARGS,
     "One double-pole step (two RK4 steps of 0.01 s): (state6, output) -> state6."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_neat",
    "netgraph's native NEAT population (see netgraph/neat/_native.py).", -1, module_methods,
};

PyMODINIT_FUNC PyInit__neat(void)
{
    import_array();
    if (PyType_Ready(&PopType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    ExtinctionError = PyErr_NewException("netgraph._neat.ExtinctionError", PyExc_RuntimeError, NULL);
    if (!ExtinctionError || PyModule_AddObjectRef(m, "ExtinctionError", ExtinctionError) < 0 ||
        PyModule_AddObjectRef(m, "Population", (PyObject *)&PopType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
