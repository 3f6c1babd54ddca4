"""NEAT checkpoints: a run saved as versioned JSON, and loaded to continue bit for bit.

The document holds everything the run depends on: the configuration's values, the seed,
the random generator's state (xoshiro256**'s four words), the counters (genome keys, node
keys, species ids, innovation numbers) and the current generation's innovation map, every
genome's genes with its fitness and species, the species (ids, ages, stagnation record,
representatives, members), and the run's history. Floats are written in their shortest
round-trip form, so a loaded run continues exactly: ten generations, save, load, ten more
equal twenty uninterrupted.

Its JSON Schema is ``schemas/netgraph-neat-checkpoint-v1.schema.json``, generated from
the models here (``python scripts/gen_schemas.py``). Writes are atomic (all or nothing,
``netgraph._files.write_atomically``). Never pickle.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._exceptions import InputError, NetworkFormatError
from .._files import write_atomically
from ._genes import GenomeData
from ._native import NativePopulation, data_tuple, genome_data, native_values

if TYPE_CHECKING:
    from ._population import Population

__all__ = ["FORMAT", "VERSION", "Checkpoint", "json_schema", "load", "save", "schema_path",
           "schema_text"]

FORMAT = "netgraph-neat-checkpoint"
VERSION = 1
MAX_BYTES = 2 ** 31  # a larger file is refused before it is parsed
SCHEMAS = Path(__file__).resolve().parent.parent.parent / "schemas"

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=False, defer_build=True)
UInt64 = Field(ge=0, lt=2 ** 64)


class GenomeModel(BaseModel):
    """One genome's genes."""

    model_config = _STRICT
    key: int
    fitness: float | None = Field(description="None until evaluated")
    species: int | None
    nodes: list[tuple[int, float, float, int, int]] = Field(
        description="(key, bias, response, activation index, aggregation index), by key")
    connections: list[tuple[int, int, int, float, bool]] = Field(
        description="(innovation, in, out, weight, enabled), by innovation number")
    gates: list[tuple[int, int, int, int]] = Field(
        default_factory=list,
        description="(innovation, gater node, in, out): the gater gates connection in -> out; "
                    "by innovation number (Neataptic's mutations; absent: none)")


class SpeciesModel(BaseModel):
    """One species: its record and representative; members are genome indices."""

    model_config = _STRICT
    key: int
    created: int
    last_improved: int
    members: list[int]
    representative: GenomeModel
    fitness: float | None
    adjusted_fitness: float | None
    best_fitness: float | None = Field(description="the best species fitness so far "
                                       "(stagnation compares with it)")


class RecordModel(BaseModel):
    """One entry of ``pop.history`` (see ``GenerationRecord``)."""

    model_config = _STRICT
    generation: int
    evaluations: int
    best_fitness: float
    mean_fitness: float
    stdev_fitness: float
    species: list[tuple[int, int]]
    best_key: int
    best_size: tuple[int, int]
    best: GenomeModel
    solved: int | None


class Checkpoint(BaseModel):
    """A saved NEAT run (netgraph.neat.Population.save)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True,
                              json_schema_extra={
                                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "$id": "https://netgraph.dev/schemas/"
                                         "netgraph-neat-checkpoint-v1.schema.json"})
    format: Literal["netgraph-neat-checkpoint"]
    version: Literal[1]
    netgraph: str = Field(description="the netgraph version that wrote it")
    seed: int = UInt64
    config: dict[str, Any] = Field(description="Config.values")
    rng: tuple[int, int, int, int] = Field(description="xoshiro256**'s state")
    generation: int
    evaluations: int
    next_genome_key: int
    next_node_key: int
    next_species_key: int
    innovation_counter: int
    innovations: list[tuple[int, int, int, int]] = Field(
        description="this generation's (in, out, kind, number): kind 0 add connection, "
                    "1 add node (in), 2 add node (out), 3 initial connection, 4 split "
                    "(number: the node key), 5 gate (in: the gater; out: the gated "
                    "connection's in * 2**32 + out, as 32-bit halves)")
    genomes: list[GenomeModel]
    species: list[SpeciesModel]
    best: GenomeModel | None
    history: list[RecordModel]


def _genome_model(t: tuple[Any, ...]) -> dict[str, Any]:
    return {"key": int(t[0]), "fitness": t[11], "species": t[12],
            "nodes": list(zip(t[1].tolist(), t[2].tolist(), t[3].tolist(), t[4].tolist(),
                              t[5].tolist(), strict=True)),
            "connections": list(zip(t[6].tolist(), t[7].tolist(), t[8].tolist(),
                                    t[9].tolist(), t[10].tolist(), strict=True)),
            # written only when there are gates: checkpoints of neat-python runs unchanged
            **({"gates": list(zip(t[13].tolist(), t[14].tolist(), t[15].tolist(),
                                  t[16].tolist(), strict=True))}
               if len(t) > 13 and len(t[13]) else {})}


def _genome_tuple(m: GenomeModel) -> tuple[Any, ...]:
    n = m.nodes
    c = m.connections
    return (m.key,
            np.array([x[0] for x in n], np.int64), np.array([x[1] for x in n], np.float64),
            np.array([x[2] for x in n], np.float64), np.array([x[3] for x in n], np.int64),
            np.array([x[4] for x in n], np.int64),
            np.array([x[0] for x in c], np.int64), np.array([x[1] for x in c], np.int64),
            np.array([x[2] for x in c], np.int64), np.array([x[3] for x in c], np.float64),
            np.array([x[4] for x in c], np.bool_), m.fitness, m.species,
            *(np.array([x[k] for x in m.gates], np.int64) for k in range(4)))


def _data_model(d: GenomeData) -> dict[str, Any]:
    return _genome_model(data_tuple(d))


def document(pop: Population) -> dict[str, Any]:
    """The checkpoint of ``pop`` as a plain dict (what ``save`` writes)."""
    from .. import __version__

    state = pop._native.state()
    return {
        "format": FORMAT, "version": VERSION, "netgraph": __version__, "seed": pop.seed,
        "config": pop.config.values, "rng": list(state["rng"]),
        "generation": state["generation"], "evaluations": pop.evaluations,
        "next_genome_key": state["next_genome_key"], "next_node_key": state["next_node_key"],
        "next_species_key": state["next_species_key"],
        "innovation_counter": state["innovation_counter"],
        "innovations": [list(e) for e in state["innovations"]],
        "genomes": [_genome_model(t) for t in state["genomes"]],
        "species": [{"key": k, "created": c, "last_improved": li, "members": m.tolist(),
                     "representative": _genome_model(rep), "fitness": f,
                     "adjusted_fitness": a, "best_fitness": b}
                    for k, c, li, m, rep, f, a, b in state["species"]],
        "best": None if pop.best is None else _data_model(pop.best.data),
        "history": [{"generation": r.generation, "evaluations": r.evaluations,
                     "best_fitness": r.best_fitness, "mean_fitness": r.mean_fitness,
                     "stdev_fitness": r.stdev_fitness, "species": [list(s) for s in r.species],
                     "best_key": r.best_key, "best_size": list(r.best_size),
                     "best": _data_model(r.best), "solved": r.solved} for r in pop.history],
    }


def save(pop: Population, path: str | os.PathLike[str]) -> None:
    """Write ``pop``'s checkpoint to ``path`` atomically.

    **Raises** ``InputError`` when the run holds a value JSON cannot (an infinite
    fitness), before anything is written."""
    doc = document(pop)
    try:
        model = Checkpoint.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(f"cannot save the NEAT run: {where}: {err['msg']}") from None
    write_atomically(path, model.model_dump_json().encode("utf-8"))


def load(path: str | os.PathLike[str]) -> Population:
    """The ``Population`` saved in ``path`` (see ``Population.load``)."""
    from ._config import Config
    from ._genome import Genome
    from ._population import GenerationRecord, Population

    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_BYTES:
            raise NetworkFormatError(f"{name}: {size} bytes is more than a NEAT checkpoint "
                                     f"may be ({MAX_BYTES})")
        with open(name, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise NetworkFormatError(f"{name}: cannot read it ({e.strerror or e})") from None
    try:
        text = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise NetworkFormatError(f"{name}: not JSON ({e})", path="") from None
    if not isinstance(text, dict) or text.get("format") != FORMAT:
        raise NetworkFormatError(f"{name}: not a netgraph NEAT checkpoint (its \"format\" "
                                 f"is not {FORMAT!r})", path="format")
    if text.get("version") != VERSION:
        raise NetworkFormatError(f"{name}: checkpoint version {text.get('version')!r} is not "
                                 f"one this netgraph reads ({VERSION})", path="version")
    try:
        doc = Checkpoint.model_validate(text)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise NetworkFormatError(f"{name}: {where}: {err['msg']}", path=where) from None
    try:
        config = _config_from_values(Config, doc.config)
        values = native_values(config.values)
    except (InputError, ValueError, TypeError) as e:
        raise NetworkFormatError(f"{name}: config: {e}", path="config") from None
    n = len(doc.genomes)
    for s, sp in enumerate(doc.species):
        for m in sp.members:
            if not 0 <= m < n:
                raise NetworkFormatError(f"{name}: species[{s}].members: genome index {m} is "
                                         f"not one of the {n} genomes",
                                         path=f"species[{s}].members")
    state = {
        "rng": tuple(doc.rng), "generation": doc.generation,
        "next_genome_key": doc.next_genome_key, "next_node_key": doc.next_node_key,
        "next_species_key": doc.next_species_key,
        "innovation_counter": doc.innovation_counter,
        "innovations": [tuple(e) for e in doc.innovations],
        "genomes": [_genome_tuple(g) for g in doc.genomes],
        "species": [(sp.key, sp.created, sp.last_improved, np.array(sp.members, np.int64),
                     _genome_tuple(sp.representative), sp.fitness, sp.adjusted_fitness,
                     sp.best_fitness) for sp in doc.species],
    }
    try:
        native = NativePopulation.from_state(values, state)
    except (ValueError, TypeError, KeyError, OverflowError) as e:
        raise NetworkFormatError(f"{name}: {e}") from None
    pop = Population(config, seed=doc.seed, _native=native)
    pop.evaluations = doc.evaluations
    if doc.best is not None:
        pop.best = Genome(genome_data(_genome_tuple(doc.best)), config)
    pop.history = [GenerationRecord(
        generation=r.generation, evaluations=r.evaluations, best_fitness=r.best_fitness,
        mean_fitness=r.mean_fitness, stdev_fitness=r.stdev_fitness,
        species=tuple((a, b) for a, b in r.species), best_key=r.best_key,
        best_size=(r.best_size[0], r.best_size[1]),
        best=genome_data(_genome_tuple(r.best)), solved=r.solved) for r in doc.history]
    return pop


def _config_from_values(config_type: Any, values: dict[str, Any]) -> Any:
    make = getattr(config_type, "from_values", None)
    if make is not None:
        return make(values)
    config = object.__new__(config_type)
    config._set(dict(values), None)
    return config


def schema_path(version: int = VERSION) -> Path:
    """Where the checkpoint's JSON Schema is kept in a checkout."""
    return SCHEMAS / f"netgraph-neat-checkpoint-v{version}.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the checkpoint document, as written to ``schemas/``."""
    return Checkpoint.model_json_schema(mode="validation")


def schema_text() -> str:
    """``json_schema()`` as the file's text."""
    return json.dumps(json_schema(), indent=2) + "\n"
