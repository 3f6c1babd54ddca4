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

The phenotypes are built from the population's gene arrays each generation (one Python
``Network`` per genome: see ``Learn``'s note on cost). Only feed-forward configurations
learn: a recurrent genome's fitness reads the rows as one sequence from a cleared state,
which is not what ``train`` optimizes. (Aggregations are sum and mean, as in every
netgraph.neat configuration.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._activations import get_activation
from .._arguments import flag, real, whole
from .._costs import get_cost
from .._exceptions import DivergenceError, InputError
from .._many import train_many
from ._genes import GenomeData
from ._native import _ACTIVATION_NAMES, data_tuple, genome_data

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

    Cost: each generation builds one ``Network`` per genome from its genes (Python,
    about a millisecond each), then trains them all in one native call.
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


def _written_back(data: GenomeData, net: Network, config: Config) -> GenomeData:
    """``data`` with the trained weights and biases of ``net`` (its phenotype) in its
    genes: each synapse's ``innovation`` names its gene, each neuron's key its node."""
    plan = net._plan()
    G = net.graph
    aggregations = config.values["aggregation_options"]
    if isinstance(aggregations, str):
        aggregations = aggregations.split()
    node_at = {int(k): j for j, k in enumerate(data.node_key.tolist())}
    bias = data.node_bias.copy()
    weight = data.conn_weight.copy()
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
    """
    from ._genome import Genome, phenotype

    datas = [genome_data(native.genome_data(i)) for i in range(native.size)]
    nets = [phenotype(Genome(d, config, check=False), recurrent=False) for d in datas]
    threads = learn.threads if learn.threads is not None else dataset.threads
    try:
        results = train_many(nets, dataset.X, dataset.y, threads=threads, **learn.options())
        ran = sum(r.iterations for r in results)
    except DivergenceError:
        # every network is trained; the diverged ones stopped short (counted in full)
        ran = learn.steps * len(nets)
    fitness = np.array([dataset_fitness(net.activate(dataset.X), dataset) for net in nets])
    if not np.all(np.isfinite(fitness)):
        k = int(np.argmin(np.isfinite(fitness)))
        raise InputError(f"genome {datas[k].key}: its fitness after training is "
                         f"{fitness[k]}, not a finite number (try a smaller Learn rate)")
    if learn.lamarckian:
        for i, (d, net) in enumerate(zip(datas, nets, strict=True)):
            native.set_genome_data(i, data_tuple(_written_back(d, net, config)))
    native.set_fitness(fitness)
    learn.iterations += ran
    learn.trained += len(nets)
