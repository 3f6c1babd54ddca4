"""Benchmark tasks of neuro-evolution, evaluated natively: ``pop.run(task)``.

Each task has ``num_inputs`` and ``num_outputs`` (make the ``Config`` with them), and
``solved(genome) -> bool``; ``pop.run(task)`` stops at the first genome the task calls
solved and returns it. The fitness of a whole population is computed in one native call
with the GIL released, on ``task.threads`` threads (default 1; the result does not depend
on it).

- ``XOR()``: the 2002 paper's XOR (Stanley & Miikkulainen, *Evolving Neural Networks
  through Augmenting Topologies*, Evol. Comput. 10(2)): fitness ``(4 - sum |o - t|)^2`` over
  the four cases; solved when every output is on the right side of 0.5.
  ``XOR(bias_input=True)`` also feeds NEAT C++'s constant bias input (1.0, first).
- ``Multiplexer(11)``: the binary 11-multiplexer (3 address bits, 8 data bits, 2,048
  cases): fitness 2048 - sum (o - t)^2; solved when every output is on the right side of
  0.5.
- ``CartPole()``: single pole balancing with gymnasium's ``CartPole-v1`` dynamics (same
  constants, same Euler step); fitness = steps balanced; solved at ``max_steps``.
- ``DoublePole(velocities=True|False)``: Wieland's double pole as the 2002 paper ran it;
  see the class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._exceptions import InputError

if TYPE_CHECKING:
    from ._config import Config
    from ._native import NativePopulation

__all__ = ["XOR", "CartPole", "DoublePole", "Multiplexer", "Task"]


class Task:
    """Base of the native tasks: ``num_inputs``, ``num_outputs``, ``solved(genome)``.

    Subclasses say which native task they are (``_code``) and its parameters."""

    _code: int = -1
    num_inputs: int = 0
    num_outputs: int = 1
    #: native threads evaluating the population (set it: ``task.threads = 2``)
    threads: int = 1
    #: whether a genome the evaluation flags must pass a further, longer test
    _confirm: bool = False

    def _params(self, native: NativePopulation) -> npt.NDArray[np.float64]:
        """The native parameters for one generation's evaluation (may draw from the
        population's generator)."""
        raise NotImplementedError

    def _solved_params(self) -> npt.NDArray[np.float64]:
        """The parameters ``solved(genome)`` evaluates with."""
        raise NotImplementedError

    def _check(self, native: NativePopulation, index: int) -> bool:
        """The further test of genome ``index`` (only where ``_confirm``)."""
        return True

    def _pick(self, native: NativePopulation, fitness: npt.NDArray[np.float64]) -> int:
        """The one genome of this generation put to the further test (only where
        ``_confirm``): the champion, the first of the highest fitness."""
        return int(np.argmax(fitness))

    def fitness(self, genome: Any) -> float:
        """The task's fitness of one genome (a ``Genome`` or ``GenomeData``)."""
        native = _single(self, genome)
        f, _ = native.evaluate_task(self._code, self._solved_params())
        return float(f[0])

    def solved(self, genome: Any) -> bool:
        """Whether the task calls ``genome`` (a ``Genome`` or ``GenomeData``) solved."""
        native = _single(self, genome)
        _, ok = native.evaluate_task(self._code, self._solved_params())
        return bool(ok[0]) and (not self._confirm or self._check(native, 0))

    def __call__(self, genome: Any, config: Any) -> float:
        """``fitness(genome)``: the per-genome form evaluators call."""
        return self.fitness(genome)


def _single(task: Task, genome: Any) -> NativePopulation:
    from ._native import single_population

    return single_population(genome)


class XOR(Task):
    """The paper's XOR: one output; fitness ``(4 - sum |o - t|)^2`` (at most 16); solved
    when every output is on the right side of 0.5.

    **Arguments**
    - ``bias_input``: feed the paper's bias input, a constant 1.0, before the two inputs
      (3 inputs, as NEAT C++'s ``xor_evaluate`` feeds ``{1.0, a, b}``; make the
      configuration with ``Config.paper(3, 1, bias_input=True, bias_input_index=0)``:
      nodes without biases, the bias input's connections never split, as in NEAT C++);
      else the two inputs alone, the nodes' biases taking its place. The default: with
      ``Config.paper`` the two inputs and node biases solved XOR in fewer evaluations
      (100 seeds, mean 4,600 against 5,724 for the bias input; see
      ``benchmarks/README.md``).
    """

    _code = 0
    num_outputs = 1

    def __init__(self, bias_input: bool = False) -> None:
        if not isinstance(bias_input, bool):
            raise InputError(f"bias_input must be True or False, got {bias_input!r}")
        self.bias_input = bias_input
        self.num_inputs = 3 if bias_input else 2

    def _params(self, native: NativePopulation) -> npt.NDArray[np.float64]:
        return self._solved_params()

    def _solved_params(self) -> npt.NDArray[np.float64]:
        return np.array([1.0]) if self.bias_input else np.zeros(0)

    def __repr__(self) -> str:
        return "XOR(bias_input=True)" if self.bias_input else "XOR()"


class Multiplexer(Task):
    """The binary multiplexer of ``inputs`` inputs: 6 (2 address bits), 11 (3), 20 (4)
    or 37 (5). The inputs are the address bits (most significant first) then the data
    bits, each 0 or 1; the target is the addressed data bit. fitness = cases - sum
    (o - t)^2; solved when every output is on the right side of 0.5."""

    _code = 1
    num_outputs = 1

    def __init__(self, inputs: int = 11) -> None:
        bits = {6: 2, 11: 3, 20: 4, 37: 5}.get(inputs)
        if bits is None:
            raise InputError(f"a multiplexer has 6, 11, 20 or 37 inputs, not {inputs!r}")
        self.address_bits = bits
        self.num_inputs = inputs

    def _params(self, native: NativePopulation) -> npt.NDArray[np.float64]:
        return np.array([float(self.address_bits)])

    def _solved_params(self) -> npt.NDArray[np.float64]:
        return np.array([float(self.address_bits)])

    def __repr__(self) -> str:
        return f"Multiplexer({self.num_inputs})"


class CartPole(Task):
    """Single pole balancing: gymnasium's ``CartPole-v1`` dynamics, unchanged.

    Constants (gymnasium ``classic_control/cartpole.py``): gravity 9.8 m/s^2, cart 1.0 kg,
    pole 0.1 kg, half-length 0.5 m, force 10 N, time step 0.02 s with its Euler
    integrator; failure beyond 12 degrees or 2.4 m. The network reads the state
    (x, x', theta, theta') as it is and pushes right when its output is above 0.5.
    Every generation starts all genomes from one state drawn uniformly in +-0.05 (as
    gymnasium's ``reset``) from the population's generator.

    **Arguments**
    - ``max_steps``: the steps to balance; fitness = steps balanced, solved at
      ``max_steps`` (default 100,000).
    """

    _code = 2
    num_inputs = 4
    num_outputs = 1

    def __init__(self, max_steps: int = 100_000) -> None:
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise InputError(f"max_steps must be a positive int, got {max_steps!r}")
        self.max_steps = max_steps
        self.start = np.zeros(4)

    def _params(self, native: NativePopulation) -> npt.NDArray[np.float64]:
        self.start = native.uniforms(4) * 0.1 - 0.05
        return np.concatenate([[float(self.max_steps)], self.start])

    def _solved_params(self) -> npt.NDArray[np.float64]:
        return np.concatenate([[float(self.max_steps)], self.start])

    def __repr__(self) -> str:
        return f"CartPole(max_steps={self.max_steps})"


class DoublePole(Task):
    """Double pole balancing (Wieland 1991) as Stanley & Miikkulainen 2002 ran it, with
    the constants of Stanley's NEAT C++ code (``cpole.cpp``), also used by Gomez et al.
    2008 (*Accelerated Neural Evolution through Cooperatively Coevolved Synapses*,
    JMLR 9):

    - cart 1.0 kg on a 4.8 m track (failure beyond +-2.4 m); poles of 1.0 m / 0.1 kg and
      0.1 m / 0.01 kg (half-lengths 0.5 and 0.05 m); hinge friction 0.000002; gravity
      9.8 m/s^2; either pole failing beyond 36 degrees (0.628329 rad).
    - force (output - 0.5) * 2 * 10 N, integrated by fourth-order Runge-Kutta with a
      0.01 s step, two steps per network activation.
    - start: the long pole at 0.07 rad (about 4 degrees), everything else 0.
    - inputs scaled as cpole.cpp: x / 4.8, x' / 2, theta / 0.52, theta' / 2, plus a
      constant 0.5 input (the paper's bias): 7 inputs with velocities, 4 without
      (x, theta1, theta2, 0.5).

    ``velocities=True``: fitness = steps balanced (at most 100,000); solved at 100,000.
    ``velocities=False`` (needs a recurrent configuration, ``feed_forward = False``):
    Gruau et al.'s (1996) damping fitness over at most 1,000 steps,
    ``0.1 * t / 1000 + 0.9 * 0.75 / sum over the last 100 steps of (|x| + |x'| +
    |theta1| + |theta1'|)`` (the second term from t = 100); a genome that balances the
    1,000 steps is solved when it also balances 100,000 steps from the standard start
    and passes the generalisation test: at least 200 of 625 starts (x, x', theta1,
    theta1' each at 0.05, 0.25, 0.5, 0.75, 0.95 of +-2.16 m, +-1.35 m/s, +-3.6 degrees,
    +-8.6 degrees/s) balanced for 1,000 steps. ``pop.run`` puts one genome a generation
    to that test, picked as NEAT C++'s ``pole2_epoch`` picks it: the champion of the
    best species not tested since its best fitness last rose (the best species' when
    all were), so a champion that failed waits until its species improves while the
    next species' champion gets the test. That memory of tested species lives in the
    task object, for the run it last served (a run resumed elsewhere starts without it).
    ``DoublePole.config(velocities)`` gives the paper's configuration for each task.

    Checked against Stanley's NEAT C++ 1.2 (``experiments.cpp``, ``CartPole``):
    constants, the RK4 step and its derivative order, the inputs and their scaling,
    the force, the 36-degree and 2.4 m bounds, the start, the jiggle of the last 100
    balanced steps, the 625 starts and the 200 threshold agree. Its off-by-ones are not
    copied: it passes a generalisation start at 999 balanced steps and the long test at
    99,998 (here 1,000 and 100,000, as the paper states them), and it adds the damping
    term from t > 100 (here from t >= 100, as Gruau et al. define it).
    """

    _code = 3
    num_outputs = 1

    def __init__(self, velocities: bool = True) -> None:
        self.velocities = bool(velocities)
        self.num_inputs = 7 if self.velocities else 4
        self._confirm = not self.velocities
        self.generalisation: int | None = None
        # pole2_epoch's memory of the species, for one run: species key ->
        # [checked, max_fitness_ever]; and which run and generation it is of
        self._species: dict[int, list[Any]] = {}
        self._seen: tuple[int, int] | None = None

    @staticmethod
    def config(velocities: bool = True, **changes: Any) -> Config:
        """``Config.paper`` with the settings Stanley & Miikkulainen 2002 changed for the
        double pole (section 4.1, "Parameter settings").

        With velocities: ``Config.paper(7, 1, bias_input=True)`` (population 150,
        feed-forward genomes: with every velocity given, the task needs no memory). The
        task feeds the paper's bias input (0.5), so nodes carry no bias of their own, as
        NEAT C++'s nodes have none (see ``Config.paper``; 98/100 seeds solved with it,
        77/100 with node biases; 100/100, mean 3,502 evaluations, with NEAT C++'s
        add-node rule for small genomes, ``split_old_genes``). Its genes out of the bias
        input are split like any other: NEAT C++ never splits them
        (``bias_input_index = 6``), which solved 97/100 seeds, mean 5,388 (100/100, mean
        3,608 together with ``split_old_genes``).

        Without velocities, the paper's changes for that task (section 4.1,
        paraphrased), which Stanley's NEAT C++ 1.2.1 parameter
        file for it (``p2nv.ne``, run by ``pole2_test(100, 0)``) also has:

        - ``pop_size = 1000`` (``pop_size 1000``): 150 in the other experiments.
        - ``conn_add_prob = 0.3`` (``mutate_add_link_prob 0.3``): the larger population
          tolerates more prospective species and more topological diversity (0.05 with
          150).
        - ``compatibility_weight_coefficient = 3.0`` and ``compatibility_threshold =
          4.0`` (``mutdiff_coeff 3.0``, ``compat_thresh 4.0``): c3 = 3.0 and δt = 4.0,
          for finer distinctions between species by weight differences (c3 = 0.4 and
          δt = 3.0 elsewhere).
        - ``feed_forward = False``: the network must remember (it sees no velocity).
          NEAT C++ activates every neuron from the previous step's values (its
          ``Network::activate`` sums all inputs, then updates all neurons), as
          neat-python's recurrent networks and netgraph's recurrent genomes do, so a
          hidden neuron delays its signal one step; and it adds recurrent links
          (``recur_only_prob 0.2`` of its added links; here add-connection may pick
          any pair, backward and self links included).

        Not in the paper, from ``p2nv.ne`` where it differs from the XOR file that
        ``Config.paper`` takes its unstated sizes from:

        - ``weight_mutate_power = 1.8`` (``weight_mut_power 1.8``; 2.5 in
          ``Config.paper``): perturbations uniform in ±1.8.
        - ``survival_threshold = 0.4`` (``survival_thresh 0.4``; 0.2 in
          ``Config.paper``): the best 40% of a species breed.
        - ``node_add_prob = 0.01`` (``mutate_add_node_prob 0.01``; the paper's 0.03 is
          stated for the populations of 150).
        - ``add_connection_rule = "neat-c++"``, ``recurrent_connection_rate = 0.2``
          (``recur_only_prob 0.2``; ``Genome::mutate_add_link``): a new link may leave
          any node, the output included, and a fifth of the link mutations look only
          for a recurrent link (half their tries a self-link), the others only for a
          link that closes no cycle. netgraph's neat-python rule never links out of an
          output, so a genome without hidden nodes could not add a link at all; here the
          output's self-link, the cheapest memory, comes in the first generations.

        From NEAT C++ 1.2's code, as it runs this task (``Config.paper`` keeps the
        paper's text where the two differ; see ``tests/test_neat_cpp_details.py``):

        - ``bias_input=True`` with ``bias_input_index = 3``: the task's fourth input is
          the bias input (0.5), so nodes carry no bias of their own (NEAT C++'s nodes
          have none), and add-node never splits a bias link (``mutate_add_node``).
        - ``champion_by_spawn = True``: a species' champion is copied unchanged when the
          species gets more than five offspring (``Species::reproduce``,
          ``expected_offspring > 5``). With 1,000 genomes in 300-600 species of one to a
          few genomes, the paper's "more than five networks" would spare almost no
          champion, the best species' included.

        Measured (``benchmarks/neat_quality.py --task pole-nv``, seeds 0-19 each,
        evaluations of the solved runs): this configuration 17/20 solved, mean 38,059,
        median 17,000 (seeds 0-64: 52/65, mean 63,192, median 18,500: faster typical
        runs, but more runs stuck at a damping fitness near 0.12, generalising to about
        120 of the 625 starts); node biases as before (not ``bias_input``) 89/99 solved,
        mean 51,719, median 37,000 (seeds 0-98, before the ziggurat generator);
        ``bias_input`` alone 18/20,
        mean 67,333, median 31,000; with NEAT C++'s add-link rule 19/20, mean 58,368,
        median 38,000; and its champion rule 20/20, mean 66,150, median 46,500 (before
        ``split_old_genes`` came into ``Config.paper``); with also NEAT C++'s
        ``mate_only_rate = 0.2``, ``weight_mutation = "neat-c++"``,
        ``crossover_tie_smaller`` and ``interspecies_partner = "champion"`` 16/20, mean
        50,062, median 27,500 (so those are left out). NEAT C++ 1.2 itself, built from
        its source and run with ``p2nv.ne`` on this machine: 10 of 10 runs solved,
        mean 28,477 evaluations.

        Left out: ``mutate_toggle_enable_prob 0.1`` and ``mutate_gene_reenable_prob
        0.05`` (NEAT C++ toggles one random gene of a genome; neat-python's
        ``enabled_mutate_rate`` is per gene, a different operator), and NEAT C++'s delta
        coding (``population_stagnation = 20``: on seeds 0-19, 17 solved against 19).
        Also left out, NEAT C++'s stagnation rules (seeds 18-29, where this
        configuration solves 7/12, mean 79,714): ``stagnation_penalty = 0.01`` with
        ``species_elitism = 0`` (``Species::adjust_fitness``) 8/12, mean 107,125 (two
        stuck seeds solved, one new failure); ``obliterate_every = 30``
        (``Population::epoch``) 10/12, mean 97,700, but on seeds 0-11 10/12 against
        12/12 (two new failures); both, as NEAT C++ runs them, 9/12, mean 120,000
        (three stuck seeds solved, one new failure).
        NEAT C++ gives a run 100 generations (100,000 evaluations); the benchmark allows
        the issue's 400,000.

        **Arguments**
        - ``velocities``: which of the two tasks.
        - ``changes``: any other key to override.

        **Returns** the ``Config`` (4 inputs without velocities, 7 with; 1 output).
        """
        from ._config import Config

        if velocities:
            return Config.paper(7, 1, **{"bias_input": True, **changes})
        values: dict[str, Any] = {
            "pop_size": 1000, "conn_add_prob": 0.3,
            "compatibility_weight_coefficient": 3.0, "compatibility_threshold": 4.0,
            "feed_forward": False, "weight_mutate_power": 1.8,
            "survival_threshold": 0.4, "node_add_prob": 0.01,
            "add_connection_rule": "neat-c++", "recurrent_connection_rate": 0.2,
            "bias_input": True, "bias_input_index": 3, "champion_by_spawn": True}
        return Config.paper(4, 1, **{**values, **changes})

    def _pick(self, native: NativePopulation, fitness: npt.NDArray[np.float64]) -> int:
        """NEAT C++'s choice of the genome to put to the long test (``pole2_epoch``,
        non-Markov case): the species sorted by their best fitness, a species counts
        as *checked* once its champion was tested and unchecked again when its best
        fitness rises above the best it ever had (``max_fitness_ever``, before this
        generation); the champion of the first unchecked species is tested (of the
        first species when all are checked), and that species becomes checked. So a
        champion that failed is not tested again until its species improves, and the
        next species' champion gets its turn. With velocities: the champion."""
        if self.velocities:
            return super()._pick(native, fitness)
        generation = int(native.generation)
        if self._seen != (id(native), generation - 1):
            self._species = {}  # a new run (or one resumed elsewhere): no memory
        self._seen = (id(native), generation)
        ids = np.asarray(native.species_ids(), dtype=np.int64)
        best: dict[int, int] = {}  # species -> index of its champion (first of the best)
        for i, s in enumerate(ids.tolist()):
            if s not in best or fitness[i] > fitness[best[s]]:
                best[s] = i
        # by best fitness, highest first; ties in the order the species first appear
        order = sorted(best, key=lambda s: -float(fitness[best[s]]))
        for s in order:
            memory = self._species.setdefault(s, [False, 0.0])
            if float(fitness[best[s]]) > memory[1]:
                memory[0] = False
        chosen = next((s for s in order if not self._species[s][0]), order[0])
        self._species[chosen][0] = True
        for s in order:  # Population::epoch then records each species' best ever
            self._species[s][1] = max(self._species[s][1], float(fitness[best[s]]))
        return best[chosen]

    def _params(self, native: NativePopulation) -> npt.NDArray[np.float64]:
        return np.array([1.0 if self.velocities else 0.0,
                         100_000.0 if self.velocities else 1000.0])

    def _solved_params(self) -> npt.NDArray[np.float64]:
        return self._params(None)  # type: ignore[arg-type]

    def _check(self, native: NativePopulation, index: int) -> bool:
        ok, count = native.doublepole_solved(index, self.velocities)
        self.generalisation = None if count < 0 else int(count)
        return bool(ok)

    def __repr__(self) -> str:
        return f"DoublePole(velocities={self.velocities})"
