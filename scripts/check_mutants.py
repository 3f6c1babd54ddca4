"""Check that the suite kills known mutants: apply each, run its tests, revert.

Each mutant is one textual change to the package, of a kind a real bug could be. For
each, the tests named beside it must pass on the real code and fail on the mutant.

- Python mutants (issue 12's list) are applied in place; the file is restored from its
  text in memory afterwards, whatever happens (the script refuses files with uncommitted
  changes, so ``git checkout -- FILE`` is a safe way back too).
- Native mutants (issue 25's list: the C kernels in netgraph/_native, and the seam
  netgraph/_fast.py) are applied to a scratch copy of the project, which is rebuilt and
  tested there (PYTHONPATH points at it): the worktree's sources and build are never
  touched, so nothing needs restoring even if the run is killed.

Usage: python scripts/check_mutants.py [--native | --python] [NAME ...]
       (default: all; --list to list them)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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


# Native-core mutants: each a bug the suite once let through (issue 25's survivors), or one
# of the same kinds. Applied to a scratch copy, which is rebuilt for each.
N = "netgraph/_native/"
KERN = T + "test_native_kernels.py::"
THREADS = T + "test_native_threads.py::"
INPUTS = T + "test_native_inputs.py::"
NATIVE_MUTANTS = [
    Mutant("batch-skips-last-of-block", N + "feedforward.c",
           "idx w = q0 + COLUMNS < m ? COLUMNS : m - q0,",
           "idx w = q0 + COLUMNS < m ? COLUMNS - 1 : m - q0,",
           (KERN + "test_batches_across_block_boundaries_match_the_reference_and_single_"
                   "activates",)),
    Mutant("columns-skip-last-of-block", N + "feedforward.c",
           "idx q1 = q0 + COLUMNS < m ? q0 + COLUMNS : m, w = q1 - q0;",
           "idx q1 = q0 + COLUMNS < m ? q0 + COLUMNS - 1 : m, w = q1 - q0;",
           (KERN + "test_batches_across_block_boundaries_match_the_reference_and_single_"
                   "activates",)),
    Mutant("wide-propagate-no-error-back", N + "feedforward.c",
           "if (s0 + m > n_in) {", "if (s0 >= n_in) {",
           (KERN + "test_wide_straddling_neurons_propagate_as_the_reference",)),
    Mutant("wide-backward-no-error-back", N + "feedforward.c",
           "                up[j] += dk * w[j];\n", "",
           (KERN + "test_wide_straddling_neurons_pass_their_gradient_back",
            KERN + "test_minibatch_training_of_wide_straddling_neurons_follows_the_gradient")),
    Mutant("batch-forgets-last-derivative", N + "feedforward.c",
           "                    dy[k] = d;\n", "",
           (KERN + "test_propagate_after_a_batch_learns_from_its_last_row",)),
    Mutant("set-last-forgets-derivative", N + "module.c",
           "    memcpy(self->st.dy, dy, (size_t)n * sizeof(double));\n", "",
           (KERN + "test_propagate_after_a_batch_learns_from_its_last_row",)),
    Mutant("mae-not-divided", N + "rules.h",
           "return (cost == MSE || cost == MAE) ? total / (double)n_out : total;",
           "return cost == MSE ? total / (double)n_out : total;",
           (KERN + "test_each_cost_is_its_value_by_hand",)),
    Mutant("binary-rounds-half-away", N + "rules.h",
           "if (floor(2.0 * to + 0.5) != floor(2.0 * yo + 0.5))",
           "if (round(2.0 * to) != round(2.0 * yo))",
           (KERN + "test_the_native_binary_cost_rounds_half_up_as_javascript",)),
    Mutant("error-target-strict", N + "feedforward.c",
           "(err <= stop_error ? REACHED_ERROR", "(err < stop_error ? REACHED_ERROR",
           (KERN + "test_training_stops_when_the_error_reaches_the_target_exactly",)),
    Mutant("sequence-error-target-strict", N + "recurrent.c",
           "if (err <= stop_error) {", "if (err < stop_error) {",
           (KERN + "test_sequence_training_stops_when_the_error_reaches_the_target_exactly",)),
    Mutant("narrow-guard-ignores-weights", N + "feedforward.c",
           "            if (bad != 0.0)\n                ok = 0;", "            (void)bad;",
           (KERN + "test_propagate_refuses_an_overflowing_weight_even_when_every_bias_stays_"
                   "finite",)),
    Mutant("empty-batch-activates", N + "module.c",
           "    PyMem_Free(work);\n    if (m > 0)\n        self->flags[0] = 1;",
           "    PyMem_Free(work);\n    self->flags[0] = 1;",
           (KERN + "test_an_empty_batch_does_not_count_as_an_activation",)),
    Mutant("empty-sequence-activates", N + "module.c",
           "    leave(&ex);\n    if (m > 0)\n        self->flags[0] = 1;",
           "    leave(&ex);\n    self->flags[0] = 1;",
           (KERN + "test_an_empty_batch_does_not_count_as_an_activation",)),
    Mutant("empty-blas-batch-activates", "netgraph/_fast.py",
           "    if len(X):\n        engine.set_last(", "    if True:\n        engine.set_last(",
           (KERN + "test_an_empty_batch_does_not_count_as_an_activation",)),
    Mutant("long-list-accepted", N + "module.c",
           "if (PySequence_Fast_GET_SIZE(obj) != n)", "if (PySequence_Fast_GET_SIZE(obj) < n)",
           (KERN + "test_a_sample_or_target_of_the_wrong_length_is_refused_on_the_fast_path",)),
    Mutant("long-array-accepted", N + "module.c",
           "PyArray_NDIM(a) != 1 || PyArray_DIM(a, 0) != n)",
           "PyArray_NDIM(a) != 1 || PyArray_DIM(a, 0) < n)",
           (KERN + "test_a_sample_or_target_of_the_wrong_length_is_refused_on_the_fast_path",)),
    Mutant("index-equal-to-size-accepted", N + "module.c",
           "if (a[k] < lo || a[k] >= hi) {", "if (a[k] < lo || a[k] > hi) {",
           (KERN + "test_every_index_array_is_checked_at_both_of_its_bounds",
            KERN + "test_an_order_array_is_checked_at_its_bounds")),
    Mutant("index-check-stops-short", N + "module.c",
           "for (npy_intp k = 0; k < size; k++) {\n        if (a[k] < lo",
           "for (npy_intp k = 0; k + 1 < size; k++) {\n        if (a[k] < lo",
           (KERN + "test_every_index_array_is_checked_at_both_of_its_bounds",)),
    Mutant("batch-size-0-accepted", N + "module.c",
           "if (batch < 1) {", "if (batch < 0) {",
           (KERN + "test_the_gradient_kernel_refuses_batch_size_0",)),
    Mutant("nested-call-releases-lock", N + "module.c",
           "    if (x->took)\n        *x->lock = 0;", "    *x->lock = 0;",
           (THREADS + "test_a_nested_hold_keeps_the_network_until_the_outer_one_ends",)),
    Mutant("release-forgets-previous", N + "module.c",
           "    *lock = previous;\n", "    *lock = 0;\n",
           (THREADS + "test_a_nested_hold_keeps_the_network_until_the_outer_one_ends",)),
    Mutant("gil-never-released", N + "module.c",
           "return self->p.n_syn >= RELEASE_SYNAPSES;", "return 0;",
           (KERN + "test_another_thread_runs_python_while_a_large_single_activate_runs",)),
    Mutant("dsr-skip-first-ignored", N + "recurrent.c",
           "if (right == length && !(skip_first && q == 0))", "if (right == length)",
           (KERN + "test_dsr_leaves_the_first_trial_of_a_block_uncounted_when_asked",)),
    Mutant("refused-activate-writes-scratch", N + "module.c",
           "    if (own(self, &ex) < 0)\n        return NULL;\n"
           "    if (!read_sample(x, self->p.n_in, self->x)) {",
           "    if (!read_sample(x, self->p.n_in, self->x))\n        Py_RETURN_NONE;\n"
           "    if (own(self, &ex) < 0)\n        return NULL;\n    if (0) {",
           (THREADS + "test_refused_activates_do_not_change_a_large_feed_forward_activate",
            THREADS + "test_refused_activates_do_not_change_an_lstm_sequence")),
    Mutant("refused-propagate-writes-scratch", N + "module.c",
           "    if (own(self, &ex) < 0)\n        return NULL;\n"
           "    if (!self->flags[0] || !read_sample(args[1], self->p.n_out, self->t)) {",
           "    if (!read_sample(args[1], self->p.n_out, self->t))\n        Py_RETURN_NONE;\n"
           "    if (own(self, &ex) < 0)\n        return NULL;\n    if (!self->flags[0]) {",
           (THREADS + "test_refused_propagates_do_not_change_a_large_propagate",)),
    Mutant("byte-order-ignored", N + "module.c",
           "int swap = PyArray_ISBYTESWAPPED(a);", "int swap = 0;",
           (INPUTS + "test_one_sample_is_read_as_its_values",)),
    Mutant("inputs-not-converted", N + "module.c",
           "        if (convert && PyArray_Check(a)) {", "        if (0) {",
           (INPUTS + "test_a_batch_is_read_as_its_values",
            INPUTS + "test_training_reads_data_as_its_values")),
    Mutant("selu-derivative-cancels", N + "rules.h",
           "SELU_SCALE * SELU_ALPHA * exp(s);", "y + SELU_SCALE * SELU_ALPHA;",
           (T + "test_native_selu.py",)),
    Mutant("wide-guard-off", N + "feedforward.c",
           "            if (undo_w && !all_finite(w, m))\n                ok = 0;",
           "            (void)0;",
           (T + "test_engine.py::test_propagate_that_would_diverge_changes_nothing",
            KERN + "test_propagate_refuses_an_overflowing_weight_of_a_wide_neuron_with_a_"
                   "finite_bias")),
]


def pytest(tests: tuple[str, ...], cwd: Path = ROOT, env: dict[str, str] | None = None) -> int:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False).returncode


def run_python(chosen: list[Mutant], survivors: list[str]) -> int:
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
    return 0


def _scratch_copy(dest: Path) -> None:
    """The project as it stands in the worktree (committed or not, ignored files aside)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        src = ROOT / name
        if name and src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _build(copy: Path) -> bool:
    for old in copy.glob("netgraph/_core*"):
        old.unlink()
    done = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                          cwd=copy, capture_output=True, check=False)
    return done.returncode == 0


def run_native(chosen: list[Mutant], survivors: list[str]) -> int:
    if not chosen:
        return 0
    with tempfile.TemporaryDirectory(prefix="netgraph-mutants-") as tmp:
        copy = Path(tmp)
        _scratch_copy(copy)
        env = dict(os.environ, PYTHONPATH=str(copy))
        originals = {m.file: (copy / m.file).read_text(encoding="utf-8") for m in chosen}
        # the real code first: every test named must pass on it
        tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        if not _build(copy) or pytest(tests, cwd=copy, env=env) != 0:
            print("the mutants' tests fail on the real code (or it does not build): "
                  + " ".join(tests))
            survivors.extend(m.name for m in chosen)
            return 2
        for m in chosen:
            text = originals[m.file]
            if text.count(m.old) != 1:
                print(f"{m.name}: the original text is not found exactly once in {m.file}")
                survivors.append(m.name)
                continue
            try:
                (copy / m.file).write_text(text.replace(m.old, m.new), encoding="utf-8")
                if not _build(copy):
                    print(f"{m.name:<36} killed (does not compile)", flush=True)
                    continue
                killed = pytest(m.tests, cwd=copy, env=env) != 0
            finally:
                (copy / m.file).write_text(text, encoding="utf-8")
            print(f"{m.name:<36} {'killed' if killed else 'SURVIVED'}", flush=True)
            if not killed:
                survivors.append(m.name)
    return 0


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for m in MUTANTS + NATIVE_MUTANTS:
            print(f"{m.name:<36} {m.file}")
        return 0
    kinds = {"--native": NATIVE_MUTANTS, "--python": MUTANTS}
    pool = [m for flag, ms in kinds.items() if flag in argv for m in ms] or MUTANTS + NATIVE_MUTANTS
    names = [a for a in argv if not a.startswith("--")]
    chosen = [m for m in pool if not names or m.name in names]
    survivors: list[str] = []
    status = run_python([m for m in chosen if m in MUTANTS], survivors)
    if status:
        return status
    run_native([m for m in chosen if m in NATIVE_MUTANTS], survivors)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    if survivors:
        print("survived: " + ", ".join(survivors))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
