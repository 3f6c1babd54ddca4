/* Many networks trained in one call (netgraph/_many.py calls it).
 *
 * Each network runs the very kernel Network.train would run for it (ff_train_online,
 * ff_train_gradient or rec_train_sequences), on its own plan, weights, state and
 * scratch, so its result is the same bits whichever thread runs it and whatever else
 * runs beside it. The GIL is released once for the whole batch; with threads > 1 a
 * small pool of POSIX threads takes the networks one at a time from a shared counter
 * (on Windows the batch runs on the calling thread). Python has validated the options
 * and holds every network's lock (netgraph._core.acquire) for the whole call; this file
 * checks the arrays once, at the boundary, as module.c does.
 */
#include "many.h"

#include <numpy/arrayobject.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pythread.h>
#ifndef _WIN32
#include <pthread.h>
#endif

enum { ONLINE = 0, GRADIENT = 1, SEQUENCES = 2 };

typedef struct {
    int kind;
    EngineParts e;
    const idx *order;
    double *errors;
    Optimizer opt;
    double *work;     /* this job's scratch (see prepare) */
    idx ran;
    int status;
    double seconds;
} Job;

typedef struct {
    Job *jobs;
    Py_ssize_t n_jobs;
    Py_ssize_t next;  /* the next job to take (atomic) */
    const double *X, *T, *Xv, *Tv, *rates;
    idx rows, n_valid, epochs, batch_size;
    const idx *starts;
    idx n_seq;
    int cost, fresh;
    double stop_error;
} Batch;

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A C-contiguous, aligned, native array of `type` with n elements (n < 0: any). */
static void *checked(PyObject *obj, int type, npy_intp n, int writable, Py_ssize_t index,
                     const char *what)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "jobs[%zd]: %s: expected a numpy array", index, what);
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) != type || !PyArray_IS_C_CONTIGUOUS(a) || !PyArray_ISALIGNED(a) ||
        PyArray_ISBYTESWAPPED(a) || (writable && !PyArray_ISWRITEABLE(a)) ||
        (n >= 0 && PyArray_SIZE(a) != n)) {
        PyErr_Format(PyExc_ValueError, "jobs[%zd]: %s: expected a C-contiguous, aligned%s "
                     "native %s array of %zd elements", index, what,
                     writable ? ", writable" : "", type == NPY_DOUBLE ? "float64" : "int64",
                     (Py_ssize_t)n);
        return NULL;
    }
    return PyArray_DATA(a);
}

static void run_job(const Batch *b, Job *j)
{
    const Plan *p = j->e.p;
    double t0 = now();
    if (j->kind == ONLINE) {
        double *bw = j->work, *bb = bw + p->n_syn, *pending = bb + p->n;
        memset(pending, 0, (size_t)p->n * sizeof(double));
        j->ran = ff_train_online(p, b->X, b->T, b->rows, j->order, b->epochs, b->rates, b->cost,
                                 b->stop_error, b->Xv, b->Tv, b->n_valid, j->e.st, j->errors,
                                 bw, bb, pending, &j->status);
    } else if (j->kind == GRADIENT) {
        double *delta = j->work, *dC = delta + p->n, *gw = dC + p->n_out, *gb = gw + p->n_syn,
               *bw = gb + p->n, *bb = bw + p->n_syn, *imask = bb + p->n,
               *wmask = imask + p->n;
        /* as _train._runner: input neurons' biases are unused; fixed neurons learn
         * neither their bias nor their incoming weights */
        for (idx k = 0; k < p->n; k++) {
            imask[k] = p->roles[k] != INPUT && !p->fixed[k] ? 1.0 : 0.0;
            for (idx e = p->in_ptr[k]; e < p->in_ptr[k + 1]; e++)
                wmask[e] = 1.0 - (double)p->fixed[k];
        }
        for (idx e = p->n_csr; e < p->n_syn; e++)
            wmask[e] = 1.0;
        j->opt.input_mask = imask;
        j->opt.weight_mask = wmask;
        j->ran = ff_train_gradient(p, b->X, b->T, b->rows, j->order, b->epochs, b->rates,
                                   b->batch_size, b->cost, b->stop_error, b->Xv, b->Tv,
                                   b->n_valid, &j->opt, j->e.st, delta, dC, gw, gb, j->errors,
                                   bw, bb, &j->status);
    } else {
        size_t n = (size_t)p->n, n_syn = (size_t)p->n_syn;
        double *bw = j->work, *bb = bw + n_syn;
        State s;
        s.s = bb + n;
        s.old = s.s + n;
        s.y = s.old + n;
        s.dy = s.y + n;
        s.y_prev = s.dy + n;
        s.resp = s.y_prev + n;
        s.gain = s.resp + n;
        s.elig = s.gain + n_syn;
        s.xtrace = s.elig + p->n_csr;
        s.work = NULL;
        j->ran = rec_train_sequences(p, j->e.g, b->X, b->T, b->starts, b->n_seq, j->order,
                                     b->epochs, b->rates, b->cost, b->stop_error, b->fresh,
                                     j->e.st, &s, j->errors, bw, bb, &j->status);
    }
    j->seconds = now() - t0;
}

static void *worker(void *arg)
{
    Batch *b = arg;
    for (;;) {
#ifndef _WIN32
        Py_ssize_t k = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
#else
        Py_ssize_t k = b->next++;  /* one thread on Windows */
#endif
        if (k >= b->n_jobs)
            return NULL;
        run_job(b, &b->jobs[k]);
    }
}

/* How many doubles of scratch a job needs. */
/* Every job of b, on at most `threads` threads (64 at most), the calling thread one of
 * them; called with the GIL released. */
static void run_jobs(Batch *b, Py_ssize_t threads)
{
#ifndef _WIN32
    Py_ssize_t n_threads = threads < b->n_jobs ? threads : b->n_jobs;
    pthread_t pool[64];
    if (n_threads > 64)
        n_threads = 64;
    Py_ssize_t started = 0;
    for (; started + 1 < n_threads; started++)
        if (pthread_create(&pool[started], NULL, worker, b) != 0)
            break;  /* fewer threads: the calling thread takes what is left */
    worker(b);
    for (Py_ssize_t q = 0; q < started; q++)
        pthread_join(pool[q], NULL);
#else
    (void)threads;
    worker(b);
#endif
}

static size_t scratch_size(const Job *j)
{
    const Plan *p = j->e.p;
    size_t n = (size_t)p->n, n_syn = (size_t)p->n_syn;
    if (j->kind == ONLINE)
        return n_syn + 2 * n;
    if (j->kind == GRADIENT)
        return 3 * n + (size_t)p->n_out + 2 * n_syn + n + n_syn;
    return n_syn + n + 6 * n + n_syn + (size_t)p->n_csr + (size_t)j->e.g->n_xtrace;
}

static int prepare(Batch *b, Job *j, PyObject *spec, Py_ssize_t k, npy_intp units,
                   uint64_t me)
{
    PyObject *engine, *order, *errors, *sw, *sb, *step;
    if (!PyTuple_Check(spec) ||
        !PyArg_ParseTuple(spec, "OiOOOOO", &engine, &j->kind, &order, &errors, &sw, &sb, &step))
        return -1;
    if (engine_parts(engine, k, &j->e) < 0)
        return -1;
    const Plan *p = j->e.p;
    if (j->kind < ONLINE || j->kind > SEQUENCES ||
        (j->kind == SEQUENCES ? j->e.g == NULL : !j->e.dag)) {
        PyErr_Format(PyExc_ValueError, "jobs[%zd]: kind %d does not fit this plan", k, j->kind);
        return -1;
    }
    if (*j->e.lock != me) {
        PyErr_Format(PyExc_RuntimeError, "jobs[%zd]: the caller must hold the network", k);
        return -1;
    }
    npy_intp n_units = j->kind == SEQUENCES ? b->n_seq : b->rows;
    j->order = NULL;
    if (!PyArray_Check(order)) {
        PyErr_Format(PyExc_TypeError, "jobs[%zd]: order: expected a numpy array", k);
        return -1;
    }
    if (units != n_units && PyArray_SIZE((PyArrayObject *)order) != 0) {
        PyErr_Format(PyExc_ValueError, "jobs[%zd]: order has %zd units, not %zd", k,
                     (Py_ssize_t)units, (Py_ssize_t)n_units);
        return -1;
    }
    if (PyArray_SIZE((PyArrayObject *)order) != 0) {
        const idx *o = checked(order, NPY_INT64, b->epochs * n_units, 0, k, "order");
        if (!o)
            return -1;
        for (npy_intp q = 0; q < b->epochs * n_units; q++)
            if (o[q] < 0 || o[q] >= n_units) {
                PyErr_Format(PyExc_ValueError, "jobs[%zd]: order[%zd] is out of range", k,
                             (Py_ssize_t)q);
                return -1;
            }
        j->order = o;
    }
    if (!(j->errors = checked(errors, NPY_DOUBLE, b->epochs, 1, k, "errors")))
        return -1;
    if (j->kind == GRADIENT &&
        (!(j->opt.state_w = checked(sw, NPY_DOUBLE, 2 * p->n_syn, 1, k, "state_w")) ||
         !(j->opt.state_b = checked(sb, NPY_DOUBLE, 2 * p->n, 1, k, "state_b")) ||
         !(j->opt.step = checked(step, NPY_INT64, 1, 1, k, "step"))))
        return -1;
    if (!(j->work = PyMem_RawMalloc(scratch_size(j) * sizeof(double) + 1))) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* The 2-D data array `obj` of `cols` columns: its rows, or -1 with ValueError. */
static npy_intp rows_of(PyObject *obj, npy_intp cols, int empty_ok, const char *what)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy array", what);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (empty_ok && PyArray_SIZE(a) == 0)
        return 0;
    if (PyArray_NDIM(a) != 2 || PyArray_DIM(a, 1) != cols) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd columns", what, (Py_ssize_t)cols);
        return -1;
    }
    return PyArray_DIM(a, 0);
}

/* The data every network trains on, checked against the first network's widths and
 * the sequences b->starts marks (b->n_seq of them): into b's X, T, Xv, Tv, rows and
 * n_valid; -1 with an exception if they do not fit together. */
static int read_data(Batch *b, idx n_in, idx n_out, PyObject *X, PyObject *T,
                     PyObject *Xv, PyObject *Tv)
{
    npy_intp rows = rows_of(X, n_in, 0, "X"), rows_t = rows_of(T, n_out, 0, "T");
    npy_intp nv = rows_of(Xv, n_in, 1, "Xv"), nv_t = rows_of(Tv, n_out, 1, "Tv");
    npy_intp n_seq = b->n_seq;
    if (rows < 0 || rows_t < 0 || nv < 0 || nv_t < 0)
        return -1;
    if (rows != rows_t || nv != nv_t || rows < 1 || n_seq < 1 || b->starts[0] != 0 ||
        b->starts[n_seq] != rows) {
        PyErr_SetString(PyExc_ValueError, "X, T, Xv, Tv and starts do not fit together");
        return -1;
    }
    for (npy_intp q = 0; q < n_seq; q++)
        if (b->starts[q + 1] < b->starts[q]) {
            PyErr_SetString(PyExc_ValueError, "starts must not decrease");
            return -1;
        }
    b->rows = rows;
    b->n_valid = nv;
    if (!(b->X = checked(X, NPY_DOUBLE, rows * n_in, 0, -1, "X")) ||
        !(b->T = checked(T, NPY_DOUBLE, rows * n_out, 0, -1, "T")) ||
        !(b->Xv = checked(Xv, NPY_DOUBLE, -1, 0, -1, "Xv")) ||
        !(b->Tv = checked(Tv, NPY_DOUBLE, -1, 0, -1, "Tv")))
        return -1;
    return 0;
}

/* train_many(jobs, X, T, Xv, Tv, starts, rates, cost, stop_error, optimizer, momentum,
 *            batch_size, fresh, threads) -> [(epochs, status, seconds), ...]
 *
 * jobs: (engine, kind, order, errors, state_w, state_b, step) per network; kind 0 runs
 * ff_train_online, 1 ff_train_gradient (state_*, step: its optimizer's state, kept by
 * the caller across calls), 2 rec_train_sequences over the sequences `starts` marks.
 * Every network runs the epochs of `rates` on the same data. */
PyObject *py_train_many(PyObject *module, PyObject *args)
{
    PyObject *jobs, *X, *T, *Xv, *Tv, *starts, *rates;
    int optimizer, threads;
    double momentum;
    Py_ssize_t batch;
    Batch b;
    (void)module;
    memset(&b, 0, sizeof b);
    /* numpy's C API table is per file: this one's is filled on first use */
    static int imported = 0;
    if (!imported) {
        if (_import_array() < 0)
            return NULL;
        imported = 1;
    }
    if (!PyArg_ParseTuple(args, "O!OOOOOOididnpi", &PyList_Type, &jobs, &X, &T, &Xv, &Tv,
                          &starts, &rates, &b.cost, &b.stop_error, &optimizer, &momentum,
                          &batch, &b.fresh, &threads))
        return NULL;
    if (batch < 1 || threads < 1) {
        PyErr_SetString(PyExc_ValueError, "batch_size and threads must be >= 1");
        return NULL;
    }
    b.batch_size = batch;
    b.n_jobs = PyList_GET_SIZE(jobs);
    npy_intp epochs = PyArray_Check(rates) ? PyArray_SIZE((PyArrayObject *)rates) : -1;
    if (!(b.rates = checked(rates, NPY_DOUBLE, epochs, 0, -1, "rates")))
        return NULL;
    b.epochs = epochs;
    npy_intp n_seq = PyArray_Check(starts) ? PyArray_SIZE((PyArrayObject *)starts) - 1 : -1;
    if (!(b.starts = checked(starts, NPY_INT64, n_seq + 1, 0, -1, "starts")))
        return NULL;
    b.n_seq = n_seq;
    /* every network has the data's widths: checked against the first, then each */
    if (b.n_jobs == 0)
        return PyList_New(0);
    EngineParts first;
    if (engine_parts(PyTuple_Check(PyList_GET_ITEM(jobs, 0)) &&
                     PyTuple_GET_SIZE(PyList_GET_ITEM(jobs, 0)) > 0
                         ? PyTuple_GET_ITEM(PyList_GET_ITEM(jobs, 0), 0) : Py_None,
                     0, &first) < 0)
        return NULL;
    idx n_in = first.p->n_in, n_out = first.p->n_out;
    if (read_data(&b, n_in, n_out, X, T, Xv, Tv) < 0)
        return NULL;
    Job *all = PyMem_Calloc((size_t)b.n_jobs, sizeof(Job));
    if (!all)
        return PyErr_NoMemory();
    b.jobs = all;
    uint64_t me = (uint64_t)PyThread_get_thread_ident();
    PyObject *result = NULL;
    Py_ssize_t made = 0;
    for (; made < b.n_jobs; made++) {
        Job *j = &all[made];
        PyObject *spec = PyList_GET_ITEM(jobs, made);
        j->opt.optimizer = optimizer;
        j->opt.momentum = momentum;
        j->opt.beta1 = 0.9;
        j->opt.beta2 = 0.999;
        j->opt.eps = 1e-8;
        if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 7) {
            PyErr_Format(PyExc_TypeError, "jobs[%zd]: expected a 7-tuple", made);
            goto done;
        }
        EngineParts e;
        if (engine_parts(PyTuple_GET_ITEM(spec, 0), made, &e) < 0)
            goto done;
        if (e.p->n_in != n_in || e.p->n_out != n_out) {
            PyErr_Format(PyExc_ValueError, "jobs[%zd]: %lld inputs and %lld outputs; the data "
                         "has %lld and %lld", made, (long long)e.p->n_in,
                         (long long)e.p->n_out, (long long)n_in, (long long)n_out);
            goto done;
        }
        PyObject *order = PyTuple_GET_ITEM(spec, 2);
        npy_intp units = PyArray_Check(order) && PyArray_NDIM((PyArrayObject *)order) == 2
                             ? PyArray_DIM((PyArrayObject *)order, 1) : 0;
        if (prepare(&b, j, spec, made, units, me) < 0) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "jobs[%zd]: bad job", made);
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    run_jobs(&b, threads);
    Py_END_ALLOW_THREADS
    if (!(result = PyList_New(b.n_jobs)))
        goto done;
    for (Py_ssize_t k = 0; k < b.n_jobs; k++) {
        all[k].e.flags[0] = 1;
        PyObject *r = Py_BuildValue("(Lid)", (long long)all[k].ran, all[k].status,
                                    all[k].seconds);
        if (!r) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, k, r);
    }
done:
    for (Py_ssize_t k = 0; k < made; k++)
        PyMem_RawFree(all[k].work);
    PyMem_Free(all);
    return result;
}

/* train_engines(engines, slots, kinds, offsets, state, steps, X, T, Xv, Tv, starts,
 *               rates, cost, stop_error, optimizer, momentum, batch_size, fresh, threads,
 *               order, seq_order, errors, ran, status, seconds) -> None
 *
 * The population form of train_many, with no Python object per network: engines[q] is
 * network slots[q]; kinds[slot] picks its kernel (as train_many's jobs); a GRADIENT
 * network's optimizer state is state[offsets[slot] ..]: 2 n_syn moments of its weights
 * then 2 n of its biases, and steps[slot] its step count (kept by the caller across
 * calls). order (epochs x rows) and seq_order (epochs x sequences) are the shuffled
 * orders every network shares (empty: as given). Row q of errors (engines x epochs)
 * takes network q's epoch errors; ran, status and seconds (one per engine) what
 * train_many returns in its tuples. The scratch of every network is one allocation. */
PyObject *py_train_engines(PyObject *module, PyObject *args)
{
    PyObject *engines, *slots_o, *kinds_o, *offsets_o, *state_o, *steps_o, *X, *T, *Xv, *Tv;
    PyObject *starts, *rates, *order_o, *seq_order_o, *errors_o, *ran_o, *status_o, *seconds_o;
    int optimizer, threads;
    double momentum;
    Py_ssize_t batch;
    Batch b;
    (void)module;
    memset(&b, 0, sizeof b);
    static int imported = 0;
    if (!imported) {
        if (_import_array() < 0)
            return NULL;
        imported = 1;
    }
    if (!PyArg_ParseTuple(args, "O!OOOOOOOOOOOididnpiOOOOOO", &PyList_Type, &engines,
                          &slots_o, &kinds_o, &offsets_o, &state_o, &steps_o, &X, &T, &Xv, &Tv,
                          &starts, &rates, &b.cost, &b.stop_error, &optimizer, &momentum,
                          &batch, &b.fresh, &threads, &order_o, &seq_order_o, &errors_o,
                          &ran_o, &status_o, &seconds_o))
        return NULL;
    if (batch < 1 || threads < 1) {
        PyErr_SetString(PyExc_ValueError, "batch_size and threads must be >= 1");
        return NULL;
    }
    b.batch_size = batch;
    b.n_jobs = PyList_GET_SIZE(engines);
    npy_intp n_jobs = b.n_jobs;
    npy_intp epochs = PyArray_Check(rates) ? PyArray_SIZE((PyArrayObject *)rates) : -1;
    if (!(b.rates = checked(rates, NPY_DOUBLE, epochs, 0, -1, "rates")))
        return NULL;
    b.epochs = epochs;
    npy_intp n_seq = PyArray_Check(starts) ? PyArray_SIZE((PyArrayObject *)starts) - 1 : -1;
    if (!(b.starts = checked(starts, NPY_INT64, n_seq + 1, 0, -1, "starts")))
        return NULL;
    b.n_seq = n_seq;
    const idx *slots = checked(slots_o, NPY_INT64, n_jobs, 0, -1, "slots");
    npy_intp n_slots = PyArray_Check(kinds_o) ? PyArray_SIZE((PyArrayObject *)kinds_o) : -1;
    const idx *kinds = checked(kinds_o, NPY_INT64, n_slots, 0, -1, "kinds");
    const idx *offsets = checked(offsets_o, NPY_INT64, n_slots + 1, 0, -1, "offsets");
    idx *steps = checked(steps_o, NPY_INT64, n_slots, 1, -1, "steps");
    npy_intp n_state = PyArray_Check(state_o) ? PyArray_SIZE((PyArrayObject *)state_o) : -1;
    double *state = checked(state_o, NPY_DOUBLE, n_state, 1, -1, "state");
    double *errors = checked(errors_o, NPY_DOUBLE, n_jobs * epochs, 1, -1, "errors");
    idx *ran = checked(ran_o, NPY_INT64, n_jobs, 1, -1, "ran");
    idx *status = checked(status_o, NPY_INT64, n_jobs, 1, -1, "status");
    double *seconds = checked(seconds_o, NPY_DOUBLE, n_jobs, 1, -1, "seconds");
    if (!slots || !kinds || !offsets || !steps || !state || !errors || !ran || !status ||
        !seconds)
        return NULL;
    if (offsets[0] != 0 || offsets[n_slots] > n_state) {
        PyErr_SetString(PyExc_ValueError, "offsets do not fit the state");
        return NULL;
    }
    for (npy_intp q = 0; q < n_slots; q++)
        if (offsets[q + 1] < offsets[q]) {
            PyErr_SetString(PyExc_ValueError, "offsets must not decrease");
            return NULL;
        }
    if (n_jobs == 0)
        Py_RETURN_NONE;
    EngineParts first;
    if (engine_parts(PyList_GET_ITEM(engines, 0), 0, &first) < 0)
        return NULL;
    idx n_in = first.p->n_in, n_out = first.p->n_out;
    if (read_data(&b, n_in, n_out, X, T, Xv, Tv) < 0)
        return NULL;
    npy_intp rows = b.rows;
    /* the shared orders: empty, or one row of units per epoch, every entry in range */
    const idx *orders[2] = {NULL, NULL};
    PyObject *order_objs[2] = {order_o, seq_order_o};
    npy_intp units[2] = {rows, n_seq};
    for (int w = 0; w < 2; w++) {
        if (!PyArray_Check(order_objs[w])) {
            PyErr_SetString(PyExc_TypeError, "order: expected a numpy array");
            return NULL;
        }
        if (PyArray_SIZE((PyArrayObject *)order_objs[w]) == 0)
            continue;
        const idx *o = checked(order_objs[w], NPY_INT64, epochs * units[w], 0, -1, "order");
        if (!o)
            return NULL;
        for (npy_intp q = 0; q < epochs * units[w]; q++)
            if (o[q] < 0 || o[q] >= units[w]) {
                PyErr_SetString(PyExc_ValueError, "order: an entry is out of range");
                return NULL;
            }
        orders[w] = o;
    }
    Job *all = PyMem_Calloc((size_t)n_jobs, sizeof(Job));
    if (!all)
        return PyErr_NoMemory();
    b.jobs = all;
    uint64_t me = (uint64_t)PyThread_get_thread_ident();
    double *scratch = NULL;
    size_t total = 0;
    for (npy_intp q = 0; q < n_jobs; q++) {
        Job *j = &all[q];
        idx slot = slots[q];
        if (slot < 0 || slot >= n_slots) {
            PyErr_Format(PyExc_ValueError, "slots[%zd] is out of range", (Py_ssize_t)q);
            goto done;
        }
        if (engine_parts(PyList_GET_ITEM(engines, q), q, &j->e) < 0)
            goto done;
        const Plan *p = j->e.p;
        j->kind = (int)kinds[slot];
        if (p->n_in != n_in || p->n_out != n_out) {
            PyErr_Format(PyExc_ValueError, "engines[%zd]: %lld inputs and %lld outputs; the "
                         "data has %lld and %lld", (Py_ssize_t)q, (long long)p->n_in,
                         (long long)p->n_out, (long long)n_in, (long long)n_out);
            goto done;
        }
        if (j->kind < ONLINE || j->kind > SEQUENCES ||
            (j->kind == SEQUENCES ? j->e.g == NULL : !j->e.dag)) {
            PyErr_Format(PyExc_ValueError, "engines[%zd]: kind %d does not fit this plan",
                         (Py_ssize_t)q, j->kind);
            goto done;
        }
        if (*j->e.lock != me) {
            PyErr_Format(PyExc_RuntimeError, "engines[%zd]: the caller must hold the network",
                         (Py_ssize_t)q);
            goto done;
        }
        if (j->kind == GRADIENT) {
            if (offsets[slot + 1] - offsets[slot] != 2 * (p->n_syn + p->n)) {
                PyErr_Format(PyExc_ValueError, "engines[%zd]: its state does not fit",
                             (Py_ssize_t)q);
                goto done;
            }
            j->opt.state_w = state + offsets[slot];
            j->opt.state_b = j->opt.state_w + 2 * p->n_syn;
            j->opt.step = &steps[slot];
        }
        j->opt.optimizer = optimizer;
        j->opt.momentum = momentum;
        j->opt.beta1 = 0.9;
        j->opt.beta2 = 0.999;
        j->opt.eps = 1e-8;
        j->order = orders[j->kind == SEQUENCES];
        j->errors = errors + q * epochs;
        total += scratch_size(j) + 1;
    }
    if (!(scratch = PyMem_RawMalloc(total * sizeof(double)))) {
        PyErr_NoMemory();
        goto done;
    }
    total = 0;
    for (npy_intp q = 0; q < n_jobs; q++) {
        all[q].work = scratch + total;
        total += scratch_size(&all[q]) + 1;
    }
    Py_BEGIN_ALLOW_THREADS
    run_jobs(&b, threads);
    Py_END_ALLOW_THREADS
    for (npy_intp q = 0; q < n_jobs; q++) {
        all[q].e.flags[0] = 1;
        ran[q] = all[q].ran;
        status[q] = all[q].status;
        seconds[q] = all[q].seconds;
    }
    PyMem_RawFree(scratch);
    PyMem_Free(all);
    Py_RETURN_NONE;
done:
    PyMem_Free(all);
    return NULL;
}
