"""Run netgraph's benchmarks against the reference systems and print a Markdown table.

    python3 benchmarks/run.py [--quick] [--only NAME[,NAME...]] [--no-install]

Installs what is missing (the pinned npm packages with ``npm ci``; torch 2.13.0 and
neat-python 2.0.0 with pip), runs each peer in a subprocess and the netgraph side in this
process, prints task | netgraph | peer | ratio | target, and writes benchmarks/results.json.
Every task fails soft: a missing peer or netgraph API gives an "n/a" cell with the reason.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / "peers"
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))  # the netgraph in this repository, installed or not

import netgraph_tasks as tasks  # noqa: E402

PIP_PINS = {"torch": "torch==2.13.0", "neat": "neat-python==2.0.0"}
NPM_PINS = {"synaptic": "1.1.4", "brain.js": "1.6.1"}
PEER_TIMEOUT_S = 300


@dataclass
class Row:
    """One table row of a task: which figure of each side it compares."""

    label: str
    ng_key: str  # the figure in the netgraph side's dict
    peer_key: str  # the figure in the peer's JSON line
    unit: str
    higher_is_better: bool
    target: float | None = None  # None: report only
    ng_note: Callable[[dict[str, Any]], str] | None = None  # appended to the cell
    peer_note: Callable[[dict[str, Any]], str] | None = None
    peer_label: str | None = None  # instead of the task's (e.g. "netgraph warm")


@dataclass
class Task:
    name: str
    what: str
    peer_label: str
    peer_key: str  # the figure in the peer's JSON line
    unit: str
    higher_is_better: bool
    target: float | None  # ratio netgraph / peer to reach (>= if higher, else <=); None: report
    peer: Callable[[tasks.Config, bool], dict[str, Any]] | None
    netgraph: Callable[[tasks.Config], dict[str, Any]]
    rows: list[Row] = field(default_factory=list)  # default: one row, ng "value" vs peer_key

    def table_spec(self) -> list[Row]:
        if self.rows:
            return self.rows
        return [
            Row(self.name, "value", self.peer_key, self.unit, self.higher_is_better, self.target)
        ]


# ------------------------------------------------------------------------------ install
def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def node_modules_ok() -> bool:
    for name, version in NPM_PINS.items():
        pkg = HERE / "node_modules" / name / "package.json"
        try:
            if json.loads(pkg.read_text())["version"] != version:
                return False
        except (OSError, ValueError, KeyError):
            return False
    return True


def ensure_npm() -> str | None:
    """None when the pinned JS peers are installed, else why not."""
    if node_modules_ok():
        return None
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not found"
    cmd = ["npm", "ci", "--no-audit", "--no-fund"]
    log(f"installing the JS peers: (cd {HERE.relative_to(ROOT)} && {' '.join(cmd)})")
    r = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True)
    if r.returncode != 0:
        return f"npm ci failed: {_tail(r.stderr or r.stdout)}"
    return None if node_modules_ok() else "npm ci did not install the pinned versions"


def ensure_pip() -> dict[str, str | None]:
    """module -> None when importable (installing it if needed), else why not."""
    missing = [m for m in PIP_PINS if importlib.util.find_spec(m) is None]
    status: dict[str, str | None] = dict.fromkeys(PIP_PINS)
    if missing:
        cmd = [sys.executable, "-m", "pip", "install", *(PIP_PINS[m] for m in missing)]
        log(f"installing the Python peers: {' '.join(cmd)}")
        r = subprocess.run(cmd, capture_output=True, text=True)
        importlib.invalidate_caches()
        if r.returncode != 0:
            log(f"pip failed: {_tail(r.stderr or r.stdout)}")
        for m in missing:
            if importlib.util.find_spec(m) is None:
                status[m] = f"{PIP_PINS[m]} not installed (pip exit {r.returncode})"
    return status


def _tail(text: str, n: int = 300) -> str:
    text = " ".join(text.strip().split())
    return text if len(text) <= n else "..." + text[-n:]


# -------------------------------------------------------------------------------- peers
class PeerError(Exception):
    pass


def run_peer(cmd: list[str]) -> dict[str, Any]:
    try:
        r = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True, timeout=PEER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PeerError(f"timed out after {PEER_TIMEOUT_S} s") from None
    except OSError as e:
        raise PeerError(str(e)) from None
    if r.returncode != 0:
        raise PeerError(f"exit {r.returncode}: {_tail(r.stderr or r.stdout)}")
    for line in reversed(r.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise PeerError(f"no JSON line in its output: {_tail(r.stdout)}")


def synaptic_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            "node",
            str(PEERS / "synaptic_xor.js"),
            "--iterations",
            str(cfg.xor_iterations),
            "--rate",
            str(cfg.xor_rate),
            "--repeats",
            "2" if quick else "5",
        ]
    )


def brain_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            "node",
            str(PEERS / "brain_mnist.js"),
            "--samples",
            "500" if quick else "2000",
            "--repeats",
            "2" if quick else "3",
        ]
    )


def torch_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            sys.executable,
            str(PEERS / "torch_mnist.py"),
            "--samples",
            str(cfg.batch_samples),
            "--batch",
            str(cfg.batch_size),
            "--lr",
            str(cfg.batch_rate),
            "--epochs",
            "2" if quick else "5",
        ]
    )


def synaptic_lstm_dsr_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            "node",
            str(PEERS / "synaptic_lstm.js"),
            "dsr",
            "--iterations",
            str(cfg.dsr_iterations),
            "--repeats",
            str(cfg.dsr_peer_repeats),
            "--budget-s",
            str(cfg.dsr_peer_budget_s),
        ]
    )


def synaptic_lstm_timing_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            "node",
            str(PEERS / "synaptic_lstm.js"),
            "timing",
            "--repeats",
            str(cfg.timing_repeats),
            "--budget-s",
            str(cfg.timing_budget_s),
        ]
    )


def synaptic_lstm_steps_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return run_peer(
        [
            "node",
            str(PEERS / "synaptic_lstm.js"),
            "steps",
            "--steps",
            str(cfg.steps_rows),
            "--repeats",
            str(cfg.steps_repeats),
            "--budget-s",
            str(cfg.steps_budget_s),
        ]
    )


def cold_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    """Every cold-start figure, netgraph's and Node's (see cold_start.py): both sides of the
    cold_start rows read this one dict."""
    import cold_start

    cfg.cold = cold_start.cold_figures(quick, log=log)
    return cfg.cold


def _cache_note(d: dict[str, Any]) -> str:
    floor = d.get("cache_floor_us")
    if floor is None:
        return "no C compiler for the cache-bandwidth floor"
    return (f"{1e6 / d['value']:.1f} us a sample; the cache-bandwidth floor, one read and one "
            f"write of the first layer's weights (cache_limit.c), is {floor:.1f} us: "
            f"{d['cache_floor_ratio']:.2f}x it")


def _cold_rows() -> list[Row]:
    rows = [
        Row("cold start: the seed tutorial, whole process, first run after install (median)",
            "tutorial_cold_s", "synaptic_tutorial_s", "s", False, 6.0),
        Row("cold start: the seed tutorial, whole process, warm (median)", "tutorial_warm_s",
            "synaptic_tutorial_s", "s", False, None),
    ]
    for name, what in (("train", "`netgraph train` on XOR (20,000 epochs)"),
                       ("predict", "`netgraph predict` on XOR"),
                       ("common", "common paths (benchmarks/common_paths.py)")):
        rows.append(Row(f"cold start: {what}, first run vs warm (medians)", f"{name}_cold_s",
                        f"{name}_warm_s", "s", False, 1.2, peer_label="netgraph warm"))
    return rows  # fmt: skip


NPM_PEERS = {
    "cold_peer",
    "synaptic_peer",
    "brain_peer",
    "synaptic_lstm_dsr_peer",
    "synaptic_lstm_timing_peer",
    "synaptic_lstm_steps_peer",
}


def neat_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    WORK.mkdir(exist_ok=True)
    path = WORK / "sparse_dag.json"
    path.unlink(missing_ok=True)
    out = run_peer(
        [
            sys.executable,
            str(PEERS / "neat_sparse.py"),
            str(path),
            "--activations",
            "500" if quick else "2000",
            "--rounds",
            "2" if quick else "3",
        ]
    )
    cfg.dag_json = str(path)
    return out


def dag_for_netgraph(cfg: tasks.Config) -> None:
    """--only sparse_dag with a broken neat-python still leaves the DAG for netgraph."""
    path = WORK / "sparse_dag.json"
    if not cfg.dag_json and path.exists():
        cfg.dag_json = str(path)


# -------------------------------------------------------------------------------- tasks
def networkx_peer(cfg: tasks.Config, quick: bool) -> dict[str, Any]:
    return tasks.networkx_build(cfg)  # in-process: it is networkx itself


def _runs_note(d: dict[str, Any], spread_key: str, unit: str) -> str:
    """The note 'median of N runs, min to max' (and whether the budget cut the repeats)."""
    sp = d.get(spread_key) or {}
    lo, hi = sp.get("min"), sp.get("max")
    span = ""
    if lo is not None and hi is not None:
        span = (
            f", {lo:,.0f} to {hi:,.0f}"
            if unit == "iterations"
            else f", {fmt(lo, unit)} to {fmt(hi, unit)}"
        )
    note = f"median of {d.get('runs')} runs{span}"
    if d.get("capped_by_budget"):
        note += f"; repeats cut by the {d.get('budget_s', '?')} s budget"
    return note


def _dsr_note(d: dict[str, Any], spread_key: str, unit: str) -> str:
    solved = f"{d.get('solved')}/{d.get('runs')} solved"
    if d.get("cut"):
        solved += f", {d['cut']} stopped unsolved at a budget cap"
    return f"{_runs_note(d, spread_key, unit)}; {solved}"


def _dsr_iterations_note(d: dict[str, Any]) -> str:
    return _dsr_note(d, "iterations_spread", "iterations")


def _dsr_ms_note(d: dict[str, Any]) -> str:
    return _dsr_note(d, "ms_spread", "ms")


def _timing_error_note(d: dict[str, Any]) -> str:
    its = d.get("iterations_median")
    return f"{_runs_note(d, 'test_error_spread', 'mse')}; median {its:g} iterations"


def _timing_ms_note(d: dict[str, Any]) -> str:
    return _runs_note(d, "ms_spread", "ms")


def _dsr_rows() -> list[Row]:
    it_note, ms_note = _dsr_iterations_note, _dsr_ms_note
    return [
        Row("lstm_dsr (iterations, median)", "iterations_median", "iterations_median",
            "iterations", False, ng_note=it_note, peer_note=it_note),
        Row("lstm_dsr (time, median)", "ms_median", "ms_median", "ms", False,
            ng_note=ms_note, peer_note=ms_note),
        Row("lstm_dsr (ms per 1000 trials)", "ms_per_1000_trials", "ms_per_1000_trials", "ms",
            False),
    ]  # fmt: skip


def _timing_rows() -> list[Row]:
    err_note, ms_note = _timing_error_note, _timing_ms_note
    return [
        Row("lstm_timing (test error, median)", "test_error_median", "test_error_median",
            "mse", False, ng_note=err_note, peer_note=err_note),
        Row("lstm_timing (time, median)", "ms_median", "ms_median", "ms", False,
            ng_note=ms_note, peer_note=ms_note),
        Row("lstm_timing (steps/s)", "steps_per_s", "steps_per_s", "steps/s", True),
    ]  # fmt: skip


def _steps_rows() -> list[Row]:
    rows = []
    for size, net in (("small", "LSTM(2, 7, 1)"), ("large", "LSTM(10, 30, 10)")):
        for how, what in (("loop", "activate+propagate loop"), ("train", "net.train")):
            rows.append(
                Row(
                    f"lstm_steps {net} ({what})",
                    f"{size}_{how}_steps_per_s",
                    f"{size}_steps_per_s",
                    "steps/s",
                    True,
                )
            )
    return rows


TASKS = [
    Task(
        "xor_seed",
        "ms for 20000 x 4 online activate+propagate steps, 2-3-1 XOR, as Python calls",
        "Synaptic.js 1.1.4",
        "ms",
        "ms",
        False,
        5.0,  # 160,000 calls from Python: the per-call cost (it was 23x with numba)
        synaptic_peer,
        tasks.xor_seed,
    ),
    Task(
        "xor_train",
        "the same steps through net.train",
        "Synaptic.js 1.1.4",
        "ms",
        "ms",
        False,
        0.5,
        synaptic_peer,
        tasks.xor_train,
    ),
    Task(
        "mnist_online",
        "784-128-10 online SGD, samples/s",
        "brain.js 1.6.1",
        "samples_per_s",
        "samples/s",
        True,
        100.0,
        brain_peer,
        tasks.mnist_online,
    ),
    Task(
        "mnist_online_train",
        "the same online SGD through net.train",
        "brain.js 1.6.1",
        "samples_per_s",
        "samples/s",
        True,
        100.0,
        brain_peer,
        tasks.mnist_online_train,
        [Row("mnist_online_train", "value", "samples_per_s", "samples/s", True, 100.0,
             ng_note=_cache_note)],
    ),
    Task(
        "mnist_minibatch",
        "784-128-10 minibatch-32 SGD, float64, samples/s",
        "PyTorch 2.13.0 CPU",
        "samples_per_s",
        "samples/s",
        True,
        1.0,
        torch_peer,
        tasks.mnist_minibatch,
    ),
    Task(
        "sparse_dag",
        "activations/s on a 1,000-neuron 10,000-synapse DAG (2-D batch)",
        "neat-python 2.0.0",
        "activations_per_s",
        "activations/s",
        True,
        100.0,
        neat_peer,
        tasks.sparse_dag,
        [
            Row(
                "sparse_dag (2-D batch)", "value", "activations_per_s", "activations/s", True, 100.0
            ),
            Row(
                "sparse_dag (per sample)",
                "per_sample",
                "activations_per_s",
                "activations/s",
                True,
                100.0,
            ),
        ],
    ),
    Task(
        "build_1m",
        "seconds to build a 1000x1000 all-to-all network",
        "networkx DiGraph",
        "s",
        "s",
        False,
        1.5,
        networkx_peer,
        tasks.build_1m,
    ),
    Task(
        "lstm_dsr",
        "Synaptic's DSR task on LSTM(6, 3, 2): trials to solve it and time",
        "Synaptic.js 1.1.4",
        "iterations_median",
        "iterations",
        False,
        None,
        synaptic_lstm_dsr_peer,
        tasks.lstm_dsr,
        _dsr_rows(),
    ),
    Task(
        "lstm_timing",
        "Synaptic's timing task on LSTM(2, 7, 1): test error and time",
        "Synaptic.js 1.1.4",
        "test_error_median",
        "mse",
        False,
        None,
        synaptic_lstm_timing_peer,
        tasks.lstm_timing,
        _timing_rows(),
    ),
    Task(
        "lstm_steps",
        "online LSTM steps/s (activate + propagate), LSTM(2, 7, 1) and LSTM(10, 30, 10)",
        "Synaptic.js 1.1.4",
        "small_steps_per_s",
        "steps/s",
        True,
        None,
        synaptic_lstm_steps_peer,
        tasks.lstm_steps,
        _steps_rows(),
    ),
]


TASKS.append(
    Task(
        "cold_start",
        "whole processes right after a fresh install of the wheel, and warm",
        "Node + Synaptic.js 1.1.4, whole process",
        "synaptic_tutorial_s",
        "s",
        False,
        6.0,
        cold_peer,
        tasks.cold_start,
        _cold_rows(),
    )
)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value:.3g} s"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "mse":
        return f"{value:.3g} MSE"
    return f"{value:,.0f} {unit}"


def ratio_cell(
    ng: float | None, peer: float | None, higher: bool, target: float | None
) -> tuple[str, str, bool | None]:
    sign = ">=" if higher else "<="
    tcell = "report only" if target is None else f"{sign} {target:g}x"
    if ng is None or peer is None or peer <= 0:
        return "n/a", tcell, None
    r = ng / peer
    if target is None:
        return f"{r:.3g}x", tcell, None
    met = r >= target if higher else r <= target
    return f"{r:.3g}x", f"{tcell} ({'met' if met else 'not met'})", met


def run_task(
    task: Task,
    cfg: tasks.Config,
    quick: bool,
    peer_block: dict[str, str | None],
    peer_cache: dict[str, Any],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "task": task.name,
        "what": task.what,
        "unit": task.unit,
        "target": task.target,
        "higher_is_better": task.higher_is_better,
    }
    # peer
    peer_fn = task.peer
    key = peer_fn.__name__ if peer_fn else ""
    peer_result: dict[str, Any] | None = None
    peer_error = peer_block.get(key)
    if peer_fn is not None and peer_error is None:
        if key in peer_cache:
            peer_result = peer_cache[key]
        else:
            log(f"{task.name}: running peer {task.peer_label}")
            t0 = time.perf_counter()
            try:
                peer_result = peer_fn(cfg, quick)
            except PeerError as e:
                peer_error = str(e)
            except Exception as e:
                peer_error = f"{type(e).__name__}: {e}"
            log(f"{task.name}: peer done in {time.perf_counter() - t0:.1f} s")
            peer_cache[key] = peer_result if peer_error is None else None
            if peer_error is not None:
                peer_block[key] = peer_error
        if peer_result is None and peer_error is None:
            peer_error = peer_block.get(key) or "peer failed earlier"
    if task.name == "sparse_dag":
        dag_for_netgraph(cfg)
    # netgraph
    log(f"{task.name}: running netgraph side")
    t0 = time.perf_counter()
    ng_result: dict[str, Any] | None = None
    ng_error = None
    try:
        ng_result = task.netgraph(cfg)
    except tasks.Unavailable as e:
        ng_error = str(e)
    except Exception as e:
        ng_error = f"{type(e).__name__}: {e}"
        row["netgraph_traceback"] = traceback.format_exc(limit=6)
    log(f"{task.name}: netgraph side done in {time.perf_counter() - t0:.1f} s")
    row["peer"] = peer_result
    row["peer_error"] = peer_error
    row["netgraph"] = ng_result
    row["netgraph_error"] = ng_error
    return row


def table_rows(row: dict[str, Any], task: Task) -> list[list[str]]:
    peer, ng = row["peer"], row["netgraph"]
    task_label = task.peer_label
    version = str(peer.get("version", "")) if peer else ""
    if version and version.split("+")[0] not in task_label:
        task_label += f" {version}"  # the version found, where it is not the pinned one
    lower = set(ng.get("lower_bounds", ())) if ng else set()  # figures only known as >=
    out = []
    for spec in task.table_spec():
        label = spec.peer_label or task_label
        peer_val = peer.get(spec.peer_key) if peer else None
        if peer_val is not None:
            peer_cell = f"{label}: {fmt(peer_val, spec.unit)}"
            if spec.peer_note:
                peer_cell += f" ({spec.peer_note(peer)})"
        else:
            peer_cell = f"{label}: n/a ({row['peer_error'] or 'not run'})"
        value = ng.get(spec.ng_key) if ng else None
        if value is None:
            ng_cell = f"n/a ({row['netgraph_error'] or 'not measured'})"
        else:
            ng_cell = (">= " if spec.ng_key in lower else "") + fmt(value, spec.unit)
            if spec.ng_note:
                ng_cell += f" ({spec.ng_note(ng)})"
            diff = ng.get("max_abs_diff_vs_peer")
            if diff is not None and diff > 1e-9:
                ng_cell += f" (MISMATCH vs peer: {diff:.2g})"
        rcell, tcell, met = ratio_cell(value, peer_val, spec.higher_is_better, spec.target)
        if spec.ng_key in lower and rcell != "n/a":
            rcell = ">= " + rcell
        out.append([spec.label, ng_cell, peer_cell, rcell, tcell])
        row.setdefault("ratios", {})[spec.label] = {
            "ratio": None if rcell == "n/a" else float(value) / float(peer_val),
            "lower_bound": spec.ng_key in lower,
            "met": met,
        }
    return out


def markdown(rows: list[list[str]]) -> str:
    head = ["task", "netgraph", "peer", "ratio", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    env: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            env["cpu"] = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None
            )
    except OSError:
        pass
    for cmd, key in (
        (["node", "--version"], "node"),
        (["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], "commit"),
    ):
        try:
            env[key] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            env[key] = None
    try:
        import netgraph

        env["netgraph"] = getattr(netgraph, "__version__", "?")
    except Exception as e:
        env["netgraph"] = f"import failed: {type(e).__name__}: {e}"
    return env


def main(argv: list[str] | None = None) -> int:
    names = [t.name for t in TASKS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and samples")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these tasks (repeatable or comma-separated): {', '.join(names)}",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="do not run npm ci or pip install"
    )
    parser.add_argument("--json", default=str(HERE / "results.json"), help="results file")
    args = parser.parse_args(argv)

    only = [n.strip() for arg in args.only for n in arg.split(",") if n.strip()]
    unknown = [n for n in only if n not in names]
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    selected = [t for t in TASKS if not only or t.name in only]

    needs = {t.peer.__name__ for t in selected if t.peer}
    block: dict[str, str | None] = {}
    if needs & NPM_PEERS:
        why = (
            "not installed (--no-install)"
            if args.no_install and not node_modules_ok()
            else (None if args.no_install else ensure_npm())
        )
        block.update(dict.fromkeys(NPM_PEERS, why))
    if needs & {"torch_peer", "neat_peer"}:
        if args.no_install:
            st = {
                m: None if importlib.util.find_spec(m) else "not installed (--no-install)"
                for m in PIP_PINS
            }
        else:
            st = ensure_pip()
        block["torch_peer"], block["neat_peer"] = st["torch"], st["neat"]

    cfg = tasks.Config.make(args.quick)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(
            f"warning: load average {load_before[0]:.2f} before the run; other processes on "
            f"this {environment()['cpus']}-core machine will skew the figures (torch's 2 "
            f"threads the most)"
        )
    results, table, cache = [], [], {}
    for task in selected:
        row = run_task(task, cfg, args.quick, block, cache)
        row["load_average_after"] = os.getloadavg()[0]
        table += table_rows(row, task)
        results.append(row)

    print(markdown(table))
    env = environment()
    env["load_average_before"] = load_before[0]
    out = {"quick": args.quick, "environment": env, "tasks": results}
    Path(args.json).write_text(json.dumps(out, indent=2, default=repr) + "\n")
    log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
