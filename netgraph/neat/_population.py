"""Population: a NEAT run whose genomes live in the native core.

``Population(config, seed=...)`` makes neat-python's initial population (and speciates
it); ``pop.run(fitness, generations)`` runs neat-python 2.0.0's loop: evaluate every
genome, stop if the termination criterion holds, reproduce (stagnation, spawn, elitism,
crossover, mutation), speciate, next generation. Calling ``run`` again continues.

The genomes stay arrays of genes in ``netgraph._neat``; a ``Genome`` object (with its
``network``) is built only when Python needs one: for a callback, for ``pop.best``, for
``pop.genomes``, for reporters.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import secrets
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import InputError
from ._fitness import Dataset, check_fitness
from ._gated import dataset_fitness, gated_outputs, neataptic_mode, sequence_fitness
from ._genes import GenomeData
from ._learn import check_learn, learn_population
from ._native import (
    COSTS,
    ExtinctionError,
    NativePopulation,
    genome_data,
    native_values,
    record_head,
    record_tuple,
)
from ._sequences import Sequences
from .tasks import Task

if TYPE_CHECKING:
    import os

    from ._config import Config

__all__ = ["CompleteExtinctionException", "GenerationRecord", "Population"]


class CompleteExtinctionException(ExtinctionError):
    """Every species went extinct (stagnant) and ``reset_on_extinction`` is False
    (neat-python's exception of the same name). The population is left as it was before
    that generation's reproduction."""


class GenerationRecord:
    """One generation of ``pop.history``, taken after its evaluation (immutable).

    - ``generation``: its number (0 is the initial population).
    - ``evaluations``: genomes evaluated so far in the run, this generation included.
    - ``best_fitness``, ``mean_fitness``, ``stdev_fitness``: over the generation
      (population standard deviation, neat-python's ``stdev``).
    - ``species``: ``(species id, size)`` pairs, by id.
    - ``best_key``: the generation's best genome (first of the highest fitness).
    - ``best_size``: its (nodes, enabled connections), neat-python's ``genome.size()``.
    - ``best``: its genes (``GenomeData``), to draw it later.
    - ``solved``: the key of the genome a task called solved this generation, or None.
    """

    # ``best`` may be given as the native genome tuple or record (``genome_record``, the
    # genes in one bytes object): it becomes a GenomeData when first read (building one
    # costs about a tenth of a small generation, and most are never read)
    __slots__ = ("_best", "best_fitness", "best_key", "best_size", "evaluations", "generation",
                 "mean_fitness", "solved", "species", "stdev_fitness")
    __match_args__ = ("generation", "evaluations", "best_fitness", "mean_fitness",
                      "stdev_fitness", "species", "best_key", "best_size", "best", "solved")

    generation: int
    evaluations: int
    best_fitness: float
    mean_fitness: float
    stdev_fitness: float
    species: tuple[tuple[int, int], ...]
    best_key: int
    best_size: tuple[int, int]
    _best: GenomeData | tuple[Any, ...] | bytes
    solved: int | None

    def __init__(self, generation: int, evaluations: int, best_fitness: float,
                 mean_fitness: float, stdev_fitness: float,
                 species: tuple[tuple[int, int], ...], best_key: int,
                 best_size: tuple[int, int], best: GenomeData | tuple[Any, ...] | bytes,
                 solved: int | None = None) -> None:
        # the slots' own setters (past __setattr__): half the time of object.__setattr__,
        # and a record is made every generation
        s = _RECORD_SETTERS
        s[0](self, generation)
        s[1](self, evaluations)
        s[2](self, best_fitness)
        s[3](self, mean_fitness)
        s[4](self, stdev_fitness)
        s[5](self, species)
        s[6](self, best_key)
        s[7](self, best_size)
        s[8](self, best)
        s[9](self, solved)

    @property
    def best(self) -> GenomeData:
        """The generation's best genome's genes."""
        best = self._best
        if not isinstance(best, GenomeData):
            best = genome_data(record_tuple(best) if isinstance(best, bytes) else best)
            object.__setattr__(self, "_best", best)
        return best

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> tuple[Any, ...]:  # pickle and copy: past __setattr__
        return tuple(getattr(self, f) for f in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for f, v in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, f, v)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__match_args__)
        return f"GenerationRecord({inner})"


_RECORD_SETTERS = tuple(GenerationRecord.__dict__[f].__set__ for f in (
    "generation", "evaluations", "best_fitness", "mean_fitness", "stdev_fitness", "species",
    "best_key", "best_size", "_best", "solved"))


class _Species:
    """A species as neat-python's reporters read it (a view, rebuilt on demand)."""

    def __init__(self, key: int, created: int, last_improved: int, members: dict[int, Any],
                 representative: Any, fitness: float | None, adjusted: float | None,
                 best: float | None) -> None:
        self.key = key
        self.created = created
        self.last_improved = last_improved
        self.members = members
        self.representative = representative
        self.fitness = fitness
        self.adjusted_fitness = adjusted
        # the engine keeps only the best fitness so far (all stagnation reads)
        self.fitness_history = [] if best is None else [best]

    def get_fitnesses(self) -> list[float]:
        """The members' fitnesses."""
        return [m.fitness for m in self.members.values()]


class _SpeciesSet:
    """neat-python's ``DefaultSpeciesSet`` as reporters read it: ``species`` by id and
    ``genome_to_species``."""

    def __init__(self, species: dict[int, _Species]) -> None:
        self.species = species
        self.genome_to_species = {k: s.key for s in species.values() for k in s.members}

    def get_species_id(self, individual_id: int) -> int:
        """The species id of a genome key."""
        return self.genome_to_species[individual_id]

    def get_species(self, individual_id: int) -> _Species:
        """The species of a genome key."""
        return self.species[self.genome_to_species[individual_id]]


def _make_genome(data: GenomeData, config: Config) -> Any:
    from ._genome import Genome

    return Genome(data, config, check=False)


class Population:
    """A NEAT population stored natively; neat-python's ``Population``, faster.

    **Arguments**
    - ``config``: a ``netgraph.neat.Config``.
    - ``seed``: the seed of the run's random generator (xoshiro256**); the same seed gives
      the same run, bit for bit, in any process. None takes the configuration's ``seed``
      (as neat-python does), or draws one (kept in ``pop.seed``).

    **Attributes**
    - ``generation``: the current generation's number; ``evaluations``: genomes
      evaluated so far (the initial population included); ``best``: the best genome seen
      (neat-python's ``best_genome``); ``history``: one ``GenerationRecord`` per
      evaluated generation; ``genomes``: the current genomes by key (built on demand);
      ``species``: the current species (a ``DefaultSpeciesSet``-like view);
      ``config``, ``seed``.

    **Raises** ``InputError`` / ``ConfigError`` for a configuration netgraph cannot run
    (``pop_size`` below 2 included).
    """

    def __init__(self, config: Config, seed: int | None = None, *,
                 _native: NativePopulation | None = None) -> None:
        if not hasattr(config, "values"):
            raise InputError(f"config must be a netgraph.neat.Config, got "
                             f"{type(config).__name__}")
        pop_size = config.values.get("pop_size")
        if not isinstance(pop_size, int) or pop_size < 2:
            raise InputError(f"pop_size must be at least 2 (a population needs two parents), "
                             f"got {pop_size!r}")
        if seed is None:
            # neat-python's Population takes config.seed when given none
            seed = config.values.get("seed")
        if seed is None:
            seed = secrets.randbits(64)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or \
                not 0 <= int(seed) < 2 ** 64:
            raise InputError(f"seed must be an int in [0, 2**64), got {seed!r}")
        self.config = config
        self.seed = int(seed)
        self._values = native_values(config.values)
        self._gated = neataptic_mode(self._values)  # read every generation: once here
        self._native = _native if _native is not None else NativePopulation(self._values,
                                                                            self.seed)
        self.evaluations = 0
        # pop.best: a Genome, or None with the record of the generation that found it
        self._best: Any = None
        self._best_record: GenerationRecord | None = None
        self.history: list[GenerationRecord] = []
        self.reporters: list[Any] = []
        self._genomes: dict[int, Any] | None = None

    # ------------------------------------------------------------------ state

    @property
    def generation(self) -> int:
        """The current generation's number."""
        return int(self._native.generation)

    @property
    def best(self) -> Any:
        """The best genome seen (neat-python's ``best_genome``), None before the first
        evaluation; built when first read."""
        if self._best is None and self._best_record is not None:
            self._best = _make_genome(self._best_record.best, self.config)
            self._best_record = None
        return self._best

    @best.setter
    def best(self, genome: Any) -> None:
        self._best, self._best_record = genome, None

    def _best_fitness(self) -> float | None:
        if self._best is not None:
            return float(self._best.fitness)
        if self._best_record is not None:
            return self._best_record.best_fitness
        return None

    @property
    def genomes(self) -> dict[int, Any]:
        """The current generation's genomes by key (``Genome`` objects, built on demand
        and kept until the population changes)."""
        if self._genomes is None:
            self._genomes = {}
            for i in range(self._native.size):
                g = _make_genome(genome_data(self._native.genome_data(i)), self.config)
                self._genomes[g.key] = g
        return self._genomes

    @property
    def population(self) -> dict[int, Any]:
        """neat-python's name for ``genomes``."""
        return self.genomes

    @property
    def species(self) -> _SpeciesSet:
        """The current species, as neat-python's ``DefaultSpeciesSet`` shows them."""
        genomes = self.genomes
        keys = list(genomes)
        out: dict[int, _Species] = {}
        for key, created, last, members, rep, fit, adj, best in self._native.species():
            rep_data = genome_data(rep)
            out[int(key)] = _Species(int(key), int(created), int(last),
                                     {keys[int(m)]: genomes[keys[int(m)]] for m in members},
                                     _make_genome(rep_data, self.config), fit, adj, best)
        return _SpeciesSet(out)

    def add_reporter(self, reporter: Any) -> None:
        """Add a neat-python-style reporter (its hooks are called during ``run``)."""
        self.reporters.append(reporter)

    def remove_reporter(self, reporter: Any) -> None:
        """Remove a reporter added with ``add_reporter``."""
        self.reporters.remove(reporter)

    def _report(self, hook: str, *args: Any) -> None:
        for r in self.reporters:
            f = getattr(r, hook, None)
            if f is not None:
                f(*args)

    # ------------------------------------------------------------------ running

    def run(self, fitness: Any, generations: int | None = None, *,
            evaluator: Any = None,
            progress: bool | str | Callable[[GenerationRecord], None] | None = None,
            learn: Any = None) -> Any:
        """Run NEAT for at most ``generations`` generations (None: until the
        termination criterion, or the task, says stop). Calling it again continues.

        **Arguments**
        - ``fitness``, one of:

          - a ``neat.Dataset``: fitness = offset - cost, the whole population in one
            native call;
          - a ``neat.Sequences``: the same over sequences, each from a cleared state;
          - a task from ``netgraph.neat.tasks``: evaluated natively; the run stops at the
            first genome the task calls solved;
          - with ``evaluator=None``, a neat-python ``eval_genomes(genomes, config)``
            callback: ``genomes`` is a list of ``(key, genome)``, the callback sets each
            ``genome.fitness``;
          - with an ``evaluator``, a per-genome ``fitness(genome, config) -> float``,
            which ``evaluator.evaluate(fitness, genomes, config)`` runs (see
            ``netgraph.neat.SerialEvaluator`` for the protocol). A ``Dataset`` or a task
            is such a function too: with an evaluator they go through it (a task then
            stops the run when the generation's best genome is solved).
        - ``generations``: the most generations to run now.
        - ``evaluator``: see above.
        - ``progress``: a function called with each generation's ``GenerationRecord``;
          or ``True`` / ``False`` / ``"auto"`` (None) for netgraph's progress bar
          (``netgraph._progress.ProgressBar``, where this netgraph has it: "auto" shows
          it on a terminal or in Jupyter once a run lasts a second).
        - ``learn``: a ``neat.Learn``: with a ``neat.Dataset`` fitness, every genome is
          trained by backpropagation before its fitness is taken (see ``Learn``).

        **Returns** the best genome (neat-python's ``best_genome``); for a task, the
        genome it called solved, if one was.

        **Raises** ``InputError`` for a fitness that is missing, not a number or NaN
        (naming the genome) and for an unusable ``fitness`` argument; whatever the
        fitness function raises; ``CompleteExtinctionException`` when every species
        stagnates and ``reset_on_extinction`` is off. A run that raises leaves the
        population as it was before that generation.
        """
        if generations is not None and (isinstance(generations, bool) or
                                        not isinstance(generations, int) or generations < 0):
            raise InputError(f"generations must be a non-negative int or None, got "
                             f"{generations!r}")
        kind = self._kind(fitness, evaluator)
        self._learning = None if learn is None else \
            check_learn(learn, fitness, evaluator, self.config)
        values = self.config.values
        no_termination = bool(values.get("no_fitness_termination", False))
        if kind != "task" and no_termination and generations is None:
            raise InputError("no_fitness_termination is set: give run() a number of "
                             "generations")
        criterion = str(values.get("fitness_criterion", "max"))
        threshold = values.get("fitness_threshold")
        solution = None
        report = progress if callable(progress) else None
        bar = None if callable(progress) or progress is False else \
            _progress_bar(generations, progress)
        try:
            solution = self._loop(fitness, kind, evaluator, generations, report, bar,
                                  no_termination, criterion, threshold)
        finally:
            if bar is not None:
                bar.close()
        if no_termination and kind != "task":
            self._report("found_solution", self.config, self.generation, self.best)
        return solution if solution is not None else self.best

    def _loop(self, fitness: Any, kind: str, evaluator: Any, generations: int | None,
              report: Callable[[GenerationRecord], None] | None, bar: Any,
              no_termination: bool, criterion: str, threshold: Any) -> Any:
        solution = None
        k = 0
        # read once, not every generation (at 0.15 ms a generation, each lookup counts)
        stagnation = self.config.values.get("population_stagnation", 0)
        postfix = bar is not None and getattr(bar, "enabled", True)
        while generations is None or k < generations:
            k += 1
            if self.reporters:
                self._report("start_generation", self.generation)
            solved_index = self._evaluate(fitness, kind, evaluator)
            best_i, mean, stdev, ids, sizes, nodes, enabled, nan_at = self._native.summary()
            if nan_at >= 0:  # only a data set can give these (callbacks are checked)
                bad = float(self._native.fitness()[nan_at])
                self._native.set_fitness(np.full(self._native.size, np.nan))
                key = int(self._native.keys()[nan_at])
                raise InputError(f"genome {key}: its fitness on the data set is {bad}, not a "
                                 "finite number (its outputs overflowed or are not numbers)")
            # the best genome's genes as one bytes object (genome_record): a GenomeData
            # only where one is read
            best_raw = self._native.genome_record(best_i)
            best_key, best_fitness = record_head(best_raw)
            record = self._record(best_fitness, mean, stdev, ids, sizes, (nodes, enabled),
                                  best_key, best_raw, solved_index)
            n = self._native.size
            # a Genome per generation costs as much as the generation: only where made anyway
            best = self.genomes[best_key] if self.reporters or self._genomes is not None \
                else None
            if self.reporters:
                self._report("post_evaluate", self.config, self.genomes, self.species, best)
            seen = self._best_fitness()
            if seen is None or record.best_fitness > seen:
                if best is not None:
                    self.best = best
                else:  # pop.best is built from this record when it is read
                    self._best, self._best_record = None, record
            self.evaluations += n
            self.history.append(record)
            if report is not None:
                report(record)
            if postfix:
                bar.update(1, best=f"{record.best_fitness:.6g}", species=len(record.species))
            elif bar is not None:  # a bar that shows nothing: no postfix to format
                bar.update(1)
            if solved_index is not None:
                data = genome_data(self._native.genome_data(solved_index))
                solution = self.genomes[data.key] if self._genomes is not None \
                    else _make_genome(data, self.config)
                self._report("found_solution", self.config, self.generation, solution)
                break
            if kind != "task" and not no_termination and threshold is not None:
                if criterion == "min":
                    fv = float(self._native.fitness().min())
                elif criterion == "mean":
                    fv = mean
                else:
                    fv = record.best_fitness
                if fv >= float(threshold):
                    if best is None:
                        best = _make_genome(record.best, self.config)
                    self._report("found_solution", self.config, self.generation, best)
                    break
            if stagnation and \
                    _population_stagnant(self.history, self.config.population_stagnation):
                self._native.set_delta_coding(True)
            try:
                status = self._native.advance()
            except ExtinctionError:
                self._report("complete_extinction")
                raise CompleteExtinctionException(
                    "every species went extinct (stagnant) and reset_on_extinction is "
                    "False") from None
            self._genomes = None
            if status == 1:
                self._report("complete_extinction")
            if self.reporters:
                self._report("end_generation", self.config, self.genomes, self.species)
        return solution

    def _kind(self, fitness: Any, evaluator: Any) -> str:
        if evaluator is not None:
            self._check_shape(fitness)
            if not callable(fitness):
                raise InputError(f"fitness must be a neat.Dataset, a task, or a function; "
                                 f"got {type(fitness).__name__}")
            if not callable(getattr(evaluator, "evaluate", None)):
                raise InputError("evaluator must have an evaluate(function, genomes, config) "
                                 "method")
            return "function"
        return self._check_shape(fitness)

    def _check_shape(self, fitness: Any) -> str:
        if isinstance(fitness, Dataset):
            c = self._values
            if fitness.num_inputs != c["num_inputs"] or fitness.num_outputs != c["num_outputs"]:
                raise InputError(f"the data set maps {fitness.num_inputs} inputs to "
                                 f"{fitness.num_outputs} outputs; the configuration has "
                                 f"{c['num_inputs']} and {c['num_outputs']}")
            return "dataset"
        if isinstance(fitness, Sequences):
            c = self._values
            if fitness.num_inputs != c["num_inputs"] or fitness.num_outputs != c["num_outputs"]:
                raise InputError(f"the sequences map {fitness.num_inputs} inputs to "
                                 f"{fitness.num_outputs} outputs; the configuration has "
                                 f"{c['num_inputs']} and {c['num_outputs']}")
            return "sequences"
        if isinstance(fitness, Task):
            c = self._values
            if neataptic_mode(c):
                raise InputError(f"{fitness!r} evaluates genomes natively as neat-python "
                                 "networks; with Neataptic's mutations on (gate_add_prob "
                                 "...) use a Dataset or a fitness function")
            if fitness.num_inputs != c["num_inputs"] or fitness.num_outputs != c["num_outputs"]:
                raise InputError(f"{fitness!r} needs num_inputs = {fitness.num_inputs} and "
                                 f"num_outputs = {fitness.num_outputs}; the configuration "
                                 f"has {c['num_inputs']} and {c['num_outputs']}")
            return "task"
        if not callable(fitness):
            raise InputError(f"fitness must be a neat.Dataset, a task, or a function; got "
                             f"{type(fitness).__name__}")
        return "callback"

    def _evaluate(self, fitness: Any, kind: str, evaluator: Any) -> int | None:
        """Evaluate the current generation; the index of a genome a task solved, or None.
        Nothing is changed unless every fitness is good."""
        native = self._native
        if kind in ("dataset", "sequences", "task"):
            self._genomes = None  # Genome objects made before would hold stale fitness
        learning = getattr(self, "_learning", None)
        if kind == "dataset" and learning is not None:
            learn_population(native, self.config, fitness, learning)
            return None
        if kind == "dataset" and self._gated:
            # gated genomes: natively, as netgraph's kernels run their networks
            # (neat_gates.c); a genome the kernel leaves (softmax outputs) runs through
            # its network
            fits, done = native.evaluate_gated(fitness.X, fitness.y, COSTS[fitness.cost],
                                               fitness.offset)
            for i in np.flatnonzero(~done):
                one = _make_genome(genome_data(native.genome_data(int(i))), self.config)
                fits[i] = dataset_fitness(one.network, fitness.X, fitness.y, fitness.cost,
                                          fitness.offset)
            native.set_fitness(fits)
            self._genomes = None
            return None
        if kind == "dataset":
            native.evaluate_dataset(fitness.X, fitness.y, COSTS[fitness.cost],
                                    fitness.offset, fitness.threads)
            return None
        if kind == "sequences" and self._gated:
            # gated genomes: natively, outputs and cost (neat_gates.c, neat_seq.c); a
            # genome the kernel leaves (softmax outputs) through its network, the cost
            # summed as Sequences sums it
            fits, done = native.evaluate_gated_sequences(
                fitness.X, fitness.Y, fitness.starts, fitness.washout, COSTS[fitness.cost],
                fitness.offset)
            for k in np.flatnonzero(~done).tolist():
                def one(k: int = k) -> Any:
                    return _make_genome(genome_data(native.genome_data(k)), self.config)
                out = gated_outputs(native, k, one, fitness.X, fitness.starts[:-1])
                fits[k] = sequence_fitness(out, fitness.Y, fitness.starts, fitness.washout,
                                           fitness.cost, fitness.offset)
            native.set_fitness(fits)
            return None
        if kind == "sequences":
            fitness._evaluate(native, fitness.threads)
            return None
        if kind == "task":
            threads = fitness.threads
            if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
                raise InputError(f"{fitness!r}.threads must be a positive int, got {threads!r}")
            f, ok = native.evaluate_task(fitness._code, fitness._params(native), threads)
            if fitness._confirm:
                # a task with a further, longer test puts one genome a generation to it,
                # the one the task picks (by default the champion, the first of the
                # highest fitness; the double pole without velocities picks as Stanley's
                # NEAT C++ does, pole2_epoch)
                best = fitness._pick(native, f)
                return best if ok[best] and fitness._check(native, best) else None
            for i in np.flatnonzero(ok):
                if fitness._check(native, int(i)):
                    return int(i)
            return None
        genomes = self.genomes
        items = list(genomes.items())
        if kind == "callback":
            for _, g in items:
                g.fitness = None
            fitness(items, self.config)
            values = [check_fitness(g.fitness, key) for key, g in items]
        else:
            got = evaluator.evaluate(fitness, [g for _, g in items], self.config)
            got = list(got)
            if len(got) != len(items):
                raise InputError(f"the evaluator returned {len(got)} fitnesses for "
                                 f"{len(items)} genomes")
            values = [check_fitness(v, key) for (key, _), v in zip(items, got, strict=True)]
            for (_, g), v in zip(items, values, strict=True):
                g.fitness = v
        native.set_fitness(np.array(values, dtype=np.float64))
        if isinstance(fitness, Task):
            # through an evaluator, a task's run stops when the generation's best genome
            # (the first of the highest fitness) is solved
            best = int(np.argmax(np.array(values)))
            if fitness.solved(items[best][1]):
                return best
        return None

    def _record(self, best_fitness: float, mean: float, stdev: float, ids: list[int],
                sizes: list[int], best_size: tuple[int, int], best_key: int, data: bytes,
                solved: int | None) -> GenerationRecord:
        n = sum(sizes)
        return GenerationRecord(
            int(self._native.generation), self.evaluations + n, best_fitness, mean,
            stdev, tuple(zip(ids, sizes, strict=True)), best_key, best_size, data,
            None if solved is None else int(self._native.keys()[solved]))

    # ------------------------------------------------------------------ checkpoints

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the run to ``path`` as a versioned JSON checkpoint (schema
        ``schemas/netgraph-neat-checkpoint-v1.schema.json``), atomically: all of it or,
        on failure, none. ``Population.load(path)`` continues the run bit for bit."""
        from ._checkpoint import save

        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Population:
        """The population a checkpoint written by ``save`` holds, ready to ``run`` on.

        **Raises** ``NetworkFormatError`` naming what is wrong with the document."""
        from ._checkpoint import load

        return load(path)

    def _repr_html_(self) -> str | None:
        """Jupyter's view: netgraph.neat's population summary, where this netgraph has
        the evolution pictures (``netgraph.neat._pictures``); else the plain repr."""
        # looked up by name: the pictures module lands with another branch
        try:
            pictures = importlib.import_module("netgraph.neat._pictures")
        except ImportError:
            return None
        html: str = pictures.population_html(self)
        return html

    def __repr__(self) -> str:
        return (f"Population(generation={self.generation}, size={self._native.size}, "
                f"species={len(self._native.species())}, evaluations={self.evaluations})")


def _progress_bar(generations: int | None, show: bool | str | None) -> Any:
    """netgraph's progress bar over generations, or None where this netgraph has none."""
    # looked up by name: netgraph._progress lands with another branch
    try:  # sys.modules first: import_module costs as much as a small generation
        progress = sys.modules.get("netgraph._progress") or \
            importlib.import_module("netgraph._progress")
    except ImportError:
        return None
    return progress.ProgressBar(total=generations or 0, desc="neat", unit="gen",
                                show="auto" if show is None else show)


def _population_stagnant(history: list[GenerationRecord], limit: int) -> bool:
    """Whether NEAT C++'s population-level stagnation fires after the last record: its
    ``highest_last_changed`` counts the generations whose best did not beat the run's
    record, and delta coding resets it when it reaches ``limit`` (``Population::epoch``).
    Recomputed from the history, so a loaded checkpoint continues it exactly."""
    record = -math.inf
    since = 0
    fired = False
    for r in history:
        if r.best_fitness > record:
            record, since = r.best_fitness, 0
        else:
            since += 1
        fired = since >= limit
        if fired:
            since = 0
    return fired
