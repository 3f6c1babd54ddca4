"""The double pole task against an independent plain-Python oracle.

The oracle is written here from the published formulas, not from the task's C code:
Wieland's (1991) equations for a cart with two hinged poles, as Gomez et al. 2008 (JMLR 9,
appendix) and Stanley & Miikkulainen 2002 state them,

    x''   = (F + sum_i F~_i) / (M + sum_i m~_i)
    F~_i  = m_i l_i th_i'^2 sin th_i + 3/4 m_i cos th_i (mu_p th_i' / (m_i l_i) + g sin th_i)
    m~_i  = m_i (1 - 3/4 cos^2 th_i)
    th_i'' = -3 / (4 l_i) (x'' cos th_i + g sin th_i + mu_p th_i' / (m_i l_i))

(l_i half a pole's length, g = -9.8 m/s^2 in this sign convention, no cart friction as in
Stanley's code), with the constants of the 2002 experiments (cart 1 kg; poles 0.1 kg /
0.5 m and 0.01 kg / 0.05 m half-lengths; mu_p = 0.000002; force (output - 0.5) * 20 N;
two classical fourth-order Runge-Kutta steps of 0.01 s per network activation; failure
beyond 2.4 m or 36 degrees; the long pole starting at 0.07 rad). The controller is the
genome evaluated in plain Python too (neat-python's network semantics: a recurrent genome
reads every node's value of the previous activation). The oracle runs all its
trajectories at once with numpy, so the 625-start generalisation test costs seconds.

Checked against the native task: the state after every step for several controllers,
the steps balanced, Gruau et al.'s damping fitness, and, for a controller evolved to solve
the task (tests/fixtures/neat/dpnv_champion.json), the number of the 625 generalisation
starts it balances."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from netgraph import _neat
from netgraph.neat import Config, Genome, GenomeData, Population, tasks

FIXTURE = Path(__file__).parent / "fixtures" / "neat" / "dpnv_champion.json"

GRAVITY = -9.8
CART_MASS = 1.0
POLES = ((0.1, 0.5), (0.01, 0.05))  # (mass kg, half-length m): 1 m and 0.1 m poles
HINGE_FRICTION = 0.000002
FORCE = 10.0
TAU = 0.01
TRACK = 2.4
FAIL_ANGLE = 36.0 * math.pi / 180.0
START_ANGLE = 0.07

Array = npt.NDArray[np.float64]


def derivatives(s: Array, force: Array) -> Array:
    """d/dt of the states s (n x 6: x, x', th1, th1', th2, th2') under ``force`` (n)."""
    x_acc_num = force.copy()
    mass = np.full_like(force, CART_MASS)
    for i, (m, half) in enumerate(POLES):
        th, w = s[:, 2 + 2 * i], s[:, 3 + 2 * i]
        friction = HINGE_FRICTION * w / (m * half)
        x_acc_num += m * half * w * w * np.sin(th) + 0.75 * m * np.cos(th) * (
            friction + GRAVITY * np.sin(th))
        mass += m * (1.0 - 0.75 * np.cos(th) ** 2)
    x_acc = x_acc_num / mass
    d = np.empty_like(s)
    d[:, 0], d[:, 1] = s[:, 1], x_acc
    for i, (m, half) in enumerate(POLES):
        th, w = s[:, 2 + 2 * i], s[:, 3 + 2 * i]
        d[:, 2 + 2 * i] = w
        d[:, 3 + 2 * i] = -0.75 / half * (x_acc * np.cos(th) + GRAVITY * np.sin(th)
                                          + HINGE_FRICTION * w / (m * half))
    return d


def step(s: Array, output: Array) -> Array:
    """One network activation's worth of simulation: two classical RK4 steps."""
    force = (output - 0.5) * 2.0 * FORCE
    for _ in range(2):
        k1 = derivatives(s, force)
        k2 = derivatives(s + TAU / 2 * k1, force)
        k3 = derivatives(s + TAU / 2 * k2, force)
        k4 = derivatives(s + TAU * k3, force)
        s = s + TAU / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return s


def failed(s: Array) -> npt.NDArray[np.bool_]:
    return ((np.abs(s[:, 0]) > TRACK) | (np.abs(s[:, 2]) > FAIL_ANGLE)
            | (np.abs(s[:, 4]) > FAIL_ANGLE))


def inputs(s: Array, velocities: bool) -> Array:
    """The network's inputs, scaled as the paper's code scales them, plus 0.5 (bias)."""
    half = np.full(len(s), 0.5)
    if velocities:
        return np.stack([s[:, 0] / 4.8, s[:, 1] / 2, s[:, 2] / 0.52, s[:, 3] / 2,
                         s[:, 4] / 0.52, s[:, 5] / 2, half], axis=1)
    return np.stack([s[:, 0] / 4.8, s[:, 2] / 0.52, s[:, 4] / 0.52, half], axis=1)


class Controller:
    """A genome's network over n trajectories at once, in plain Python: steepened
    sigmoids 1/(1+e^(-4.9 z)) of bias + response * (weighted sum of enabled inputs);
    feed-forward genomes in dependency order, recurrent ones from the previous values."""

    def __init__(self, data: GenomeData, recurrent: bool, n: int) -> None:
        self.recurrent = recurrent
        self.nodes = {int(k): (float(b), float(r)) for k, b, r in
                      zip(data.node_key, data.node_bias, data.node_response, strict=True)}
        self.incoming: dict[int, list[tuple[int, float]]] = {k: [] for k in self.nodes}
        for i, o, w, e in zip(data.conn_in, data.conn_out, data.conn_weight,
                              data.conn_enabled, strict=True):
            if e:
                self.incoming[int(o)].append((int(i), float(w)))
        self.values = {k: np.zeros(n) for k in self.nodes}
        self.order = list(self.nodes)
        if not recurrent:
            self.order, done = [], set()
            while len(self.order) < len(self.nodes):
                for k in sorted(self.nodes):
                    if k not in done and all(i < 0 or i in done for i, _ in self.incoming[k]):
                        self.order.append(k)
                        done.add(k)

    def __call__(self, x: Array) -> Array:
        old = dict(self.values)
        for k in self.order:
            total = np.zeros(len(x))
            for i, w in self.incoming[k]:
                source = x[:, -i - 1] if i < 0 else (old[i] if self.recurrent
                                                     else self.values[i])
                total = total + source * w
            bias, response = self.nodes[k]
            z = bias + response * total
            with np.errstate(over="ignore"):  # exp overflows to inf: the sigmoid is 0
                self.values[k] = 1.0 / (1.0 + np.exp(-4.9 * z))
        return self.values[0]


def run(data: GenomeData, starts: Array, velocities: bool, recurrent: bool,
        max_steps: int, trace: list[Array] | None = None) -> tuple[npt.NDArray[np.int64],
                                                                  Array]:
    """Balance from each start: the steps balanced (at most max_steps) and, for the first
    start, |x| + |x'| + |th1| + |th1'| after each balanced step (Gruau's jiggle)."""
    net = Controller(data, recurrent, len(starts))
    s = starts.copy()
    steps = np.zeros(len(s), dtype=np.int64)
    alive = np.ones(len(s), dtype=bool)
    jiggle = []
    for _ in range(max_steps):
        s = step(s, net(inputs(s, velocities)))
        if trace is not None:
            trace.append(s[0].copy())
        alive &= ~failed(s)
        if not alive.any():
            break
        s[~alive] = 0.0  # a failed run stays failed; its state no longer matters
        steps += alive
        if alive[0]:
            jiggle.append(float(np.abs(s[0, :4]).sum()))
    return steps, np.array(jiggle)


def gruau_fitness(steps: int, jiggle: Array) -> float:
    """Gruau et al. 1996: 0.1 t/1000 + 0.9 * 0.75 / (sum over the last 100 steps of the
    jiggle), the second term only from t = 100."""
    f = 0.1 * steps / 1000.0
    if steps >= 100:
        f += 0.9 * 0.75 / float(np.sum(jiggle[steps - 100:steps]))
    return f


def standard_start() -> Array:
    s = np.zeros((1, 6))
    s[0, 2] = START_ANGLE
    return s


def _controllers(velocities: bool) -> list[Genome]:
    """A few genomes of a short run, the best of its last generation first."""
    task = tasks.DoublePole(velocities=velocities)
    config = Config.paper(task.num_inputs, 1, feed_forward=velocities, pop_size=40)
    pop = Population(config, seed=3)
    pop.run(task, 4)
    genomes = sorted(pop.genomes.values(), key=lambda g: -float(g.fitness or 0.0))
    return genomes[:2] + genomes[-1:]


def _champion() -> tuple[Genome, dict[str, Any]]:
    doc = json.loads(FIXTURE.read_text())
    config = Config.paper(4, 1, feed_forward=False)
    data = GenomeData.build(1, doc["nodes"], doc["connections"])
    return Genome.from_data(data, config), doc


def test_trajectories_follow_the_oracle_step_by_step() -> None:
    for velocities in (True, False):
        for genome in _controllers(velocities):
            recurrent = not velocities
            trace: list[Array] = []
            steps, jiggle = run(genome.data, standard_start(), velocities, recurrent, 1000,
                                trace)
            # the native step function, fed by its own plain-Python controller
            net = Controller(genome.data, recurrent, 1)
            s = standard_start()
            for k, want in enumerate(trace):
                out = float(net(inputs(s, velocities))[0])
                s = np.array([_neat.doublepole_step(tuple(float(v) for v in s[0]), out)])
                np.testing.assert_allclose(s[0], want, rtol=1e-9, atol=1e-12,
                                           err_msg=f"step {k}")
                # each step from the oracle's state: the dynamics are chaotic, and the
                # last-bit differences of two orders of arithmetic would otherwise grow
                # past any tolerance within a few hundred steps
                s = np.array([want])
            task = tasks.DoublePole(velocities=velocities)
            native = task.fitness(genome)
            if velocities:
                assert native == steps[0]
            else:
                assert math.isclose(native, gruau_fitness(int(steps[0]), jiggle),
                                    rel_tol=1e-9)


def test_an_evolved_solution_passes_the_oracles_tests_as_the_task_says() -> None:
    genome, _ = _champion()
    task = tasks.DoublePole(velocities=False)
    # the task balances it 100,000 steps from the standard start (too long a run for
    # this oracle in a test), then counts the generalisation starts it balances
    assert task.solved(genome)
    # the oracle's generalisation test: the 625 starts at 0.05 .. 0.95 of the ranges
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    starts = np.array([[a * 4.32 - 2.16, b * 2.70 - 1.35, c * 0.12566304 - 0.06283152,
                        d * 0.30019504 - 0.15009752, 0.0, 0.0]
                       for a in levels for b in levels for c in levels for d in levels])
    balanced, _ = run(genome.data, starts, False, True, 1000)
    count = int(np.sum(balanced >= 1000))
    assert task.generalisation == count
    assert count >= 200
    # and the damping fitness of its 1,000-step run from the standard start
    steps, jiggle = run(genome.data, standard_start(), False, True, 1000)
    assert math.isclose(task.fitness(genome), gruau_fitness(int(steps[0]), jiggle),
                        rel_tol=1e-9)


class _FakeNative:
    """What ``DoublePole._pick`` reads of a population: its generation and each genome's
    species."""

    def __init__(self, species: list[int]) -> None:
        self.generation = 0
        self.ids = np.array(species, dtype=np.int64)

    def species_ids(self) -> npt.NDArray[np.int64]:
        return self.ids


def test_the_genome_put_to_the_long_test_rotates_through_species_as_neat_cpp() -> None:
    # NEAT C++ pole2_epoch, written out by hand: species sorted by best fitness; a
    # species is checked once its champion was tested, unchecked again when its best
    # rises above the best it had before; the first unchecked species' champion is
    # tested (the first species' when all are checked)
    task = tasks.DoublePole(velocities=False)
    native = _FakeNative([7, 7, 9, 9, 9, 4])
    rounds = [
        # fitness of the six genomes, the index NEAT C++ tests
        ([0.2, 0.5, 0.1, 0.3, 0.3, 0.05], 1),   # 7 (0.5) > 9 (0.3) > 4: 7's champion
        ([0.2, 0.5, 0.1, 0.3, 0.3, 0.05], 3),   # 7 checked, not improved: 9's (first 0.3)
        ([0.2, 0.5, 0.1, 0.3, 0.3, 0.05], 5),   # 7, 9 checked: 4's
        ([0.2, 0.5, 0.1, 0.3, 0.3, 0.05], 1),   # all checked: the first species', 7's
        ([0.2, 0.5, 0.1, 0.3, 0.35, 0.05], 4),  # 9 improved past 0.3: its new champion
        ([0.6, 0.5, 0.1, 0.3, 0.35, 0.05], 0),  # 7 improved (0.6 > 0.5) and leads
    ]
    for generation, (fitness, want) in enumerate(rounds):
        native.generation = generation
        got = task._pick(native, np.array(fitness))  # type: ignore[arg-type]
        assert got == want, f"generation {generation}: tested {got}, NEAT C++ tests {want}"
    # a run that does not continue the last one starts without memory
    native.generation = 0
    assert task._pick(native, np.array(rounds[0][0])) == 1  # type: ignore[arg-type]
    native.generation = 1
    assert task._pick(native, np.array(rounds[0][0])) == 3  # type: ignore[arg-type]
    # with velocities, simply the champion
    fast = tasks.DoublePole(velocities=True)
    assert fast._pick(native, np.array([0.1, 0.9, 0.9, 0.2, 0.0, 0.0])) == 1  # type: ignore[arg-type]


def test_the_dpnv_preset_is_the_papers_double_pole_settings() -> None:
    config = tasks.DoublePole.config(False)
    paper = Config.paper(4, 1)
    assert (config.num_inputs, config.num_outputs) == (4, 1)
    assert config.pop_size == 1000 and paper.pop_size == 150
    assert config.feed_forward is False
    assert config.conn_add_prob == 0.3
    assert config.compatibility_weight_coefficient == 3.0
    assert config.compatibility_threshold == 4.0
    # NEAT C++ 1.2.1's p2nv.ne where it differs from the XOR file behind Config.paper
    assert config.weight_mutate_power == 1.8
    assert config.survival_threshold == 0.4
    assert config.node_add_prob == 0.01
    assert config.add_connection_rule == "neat-c++"
    assert config.recurrent_connection_rate == 0.2
    # NEAT C++'s code: the bias input (the 4th, 0.5) instead of node biases, never split;
    # a species' champion kept when it gets more than five offspring
    assert config.bias_input_index == 3 and tasks.DoublePole(False).num_inputs == 4
    assert config.bias_init_stdev == config.bias_mutate_rate == config.bias_replace_rate == 0
    assert config.champion_by_spawn is True and config.species_champion_min_size == 5
    # everything else as Config.paper; a change still goes through
    assert config.weight_mutate_rate == paper.weight_mutate_rate
    assert config.compatibility_disjoint_coefficient == paper.compatibility_disjoint_coefficient
    assert tasks.DoublePole.config(False, pop_size=50).pop_size == 50
    assert tasks.DoublePole.config(True).num_inputs == 7
    # with velocities: the paper's settings, the bias input's nodes without a bias
    assert tasks.DoublePole.config(True) == Config.paper(7, 1, bias_input=True)
    assert tasks.DoublePole.config(True).bias_mutate_rate == 0.0


def test_the_dpnv_preset_survives_a_checkpoint(tmp_path: Path) -> None:
    config = tasks.DoublePole.config(False, pop_size=30)
    path = tmp_path / "config.ini"
    config.save(path)
    assert Config.from_file(path) == config
    pop = Population(config, seed=3)
    pop.run(tasks.DoublePole(False), 2)
    pop.save(tmp_path / "run.json")
    again = Population.load(tmp_path / "run.json")
    assert again.config == config
    pop.run(tasks.DoublePole(False), 2)
    again.run(tasks.DoublePole(False), 2)
    assert [h.best_fitness for h in again.history] == [h.best_fitness for h in pop.history]
