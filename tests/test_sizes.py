"""Absurd sizes are refused before anything is allocated, with the size in bytes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from netgraph import _memory
from netgraph._memory import NEURON_BYTES, SYNAPSE_BYTES, check_fits
from netgraph.architect import LSTM, Perceptron


def test_too_large_a_perceptron_is_refused_before_a_neuron_is_made(monkeypatch):
    monkeypatch.setattr(_memory, "available_bytes", lambda: 1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(MemoryError) as info:
            Perceptron(2, 10**6, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    need = (10**6 + 3) * NEURON_BYTES + 3 * 10**6 * SYNAPSE_BYTES
    assert str(info.value) == (
        f"a network of 1,000,003 neurons and 3,000,000 synapses needs at least {need:,} bytes "
        f"(1.1 GiB) of memory; {1 << 30:,} bytes (1.0 GiB) are available")
    assert peak < 1 << 20  # nothing of the network's size was allocated


def test_every_architecture_goes_through_the_check(monkeypatch):
    monkeypatch.setattr(_memory, "available_bytes", lambda: 100 << 20)
    with pytest.raises(MemoryError, match="needs at least"):
        LSTM(2, 4000, 1)  # 16,000 gate and cell neurons, about 32 million synapses


def test_the_boundary_is_the_available_memory(monkeypatch):
    available = 200 << 20
    monkeypatch.setattr(_memory, "available_bytes", lambda: available)
    synapses = (available - 1000 * NEURON_BYTES) // SYNAPSE_BYTES
    check_fits(1000, synapses)  # fits exactly (or a few bytes under)
    with pytest.raises(MemoryError, match=f"{available:,} bytes"):
        check_fits(1000, synapses + available // SYNAPSE_BYTES // 100)
    monkeypatch.setattr(_memory, "available_bytes", lambda: None)
    check_fits(10**9, 10**9)  # memory that cannot be told is not guessed at


def test_available_memory_is_read_from_the_system():
    available = _memory.available_bytes()
    assert available is not None and 0 < available < 1 << 50


LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from netgraph._cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_the_cli_says_it_in_one_line(tmp_path):
    # under a 3 GiB address-space limit, whatever the machine has
    data = tmp_path / "xor.csv"
    data.write_text("0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    run = subprocess.run([sys.executable, "-c", LIMITED, "train", "--layers", "2,100000000,1",
                          "--data", str(data), "-o", str(tmp_path / "net.json")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and run.stdout == ""
    need = (10**8 + 3) * NEURON_BYTES + 3 * 10**8 * SYNAPSE_BYTES
    assert run.stderr.startswith(
        "netgraph: error: a network of 100,000,003 neurons and 300,000,000 synapses needs at "
        f"least {need:,} bytes"), run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert not (tmp_path / "net.json").exists()
