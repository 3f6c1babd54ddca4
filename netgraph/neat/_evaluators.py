"""Parallel evaluators for ``Population.run(..., evaluator=...)``: threads, processes, Ray.

All three follow the engine's evaluator protocol (``evaluate(function, genomes, config)
-> list[float]``, see ``netgraph.neat.SerialEvaluator``) and give the same numbers as
the serial loop, whatever the number of workers: the driver splits the generation into
about one contiguous chunk per worker, each worker evaluates its chunk, and the results
are put back by genome index. Reproduction stays on the driver (the native population),
so the same seed gives the same run on one core, on threads, on processes or on a Ray
cluster.

- ``function`` may be a per-genome ``fitness(genome, config) -> float`` (neat-python's
  ``ParallelEvaluator`` contract), a ``neat.Dataset`` or a task of ``neat.tasks``. For
  the last two a worker evaluates its whole chunk in ONE native call (a small native
  population of the chunk's genomes), with the GIL released.
- Genomes travel between processes in a compact binary form (``encode_genomes``): the
  gene arrays at the narrowest integer width that holds them, weights as float64 (exact),
  enabled flags as bits: about 15 bytes a connection gene, 20 a node gene.
- Chunks are sized by measured cost: each worker's speed (estimated work units a second,
  a genome's work being 1 + its nodes + its enabled connections) is measured on every
  chunk and the next generation's chunks are cut in proportion to it (equally while the
  speeds stay within 10% of each other: that much is noise).
- The fixed cost per generation is kept small: the generation's genes are packed once
  (a few array copies, no per-genome numpy calls) and each chunk is a slice of that; a
  Ray actor gets the function and the configuration with its first chunk only, then one
  argument (the chunk's bytes) a generation, and one ``ray.get`` collects all chunks.
- A worker process that dies (killed, out of memory) is replaced and its chunk evaluated
  again; a fitness function that raises stops the evaluation with that exception, the
  workers are shut down (nothing is left behind) and the ``Population`` keeps the state
  it had before the generation.
- Functions defined in ``__main__`` (a script, a notebook cell) travel by value:
  cloudpickle for processes, Ray's own serialisation (cloudpickle) on Ray.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import operator
import os
import struct
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._exceptions import InputError
from ._fitness import Dataset
from ._genes import GenomeData
from ._sequences import Sequences
from .tasks import Task

__all__ = ["ProcessEvaluator", "RayEvaluator", "ThreadEvaluator", "decode_genomes",
           "encode_genomes"]

# ------------------------------------------------------------------ compact genomes

_MAGIC = b"NGN1"
_INTS: tuple[np.dtype[Any], ...] = (np.dtype("<i1"), np.dtype("<i2"), np.dtype("<i4"),
                                    np.dtype("<i8"))
_LIMITS = tuple((int(np.iinfo(t).min), int(np.iinfo(t).max)) for t in _INTS)
_F64 = np.dtype("<f8")


def _pack_int(out: list[bytes], a: npt.NDArray[Any]) -> None:
    """``a`` (integers) at the narrowest little-endian width holding all of it, one byte
    of width code first."""
    a = np.asarray(a, dtype=np.int64)
    lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
    for code, (low, high) in enumerate(_LIMITS):
        if low <= lo and hi <= high:
            out.append(bytes((code,)))
            out.append(a.astype(_INTS[code]).tobytes())
            return


class _Reader:
    def __init__(self, blob: bytes) -> None:
        self.view = memoryview(blob)
        self.at = 0

    def ints(self, n: int) -> npt.NDArray[np.int64]:
        t = _INTS[self.view[self.at]]
        self.at += 1
        a = np.frombuffer(self.view, dtype=t, count=n, offset=self.at)
        self.at += n * t.itemsize
        return a.astype(np.int64)

    def floats(self, n: int) -> npt.NDArray[np.float64]:
        a = np.frombuffer(self.view, dtype=_F64, count=n, offset=self.at).copy()
        self.at += n * 8
        return a

    def bits(self, n: int) -> npt.NDArray[np.bool_]:
        k = (n + 7) // 8
        raw = np.frombuffer(self.view, dtype=np.uint8, count=k, offset=self.at)
        self.at += k
        return np.unpackbits(raw, count=n).astype(np.bool_)


def _undelta(heads: npt.NDArray[np.int64], steps: npt.NDArray[np.int64],
             counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The arrays ``_steps`` encoded, laid end to end: a running sum that restarts at
    each array's head."""
    total = int(counts.sum())
    values = np.empty(total, np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    full = counts > 0
    # every position but an array's first holds a step; the first holds the head
    mask = np.ones(total, np.bool_)
    mask[starts[full]] = False
    values[mask] = steps
    values[starts[full]] = heads[full]
    running = np.cumsum(values)
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)] if total else 0, 0)
    running -= np.repeat(np.where(full, before, 0), counts)
    return running


_GENE_FIELDS = ("node_key", "node_bias", "node_response", "node_activation",
                "node_aggregation", "conn_innovation", "conn_in", "conn_out", "conn_weight",
                "conn_enabled")
_I64 = np.dtype(np.int64)
_FIELD_TYPES: dict[str, Any] = {"node_bias": _F64, "node_response": _F64,
                                "conn_weight": _F64, "conn_enabled": np.dtype(np.bool_)}
_GENES_OF = operator.attrgetter(*_GENE_FIELDS)
_GATE_FIELDS = ("gate_innovation", "gate_node", "gate_in", "gate_out")
_GATES_OF = operator.attrgetter(*_GATE_FIELDS)


def _join(arrays: Sequence[Any], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """``arrays`` end to end as one ``dtype`` array. The usual case (contiguous arrays of
    that dtype, as the native population makes them) is one ``bytes.join`` over their
    buffers: ``np.concatenate`` costs about a microsecond an array more, which is most
    of the encoding time of a large population."""
    if all(type(a) is np.ndarray and a.dtype == dtype for a in arrays):
        try:
            return np.frombuffer(b"".join(arrays), dtype)
        except (BufferError, TypeError, ValueError):
            pass  # a non-contiguous view: numpy copies it
    if not arrays:
        return np.zeros(0, dtype)
    return np.concatenate([np.asarray(a) for a in arrays]).astype(dtype, copy=False)


def _steps(values: npt.NDArray[np.int64], starts: npt.NDArray[np.int64],
           counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64],
                                                   npt.NDArray[np.int64]]:
    """Ascending arrays laid end to end (``starts``/``counts`` locate each) as their first
    values (0 for an empty array) and the steps after them, with no per-array Python
    work. Innovation numbers and node keys grow over a run, their steps within a genome
    do not: the steps fit in a byte or two."""
    full = counts > 0
    heads = np.zeros(len(counts), np.int64)
    heads[full] = values[starts[full]]
    if len(values) < 2:
        return heads, np.zeros(0, np.int64)
    keep = np.ones(len(values) - 1, np.bool_)
    later = starts[full & (starts > 0)]
    keep[later - 1] = False  # the step into an array's head crosses two arrays
    return heads, np.diff(values)[keep]


class _Packed:
    """A generation's genes laid end to end, one array a field (what the chunks of one
    ``evaluate`` are cut from): built with one ``np.concatenate`` a field instead of
    per-genome work, so encoding a chunk is slicing.

    **Attributes** ``keys``, ``species`` (-1: none), ``nodes``, ``conns`` (gene counts),
    ``node_at``/``conn_at`` (where each genome's genes start, plus the end), ``work``
    (each genome's estimated cost, see ``_work``) and one array per gene field."""

    def __init__(self, genomes: Sequence[GenomeData]) -> None:
        self.size = len(genomes)
        self.keys = np.array([d.key for d in genomes], np.int64)
        self.species = np.array([-1 if d.species is None else d.species for d in genomes],
                                np.int64)
        # one pass over the genomes gathers every field (a column per field)
        columns = list(zip(*map(_GENES_OF, genomes), strict=True)) if genomes else \
            [() for _ in _GENE_FIELDS]
        self.fields: dict[str, npt.NDArray[Any]] = {
            f: _join(col, _FIELD_TYPES.get(f, _I64))
            for f, col in zip(_GENE_FIELDS, columns, strict=True)}
        self.nodes = np.fromiter(map(len, columns[0]), np.int64, self.size)
        self.conns = np.fromiter(map(len, columns[5]), np.int64, self.size)
        self.node_at = np.concatenate(([0], np.cumsum(self.nodes))).astype(np.int64)
        self.conn_at = np.concatenate(([0], np.cumsum(self.conns))).astype(np.int64)
        on = np.concatenate(([0], np.cumsum(self.fields["conn_enabled"], dtype=np.int64)))
        self.work = 1 + self.nodes + (on[self.conn_at[1:]] - on[self.conn_at[:-1]])
        # gate genes (Neataptic's mutations): empty unless those are on
        gate_columns = list(zip(*map(_GATES_OF, genomes), strict=True)) if genomes else \
            [() for _ in _GATE_FIELDS]
        self.gate_fields = [_join(col, _I64) for col in gate_columns]
        self.gates = np.fromiter(map(len, gate_columns[0]), np.int64, self.size)
        self.gate_at = np.concatenate(([0], np.cumsum(self.gates))).astype(np.int64)

    def blob(self, a: int, b: int) -> bytes:
        """Genomes ``a`` to ``b`` (exclusive) in ``encode_genomes``'s format."""
        na, nb = int(self.node_at[a]), int(self.node_at[b])
        ca, cb = int(self.conn_at[a]), int(self.conn_at[b])
        fields = {f: v[na:nb] if f.startswith("node_") else v[ca:cb]
                  for f, v in self.fields.items()}
        nodes, conns = self.nodes[a:b], self.conns[a:b]
        out: list[bytes] = [_MAGIC, struct.pack("<q", b - a)]
        _pack_int(out, self.keys[a:b])
        _pack_int(out, self.species[a:b])
        _pack_int(out, nodes)
        _pack_int(out, conns)
        for f, counts, at, base in (("node_key", nodes, self.node_at, na),
                                    ("conn_innovation", conns, self.conn_at, ca)):
            heads, steps = _steps(fields[f], at[a:b] - base, counts)
            _pack_int(out, heads)
            _pack_int(out, steps)
        out.append(fields["node_bias"].tobytes())
        out.append(fields["node_response"].tobytes())
        _pack_int(out, fields["node_activation"])
        _pack_int(out, fields["node_aggregation"])
        _pack_int(out, fields["conn_in"])
        _pack_int(out, fields["conn_out"])
        out.append(fields["conn_weight"].tobytes())
        out.append(np.packbits(fields["conn_enabled"]).tobytes())
        ga, gb = int(self.gate_at[a]), int(self.gate_at[b])
        _pack_int(out, self.gates[a:b])
        for column in self.gate_fields:
            _pack_int(out, column[ga:gb])
        return b"".join(out)


def encode_genomes(genomes: Sequence[GenomeData]) -> bytes:
    """The genes of ``genomes`` as one compact byte string (what evaluators send to their
    workers; fitness is not sent, species is).

    Integer arrays take the narrowest width that holds them (innovation numbers and node
    keys as steps from the genome's first), weights/biases/responses are float64 (exact),
    enabled flags one bit each: a 100-connection genome is well under 2 KB.

    **Returns** bytes that ``decode_genomes`` turns back into equal ``GenomeData``.
    """
    return _Packed(genomes).blob(0, len(genomes))


def decode_genomes(blob: bytes) -> list[GenomeData]:
    """The ``GenomeData`` list ``encode_genomes`` encoded (fitness None).

    **Raises** ``InputError`` when ``blob`` is not such an encoding."""
    return [GenomeData(*row) for row in _rows(blob)]


def _rows(blob: bytes) -> list[tuple[Any, ...]]:
    """What ``decode_genomes`` decodes, as tuples of ``GenomeData``'s fields in order
    (the native population's genome tuples too)."""
    if blob[:4] != _MAGIC:
        raise InputError("not a netgraph.neat genome encoding (bad magic bytes)")
    (g,) = struct.unpack_from("<q", blob, 4)
    r = _Reader(blob)
    r.at = 12
    keys = r.ints(g)
    species = r.ints(g)
    nodes = r.ints(g)
    conns = r.ints(g)
    node_keys = _undelta(r.ints(g), r.ints(int(np.maximum(nodes - 1, 0).sum())), nodes)
    innovations = _undelta(r.ints(g), r.ints(int(np.maximum(conns - 1, 0).sum())), conns)
    n, m = int(nodes.sum()), int(conns.sum())
    bias, response = r.floats(n), r.floats(n)
    act, agg = r.ints(n), r.ints(n)
    cin, cout = r.ints(m), r.ints(m)
    weight = r.floats(m)
    enabled = r.bits(m)
    gates = r.ints(g)
    k = int(gates.sum())
    gate_fields = [r.ints(k) for _ in _GATE_FIELDS]
    # each genome's genes are views of the chunk's arrays: slicing with Python ints is
    # the whole per-genome cost
    node_at = np.concatenate(([0], np.cumsum(nodes))).tolist()
    conn_at = np.concatenate(([0], np.cumsum(conns))).tolist()
    gate_at = np.concatenate(([0], np.cumsum(gates))).tolist()
    gi, gn, gu, gv = gate_fields
    return [(key, node_keys[a:na], bias[a:na], response[a:na], act[a:na], agg[a:na],
             innovations[b:nb], cin[b:nb], cout[b:nb], weight[b:nb], enabled[b:nb], None,
             None if s < 0 else s, gi[c:nc], gn[c:nc], gu[c:nc], gv[c:nc])
            for key, s, a, na, b, nb, c, nc in zip(
                keys.tolist(), species.tolist(), node_at, node_at[1:], conn_at, conn_at[1:],
                gate_at, gate_at[1:], strict=False)]


# ------------------------------------------------------------------ what a worker runs

def _is_native(function: Any) -> bool:
    return isinstance(function, (Dataset, Sequences, Task))


def evaluate_chunk(function: Any, datas: Sequence[GenomeData], config: Any,
                   genomes: Sequence[Any] | None = None) -> list[float]:
    """The fitnesses of one chunk, in order: a ``Dataset`` or task in one native call over
    a small native population of the chunk, else ``function(genome, config)`` for each
    (``genomes``: the ``Genome`` objects when the caller has them, else made here).

    The same numbers as evaluating each genome alone: a genome's fitness depends on its
    genes only."""
    if not datas:
        return []
    from ._gated import neataptic_mode

    if _is_native(function) and not neataptic_mode(config.values):
        # (gated genomes: Dataset.__call__ runs each through netgraph's engine, below)
        from ._native import data_tuple

        return _evaluate_native(function, [(*data_tuple(d)[:11], None, None) for d in datas],
                                config)
    if genomes is None:
        from ._genome import Genome

        genomes = [Genome(d, config, check=False) for d in datas]
    return [function(g, config) for g in genomes]


def evaluate_blob(function: Any, blob: bytes, config: Any) -> list[float]:
    """``evaluate_chunk`` of the genomes ``blob`` encodes (what a worker runs); for a
    ``Dataset`` or task the decoded arrays go to the native population as they are."""
    from ._gated import neataptic_mode

    if _is_native(function) and not neataptic_mode(config.values):
        rows = _rows(blob)
        return _evaluate_native(function, [(*r[:11], None, None) for r in rows], config) \
            if rows else []
    return evaluate_chunk(function, decode_genomes(blob), config)


def _evaluate_native(function: Any, tuples: list[tuple[Any, ...]], config: Any
                     ) -> list[float]:
    """A ``Dataset`` or task over the native genome ``tuples`` (fitness and species None),
    in one native call of a small native population of them."""
    from ._native import COSTS, NativePopulation, native_values

    state = {"rng": (1, 2, 3, 4), "generation": 0,
             "next_genome_key": max(int(t[0]) for t in tuples) + 1,
             "next_node_key": -1, "next_species_key": 1, "innovation_counter": 0,
             "innovations": [], "genomes": tuples, "species": []}
    native = NativePopulation.from_state(native_values(config.values), state)
    if isinstance(function, Dataset):
        f = native.evaluate_dataset(function.X, function.y, COSTS[function.cost],
                                    function.offset, 1)
    elif isinstance(function, Sequences):
        f = function._evaluate(native, 1)
    else:
        f, _ = native.evaluate_task(function._code, function._solved_params())
    return [float(v) for v in f]


def _work(genome: GenomeData) -> int:
    """A genome's estimated cost in work units (what chunks are balanced on)."""
    return 1 + len(genome.node_key) + int(np.count_nonzero(genome.conn_enabled))


def _works(genomes: Sequence[GenomeData]) -> npt.NDArray[np.int64]:
    """``_work`` of each genome, with no per-genome numpy call."""
    nodes = np.fromiter((len(d.node_key) for d in genomes), np.int64, len(genomes))
    enabled = [d.conn_enabled for d in genomes]
    at = np.concatenate(([0], np.cumsum(np.fromiter(map(len, enabled), np.int64,
                                                    len(enabled))))).astype(np.int64)
    on = np.concatenate(([0], np.cumsum(_join(enabled, np.dtype(np.bool_)), dtype=np.int64)))
    work: npt.NDArray[np.int64] = 1 + nodes + (on[at[1:]] - on[at[:-1]])
    return work


def _cut(work: Sequence[int] | npt.NDArray[np.int64],
         speeds: Sequence[float]) -> list[tuple[int, int]]:
    """Contiguous ranges of ``work`` (one per worker, some maybe empty) whose sums are
    in proportion to ``speeds``."""
    cum = np.cumsum(np.asarray(work, dtype=np.float64))
    total = float(cum[-1]) if len(cum) else 0.0
    shares = np.cumsum(np.asarray(speeds, dtype=np.float64))
    shares = shares / shares[-1] * total
    ranges: list[tuple[int, int]] = []
    start = 0
    for k, target in enumerate(shares):
        end = len(work) if k == len(shares) - 1 else int(np.searchsorted(cum, target - 1e-9,
                                                                          side="left")) + 1
        end = max(start, min(end, len(work)))
        ranges.append((start, end))
        start = end
    return ranges


class _Chunked:
    """What the three evaluators share: worker speeds, chunk cutting, result assembly."""

    def __init__(self, workers: int) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InputError(f"the number of workers must be a positive int, got "
                             f"{workers!r}")
        self.workers = workers
        #: measured work units a second of each worker (equal until measured)
        self.speeds = [1.0] * workers
        #: chunks evaluated again after their worker died
        self.retries = 0

    def _measured(self, worker: int, work: int, seconds: float) -> None:
        if work > 0 and seconds > 0:
            rate = work / seconds
            # smoothed: one slow chunk (a loaded machine) does not swing the next cut
            self.speeds[worker] = rate if self.speeds[worker] == 1.0 else \
                0.75 * self.speeds[worker] + 0.25 * rate

    def _shares(self) -> list[float]:
        """The speeds the next generation is cut by: the measured ones, or equal shares
        when they all lie within 10% of their mean. Identical workers measure a few
        percent apart from chunk to chunk (other processes, caches); following that
        noise would give one worker more genomes than another for nothing, and the
        generation waits for the slower one."""
        mean = sum(self.speeds) / len(self.speeds)
        if all(abs(v - mean) <= 0.1 * mean for v in self.speeds):
            return [1.0] * len(self.speeds)
        return list(self.speeds)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Shut the workers down (a closed evaluator starts new ones if used again)."""


class ThreadEvaluator(_Chunked):
    """Evaluates on ``n`` threads of this process, one chunk each per generation.

    Fast for fitness that releases the GIL: a ``Dataset``, a task, netgraph's own
    kernels, numpy. A pure-Python fitness runs no faster than serially (the GIL).

    **Arguments** ``n``: the number of threads.
    """

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self._pool: cf.ThreadPoolExecutor | None = None

    def evaluate(self, function: Callable[[Any, Any], float], genomes: Sequence[Any],
                 config: Any) -> list[float]:
        """**Returns** the fitness of each genome, in the order of ``genomes``."""
        if self._pool is None:
            self._pool = cf.ThreadPoolExecutor(self.workers, thread_name_prefix="neat")
        datas = [g.data for g in genomes]
        work = _works(datas)
        plan = _cut(work, self._shares())

        def run(k: int, a: int, b: int) -> tuple[int, list[float], float]:
            t = time.perf_counter()
            f = evaluate_chunk(function, datas[a:b], config, genomes[a:b])
            return k, f, time.perf_counter() - t

        futures = [self._pool.submit(run, k, a, b) for k, (a, b) in enumerate(plan)]
        out: list[float] = [0.0] * len(datas)
        try:
            for fut in cf.as_completed(futures):
                k, f, seconds = fut.result()
                a, b = plan[k]
                out[a:b] = f
                self._measured(k, int(work[a:b].sum()), seconds)
        except BaseException:
            for fut in futures:
                fut.cancel()
            self.close()
            raise
        return out

    def close(self) -> None:
        """Join the threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# ------------------------------------------------------------------ processes

_CACHE: dict[str, Any] = {}


def _process_chunk(tokens: dict[str, bytes], function_token: str, config_token: str,
                   blob: bytes) -> tuple[list[float], float]:
    """In a worker process: install the objects it has not seen, evaluate one chunk."""
    import cloudpickle

    t = time.perf_counter()
    for token, data in tokens.items():
        _CACHE[token] = cloudpickle.loads(data)
    f = evaluate_blob(_CACHE[function_token], blob, _CACHE[config_token])
    return f, time.perf_counter() - t


def _process_pid() -> int:
    return os.getpid()


class ProcessEvaluator(_Chunked):
    """Evaluates on ``n`` worker processes (``concurrent.futures``, started with
    ``spawn``), one chunk each per generation.

    The fitness function and the configuration are sent to each worker once per run
    (cloudpickle: a function defined in ``__main__`` or a notebook works), then only the
    chunks' compact genes. A worker that dies is replaced and its chunk run again.

    **Arguments** ``n``: the number of processes.
    """

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self._pools: list[cf.ProcessPoolExecutor | None] = [None] * n
        self._seen: list[set[str]] = [set() for _ in range(n)]
        self._tokens: dict[int, tuple[str, bytes, Any]] = {}
        self._finalizer = weakref.finalize(self, _shutdown_pools, self._pools)

    def _token(self, obj: Any) -> tuple[str, bytes]:
        try:
            import cloudpickle
        except ImportError:
            raise InputError("ProcessEvaluator needs cloudpickle: pip install cloudpickle "
                             "(or 'netgraph-nn[ray]')") from None

        got = self._tokens.get(id(obj))
        if got is None or got[2] is not obj:
            data = cloudpickle.dumps(obj)
            got = (f"{id(obj)}-{len(self._tokens)}-{time.monotonic_ns()}", data, obj)
            self._tokens[id(obj)] = got
        return got[0], got[1]

    def _pool(self, k: int) -> cf.ProcessPoolExecutor:
        pool = self._pools[k]
        if pool is None:
            pool = cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self._pools[k] = pool
            self._seen[k] = set()
        return pool

    def pids(self) -> list[int]:
        """The worker processes' ids (starting them if needed)."""
        return [self._pool(k).submit(_process_pid).result() for k in range(self.workers)]

    def evaluate(self, function: Callable[[Any, Any], float], genomes: Sequence[Any],
                 config: Any) -> list[float]:
        """**Returns** the fitness of each genome, in the order of ``genomes``."""
        packed = _Packed([g.data for g in genomes])
        plan = _cut(packed.work, self._shares())
        ft, fdata = self._token(function)
        ct, cdata = self._token(config)
        blobs = [packed.blob(a, b) for a, b in plan]
        out: list[float] = [0.0] * packed.size

        def submit(k: int) -> cf.Future[tuple[list[float], float]]:
            pool = self._pool(k)  # first: a new worker has seen nothing
            send = {t: d for t, d in ((ft, fdata), (ct, cdata)) if t not in self._seen[k]}
            fut = pool.submit(_process_chunk, send, ft, ct, blobs[k])
            self._seen[k].update(send)
            return fut

        pending = {submit(k): k for k, (a, b) in enumerate(plan) if b > a}
        attempts = [0] * len(plan)
        try:
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    k = pending.pop(fut)
                    try:
                        f, seconds = fut.result()
                    except cf.process.BrokenProcessPool:
                        # the worker died (killed, out of memory): a new one runs it again
                        attempts[k] += 1
                        if attempts[k] > 3:
                            raise
                        self.retries += 1
                        self._replace(k)
                        pending[submit(k)] = k
                        continue
                    a, b = plan[k]
                    out[a:b] = f
                    self._measured(k, int(packed.work[a:b].sum()), seconds)
        except BaseException:
            self.close()
            raise
        return out

    def _replace(self, k: int) -> None:
        pool = self._pools[k]
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools[k] = None

    def close(self) -> None:
        """Stop the worker processes (waiting for them to exit)."""
        _shutdown_pools(self._pools)
        self._seen = [set() for _ in range(self.workers)]


def _shutdown_pools(pools: list[cf.ProcessPoolExecutor | None]) -> None:
    for k, pool in enumerate(pools):
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            pools[k] = None


# ------------------------------------------------------------------ Ray

class NeatWorker:
    """A long-lived Ray worker (an actor): evaluates chunks of compact genomes.

    It keeps the fitness function and the configuration it was last sent, so the driver
    sends them (object-store references, which Ray resolves and deserialises on every
    call that carries them) only with a worker's first chunk of a run: a Ray actor runs
    one caller's calls in the order they were made. A chunk is then one argument, its
    bytes: Ray's cost per call grows with the number of arguments."""

    def __init__(self) -> None:
        self._function: Any = None
        self._config: Any = None

    def pid(self) -> int:
        """This worker's process id."""
        return os.getpid()

    def node(self) -> str:
        """The id of the Ray node this worker runs on."""
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def evaluate(self, blob: bytes, *function_and_config: Any) -> tuple[list[float], float]:
        """One chunk's fitnesses and the seconds they took. ``function_and_config``:
        the fitness function and configuration to use from now on, or nothing (those of
        before)."""
        t = time.perf_counter()
        if function_and_config:
            self._function, self._config = function_and_config
        f = evaluate_blob(self._function, blob, self._config)
        return f, time.perf_counter() - t


_RAY_ACTOR: Any = None


def _actor_class() -> Any:
    """The Ray actor class (made once, when Ray is first used)."""
    global _RAY_ACTOR
    if _RAY_ACTOR is None:
        import ray

        _RAY_ACTOR = ray.remote(NeatWorker)
    return _RAY_ACTOR


class RayEvaluator(_Chunked):
    """Evaluates on long-lived Ray actors, one chunk each per generation.

    The fitness function (a ``Dataset`` with its X and y) and the configuration go to
    Ray's object store once per run (``ray.put``); each generation sends each actor one
    chunk of compact genes and gets back its fitnesses. An actor whose process dies is
    replaced and its chunk run again; a fitness that raises stops the run with that
    exception and the actors are killed.

    **Arguments**
    - ``num_workers``: the number of actors; None: the cluster's CPUs.
    - ``address``: None starts (or joins) a local Ray instance; ``"auto"`` or
      ``"ray://host:10001"`` or ``"host:6379"`` joins a running cluster (the Ray cluster
      launcher's or KubeRay's: nothing else changes). Ignored when Ray is already
      initialised in this process (that instance is used).
    - ``ray_init_options``: passed to ``ray.init`` (``num_cpus=``, ``runtime_env=`` ...).

    Ray is started lazily (first ``evaluate``, or ``with``); ``close()`` kills the actors
    and shuts down a Ray instance this evaluator started.
    """

    def __init__(self, num_workers: int | None = None, address: str | None = None,
                 **ray_init_options: Any) -> None:
        super().__init__(1 if num_workers is None else num_workers)
        self._requested = num_workers
        self.address = address
        self.ray_init_options = ray_init_options
        self._actors: list[Any] = []
        #: the (function, config) tokens each actor holds (see ``NeatWorker``)
        self._holds: list[tuple[str, str] | None] = []
        self._refs: dict[int, tuple[Any, Any, str]] = {}
        self._started_ray = False
        atexit.register(self.close)

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError:
            raise InputError("RayEvaluator needs Ray: pip install 'netgraph-nn[ray]'") from None
        if not ray.is_initialized():
            options = {"log_to_driver": False, **self.ray_init_options}
            ray.init(address=self.address, **options)
            self._started_ray = True
        if self._requested is None and not self._actors:
            n = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
            self.workers = max(1, n)
            self.speeds = [1.0] * self.workers
        return ray

    def __enter__(self) -> RayEvaluator:
        self._ray()
        return self

    def _actor(self, ray: Any) -> Any:
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        # more actors than CPUs share them (logical CPUs), rather than wait forever
        per = min(1.0, cpus / self.workers)
        return _actor_class().options(num_cpus=per, max_restarts=0).remote()

    def _ref(self, ray: Any, obj: Any, held: dict[int, tuple[Any, Any, str]]
             ) -> tuple[Any, str]:
        """``obj``'s object-store reference and token (``held``: those of the last call):
        put there once per run."""
        got = held.get(id(obj))
        if got is None or got[1] is not obj:
            got = (ray.put(obj), obj, f"{id(obj)}-{time.monotonic_ns()}")
        self._refs[id(obj)] = got
        return got[0], got[2]

    def _start_actors(self, ray: Any) -> None:
        while len(self._actors) < self.workers:
            self._actors.append(self._actor(ray))
            self._holds.append(None)

    def pids(self) -> list[int]:
        """The actors' process ids (starting them if needed)."""
        ray = self._ray()
        self._start_actors(ray)
        return [int(p) for p in ray.get([a.pid.remote() for a in self._actors])]

    def nodes(self) -> list[str]:
        """The Ray node id each actor runs on (starting them if needed)."""
        ray = self._ray()
        self._start_actors(ray)
        return [str(n) for n in ray.get([a.node.remote() for a in self._actors])]

    def evaluate(self, function: Callable[[Any, Any], float], genomes: Sequence[Any],
                 config: Any) -> list[float]:
        """**Returns** the fitness of each genome, in the order of ``genomes``."""
        ray = self._ray()
        from ray.exceptions import RayActorError, RayTaskError

        self._start_actors(ray)
        packed = _Packed([g.data for g in genomes])
        plan = _cut(packed.work, self._shares())
        held = self._refs
        self._refs = {}  # only this call's objects stay in the object store
        (fref, ft), (cref, ct) = self._ref(ray, function, held), self._ref(ray, config, held)
        blobs = [packed.blob(a, b) for a, b in plan]
        out: list[float] = [0.0] * packed.size

        def submit(k: int) -> Any:
            # the function and configuration travel only to an actor that lacks them
            if self._holds[k] == (ft, ct):
                return self._actors[k].evaluate.remote(blobs[k])
            self._holds[k] = (ft, ct)
            return self._actors[k].evaluate.remote(blobs[k], fref, cref)

        def take(k: int, got: tuple[list[float], float]) -> None:
            a, b = plan[k]
            out[a:b] = got[0]
            self._measured(k, int(packed.work[a:b].sum()), got[1])

        pending = {submit(k): k for k, (a, b) in enumerate(plan) if b > a}
        attempts = [0] * len(plan)
        try:
            while pending:
                refs = list(pending)
                try:
                    # the usual case: one call for every chunk's result
                    results = ray.get(refs)
                except RayActorError:
                    results = None
                if results is not None:
                    for ref, got in zip(refs, results, strict=True):
                        take(pending.pop(ref), got)
                    break
                for ref in refs:  # an actor died: which one, and its chunk again
                    k = pending.pop(ref)
                    try:
                        got = ray.get(ref)
                    except RayActorError:
                        # the actor's process died: a new actor runs the chunk again
                        attempts[k] += 1
                        if attempts[k] > 3:
                            raise
                        self.retries += 1
                        ray.kill(self._actors[k], no_restart=True)
                        self._actors[k] = self._actor(ray)
                        self._holds[k] = None
                        pending[submit(k)] = k
                        continue
                    take(k, got)
        except RayTaskError as e:
            self.close()
            cause = e.cause if isinstance(e.cause, BaseException) else None
            if cause is None:
                raise
            raise cause from None
        except BaseException:
            self.close()
            raise
        return out

    def close(self) -> None:
        """Kill the actors (and shut down Ray if this evaluator started it)."""
        if not self._actors and not self._started_ray:
            self._refs.clear()
            return
        try:
            import ray
        except ImportError:
            return
        if ray.is_initialized():
            for a in self._actors:
                ray.kill(a, no_restart=True)
        self._actors = []
        self._holds = []
        self._refs.clear()
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False
