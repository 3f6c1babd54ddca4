/* Many networks in one call (many.c): what it needs to see of an Engine (module.c). */
#ifndef NETGRAPH_MANY_H
#define NETGRAPH_MANY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "plan.h"

typedef struct {
    Plan *p;
    Gates *g;          /* NULL unless the plan runs the gated model */
    State *st;
    int dag;           /* the feed-forward kernels apply */
    int64_t *flags;    /* [0]: activated */
    uint64_t *lock;    /* the graph's lock */
} EngineParts;

/* module.c: the parts of a ready Engine; -1 with TypeError naming `index` otherwise. */
int engine_parts(PyObject *obj, Py_ssize_t index, EngineParts *out);

/* many.c: netgraph._core.train_many and gradients_many (see there). */
PyObject *py_train_many(PyObject *module, PyObject *args);
PyObject *py_train_engines(PyObject *module, PyObject *args);

#endif
