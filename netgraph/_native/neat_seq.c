/* Fitness on sequence data (netgraph.neat.Sequences): every genome of the population runs
 * through each sequence from a cleared state, steps in order, and is scored on the steps
 * after the first `washout` of each sequence.
 *
 * The steps of all sequences are stored one after the other (X: steps x nin, Y: steps x
 * nout, row-major); sequence s is rows starts[s] .. starts[s + 1]. The cost accumulates in
 * exactly the order eval_dataset uses (sequence by sequence, step by step, output by
 * output), so a feed-forward genome, or sequences of one step, give the same bits as a
 * Dataset of the counted rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <pthread.h>
#endif

#include "neat.h"
#include "neat_seq.h"
#include "neat_tasks.h"

/* One output's error e: subtracted from the fitness f now (sse, sae), or summed into acc
 * for the mean (mse, mae). */
static inline void add_error(int cost, double e, double *f, double *acc)
{
    switch (cost) {
    case COST_SSE: *f -= e * e; break;
    case COST_SAE: *f -= fabs(e); break;
    case COST_MSE: *acc += e * e; break;
    default: *acc += fabs(e); break; /* COST_MAE */
    }
}

/* The fitness once every counted step is in: f, or the offset less the mean error. */
static inline double fitness_of(const SeqData *d, double f, double acc, int64_t counted,
                                int32_t nout)
{
    if (d->cost == COST_MSE || d->cost == COST_MAE)
        return d->offset - acc / ((double)counted * (double)nout);
    return f;
}

double eval_sequences(Net *net, const Genome *g, const NeatConfig *c, const SeqData *d,
                      double *y)
{
    int32_t nin = c->num_inputs, nout = c->num_outputs;
    double f = d->offset, acc = 0.0;
    int64_t counted = 0;
    for (int64_t s = 0; s < d->nseq; s++) {
        net_reset(net); /* each sequence starts from the cleared state */
        int64_t a = d->starts[s], b = d->starts[s + 1];
        for (int64_t r = a; r < b; r++) {
            net_activate(net, g, c, d->X + r * nin, y);
            if (r - a < d->washout) continue; /* run, not scored */
            counted++;
            const double *t = d->Y + r * nout;
            for (int32_t o = 0; o < nout; o++)
                add_error(d->cost, y[o] - t[o], &f, &acc);
        }
    }
    return fitness_of(d, f, acc, counted, nout);
}

typedef struct {
    Pop *p;
    const SeqData *d;
    int32_t lo, hi;
    double *fitness;
    int failed;
} SeqJob;

static void *seq_job(void *arg)
{
    SeqJob *j = arg;
    Net net;
    memset(&net, 0, sizeof net);
    const NeatConfig *c = &j->p->cfg;
    double *y = malloc(sizeof(double) * (size_t)(c->num_outputs + 1));
    if (!y) { j->failed = 1; return NULL; }
    for (int32_t i = j->lo; i < j->hi; i++) {
        Genome *g = &j->p->genomes[i];
        if (net_build(&net, g, c)) { j->failed = 1; break; }
        j->fitness[i - j->lo] = eval_sequences(&net, g, c, j->d, y);
    }
    free(y);
    net_free(&net);
    return NULL;
}

int seq_evaluate_population(Pop *p, const SeqData *d, int threads, double *fitness)
{
    int32_t n = p->n;
    if (threads < 1) threads = 1;
    if (threads > n) threads = n > 0 ? n : 1;
    if (threads > 64) threads = 64;
#ifdef _WIN32
    threads = 1;
#endif
    SeqJob jobs[64];
    for (int t = 0; t < threads; t++) {
        jobs[t].p = p;
        jobs[t].d = d;
        jobs[t].lo = (int32_t)((int64_t)n * t / threads);
        jobs[t].hi = (int32_t)((int64_t)n * (t + 1) / threads);
        jobs[t].fitness = fitness + jobs[t].lo;
        jobs[t].failed = 0;
    }
#ifndef _WIN32
    pthread_t tid[64];
    int started[64] = {0};
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, seq_job, &jobs[t]) == 0;
    seq_job(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else seq_job(&jobs[t]);
    }
#else
    seq_job(&jobs[0]);
#endif
    for (int t = 0; t < threads; t++) if (jobs[t].failed) return -1;
    return 0;
}

/* A gated genome's fitness on sequence data (Neataptic's mutations on: neat_gates.c's
 * gated_run, the state fresh at each sequence's start), the cost accumulated in
 * eval_sequences' order, so the same bits as summing gated_run's outputs in Python
 * (netgraph/neat/_gated.py's sequence_fitness). Returns gated_run's answer: 0, 1 when the
 * caller must evaluate the genome itself (fitness untouched), -1 out of memory. */
int gated_eval_sequences(const Genome *g, const NeatConfig *c, const SeqData *d,
                         double *fitness)
{
    int32_t nout = c->num_outputs;
    int64_t rows = d->starts[d->nseq];
    double *out = malloc(sizeof(double) * (size_t)(rows * nout > 0 ? rows * nout : 1));
    if (!out) return -1;
    /* resets at every sequence's first row (the first is row 0, fresh anyway) */
    int rc = gated_run(g, c, d->X, rows, d->starts, d->nseq, NULL, 0, 0.0, NULL, out);
    if (rc == 0) {
        double f = d->offset, acc = 0.0;
        int64_t counted = 0;
        for (int64_t s = 0; s < d->nseq; s++)
            for (int64_t r = d->starts[s] + d->washout; r < d->starts[s + 1]; r++) {
                counted++;
                for (int32_t o = 0; o < nout; o++)
                    add_error(d->cost, out[r * nout + o] - d->Y[r * nout + o], &f, &acc);
            }
        *fitness = fitness_of(d, f, acc, counted, nout);
    }
    free(out);
    return rc;
}
