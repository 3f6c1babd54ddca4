"""Every error netgraph raises, in one place.

    NetgraphError                      base of all of them
    ├── TopologyError (ValueError)     the graph cannot be evaluated as it stands
    │   └── CycleError                 a cycle with no delayed synapse on it
    ├── NeuronError (KeyError)         an unknown neuron or synapse was named
    ├── ActivationError (ValueError)   an unknown activation name
    ├── InputError (ValueError)        wrong shape, length, NaN or non-numeric input/target
    ├── NetworkFormatError (ValueError) a document (netgraph or Synaptic JSON) is not valid
    ├── DivergenceError (ArithmeticError) training produced NaN or infinity
    ├── ConcurrencyError (RuntimeError) another thread is using the network right now
    ├── GraphvizNotFoundError (RuntimeError) the Graphviz programs are not installed
    ├── MissingDependencyError (ImportError) an optional extra (onnx, torch, ...) is not
    │                                  installed; the message names it
    └── ConfigError (ValueError)       a NEAT configuration (netgraph.neat.Config) has an
                                       unknown, missing or bad key; names it, file and line

    NetgraphWarning (UserWarning)      base of every warning netgraph issues
    ├── SynapticFidelityWarning        netgraph and Synaptic.js compute a network differently
    ├── TargetRangeWarning             targets an output neuron's activation cannot reach
    ├── UnreachableOutputWarning       an output no input reaches: it ignores the input
    └── ConversionWarning              a conversion kept the function but not something else

Each subclasses the matching built-in, so ``except ValueError`` still works.
"""

from __future__ import annotations

__all__ = [
    "ActivationError",
    "ConcurrencyError",
    "ConfigError",
    "ConversionWarning",
    "CycleError",
    "DivergenceError",
    "GraphvizNotFoundError",
    "InputError",
    "MissingDependencyError",
    "NetgraphError",
    "NetgraphWarning",
    "NetworkFormatError",
    "NeuronError",
    "SynapticFidelityWarning",
    "TargetRangeWarning",
    "TopologyError",
    "UnreachableOutputWarning",
]


class NetgraphError(Exception):
    """Base class of every error netgraph raises."""


class TopologyError(NetgraphError, ValueError):
    """The graph cannot be evaluated: missing attributes, no inputs, a bad role, ..."""


class CycleError(TopologyError):
    """A cycle made only of undelayed synapses. ``cycle`` lists its synapses."""

    def __init__(self, message: str, cycle: list[tuple[object, object]] | None = None):
        super().__init__(message)
        self.cycle = cycle or []


class NeuronError(NetgraphError, KeyError):
    """An unknown neuron or synapse was named."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class ActivationError(NetgraphError, ValueError):
    """An activation name that is not in the registry."""


class InputError(NetgraphError, ValueError):
    """An input or target of the wrong shape or length, or holding NaN or non-numbers."""


class NetworkFormatError(NetgraphError, ValueError):
    """A document that cannot be loaded. The message names the offending place.

    ``path`` is that place inside a netgraph document (``"neurons[2].bias"``; ``""`` for
    the document as a whole) when netgraph JSON's own reader raised it, else None.
    """

    def __init__(self, message: str = "", *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class DivergenceError(NetgraphError, ArithmeticError):
    """Training produced a NaN or infinite error or weight."""


class ConcurrencyError(NetgraphError, RuntimeError):
    """Another thread is using this network right now (training it, evaluating it with
    the GIL released, editing it or reading the whole of it).

    A network is used by one thread at a time. While one thread holds it, every other
    thread's call that would use it (``activate``, ``propagate``, ``train``, ``gradient``,
    ``test``), change it (any edit, a weight or bias set, ``reset``,
    ``interop.load_torch_state``) or read the whole of it (``copy``, pickling and
    ``copy.deepcopy``, ``to_json``, ``save``, ``to_synaptic``) raises this at once, before
    it writes or reads anything: no weight is ever corrupted and no copy is ever a
    mid-epoch state. Reading one weight or bias through the graph gives its value at
    that instant. Evaluate different networks in different threads (``net.copy()``).
    """


class GraphvizNotFoundError(NetgraphError, RuntimeError):
    """Rendering needs the Graphviz ``dot`` program, which is not installed."""


class MissingDependencyError(NetgraphError, ImportError):
    """A feature needs an optional extra that is not installed; the message says which
    (``pip install 'netgraph-nn[onnx]'``)."""


class ConfigError(NetgraphError, ValueError):
    """A NEAT configuration that cannot be used: an unknown or missing key, a value of the
    wrong type or out of range, or a setting netgraph cannot honour. The message names the
    key; ``key``, ``file`` and ``line`` say where (None when not known or not from a file).
    """

    def __init__(self, message: str = "", *, key: str | None = None, file: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.key, self.file, self.line = key, file, line


class NetgraphWarning(UserWarning):
    """Base class of every warning netgraph issues."""


class SynapticFidelityWarning(NetgraphWarning):
    """A network that netgraph and Synaptic.js would compute differently: an import hit
    by a defect of Synaptic's compiled mode, or an export written with ``strict=False``.
    The message names the neurons or synapses and the reason."""


class TargetRangeWarning(NetgraphWarning):
    """Training targets lie outside what an output neuron's activation can produce (logistic
    outputs stay in [0, 1]): the error cannot get below the distance to that range."""


class UnreachableOutputWarning(NetgraphWarning):
    """Output neurons that no path of synapses (or gates) leads to from any input: they
    compute the same value whatever the input, which is almost always a layer or
    synapse left out by mistake. ``outputs`` lists their ids. Issued once per structure
    for a network the caller builds: when it is made from layers or by ``from_graph``,
    and when one built or edited with ``add_neuron``/``connect``/``disconnect``/
    ``remove_neuron`` is first run after the change that cut them off. A network read
    from a document or another library's format is taken as its file says (NEAT
    genomes often leave outputs unconnected) until the caller edits it."""

    def __init__(self, message: str, outputs: list[object] | None = None) -> None:
        super().__init__(message)
        self.outputs = outputs or []


class ConversionWarning(NetgraphWarning):
    """A foreign network was read or written computing the same function, but something
    else could not be carried over (Neataptic's dropout rate, a derivative convention, a
    connection with no effect). The message names what and where."""
