"""Config: a NEAT run's parameters, read from neat-python's INI files unchanged.

A neat-python 2.0.0 configuration file has five sections, named after the classes that
read them: ``[NEAT]``, ``[DefaultGenome]``, ``[DefaultSpeciesSet]``, ``[DefaultStagnation]``
and ``[DefaultReproduction]``. Every key keeps neat-python's meaning, type, default and
"required" status (from neat-python's ``config.py``, ``genome.py``, ``genes.py``,
``attributes.py``, ``reproduction.py``, ``species.py`` and ``stagnation.py``). Keys are
unique across the sections, so ``Config.values`` is one flat dict keyed by their names.

netgraph adds a few keys of its own (the paper's operators neat-python lacks, and issue
22's gate mutations), read from an optional ``[netgraph]`` section that neat-python
ignores. Their defaults reproduce neat-python's algorithm:

- ``interspecies_mating_rate`` (0): chance a crossover takes its second parent from
  another species.
- ``mutate_only_rate`` (0): fraction of offspring made by mutation alone.
- ``disabled_gene_rate`` (0.75, neat-python's hard-coded value): chance a matching gene
  disabled in either parent is disabled in the child (after inheriting the flag).
- ``species_champion_min_size`` (0: off): the champion of each species with more members
  than this is copied unchanged.
- ``weight_mutate_genome_rate`` (1): chance a genome's weights and biases are mutated
  at all (then per gene as neat-python).
- ``spawn_method`` ("neat-python" | "paper"), ``compatibility_distance`` ("neat-python" |
  "paper"), ``node_split_reuse`` (False): the paper's offspring allocation, distance and
  same-split rule (see ``Config.paper``).
- ``population_stagnation`` (0: off): NEAT C++'s delta coding; after this many
  generations without a new best of the run, the next generation is all offspring of the
  two best species' champions (see ``Config.paper``).
- ``add_connection_rule`` ("neat-python" | "neat-c++") and ``recurrent_connection_rate``
  (0): NEAT C++ 1.2's add-link mutation (``Genome::mutate_add_link``), which draws a
  link's source from every node, outputs included, and with ``recur_only_prob`` (this
  rate) looks only for a recurrent link (one closing a cycle; half its tries a node's
  link to itself), otherwise only for a link that closes none. Non-zero rates need
  ``feed_forward = False`` (see ``tasks.DoublePole.config``).
- ``gate_add_prob``, ``gate_delete_prob``, ``self_connection_add_prob``,
  ``self_connection_delete_prob``, ``back_connection_add_prob``,
  ``back_connection_delete_prob`` (0): Neataptic's structural mutations; non-zero needs
  ``feed_forward = False`` and ``aggregation_options = sum``, and makes the genomes
  Synaptic/Neataptic networks (``netgraph.neat._gated``).

``activation_options`` takes neat-python's names and Neataptic's (``LOGISTIC``, ``TANH``,
... ``NEATAPTIC_ACTIVATION_NAMES``), each computed exactly by a netgraph activation.

What netgraph refuses, by name, with the file and line: keys no section knows, sections
neat-python would not read, missing required keys, values of the wrong type or out of
range, activation or aggregation names it cannot evaluate exactly, and settings it cannot
honour (time constants that vary: they belong to neat-python's CTRNN, which netgraph does
not model; a non-zero gate or self-connection rate in a feed-forward configuration).
"""

from __future__ import annotations

import configparser
import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .._exceptions import ConfigError

__all__ = [
    "ACTIVATION_NAMES",
    "AGGREGATION_NAMES",
    "NEATAPTIC_ACTIVATION_NAMES",
    "Config",
    "DefaultGenome",
    "DefaultReproduction",
    "DefaultSpeciesSet",
    "DefaultStagnation",
]

# neat-python 2.0.0's built-in activations (neat/activations.py), plus the 2002 paper's
# steepened sigmoid 1/(1+exp(-4.9x)); each is a netgraph activation computing it exactly.
ACTIVATION_NAMES: tuple[str, ...] = (
    "sigmoid", "tanh", "sin", "gauss", "relu", "elu", "lelu", "selu", "softplus",
    "identity", "clamped", "inv", "log", "exp", "abs", "hat", "square", "cube",
    "steep_sigmoid",
)
# Neataptic 1.4.7's activations (methods/activation.js), by Neataptic's names; each is the
# netgraph activation of the same function (netgraph.interop's Neataptic table)
NEATAPTIC_ACTIVATION_NAMES: tuple[str, ...] = (
    "LOGISTIC", "TANH", "IDENTITY", "STEP", "RELU", "SOFTSIGN", "SINUSOID", "GAUSSIAN",
    "BENT_IDENTITY", "BIPOLAR", "BIPOLAR_SIGMOID", "HARD_TANH", "ABSOLUTE", "INVERSE", "SELU",
)
# neat-python's aggregations (neat/aggregations.py). A genome is a netgraph Network, whose
# neurons sum their weighted inputs: "sum" is that sum and "mean" that sum with each
# weight divided by the input count. The others (product, max, min, maxabs, median) are
# not weighted sums once a node has more inputs, so netgraph refuses them.
AGGREGATION_NAMES: tuple[str, ...] = ("sum", "mean", "product", "max", "min", "maxabs",
                                      "median")
_AGGREGATIONS_HONOURED = ("sum", "mean")
_CONNECTIVITY = ("unconnected", "fs_neat_nohidden", "fs_neat", "fs_neat_hidden",
                 "full_nodirect", "full", "full_direct", "partial_nodirect", "partial",
                 "partial_direct")
_TRUE = ("1", "on", "yes", "true")
_FALSE = ("0", "off", "no", "false")
NETGRAPH_SECTION = "netgraph"


class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()


class _Key:
    """One configuration key: its section, neat-python type, neat-python default (or
    REQUIRED), the default the keyword form uses for a required key, and a check."""

    __slots__ = ("check", "default", "keyword_default", "name", "section", "type")

    def __init__(self, section: str, name: str, type: str, default: Any,
                 keyword_default: Any = REQUIRED, check: Callable[[Any], str | None] | None
                 = None) -> None:
        self.section, self.name, self.type = section, name, type
        self.default = default
        self.keyword_default = default if keyword_default is REQUIRED else keyword_default
        self.check = check


def _probability(v: Any) -> str | None:
    return None if 0.0 <= v <= 1.0 else "must be a probability, between 0 and 1"


def _non_negative(v: Any) -> str | None:
    return None if v >= 0 else "must not be negative"


def _positive_int(v: Any) -> str | None:
    return None if v >= 1 else "must be at least 1"


def _choice(*options: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in options else f"must be one of {', '.join(options)}"
    return check


def _init_type(v: Any) -> str | None:
    low = v.lower()
    ok = "gauss" in low or "normal" in low or "uniform" in low
    return None if ok else "must name a 'gaussian' (or 'normal') or 'uniform' distribution"


def _float_attribute(name: str, section: str, xor: tuple[float, ...],
                     fixed: dict[str, float] | None = None) -> list[_Key]:
    """neat-python's FloatAttribute keys for ``name`` (bias, response, weight). ``xor``
    gives the keyword form's values for the keys neat-python requires: init_mean,
    init_stdev, replace_rate, mutate_rate, mutate_power, max_value, min_value (those of
    neat-python's own examples/xor/config-feedforward). ``fixed`` gives neat-python's own
    defaults instead (time_constant has them)."""
    parts = ("init_mean", "init_stdev", "replace_rate", "mutate_rate", "mutate_power",
             "max_value", "min_value")
    checks: dict[str, Callable[[Any], str | None] | None] = {
        "init_mean": None, "init_stdev": _non_negative, "replace_rate": _probability,
        "mutate_rate": _probability, "mutate_power": _non_negative, "max_value": None,
        "min_value": None}
    keys = []
    for part, kw in zip(parts, xor, strict=True):
        default = REQUIRED if fixed is None else fixed[part]
        keys.append(_Key(section, f"{name}_{part}", "float", default, kw, checks[part]))
    keys.append(_Key(section, f"{name}_init_type", "str", "gaussian", check=_init_type))
    return keys


_G, _N, _S, _T, _R = ("DefaultGenome", "NEAT", "DefaultSpeciesSet", "DefaultStagnation",
                      "DefaultReproduction")

_KEYS: list[_Key] = [
    # [NEAT] (neat/config.py). no_fitness_termination has a default there but neat-python
    # 2.0 still requires it in a file ("all parameters must be explicitly specified").
    _Key(_N, "pop_size", "int", REQUIRED, 150),
    _Key(_N, "fitness_criterion", "str", REQUIRED, "max"),
    _Key(_N, "fitness_threshold", "float", REQUIRED, 3.9),
    _Key(_N, "reset_on_extinction", "bool", REQUIRED, False),
    _Key(_N, "no_fitness_termination", "bool", REQUIRED, False),
    _Key(_N, "seed", "optional_int", None),
    # [DefaultGenome] (neat/genome.py)
    _Key(_G, "num_inputs", "int", REQUIRED, REQUIRED, _positive_int),
    _Key(_G, "num_outputs", "int", REQUIRED, REQUIRED, _positive_int),
    _Key(_G, "num_hidden", "int", REQUIRED, 0, _non_negative),
    _Key(_G, "feed_forward", "bool", REQUIRED, True),
    _Key(_G, "compatibility_disjoint_coefficient", "float", REQUIRED, 1.0, _non_negative),
    _Key(_G, "compatibility_weight_coefficient", "float", REQUIRED, 0.5, _non_negative),
    _Key(_G, "conn_add_prob", "float", REQUIRED, 0.5, _probability),
    _Key(_G, "conn_delete_prob", "float", REQUIRED, 0.5, _probability),
    _Key(_G, "node_add_prob", "float", REQUIRED, 0.2, _probability),
    _Key(_G, "node_delete_prob", "float", REQUIRED, 0.2, _probability),
    # neat-python's default for an omitted single_structural_mutation is the *string*
    # 'false', which is truthy: a file that leaves it out mutates in single-structural
    # mode, and we reproduce what it does (True). The keyword form has no file to leave it
    # out of: it takes the declared default, False.
    _Key(_G, "single_structural_mutation", "bool", True, False),
    _Key(_G, "structural_mutation_surer", "surer", "default"),
    _Key(_G, "initial_connection", "connection", "unconnected"),
    # node genes (neat/genes.py DefaultNodeGene)
    *_float_attribute("bias", _G, (0.0, 1.0, 0.1, 0.7, 0.5, 30.0, -30.0)),
    *_float_attribute("response", _G, (1.0, 0.0, 0.0, 0.0, 0.0, 30.0, -30.0)),
    _Key(_G, "activation_default", "str", "random"),
    _Key(_G, "activation_options", "list", REQUIRED, ["sigmoid"]),
    _Key(_G, "activation_mutate_rate", "float", REQUIRED, 0.0, _probability),
    _Key(_G, "aggregation_default", "str", "random"),
    _Key(_G, "aggregation_options", "list", REQUIRED, ["sum"]),
    _Key(_G, "aggregation_mutate_rate", "float", REQUIRED, 0.0, _probability),
    *_float_attribute("time_constant", _G, (1.0, 0.0, 0.0, 0.0, 0.0, 10.0, 0.01),
                      fixed={"init_mean": 1.0, "init_stdev": 0.0, "replace_rate": 0.0,
                             "mutate_rate": 0.0, "mutate_power": 0.0, "max_value": 10.0,
                             "min_value": 0.01}),
    # connection genes (DefaultConnectionGene)
    *_float_attribute("weight", _G, (0.0, 1.0, 0.1, 0.8, 0.5, 30.0, -30.0)),
    _Key(_G, "enabled_default", "enabled", REQUIRED, "true"),
    _Key(_G, "enabled_mutate_rate", "float", REQUIRED, 0.01, _probability),
    _Key(_G, "enabled_rate_to_true_add", "float", 0.0, check=_probability),
    _Key(_G, "enabled_rate_to_false_add", "float", 0.0, check=_probability),
    # [DefaultSpeciesSet] (neat/species.py)
    _Key(_S, "compatibility_threshold", "float", REQUIRED, 3.0, _non_negative),
    # [DefaultStagnation] (neat/stagnation.py)
    _Key(_T, "species_fitness_func", "str", "mean",
         check=_choice("min", "max", "mean", "median", "median2")),
    _Key(_T, "max_stagnation", "int", 15, check=_positive_int),
    _Key(_T, "species_elitism", "int", 0, check=_non_negative),
    # [DefaultReproduction] (neat/reproduction.py)
    _Key(_R, "elitism", "int", 0, check=_non_negative),
    _Key(_R, "survival_threshold", "float", 0.2,
         check=lambda v: None if 0.0 < v <= 1.0 else "must be in (0, 1]"),
    _Key(_R, "min_species_size", "int", 1, check=_positive_int),
    # [netgraph]: netgraph's own keys. Defaults reproduce neat-python's algorithm.
    _Key(NETGRAPH_SECTION, "interspecies_mating_rate", "float", 0.0, check=_probability),
    _Key(NETGRAPH_SECTION, "mutate_only_rate", "float", 0.0, check=_probability),
    # neat-python 2.0's crossover (genes.py): a matching gene inherits ``enabled`` from a
    # random parent like any attribute, then, if either parent's copy is disabled, is
    # disabled with probability 0.75. This key is that 0.75.
    _Key(NETGRAPH_SECTION, "disabled_gene_rate", "float", 0.75, check=_probability),
    _Key(NETGRAPH_SECTION, "species_champion_min_size", "int", 0, check=_non_negative),
    # the paper's gate: a genome's weights (and biases) are mutated at all only with this
    # probability, then each gene by weight_mutate_rate / weight_replace_rate (1: always,
    # neat-python)
    _Key(NETGRAPH_SECTION, "weight_mutate_genome_rate", "float", 1.0, check=_probability),
    _Key(NETGRAPH_SECTION, "spawn_method", "str", "neat-python",
         check=_choice("neat-python", "paper")),
    # "neat-python": its distance (node and connection genes, matched by key, each part
    # divided by the larger genome's gene count, summed weight differences). "paper":
    # section 3.3's, over connection genes matched by innovation number:
    # c1 E / N + c2 D / N + c3 W̄, W̄ the mean weight difference of matching genes
    # (disabled ones included), N the larger genome's gene count, or 1 below 20 genes.
    _Key(NETGRAPH_SECTION, "compatibility_distance", "str", "neat-python",
         check=_choice("neat-python", "paper")),
    # the paper (p. 108): identical mutations in one generation are one innovation, so the
    # same connection split twice in a generation gives the same new node key (and the
    # same two connection numbers); neat-python gives every split a fresh node
    _Key(NETGRAPH_SECTION, "node_split_reuse", "bool", False),
    # Stanley's NEAT C++ (1.2.1, Genome::mutate_link_weights): "uniform" perturbs a weight
    # or bias by, and replaces it with, a uniform draw in +-mutate_power ("gaussian":
    # neat-python's gauss(0, mutate_power) and a new init value)
    _Key(NETGRAPH_SECTION, "weight_perturbation", "str", "gaussian",
         check=_choice("gaussian", "uniform")),
    # NEAT C++ (Species::reproduce): a genome gets an added node, else an added connection,
    # else its weight mutations; never a structural mutation and new weights together
    _Key(NETGRAPH_SECTION, "exclusive_mutations", "bool", False),
    # NEAT C++ (Genome::mutate_add_link, newlink_tries = 20): attempts to find a pair of
    # nodes not yet linked (1: neat-python's single attempt)
    _Key(NETGRAPH_SECTION, "add_connection_tries", "int", 1, check=_positive_int),
    # NEAT C++ (Genome::mutate_add_node): only an enabled connection is split
    _Key(NETGRAPH_SECTION, "split_enabled_only", "bool", False),
    # "paper" (section 3.3): each species is represented by a random member of the
    # previous generation, and a genome joins the first species (oldest first) whose
    # representative is within compatibility_threshold
    _Key(NETGRAPH_SECTION, "speciation", "str", "neat-python",
         check=_choice("neat-python", "paper")),
    # NEAT C++ (mate_multipoint_avg_prob 0.4 in its XOR parameters; Stanley &
    # Miikkulainen 2004, JAIR 21, appendix A): in this share of crossovers the child takes
    # the mean of the parents' weights (and biases) of matching genes
    _Key(NETGRAPH_SECTION, "crossover_average_rate", "float", 0.0, check=_probability),
    # NEAT C++ (Population::epoch, dropoff_age + 5 = 20 in its parameter files): after
    # this many generations without a new population record, delta coding (0: off)
    _Key(NETGRAPH_SECTION, "population_stagnation", "int", 0, check=_non_negative),
    # more of NEAT C++ 1.2 (all off by default, so neat-python configurations are
    # unaffected). bias_input_index: the position among the inputs of a constant bias
    # input (NEAT C++'s BIAS sensor), whose connections add-node never splits
    # (Genome::mutate_add_node); None: no such input
    _Key(NETGRAPH_SECTION, "bias_input_index", "optional_int", None, check=_non_negative),
    # Genome::mutate_add_node (NEAT C++ 1.1's): in a genome of fewer than 15 connection
    # genes, split an older gene (step past each gene with probability 0.3), against
    # "chaining" splits of the newest connections
    _Key(NETGRAPH_SECTION, "split_old_genes", "bool", False),
    # mate_only_prob: a crossover child of two different parents is left unmutated with
    # this probability (Species::reproduce)
    _Key(NETGRAPH_SECTION, "mate_only_rate", "float", 0.0, check=_probability),
    # Species::reproduce: the champion is copied when the species' offspring (its
    # expected_offspring), not its members, exceed species_champion_min_size
    _Key(NETGRAPH_SECTION, "champion_by_spawn", "bool", False),
    # Species::adjust_fitness: a species stagnant for max_stagnation generations is kept,
    # its members' fitness (so its share of the offspring) times this penalty (NEAT C++:
    # 0.01), instead of removed (0: removed, neat-python's rule)
    _Key(NETGRAPH_SECTION, "stagnation_penalty", "float", 0.0, check=_probability),
    # Population::epoch: every this many generations the species of the lowest fitness
    # among those 20 generations old or more counts as stagnant (NEAT C++: 30; 0: off)
    _Key(NETGRAPH_SECTION, "obliterate_every", "int", 0, check=_non_negative),
    # interspecies mating's partner: "random" (a parent of a random species) or
    # "champion" (Species::reproduce: the champion of a species picked with a bias to
    # the fitter ones)
    _Key(NETGRAPH_SECTION, "interspecies_partner", "str", "random",
         check=_choice("random", "champion")),
    # "per-gene": each gene by weight_mutate_rate / weight_replace_rate; "neat-c++":
    # Genome::mutate_link_weights' schedule (severe genomes, older genes spared)
    _Key(NETGRAPH_SECTION, "weight_mutation", "str", "per-gene",
         check=_choice("per-gene", "neat-c++")),
    # Genome::mate_multipoint: at equal fitness the smaller genome is the fitter parent
    _Key(NETGRAPH_SECTION, "crossover_tie_smaller", "bool", False),
    # NEAT C++ 1.2 (Genome::mutate_add_link): a link may leave any node, outputs
    # included, and with probability recurrent_connection_rate (its recur_only_prob; 0.2
    # in p2nv.ne) the mutation looks only for a link that closes a cycle, otherwise only
    # for one that does not ("neat-python": an input or hidden node to any node)
    _Key(NETGRAPH_SECTION, "add_connection_rule", "str", "neat-python",
         check=_choice("neat-python", "neat-c++")),
    _Key(NETGRAPH_SECTION, "recurrent_connection_rate", "float", 0.0, check=_probability),
    # issue 22: Neataptic's structural mutations (recurrent: need feed_forward = False)
    *(_Key(NETGRAPH_SECTION, name, "float", 0.0, check=_probability) for name in (
        "gate_add_prob", "gate_delete_prob", "self_connection_add_prob",
        "self_connection_delete_prob", "back_connection_add_prob",
        "back_connection_delete_prob")),
]
KEYS: dict[str, _Key] = {k.name: k for k in _KEYS}
SECTIONS: tuple[str, ...] = (_N, _G, _S, _T, _R, NETGRAPH_SECTION)
_RECURRENT_ONLY = ("gate_add_prob", "self_connection_add_prob", "back_connection_add_prob")
_RECURRENT_RATES = ("gate_add_prob", "gate_delete_prob", "self_connection_add_prob",
                    "self_connection_delete_prob", "back_connection_add_prob",
                    "back_connection_delete_prob")


class DefaultGenome:
    """Marker for neat-python's call form ``Config(DefaultGenome, DefaultReproduction,
    DefaultSpeciesSet, DefaultStagnation, path)``: names the ``[DefaultGenome]`` section."""


class DefaultReproduction:
    """Marker for neat-python's call form: names the ``[DefaultReproduction]`` section."""


class DefaultSpeciesSet:
    """Marker for neat-python's call form: names the ``[DefaultSpeciesSet]`` section."""


class DefaultStagnation:
    """Marker for neat-python's call form: names the ``[DefaultStagnation]`` section."""


_MARKERS = (DefaultGenome, DefaultReproduction, DefaultSpeciesSet, DefaultStagnation)


# ====================================================================== reading values
def _convert(key: _Key, raw: Any, *, from_text: bool, neat_section: bool = False) -> Any:
    """A raw value (text from a file, or a Python value from a keyword) as the key's type.
    Raises ValueError with a short reason."""
    t = key.type
    if t in ("int", "optional_int"):
        if from_text:
            return int(str(raw).strip())
        if isinstance(raw, bool) or not isinstance(raw, int):
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            raise ValueError("must be an integer")
        return int(raw)
    if t == "float":
        if from_text:
            v = float(str(raw).strip())
        elif isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError("must be a number")
        else:
            v = float(raw)
        if not math.isfinite(v) and key.name != "fitness_threshold":
            raise ValueError("must be a finite number")
        if math.isnan(v):
            raise ValueError("must be a number, not NaN")
        return v
    if t == "bool":
        if not from_text:
            if not isinstance(raw, bool):
                raise ValueError("must be True or False")
            return raw
        low = str(raw).strip().lower()
        # [NEAT] is read with ConfigParser.getboolean (1/yes/on/true...), the other
        # sections by neat-python's own parser, which knows only true and false
        accepted = (_TRUE, _FALSE) if neat_section else (("true",), ("false",))
        if low in accepted[0]:
            return True
        if low in accepted[1]:
            return False
        raise ValueError("must be True or False")
    if t == "list":
        if from_text:
            # neat-python splits on single spaces; an empty item (two spaces) is no name
            return [s for s in str(raw).split(" ") if s]
        if isinstance(raw, str):
            return [s for s in raw.split(" ") if s]
        if not isinstance(raw, (list, tuple)) or not all(isinstance(s, str) for s in raw):
            raise ValueError("must be a list of names")
        return list(raw)
    if not isinstance(raw, str):
        raise ValueError("must be text")
    if t == "surer":
        low = raw.strip().lower()
        if low in _TRUE:
            return "true"
        if low in _FALSE:
            return "false"
        if low == "default":
            return "default"
        raise ValueError("must be true, false or default")
    if t == "enabled":
        low = raw.strip().lower()
        if low in _TRUE:
            return "true"
        if low in _FALSE:
            return "false"
        if low in ("random", "none"):
            return "random"
        raise ValueError("must be true, false or random")
    return raw if t != "connection" else raw.strip()


class _Where:
    """Where each key was set: file and line, for error messages."""

    def __init__(self, file: str | None = None, lines: dict[str, int] | None = None,
                 sections: dict[str, int] | None = None) -> None:
        self.file, self.lines, self.sections = file, lines or {}, sections or {}

    def error(self, key: str | None, message: str, *, section: str | None = None
              ) -> ConfigError:
        line = self.lines.get(key) if key else None
        if line is None and section is not None:
            line = self.sections.get(section)
        place = ""
        if self.file is not None:
            place = f"{self.file}, line {line}: " if line else f"{self.file}: "
        named = f"{key!r}: " if key else ""
        return ConfigError(f"{place}{named}{message}", key=key, file=self.file, line=line)


_LINE = re.compile(r"^([^\s=:#;\[][^=:]*?)\s*[=:]")
_SECTION = re.compile(r"^\[([^\]]+)\]")


def _line_numbers(text: str) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """(section, key) -> line and section -> header line, as ConfigParser reads them
    (keys lower-cased; indented lines continue the previous value)."""
    keys: dict[tuple[str, str], int] = {}
    sections: dict[str, int] = {}
    section = ""
    for n, line in enumerate(text.splitlines(), 1):
        m = _SECTION.match(line)
        if m:
            section = m.group(1).strip()
            sections.setdefault(section, n)
            continue
        m = _LINE.match(line)
        if m:
            keys.setdefault((section, m.group(1).strip().lower()), n)
    return keys, sections


def _read_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], _Where]:
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError(f"no such configuration file: {os.path.abspath(name)}",
                          file=name) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{name}: cannot read it: {e}", file=name) from None
    line_of, section_line = _line_numbers(text)
    where = _Where(name, {}, section_line)
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=name)
    except configparser.DuplicateOptionError as e:
        raise ConfigError(f"{name}, line {e.lineno}: {e.option!r}: set twice in section "
                          f"[{e.section}]", key=e.option, file=name, line=e.lineno) from None
    except configparser.DuplicateSectionError as e:
        raise ConfigError(f"{name}, line {e.lineno}: section [{e.section}] appears twice",
                          file=name, line=e.lineno) from None
    except configparser.MissingSectionHeaderError as e:
        raise ConfigError(f"{name}, line {e.lineno}: a key before any [section] header",
                          file=name, line=e.lineno) from None
    except configparser.ParsingError as e:
        lineno = e.errors[0][0] if e.errors else None
        raise ConfigError(f"{name}, line {lineno}: not 'key = value'", file=name,
                          line=lineno) from None
    if parser.defaults():
        key = next(iter(parser.defaults()))
        raise ConfigError(f"{name}, line {line_of.get(('DEFAULT', key))}: {key!r}: a "
                          "[DEFAULT] section is not part of neat-python's format", key=key,
                          file=name, line=line_of.get(("DEFAULT", key)))
    for section in parser.sections():
        if section not in SECTIONS:
            raise ConfigError(
                f"{name}, line {section_line.get(section)}: unknown section [{section}] "
                f"(a neat-python configuration has {', '.join(f'[{s}]' for s in SECTIONS[:5])}"
                f", and netgraph's own keys go in [{NETGRAPH_SECTION}])",
                file=name, line=section_line.get(section))
    for section in SECTIONS[:5]:
        if not parser.has_section(section):
            raise ConfigError(f"{name}: section [{section}] is missing (neat-python needs "
                              "it)", file=name)
    raw: dict[str, Any] = {}
    for section in parser.sections():
        for key, value in parser.items(section, raw=False):
            where.lines[key] = line_of.get((section, key), 0) or section_line.get(section, 0)
            spec = KEYS.get(key)
            if spec is None:
                raise where.error(key, f"unknown key in section [{section}]"
                                  + _suggest(key))
            if spec.section != section:
                raise where.error(key, f"belongs in section [{spec.section}], not "
                                       f"[{section}]")
            try:
                raw[key] = _convert(spec, value, from_text=True, neat_section=section == _N)
            except ValueError as e:
                reason = str(e) if "must" in str(e) else f"must be {_TYPE_WORDS[spec.type]}"
                raise where.error(key, f"{value!r:.60} {reason}") from None
    for spec in _KEYS:
        if spec.name not in raw and spec.default is REQUIRED:
            raise where.error(spec.name, f"is missing from section [{spec.section}] "
                                         "(neat-python requires it)", section=spec.section)
    return raw, where


_TYPE_WORDS = {"int": "an integer", "optional_int": "an integer", "float": "a number",
               "bool": "True or False", "list": "a list of names", "str": "text",
               "surer": "true, false or default", "enabled": "true, false or random",
               "connection": "a connectivity name"}


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ====================================================================== validation
def _finish(given: dict[str, Any], where: _Where, *, keyword: bool) -> dict[str, Any]:
    """All keys' values (defaults filled in), checked together; the flat values dict."""
    values: dict[str, Any] = {}
    for spec in _KEYS:
        if spec.name in given:
            values[spec.name] = given[spec.name]
            continue
        default = spec.keyword_default if keyword else spec.default
        if default is REQUIRED:
            raise where.error(spec.name, "is required" + (
                " (a keyword argument)" if keyword else ""), section=spec.section)
        values[spec.name] = list(default) if isinstance(default, list) else default
    for spec in _KEYS:
        if spec.check is not None and values[spec.name] is not None:
            problem = spec.check(values[spec.name])
            if problem:
                raise where.error(spec.name, f"is {values[spec.name]!r}, but {problem}")
    _check_together(values, where)
    return values


def _check_together(v: dict[str, Any], where: _Where) -> None:
    if v["pop_size"] < 2:
        raise where.error("pop_size", f"is {v['pop_size']}, but a population needs at least "
                                      "2 genomes to reproduce")
    criterion = v["fitness_criterion"]
    if criterion not in ("max", "min", "mean") and not v["no_fitness_termination"]:
        raise where.error("fitness_criterion", f"is {criterion!r}, but must be max, min or "
                                               "mean")
    connection = v["initial_connection"]
    kind, *rest = connection.split()
    if kind not in _CONNECTIVITY:
        raise where.error("initial_connection", f"{connection!r} is not one of "
                                                f"{', '.join(_CONNECTIVITY)}")
    if "partial" in kind:
        try:
            (fraction,) = (float(x) for x in rest)
        except ValueError:
            raise where.error("initial_connection", f"{connection!r}: a partial connection "
                              "needs its fraction, e.g. 'partial_direct 0.5'") from None
        if not 0.0 <= fraction <= 1.0:
            raise where.error("initial_connection", f"{connection!r}: the fraction must be "
                                                    "between 0 and 1")
        v["initial_connection"] = kind
        v["initial_connection_fraction"] = fraction
    elif rest:
        raise where.error("initial_connection", f"{connection!r}: only the partial kinds "
                                                "take a fraction")
    else:
        v["initial_connection"] = kind
        v["initial_connection_fraction"] = None
    index = v["bias_input_index"]
    if index is not None and index >= v["num_inputs"]:
        raise where.error("bias_input_index", f"is {index}, but there are only "
                                              f"{v['num_inputs']} inputs (0 .. "
                                              f"{v['num_inputs'] - 1})")
    for attr in ("bias", "response", "weight", "time_constant"):
        lo, hi = v[f"{attr}_min_value"], v[f"{attr}_max_value"]
        if hi < lo:
            raise where.error(f"{attr}_max_value", f"is {hi}, below {attr}_min_value {lo}")
    for part in ("init_stdev", "mutate_rate", "replace_rate"):
        name = f"time_constant_{part}"
        if v[name] != 0.0:
            raise where.error(name, f"is {v[name]}: time constants belong to neat-python's "
                              "CTRNN networks, which netgraph does not model; netgraph "
                              "honours only constant time constants (0 here)")
    for kind, known, honoured in (
            ("activation", ACTIVATION_NAMES + NEATAPTIC_ACTIVATION_NAMES,
             ACTIVATION_NAMES + NEATAPTIC_ACTIVATION_NAMES),
            ("aggregation", AGGREGATION_NAMES, _AGGREGATIONS_HONOURED)):
        options = v[f"{kind}_options"]
        key = f"{kind}_options"
        if not options:
            raise where.error(key, "names no function")
        for name in options:
            if name not in known:
                raise where.error(key, f"{name!r} is not one of neat-python's or "
                                       f"Neataptic's {kind}s ({', '.join(known)})")
            if name not in honoured:
                raise where.error(key, f"{name!r}: a genome is a netgraph Network, whose "
                                       "neurons take a weighted sum of their inputs; "
                                       f"netgraph evaluates the {kind}s "
                                       f"{', '.join(honoured)} exactly, not {name!r}")
        if len(set(options)) != len(options):
            raise where.error(key, "names a function twice")
        default = v[f"{kind}_default"]
        if default.lower() in ("none", "random"):
            v[f"{kind}_default"] = "random"
        elif default not in options:
            raise where.error(f"{kind}_default", f"is {default!r}, which is not among "
                                                 f"{kind}_options ({' '.join(options)})")
    if any(v[name] != 0.0 for name in _RECURRENT_RATES):
        bad = [a for a in v["aggregation_options"] if a != "sum"]
        if bad:
            raise where.error("aggregation_options", f"{bad[0]!r}: with Neataptic's "
                              "mutations on, genomes are Neataptic networks, whose nodes "
                              "sum their inputs (use aggregation_options = sum)")
    if v["feed_forward"]:
        for name in _RECURRENT_RATES:
            if v[name] != 0.0:
                raise where.error(name, f"is {v[name]}, but feed_forward = True: gates, "
                                  "self-connections and back-connections make a genome "
                                  "recurrent (set feed_forward = False)")
    if v["recurrent_connection_rate"] != 0.0:
        if v["add_connection_rule"] != "neat-c++":
            raise where.error("recurrent_connection_rate", f"is "
                              f"{v['recurrent_connection_rate']}, but add_connection_rule "
                              f"= {v['add_connection_rule']}: only NEAT C++'s rule looks "
                              "for recurrent links (set add_connection_rule = neat-c++)")
        if v["feed_forward"]:
            raise where.error("recurrent_connection_rate", f"is "
                              f"{v['recurrent_connection_rate']}, but feed_forward = True: "
                              "recurrent links need feed_forward = False")
    if v["seed"] is not None and not 0 <= v["seed"] < 2**64:
        raise where.error("seed", f"is {v['seed']}, but must be in 0 .. 2**64 - 1")


# ====================================================================== Config
class _Section:
    """A read-only view of the values, for neat-python code that reads
    ``config.genome_config.num_inputs`` and the like."""

    def __init__(self, values: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_extra", extra)

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "_extra")
        if name in extra:
            return extra[name]
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"configuration has no key {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Config is read-only: make a new one with "
                             "config.replace(key=value)")

    def add_activation(self, name: str, function: Any) -> None:
        """neat-python's custom activations: refused (see ``ConfigError``)."""
        raise ConfigError(f"add_activation({name!r}, ...): netgraph evaluates genomes in "
                          "its native core and as netgraph Networks, so it cannot run a "
                          "Python activation; the built-in ones are "
                          f"{', '.join(ACTIVATION_NAMES)}", key="activation_options")

    def add_aggregation(self, name: str, function: Any) -> None:
        """neat-python's custom aggregations: refused (see ``ConfigError``)."""
        raise ConfigError(f"add_aggregation({name!r}, ...): netgraph evaluates the "
                          f"aggregations {', '.join(_AGGREGATIONS_HONOURED)} only",
                          key="aggregation_options")


class Config:
    """The parameters of a NEAT run: neat-python's keys, meanings and defaults.

    Three ways to make one:

    - ``Config.from_file(path)``: a neat-python 2.0.0 INI file, unchanged.
    - ``Config(num_inputs=2, num_outputs=1, pop_size=150, ...)``: the same keys as keyword
      arguments. Keys neat-python gives a default take it; keys neat-python requires in a
      file take the value of neat-python's own ``examples/xor/config-feedforward``
      (except ``num_inputs`` and ``num_outputs``, which must be given).
    - ``Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
      neat.DefaultStagnation, path)``: neat-python's call form, for code that changes
      only its import line.
    - ``Config.paper(num_inputs, num_outputs)``: Stanley & Miikkulainen's 2002 parameters.

    **Attributes**
    - ``values``: the flat dict of every key (neat-python's names and types; see the
      module docstring), plus ``initial_connection_fraction`` (float or None).
    - ``file``: the path it was read from, or None.
    - Every key also reads as an attribute (``config.pop_size``), and neat-python's
      ``config.genome_config`` / ``species_set_config`` / ``stagnation_config`` /
      ``reproduction_config`` views work (``genome_config.input_keys`` too).

    **Raises** ``ConfigError`` naming the key (and the file and line) for an unknown key,
    a missing required one, or a bad value.
    """

    genome_type: ClassVar[type] = DefaultGenome
    reproduction_type: ClassVar[type] = DefaultReproduction
    species_set_type: ClassVar[type] = DefaultSpeciesSet
    stagnation_type: ClassVar[type] = DefaultStagnation

    values: dict[str, Any]
    file: str | None

    def __init__(self, *args: Any, **keys: Any) -> None:
        if args:
            if keys or len(args) != 5 or not all(
                    getattr(a, "__name__", None) == m.__name__
                    for a, m in zip(args[:4], _MARKERS, strict=True)):
                raise TypeError("Config takes keyword arguments (Config(num_inputs=2, "
                                "num_outputs=1, ...)), or neat-python's five positional "
                                "ones: Config(neat.DefaultGenome, neat.DefaultReproduction, "
                                "neat.DefaultSpeciesSet, neat.DefaultStagnation, path)")
            raw, where = _read_file(args[4])
            self._set(_finish(raw, where, keyword=False), where.file)
            return
        where = _Where()
        given: dict[str, Any] = {}
        for name, value in keys.items():
            spec = KEYS.get(name)
            if spec is None:
                raise where.error(name, "is not a configuration key" + _suggest(name))
            try:
                given[name] = None if (value is None and spec.type == "optional_int") \
                    else _convert(spec, value, from_text=False)
            except ValueError as e:
                raise where.error(name, f"{value!r:.60} {e}") from None
        self._set(_finish(given, where, keyword=True), None)

    def _set(self, values: dict[str, Any], file: str | None) -> None:
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "file", file)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Config:
        """Read a neat-python 2.0.0 configuration file, unchanged.

        **Arguments**
        - ``path``: the INI file.

        **Returns** the ``Config``. **Raises** ``ConfigError`` naming the key, the file
        and the line of anything unknown, missing or bad.
        """
        return cls(*_MARKERS, path)

    @classmethod
    def paper(cls, num_inputs: int, num_outputs: int, *, bias_input: bool = False,
              **changes: Any) -> Config:
        """The parameters of Stanley & Miikkulainen 2002 (*Evolving Neural Networks
        through Augmenting Topologies*, Evol. Comput. 10(2), section 4.1 "Parameter
        settings", p. 112), on neat-python's structure.

        From the paper:

        - ``compatibility_disjoint_coefficient = 1.0``: c1 = c2 = 1.0 (neat-python has one
          coefficient for excess and disjoint genes, which is what c1 = c2 means).
        - ``compatibility_weight_coefficient = 0.4``: c3 = 0.4.
        - ``compatibility_threshold = 3.0``: δt = 3.0.
        - ``pop_size = 150``.
        - weights: "80% chance of a genome having its connection weights mutated, in which
          case each weight had a 90% chance of being uniformly perturbed and a 10% chance
          of being assigned a new random value": ``weight_mutate_genome_rate = 0.8`` (a
          netgraph key: the per-genome gate neat-python lacks), then per gene
          ``weight_mutate_rate = 0.9`` and ``weight_replace_rate = 0.1``, with
          ``weight_perturbation = "uniform"`` ("uniformly perturbed"; neat-python's are
          gaussian).
        - ``disabled_gene_rate = 0.75``: "a 75% chance that an inherited gene was disabled
          if it was disabled in either parent".
        - ``mutate_only_rate = 0.25``: "25% of offspring resulted from mutation without
          crossover".
        - ``interspecies_mating_rate = 0.001``.
        - ``node_add_prob = 0.03``, ``conn_add_prob = 0.05`` (the paper's small-population
          rates); no deletions (``node_delete_prob = conn_delete_prob = 0``).
        - ``max_stagnation = 15`` with ``species_fitness_func = "max"``: a species whose
          maximum fitness has not improved in 15 generations does not reproduce.
        - ``species_champion_min_size = 5``: "the champion of each species with more than
          five networks was copied into the next generation unchanged" (so neat-python's
          own ``elitism = 0``).
        - ``activation_options = ["steep_sigmoid"]``: 1/(1+e^(-4.9x)).
        - ``spawn_method = "paper"``: explicit fitness sharing, each species' offspring
          proportional to the sum of its members' adjusted fitnesses.
        - ``node_split_reuse = True``: "when the same structure arises more than once
          through independent mutations in the same generation, each identical mutation
          is assigned the same innovation number" (p. 108): the same connection split in
          two genomes in one generation makes the same node (neat-python makes a new
          node key for every split).
        - ``speciation = "paper"`` (section 3.3): each species is represented by a random
          member of the previous generation, and a genome joins the *first* species whose
          representative is within δt (neat-python: the closest, against a new
          representative picked as the genome closest to the old one). NEAT C++ compares
          with the species' champion instead (``Species::reproduce``, ``first()`` of the
          sorted species); tried on XOR, 100 seeds: mean 6,810 against 6,476 evaluations,
          so the paper's text is kept.
        - ``compatibility_distance = "paper"``: δ = c1 E / N + c2 D / N + c3 W̄ over the
          connection genes, matched by innovation number; W̄ the mean weight difference
          of matching genes (disabled ones included); N the larger genome's gene count,
          set to 1 below 20 genes ("N can be set to 1 if both genomes are small").
          neat-python's own distance divides every count by N and adds node genes: with
          δt = 3 it would put nearly every small genome in one species.

        Not in the paper: taken from Stanley's NEAT C++ 1.2.1, the code behind the paper
        (its XOR parameter file and the methods named):

        - sizes of changes: ``weight_mutate_power = 2.5`` (the parameter file's
          ``weight_mut_power 2.5``): a perturbation, and a new value, is uniform in ±2.5
          (``Genome::mutate_link_weights``, ``randposneg() * randfloat() * power``);
          weights are capped at ±8 (same method: "Cap the weights at 8.0
          (experimental)"). Biases: below.
        - initial weights and biases uniform in ±1: ``weight_init_type = "uniform"`` with
          ``weight_init_stdev = 0.5`` (neat-python's uniform spans mean ± 2 stdev), the
          same for biases (``Population::spawn`` draws every start weight by
          ``mutate_link_weights(1.0, 1.0, COLDGAUSSIAN)``: uniform in ±1). A new
          connection's weight is drawn the same way (``mutate_add_link``: ±1).
        - ``exclusive_mutations = True``: an offspring gets an added node (3%), else an
          added connection (5%), else its weight mutations (``Species::reproduce``), never
          a new structure and new weights at once.
        - ``add_connection_tries = 20`` (``newlink_tries 20``): the add-connection
          mutation looks up to 20 times for two nodes not yet linked ("connecting two
          previously unconnected nodes", as the paper puts it); neat-python tries once.
        - ``split_enabled_only = True``: the add-node mutation splits an enabled
          connection (``mutate_add_node``); neat-python may split a disabled one.
        - ``split_old_genes = True``: in a genome of fewer than 15 connection genes the
          add-node mutation prefers older genes, "to avoid a 'chaining' effect which is
          likely to occur when we keep splitting between the same two nodes over and over
          again (on newer and newer connections)" (``Genome::mutate_add_node`` of the
          NEAT C++ code with list-based genomes; 1.2.1 has it behind ``if (false)``): from
          the first enabled gene it steps past each next gene with probability 0.3 and
          splits the gene it stops at, if enabled. Measured with
          ``benchmarks/neat_quality.py``, 100 seeds (whole-generation counts): XOR mean
          6,664 → 5,415 evaluations, worst 15,750 → 11,400 (seeds 100-299: 5,565 and
          5,388); double pole with velocities 98/100 solved, mean 4,293 → 100/100, mean
          3,502 (seeds 100-199: 99/100, mean 3,771 → 100/100, mean 4,466; seeds
          200-299: 96/100, mean 4,052 → 99/100, mean 4,320; over the 300 seeds 293 →
          299 solved, mean of the solved about 4,040 → 4,100: on the pole it is the
          solved runs it wins, its mean is within the seeds' noise).
        - ``crossover_average_rate = 0.4`` (``mate_multipoint_avg_prob 0.4``; also in
          Stanley & Miikkulainen 2004, JAIR 21, appendix A): in 40% of crossovers matching
          genes take the mean of the parents' weights.
        - parents: ``survival_threshold = 0.2`` (``survival_thresh 0.20``); with the
          paper's spawn a species' best floor(0.2 * size + 1) breed
          (``Species::adjust_fitness``).
        - more of NEAT C++ 1.2 is available as keys but not set, because it did not help:
          XOR (with this configuration, 100 seeds, mean evaluations against 4,600) and
          the double pole with velocities (``split_old_genes`` on, against 100/100, mean
          3,502):

          - ``mate_only_rate = 0.2`` (``mate_only_prob 0.2``, ``Species::reproduce``: a
            crossover child of two different parents left unmutated; the paper states
            the resulting share instead, 80% of genomes getting weight mutations): XOR
            4,776; pole 98/100, mean 4,376.
          - ``champion_by_spawn = True`` (``Species::reproduce``: the champion copied when
            the species' ``expected_offspring > 5``, the paper says "species with more
            than five networks"): XOR 4,704.
          - ``interspecies_partner = "champion"`` (``Species::reproduce``: the partner is
            the champion of a species picked with a bias to the fitter ones): XOR 4,728.
          - ``weight_mutation = "neat-c++"`` (``Genome::mutate_link_weights``' schedule:
            half the genomes "severe", 70% of genes perturbed and 20% replaced, the others
            every gene perturbed, the newest 20% of large genomes spared more): XOR 4,725;
            pole 97/100, mean 3,659.
          - ``crossover_tie_smaller = True`` (``Genome::mate_multipoint``: at equal fitness
            the smaller genome is the fitter parent): XOR 4,653; pole 99/100, mean 3,829.
          - ``bias_input_index`` (``Genome::mutate_add_node`` never splits a gene out of
            the bias input): pole (``bias_input_index = 6``) 97/100, mean 5,388 without
            ``split_old_genes``, 100/100, mean 3,608 with it; XOR with NEAT C++'s bias
            input (``tasks.XOR(bias_input=True)``, ``Config.paper(3, 1, bias_input=True,
            bias_input_index=0)``, no node biases): mean 5,724 against 5,415 with node
            biases moved by ±2.5 (4,600 by ±1.0, below).
        - NEAT C++'s delta coding (``Population::epoch``: after ``dropoff_age + 5 = 20``
          generations without a new best of the run, the two best species' champions get
          all offspring) is available as ``population_stagnation = 20`` but not set: the
          paper does not describe it, and it changed little: XOR, 100 seeds, mean 6,519
          against 6,476 evaluations; double pole with velocities (``bias_input=True``),
          100 seeds, the same 98 solved, mean 3,816 against 3,857.

        Neither the paper nor NEAT C++ (netgraph's own choices, and why):

        - biases: the paper feeds a bias *input*; neat-python nodes carry a bias. It is
          mutated like a weight, under the same gate (``bias_mutate_rate = 0.9``,
          ``bias_replace_rate = 0.1``), but by smaller steps, ``bias_mutate_power =
          1.0`` (uniform in ±1, the range of NEAT C++'s new link weights, hence of a
          bias link it adds): every weight mutation moves every node's bias, where NEAT
          C++ moves only the bias links a genome has. Chosen on XOR, seeds 0-99, among
          0.5, 0.75, 1.0, 1.25, 1.5 and 2.5 (mean 4,838, 4,612, 4,600, 4,664, 4,814,
          5,415 evaluations) and confirmed on seeds 100-299 (4,486 and 4,466 against
          5,565 and 5,388 with 2.5). A new node starts at bias 0, as a node the bias
          input is not yet linked to. With ``bias_input=True`` (a task whose inputs
          include the paper's bias input, as ``tasks.DoublePole``'s constant 0.5, NEAT
          C++'s ``input[6] = .5`` in ``cpole.cpp``) nodes carry no bias of their own,
          as NEAT C++'s nodes carry none: biases start at 0 and are never mutated
          (``bias_init_stdev = 0``, ``bias_mutate_rate = bias_replace_rate = 0``).
          Otherwise a node bias would duplicate the bias input's links and be kicked by
          ±2.5 at every weight mutation: on the double pole with velocities, 100 seeds
          (``benchmarks/neat_quality.py``), 77 solved, mean 8,569 evaluations, against
          98 solved, mean 3,857 with ``bias_input=True``. NEAT C++ runs XOR and the
          double pole with the same parameters (its ``pole2_markov.ne`` equals the
          XOR's), so nothing else differs between them.
        - ``response`` is fixed at 1; activation, aggregation and enable-flag mutations
          are off (the paper has none).
        - ``initial_connection = "full_direct"``: the paper starts every input linked to
          every output, no hidden nodes; ``feed_forward = True``.
        - ``min_species_size = 1`` (neat-python's default); ``species_elitism = 1``, so
          the best species is never removed as stagnant and a run never goes extinct;
          ``no_fitness_termination = True`` (a task says when a run is solved).

        **Arguments**
        - ``num_inputs``, ``num_outputs``: the task's.
        - ``bias_input``: whether the task's inputs include a constant bias input (then
          nodes get no bias of their own; above).
        - ``changes``: any other key to override.

        **Returns** the ``Config``.
        """
        values: dict[str, Any] = {
            "num_inputs": num_inputs, "num_outputs": num_outputs, "pop_size": 150,
            "compatibility_disjoint_coefficient": 1.0,
            "compatibility_weight_coefficient": 0.4, "compatibility_threshold": 3.0,
            "weight_mutate_genome_rate": 0.8,
            "weight_mutate_rate": 0.9, "weight_replace_rate": 0.1,
            "weight_mutate_power": 2.5, "weight_init_mean": 0.0, "weight_init_stdev": 0.5,
            "weight_init_type": "uniform", "weight_perturbation": "uniform",
            "weight_max_value": 8.0, "weight_min_value": -8.0,
            "bias_mutate_rate": 0.9, "bias_replace_rate": 0.1, "bias_mutate_power": 1.0,
            "bias_init_mean": 0.0, "bias_init_stdev": 0.5, "bias_init_type": "uniform",
            "bias_max_value": 8.0, "bias_min_value": -8.0,
            "response_init_mean": 1.0, "response_init_stdev": 0.0,
            "response_mutate_rate": 0.0, "response_replace_rate": 0.0,
            "response_mutate_power": 0.0,
            "activation_default": "steep_sigmoid", "activation_options": ["steep_sigmoid"],
            "activation_mutate_rate": 0.0,
            "aggregation_default": "sum", "aggregation_options": ["sum"],
            "aggregation_mutate_rate": 0.0,
            "enabled_default": "true", "enabled_mutate_rate": 0.0,
            "disabled_gene_rate": 0.75, "mutate_only_rate": 0.25,
            "interspecies_mating_rate": 0.001,
            "node_add_prob": 0.03, "conn_add_prob": 0.05,
            "node_delete_prob": 0.0, "conn_delete_prob": 0.0,
            "single_structural_mutation": False, "structural_mutation_surer": "false",
            "max_stagnation": 15, "species_fitness_func": "max", "species_elitism": 1,
            "species_champion_min_size": 5, "elitism": 0,
            "survival_threshold": 0.2, "min_species_size": 1,
            "spawn_method": "paper", "compatibility_distance": "paper",
            "node_split_reuse": True, "speciation": "paper",
            "exclusive_mutations": True, "add_connection_tries": 20,
            "split_enabled_only": True, "split_old_genes": True,
            "crossover_average_rate": 0.4,
            "initial_connection": "full_direct",
            "feed_forward": True, "num_hidden": 0,
            "fitness_criterion": "max", "fitness_threshold": 0.0,
            "no_fitness_termination": True, "reset_on_extinction": False,
        }
        if bias_input:
            values.update(bias_init_stdev=0.0, bias_mutate_rate=0.0, bias_replace_rate=0.0)
        values.update(changes)
        return cls(**values)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Config:
        """The Config whose ``values`` are ``values`` (e.g. as a checkpoint stored them).

        **Arguments**
        - ``values``: a ``Config.values`` dict (``initial_connection_fraction`` included;
          JSON's numbers are accepted for its float keys).

        **Returns** an equal ``Config``. **Raises** ``ConfigError`` naming a bad key.
        """
        given = {k: v for k, v in values.items() if k in KEYS}
        for name, spec in KEYS.items():  # JSON writes 30.0 as 30: floats stay floats
            if spec.type == "float" and isinstance(given.get(name), int) and \
                    not isinstance(given.get(name), bool):
                given[name] = float(given[name])
        fraction = values.get("initial_connection_fraction")
        if fraction is not None:
            given["initial_connection"] = f"{given['initial_connection']} {float(fraction)!r}"
        unknown = [k for k in values if k not in KEYS and k != "initial_connection_fraction"]
        if unknown:
            raise ConfigError(f"{unknown[0]!r}: is not a configuration key", key=unknown[0])
        return cls(**given)

    def replace(self, **changes: Any) -> Config:
        """A new Config with some keys changed (checked again as a whole).

        **Arguments**
        - ``changes``: keys and their new values, as the keyword form takes them.

        **Returns** the new ``Config``; this one is unchanged.
        """
        given = {k: v for k, v in self.values.items() if k in KEYS}
        fraction = self.values.get("initial_connection_fraction")
        if fraction is not None and "initial_connection" not in changes:
            given["initial_connection"] = f"{given['initial_connection']} {fraction}"
        given.update(changes)
        made = Config(**given)
        object.__setattr__(made, "file", self.file)
        return made

    # ------------------------------------------------------------------ neat-python views
    @property
    def genome_config(self) -> Any:
        """neat-python's ``config.genome_config``: the genome keys, ``input_keys`` and
        ``output_keys``, and ``connection_fraction``."""
        v = self.values
        return _Section(v, {
            "input_keys": [-i - 1 for i in range(v["num_inputs"])],
            "output_keys": list(range(v["num_outputs"])),
            "connection_fraction": v["initial_connection_fraction"]})

    @property
    def species_set_config(self) -> Any:
        """neat-python's ``config.species_set_config``."""
        return _Section(self.values, {})

    @property
    def stagnation_config(self) -> Any:
        """neat-python's ``config.stagnation_config``."""
        return _Section(self.values, {})

    @property
    def reproduction_config(self) -> Any:
        """neat-python's ``config.reproduction_config``."""
        return _Section(self.values, {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or key {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Config is read-only: make a new one with "
                             "config.replace(key=value)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and other.values == self.values

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self.values.items())))

    def __repr__(self) -> str:
        v = self.values
        source = f", file={self.file!r}" if self.file else ""
        return (f"Config(num_inputs={v['num_inputs']}, num_outputs={v['num_outputs']}, "
                f"pop_size={v['pop_size']}{source})")

    def to_text(self) -> str:
        """The configuration as a neat-python INI file (netgraph's own keys, where they
        differ from their defaults, in a ``[netgraph]`` section neat-python ignores).

        **Returns** the text; ``Config.from_file`` reads it back to an equal Config.
        """
        v = self.values
        lines: list[str] = []
        for section in SECTIONS:
            body = []
            for spec in _KEYS:
                if spec.section != section:
                    continue
                value = v[spec.name]
                if section == NETGRAPH_SECTION and value == spec.default:
                    continue
                if spec.name == "seed" and value is None:
                    continue
                if spec.type == "list":
                    text = " ".join(value)
                elif spec.name == "initial_connection" and \
                        v["initial_connection_fraction"] is not None:
                    text = f"{value} {v['initial_connection_fraction']!r}"
                elif spec.type == "float":
                    text = repr(float(value))
                elif spec.type == "bool":
                    text = "True" if value else "False"
                else:
                    text = str(value)
                body.append(f"{spec.name} = {text}")
            if body or section != NETGRAPH_SECTION:
                lines += [f"[{section}]", *body, ""]
        return "\n".join(lines)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``to_text()`` to ``path`` (whole or not at all).

        **Arguments**
        - ``path``: the file to write.
        """
        name = os.fspath(path)
        tmp = f"{name}.tmp-{os.getpid()}"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(self.to_text())
            os.replace(tmp, name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
