"""Reporters: neat-python's reporter hooks, called by ``Population.run``.

A reporter is any object with some of these methods (the missing ones are skipped):
``start_generation(generation)``, ``post_evaluate(config, population, species_set,
best_genome)``, ``post_reproduction(config, population, species_set)``,
``end_generation(config, population, species_set)``, ``found_solution(config, generation,
best)``, ``complete_extinction()``, ``species_stagnant(species_id, species)`` and
``info(message)``. ``population`` maps genome keys to ``Genome``s; ``species_set`` has
neat-python's ``species`` (id -> species with ``key``, ``created``, ``last_improved``,
``members``, ``fitness``, ``adjusted_fitness``) and ``get_species_id(key)``.

``StdOutReporter`` prints what neat-python's prints; ``StatisticsReporter`` keeps the best
genome of every generation and each species' fitnesses, with neat-python's accessors.
"""

from __future__ import annotations

import csv
import math
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["BaseReporter", "ReporterSet", "StatisticsReporter", "StdOutReporter"]


def _mean(values: Iterable[float]) -> float:
    items = [float(v) for v in values]
    return sum(items) / len(items)


def _stdev(values: Iterable[float]) -> float:
    """The population standard deviation (neat-python's ``math_util.stdev``)."""
    items = [float(v) for v in values]
    m = _mean(items)
    return math.sqrt(sum((v - m) ** 2 for v in items) / len(items))


def _median2(values: Iterable[float]) -> float:
    items = sorted(float(v) for v in values)
    n = len(items)
    if n <= 2:
        return _mean(items)
    return items[n // 2] if n % 2 else (items[n // 2 - 1] + items[n // 2]) / 2.0


class BaseReporter:
    """A reporter that does nothing: subclass it and override the hooks you need."""

    def start_generation(self, generation: int) -> None:
        """A generation begins (before its genomes are evaluated)."""

    def end_generation(self, config: Any, population: Any, species_set: Any) -> None:
        """A generation ended: ``population`` is the next generation's genomes."""

    def post_evaluate(self, config: Any, population: Any, species: Any,
                      best_genome: Any) -> None:
        """Every genome of the generation has a fitness; ``best_genome`` is its best."""

    def post_reproduction(self, config: Any, population: Any, species: Any) -> None:
        """The next generation was made."""

    def complete_extinction(self) -> None:
        """Every species went extinct."""

    def found_solution(self, config: Any, generation: int, best: Any) -> None:
        """The termination criterion (or a task) found ``best``."""

    def species_stagnant(self, sid: int, species: Any) -> None:
        """Species ``sid`` stagnated and was removed."""

    def info(self, msg: str) -> None:
        """A message for the user."""


class ReporterSet:
    """Reporters, each hook called on every one that has it (neat-python's ReporterSet)."""

    def __init__(self) -> None:
        self.reporters: list[Any] = []

    def add(self, reporter: Any) -> None:
        """Add a reporter."""
        self.reporters.append(reporter)

    def remove(self, reporter: Any) -> None:
        """Remove a reporter added before."""
        self.reporters.remove(reporter)

    def _each(self, hook: str) -> Callable[..., None]:
        def call(*args: Any) -> None:
            for r in self.reporters:
                f = getattr(r, hook, None)
                if f is not None:
                    f(*args)
        return call

    def __getattr__(self, hook: str) -> Callable[..., None]:
        if hook in _HOOKS:
            return self._each(hook)
        raise AttributeError(hook)


_HOOKS = frozenset(("start_generation", "end_generation", "post_evaluate",
                    "post_reproduction", "complete_extinction", "found_solution",
                    "species_stagnant", "info"))


class StdOutReporter(BaseReporter):
    """Prints each generation's progress as neat-python's ``StdOutReporter`` does.

    **Arguments**
    - ``show_species_detail``: also print the species table after each generation.
    """

    def __init__(self, show_species_detail: bool) -> None:
        self.show_species_detail = show_species_detail
        self.generation: int | None = None
        self.generation_start_time: float | None = None
        self.generation_times: list[float] = []
        self.num_extinctions = 0

    def start_generation(self, generation: int) -> None:
        self.generation = generation
        print(f"\n ****** Running generation {generation} ****** \n")
        self.generation_start_time = time.time()

    def end_generation(self, config: Any, population: Any, species_set: Any) -> None:
        ng, ns = len(population), len(species_set.species)
        if self.show_species_detail:
            print(f"Population of {ng:d} members in {ns:d} species (after reproduction):")
            print("   ID   age  size   fitness   adj fit  stag")
            print("  ====  ===  ====  =========  =======  ====")
            generation = self.generation or 0
            for sid in sorted(species_set.species):
                s = species_set.species[sid]
                f = "--" if s.fitness is None else f"{s.fitness:.3f}"
                af = "--" if s.adjusted_fitness is None else f"{s.adjusted_fitness:.3f}"
                print(f"  {sid:>4}  {generation - s.created:>3}  {len(s.members):>4}  "
                      f"{f:>9}  {af:>7}  {generation - s.last_improved:>4}")
        else:
            print(f"Population of {ng:d} members in {ns:d} species (after reproduction)")
        elapsed = time.time() - (self.generation_start_time or time.time())
        self.generation_times = [*self.generation_times, elapsed][-10:]
        average = sum(self.generation_times) / len(self.generation_times)
        print(f"Total extinctions: {self.num_extinctions:d}")
        if len(self.generation_times) > 1:
            print(f"Generation time: {elapsed:.3f} sec ({average:.3f} average)")
        else:
            print(f"Generation time: {elapsed:.3f} sec")

    def post_evaluate(self, config: Any, population: Any, species: Any,
                      best_genome: Any) -> None:
        fitnesses = [g.fitness for g in population.values()]
        print(f"Population's average fitness: {_mean(fitnesses):3.5f} stdev: "
              f"{_stdev(fitnesses):3.5f}")
        sid = species.get_species_id(best_genome.key)
        print(f"Best fitness: {best_genome.fitness:3.5f} - size: {best_genome.size()!r} - "
              f"species {sid} - id {best_genome.key}")

    def complete_extinction(self) -> None:
        self.num_extinctions += 1
        print("All species extinct.")

    def found_solution(self, config: Any, generation: int, best: Any) -> None:
        print(f"\nBest individual in generation {self.generation} meets fitness threshold - "
              f"complexity: {best.size()!r}")

    def species_stagnant(self, sid: int, species: Any) -> None:
        if self.show_species_detail:
            print(f"\nSpecies {sid} with {len(species.members)} members is stagnated: "
                  "removing it")

    def info(self, msg: str) -> None:
        print(msg)


def _snapshot(genome: Any) -> Any:
    """A copy of a genome that later generations cannot change (no cached network)."""
    from ._genome import Genome

    if isinstance(genome, Genome):
        return Genome(genome.data, genome.config, check=False)
    import copy

    return copy.deepcopy(genome)


class StatisticsReporter(BaseReporter):
    """Keeps each generation's best genome and every species' member fitnesses, with
    neat-python's ``StatisticsReporter`` accessors.

    **Attributes**
    - ``most_fit_genomes``: the best genome of each generation (copies).
    - ``generation_statistics``: per generation, species id -> {genome key: fitness}.
    """

    def __init__(self) -> None:
        self.most_fit_genomes: list[Any] = []
        self.generation_statistics: list[dict[int, dict[int, float]]] = []

    def post_evaluate(self, config: Any, population: Any, species: Any,
                      best_genome: Any) -> None:
        self.most_fit_genomes.append(_snapshot(best_genome))
        self.generation_statistics.append({
            sid: {k: g.fitness for k, g in s.members.items()}
            for sid, s in species.species.items()})

    def get_fitness_stat(self, f: Callable[[list[float]], float]) -> list[float]:
        """``f`` of all fitnesses, per generation."""
        return [f([v for members in stats.values() for v in members.values()])
                for stats in self.generation_statistics]

    def get_fitness_mean(self) -> list[float]:
        """The mean fitness, per generation."""
        return self.get_fitness_stat(_mean)

    def get_fitness_stdev(self) -> list[float]:
        """The population standard deviation of fitness, per generation."""
        return self.get_fitness_stat(_stdev)

    def get_fitness_median(self) -> list[float]:
        """The median fitness, per generation."""
        return self.get_fitness_stat(_median2)

    def best_genomes(self, n: int) -> list[Any]:
        """The ``n`` fittest of the generations' best genomes."""
        return sorted(self.most_fit_genomes, key=lambda g: g.fitness, reverse=True)[:n]

    def best_unique_genomes(self, n: int) -> list[Any]:
        """As ``best_genomes``, each genome key once."""
        unique = {g.key: g for g in self.most_fit_genomes}
        return sorted(unique.values(), key=lambda g: g.fitness, reverse=True)[:n]

    def best_genome(self) -> Any:
        """The fittest genome seen."""
        return self.best_genomes(1)[0]

    def get_species_sizes(self) -> list[list[int]]:
        """Per generation, the size of species 1 .. the highest id (0 where absent)."""
        top = max((sid for stats in self.generation_statistics for sid in stats), default=0)
        return [[len(stats.get(sid, {})) for sid in range(1, top + 1)]
                for stats in self.generation_statistics]

    def get_species_fitness(self, null_value: Any = "") -> list[list[Any]]:
        """Per generation, each species' mean fitness (``null_value`` where absent)."""
        top = max((sid for stats in self.generation_statistics for sid in stats), default=0)
        return [[_mean(stats[sid].values()) if stats.get(sid) else null_value
                 for sid in range(1, top + 1)] for stats in self.generation_statistics]

    def save_genome_fitness(self, delimiter: str = " ",
                            filename: str | os.PathLike[str] = "fitness_history.csv") -> None:
        """Write each generation's best and mean fitness."""
        rows = zip([g.fitness for g in self.most_fit_genomes], self.get_fitness_mean(),
                   strict=False)
        _write_rows(filename, delimiter, rows)

    def save_species_count(self, delimiter: str = " ",
                           filename: str | os.PathLike[str] = "speciation.csv") -> None:
        """Write each generation's species sizes."""
        _write_rows(filename, delimiter, self.get_species_sizes())

    def save_species_fitness(self, delimiter: str = " ", null_value: Any = "NA",
                             filename: str | os.PathLike[str] = "species_fitness.csv") -> None:
        """Write each generation's species mean fitnesses."""
        _write_rows(filename, delimiter, self.get_species_fitness(null_value))

    def save(self) -> None:
        """All three files, in the current directory (neat-python's names)."""
        self.save_genome_fitness()
        self.save_species_count()
        self.save_species_fitness()


def _write_rows(filename: str | os.PathLike[str], delimiter: str, rows: Iterable[Any]) -> None:
    with open(filename, "w", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        for row in rows:
            w.writerow(row)
