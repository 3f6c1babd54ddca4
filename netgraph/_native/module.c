/* netgraph._core: the Python side of the native core.
 *
 * One type, Engine: a compiled plan (plan.h) bound to a network's weights and evaluation
 * state. Python builds the arrays (netgraph/_compile.py, netgraph/_fast.py); this file
 * checks them once, when an Engine is made, and from then on the kernels trust them.
 *
 * The single-sample calls, activate and propagate, are the per-call path of user loops:
 * they read a list, tuple or 1-D float64 array directly and hand anything else back to
 * Python by returning None (as they do when the plan is stale), so the general path
 * still makes every check and every error message. Longer calls (training, batches,
 * large networks) release the GIL; while they run, the graph's lock names the thread
 * using it, and any other thread is refused with ConcurrencyError instead of racing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>
#include <pythread.h>

#include <math.h>
#include <string.h>

#include "plan.h"
#include "rules.h"
#include "many.h"

/* Activations the kernels know (rules.h): codes 0 .. N_ACTIVATIONS-1. */
#define N_ACTIVATIONS 34  /* with SOFTMAX, rules.h */
/* Single calls on networks with at least this many synapses release the GIL. */
#define RELEASE_SYNAPSES 4096

static PyObject *str_version;

typedef struct {
    PyObject_HEAD
    int ready;        /* 0: an empty engine, which hands every call back to Python */
    int gated;        /* the plan runs Synaptic's gated model (Gates in use) */
    int dag;          /* no gate, delay or self-connection: the feed-forward kernels apply */
    Plan p;
    Gates g;
    State st;
    int64_t *flags;   /* [0]: 1 once activated (propagate needs it) */
    uint64_t *lock;   /* the graph's lock: the ident of the thread using it, or 0 */
    long long version;
    PyObject *store;  /* the graph's store: its .version tells when this plan is stale */
    PyObject *plan;   /* the Python Plan this engine runs */
    PyObject *keep;   /* every array whose memory the pointers above use */
    uint8_t *loop;    /* Plan.loop */
    double *x, *t;    /* one input, one target */
    double *undo_w, *undo_b, *undo_resp;  /* propagate's guard */
} Engine;

/* ------------------------------------------------------------------ errors */

static PyObject *netgraph_error(const char *name)
{
    PyObject *mod = PyImport_ImportModule("netgraph._exceptions");
    if (!mod)
        return NULL;
    PyObject *cls = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    return cls;
}

static void raise_concurrent(void)
{
    PyObject *cls = netgraph_error("ConcurrencyError");
    if (!cls)
        return;
    PyErr_SetString(cls, "this network is in use by another thread (training or evaluating "
                         "with the GIL released); use one network per thread, or a copy "
                         "(net.copy(), pickle)");
    Py_DECREF(cls);
}

/* ------------------------------------------------------- array checks */

/* A C-contiguous, aligned array of `type` with exactly `n` elements (n < 0: any), or
 * NULL with a ValueError naming `what`. The pointer is valid while `obj` lives. */
static void *array_data(PyObject *obj, int type, npy_intp n, int writable, const char *what)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy array", what);
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) != type || !PyArray_IS_C_CONTIGUOUS(a) || !PyArray_ISALIGNED(a) ||
        (writable && !PyArray_ISWRITEABLE(a))) {
        PyErr_Format(PyExc_ValueError,
                     "%s: expected a C-contiguous, aligned%s %s array in native byte order",
                     what, writable ? ", writable" : "",
                     type == NPY_DOUBLE ? "float64" : (type == NPY_INT64 ? "int64" : "uint64"));
        return NULL;
    }
    if (n >= 0 && PyArray_SIZE(a) != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd elements, got %zd", what,
                     (Py_ssize_t)n, (Py_ssize_t)PyArray_SIZE(a));
        return NULL;
    }
    return PyArray_DATA(a);
}

static const idx *index_array(PyObject *obj, npy_intp n, idx lo, idx hi, const char *what)
{
    const idx *a = array_data(obj, NPY_INT64, n, 0, what);
    if (!a)
        return NULL;
    npy_intp size = PyArray_SIZE((PyArrayObject *)obj);
    for (npy_intp k = 0; k < size; k++) {
        if (a[k] < lo || a[k] >= hi) {
            PyErr_Format(PyExc_ValueError, "%s[%zd] = %lld is out of range [%lld, %lld)", what,
                         (Py_ssize_t)k, (long long)a[k], (long long)lo, (long long)hi);
            return NULL;
        }
    }
    return a;
}

/* A CSR pointer array: n + 1 nondecreasing entries from 0. */
static const idx *pointer_array(PyObject *obj, npy_intp n, const char *what)
{
    const idx *a = array_data(obj, NPY_INT64, n + 1, 0, what);
    if (!a)
        return NULL;
    if (a[0] != 0) {
        PyErr_Format(PyExc_ValueError, "%s must start at 0", what);
        return NULL;
    }
    for (npy_intp k = 0; k < n; k++) {
        if (a[k + 1] < a[k]) {
            PyErr_Format(PyExc_ValueError, "%s must not decrease", what);
            return NULL;
        }
    }
    return a;
}

/* The data a caller hands in (samples, targets) may be any array of numbers: of the
 * other byte order (read from a FITS, MATLAB or HDF5 file), unaligned (a view into a
 * byte buffer), strided or float32. This calls f with the items of args at `positions`
 * made C-contiguous, aligned, native float64 arrays (a copy only where one is needed),
 * so that the kernels' strict checks (array_data) hold for every array a user can make. */
static PyObject *with_inputs(PyObject *self, PyObject *args, const int *positions,
                             int n_positions, PyCFunction f)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *converted = PyTuple_New(n);
    if (!converted)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *a = PyTuple_GET_ITEM(args, k);
        int convert = 0;
        for (int q = 0; q < n_positions; q++)
            convert |= positions[q] == k;
        if (convert && PyArray_Check(a)) {
            a = PyArray_FROM_OTF(a, NPY_DOUBLE, NPY_ARRAY_IN_ARRAY);
            if (!a) {
                Py_DECREF(converted);
                return NULL;
            }
        } else {
            Py_INCREF(a);
        }
        PyTuple_SET_ITEM(converted, k, a);
    }
    PyObject *result = f(self, converted);
    Py_DECREF(converted);
    return result;
}

#define WITH_INPUTS(name, ...)                                                          \
    static PyObject *name##_any(Engine *self, PyObject *args)                           \
    {                                                                                   \
        static const int positions[] = {__VA_ARGS__};                                   \
        return with_inputs((PyObject *)self, args, positions,                           \
                           (int)(sizeof positions / sizeof positions[0]),               \
                           (PyCFunction)name);                                          \
    }

static double *scratch(size_t n)
{
    double *a = PyMem_Malloc((n ? n : 1) * sizeof(double));
    if (!a)
        PyErr_NoMemory();
    return a;
}

static PyObject *item(PyObject *tuple, Py_ssize_t k)
{
    return PyTuple_GET_ITEM(tuple, k);
}

/* --------------------------------------------------- making an Engine */

static void engine_release(Engine *self)
{
    Py_CLEAR(self->store);
    Py_CLEAR(self->plan);
    Py_CLEAR(self->keep);
    PyMem_Free(self->x);
    PyMem_Free(self->loop);
    self->x = self->t = self->undo_w = self->undo_b = self->undo_resp = NULL;
    self->loop = NULL;
    self->ready = 0;
}

static void Engine_dealloc(Engine *self)
{
    engine_release(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int check_gates(Engine *self, PyObject *gates)
{
    Plan *p = &self->p;
    Gates *g = &self->g;
    if (!PyTuple_Check(gates) || PyTuple_GET_SIZE(gates) < 15) {
        PyErr_SetString(PyExc_TypeError, "gates: expected the tuple of _recurrent_arrays");
        return -1;
    }
    idx n = p->n;
    if (!(g->in_delay = index_array(item(gates, 0), p->n_csr, 0, 2, "in_delay")) ||
        !(g->self_e = index_array(item(gates, 1), n, -1, p->n_syn, "self_e")) ||
        !(g->gater = index_array(item(gates, 2), p->n_syn, -1, n, "gater")) ||
        !(g->gate_ptr = pointer_array(item(gates, 3), n, "gate_ptr")) ||
        !(g->gate_syn = index_array(item(gates, 4), g->gate_ptr[n], 0, p->n_syn, "gate_syn")) ||
        !(g->out_ptr = pointer_array(item(gates, 5), n, "out_ptr")) ||
        !(g->out_syn = index_array(item(gates, 6), g->out_ptr[n], 0, p->n_csr, "out_syn")) ||
        !(g->out_dst = index_array(item(gates, 7), g->out_ptr[n], 0, n, "out_dst")) ||
        !(g->pair_ptr = pointer_array(item(gates, 8), n, "pair_ptr")))
        return -1;
    idx n_pairs = g->pair_ptr[n];
    if (!(g->pair_k = index_array(item(gates, 9), n_pairs, 0, n, "pair_k")) ||
        !(g->pair_self = index_array(item(gates, 10), n_pairs, 0, 2, "pair_self")) ||
        !(g->pair_c_ptr = pointer_array(item(gates, 11), n_pairs, "pair_c_ptr")))
        return -1;
    idx n_c = g->pair_c_ptr[n_pairs];
    if (!(g->pair_c = index_array(item(gates, 12), n_c, 0, p->n_syn, "pair_c")) ||
        !(g->pair_c_src = index_array(item(gates, 13), n_c, 0, n, "pair_c_src")) ||
        !(g->xt_off = pointer_array(item(gates, 14), n_pairs, "xt_off")))
        return -1;
    g->n_xtrace = g->xt_off[n_pairs];
    /* each pair holds one extended trace per synapse into its gater */
    for (idx j = 0; j < n; j++)
        for (idx q = g->pair_ptr[j]; q < g->pair_ptr[j + 1]; q++)
            if (g->xt_off[q + 1] - g->xt_off[q] != p->in_ptr[j + 1] - p->in_ptr[j]) {
                PyErr_SetString(PyExc_ValueError, "xt_off does not fit in_ptr");
                return -1;
            }
    return 0;
}

/* Engine(plan, arrays, gates, n_in, n_syn, weights, biases, state, flags, lock, store,
 *        version): see netgraph/_fast.py, which makes them. Engine() is the empty engine. */
static int Engine_init(Engine *self, PyObject *args, PyObject *kwds)
{
    PyObject *plan = NULL, *arrays, *gates, *weights, *biases, *state, *flags, *lock, *store;
    Py_ssize_t n_in, n_syn;
    long long version;
    engine_release(self);
    if (PyTuple_GET_SIZE(args) == 0 && (!kwds || PyDict_GET_SIZE(kwds) == 0))
        return 0;
    static char *names[] = {"plan", "arrays", "gates", "n_in", "n_syn", "weights", "biases",
                            "state", "flags", "lock", "store", "version", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!OnnOOO!OOOL", names, &plan,
                                     &PyTuple_Type, &arrays, &gates, &n_in, &n_syn, &weights,
                                     &biases, &PyTuple_Type, &state, &flags, &lock, &store,
                                     &version))
        return -1;
    if (PyTuple_GET_SIZE(arrays) != 8 || PyTuple_GET_SIZE(state) != 9) {
        PyErr_SetString(PyExc_TypeError, "arrays: 8 index arrays; state: 9 float arrays");
        return -1;
    }
    Plan *p = &self->p;
    State *st = &self->st;
    const idx *codes = array_data(item(arrays, 3), NPY_INT64, -1, 0, "codes");
    if (!codes)
        return -1;
    idx n = PyArray_SIZE((PyArrayObject *)item(arrays, 3));
    p->n = n;
    p->n_in = n_in;
    p->n_syn = n_syn;
    if (n_in < 1 || n_in > n) {
        PyErr_SetString(PyExc_ValueError, "n_in out of range");
        return -1;
    }
    if (!(p->in_ptr = pointer_array(item(arrays, 0), n, "in_ptr")))
        return -1;
    p->n_csr = p->in_ptr[n];
    if (p->n_csr > n_syn) {
        PyErr_SetString(PyExc_ValueError, "n_syn is smaller than the CSR synapses");
        return -1;
    }
    p->n_out = PyArray_Check(item(arrays, 6)) ? PyArray_SIZE((PyArrayObject *)item(arrays, 6))
                                              : 0;
    if (!(p->in_src = index_array(item(arrays, 1), p->n_csr, 0, n, "in_src")) ||
        !(p->in_start = index_array(item(arrays, 2), n, -1, n, "in_start")) ||
        !(p->codes = index_array(item(arrays, 3), n, 0, N_ACTIVATIONS, "codes")) ||
        !(p->roles = index_array(item(arrays, 4), n, INPUT, OUTPUT + 1, "roles")) ||
        !(p->output_index = index_array(item(arrays, 5), n, -1, p->n_out, "output_index")) ||
        !(p->output_pos = index_array(item(arrays, 6), p->n_out, 0, n, "output_pos")) ||
        !(p->fixed = index_array(item(arrays, 7), n, 0, 2, "fixed")) ||
        !(p->weights = array_data(weights, NPY_DOUBLE, n_syn, 1, "weights")) ||
        !(p->biases = array_data(biases, NPY_DOUBLE, n, 1, "biases")))
        return -1;
    if (p->n_out < 1) {
        PyErr_SetString(PyExc_ValueError, "a plan needs an output");
        return -1;
    }
    for (idx k = 0; k < n; k++) {
        /* inputs first; every synapse reads an earlier neuron (delayed ones aside); a
         * contiguous neuron's sources fit */
        if ((k < n_in) != (p->roles[k] == INPUT) || (k < n_in && p->in_ptr[k + 1] != 0)) {
            PyErr_SetString(PyExc_ValueError, "inputs must come first and have no synapses");
            return -1;
        }
        idx width = p->in_ptr[k + 1] - p->in_ptr[k];
        if (p->in_start[k] >= 0 && p->in_start[k] + width > n) {
            PyErr_SetString(PyExc_ValueError, "in_start runs past the neurons");
            return -1;
        }
    }
    for (idx o = 0; o < p->n_out; o++)
        if (p->output_index[p->output_pos[o]] != o) {
            PyErr_SetString(PyExc_ValueError, "output_index does not invert output_pos");
            return -1;
        }
    self->gated = gates != Py_None;
    self->g.n_xtrace = 0;
    if (self->gated && check_gates(self, gates) < 0)
        return -1;
    /* Feed-forward kernels need every synapse to read an earlier neuron, this step. (A
     * gated plan may be such a DAG too: one whose only oddity is a fixed neuron.) */
    self->dag = p->n_syn == p->n_csr && (!self->gated || self->g.gate_ptr[n] == 0);
    for (idx k = n_in; k < n && self->dag; k++)
        for (idx e = p->in_ptr[k]; e < p->in_ptr[k + 1]; e++)
            if (p->in_src[e] >= k || (self->gated && self->g.in_delay[e]))
                self->dag = 0;
    if (!self->gated && !self->dag) {
        PyErr_SetString(PyExc_ValueError, "a plan without gates must be a DAG in topological "
                                          "order, without self-connections");
        return -1;
    }
    double **fields[9] = {&st->s, &st->old, &st->y, &st->dy, &st->y_prev, &st->gain,
                          &st->elig, &st->xtrace, &st->resp};
    npy_intp sizes[9] = {n, n, n, n, n, n_syn, p->n_csr, self->g.n_xtrace, n};
    static const char *what[9] = {"state s", "state old", "state y", "state dy",
                                  "state y_prev", "state gain", "state elig",
                                  "state xtrace", "state resp"};
    for (int k = 0; k < 9; k++) {
        /* feed-forward plans use s, y, dy and resp only */
        npy_intp size = self->gated || k == 0 || k == 2 || k == 3 || k == 8 ? sizes[k] : -1;
        if (!(*fields[k] = array_data(item(state, k), NPY_DOUBLE, size, 1, what[k])))
            return -1;
    }
    if (!(self->flags = array_data(flags, NPY_INT64, 1, 1, "flags")) ||
        !(self->lock = array_data(lock, NPY_UINT64, 1, 1, "lock")))
        return -1;
    /* x, t, undo_w, undo_b, undo_resp, and the kernels' scratch (State.work) */
    size_t scratch = (size_t)(n_in + p->n_out + n_syn + 2 * n + p->n_csr + 1);
    if (!(self->x = PyMem_Malloc(scratch * sizeof(double)))) {
        PyErr_NoMemory();
        return -1;
    }
    self->t = self->x + n_in;
    self->undo_w = self->t + p->n_out;
    self->undo_b = self->undo_w + n_syn;
    self->undo_resp = self->undo_b + n;
    st->work = self->undo_resp + n;
    if (!(self->loop = PyMem_Malloc((size_t)(n > 0 ? n : 1)))) {
        PyErr_NoMemory();
        return -1;
    }
    for (idx k = 0; k < n; k++) {
        idx width = p->in_ptr[k + 1] - p->in_ptr[k], s0 = p->in_start[k];
        self->loop[k] = s0 < 0 || width < WIDE ? NARROW
                        : (s0 + width <= n_in ? INPUT_FED : WIDE_LOOP);
    }
    p->loop = self->loop;
    self->keep = Py_BuildValue("(OOOOOOO)", arrays, gates, weights, biases, state, flags, lock);
    if (!self->keep)
        return -1;
    Py_INCREF(store);
    self->store = store;
    Py_INCREF(plan);
    self->plan = plan;
    self->version = version;
    self->ready = 1;
    return 0;
}

/* ------------------------------------------------- using an Engine */

/* Whether the graph changed structure since this plan was made. */
static int stale(Engine *self)
{
    PyObject *v = PyObject_GetAttr(self->store, str_version);
    if (!v) {
        PyErr_Clear();
        return 1;
    }
    long long version = PyLong_AsLongLong(v);
    Py_DECREF(v);
    if (version == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 1;
    }
    return version != self->version;
}

/* The graph's lock around a call: refused if another thread holds it; taken for the
 * call if free (a thread may nest calls, e.g. train() holding it around its kernels);
 * the GIL released inside when `release`. */
typedef struct {
    uint64_t *lock;
    int took;
    PyThreadState *saved;
} Exclusive;

/* Take the graph's lock for this thread (GIL held): -1 with ConcurrencyError if another
 * thread holds it. Nothing shared may be written before this succeeds. */
static int own(Engine *self, Exclusive *x)
{
    uint64_t me = (uint64_t)PyThread_get_thread_ident(), owner = *self->lock;
    if (owner && owner != me) {
        raise_concurrent();
        return -1;
    }
    x->lock = self->lock;
    x->took = owner == 0;
    if (x->took)
        *self->lock = me;
    x->saved = NULL;
    return 0;
}

static int enter(Engine *self, int release, Exclusive *x)
{
    if (own(self, x) < 0)
        return -1;
    if (release)
        x->saved = PyEval_SaveThread();
    return 0;
}

/* Gives the lock back as own() found it: a nested call leaves it with its holder. */
static void leave(Exclusive *x)
{
    if (x->saved)
        PyEval_RestoreThread(x->saved);
    x->saved = NULL;
    if (x->took)
        *x->lock = 0;
}

/* A finite float or int into *out: 1, or 0 for anything else. Runs no Python code. */
static int read_number(PyObject *v, double *out)
{
    double d;
    if (PyFloat_Check(v)) {
        d = PyFloat_AS_DOUBLE(v);
    } else if (PyLong_CheckExact(v)) {
        d = PyLong_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
    } else {
        return 0;
    }
    if (!isfinite(d))
        return 0;
    *out = d;
    return 1;
}

/* A float64 whose bytes are in the other order. */
static double swapped(const char *at)
{
    char b[sizeof(double)];
    double d;
    for (size_t k = 0; k < sizeof(double); k++)
        b[k] = at[sizeof(double) - 1 - k];
    memcpy(&d, b, sizeof d);
    return d;
}

/* One sample from a list, tuple or 1-D float64 array (any byte order, alignment or
 * stride) of exactly n finite numbers, into out: 1, or 0 for anything else (left to the
 * general path). Runs no Python code. */
static int read_sample(PyObject *obj, idx n, double *out)
{
    if (PyList_CheckExact(obj) || PyTuple_CheckExact(obj)) {
        if (PySequence_Fast_GET_SIZE(obj) != n)
            return 0;
        PyObject **items = PySequence_Fast_ITEMS(obj);
        for (idx k = 0; k < n; k++)
            if (!read_number(items[k], &out[k]))
                return 0;
        return 1;
    }
    if (PyArray_Check(obj)) {
        PyArrayObject *a = (PyArrayObject *)obj;
        if (PyArray_TYPE(a) != NPY_DOUBLE || PyArray_NDIM(a) != 1 || PyArray_DIM(a, 0) != n)
            return 0;
        const char *data = PyArray_BYTES(a);
        npy_intp stride = PyArray_STRIDE(a, 0);
        int swap = PyArray_ISBYTESWAPPED(a);
        for (idx k = 0; k < n; k++) {
            /* memcpy: the array need not be aligned */
            double d;
            if (swap)
                d = swapped(data + k * stride);
            else
                memcpy(&d, data + k * stride, sizeof d);
            if (!isfinite(d))
                return 0;
            out[k] = d;
        }
        return 1;
    }
    return 0;
}

static PyObject *outputs(Engine *self)
{
    npy_intp dims[1] = {self->p.n_out};
    PyObject *out = PyArray_SimpleNew(1, dims, NPY_DOUBLE);
    if (!out)
        return NULL;
    double *o = PyArray_DATA((PyArrayObject *)out);
    for (idx k = 0; k < self->p.n_out; k++)
        o[k] = self->st.y[self->p.output_pos[k]];
    return out;
}

static int large(Engine *self)
{
    return self->p.n_syn >= RELEASE_SYNAPSES;
}

/* activate(x) -> the outputs for one sample, or None: hand the call back to Python.
 * The input is read into the engine's scratch only once this thread holds the network:
 * a refused call writes nothing. */
static PyObject *Engine_activate(Engine *self, PyObject *x)
{
    Exclusive ex;
    if (!self->ready || stale(self))
        Py_RETURN_NONE;
    if (own(self, &ex) < 0)
        return NULL;
    if (!read_sample(x, self->p.n_in, self->x)) {
        leave(&ex);
        Py_RETURN_NONE;
    }
    if (large(self))
        ex.saved = PyEval_SaveThread();
    if (self->gated)
        rec_activate(&self->p, &self->g, self->x, &self->st);
    else
        ff_forward(&self->p, self->x, self->st.s, self->st.y, self->st.dy);
    if (ex.saved) {
        PyEval_RestoreThread(ex.saved);
        ex.saved = NULL;
    }
    self->flags[0] = 1;
    PyObject *out = outputs(self);
    leave(&ex);
    return out;
}

/* propagate(rate, target) -> True, False if it would have made a weight or bias NaN or
 * infinite (everything is then as before the call), or None: hand the call back. As
 * activate, it reads the target only once it holds the network. */
static PyObject *Engine_propagate(Engine *self, PyObject *const *args, Py_ssize_t nargs)
{
    Exclusive ex;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "propagate(rate, target)");
        return NULL;
    }
    double rate;
    if (!self->ready || stale(self) || !read_number(args[0], &rate))
        Py_RETURN_NONE;
    if (own(self, &ex) < 0)
        return NULL;
    if (!self->flags[0] || !read_sample(args[1], self->p.n_out, self->t)) {
        leave(&ex);
        Py_RETURN_NONE;
    }
    Plan *p = &self->p;
    int ok;
    if (large(self))
        ex.saved = PyEval_SaveThread();
    if (self->gated) {
        size_t n = (size_t)p->n * sizeof(double);
        memcpy(self->undo_w, p->weights, (size_t)p->n_syn * sizeof(double));
        memcpy(self->undo_b, p->biases, n);
        memcpy(self->undo_resp, self->st.resp, n);
        rec_propagate(p, &self->g, self->t, rate, &self->st);
        ok = all_finite(p->weights, p->n_syn) && all_finite(p->biases, p->n);
        if (!ok) {
            memcpy(p->weights, self->undo_w, (size_t)p->n_syn * sizeof(double));
            memcpy(p->biases, self->undo_b, n);
            memcpy(self->st.resp, self->undo_resp, n);
        }
    } else {
        ok = ff_propagate(p, self->st.y, self->st.dy, self->t, rate, self->st.resp,
                          self->undo_w, self->undo_b);
    }
    leave(&ex);
    return PyBool_FromLong(ok);
}

/* The rest take arrays that Python made for them (netgraph/_fast.py, _train.py). */

static int need_feedforward(Engine *self, int feedforward)
{
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "an empty engine runs nothing");
        return -1;
    }
    if (feedforward ? !self->dag : !self->gated) {
        PyErr_SetString(PyExc_ValueError, feedforward ? "this kernel is for feed-forward plans"
                                                      : "this kernel is for gated plans");
        return -1;
    }
    return 0;
}

static npy_intp columns(PyObject *obj, npy_intp rows, const char *what)
{
    if (!PyArray_Check(obj) || PyArray_NDIM((PyArrayObject *)obj) != 2 ||
        PyArray_DIM((PyArrayObject *)obj, 0) != rows) {
        PyErr_Format(PyExc_ValueError, "%s: expected a 2-D array of %zd rows", what,
                     (Py_ssize_t)rows);
        return -1;
    }
    return PyArray_DIM((PyArrayObject *)obj, 1);
}

/* forward_columns(Xt, S, Y, DY): a batch, one row per neuron (see ff_forward_columns). */
static PyObject *Engine_forward_columns(Engine *self, PyObject *args)
{
    PyObject *Xt, *S, *Y, *DY;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOOO", &Xt, &S, &Y, &DY) || need_feedforward(self, 1) < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp m = columns(Xt, p->n_in, "Xt");
    if (m < 0)
        return NULL;
    const double *xt = array_data(Xt, NPY_DOUBLE, p->n_in * m, 0, "Xt");
    double *s = array_data(S, NPY_DOUBLE, p->n * m, 1, "S");
    double *y = array_data(Y, NPY_DOUBLE, p->n * m, 1, "Y");
    double *dy = array_data(DY, NPY_DOUBLE, p->n * m, 1, "DY");
    if (!xt || !s || !y || !dy || enter(self, 1, &ex) < 0)
        return NULL;
    ff_forward_columns(p, xt, m, s, y, dy);
    leave(&ex);
    Py_RETURN_NONE;
}

/* activate_batch(X, out): a feed-forward batch, rows of X to rows of out, through a small
 * scratch (see ff_activate_batch); the state takes the last row's values. */
static PyObject *Engine_activate_batch(Engine *self, PyObject *args)
{
    PyObject *X, *OUT;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OO", &X, &OUT) || need_feedforward(self, 1) < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp m = PyArray_Check(X) ? PyArray_DIM((PyArrayObject *)X, 0) : -1;
    const double *x = array_data(X, NPY_DOUBLE, m * p->n_in, 0, "X");
    double *out = array_data(OUT, NPY_DOUBLE, m * p->n_out, 1, "out");
    if (!x || !out)
        return NULL;
    double *work = scratch((size_t)(p->n + 1) * COLUMNS);
    if (!work)
        return NULL;
    if (enter(self, 1, &ex) < 0) {
        PyMem_Free(work);
        return NULL;
    }
    ff_activate_batch(p, x, m, out, work, self->st.s, self->st.y, self->st.dy);
    leave(&ex);
    PyMem_Free(work);
    if (m > 0)
        self->flags[0] = 1;
    Py_RETURN_NONE;
}

/* set_last(s, y, dy): a batch's last sample becomes the state (BLAS batches, run in Python),
 * so that a propagate may follow. */
static PyObject *Engine_set_last(Engine *self, PyObject *args)
{
    PyObject *S, *Y, *DY;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOO", &S, &Y, &DY) || need_feedforward(self, 1) < 0)
        return NULL;
    idx n = self->p.n;
    const double *s = array_data(S, NPY_DOUBLE, n, 0, "s");
    const double *y = array_data(Y, NPY_DOUBLE, n, 0, "y");
    const double *dy = array_data(DY, NPY_DOUBLE, n, 0, "dy");
    if (!s || !y || !dy || enter(self, 0, &ex) < 0)
        return NULL;
    memcpy(self->st.s, s, (size_t)n * sizeof(double));
    memcpy(self->st.y, y, (size_t)n * sizeof(double));
    memcpy(self->st.dy, dy, (size_t)n * sizeof(double));
    leave(&ex);
    self->flags[0] = 1;
    Py_RETURN_NONE;
}

/* backward_columns(Y, DY, D, gw, gb): adds dC/dw, dC/db over a column batch. */
static PyObject *Engine_backward_columns(Engine *self, PyObject *args)
{
    PyObject *Y, *DY, *D, *GW, *GB;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOOOO", &Y, &DY, &D, &GW, &GB) ||
        need_feedforward(self, 1) < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp m = columns(Y, p->n, "Y");
    if (m < 0)
        return NULL;
    const double *y = array_data(Y, NPY_DOUBLE, p->n * m, 0, "Y");
    const double *dy = array_data(DY, NPY_DOUBLE, p->n * m, 0, "DY");
    double *d = array_data(D, NPY_DOUBLE, p->n * m, 1, "D");
    double *gw = array_data(GW, NPY_DOUBLE, p->n_syn, 1, "gw");
    double *gb = array_data(GB, NPY_DOUBLE, p->n, 1, "gb");
    if (!y || !dy || !d || !gw || !gb || enter(self, 1, &ex) < 0)
        return NULL;
    ff_backward_columns(p, y, dy, d, m, gw, gb);
    leave(&ex);
    Py_RETURN_NONE;
}

/* activate_rows(X, out): a gated plan activated on each row of X in turn (a sequence);
 * out[r] gets row r's outputs. */
static PyObject *Engine_activate_rows(Engine *self, PyObject *args)
{
    PyObject *X, *OUT;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OO", &X, &OUT) || need_feedforward(self, 0) < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp m = PyArray_Check(X) ? PyArray_DIM((PyArrayObject *)X, 0) : -1;
    const double *x = array_data(X, NPY_DOUBLE, m * p->n_in, 0, "X");
    double *out = array_data(OUT, NPY_DOUBLE, m * p->n_out, 1, "out");
    if (!x || !out || enter(self, 1, &ex) < 0)
        return NULL;
    for (npy_intp r = 0; r < m; r++) {
        rec_activate(p, &self->g, x + r * p->n_in, &self->st);
        for (idx o = 0; o < p->n_out; o++)
            out[r * p->n_out + o] = self->st.y[p->output_pos[o]];
    }
    leave(&ex);
    if (m > 0)
        self->flags[0] = 1;
    Py_RETURN_NONE;
}

/* clear(states): Synaptic's clear() (gated plans; feed-forward ones keep no traces). */
static PyObject *Engine_clear(Engine *self, PyObject *states)
{
    Exclusive ex;
    if (!self->ready)
        Py_RETURN_NONE;
    if (enter(self, 0, &ex) < 0)
        return NULL;
    if (self->gated)
        rec_clear(&self->p, &self->g, &self->st, PyObject_IsTrue(states));
    leave(&ex);
    self->flags[0] = 0;
    Py_RETURN_NONE;
}

/* The data of a training run: X (rows, n_in), T (rows, n_out), and an order array of
 * shape (epochs, units) or empty (as given). */
typedef struct {
    const double *X, *T;
    npy_intp rows;
    const idx *order;
} Data;

static int data(Engine *self, PyObject *X, PyObject *T, Data *d, const char *name)
{
    Plan *p = &self->p;
    d->rows = PyArray_Check(X) ? PyArray_DIM((PyArrayObject *)X, 0) : -1;
    if (!(d->X = array_data(X, NPY_DOUBLE, d->rows * p->n_in, 0, name)) ||
        !(d->T = array_data(T, NPY_DOUBLE, d->rows * p->n_out, 0, name)))
        return -1;
    return 0;
}

static int order_of(PyObject *order, npy_intp epochs, npy_intp units, const idx **out)
{
    if (PyArray_Check(order) && PyArray_SIZE((PyArrayObject *)order) == 0) {
        *out = NULL;
        return 0;
    }
    *out = index_array(order, epochs * units, 0, units, "order");
    return *out ? 0 : -1;
}


/* train_online(X, T, order, rates, cost, stop_error, Xv, Tv, errors) -> (epochs, status) */
static PyObject *Engine_train_online(Engine *self, PyObject *args)
{
    PyObject *X, *T, *order, *rates, *Xv, *Tv, *errors;
    int cost;
    double stop_error;
    Data d, v;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOOOidOOO", &X, &T, &order, &rates, &cost, &stop_error, &Xv,
                          &Tv, &errors) || need_feedforward(self, 1) < 0 ||
        data(self, X, T, &d, "X/T") < 0 || data(self, Xv, Tv, &v, "Xv/Tv") < 0)
        return NULL;
    npy_intp epochs = PyArray_Check(rates) ? PyArray_SIZE((PyArrayObject *)rates) : -1;
    const double *r = array_data(rates, NPY_DOUBLE, epochs, 0, "rates");
    double *err = array_data(errors, NPY_DOUBLE, epochs, 1, "errors");
    if (!r || !err || order_of(order, epochs, d.rows, &d.order) < 0)
        return NULL;
    Plan *p = &self->p;
    /* backups of weights and biases, and the pending updates (one per neuron) */
    double *backup = scratch((size_t)(p->n_syn + 2 * p->n));
    if (!backup)
        return NULL;
    memset(backup + p->n_syn + p->n, 0, (size_t)p->n * sizeof(double));
    int status;
    idx ran;
    if (enter(self, 1, &ex) < 0) {
        PyMem_Free(backup);
        return NULL;
    }
    ran = ff_train_online(p, d.X, d.T, d.rows, d.order, epochs, r, cost, stop_error, v.X, v.T,
                          v.rows, &self->st, err, backup, backup + p->n_syn,
                          backup + p->n_syn + p->n, &status);
    leave(&ex);
    PyMem_Free(backup);
    self->flags[0] = 1;
    return Py_BuildValue("(Li)", (long long)ran, status);
}

/* train_gradient(X, T, order, rates, batch_size, cost, stop_error, Xv, Tv, optimizer,
 *                momentum, beta1, beta2, eps, state_w, state_b, step, input_mask,
 *                weight_mask, errors) -> (epochs, status) */
static PyObject *Engine_train_gradient(Engine *self, PyObject *args)
{
    PyObject *X, *T, *order, *rates, *Xv, *Tv, *state_w, *state_b, *step, *imask, *wmask,
        *errors;
    Py_ssize_t batch;
    int cost;
    double stop_error;
    Optimizer opt;
    Data d, v;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOOOnidOOiddddOOOOOO", &X, &T, &order, &rates, &batch, &cost,
                          &stop_error, &Xv, &Tv, &opt.optimizer, &opt.momentum, &opt.beta1,
                          &opt.beta2, &opt.eps, &state_w, &state_b, &step, &imask, &wmask,
                          &errors) ||
        need_feedforward(self, 1) < 0 || data(self, X, T, &d, "X/T") < 0 ||
        data(self, Xv, Tv, &v, "Xv/Tv") < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp epochs = PyArray_Check(rates) ? PyArray_SIZE((PyArrayObject *)rates) : -1;
    const double *r = array_data(rates, NPY_DOUBLE, epochs, 0, "rates");
    double *err = array_data(errors, NPY_DOUBLE, epochs, 1, "errors");
    if (!r || !err || order_of(order, epochs, d.rows, &d.order) < 0 ||
        !(opt.state_w = array_data(state_w, NPY_DOUBLE, 2 * p->n_syn, 1, "state_w")) ||
        !(opt.state_b = array_data(state_b, NPY_DOUBLE, 2 * p->n, 1, "state_b")) ||
        !(opt.step = array_data(step, NPY_INT64, 1, 1, "step")) ||
        !(opt.input_mask = array_data(imask, NPY_DOUBLE, p->n, 0, "input_mask")) ||
        !(opt.weight_mask = array_data(wmask, NPY_DOUBLE, p->n_syn, 0, "weight_mask")))
        return NULL;
    if (batch < 1) {
        PyErr_SetString(PyExc_ValueError, "batch_size must be >= 1");
        return NULL;
    }
    /* delta (n), dC (n_out), gw (n_syn), gb (n), backups (n_syn + n) */
    double *work = scratch((size_t)(3 * p->n + p->n_out + 2 * p->n_syn));
    if (!work)
        return NULL;
    double *delta = work, *dC = delta + p->n, *gw = dC + p->n_out, *gb = gw + p->n_syn,
           *bw = gb + p->n, *bb = bw + p->n_syn;
    int status;
    idx ran;
    if (enter(self, 1, &ex) < 0) {
        PyMem_Free(work);
        return NULL;
    }
    ran = ff_train_gradient(p, d.X, d.T, d.rows, d.order, epochs, r, batch, cost, stop_error,
                            v.X, v.T, v.rows, &opt, &self->st, delta, dC, gw, gb, err, bw, bb,
                            &status);
    leave(&ex);
    PyMem_Free(work);
    self->flags[0] = 1;
    return Py_BuildValue("(Li)", (long long)ran, status);
}

/* train_sequences(X, T, starts, order, rates, cost, stop_error, fresh, errors)
 *   -> (epochs, status) */
static PyObject *Engine_train_sequences(Engine *self, PyObject *args)
{
    PyObject *X, *T, *starts, *order, *rates, *errors;
    int cost, fresh;
    double stop_error;
    Data d;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOOOOidpO", &X, &T, &starts, &order, &rates, &cost,
                          &stop_error, &fresh, &errors) || need_feedforward(self, 0) < 0 ||
        data(self, X, T, &d, "X/T") < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp n_seq = PyArray_Check(starts) ? PyArray_SIZE((PyArrayObject *)starts) - 1 : -1;
    const idx *st = pointer_array(starts, n_seq, "starts");
    npy_intp epochs = PyArray_Check(rates) ? PyArray_SIZE((PyArrayObject *)rates) : -1;
    const double *r = array_data(rates, NPY_DOUBLE, epochs, 0, "rates");
    double *err = array_data(errors, NPY_DOUBLE, epochs, 1, "errors");
    if (!st || !r || !err || order_of(order, epochs, n_seq, &d.order) < 0)
        return NULL;
    if (st[n_seq] != d.rows) {
        PyErr_SetString(PyExc_ValueError, "starts must end at the number of rows");
        return NULL;
    }
    size_t n = (size_t)p->n, n_syn = (size_t)p->n_syn;
    double *work = scratch(n_syn + n + 6 * n + n_syn + (size_t)p->n_csr +
                           (size_t)self->g.n_xtrace);
    if (!work)
        return NULL;
    double *bw = work, *bb = bw + n_syn;
    State b;
    b.s = bb + n;
    b.old = b.s + n;
    b.y = b.old + n;
    b.dy = b.y + n;
    b.y_prev = b.dy + n;
    b.resp = b.y_prev + n;
    b.gain = b.resp + n;
    b.elig = b.gain + n_syn;
    b.xtrace = b.elig + p->n_csr;
    int status;
    idx ran;
    if (enter(self, 1, &ex) < 0) {
        PyMem_Free(work);
        return NULL;
    }
    ran = rec_train_sequences(p, &self->g, d.X, d.T, st, n_seq, d.order, epochs, r, cost,
                              stop_error, fresh, &self->st, &b, err, bw, bb, &status);
    leave(&ex);
    PyMem_Free(work);
    self->flags[0] = 1;
    return Py_BuildValue("(Li)", (long long)ran, status);
}

/* dsr_trials(symbols, answers, n_targets, rate, cost, skip_first) -> (correct, error) */
static PyObject *Engine_dsr_trials(Engine *self, PyObject *args)
{
    PyObject *symbols, *answers;
    Py_ssize_t n_targets;
    double rate, error;
    int cost, skip_first;
    Exclusive ex;
    if (!PyArg_ParseTuple(args, "OOndip", &symbols, &answers, &n_targets, &rate, &cost,
                          &skip_first) || need_feedforward(self, 0) < 0)
        return NULL;
    Plan *p = &self->p;
    npy_intp trials = PyArray_Check(symbols) ? PyArray_DIM((PyArrayObject *)symbols, 0) : -1;
    npy_intp length = trials >= 0 && PyArray_NDIM((PyArrayObject *)symbols) == 2
                          ? PyArray_DIM((PyArrayObject *)symbols, 1) : -1;
    if (n_targets != p->n_out) {
        PyErr_SetString(PyExc_ValueError, "n_targets must be the number of outputs");
        return NULL;
    }
    const idx *sym = index_array(symbols, trials * length, 0, p->n_in, "symbols");
    const idx *ans = index_array(answers, trials * length, -1, n_targets, "answers");
    if (!sym || !ans || enter(self, 1, &ex) < 0)
        return NULL;
    idx correct = rec_dsr_trials(p, &self->g, sym, ans, trials, length, n_targets, rate, cost,
                                 skip_first, &self->st, self->x, self->t, &error);
    leave(&ex);
    self->flags[0] = 1;
    return Py_BuildValue("(Ld)", (long long)correct, error);
}

/* forward_columns(Xt ...), activate_batch(X ...), activate_rows(X ...), and the
 * trainers' X, T, Xv, Tv: any array of numbers (see with_inputs). */
WITH_INPUTS(Engine_forward_columns, 0)
WITH_INPUTS(Engine_activate_batch, 0)
WITH_INPUTS(Engine_activate_rows, 0)
WITH_INPUTS(Engine_train_online, 0, 1, 6, 7)
WITH_INPUTS(Engine_train_gradient, 0, 1, 7, 8)
WITH_INPUTS(Engine_train_sequences, 0, 1)

static PyObject *Engine_get_plan(Engine *self, void *closure)
{
    (void)closure;
    if (!self->plan)
        Py_RETURN_NONE;
    Py_INCREF(self->plan);
    return self->plan;
}

static PyMethodDef Engine_methods[] = {
    {"activate", (PyCFunction)Engine_activate, METH_O,
     "activate(x) -> outputs of one sample, or None to hand the call back to Python"},
    {"propagate", (PyCFunction)(void (*)(void))Engine_propagate, METH_FASTCALL,
     "propagate(rate, target) -> True; False if it diverged (nothing changed); None to "
     "hand the call back to Python"},
    {"forward_columns", (PyCFunction)Engine_forward_columns_any, METH_VARARGS,
     "forward_columns(Xt, S, Y, DY): a batch in column layout"},
    {"activate_batch", (PyCFunction)Engine_activate_batch_any, METH_VARARGS,
     "activate_batch(X, out): a feed-forward batch, outputs only"},
    {"set_last", (PyCFunction)Engine_set_last, METH_VARARGS,
     "set_last(s, y, dy): a batch's last sample becomes the state"},
    {"backward_columns", (PyCFunction)Engine_backward_columns, METH_VARARGS,
     "backward_columns(Y, DY, D, gw, gb): its gradient"},
    {"activate_rows", (PyCFunction)Engine_activate_rows_any, METH_VARARGS,
     "activate_rows(X, out): a gated plan run over the rows of X as a sequence"},
    {"clear", (PyCFunction)Engine_clear, METH_O, "clear(states): Synaptic's clear()"},
    {"train_online", (PyCFunction)Engine_train_online_any, METH_VARARGS,
     "Synaptic's online training, a chunk of epochs"},
    {"train_gradient", (PyCFunction)Engine_train_gradient_any, METH_VARARGS,
     "minibatch descent, a chunk of epochs"},
    {"train_sequences", (PyCFunction)Engine_train_sequences_any, METH_VARARGS,
     "online training of a gated plan over sequences, a chunk of epochs"},
    {"dsr_trials", (PyCFunction)Engine_dsr_trials, METH_VARARGS,
     "Synaptic's discrete sequence recall trials"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Engine_getset[] = {
    {"plan", (getter)Engine_get_plan, NULL, "the Python Plan this engine runs (or None)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EngineType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "netgraph._core.Engine",
    .tp_basicsize = sizeof(Engine),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A compiled plan bound to a network's weights and state (netgraph/_fast.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Engine_init,
    .tp_dealloc = (destructor)Engine_dealloc,
    .tp_methods = Engine_methods,
    .tp_getset = Engine_getset,
};

/* optimizer_step(optimizer, params, grads, rate, momentum, m, v, t, beta1, beta2, eps):
 * one SGD/momentum/Adam step in place (the BLAS runner's). */
static PyObject *py_optimizer_step(PyObject *module, PyObject *args)
{
    PyObject *params, *grads, *m, *v;
    int optimizer;
    double rate, momentum, beta1, beta2, eps;
    long long t;
    (void)module;
    if (!PyArg_ParseTuple(args, "iOOddOOLddd", &optimizer, &params, &grads, &rate, &momentum,
                          &m, &v, &t, &beta1, &beta2, &eps))
        return NULL;
    npy_intp n = PyArray_Check(params) ? PyArray_SIZE((PyArrayObject *)params) : -1;
    double *pa = array_data(params, NPY_DOUBLE, n, 1, "params");
    const double *ga = array_data(grads, NPY_DOUBLE, n, 0, "grads");
    double *ma = array_data(m, NPY_DOUBLE, n, 1, "m");
    double *va = array_data(v, NPY_DOUBLE, n, 1, "v");
    if (!pa || !ga || !ma || !va)
        return NULL;
    optimizer_step(optimizer, pa, ga, n, rate, momentum, ma, va, t, beta1, beta2, eps);
    Py_RETURN_NONE;
}

/* act(code, s), deriv(code, s, y): the kernels' scalar rules, for the tests that hold them
 * against the registry. */
static PyObject *py_act(PyObject *module, PyObject *args)
{
    long long code;
    double s;
    (void)module;
    if (!PyArg_ParseTuple(args, "Ld", &code, &s))
        return NULL;
    if (code < 0 || code >= N_ACTIVATIONS)
        return PyErr_Format(PyExc_ValueError, "no activation code %lld", code);
    return PyFloat_FromDouble(act(code, s));
}

static PyObject *py_deriv(PyObject *module, PyObject *args)
{
    long long code;
    double s, y;
    (void)module;
    if (!PyArg_ParseTuple(args, "Ldd", &code, &s, &y))
        return NULL;
    if (code < 0 || code >= N_ACTIVATIONS)
        return PyErr_Format(PyExc_ValueError, "no activation code %lld", code);
    return PyFloat_FromDouble(deriv(code, s, y));
}

/* The graph's lock from Python, for calls that run outside the engine (train() holds it
 * for its whole run, the BLAS path around numpy's products) and for the graph's own
 * mutators. Under the GIL each is atomic. */
static uint64_t *lock_of(PyObject *obj)
{
    return array_data(obj, NPY_UINT64, 1, 1, "lock");
}

/* acquire(lock) -> what to pass to release(): refuses (ConcurrencyError) if another
 * thread holds the lock, else takes it for this thread (or keeps it, if it has it). */
static PyObject *py_acquire(PyObject *module, PyObject *obj)
{
    uint64_t *lock = lock_of(obj), me = (uint64_t)PyThread_get_thread_ident();
    (void)module;
    if (!lock)
        return NULL;
    uint64_t owner = *lock;
    if (owner && owner != me) {
        raise_concurrent();
        return NULL;
    }
    *lock = me;
    return PyLong_FromUnsignedLongLong(owner);
}

/* release(lock, previous): gives the lock back as acquire found it. */
static PyObject *py_release(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "release(lock, previous)");
    uint64_t *lock = lock_of(args[0]);
    unsigned long long previous = PyLong_AsUnsignedLongLong(args[1]);
    if (!lock || (previous == (unsigned long long)-1 && PyErr_Occurred()))
        return NULL;
    *lock = previous;
    Py_RETURN_NONE;
}

/* check(lock): ConcurrencyError if another thread holds the lock. */
static PyObject *py_check(PyObject *module, PyObject *obj)
{
    uint64_t *lock = lock_of(obj), me = (uint64_t)PyThread_get_thread_ident();
    (void)module;
    if (!lock)
        return NULL;
    if (*lock && *lock != me) {
        raise_concurrent();
        return NULL;
    }
    Py_RETURN_NONE;
}

/* many.c's view of an Engine (many.h). */
int engine_parts(PyObject *obj, Py_ssize_t index, EngineParts *out)
{
    if (!PyObject_TypeCheck(obj, &EngineType) || !((Engine *)obj)->ready) {
        PyErr_Format(PyExc_TypeError, "engines[%zd]: expected a ready Engine", index);
        return -1;
    }
    Engine *e = (Engine *)obj;
    out->p = &e->p;
    out->g = e->gated ? &e->g : NULL;
    out->st = &e->st;
    out->dag = e->dag;
    out->flags = e->flags;
    out->lock = e->lock;
    return 0;
}

static PyMethodDef module_methods[] = {
    {"acquire", py_acquire, METH_O, "acquire(lock) -> previous owner, for release()"},
    {"release", (PyCFunction)(void (*)(void))py_release, METH_FASTCALL,
     "release(lock, previous)"},
    {"check", py_check, METH_O, "check(lock): refuse if another thread holds it"},
    {"optimizer_step", py_optimizer_step, METH_VARARGS, "one optimizer step, in place"},
    {"act", py_act, METH_VARARGS, "act(code, s): an activation, as the kernels compute it"},
    {"deriv", py_deriv, METH_VARARGS, "deriv(code, s, y): its derivative, likewise"},
    {"train_many", py_train_many, METH_VARARGS, "many networks' training runs (many.c)"},
    {"train_engines", py_train_engines, METH_VARARGS,
     "a population's training runs, no object per network (many.c)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_core",
    "netgraph's native core: the kernels that evaluate and train compiled plans.", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    if (PyType_Ready(&EngineType) < 0)
        return NULL;
    if (!(str_version = PyUnicode_InternFromString("version")))
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&EngineType);
    if (PyModule_AddObject(m, "Engine", (PyObject *)&EngineType) < 0 ||
        PyModule_AddIntConstant(m, "N_ACTIVATIONS", N_ACTIVATIONS) < 0 ||
        PyModule_AddIntConstant(m, "WIDE", WIDE) < 0 ||
        PyModule_AddIntConstant(m, "SGD", SGD) < 0 ||
        PyModule_AddIntConstant(m, "ADAM", ADAM) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
