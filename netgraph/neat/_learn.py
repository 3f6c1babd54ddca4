"""NEAT with learning: every genome is trained by backpropagation before its fitness is taken.

``pop.run(neat.Dataset(X, y), generations, learn=neat.Learn(steps=k, ...))`` evaluates a
generation in three moves:

1. each genome's phenotype (the very ``Network`` ``genome.network`` builds) is trained
   ``k`` iterations on the data set, with ``Network.train``'s options and results,
   through ``netgraph.train_many``: one native call for the whole population, the GIL
   released, spread over ``threads``;
2. its fitness is the data set's (``offset - cost``) over the trained network's outputs
   (``net.activate(X)``), summed in the data set's own order;
3. Lamarckian learning (``lamarckian=True``) writes the trained weights and biases back
   into the genome's genes, so offspring inherit them; Baldwinian learning leaves the genes
   as they were and only the fitness benefits.

The training plans are made straight from the population's gene arrays each generation,
laid out as compiling ``genome.network`` lays them out (``_trainable``), so no networkx
graph is built per genome and the results are the bits training ``genome.network``
gives. Only feed-forward configurations
learn: a recurrent genome's fitness reads the rows as one sequence from a cleared state,
which is not what ``train`` optimizes. (Aggregations are sum and mean, as in every
netgraph.neat configuration.)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from .. import _core
from .._activations import get_activation
from .._arguments import flag, real, whole
from .._costs import get_cost
from .._exceptions import DivergenceError, InputError
from .._many import _GRADIENT, _ONLINE, _run_shared, train_many
from .._train import TrainResult, _Rates
from ._genes import GenomeData
from ._native import _ACTIVATION_NAMES, data_tuple, genome_data
from ._trainable import Trainable, trainable

if TYPE_CHECKING:
    from .._network import Network
    from ._config import Config
    from ._fitness import Dataset
    from ._native import NativePopulation

__all__ = ["Learn", "check_learn", "learn_population"]


class Learn:
    """How ``Population.run`` trains every genome before taking its fitness on a
    ``neat.Dataset``: ``pop.run(dataset, generations, learn=neat.Learn(steps=10,
    optimizer="adam", rate=0.05, batch_size=len(X)))``.

    Each genome's network (``genome.network``) is trained exactly as
    ``net.train(dataset.X, dataset.y, iterations=steps, **options)`` trains it (the same
    weights, bit for bit), through ``netgraph.train_many``: one native call for the
    population, the GIL released. Its fitness is then the data set's ``offset - cost``
    over ``net.activate(dataset.X)`` of the trained network, each row's term taken in
    turn as the data set takes it. Training restarts each generation from the genes
    (fresh optimizer state, as each ``train`` call starts one).

    **Arguments**
    - ``steps``: training iterations (epochs) per genome and generation, ``train``'s
      ``iterations``; fewer where ``error`` is reached first.
    - ``lamarckian``: True writes the trained weights (of the expressed connections) and
      biases (of the evaluated nodes) back into the genes, which offspring inherit; False
      (Baldwinian) leaves the genes unchanged, so only the fitness benefits. A gene's
      weight is the synapse's divided by the node's response (and, for ``mean``,
      multiplied by its number of inputs), as ``genome.network`` folds them: exact with
      the default response 1 and ``sum``; otherwise to a rounding. Written-back weights
      are not clamped to ``weight_max_value`` (mutation clamps them, as neat-python does).
    - ``optimizer`` (``"sgd"`` or ``"adam"``), ``rate`` (a number or a list spread over
      the steps; default 0.2, Adam 0.001), ``batch_size`` (1), ``momentum`` (0),
      ``cost`` (the training cost: ``"mse"``, ``"cross_entropy"``, ``"mae"``,
      ``"binary"``), ``error`` (stop a genome's training once its error is at most
      this; default 0: only a perfect fit stops before ``steps``), ``shuffle`` with an
      int ``seed`` (every genome then sees the same orders, so a run stays
      reproducible): ``Network.train``'s options.
    - ``threads``: native threads for the training (default: the data set's ``threads``).

    **Attributes** ``iterations``: training iterations run so far with this ``Learn``,
    summed over genomes and generations (each one forward and backward pass over the
    data set when ``batch_size`` covers it); ``trained``: genomes trained so far.

    **Raises** ``InputError`` naming the option that is wrong. ``Population.run``
    refuses ``learn=`` with a fitness that is not a ``neat.Dataset``, with an
    ``evaluator``, with ``feed_forward = False``, and with an activation option whose range
    does not hold the data set's targets (training could not reach them).

    Cost: each generation makes every genome's training plan from its genes (Python, a
    few tenths of a millisecond each; no ``Network`` is built), then trains them all in
    one native call.
    """

    def __init__(self, steps: int, *, lamarckian: bool = True, optimizer: str = "sgd",
                 rate: float | Sequence[float] | None = None, batch_size: int = 1,
                 momentum: float = 0.0, cost: str = "mse", error: float = 0.0,
                 shuffle: bool = False, seed: int | None = None,
                 threads: int | None = None) -> None:
        self.steps = whole("Learn steps", steps)
        self.lamarckian = flag("Learn lamarckian", lamarckian)
        if not isinstance(optimizer, str) or optimizer.lower() not in ("sgd", "adam"):
            raise InputError(f"Learn optimizer must be 'sgd' or 'adam', got {optimizer!r:.40}")
        self.optimizer = optimizer.lower()
        if rate is not None:
            if callable(rate):
                raise InputError("Learn rate must be a number or a list of numbers (a "
                                 "callable rate would run Python between epochs)")
            if isinstance(rate, (list, tuple, np.ndarray)):
                if len(rate) == 0:
                    raise InputError("Learn rate: a rate schedule needs at least one rate")
                rate = [real(f"Learn rate[{k}]", r, low=0.0) for k, r in enumerate(rate)]
            else:
                rate = real("Learn rate", rate, low=0.0)
        self.rate = rate
        self.batch_size = whole("Learn batch_size", batch_size)
        self.momentum = real("Learn momentum", momentum, 0.0, 1.0, high_open=True)
        try:
            c = get_cost(cost)
        except InputError as e:
            raise InputError(f"Learn cost: {e}") from None
        online = self.optimizer == "sgd" and self.batch_size == 1 and self.momentum == 0.0
        if not online and not c.differentiable:
            raise InputError(f"Learn cost {c.name!r} has no gradient to descend; use it with "
                             "online sgd (batch_size=1) or pick mse, cross_entropy or mae")
        self.cost = c.name
        self.error = real("Learn error", error)
        self.shuffle = flag("Learn shuffle", shuffle)
        if seed is not None:
            seed = whole("Learn seed", seed, low=0)
        if self.shuffle and seed is None:
            raise InputError("Learn shuffle=True needs an int seed (each network's own "
                             "generator would make the run irreproducible)")
        self.seed = seed
        self.threads = None if threads is None else whole("Learn threads", threads)
        self.iterations = 0
        self.trained = 0

    def options(self) -> dict[str, Any]:
        """The ``Network.train`` / ``train_many`` options this ``Learn`` trains with.

        **Returns** a dict: ``iterations`` (= ``steps``), ``rate``, ``optimizer``,
        ``batch_size``, ``momentum``, ``cost``, ``error``, ``shuffle``, ``seed``,
        ``progress`` (False)."""
        return {"iterations": self.steps, "rate": self.rate, "optimizer": self.optimizer,
                "batch_size": self.batch_size, "momentum": self.momentum,
                "cost": self.cost, "error": self.error, "shuffle": self.shuffle,
                "seed": self.seed, "progress": False}

    def __repr__(self) -> str:
        kind = "lamarckian" if self.lamarckian else "baldwinian"
        return (f"Learn(steps={self.steps}, {kind}, optimizer={self.optimizer!r}, "
                f"rate={self.rate!r}, batch_size={self.batch_size})")


def check_learn(learn: Any, fitness: Any, evaluator: Any, config: Config) -> Learn:
    """Check that ``learn`` can run with this fitness and configuration.

    **Arguments**
    - ``learn``: ``run``'s ``learn`` argument (not None).
    - ``fitness``, ``evaluator``: ``run``'s.
    - ``config``: the population's ``Config``.

    **Returns** ``learn``. **Raises** ``InputError`` naming what cannot learn.
    """
    from ._fitness import Dataset

    if not isinstance(learn, Learn):
        raise InputError(f"learn must be a netgraph.neat.Learn, got {type(learn).__name__}")
    if evaluator is not None:
        raise InputError("learn= trains the whole population in one native call; it does "
                         "not run through an evaluator (drop evaluator=, or learn=)")
    if not isinstance(fitness, Dataset):
        raise InputError(f"learn= needs a neat.Dataset fitness (the data the genomes learn "
                         f"from), got {type(fitness).__name__}")
    values = config.values
    if not values.get("feed_forward", True):
        raise InputError("learn= needs feed_forward = True: a recurrent genome's fitness "
                         "reads the rows as one sequence, which train does not optimize")
    activations = values.get("activation_options") or []
    if isinstance(activations, str):
        activations = activations.split()
    low, high = float(fitness.y.min()), float(fitness.y.max())
    for name in activations:
        a = get_activation(_ACTIVATION_NAMES.get(str(name), str(name)))
        if low < a.low or high > a.high:
            raise InputError(f"learn=: activation {name!r} gives values in [{a.low:g}, "
                             f"{a.high:g}], but the data set's targets span [{low:g}, "
                             f"{high:g}]: training could not reach them (scale the targets)")
    return learn


def dataset_fitness(outputs: npt.NDArray[np.float64], dataset: Dataset) -> float:
    """``dataset.offset - cost`` over ``outputs`` (rows x outputs), each term taken in the
    data set's order (rows, then outputs), as its native evaluation sums them.

    **Arguments**
    - ``outputs``: a network's outputs for ``dataset.X``.
    - ``dataset``: the ``neat.Dataset``.

    **Returns** the fitness, a float.
    """
    d = (outputs - dataset.y).ravel()
    terms = d * d if dataset.cost in ("sse", "mse") else np.abs(d)
    if dataset.cost in ("sse", "sae"):
        # offset - t0 - t1 - ...: a left fold, which accumulate runs in order
        return float(np.subtract.accumulate(np.concatenate(([dataset.offset], terms)))[-1])
    total = float(np.add.accumulate(terms)[-1])
    return dataset.offset - total / (float(len(outputs)) * float(dataset.num_outputs))


def _genes_to_write(data: GenomeData, config: Config
                    ) -> tuple[list[str], dict[int, int], np.ndarray, np.ndarray]:
    """What writing trained values back into ``data`` starts from: the aggregation names
    by index, each node key's row, and copies of the biases and weights to write."""
    aggregations = config.values["aggregation_options"]
    if isinstance(aggregations, str):
        aggregations = aggregations.split()
    node_at = {int(k): j for j, k in enumerate(data.node_key.tolist())}
    return list(aggregations), node_at, data.node_bias.copy(), data.conn_weight.copy()


def _written_back(data: GenomeData, net: Network, config: Config) -> GenomeData:
    """``data`` with the trained weights and biases of ``net`` (its phenotype) in its
    genes: each synapse's ``innovation`` names its gene, each neuron's key its node."""
    plan = net._plan()
    G = net.graph
    aggregations, node_at, bias, weight = _genes_to_write(data, config)
    fan_in = {}
    for k, neuron in enumerate(plan.neurons):
        j = node_at.get(neuron) if isinstance(neuron, int) else None
        if j is None or k < plan.n_inputs:
            continue
        bias[j] = float(plan.biases[k])
        fan_in[neuron] = int(plan.in_ptr[k + 1] - plan.in_ptr[k])
    innovations = data.conn_innovation
    for e, (u, v, *_) in enumerate(plan.synapses):
        innovation = G.edges[u, v].get("innovation")
        if innovation is None:
            continue
        g = int(np.searchsorted(innovations, innovation))
        j = node_at[v]
        w = float(plan.weights[e])
        if aggregations[int(data.node_aggregation[j])] == "mean":
            w = w * fan_in[v]
        response = float(data.node_response[j])
        weight[g] = w if response == 1.0 else w / response
    return dataclasses.replace(data, node_bias=bias, conn_weight=weight)


def learn_population(native: NativePopulation, config: Config, dataset: Dataset,
                     learn: Learn) -> None:
    """Train every genome of ``native`` as ``learn`` says, set its fitness on ``dataset``
    and, for Lamarckian learning, write the trained genes back.

    **Arguments**
    - ``native``: the population's native store.
    - ``config``: its ``Config``.
    - ``dataset``: the ``neat.Dataset``.
    - ``learn``: the ``Learn`` (checked by ``check_learn``).

    **Returns** None; the fitnesses are set in ``native`` (and the genes, if Lamarckian).
    A genome whose training diverges keeps the weights it had before the diverging
    iteration, as ``train`` leaves them.

    Each genome's training plan is made straight from its genes (``_trainable``), laid
    out as ``genome.network`` would be, so the weights and fitness are the bits training
    that network with ``train`` gives; a genome the plans cannot take (see
    ``_trainable``) has its ``Network`` built and trained by ``train_many``.
    """
    from ._genome import Genome, expressed, phenotype

    datas = [genome_data(native.genome_data(i)) for i in range(native.size)]
    genomes = [Genome(d, config, check=False) for d in datas]
    threads = learn.threads if learn.threads is not None else dataset.threads
    X = np.ascontiguousarray(dataset.X, dtype=np.float64)
    lock = np.zeros(1, dtype=np.uint64)
    fitness = np.empty(len(datas))
    ran = 0
    diverged = False
    previous = _core.acquire(lock)
    try:
        plans: list[Trainable | None] = []
        for d, g in zip(datas, genomes, strict=True):
            inputs, outputs, nodes = expressed(g, recurrent=False)
            plans.append(trainable(d.key, inputs, outputs, nodes, d.conn_innovation, lock))
        direct = [t for t in plans if t is not None]
        if direct:
            results, bad = _train_plans(direct, dataset, learn, threads)
            ran += sum(r.iterations for r in results)
            diverged = diverged or bad
        built = {i: phenotype(genomes[i], recurrent=False)
                 for i, t in enumerate(plans) if t is None}
        if built:
            try:
                out = train_many(list(built.values()), dataset.X, dataset.y, threads=threads,
                                 **learn.options())
                ran += sum(r.iterations for r in out)
            except DivergenceError:
                diverged = True
        for i, t in enumerate(plans):
            if t is not None:
                outputs_i = np.empty((len(X), dataset.num_outputs))
                t.engine.activate_batch(X, outputs_i)
            else:
                outputs_i = built[i].activate(dataset.X)
            fitness[i] = dataset_fitness(outputs_i, dataset)
    finally:
        _core.release(lock, previous)
    if diverged:
        # every network is trained; the diverged ones stopped short (counted in full)
        ran = learn.steps * len(datas)
    if not np.all(np.isfinite(fitness)):
        k = int(np.argmin(np.isfinite(fitness)))
        raise InputError(f"genome {datas[k].key}: its fitness after training is "
                         f"{fitness[k]}, not a finite number (try a smaller Learn rate)")
    if learn.lamarckian:
        for i, (d, t) in enumerate(zip(datas, plans, strict=True)):
            back = _written_back(d, built[i], config) if t is None else \
                _plan_written_back(d, t, config)
            native.set_genome_data(i, data_tuple(back))
    native.set_fitness(fitness)
    learn.iterations += ran
    learn.trained += len(datas)


def _train_plans(plans: list[Trainable], dataset: Dataset, learn: Learn, threads: int
                 ) -> tuple[list[TrainResult], bool]:
    """Train the plans as ``train_many`` trains networks with ``learn``'s options (the
    same kernels, one native call per chunk of epochs): the results, and whether one
    diverged. The caller holds their lock."""
    options = learn.options()
    optimizer = learn.optimizer
    online = optimizer == "sgd" and learn.batch_size == 1 and learn.momentum == 0.0
    kind = _ONLINE if online else _GRADIENT
    rate = options["rate"]
    rates = _Rates((0.001 if optimizer == "adam" else 0.2) if rate is None else rate,
                   learn.steps).chunk(1, learn.steps)
    X = np.ascontiguousarray(dataset.X, dtype=np.float64)
    T = np.ascontiguousarray(dataset.y, dtype=np.float64)
    # Learn shuffles only with an int seed, so every genome sees the same orders: the
    # whole population goes to the native trainer in one call per chunk of epochs
    n = len(plans)
    kinds = np.full(n, kind, dtype=np.int64)
    sizes = np.array([t.n_synapses + t.n_neurons for t in plans], dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    if kind == _GRADIENT:
        np.cumsum(2 * sizes, out=offsets[1:])
    results: list[TrainResult | None] = [None] * n
    empty = np.empty((0, 0))
    unused: list[Any] = [None] * n  # (no Network per genome: read only for its length)
    diverged = _run_shared(unused, [t.engine for t in plans],
                           np.arange(n), kinds, offsets, X, T, empty, empty,
                           np.arange(len(X) + 1, dtype=np.int64),
                           rates, get_cost(learn.cost).code, learn.error, -math.inf,
                           optimizer, learn.momentum, learn.batch_size, False, learn.shuffle,
                           learn.seed, threads, results)
    return cast(list[TrainResult], results), bool(diverged)


def _plan_written_back(data: GenomeData, t: Trainable, config: Config) -> GenomeData:
    """``data`` with the trained weights and biases of its plan ``t`` in its genes, as
    ``_written_back`` writes those of its network."""
    aggregations, node_at, bias, weight = _genes_to_write(data, config)
    position = [node_at.get(k, -1) for k in t.keys]
    biases = t.biases.tolist()
    for k in range(t.n_inputs, t.n_neurons):
        if position[k] >= 0:
            bias[position[k]] = biases[k]
    targets = np.repeat(np.arange(t.n_neurons), t.fan_in).tolist()
    fan_in = t.fan_in.tolist()
    for e, (g, w) in enumerate(zip(t.gene.tolist(), t.weights.tolist(), strict=True)):
        k = targets[e]
        j = position[k]
        if aggregations[int(data.node_aggregation[j])] == "mean":
            w = w * fan_in[k]
        response = float(data.node_response[j])
        weight[g] = w if response == 1.0 else w / response
    return dataclasses.replace(data, node_bias=bias, conn_weight=weight)
