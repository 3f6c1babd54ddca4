/* netgraph's native core: the plan layout the kernels read.
 *
 * A plan is a network compiled to arrays (netgraph/_compile.py builds it; Python
 * checks every array once, at the boundary, in module.c, and the kernels trust them):
 *
 *   neurons   0 .. n-1 in a topological order of the undelayed synapses, inputs first
 *             (0 .. n_in-1, in input order).
 *   synapses  "CSR": the synapses into neuron k are e = in_ptr[k] .. in_ptr[k+1]-1, in the
 *             order they were made (the order Synaptic sums them in); in_src[e] is the
 *             source's position. Self-connections are not in the CSR lists: they sit after
 *             them, at e = n_csr .. n_syn-1, and Gates.self_e[k] names neuron k's.
 *   weights   weights[e] for every synapse, biases[k] for every neuron: the graph's own
 *             storage, updated in place, so the graph never shows a stale weight.
 *   in_start  in_start[k] >= 0 when neuron k's sources are the consecutive positions
 *             in_start[k], in_start[k]+1, ...: its loops then run at unit stride over
 *             contiguous memory, which the compiler vectorizes.
 *   codes     activation of each neuron, numbered as the registry in _activations.py.
 *   roles     0 input, 1 hidden, 2 output; output_pos[o] is output o's position and
 *             output_index[k] neuron k's index among the outputs (or -1).
 *   fixed     1 for a neuron whose bias and incoming weights are never learned.
 *
 * Gated, self-connected and delayed synapses (Synaptic's neuron model) add the arrays of
 * Gates, documented there. The evaluation state (State) belongs to the network; the
 * kernels only read and write it.
 *
 * Indices are int64 (numpy's default), values float64. Sums run in a fixed order; the
 * build keeps the compiler from fusing multiplies and adds (-ffp-contract=off), so the
 * same plan gives the same bits on every x86-64, whatever SIMD the machine has.
 */
#ifndef NETGRAPH_PLAN_H
#define NETGRAPH_PLAN_H

#include <stdint.h>

typedef int64_t idx;

enum { INPUT = 0, HIDDEN = 1, OUTPUT = 2 };

/* From this many consecutive sources on, a neuron's loops run over contiguous memory
 * with several accumulators, so they vectorize (a narrower neuron sums one synapse at a
 * time, in creation order). */
#define WIDE 16

/* Samples per block in the batch kernels: a block of every neuron's values (n rows of
 * COLUMNS) then stays in cache while the synapses sweep over it. */
#define COLUMNS 128

typedef struct {
    idx n, n_in, n_out;
    idx n_csr;            /* synapses in the CSR lists */
    idx n_syn;            /* all synapses: n_csr + self-connections */
    const idx *in_ptr;    /* n + 1 */
    const idx *in_src;    /* n_csr */
    const idx *in_start;  /* n */
    const idx *codes;     /* n */
    const idx *roles;     /* n */
    const idx *output_index;  /* n */
    const idx *output_pos;    /* n_out */
    const idx *fixed;     /* n */
    double *weights;      /* n_syn */
    double *biases;       /* n */
    const uint8_t *loop;  /* n: how neuron k's synapses are walked (enum below), derived
                             from in_start and in_ptr once, when the plan is bound */
} Plan;

enum {
    NARROW = 0,     /* one synapse at a time, in creation order */
    WIDE_LOOP = 1,  /* WIDE or more consecutive sources: contiguous, vectorized loops */
    INPUT_FED = 2,  /* a wide neuron whose sources are all inputs (see feedforward.c) */
};

/* Synaptic's gated model (see _compile._recurrent_arrays, which builds these). For a
 * gater j and a neuron k some of whose incoming synapses j gates, "pair" p = (j, k). */
typedef struct {
    const idx *in_delay;   /* n_csr: 1 if synapse e reads its source's previous activation */
    const idx *self_e;     /* n: the synapse index of k's self-connection, or -1 */
    const idx *gater;      /* n_syn: position of synapse c's gater, or -1 */
    const idx *gate_ptr, *gate_syn;        /* the synapses each neuron gates */
    const idx *out_ptr, *out_syn, *out_dst; /* each neuron's outgoing CSR synapses */
    const idx *pair_ptr;   /* n + 1: gater j's pairs are pair_ptr[j] .. pair_ptr[j+1]-1 */
    const idx *pair_k;     /* the gated neuron k of each pair */
    const idx *pair_self;  /* 1 if j gates k's self-connection */
    const idx *pair_c_ptr, *pair_c, *pair_c_src; /* the synapses into k that j gates */
    const idx *xt_off;     /* where pair p's extended traces (one per synapse into j) start */
    idx n_xtrace;
} Gates;

/* The evaluation state. Feed-forward plans use s, y, dy and resp (the error each neuron
 * takes back, accumulated during propagate); gated plans use all of it. */
typedef struct {
    double *s;       /* n: states (weighted sums) */
    double *old;     /* n: each neuron's state before its latest activation */
    double *y;       /* n: activations */
    double *dy;      /* n: derivatives f'(s) */
    double *y_prev;  /* n: activations at the start of the current step (delayed synapses) */
    double *gain;    /* n_syn: gains; 1 for an ungated synapse or before its gater ran */
    double *elig;    /* n_csr: eligibility traces */
    double *xtrace;  /* n_xtrace: extended traces */
    double *resp;    /* n: errors ("responsibilities") */
    double *work;    /* scratch, one entry per synapse into a neuron (not part of the state) */
} State;

/* Why a training run stopped (the kernels' status codes; _train.py reads them). */
enum { RAN_ALL = 0, REACHED_ERROR = 1, DIVERGED = 2 };

/* Optimizers of minibatch descent. */
enum { SGD = 0, ADAM = 1 };

/* ----------------------------------------------------------- feedforward.c */
void ff_forward(const Plan *p, const double *x, double *s, double *y, double *dy);
int ff_propagate(const Plan *p, const double *y, const double *dy, const double *t,
                 double rate, double *acc, double *undo_w, double *undo_b);
void ff_forward_columns(const Plan *p, const double *Xt, idx m, double *S, double *Y,
                        double *DY);
void ff_activate_batch(const Plan *p, const double *X, idx m, double *out, double *work,
                       double *s, double *y, double *dy);
void ff_backward_columns(const Plan *p, const double *Y, const double *DY, double *D, idx m,
                         double *gw, double *gb);
idx ff_train_online(const Plan *p, const double *X, const double *T, idx n_samples,
                    const idx *order, idx n_epochs, const double *rates, int cost,
                    double stop_error, const double *Xv, const double *Tv, idx n_valid,
                    State *st, double *errors, double *backup_w, double *backup_b,
                    double *pending, int *status);
typedef struct {
    int optimizer;
    double momentum, beta1, beta2, eps;
    double *state_w, *state_b;  /* 2 rows each: velocity, or Adam's (m, v) */
    int64_t *step;              /* optimizer steps taken, across calls */
    const double *input_mask, *weight_mask;
} Optimizer;
idx ff_train_gradient(const Plan *p, const double *X, const double *T, idx n_samples,
                      const idx *order, idx n_epochs, const double *rates, idx batch_size,
                      int cost, double stop_error, const double *Xv, const double *Tv,
                      idx n_valid, const Optimizer *opt, State *st, double *delta,
                      double *dC, double *gw, double *gb, double *errors, double *backup_w,
                      double *backup_b, int *status);
void optimizer_step(int optimizer, double *params, const double *grads, idx n, double rate,
                    double momentum, double *m, double *v, int64_t t, double beta1,
                    double beta2, double eps);

/* ------------------------------------------------------------ recurrent.c */
void rec_activate(const Plan *p, const Gates *g, const double *x, State *st);
void rec_propagate(const Plan *p, const Gates *g, const double *t, double rate, State *st);
void rec_clear(const Plan *p, const Gates *g, State *st, int states);
idx rec_train_sequences(const Plan *p, const Gates *g, const double *X, const double *T,
                        const idx *starts, idx n_seq, const idx *order, idx n_epochs,
                        const double *rates, int cost, double stop_error, int fresh,
                        State *st, State *backup_st, double *errors, double *backup_w,
                        double *backup_b, int *status);
idx rec_dsr_trials(const Plan *p, const Gates *g, const idx *symbols, const idx *answers,
                   idx n_trials, idx length, idx n_targets, double rate, int cost,
                   int skip_first, State *st, double *x, double *t, double *error);

#endif
