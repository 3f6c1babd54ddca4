"""neat-python code runs with a one-line import change: neat-python 2.0.0's own XOR example
(its evolve-feedforward.py, without the visualize module and the pickle checkpointer that
lie outside the library) runs unchanged under ``import netgraph.neat as neat`` on
neat-python's own configuration file, and its reporters print and record what
neat-python's do."""

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

# neat-python's examples/xor/evolve-feedforward.py, as far as the library goes; the last
# lines print the result as JSON for the test to read
SCRIPT = '''
import json
import os
import sys

{import_line}

# 2-input XOR inputs and expected outputs.
xor_inputs = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
xor_outputs = [(0.0,), (1.0,), (1.0,), (0.0,)]


def eval_genomes(genomes, config):
    for genome_id, genome in genomes:
        genome.fitness = 4.0
        net = neat.nn.FeedForwardNetwork.create(genome, config)
        for xi, xo in zip(xor_inputs, xor_outputs):
            output = net.activate(xi)
            genome.fitness -= (output[0] - xo[0]) ** 2


def run(config_file):
    # Load configuration.
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction,
                         neat.DefaultSpeciesSet, neat.DefaultStagnation,
                         config_file)

    # Create the population, which is the top-level object for a NEAT run.
    p = neat.Population(config)

    # Add a stdout reporter to show progress in the terminal.
    p.add_reporter(neat.StdOutReporter(True))
    stats = neat.StatisticsReporter()
    p.add_reporter(stats)

    # Run for up to 300 generations.
    winner = p.run(eval_genomes, 300)

    # Display the winning genome.
    print('\\nBest genome:\\n{{!s}}'.format(winner))

    # Show output of the most fit genome against training data.
    print('\\nOutput:')
    winner_net = neat.nn.FeedForwardNetwork.create(winner, config)
    outputs = []
    for xi, xo in zip(xor_inputs, xor_outputs):
        output = winner_net.activate(xi)
        outputs.append(output[0])
        print("input {{!r}}, expected output {{!r}}, got {{!r}}".format(xi, xo, output))
    print("RESULT " + json.dumps({{
        "fitness": winner.fitness, "outputs": outputs, "size": list(winner.size()),
        "generations": len(stats.most_fit_genomes),
        "best_per_generation": [g.fitness for g in stats.most_fit_genomes],
        "mean": stats.get_fitness_mean(), "stdev": stats.get_fitness_stdev(),
        "best": stats.best_genome().fitness}}))


if __name__ == '__main__':
    run(sys.argv[1])
'''


def run_script(tmp_path: Path, import_line: str) -> tuple[dict[str, object], str]:
    config = tmp_path / "config-feedforward"
    # neat-python 2.0 reads a seed from [NEAT]: both runs are reproducible
    config.write_text(XOR.read_text().replace("[NEAT]\n", "[NEAT]\nseed = 7\n"))
    script = tmp_path / "evolve-feedforward.py"
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
