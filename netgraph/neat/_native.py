"""The seam between netgraph.neat and its native population, ``netgraph._neat``.

Everything the rest of the package asks of the C extension goes through here (as
``netgraph/_fast.py`` is the seam of the network kernels): a configuration's values are
turned into the flat numeric dictionary the extension reads (``native_values``), and the
tuples it hands back into ``GenomeData`` (``genome_data``).

The extension's ``Population`` (re-exported here as ``NativePopulation``) owns the genomes
as arrays of genes; its methods are listed in /work/notes' contract and in its docstrings:
``keys``, ``fitness``, ``set_fitness``, ``evaluate_dataset``, ``evaluate_task``,
``advance``, ``genome_data``, ``set_genome_data``, ``species``, ``state``/``from_state``,
and the single operators (``_mutate_add_node`` ...) for tests.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _neat
from .._activations import get_activation
from .._exceptions import InputError
from ..interop._neat import ACTIVATIONS as NEAT_ACTIVATIONS
from ..interop._neataptic import SQUASHES
from ._genes import GenomeData

__all__ = ["COSTS", "TASKS", "ExtinctionError", "NativePopulation", "activation_code",
           "data_tuple", "genome_data", "native_values", "netgraph_activation",
           "record_head", "record_tuple", "single_population"]

NativePopulation = _neat.Population
ExtinctionError = _neat.ExtinctionError

# neat-python's activation names (and the paper's steepened sigmoid) -> netgraph's
# (and Neataptic's names, upper case: LOGISTIC, TANH, ...)
_ACTIVATION_NAMES: dict[str, str] = {**NEAT_ACTIVATIONS, "steep_sigmoid": "steep_sigmoid",
                                     **SQUASHES}


def netgraph_activation(name: str) -> str:
    """The netgraph activation of a configuration's activation name (neat-python's,
    Neataptic's or ``steep_sigmoid``); the name itself when it is none of them."""
    return _ACTIVATION_NAMES.get(name, name)
_AGGREGATIONS = {"sum": 0, "product": 1, "max": 2, "min": 3, "maxabs": 4, "median": 5,
                 "mean": 6}
_INITIAL = {"unconnected": 0, "fs_neat_nohidden": 1, "fs_neat": 1, "fs_neat_hidden": 2,
            "full_nodirect": 3, "full": 3, "full_direct": 4, "partial_nodirect": 5,
            "partial": 5, "partial_direct": 6}
_SPECIES_FITNESS = {"min": 0, "max": 1, "mean": 2, "median": 3, "median2": 4}
COSTS = {"sse": 0, "mse": 1, "mae": 2, "sae": 3}
TASKS = {"xor": 0, "multiplexer": 1, "cartpole": 2, "doublepole": 3}
NEATAPTIC_RATES = ("gate_add_prob", "gate_delete_prob", "self_connection_add_prob",
                   "self_connection_delete_prob", "back_connection_add_prob",
                   "back_connection_delete_prob")
_TRUE = ("1", "on", "yes", "true")
_FALSE = ("0", "off", "no", "false")


def activation_code(name: str) -> int:
    """netgraph's activation code for a neat-python activation name (or steep_sigmoid).

    **Raises** ``InputError`` naming the activation when netgraph has no exact form of it.
    """
    try:
        return get_activation(_ACTIVATION_NAMES[name]).code
    except KeyError:
        known = ", ".join(sorted(_ACTIVATION_NAMES))
        raise InputError(f"activation {name!r} is not one netgraph.neat evaluates; "
                         f"known: {known}") from None


def _flag(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{key} = {value!r} is not a boolean")


def _option_default(values: Mapping[str, Any], name: str, options: list[str]) -> int:
    default = str(values.get(f"{name}_default", "random")).strip()
    if default.lower() in ("random", "none"):
        return -1
    if default not in options:
        raise InputError(f"{name}_default = {default!r} is not one of {name}_options "
                         f"({', '.join(options)})")
    return options.index(default)


def native_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration as the native population reads it: numbers and code lists.

    **Arguments**
    - ``values``: ``Config.values`` (neat-python's key names and types, plus netgraph's
      extras; see the contract in the package docs).

    **Returns** a dict of floats/ints (and two lists of codes) keyed as netgraph._neat
    expects. **Raises** ``InputError`` naming a missing or unusable key.
    """
    def num(key: str, default: float | None = None) -> float:
        v = values.get(key, default)
        if v is None:
            raise InputError(f"the NEAT configuration has no {key}")
        try:
            return float(v)
        except (TypeError, ValueError):
            raise InputError(f"{key} = {v!r} is not a number") from None

    out: dict[str, Any] = {}
    for key in ("num_inputs", "num_outputs", "pop_size"):
        out[key] = int(num(key))
    out["num_hidden"] = int(num("num_hidden", 0))
    out["feed_forward"] = int(_flag(values.get("feed_forward", True), "feed_forward"))
    for key in ("compatibility_disjoint_coefficient", "compatibility_weight_coefficient",
                "compatibility_threshold", "conn_add_prob", "conn_delete_prob",
                "node_add_prob", "node_delete_prob"):
        out[key] = num(key)
    single = _flag(values.get("single_structural_mutation", False),
                   "single_structural_mutation")
    out["single_structural_mutation"] = int(single)
    surer = str(values.get("structural_mutation_surer", "default")).strip().lower()
    out["surer"] = int(single if surer == "default" else _flag(surer,
                                                               "structural_mutation_surer"))
    initial = str(values.get("initial_connection", "unconnected")).split()
    if not initial or initial[0] not in _INITIAL:
        raise InputError(f"initial_connection = {values.get('initial_connection')!r} is not "
                         f"one of {', '.join(_INITIAL)}")
    out["initial_connection"] = _INITIAL[initial[0]]
    fraction = values.get("initial_connection_fraction")
    if fraction is None and len(initial) > 1:
        fraction = initial[1]
    out["connection_fraction"] = float(fraction) if fraction is not None else 1.0
    for name in ("bias", "response", "weight"):
        for part in ("init_mean", "init_stdev", "replace_rate", "mutate_rate",
                     "mutate_power", "max_value", "min_value"):
            out[f"{name}_{part}"] = num(f"{name}_{part}")
        kind = str(values.get(f"{name}_init_type", "gaussian")).lower()
        if "gauss" in kind or "normal" in kind:
            out[f"{name}_init_uniform"] = 0
        elif "uniform" in kind:
            out[f"{name}_init_uniform"] = 1
        else:
            raise InputError(f"{name}_init_type = {kind!r} is not gaussian or uniform")
    default = str(values.get("enabled_default", "True")).strip().lower()
    out["enabled_default"] = (2 if default in ("random", "none")
                              else int(_flag(default, "enabled_default")))
    out["enabled_mutate_rate"] = num("enabled_mutate_rate")
    out["enabled_rate_to_true_add"] = num("enabled_rate_to_true_add", 0.0)
    out["enabled_rate_to_false_add"] = num("enabled_rate_to_false_add", 0.0)
    for name, table in (("activation", None), ("aggregation", _AGGREGATIONS)):
        options = values.get(f"{name}_options")
        if isinstance(options, str):
            options = options.split()
        if not options:
            raise InputError(f"the NEAT configuration has no {name}_options")
        options = [str(o) for o in options]
        if table is None:
            out[f"{name}_codes"] = [activation_code(o) for o in options]
        else:
            bad = [o for o in options if o not in table]
            if bad:
                raise InputError(f"aggregation {bad[0]!r} is not one of {', '.join(table)}")
            out[f"{name}_codes"] = [table[o] for o in options]
        out[f"{name}_default"] = _option_default(values, name, options)
        out[f"{name}_mutate_rate"] = num(f"{name}_mutate_rate")
    sff = str(values.get("species_fitness_func", "mean"))
    if sff not in _SPECIES_FITNESS:
        raise InputError(f"species_fitness_func = {sff!r} is not one of "
                         f"{', '.join(_SPECIES_FITNESS)}")
    out["species_fitness_func"] = _SPECIES_FITNESS[sff]
    out["max_stagnation"] = int(num("max_stagnation", 15))
    out["species_elitism"] = int(num("species_elitism", 0))
    out["elitism"] = int(num("elitism", 0))
    out["min_species_size"] = int(num("min_species_size", 1))
    out["survival_threshold"] = num("survival_threshold", 0.2)
    out["reset_on_extinction"] = int(_flag(values.get("reset_on_extinction", False),
                                           "reset_on_extinction"))
    out["interspecies_mating_rate"] = num("interspecies_mating_rate", 0.0)
    out["mutate_only_rate"] = num("mutate_only_rate", 0.0)
    out["disabled_gene_rate"] = num("disabled_gene_rate", 0.75)
    out["weight_mutate_genome_rate"] = num("weight_mutate_genome_rate", 1.0)
    out["species_champion_min_size"] = int(num("species_champion_min_size", 0))
    spawn = str(values.get("spawn_method", "neat-python"))
    if spawn not in ("neat-python", "paper"):
        raise InputError(f"spawn_method = {spawn!r} is not 'neat-python' or 'paper'")
    out["spawn_paper"] = int(spawn == "paper")
    distance = str(values.get("compatibility_distance", "neat-python"))
    if distance not in ("neat-python", "paper"):
        raise InputError(f"compatibility_distance = {distance!r} is not 'neat-python' or "
                         "'paper'")
    out["distance_paper"] = int(distance == "paper")
    out["node_split_reuse"] = int(_flag(values.get("node_split_reuse", False),
                                        "node_split_reuse"))
    for key in NEATAPTIC_RATES:
        out[key] = num(key, 0.0)
    out["weight_uniform"] = int(str(values.get("weight_perturbation", "gaussian")) == "uniform")
    out["exclusive_mutations"] = int(_flag(values.get("exclusive_mutations", False),
                                           "exclusive_mutations"))
    out["add_connection_tries"] = int(num("add_connection_tries", 1))
    out["split_enabled_only"] = int(_flag(values.get("split_enabled_only", False),
                                          "split_enabled_only"))
    out["speciation_paper"] = int(str(values.get("speciation", "neat-python")) == "paper")
    out["crossover_average_rate"] = num("crossover_average_rate", 0.0)
    out["population_stagnation"] = int(num("population_stagnation", 0))
    index = values.get("bias_input_index")
    out["bias_input"] = -1 if index is None else int(index)
    out["split_old_genes"] = int(_flag(values.get("split_old_genes", False), "split_old_genes"))
    out["mate_only_rate"] = num("mate_only_rate", 0.0)
    out["champion_by_spawn"] = int(_flag(values.get("champion_by_spawn", False),
                                         "champion_by_spawn"))
    out["stagnation_penalty"] = num("stagnation_penalty", 0.0)
    out["obliterate_every"] = int(num("obliterate_every", 0))
    out["interspecies_champion"] = int(str(values.get("interspecies_partner", "random"))
                                       == "champion")
    out["weight_mutation_cpp"] = int(str(values.get("weight_mutation", "per-gene"))
                                     == "neat-c++")
    out["crossover_tie_smaller"] = int(_flag(values.get("crossover_tie_smaller", False),
                                             "crossover_tie_smaller"))
    out["add_connection_cpp"] = int(str(values.get("add_connection_rule", "neat-python"))
                                    == "neat-c++")
    out["recurrent_connection_rate"] = num("recurrent_connection_rate", 0.0)
    return out


def genome_data(t: tuple[Any, ...]) -> GenomeData:
    """A ``GenomeData`` from the native genome tuple (arrays are the extension's copies)."""
    return GenomeData(key=int(t[0]), node_key=t[1], node_bias=t[2], node_response=t[3],
                      node_activation=t[4], node_aggregation=t[5], conn_innovation=t[6],
                      conn_in=t[7], conn_out=t[8], conn_weight=t[9], conn_enabled=t[10],
                      fitness=t[11], species=t[12], **({} if len(t) < 17 else {
                          "gate_innovation": t[13], "gate_node": t[14], "gate_in": t[15],
                          "gate_out": t[16]}))


_HEAD = struct.Struct("=5qd")


def record_head(record: bytes) -> tuple[int, float]:
    """The key and fitness (NaN: none) of a genome record (``genome_record(i)``)."""
    key, _, _, _, _, fitness = _HEAD.unpack_from(record)
    return key, fitness


def record_tuple(record: bytes) -> tuple[Any, ...]:
    """The native genome tuple (``genome_data(i)``'s, array for array) of a genome record
    (``genome_record(i)``: the genes in one bytes object, see neat.c)."""
    t: tuple[Any, ...] = _neat.record_tuple(record)
    return t


def data_tuple(g: GenomeData) -> tuple[Any, ...]:
    """The native genome tuple of a ``GenomeData`` (the inverse of ``genome_data``)."""
    return (int(g.key), np.asarray(g.node_key, np.int64), np.asarray(g.node_bias, np.float64),
            np.asarray(g.node_response, np.float64), np.asarray(g.node_activation, np.int64),
            np.asarray(g.node_aggregation, np.int64), np.asarray(g.conn_innovation, np.int64),
            np.asarray(g.conn_in, np.int64), np.asarray(g.conn_out, np.int64),
            np.asarray(g.conn_weight, np.float64), np.asarray(g.conn_enabled, np.bool_),
            g.fitness, g.species, *(np.asarray(a, np.int64) for a in g.gates()))


def single_population(genome: Any) -> NativePopulation:
    """A native population holding just ``genome`` (a ``Genome``, which knows its
    ``config``), to evaluate it alone: ``Dataset`` and tasks as per-genome functions.

    **Raises** ``InputError`` for anything that is not a ``Genome`` with a config."""
    data = getattr(genome, "data", None)
    config = getattr(genome, "config", None)
    if not isinstance(data, GenomeData) or config is None:
        raise InputError(f"expected a netgraph.neat Genome, got {type(genome).__name__}")
    state = {"rng": (1, 2, 3, 4), "generation": 0, "next_genome_key": int(data.key) + 1,
             "next_node_key": -1, "next_species_key": 1, "innovation_counter": 0,
             "innovations": [], "genomes": [data_tuple(data)], "species": []}
    return NativePopulation.from_state(native_values(config.values), state)
