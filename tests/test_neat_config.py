"""netgraph.neat.Config: neat-python 2.0.0's files read unchanged, compared with neat-python
reading the same file; bad files refused with the key, file and line; the keyword form;
the 2002 paper's parameters."""

from __future__ import annotations

from pathlib import Path

import neat
import pytest

from netgraph.neat import Config, ConfigError
from netgraph.neat import DefaultGenome as NGDefaultGenome
from netgraph.neat import DefaultReproduction as NGDefaultReproduction
from netgraph.neat import DefaultSpeciesSet as NGDefaultSpeciesSet
from netgraph.neat import DefaultStagnation as NGDefaultStagnation
from netgraph.neat._config import KEYS, NETGRAPH_SECTION

XOR = Path(__file__).parent / "fixtures" / "neat" / "xor-config-feedforward"


def neat_config(path: Path | str) -> neat.Config:
    return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                       neat.DefaultStagnation, str(path))


def neat_value(nc: neat.Config, key: str) -> object:
    for part in (nc, nc.genome_config, nc.species_set_config, nc.stagnation_config,
                 nc.reproduction_config):
        if hasattr(part, key):
            return getattr(part, key)
    raise AssertionError(f"neat-python has no key {key}")


def test_xor_config_read_unchanged_equals_neat_python() -> None:
    ours = Config.from_file(XOR)
    theirs = neat_config(XOR)
    for key, value in ours.values.items():
        if key == "initial_connection_fraction" or KEYS[key].section == NETGRAPH_SECTION:
            continue
        expected = neat_value(theirs, key)
        if key == "enabled_default":
            expected = str(expected).lower()
        assert value == expected, key
    assert ours.genome_config.input_keys == theirs.genome_config.input_keys
    assert ours.genome_config.output_keys == theirs.genome_config.output_keys
    # netgraph's own keys keep neat-python's algorithm
    assert ours.values["interspecies_mating_rate"] == 0.0
    assert ours.values["mutate_only_rate"] == 0.0
    assert ours.values["spawn_method"] == "neat-python"
    assert ours.pop_size == 150 and ours.genome_config.num_inputs == 2


def test_neat_python_call_form_with_markers() -> None:
    a = Config(NGDefaultGenome, NGDefaultReproduction, NGDefaultSpeciesSet,
               NGDefaultStagnation, str(XOR))
    assert a == Config.from_file(XOR)
    # neat-python's own classes, for code that changed only part of its imports
    b = Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
               neat.DefaultStagnation, XOR)
    assert b == a
    with pytest.raises(TypeError, match="five positional"):
        Config(NGDefaultGenome, str(XOR))


def test_partial_connection_and_omitted_optionals_as_neat_python(tmp_path: Path) -> None:
    text = XOR.read_text()
    text = text.replace("initial_connection      = full",
                        "initial_connection      = partial_direct 0.5")
    # omitted keys take neat-python's defaults, including its quirk: an omitted
    # single_structural_mutation is the string 'false', which neat-python treats as true
    text = "\n".join(line for line in text.splitlines() if not line.startswith(
        ("single_structural_mutation", "structural_mutation_surer", "bias_init_type",
         "enabled_rate_to_true_add", "min_species_size", "species_elitism")))
    path = tmp_path / "config"
    path.write_text(text)
    ours, theirs = Config.from_file(path), neat_config(path)
    assert ours.values["initial_connection"] == theirs.genome_config.initial_connection
    assert ours.values["initial_connection_fraction"] == \
        theirs.genome_config.connection_fraction == 0.5
    assert ours.values["single_structural_mutation"] is True
    assert bool(theirs.genome_config.single_structural_mutation) is True
    assert ours.values["min_species_size"] == theirs.reproduction_config.min_species_size
    assert ours.values["species_elitism"] == theirs.stagnation_config.species_elitism
    assert ours.values["bias_init_type"] == theirs.genome_config.bias_init_type


def test_text_round_trip_read_by_both(tmp_path: Path) -> None:
    for config in (Config.from_file(XOR), Config.paper(3, 2),
                   Config(num_inputs=4, num_outputs=2, initial_connection="partial 0.25",
                          seed=7)):
        path = tmp_path / "c.ini"
        config.save(path)
        assert Config.from_file(path) == config
        theirs = neat_config(path)  # neat-python reads what we write
        assert theirs.pop_size == config.pop_size
        assert theirs.genome_config.num_inputs == config.num_inputs


def where(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "bad.ini"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        Config.from_file(path)
    assert str(path) in str(info.value)
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


@pytest.mark.parametrize(("change", "key", "needle"), [
    (("conn_add_prob           = 0.5", "conn_add_prb = 0.5"), "conn_add_prb", "conn_add_prb"),
    (("conn_add_prob           = 0.5", "conn_add_prob = -0.5"), "conn_add_prob",
     "conn_add_prob"),
    (("activation_options      = sigmoid", "activation_options = sigmoid swish"),
     "activation_options", "activation_options"),
    (("aggregation_options     = sum", "aggregation_options = sum max"),
     "aggregation_options", "aggregation_options"),
    (("pop_size              = 150", "pop_size = 1"), "pop_size", "pop_size"),
    (("pop_size              = 150", "pop_size = 0"), "pop_size", "pop_size"),
    (("num_inputs              = 2", "num_inputs = 0"), "num_inputs", "num_inputs"),
    (("pop_size              = 150", "pop_size = many"), "pop_size", "pop_size"),
    (("feed_forward            = True", "feed_forward = yes"), "feed_forward",
     "feed_forward"),
    (("initial_connection      = full", "initial_connection = fully"),
     "initial_connection", "initial_connection"),
    (("weight_max_value        = 30", "weight_max_value = -40"), "weight_max_value",
     "weight_max_value"),
    (("[DefaultReproduction]", "[DefaultReproduction]\ntime_constant_mutate_rate = 0.1"),
     "time_constant_mutate_rate", "time_constant_mutate_rate"),
    (("elitism            = 2", "elitism = 2\ncompatibility_threshold = 3.0"),
     "compatibility_threshold", "compatibility_threshold = 3.0\n"),
])
def test_bad_key_refused_with_file_line_and_name(tmp_path: Path, change: tuple[str, str],
                                                 key: str, needle: str) -> None:
    text = XOR.read_text().replace(*change)
    assert text != XOR.read_text()
    error = where(tmp_path, text)
    assert error.key == key
    assert repr(key) in str(error)
    if needle.endswith("\n"):  # the second occurrence: the misplaced copy
        lines = [n for n, line in enumerate(text.splitlines(), 1)
                 if line.startswith(needle.strip())]
        assert error.line == lines[-1]
    else:
        assert error.line == line_of(text, needle)
    assert f"line {error.line}" in str(error)


def test_gate_rates_need_recurrent_genomes(tmp_path: Path) -> None:
    text = XOR.read_text() + "[netgraph]\ngate_add_prob = 0.1\n"
    error = where(tmp_path, text)
    assert error.key == "gate_add_prob" and "feed_forward" in str(error)
    assert error.line == line_of(text, "gate_add_prob")
    ok = text.replace("feed_forward            = True", "feed_forward            = False")
    path = tmp_path / "ok.ini"
    path.write_text(ok)
    assert Config.from_file(path).values["gate_add_prob"] == 0.1
    with pytest.raises(ConfigError, match="self_connection_add_prob"):
        Config(num_inputs=2, num_outputs=1, self_connection_add_prob=0.2)


def test_missing_key_section_and_unknown_section(tmp_path: Path) -> None:
    text = XOR.read_text()
    error = where(tmp_path, text.replace("compatibility_threshold = 3.0", ""))
    assert error.key == "compatibility_threshold" and "missing" in str(error)
    assert error.line == line_of(text, "[DefaultSpeciesSet]")
    error = where(tmp_path, text.replace("no_fitness_termination         = False", ""))
    assert error.key == "no_fitness_termination"
    error = where(tmp_path, text.replace("[DefaultStagnation]", "[DefaultStagnaton]"))
    assert "DefaultStagnaton" in str(error)
    error = where(tmp_path, text + "\npop_size = 10\n")
    assert error.key == "pop_size" and "[NEAT]" in str(error)
    error = where(tmp_path, text.replace("elitism            = 2",
                                         "elitism            = 2\nelitism = 3"))
    assert error.key == "elitism" and "twice" in str(error)
    with pytest.raises(ConfigError, match="no such configuration file"):
        Config.from_file(tmp_path / "nothing.ini")


def test_keyword_form_defaults_and_errors() -> None:
    c = Config(num_inputs=2, num_outputs=1)
    # neat-python's defaults where it has them
    assert c.values["initial_connection"] == "unconnected"
    assert c.values["max_stagnation"] == 15 and c.values["species_elitism"] == 0
    assert c.values["elitism"] == 0 and c.values["survival_threshold"] == 0.2
    assert c.values["min_species_size"] == 1
    assert c.values["species_fitness_func"] == "mean"
    assert c.values["time_constant_init_mean"] == 1.0
    # declared 'false' in neat-python (only a file that omits it turns it on: above)
    assert c.values["single_structural_mutation"] is False
    # neat-python's XOR example's values for the keys it requires
    assert c.values["pop_size"] == 150 and c.values["weight_mutate_rate"] == 0.8
    c2 = Config(num_inputs=2, num_outputs=1, pop_size=40, activation_options="tanh relu",
                initial_connection="partial_nodirect 0.5")
    assert c2.values["activation_options"] == ["tanh", "relu"]
    assert c2.values["initial_connection_fraction"] == 0.5
    assert c2.replace(pop_size=10).values["initial_connection_fraction"] == 0.5
    for bad, key in (({"pop_size": 1}, "pop_size"), ({"pop_size": 0}, "pop_size"),
                     ({"num_inputs": 0}, "num_inputs"),
                     ({"weight_mutate_rate": -0.1}, "weight_mutate_rate"),
                     ({"activation_options": ["sigmoid", "swish"]}, "activation_options"),
                     ({"pop_sise": 10}, "pop_sise"),
                     ({"feed_forward": "yes"}, "feed_forward"),
                     ({"bias_mutate_power": float("nan")}, "bias_mutate_power"),
                     ({"spawn_method": "fast"}, "spawn_method"),
                     ({"activation_default": "tanh"}, "activation_default")):
        with pytest.raises(ConfigError) as info:
            Config(**{"num_inputs": 2, "num_outputs": 1, **bad})
        assert info.value.key == key and repr(key) in str(info.value)
    with pytest.raises(ConfigError, match="num_outputs"):
        Config(num_inputs=2)
    with pytest.raises(AttributeError, match="read-only"):
        c.pop_size = 3  # type: ignore[misc]


def test_paper_values() -> None:
    p = Config.paper(2, 1)
    v = p.values
    assert (v["compatibility_disjoint_coefficient"], v["compatibility_weight_coefficient"],
            v["compatibility_threshold"]) == (1.0, 0.4, 3.0)
    assert v["pop_size"] == 150
    # 80% of genomes have their weights mutated, each weight then 90% perturbed, 10% new
    assert v["weight_mutate_genome_rate"] == 0.8
    assert (v["weight_mutate_rate"], v["weight_replace_rate"]) == (0.9, 0.1)
    assert Config(num_inputs=1, num_outputs=1).values["weight_mutate_genome_rate"] == 1.0
    assert v["disabled_gene_rate"] == 0.75 and v["mutate_only_rate"] == 0.25
    assert v["interspecies_mating_rate"] == 0.001
    assert (v["node_add_prob"], v["conn_add_prob"]) == (0.03, 0.05)
    assert v["max_stagnation"] == 15 and v["species_champion_min_size"] == 5
    assert v["activation_options"] == ["steep_sigmoid"]
    assert v["spawn_method"] == "paper" and v["compatibility_distance"] == "paper"
    assert v["node_split_reuse"] is True
    assert (v["weight_max_value"], v["weight_min_value"]) == (8.0, -8.0)  # NEAT C++'s cap
    assert Config.paper(2, 1, pop_size=300).pop_size == 300


def test_paper_with_a_bias_input_gives_nodes_no_bias() -> None:
    from netgraph.neat import Population

    with_bias = Config.paper(3, 1)
    without = Config.paper(3, 1, bias_input=True)
    assert with_bias.bias_mutate_rate == 0.9 and with_bias.bias_init_stdev == 0.5
    assert (without.bias_init_stdev, without.bias_mutate_rate,
            without.bias_replace_rate) == (0.0, 0.0, 0.0)
    assert Config.paper(3, 1, bias_input=True, bias_mutate_rate=0.5).bias_mutate_rate == 0.5
    for config, zero in ((without, True), (with_bias, False)):
        pop = Population(config.replace(pop_size=30, node_add_prob=0.3), seed=2)

        def by_key(genomes: list, config: object) -> None:
            for key, g in genomes:
                g.fitness = float((key * 31) % 17)

        pop.run(by_key, 8)
        biases = [b for g in pop.genomes.values() for b in g.data.node_bias.tolist()]
        hidden = sum(len(g.data.node_key) - 1 for g in pop.genomes.values())
        assert hidden > 0
        assert all(b == 0.0 for b in biases) is zero


def test_from_values_after_json_gives_an_equal_config() -> None:
    import json

    for config in (Config.from_file(XOR), Config.paper(3, 1),
                   Config(num_inputs=2, num_outputs=1, initial_connection="partial 0.3",
                          seed=5)):
        stored = json.loads(json.dumps(config.values))
        assert Config.from_values(stored) == config
    with pytest.raises(ConfigError, match="'colour'"):
        Config.from_values({**Config.paper(2, 1).values, "colour": 1})


def test_neat_python_views_and_custom_functions_refused() -> None:
    config = Config.from_file(XOR)
    gc = config.genome_config
    assert gc.input_keys == [-1, -2] and gc.output_keys == [0]
    assert gc.compatibility_weight_coefficient == 0.5
    assert config.species_set_config.compatibility_threshold == 3.0
    assert config.stagnation_config.max_stagnation == 20
    assert config.reproduction_config.elitism == 2
    with pytest.raises(ConfigError, match="add_activation"):
        gc.add_activation("swish", lambda z: z)
    with pytest.raises(ConfigError, match="sum, mean"):
        gc.add_aggregation("softmax", sum)
    with pytest.raises(AttributeError, match="no key 'colour'"):
        _ = gc.colour
