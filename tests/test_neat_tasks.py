"""netgraph.neat.tasks against independent oracles: gymnasium's CartPole-v1 step by step,
neat-python's own networks for the fitness of XOR and the multiplexer, a textbook RK4 of
Wieland's double-pole equations, and runs that solve them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import gymnasium
import neat as neat_python
import numpy as np
import pytest

from netgraph import InputError, _neat
from netgraph.neat import Config, Population, _checkpoint, tasks

FIXTURES = Path(__file__).parent / "fixtures" / "neat"


def _config(num_inputs: int, num_outputs: int = 1, **changes: Any) -> Config:
    base = Config(num_inputs=num_inputs, num_outputs=num_outputs)
    return _checkpoint._config_from_values(Config, {**base.values, **changes})


def test_cartpole_steps_equal_gymnasium_cartpole_v1() -> None:
    env = gymnasium.make("CartPole-v1").unwrapped
    rng = np.random.default_rng(0)
    for episode in range(20):
        env.reset(seed=episode)
        state = tuple(float(v) for v in env.state)
        for _ in range(300):
            action = int(rng.integers(2))
            _, _, terminated, _, _ = env.step(action)
            ours, done = _neat.cartpole_step(state, action)
            # the same constants and the same Euler step: the same bits
            assert ours == tuple(float(v) for v in env.state)
            assert done == terminated
            state = ours
            if done:
                break


def _neat_config(num_inputs: int, feed_forward: bool = True) -> Any:
    text = (FIXTURES / "xor-config-feedforward").read_text()
    text = text.replace("num_inputs              = 2", f"num_inputs = {num_inputs}")
    if not feed_forward:
        text = text.replace("feed_forward            = True", "feed_forward = False")
    path = Path(__file__).parent / f".neat-{num_inputs}-{feed_forward}.ini"
    path.write_text(text)
    try:
        return neat_python.Config(neat_python.DefaultGenome, neat_python.DefaultReproduction,
                                  neat_python.DefaultSpeciesSet, neat_python.DefaultStagnation,
                                  str(path))
    finally:
        path.unlink()


def _grown(num_inputs: int, generations: int, seed: int, **changes: Any) -> Population:
    """A population with some structure: a few generations on a neutral fitness."""
    config = _config(num_inputs, fitness_threshold=1e9, node_add_prob=0.5,
                     conn_add_prob=0.8, **changes)
    pop = Population(config, seed=seed)

    def random_fitness(genomes: list[tuple[int, Any]], config: Any) -> None:
        for key, g in genomes:
            g.fitness = float((key * 7919) % 101)

    pop.run(random_fitness, generations)
    return pop


def test_xor_fitness_and_solved_follow_neat_pythons_networks() -> None:
    pop = _grown(2, 6, seed=1)
    ncfg = _neat_config(2)
    task = tasks.XOR()
    for genome in list(pop.genomes.values())[:40]:
        net = neat_python.nn.FeedForwardNetwork.create(genome.to_neat(ncfg), ncfg)
        outs = [net.activate(x)[0] for x in ((0, 0), (0, 1), (1, 0), (1, 1))]
        want = (4 - sum(abs(o - t) for o, t in zip(outs, (0, 1, 1, 0), strict=True))) ** 2
        assert task.fitness(genome) == pytest.approx(want, rel=1e-12, abs=1e-12)
        right = all((o > 0.5) == (t == 1) and o != 0.5
                    for o, t in zip(outs, (0, 1, 1, 0), strict=True))
        assert task.solved(genome) == right


def test_multiplexer_fitness_follows_neat_pythons_networks() -> None:
    pop = _grown(6, 5, seed=2)
    ncfg = _neat_config(6)
    task = tasks.Multiplexer(6)
    cases = [[(k >> (5 - i)) & 1 for i in range(6)] for k in range(64)]
    for genome in list(pop.genomes.values())[:10]:
        net = neat_python.nn.FeedForwardNetwork.create(genome.to_neat(ncfg), ncfg)
        total = 64.0
        for x in cases:
            target = x[2 + x[0] * 2 + x[1]]
            total -= (net.activate(x)[0] - target) ** 2
        assert task.fitness(genome) == pytest.approx(total, rel=1e-12)


def test_recurrent_genomes_evaluate_as_neat_pythons_recurrent_network() -> None:
    pop = _grown(2, 6, seed=3, feed_forward=False)
    ncfg = _neat_config(2, feed_forward=False)
    xs = np.random.default_rng(1).normal(size=(6, 2))
    checked = 0
    for i, genome in enumerate(pop.genomes.values()):
        net = neat_python.nn.RecurrentNetwork.create(genome.to_neat(ncfg), ncfg)
        want = np.array([net.activate(list(x)) for x in xs])
        got = pop._native.activate(i, xs)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        checked += 1
    assert checked == 150


def _wieland(state: np.ndarray, force: float) -> np.ndarray:
    """Wieland's equations for a cart with two poles (as in Gomez et al. 2008, appendix),
    with the cpole.cpp constants: the time derivative of (x, x', t1, t1', t2, t2')."""
    g, mc, mu_p = -9.8, 1.0, 0.000002
    poles = [(0.1, 0.5, state[2], state[3]), (0.01, 0.05, state[4], state[5])]
    eff_force = 0.0
    eff_mass = 0.0
    for m, half, th, w in poles:
        eff_force += m * half * w * w * math.sin(th) + 0.75 * m * math.cos(th) * (
            mu_p * w / (m * half) + g * math.sin(th))
        eff_mass += m * (1 - 0.75 * math.cos(th) ** 2)
    xacc = (force + eff_force) / (mc + eff_mass)
    out = [state[1], xacc]
    for m, half, th, w in poles:
        out += [w, -0.75 * (xacc * math.cos(th) + g * math.sin(th) + mu_p * w / (m * half))
                / half]
    return np.array(out)


def test_double_pole_step_is_rk4_of_wielands_equations() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        s = rng.normal(scale=[0.5, 0.5, 0.1, 0.3, 0.1, 0.3])
        out = float(rng.uniform())
        force = (out - 0.5) * 2 * 10.0
        y = s.copy()
        for _ in range(2):  # two 0.01 s steps per action
            h = 0.01
            k1 = _wieland(y, force)
            k2 = _wieland(y + h / 2 * k1, force)
            k3 = _wieland(y + h / 2 * k2, force)
            k4 = _wieland(y + h * k3, force)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        got = np.array(_neat.doublepole_step(tuple(float(v) for v in s), out))
        np.testing.assert_allclose(got, y, rtol=1e-10, atol=1e-12)


def test_cartpole_is_solved_by_evolution() -> None:
    config = _config(4, pop_size=50)
    task = tasks.CartPole(max_steps=10_000)
    pop = Population(config, seed=1)
    solution = pop.run(task, 60)
    assert pop.history[-1].solved == solution.key
    assert task.solved(solution) and task.fitness(solution) == 10_000
    # gymnasium agrees: the champion balances CartPole-v1 from the task's start
    env = gymnasium.make("CartPole-v1").unwrapped
    env.reset(seed=0)
    env.state = np.array(task.start, dtype=np.float64)
    steps = 0
    net = solution.network
    for _ in range(2_000):
        out = float(np.ravel(net.activate(np.array(env.state)))[0])
        _, _, terminated, _, _ = env.step(1 if out > 0.5 else 0)
        if terminated:
            break
        steps += 1
    assert steps == 2_000


def test_xor_task_run_stops_at_the_first_solution() -> None:
    pop = Population(Config.from_file(FIXTURES / "xor-config-feedforward"), seed=1)
    solution = pop.run(tasks.XOR(), 300)
    last = pop.history[-1]
    assert last.solved == solution.key and tasks.XOR().solved(solution)
    assert all(r.solved is None for r in pop.history[:-1])
    assert pop.evaluations == 150 * len(pop.history)


def test_double_pole_fitness_and_full_test() -> None:
    pop = _grown(7, 3, seed=5)
    task = tasks.DoublePole(velocities=True)
    for genome in list(pop.genomes.values())[:5]:
        steps = task.fitness(genome)
        assert steps == int(steps) and 0 <= steps <= 100_000
        assert task.solved(genome) == (steps == 100_000)
    nv = tasks.DoublePole(velocities=False)
    assert nv.num_inputs == 4 and tasks.DoublePole().num_inputs == 7
    pop = _grown(4, 3, seed=6, feed_forward=False)
    for genome in list(pop.genomes.values())[:5]:
        f = nv.fitness(genome)
        assert f > 0.0
        assert not nv.solved(genome) or nv.generalisation is not None


def test_task_arguments_are_checked() -> None:
    with pytest.raises(InputError, match="6, 11, 20 or 37"):
        tasks.Multiplexer(12)
    with pytest.raises(InputError, match="max_steps"):
        tasks.CartPole(max_steps=0)
    assert tasks.Multiplexer(11).num_inputs == 11 and tasks.Multiplexer().address_bits == 3
