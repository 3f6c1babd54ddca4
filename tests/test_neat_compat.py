"""neat-python code runs with a one-line import change: a script written against
neat-python 2.0.0's API (Config, Population, reporters, neat.nn) runs unchanged under
``import netgraph.neat as neat`` on the settings of neat-python's XOR example, and its
reporters print and record what neat-python's do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import netgraph.neat as ng

XOR = Path(__file__).parent / "fixtures" / "neat" / "xor-config-feedforward"
ROOT = Path(__file__).resolve().parent.parent

# A script written against neat-python's public API, the way its users write one: the
# five-argument Config, a Population with reporters, an eval_genomes callback that builds
# neat.nn networks. The last line prints what the test reads, as JSON.
SCRIPT = '''
import json
import sys

{import_line}

CASES = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]


def score(genomes, config):
    for _, genome in genomes:
        network = neat.nn.FeedForwardNetwork.create(genome, config)
        error = sum((network.activate(x)[0] - want) ** 2 for x, want in CASES)
        genome.fitness = 4.0 - error


def main(path):
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction,
                         neat.DefaultSpeciesSet, neat.DefaultStagnation, path)
    population = neat.Population(config)
    population.add_reporter(neat.StdOutReporter(True))
    statistics = neat.StatisticsReporter()
    population.add_reporter(statistics)
    champion = population.run(score, 300)

    network = neat.nn.FeedForwardNetwork.create(champion, config)
    outputs = [network.activate(x)[0] for x, _ in CASES]
    best = statistics.most_fit_genomes
    print("RESULT " + json.dumps({{
        "fitness": champion.fitness, "outputs": outputs, "size": list(champion.size()),
        "generations": len(best), "best_per_generation": [g.fitness for g in best],
        "mean": statistics.get_fitness_mean(), "stdev": statistics.get_fitness_stdev(),
        "best": statistics.best_genome().fitness}}))


main(sys.argv[1])
'''


def run_script(tmp_path: Path, import_line: str) -> tuple[dict[str, object], str]:
    config = tmp_path / "config-feedforward"
    # neat-python 2.0 reads a seed from [NEAT]: both runs are reproducible
    config.write_text(XOR.read_text().replace("[NEAT]\n", "[NEAT]\nseed = 7\n"))
    script = tmp_path / "evolve_xor.py"
    script.write_text(SCRIPT.format(import_line=import_line))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, str(script), str(config)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):]), done.stdout


def check_result(result: dict[str, object]) -> None:
    outputs = result["outputs"]
    assert isinstance(outputs, list)
    targets = [0.0, 1.0, 1.0, 0.0]
    # the winner's fitness is what the callback computed from these very outputs
    fitness = 4.0 - sum((o - t) ** 2 for o, t in zip(outputs, targets, strict=True))
    assert result["fitness"] == pytest.approx(fitness, abs=1e-12)
    assert result["fitness"] >= 3.9  # the configuration's fitness_threshold: solved
    best = result["best_per_generation"]
    assert isinstance(best, list) and len(best) == result["generations"]
    assert result["best"] == max(best) == result["fitness"]
    assert len(result["mean"]) == len(best) == len(result["stdev"])  # type: ignore[arg-type]


def test_neat_python_xor_example_runs_with_one_import_line_changed(tmp_path: Path) -> None:
    theirs, _ = run_script(tmp_path, "import neat")
    check_result(theirs)
    ours, printed = run_script(tmp_path, "import netgraph.neat as neat")
    check_result(ours)
    # neat-python's stdout reporter's lines
    assert " ****** Running generation 0 ****** " in printed
    assert "Population's average fitness:" in printed
    assert "   ID   age  size   fitness   adj fit  stag" in printed
    assert "meets fitness threshold" in printed


def test_reporters_record_what_the_population_did(capsys: pytest.CaptureFixture[str]) -> None:
    config = ng.Config.from_file(XOR)
    pop = ng.Population(config, seed=3)
    stats = ng.StatisticsReporter()
    pop.add_reporter(ng.StdOutReporter(False))
    pop.add_reporter(stats)
    calls: list[str] = []

    class Hooks(ng.BaseReporter):
        def start_generation(self, generation: int) -> None:
            calls.append(f"start {generation}")

        def end_generation(self, config: object, population: object,
                           species_set: object) -> None:
            calls.append("end")

    pop.add_reporter(Hooks())
    data = ng.Dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], cost="sse",
                      offset=4.0)
    pop.run(data, 5)
    printed = capsys.readouterr().out
    assert printed.count("****** Running generation") == 5
    assert calls[:3] == ["start 0", "end", "start 1"]
    assert len(stats.most_fit_genomes) == len(pop.history) == 5
    for record, best, mean, stdev in zip(pop.history, stats.most_fit_genomes,
                                         stats.get_fitness_mean(), stats.get_fitness_stdev(),
                                         strict=True):
        assert best.fitness == record.best_fitness
        assert mean == pytest.approx(record.mean_fitness, rel=1e-12)
        assert stdev == pytest.approx(record.stdev_fitness, rel=1e-12, abs=1e-12)
    sizes = stats.get_species_sizes()
    assert [sum(row) for row in sizes] == [config.pop_size] * 5
    assert stats.best_genome().fitness == max(r.best_fitness for r in pop.history)
    assert len(stats.best_unique_genomes(3)) <= 3


def test_recurrent_compat_network_in_a_callback() -> None:
    config = ng.Config.from_file(XOR).replace(feed_forward=False, pop_size=30)
    seen: list[int] = []

    def eval_genomes(genomes: list[tuple[int, ng.Genome]], cfg: ng.Config) -> None:
        for key, genome in genomes:
            net = ng.nn.RecurrentNetwork.create(genome, cfg)
            a = net.activate([1.0, 0.0])[0]
            b = net.activate([0.0, 1.0])[0]
            # the same sequence through genome.network, netgraph's Network
            network = genome.network
            network.clear()
            assert network.activate([1.0, 0.0])[0] == pytest.approx(a, abs=1e-12)
            assert network.activate([0.0, 1.0])[0] == pytest.approx(b, abs=1e-12)
            genome.fitness = -abs(b - 1.0)
            seen.append(key)

    pop = ng.Population(config, seed=1)
    pop.run(eval_genomes, 3)
    assert len(seen) == 90 and len(set(seen)) > 30
