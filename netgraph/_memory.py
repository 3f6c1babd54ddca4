"""Refusing a network too large for the memory left, before any of it is allocated.

Building a network of 10**8 neurons would take minutes and then be ended by the
operating system's out-of-memory killer, taking the process with it. Its size is known
before the first allocation (the layers' sizes and their projections), so it is
compared with the memory available and refused at once with a ``MemoryError`` that
states both in bytes.

The estimate is a floor, not a guess from above: ``NEURON_BYTES`` and ``SYNAPSE_BYTES``
are below what one neuron and one synapse were measured to hold once built and
compiled (the graph's attribute mappings, its numpy stores and the compiled plan:
about 740 bytes a neuron and 220-300 bytes a synapse with CPython 3.11, numpy 2 and
networkx 3, on a 2-20000-1 and a 1000-1000-1000 perceptron). A refused network would
certainly not have fitted; one that passes may still not, if something else takes the
memory meanwhile.
"""

from __future__ import annotations

import os
import sys

__all__ = ["NEURON_BYTES", "SYNAPSE_BYTES", "available_bytes", "check_fits"]

NEURON_BYTES = 600
SYNAPSE_BYTES = 200
_CHECK_FROM = 64 << 20  # networks needing less than this are not worth a look at /proc


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # cgroup v2 writes "max" for no limit


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:  # other POSIX systems: the free pages (less than what could be freed)
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def available_bytes() -> int | None:
    """The memory this process can still take, in bytes, or None if it cannot be told:
    the least of the system's available memory (Linux's ``MemAvailable``), what the
    process's cgroup allows beyond what it uses, and the address-space limit
    (``ulimit -v``) beyond the process's current size."""
    found: list[int] = []
    system = _meminfo_available()
    if system is not None:
        found.append(system)
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        cap, used = _read_int(limit), _read_int(usage)
        if cap is not None and used is not None and cap < 1 << 60:
            found.append(max(cap - used, 0))
    if sys.platform != "win32":
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        size = _read_int_field("/proc/self/statm", 0)  # pages of address space in use
        if soft != resource.RLIM_INFINITY and size is not None:
            found.append(max(soft - size * os.sysconf("SC_PAGE_SIZE"), 0))
    return min(found) if found else None


def _read_int_field(path: str, k: int) -> int | None:
    try:
        with open(path) as f:
            return int(f.read().split()[k])
    except (OSError, ValueError, IndexError):
        return None


def _gib(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB"


def check_fits(neurons: int, synapses: int) -> None:
    """Raise ``MemoryError`` if a network of ``neurons`` and ``synapses`` needs more
    memory than is available (see the module's docstring for the estimate)."""
    need = neurons * NEURON_BYTES + synapses * SYNAPSE_BYTES
    if need < _CHECK_FROM:
        return
    available = available_bytes()
    if available is not None and need > available:
        raise MemoryError(
            f"a network of {neurons:,} neurons and {synapses:,} synapses needs at least "
            f"{need:,} bytes ({_gib(need)}) of memory; {available:,} bytes "
            f"({_gib(available)}) are available")
