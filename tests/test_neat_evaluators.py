"""netgraph.neat's thread and process evaluators (issue 23): the same run, bit for bit,
as the serial loop; the compact genome encoding; dead workers replaced; a raising
fitness leaves the population as it was and no worker behind. (Ray: test_neat_ray.py.)"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from neat_evaluation import (
    GENES,
    X,
    Y,
    alive,
    config,
    dying_fitness,
    raising_fitness,
    run,
    summary,
    xor_fitness,
)

import netgraph.neat as neat
from netgraph import InputError
from netgraph.neat._evaluators import (
    ProcessEvaluator,
    ThreadEvaluator,
    _cut,
    _Packed,
    _work,
    decode_genomes,
    encode_genomes,
)

DATASET = neat.Dataset(X, Y, cost="sse", offset=4.0)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The serial runs every evaluator must repeat exactly."""
    return {"dataset": run(DATASET, None), "function": run(xor_fitness, neat.SerialEvaluator()),
            "task": run(neat.tasks.XOR(), neat.SerialEvaluator())}


@pytest.fixture(scope="module")
def processes():
    with ProcessEvaluator(2) as ev:
        yield ev


def test_dataset_through_serial_evaluator_is_the_native_run(reference):
    assert run(DATASET, neat.SerialEvaluator()) == reference["dataset"]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_threads_give_the_serial_run(reference, n):
    with ThreadEvaluator(n) as ev:
        assert run(DATASET, ev) == reference["dataset"]
        assert run(xor_fitness, ev) == reference["function"]
        assert run(neat.tasks.XOR(), ev) == reference["task"]


def test_processes_give_the_serial_run(reference, processes):
    assert run(DATASET, processes) == reference["dataset"]
    assert run(xor_fitness, processes) == reference["function"]
    assert run(neat.tasks.XOR(), processes) == reference["task"]
    # chunks were cut by measured speed: both workers measured
    assert all(s != 1.0 for s in processes.speeds)


def test_a_killed_process_is_replaced_and_its_chunk_run_again(reference, processes, tmp_path):
    flag = tmp_path / "kill"
    pids = processes.pids()
    pop = neat.Population(config(), seed=5)
    first = run(xor_fitness, processes, generations=2, pop=pop)
    flag.touch()
    retries = processes.retries
    fitness = functools.partial(dying_fitness, flag=str(flag))
    got = run(fitness, processes, generations=4, pop=pop)
    assert not flag.exists()  # a worker did kill itself
    assert processes.retries == retries + 1
    assert sum(alive(p) for p in pids) == 1  # one of the two workers is gone, replaced
    assert got == reference["function"] and first[0] == got[0][:2]


def test_a_raising_fitness_stops_the_run_and_leaves_no_worker(reference, tmp_path):
    flag = tmp_path / "raise"
    ev = ProcessEvaluator(2)
    pop = neat.Population(config(), seed=5)
    run(xor_fitness, ev, generations=3, pop=pop)
    before = summary(pop)
    pids = ev.pids()
    flag.touch()
    with pytest.raises(ValueError, match="fitness failed on genome"):
        pop.run(functools.partial(raising_fitness, flag=str(flag)), 2, evaluator=ev)
    assert summary(pop) == before and pop.generation == 3 and pop.evaluations == 3 * 150
    for pid in pids:  # shut down and joined by the evaluator
        assert not alive(pid), pid
    flag.unlink()
    # the run continues from where it stood: the same as if nothing had happened
    assert run(xor_fitness, ev, generations=3, pop=pop) == reference["function"]
    ev.close()


def test_a_raising_fitness_on_threads(reference, tmp_path):
    flag = tmp_path / "raise"
    flag.touch()
    pop = neat.Population(config(), seed=5)
    with ThreadEvaluator(2) as ev, pytest.raises(ValueError, match="fitness failed"):
        pop.run(functools.partial(raising_fitness, flag=str(flag)), 2, evaluator=ev)
    assert pop.history == [] and pop.evaluations == 0 and ev._pool is None


def _genomes(n_in: int, n_out: int, hidden: int, connection: str) -> list[neat.GenomeData]:
    c = neat.Config.paper(num_inputs=n_in, num_outputs=n_out)
    values = dict(c.values, num_hidden=hidden, initial_connection=connection, pop_size=10)
    pop = neat.Population(neat.Config.from_values(values), seed=1)
    return [g.data for g in pop.genomes.values()]


def test_encoding_is_exact_and_compact():
    # a 100-connection genome in a single-genome chunk: 10 inputs -> 8 hidden -> 2 outputs
    # plus 10 -> 2 direct: 80 + 16 + 20 = 116 connections, 10 node genes
    for data in _genomes(10, 2, 8, "full_direct")[:3]:
        assert len(data.conn_innovation) >= 100
        blob = encode_genomes([data])
        assert len(blob) <= 2048, len(blob)
        (back,) = decode_genomes(blob)
        for f in GENES:
            a, b = np.asarray(getattr(data, f)), np.asarray(getattr(back, f))
            assert a.dtype == b.dtype and np.array_equal(a, b), f
        assert back.key == data.key and back.species == data.species
    # innovation numbers and keys far from zero (a long run) still round-trip exactly
    d = _genomes(3, 1, 2, "full_direct")[0]
    far = neat.GenomeData(key=2**40, node_key=d.node_key + 10**9, node_bias=d.node_bias,
                          node_response=d.node_response, node_activation=d.node_activation,
                          node_aggregation=d.node_aggregation,
                          conn_innovation=d.conn_innovation + 3 * 10**10, conn_in=d.conn_in,
                          conn_out=d.conn_out, conn_weight=d.conn_weight,
                          conn_enabled=~d.conn_enabled, species=None)
    (back,) = decode_genomes(encode_genomes([far]))
    for f in GENES:
        assert np.array_equal(getattr(far, f), getattr(back, f)), f
    assert back.key == far.key and back.species is None
    assert decode_genomes(encode_genomes([])) == []
    with pytest.raises(InputError, match="magic"):
        decode_genomes(b"nope" + bytes(20))


def test_a_chunk_cut_from_a_packed_generation_is_its_genomes():
    # genomes of different sizes (evolved a few generations), one with non-contiguous
    # gene arrays (numpy views): every chunk decodes to exactly its genomes, and its
    # bytes are those of encoding the chunk alone
    pop = neat.Population(config(), seed=3)
    pop.run(xor_fitness, 4, evaluator=neat.SerialEvaluator())
    datas = [g.data for g in pop.genomes.values()][:12]
    d = datas[5]
    twice = {f: np.repeat(np.asarray(getattr(d, f)), 2)[::2] for f in GENES}
    datas[5] = neat.GenomeData(key=d.key, fitness=None, species=d.species, **twice)
    assert not datas[5].conn_weight.flags.c_contiguous
    packed = _Packed(datas)
    assert list(packed.work) == [_work(d) for d in datas]
    for a, b in [(0, 12), (3, 7), (5, 6), (11, 12), (4, 4)]:
        blob = packed.blob(a, b)
        assert blob == encode_genomes(datas[a:b])
        back = decode_genomes(blob)
        assert [x.key for x in back] == [x.key for x in datas[a:b]]
        for x, y in zip(datas[a:b], back, strict=True):
            assert x.species == y.species
            for f in GENES:
                u, v = np.asarray(getattr(x, f)), getattr(y, f)
                assert u.dtype == v.dtype and np.array_equal(u, v), f


def test_chunks_follow_measured_speed():
    work = [3] * 100
    assert _cut(work, [1.0, 1.0]) == [(0, 50), (50, 100)]
    assert _cut(work, [3.0, 1.0]) == [(0, 75), (75, 100)]
    ranges = _cut([1] * 5, [1.0] * 8)  # more workers than genomes: some chunks empty
    assert ranges[-1][1] == 5 and all(a <= b for a, b in ranges)
    assert [i for a, b in ranges for i in range(a, b)] == list(range(5))
    # speeds a few percent apart are noise: equal chunks; far apart: proportional ones
    ev = ThreadEvaluator(2)
    ev.speeds = [1000.0, 1080.0]
    assert _cut(work, ev._shares()) == [(0, 50), (50, 100)]
    ev.speeds = [3000.0, 1000.0]
    assert _cut(work, ev._shares()) == [(0, 75), (75, 100)]


def test_bad_worker_counts():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InputError, match="positive int"):
            ThreadEvaluator(bad)  # type: ignore[arg-type]


def test_thread_evaluator_closes_and_reopens(reference):
    ev = ThreadEvaluator(2)
    run(neat.tasks.XOR(), ev, generations=1)
    assert ev._pool is not None and len(ev.speeds) == 2
    ev.close()
    assert ev._pool is None
    assert run(neat.tasks.XOR(), ev) == reference["task"]  # used again: new threads
    ev.close()
