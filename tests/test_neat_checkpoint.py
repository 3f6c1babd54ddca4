"""NEAT checkpoints: bit-identical continuation, the schema, and bad documents refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from netgraph import NetworkFormatError
from netgraph.neat import Config, Dataset, Population, _checkpoint, tasks

FIXTURES = Path(__file__).parent / "fixtures" / "neat"
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def _config(**changes: Any) -> Config:
    config = Config.from_file(FIXTURES / "xor-config-feedforward")
    if changes:
        values = dict(config.values)
        values.update(changes)
        config = _checkpoint._config_from_values(Config, values)
    return config


def _same(a: Any, b: Any) -> bool:
    """Equal to the bit: arrays by dtype and bytes, floats by their bits (NaN too)."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return isinstance(b, float) and np.float64(a).tobytes() == np.float64(b).tobytes()
    return bool(a == b)


def _no_threshold() -> Config:
    # run every generation asked for: the threshold is out of reach
    return _config(fitness_threshold=100.0)


def test_ten_save_load_ten_equals_twenty(tmp_path: Path) -> None:
    data = Dataset(X, Y, cost="sse", offset=4.0)
    whole = Population(_no_threshold(), seed=11)
    whole.run(data, 20)
    first = Population(_no_threshold(), seed=11)
    first.run(data, 10)
    path = tmp_path / "run.json"
    first.save(path)
    again = Population.load(path)
    assert again.generation == 10 and again.evaluations == first.evaluations
    again.run(data, 10)
    assert _same(whole._native.state(), again._native.state())
    assert whole.evaluations == again.evaluations == 20 * 150
    assert _same([r.best_fitness for r in whole.history],
                 [r.best_fitness for r in again.history])
    assert [r.species for r in whole.history] == [r.species for r in again.history]
    assert whole.best.key == again.best.key
    assert _same(whole.best.data.conn_weight, again.best.data.conn_weight)


def test_continuation_of_a_task_run_keeps_the_generator(tmp_path: Path) -> None:
    # CartPole draws each generation's start from the run's generator: the saved state
    # must carry it
    config = _checkpoint._config_from_values(Config, {
        **Config(num_inputs=4, num_outputs=1).values, "pop_size": 30})
    task = tasks.CartPole(max_steps=300)
    whole = Population(config, seed=5)
    whole.run(task, 6)
    first = Population(config, seed=5)
    first.run(task, 3)
    if first.history[-1].solved is None:
        first.save(tmp_path / "c.json")
        first = Population.load(tmp_path / "c.json")
        first.run(task, 3)
    assert _same([r.best_fitness for r in whole.history],
                 [r.best_fitness for r in first.history])
    assert [r.solved for r in whole.history] == [r.solved for r in first.history]
    assert _same(whole._native.state(), first._native.state())


def test_document_matches_its_schema_and_the_schema_file(tmp_path: Path) -> None:
    pop = Population(_no_threshold(), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 3)
    pop.save(tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text())
    schema = json.loads(_checkpoint.schema_path().read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert _checkpoint.schema_path().read_text() == _checkpoint.schema_text(), \
        "run python scripts/gen_schemas.py"
    assert doc["format"] == "netgraph-neat-checkpoint" and doc["version"] == 1
    assert len(doc["genomes"]) == 150 and len(doc["history"]) == 3
    # every species member is a genome index, and the genome says so
    for sp in doc["species"]:
        for m in sp["members"]:
            assert doc["genomes"][m]["species"] == sp["key"]


def _saved(tmp_path: Path) -> dict[str, Any]:
    pop = Population(_no_threshold(), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 2)
    pop.save(tmp_path / "good.json")
    doc: dict[str, Any] = json.loads((tmp_path / "good.json").read_text())
    return doc


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d.update(format="something-else"), "format"),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.pop("rng"), "rng"),
    (lambda d: d.update(rng=[1, 2, 3]), "rng"),
    (lambda d: d["genomes"][0].update(fitness="high"), "genomes.0.fitness"),
    (lambda d: d["genomes"][0]["connections"].reverse(), "innovation"),
    (lambda d: d["species"][0]["members"].append(10_000), "species[0].members"),
    (lambda d: d["config"].update(num_inputs="two"), "config"),
    (lambda d: d.update(extra_field=1), "extra_field"),
])
def test_bad_documents_are_refused_by_name(tmp_path: Path, change: Any, where: str) -> None:
    doc = _saved(tmp_path)
    if where == "innovation" and len(doc["genomes"][0]["connections"]) < 2:
        doc["genomes"][0]["connections"].append([10_000, -1, 0, 0.5, True])
        doc["genomes"][0]["connections"].append([9_999, -2, 0, 0.5, True])
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(NetworkFormatError) as err:
        Population.load(path)
    assert where in str(err.value)


def test_not_json_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{ not json")
    with pytest.raises(NetworkFormatError, match="not JSON"):
        Population.load(path)
    with pytest.raises(NetworkFormatError, match="cannot read"):
        Population.load(tmp_path / "missing.json")


def test_a_failed_save_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pop = Population(_no_threshold(), seed=3)
    pop.run(Dataset(X, Y, cost="sse", offset=4.0), 1)
    target = tmp_path / "run.json"
    good = Population(_no_threshold(), seed=4)
    good.save(target)
    before = target.read_bytes()

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    # the write fails at its last step: the old checkpoint stays, no partial file is left
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        pop.save(target)
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["run.json"]
    monkeypatch.undo()
    with pytest.raises(FileNotFoundError):
        pop.save(tmp_path / "no" / "such" / "folder" / "run.json")
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
