"""netgraph.neat.RayEvaluator on a real Ray (issue 23): one local Ray instance for the
module (4 logical CPUs), and a real two-node cluster started with ``ray start`` on
127.0.0.1. Nothing is mocked: the evolution runs on Ray actors.

- the same history, champion and evaluation count as the serial run with 1, 2 and 4
  workers, for a data set, a per-genome function and a native task;
- a data set is put in Ray's object store once per run;
- an actor process killed mid-generation is replaced, its chunk evaluated again, and
  the run is the undisturbed one; a raising fitness stops the run, leaves the
  population as it was and kills the actors;
- scikit-learn's GridSearchCV over netgraph.sklearn.NetworkRegressor under joblib's
  "ray" backend;
- a script whose fitness is defined in ``__main__`` (as in a notebook) runs on the
  two-node cluster through ``RayEvaluator(address=...)`` and through ProcessEvaluator;
  examples/neat_ray.py runs on that cluster.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import neat_evaluation
import numpy as np
import pytest
from neat_evaluation import (
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
from netgraph.neat._evaluators import RayEvaluator

ROOT = Path(__file__).resolve().parent.parent
RAY = str(Path(sys.executable).with_name("ray"))
# no token files in $HOME, no usage report over the network: CI runs as root, offline
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
DATASET = neat.Dataset(X, Y, cost="sse", offset=4.0)


def _wait_dead(pids: list[int], seconds: float = 60.0) -> list[int]:
    """The pids still running after waiting up to ``seconds`` (Ray kills asynchronously)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


@pytest.fixture(scope="module")
def ray_local():
    import ray  # Ray is a test dependency: missing, this fails (it never skips)

    with pytest.MonkeyPatch.context() as mp:
        for k, v in RAY_ENV.items():
            mp.setenv(k, v)
        ray.init(address="local", num_cpus=4, include_dashboard=False, log_to_driver=False)
        # the tests' fitness functions live in tests/, which Ray's workers cannot import
        ray.cloudpickle.register_pickle_by_value(neat_evaluation)
        try:
            yield ray
        finally:
            ray.cloudpickle.unregister_pickle_by_value(neat_evaluation)
            ray.shutdown()


@pytest.fixture(scope="module")
def reference():
    return {"dataset": run(DATASET, None), "function": run(xor_fitness, neat.SerialEvaluator()),
            "task": run(neat.tasks.XOR(), neat.SerialEvaluator())}


@pytest.mark.parametrize("n", [1, 2, 4])
def test_ray_gives_the_serial_run(ray_local, reference, n):
    with RayEvaluator(n) as ev:
        assert run(DATASET, ev) == reference["dataset"]
        assert run(xor_fitness, ev) == reference["function"]
        assert run(neat.tasks.XOR(), ev) == reference["task"]
        assert len(ev.pids()) == n and len(set(ev.pids())) == n  # n long-lived actors
        assert all(s != 1.0 for s in ev.speeds)  # every worker measured


def test_a_data_set_is_put_in_the_object_store_once(ray_local, reference, monkeypatch):
    rows = np.tile(X, (500, 1))
    data = neat.Dataset(rows, np.tile(Y, 500), cost="mse", offset=1.0)
    puts: list[object] = []
    real_put = ray_local.put

    def counting_put(value, *args, **kwargs):
        puts.append(value)
        return real_put(value, *args, **kwargs)

    monkeypatch.setattr(ray_local, "put", counting_put)
    with RayEvaluator(2) as ev:
        got = run(data, ev, generations=4)
    assert got == run(data, None, generations=4)
    assert sum(p is data for p in puts) == 1
    assert len(puts) == 2  # the data set and the configuration, once each for 4 generations


def test_a_killed_actor_is_replaced_and_its_chunk_run_again(ray_local, reference, tmp_path):
    flag = tmp_path / "kill"
    with RayEvaluator(2) as ev:
        pids = ev.pids()
        pop = neat.Population(config(), seed=5)
        run(xor_fitness, ev, generations=2, pop=pop)
        flag.touch()
        got = run(functools.partial(dying_fitness, flag=str(flag)), ev, generations=4, pop=pop)
        assert not flag.exists()  # an actor did kill itself
        assert ev.retries == 1
        assert len(_wait_dead(pids, 10.0)) == 1  # one original actor is dead, one lives
        assert len(set(ev.pids()) - set(pids)) == 1  # ... and was replaced
    assert got == reference["function"]


def test_a_raising_fitness_stops_the_run_and_kills_the_actors(ray_local, reference, tmp_path):
    flag = tmp_path / "raise"
    ev = RayEvaluator(2)
    pop = neat.Population(config(), seed=5)
    run(xor_fitness, ev, generations=3, pop=pop)
    before = summary(pop)
    pids = ev.pids()
    flag.touch()
    with pytest.raises(ValueError, match="fitness failed on genome"):
        pop.run(functools.partial(raising_fitness, flag=str(flag)), 2, evaluator=ev)
    assert summary(pop) == before and pop.generation == 3 and pop.evaluations == 3 * 150
    assert _wait_dead(pids) == []
    flag.unlink()
    assert run(xor_fitness, ev, generations=3, pop=pop) == reference["function"]
    ev.close()


def test_grid_search_on_ray(ray_local):
    import joblib
    from ray.util.joblib import register_ray
    from sklearn.model_selection import GridSearchCV

    from netgraph.sklearn import NetworkRegressor

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (60, 2))
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1]
    register_ray()
    grid = {"hidden_layer_sizes": [(2,), (6,)], "iterations": [20, 60]}
    search = GridSearchCV(NetworkRegressor(), grid, cv=2, n_jobs=2)
    with joblib.parallel_backend("ray"):
        search.fit(x, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.all(np.isfinite(scores))
    assert search.best_score_ == scores.max()
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(scores))]
    # the refitted best model predicts (it was fitted on the driver after the sweep)
    assert search.best_estimator_.predict(x).shape == (60,)


# ------------------------------------------------------------------ a real two-node cluster

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ports() -> list[str]:
    # every port Ray would otherwise take by default (another Ray on this machine may hold it)
    return [f"--{name}={_free_port()}" for name in (
        "node-manager-port", "object-manager-port", "metrics-export-port",
        "dashboard-agent-listen-port", "dashboard-agent-grpc-port", "runtime-env-agent-port")]


def _kill_cluster(temp_dir: str) -> None:
    """SIGKILL every process of the cluster in ``temp_dir`` (``ray stop`` would stop
    every Ray on this machine, not just this one)."""
    for _ in range(3):
        victims = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                if temp_dir.encode() in (proc / "cmdline").read_bytes():
                    victims.append(int(proc.name))
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if not victims:
            return
        time.sleep(0.5)


def _ray_start(args: list[str], env: dict[str, str], before_retry: Any = None) -> None:
    """``ray start`` with ``args``; tried three times, since on a loaded machine a node
    can miss Ray's fixed 30 s start-up wait (a late node only adds CPUs)."""
    for attempt in range(3):
        result = subprocess.run([RAY, "start", *args, *_ports()], env=env, capture_output=True,
                                text=True, timeout=300)
        if result.returncode == 0:
            return
        if attempt == 2 or "timed out during startup" not in result.stderr + result.stdout:
            raise AssertionError(f"ray start {' '.join(args)} failed:\n{result.stdout}\n"
                                 f"{result.stderr}")
        if before_retry is not None:
            before_retry()


@pytest.fixture(scope="module")
def cluster():
    """A head node and a worker node (1 CPU each) on 127.0.0.1; its address."""
    # a short path: Ray's unix sockets live under it (at most 107 bytes)
    temp_dir = tempfile.mkdtemp(prefix="ngray", dir="/tmp")
    port = _free_port()
    env = {**os.environ, **RAY_ENV}
    env.pop("RAY_ADDRESS", None)
    try:
        _ray_start(["--head", "--node-ip-address=127.0.0.1", f"--port={port}",
                    f"--temp-dir={temp_dir}", "--num-cpus=1", "--include-dashboard=false",
                    "--disable-usage-stats", f"--ray-client-server-port={_free_port()}"], env,
                   functools.partial(_kill_cluster, temp_dir))  # a half-started head
        _ray_start([f"--address=127.0.0.1:{port}", "--node-ip-address=127.0.0.1",
                    "--num-cpus=1"], env)
        yield f"127.0.0.1:{port}", env
    finally:
        _kill_cluster(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)


NOTEBOOK_STYLE = textwrap.dedent('''
    import json, sys
    import numpy as np
    import netgraph.neat as neat
    from netgraph.neat._evaluators import ProcessEvaluator, RayEvaluator

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([0.0, 1.0, 1.0, 0.0])

    def fitness(genome, config):          # defined here, in __main__
        net = neat.nn.FeedForwardNetwork.create(genome, config)
        error = 0.0
        for x, t in zip(X, Y):
            error += (net.activate(x)[0] - t) ** 2
        return 4.0 - error

    def evolve(evaluator):
        pop = neat.Population(neat.Config.paper(num_inputs=2, num_outputs=1), seed=5)
        best = pop.run(fitness, 6, evaluator=evaluator)
        return {"fitness": [r.best_fitness.hex() for r in pop.history],
                "keys": [r.best_key for r in pop.history],
                "best": best.key, "evaluations": pop.evaluations}

    if __name__ == "__main__":
        out = {}
        with ProcessEvaluator(2) as ev:
            out["process"] = evolve(ev)
        with RayEvaluator(2, address=sys.argv[1]) as ev:
            out["ray"] = evolve(ev)
            out["nodes"] = len(set(ev.nodes()))
        print(json.dumps(out))
''')


def test_notebook_style_fitness_on_a_two_node_cluster(cluster, reference, tmp_path):
    address, env = cluster
    script = tmp_path / "notebook_style.py"
    script.write_text(NOTEBOOK_STYLE)
    # the script's own folder only: tests/ (and its helpers) are not importable there
    env = {**env, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script), address], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    history, best, _, evaluations = reference["function"]
    expected = {"fitness": [h[2] for h in history], "keys": [h[6] for h in history],
                "best": best, "evaluations": evaluations}
    assert out["process"] == expected
    assert out["ray"] == expected
    assert out["nodes"] == 2  # one actor on each node


def test_example_runs_on_the_cluster(cluster, tmp_path):
    address, env = cluster
    env = {**env, "PYTHONPATH": str(ROOT), "RAY_ADDRESS": address}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "neat_ray.py")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the same history, champion and evaluation count on Ray as on one core" in \
        result.stdout
    assert "Ray: 2 workers" in result.stdout
    assert list(tmp_path.iterdir()) == []  # it writes nothing
