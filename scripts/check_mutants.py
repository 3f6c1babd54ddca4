"""Check that the suite kills the mutants issue 12 lists: apply each, run its tests, revert.

Each mutant is one textual change to the package. For each, the tests named beside it
must pass on the real code and fail on the mutant; the file is restored from its text
in memory afterwards, whatever happens (the script refuses files with uncommitted
changes, so ``git checkout -- FILE`` is a safe way back too). Mutants of the kernels
(``_kernels.py``, ``_recurrent.py``) are left to the native core's own checks.

Usage: python scripts/check_mutants.py [NAME ...]   (default: all; --list to list them)
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


T = "tests/"
MUTANTS = [
    Mutant("adam-default-rate", "netgraph/_train.py", '(0.001 if optimizer == "adam"',
           '(0.01 if optimizer == "adam"',
           (T + "test_train.py::test_adam_matches_its_textbook_update",)),
    Mutant("momentum-1-accepted", "netgraph/_train.py", "if not 0.0 <= momentum < 1.0:",
           "if not 0.0 <= momentum <= 1.0:", (T + "test_train.py::test_bad_options",)),
    Mutant("momentum-ignored-online", "netgraph/_train.py",
           'online = optimizer == "sgd" and batch_size == 1 and momentum == 0.0',
           'online = optimizer == "sgd" and batch_size == 1',
           (T + "test_train.py::test_minibatches_and_momentum_match_a_numpy_loop",)),
    Mutant("max-bytes-off-by-one-text", "netgraph/_json.py",
           "if len(source) > max_bytes or", "if len(source) >= max_bytes or",
           (T + "test_json.py::test_max_bytes_is_the_largest_size_read_in_bytes",)),
    Mutant("adjacent-duplicate-synapse", "netgraph/_document.py",
           "if not bool(np.all(key[1:] > key[:-1])):", "if not bool(np.all(key[1:] >= key[:-1])):",
           (T + "test_json.py::test_a_duplicate_synapse_right_after_its_original_is_found",)),
    Mutant("delay-column-accepts-2", "netgraph/_document.py", "all(map((1).__ge__, v))",
           "all(map((2).__ge__, v))",
           (T + "test_json.py::test_a_delay_column_holds_only_0_and_1",)),
    Mutant("hlim-as-relu", "netgraph/interop/_synaptic.py", '"HLIM": "hlim"', '"HLIM": "relu"',
           (T + "test_synaptic.py::test_hlim_is_imported_as_a_hard_limit",)),
    Mutant("forward-delayed-export", "netgraph/interop/_synaptic.py",
           'if a.get("delay") and index[u] < index[v]:',
           'if a.get("delay") and index[u] < index[v] and False:',
           (T + "test_synaptic.py::test_export_refuses_a_delayed_synapse_that_runs_forward",)),
    Mutant("binary-counts-hits", "netgraph/_costs.py",
           "np.sum(_round_half_up(2 * T) != _round_half_up(2 * Y),",
           "np.sum(_round_half_up(2 * T) == _round_half_up(2 * Y),",
           (T + "test_gradient.py::test_binary_cost_counts_the_misses",)),
    Mutant("cross-entropy-unguarded", "netgraph/_costs.py",
           "np.log(Y + _EPS) + (1 - T) * np.log((1 + _EPS) - Y)",
           "np.log(Y) + (1 - T) * np.log(1 - Y)",
           (T + "test_gradient.py::test_cross_entropy_of_outputs_exactly_0_or_1_is_finite",)),
    Mutant("cross-entropy-gradient-unguarded", "netgraph/_costs.py",
           "(1 - t) / ((1 + _EPS) - y) - t / (y + _EPS)", "(1 - t) / (1 - y) - t / y",
           (T + "test_gradient.py::test_cross_entropy_of_outputs_exactly_0_or_1_is_finite",)),
    Mutant("cost-aliases", "netgraph/_costs.py",
           'key = {"crossentropy": "cross_entropy", "ce": "cross_entropy"}.get(key, key)',
           "key = key", (T + "test_gradient.py::test_cost_names_and_aliases",)),
    Mutant("collapse-default-1000", "netgraph/_diagram.py", "max_neurons: int = 100",
           "max_neurons: int = 1000",
           (T + "test_diagram.py::test_networks_of_more_than_100_neurons_collapse_by_default",)),
    Mutant("csv-header-any-number", "netgraph/_cli.py",
           "if not all(_is_number(c) for c in rows[0]):",
           "if not any(_is_number(c) for c in rows[0]):",
           (T + "test_cli.py::test_a_header_is_a_first_row_with_any_cell_not_a_number",)),
    Mutant("predict-json-ignores-o", "netgraph/_cli.py",
           'raise CLIError("--json prints to stdout; leave out -o")', "pass",
           (T + "test_cli.py::test_predict_json_refuses_an_output_file",)),
    Mutant("ctrl-c-exits-1", "netgraph/_cli.py",
           'print(f"{PROG}: interrupted", file=sys.stderr)\n        return 130',
           'print(f"{PROG}: interrupted", file=sys.stderr)\n        return 1',
           (T + "test_cli.py::test_ctrl_c_exits_130",)),
    Mutant("no-fsync", "netgraph/_files.py", "os.fsync(f.fileno())", "pass",
           (T + "test_json.py::test_save_flushes_the_file_and_its_folder_to_disk",)),
    Mutant("no-folder-fsync", "netgraph/_files.py", "os.fsync(dfd)", "pass",
           (T + "test_json.py::test_save_flushes_the_file_and_its_folder_to_disk",)),
    Mutant("new-file-mode", "netgraph/_files.py", "fd = os.open(tmp, flags, 0o666)",
           "fd = os.open(tmp, flags, 0o644)",
           (T + "test_json.py::test_a_new_file_gets_the_usual_mode",)),
    Mutant("no-o-excl", "netgraph/_files.py", "os.O_CREAT | os.O_EXCL |", "os.O_CREAT |",
           (T + "test_json.py::test_save_never_writes_through_a_file_already_at_its_"
                "temporary_name",)),
    Mutant("no-suppress-on-cleanup", "netgraph/_files.py",
           "with contextlib.suppress(OSError):  # the first error is the one to report",
           "if True:",
           (T + "test_json.py::test_a_failing_cleanup_does_not_hide_the_write_error",)),
    Mutant("no-suppress-on-folder-sync", "netgraph/_files.py",
           "with contextlib.suppress(OSError):\n            dfd = os.open",
           "if True:\n            dfd = os.open",
           (T + "test_json.py::test_save_succeeds_where_a_folder_cannot_be_synced",)),
    Mutant("propagate-after-clear", "netgraph/_network.py",
           "        self._activated = False\n\n    def reset(", "        pass\n\n    def reset(",
           (T + "test_evaluate.py::test_propagate_after_clear_is_refused_and_changes_nothing",)),
    Mutant("fixed-lax-bool", "netgraph/_reader.py", "(fixed is False or fixed is True)",
           "fixed in (0, 1, False, True)",
           (T + "test_json.py::test_fixed_is_true_or_false_only",)),
    Mutant("nan-marks-missing", "netgraph/_graph.py",
           "            self._slot = _UNSET  # the plan must be rebuilt, and will name what is "
           "missing\n            self._store.version += 1",
           "            self._array()[self._slot] = math.nan",
           (T + "test_graph.py::test_a_deleted_weight_or_bias_is_reported_by_name_not_run_"
                "as_nan",)),
]


def pytest(tests: tuple[str, ...]) -> int:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False).returncode


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for m in MUTANTS:
            print(f"{m.name:<36} {m.file}")
        return 0
    chosen = [m for m in MUTANTS if not argv or m.name in argv]
    survivors = []
    for m in chosen:
        path = ROOT / m.file
        dirty = subprocess.run(["git", "diff", "--quiet", "--", m.file], cwd=ROOT, check=False)
        if dirty.returncode:
            print(f"{m.name}: {m.file} has uncommitted changes; commit them first")
            return 2
        text = path.read_text(encoding="utf-8")
        if text.count(m.old) != 1:
            print(f"{m.name}: the original text is not found exactly once in {m.file}")
            survivors.append(m.name)
            continue
        if pytest(m.tests) != 0:
            print(f"{m.name}: its tests fail on the real code")
            survivors.append(m.name)
            continue
        try:
            path.write_text(text.replace(m.old, m.new), encoding="utf-8")
            killed = pytest(m.tests) != 0
        finally:
            path.write_text(text, encoding="utf-8")
        print(f"{m.name:<36} {'killed' if killed else 'SURVIVED'}", flush=True)
        if not killed:
            survivors.append(m.name)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
