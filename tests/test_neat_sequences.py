"""netgraph.neat.Sequences (issue 22, item 4): fitness on sequence data, the state cleared
between sequences, evaluated natively. Checked bit for bit against neat-python 2.0.0's own
RecurrentNetwork (and netgraph.neat.nn's) driven from Python, against Dataset where the
two must agree, through evaluators and checkpoints; bad input named."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import neat as neat_python
import numpy as np
import pytest
from test_neat_population import _state_bytes

import netgraph.neat as neat
from netgraph import InputError
from netgraph.neat import _checkpoint

FIXTURES = Path(__file__).parent / "fixtures" / "neat"
XOR_CONFIG = FIXTURES / "xor-config-feedforward"

RNG = np.random.default_rng(7)
# ragged lengths (1 to 6 steps), 2 inputs, 1 output
XS = [RNG.uniform(-1, 1, (int(n), 2)) for n in (3, 1, 6, 4, 2)]
YS = [RNG.uniform(0, 1, (len(x), 1)) for x in XS]


def _config(**changes: Any) -> neat.Config:
    config = neat.Config.from_file(XOR_CONFIG)
    values = dict(config.values)
    values.update({"fitness_threshold": 1e9, "pop_size": 40, **changes})
    return _checkpoint._config_from_values(neat.Config, values)


MIXED = "sigmoid tanh relu identity clamped gauss abs sin hat"


def _neat_python_config(tmp_path: Path, activations: str = "sigmoid") -> Any:
    text = XOR_CONFIG.read_text().replace("feed_forward            = True",
                                          "feed_forward            = False")
    assert "feed_forward            = False" in text
    if activations != "sigmoid":
        text = text.replace("activation_mutate_rate  = 0.0", "activation_mutate_rate  = 0.5")
        text = text.replace("activation_options      = sigmoid",
                            f"activation_options      = {activations}")
        assert activations in text
    path = tmp_path / "recurrent-config"
    path.write_text(text)
    return neat_python.Config(neat_python.DefaultGenome, neat_python.DefaultReproduction,
                              neat_python.DefaultSpeciesSet, neat_python.DefaultStagnation,
                              str(path))


def _python_fitness(make_net: Any, cost: str, offset: float, washout: int,
                    xs: list[np.ndarray], ys: list[np.ndarray]) -> Any:
    """An eval_genomes callback: each genome's recurrent network stepped through every
    sequence from Python, reset between sequences, cost summed step by step."""
    def eval_genomes(genomes: list[tuple[int, Any]], config: Any) -> None:
        for _, genome in genomes:
            net = make_net(genome)
            f, acc, counted = offset, 0.0, 0
            for x, y in zip(xs, ys, strict=True):
                net.reset()
                for step, (xi, yi) in enumerate(zip(x, y, strict=True)):
                    out = net.activate(list(xi))
                    if step < washout:
                        continue
                    counted += 1
                    for o, t in zip(out, yi, strict=True):
                        d = o - t
                        if cost == "sse":
                            f -= d * d
                        elif cost == "sae":
                            f -= abs(d)
                        elif cost == "mse":
                            acc += d * d
                        else:
                            acc += abs(d)
            if cost in ("mse", "mae"):
                f = offset - acc / (counted * len(ys[0][0]))
            genome.fitness = f
    return eval_genomes


@pytest.mark.parametrize(("cost", "washout"), [("mse", 0), ("sse", 0), ("mae", 1),
                                               ("sae", 0)])
def test_recurrent_run_equals_neat_python_recurrent_networks(tmp_path: Path, cost: str,
                                                             washout: int) -> None:
    # the whole runs agree bit for bit: every genome of every generation got the same
    # fitness natively as from neat-python's RecurrentNetwork in Python
    np_config = _neat_python_config(tmp_path)
    xs, ys = XS, YS
    if washout:
        xs, ys = [x for x in XS if len(x) > washout], [y for y in YS if len(y) > washout]
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    seqs = neat.Sequences(xs, ys, cost=cost, offset=2.0, washout=washout)
    native = neat.Population(config, seed=3)
    native.run(seqs, 6)

    def make_net(genome: Any) -> Any:
        return neat_python.nn.RecurrentNetwork.create(genome.to_neat(np_config), np_config)

    python = neat.Population(config, seed=3)
    python.run(_python_fitness(make_net, cost, 2.0, washout, xs, ys), 6)
    assert _state_bytes(native) == _state_bytes(python)
    # the runs grew recurrent structure: hidden nodes and cycles were exercised
    assert max(len(g.data.node_key) for g in native.genomes.values()) > 1


def test_mixed_activations_equal_neat_python_bit_for_bit(tmp_path: Path) -> None:
    # every activation of the benchmark's set, mutating: the native kernel's forms and
    # neat-python's agree to the bit inside recurrent loops too
    np_config = _neat_python_config(tmp_path, MIXED)
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7,
                     activation_options=MIXED, activation_mutate_rate=0.5)
    seqs = neat.Sequences(XS, YS, cost="mse")
    native = neat.Population(config, seed=3)
    native.run(seqs, 8)
    python = neat.Population(config, seed=3)
    python.run(_python_fitness(
        lambda g: neat_python.nn.RecurrentNetwork.create(g.to_neat(np_config), np_config),
        "mse", 0.0, 0, XS, YS), 8)
    assert _state_bytes(native) == _state_bytes(python)
    used = {int(a) for g in native.genomes.values() for a in g.data.node_activation}
    assert len(used) >= 6, used


def test_netgraph_nn_recurrent_network_gives_the_same_bits() -> None:
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    seqs = neat.Sequences(XS, YS, cost="mse")
    native = neat.Population(config, seed=9)
    native.run(seqs, 5)
    python = neat.Population(config, seed=9)
    python.run(_python_fitness(lambda g: neat.nn.RecurrentNetwork.create(g, config), "mse",
                               0.0, 0, XS, YS), 5)
    assert _state_bytes(native) == _state_bytes(python)
    # and the per-genome form (what evaluators call) gives each genome its fitness
    for record in native.history:
        genome = neat.Genome(record.best, config)
        assert seqs(genome, config) == record.best.fitness == record.best_fitness


@pytest.mark.parametrize("cost", ["mse", "sse", "mae", "sae"])
def test_feed_forward_sequences_equal_the_dataset_of_all_steps(cost: str) -> None:
    config = _config(node_add_prob=0.5, conn_add_prob=0.7)
    a = neat.Population(config, seed=4)
    a.run(neat.Sequences(XS, YS, cost=cost, offset=1.0), 5)
    b = neat.Population(config, seed=4)
    b.run(neat.Dataset(np.concatenate(XS), np.concatenate(YS), cost=cost, offset=1.0), 5)
    assert _state_bytes(a) == _state_bytes(b)


def test_one_sequence_equals_a_recurrent_dataset() -> None:
    # a Dataset is one stream from a cleared state; so is a single sequence
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    x, y = np.concatenate(XS), np.concatenate(YS)
    a = neat.Population(config, seed=6)
    a.run(neat.Sequences([x], [y], cost="sse"), 5)
    b = neat.Population(config, seed=6)
    b.run(neat.Dataset(x, y, cost="sse"), 5)
    assert _state_bytes(a) == _state_bytes(b)


def test_state_is_cleared_between_sequences() -> None:
    # a genome with memory (its output changes under a constant input): without the
    # reset, the second of two equal sequences would start from the first one's state
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    pop = neat.Population(config, seed=1)
    pop.run(neat.Sequences(XS, YS), 4)
    x = np.ones((3, 2))
    for g in pop.genomes.values():
        net = neat.nn.RecurrentNetwork.create(g, config)
        outs = [net.activate(list(r))[0] for r in x]
        more = [net.activate(list(r))[0] for r in x]  # the same steps, not reset
        if more != outs:
            break
    else:
        raise AssertionError("no genome with memory to test the reset on")
    zeros = np.zeros((3, 1))
    assert neat.Sequences([x], [zeros], cost="sse")(g, config) == -sum(o * o for o in outs)
    two = neat.Sequences([x, x], [zeros, zeros], cost="sse")(g, config)
    reset, carried = 0.0, 0.0
    for o in outs + outs:
        reset -= o * o
    for o in outs + more:
        carried -= o * o
    assert two == reset and reset != carried


def test_three_d_arrays_equal_lists() -> None:
    x = RNG.uniform(-1, 1, (4, 5, 2))
    y = RNG.uniform(0, 1, (4, 5, 1))
    a, b = neat.Sequences(x, y), neat.Sequences(list(x), list(y))
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert a.starts.tolist() == [0, 5, 10, 15, 20] and len(a) == 4
    assert np.array_equal(a.sequence(2)[0], x[2])
    # one input per step may be given as a 1-D sequence
    c = neat.Sequences([[0.0, 1.0, 1.0]], [[0.0, 1.0, 0.0]])
    assert c.num_inputs == 1 and c.X.shape == (3, 1)


def test_pickles_and_runs_through_thread_and_process_evaluators() -> None:
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    seqs = neat.Sequences(XS, YS, cost="mse", washout=0, threads=2)
    back = pickle.loads(pickle.dumps(seqs))
    assert repr(back) == repr(seqs) and np.array_equal(back.starts, seqs.starts)
    ref = neat.Population(config, seed=2)
    ref.run(seqs, 4)
    for evaluator in (neat.ThreadEvaluator(2), neat.ProcessEvaluator(2)):
        with evaluator as ev:
            pop = neat.Population(config, seed=2)
            pop.run(seqs, 4, evaluator=ev)
        assert _state_bytes(pop) == _state_bytes(ref), type(evaluator).__name__


def test_checkpoint_continues_the_same_run(tmp_path: Path) -> None:
    config = _config(feed_forward=False, node_add_prob=0.5, conn_add_prob=0.7)
    seqs = neat.Sequences(XS, YS, cost="mse")
    whole = neat.Population(config, seed=8)
    whole.run(seqs, 6)
    part = neat.Population(config, seed=8)
    part.run(seqs, 3)
    part.save(tmp_path / "c.json")
    part = neat.Population.load(tmp_path / "c.json")
    part.run(seqs, 3)
    assert _state_bytes(whole) == _state_bytes(part)


@pytest.mark.parametrize(("inputs", "targets", "options", "message"), [
    ([np.zeros((3, 2)), np.zeros((2, 3))], [np.zeros((3, 1)), np.zeros((2, 1))], {},
     r"inputs\[1\] has 3 columns, inputs\[0\] 2"),
    ([np.zeros((3, 2))], [np.zeros((4, 1))], {}, "sequence 0: inputs has 3 steps and "
     "targets 4"),
    ([np.zeros((3, 2))], [np.zeros((3, 1))] * 2, {}, "inputs has 1 sequences and targets 2"),
    ([np.zeros((3, 2)), np.array([[0.0, 1.0], [np.nan, 0.0]])],
     [np.zeros((3, 1)), np.zeros((2, 1))], {}, r"inputs\[1\]\[1, 0\] is nan"),
    ([np.zeros((3, 2))], [np.array([[0.0], [np.inf], [0.0]])], {},
     r"targets\[0\]\[1, 0\] is inf"),
    ([[[0.0, 1.0], [1.0]]], [np.zeros((2, 1))], {}, r"inputs\[0\] is not an array"),
    ([np.zeros((0, 2))], [np.zeros((0, 1))], {}, r"inputs\[0\] has no steps"),
    ([], [], {}, "inputs holds no sequences"),
    (np.zeros((3, 2)), np.zeros((3, 1)), {}, r"inputs is an array of shape \(3, 2\)"),
    ([np.zeros((3, 2, 1))], [np.zeros((3, 1))], {}, r"inputs\[0\] must be 2-D"),
    ("abc", [np.zeros((3, 1))], {}, "inputs must be a list of sequences"),
    ([np.zeros((3, 2)), np.zeros((2, 2))], [np.zeros((3, 1)), np.zeros((2, 1))],
     {"washout": 2}, "sequence 1 has 2 steps, not more than washout = 2"),
    ([np.zeros((3, 2))], [np.zeros((3, 1))], {"washout": -1}, "washout must be"),
    ([np.zeros((3, 2))], [np.zeros((3, 1))], {"cost": "rmse"}, "cost 'rmse' is not one"),
    ([np.zeros((3, 2))], [np.zeros((3, 1))], {"offset": np.nan}, "offset nan"),
    ([np.zeros((3, 2))], [np.zeros((3, 1))], {"threads": 0}, "threads must be"),
])
def test_bad_input_is_named(inputs: Any, targets: Any, options: dict[str, Any],
                            message: str) -> None:
    with pytest.raises(InputError, match=message):
        neat.Sequences(inputs, targets, **options)


def test_widths_must_fit_the_configuration() -> None:
    pop = neat.Population(_config(feed_forward=False), seed=1)
    with pytest.raises(InputError, match="the sequences map 3 inputs to 1 outputs; the "
                                         "configuration has 2 and 1"):
        pop.run(neat.Sequences([np.zeros((2, 3))], [np.zeros((2, 1))]), 1)
    assert pop.generation == 0


def test_overflowing_outputs_are_named() -> None:
    # an identity output fed a huge input overflows the squared error to inf: the run
    # refuses the fitness, naming a genome, and leaves the population as it was
    config = _config(feed_forward=False, activation_default="identity",
                     activation_options="identity")
    pop = neat.Population(config, seed=1)
    with pytest.raises(InputError, match=r"genome \d+: its fitness on the data set is -?inf"):
        pop.run(neat.Sequences([np.full((2, 2), 1e300)], [np.zeros((2, 1))], cost="sse"), 1)
    assert pop.generation == 0
