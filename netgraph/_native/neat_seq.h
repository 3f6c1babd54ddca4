/* Native fitness on sequence data (see neat_seq.c). */
#ifndef NETGRAPH_NEAT_SEQ_H
#define NETGRAPH_NEAT_SEQ_H

#include "neat.h"

typedef struct {
    const double *X, *Y;   /* all steps, sequence after sequence: steps x nin, steps x nout */
    const int64_t *starts; /* nseq + 1 row offsets; sequence s is starts[s] .. starts[s+1] */
    int64_t nseq;
    int64_t washout;       /* steps at the start of each sequence that are run, not scored */
    int cost;              /* COST_* of neat_tasks.h */
    double offset;
} SeqData;

double eval_sequences(Net *net, const Genome *g, const NeatConfig *c, const SeqData *d,
                      double *y);
/* Every genome's fitness into fitness[p->n] on `threads` threads (call without the GIL).
 * Returns 0, or -1 when memory ran out. */
int seq_evaluate_population(Pop *p, const SeqData *d, int threads, double *fitness);
/* A gated genome's fitness (neat_gates.c's semantics) into *fitness: 0; 1 when the
 * caller evaluates it itself; -1 out of memory. */
int gated_eval_sequences(const Genome *g, const NeatConfig *c, const SeqData *d,
                         double *fitness);

#endif
