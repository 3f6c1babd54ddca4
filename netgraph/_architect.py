"""Ready-made architectures, built as Synaptic's Architect (and Neataptic's) builds them.

Each returns an ordinary Network: its graph saves, loads and draws like any other.
The order in which layers are made and projected is Synaptic's, so a network
imported from Synaptic and one built here have the same synapses in the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._activations import get_activation
from ._arguments import flag, whole
from ._exceptions import ActivationError, InputError, TopologyError
from ._graph import synapse_attrs
from ._layer import CONNECTIONS, Layer
from ._network import Network, Seed, _rng

if TYPE_CHECKING:
    from ._train import TrainResult


def _sizes(name: str, sizes: Sequence[Any]) -> None:
    """Each layer size a whole number >= 1, or an InputError naming the argument."""
    for k, size in enumerate(sizes):
        whole(f"{name}[{k}]", size)


def Perceptron(*sizes: int, activation: str = "logistic", output_activation: str | None = None,
               seed: Seed = None) -> Network:
    """Layers of the given sizes, each projected all-to-all onto the next.

    ``Perceptron(2, 3, 1)`` is the seed's XOR net. Needs at least an input and an
    output size.

    **Arguments**
    - ``activation``: the hidden neurons' activation (input neurons carry it too, unused).
    - ``output_activation``: the output neurons' (default: ``activation``, as Synaptic).
      Logistic outputs stay in [0, 1]; for regression targets beyond that, use
      ``"identity"`` (or ``"tanh"`` for [-1, 1]). ``"softmax"`` makes the outputs class
      probabilities that sum to 1 (train them with ``cost="cross_entropy"``).
    - ``seed``: an int or ``numpy.random.Generator`` for the weights and biases.
    """
    if len(sizes) < 2:
        raise TopologyError("a Perceptron needs at least an input and an output size")
    _sizes("Perceptron sizes", sizes)
    if get_activation(activation).grouped:
        raise ActivationError("activation='softmax' would put softmax on the input and hidden "
                              "neurons; softmax is for the outputs only: pass "
                              "output_activation='softmax'")
    last = activation if output_activation is None else output_activation
    layers = [Layer(n, activation) for n in sizes[:-1]] + [Layer(sizes[-1], last)]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)


def LSTM(inputs: int, *sizes: int, peepholes: str = "all_to_all", hidden_to_hidden: bool = False,
         output_to_hidden: bool = False, output_to_gates: bool = False,
         input_to_output: bool = True, seed: Seed = None) -> Network:
    """Synaptic's long short-term memory network: ``LSTM(inputs, *blocks, outputs)``.

    Each block is four layers in activation order: input gate, forget gate, memory
    cell, output gate (gate biases 1, every neuron logistic). The cells keep their
    state through a self-connection (weight 1) gated by the forget gate; the input
    gate gates what enters the cells and the output gate what leaves them;
    peepholes run from the cells to the gates. Options as Synaptic's.
    """
    if len(sizes) < 2:
        raise TopologyError("an LSTM needs inputs, at least one block size and outputs")
    whole("LSTM inputs", inputs)
    _sizes("LSTM sizes", sizes)
    if peepholes not in CONNECTIONS:
        raise InputError(f"LSTM peepholes must be one of {', '.join(CONNECTIONS)}, got "
                         f"{peepholes!r}")
    for name, value in (("hidden_to_hidden", hidden_to_hidden),
                        ("output_to_hidden", output_to_hidden),
                        ("output_to_gates", output_to_gates),
                        ("input_to_output", input_to_output)):
        flag(f"LSTM {name}", value)
    *blocks, outputs = sizes
    input_layer, output_layer = Layer(inputs), Layer(outputs)
    hidden: list[Layer] = []
    previous: Layer | None = None
    for b, size in enumerate(blocks):
        input_gate = Layer(size, bias=1.0, label=f"input_gate{b}")
        forget_gate = Layer(size, bias=1.0, label=f"forget_gate{b}")
        cell = Layer(size, label=f"memory_cell{b}")
        output_gate = Layer(size, bias=1.0, label=f"output_gate{b}")
        hidden += [input_gate, forget_gate, cell, output_gate]
        into_cell = input_layer.project(cell)
        input_layer.project(input_gate)
        input_layer.project(forget_gate)
        input_layer.project(output_gate)
        if previous is not None:
            from_previous = previous.project(cell)
            previous.project(input_gate)
            previous.project(forget_gate)
            previous.project(output_gate)
        out_of_cell = cell.project(output_layer)
        memory = cell.project(cell)
        if hidden_to_hidden:
            cell.project(cell, "all_to_else")
        if output_to_hidden:
            output_layer.project(cell)
        if output_to_gates:
            output_layer.project(input_gate)
            output_layer.project(output_gate)
            output_layer.project(forget_gate)
        cell.project(input_gate, peepholes)
        cell.project(forget_gate, peepholes)
        cell.project(output_gate, peepholes)
        input_gate.gate(into_cell, "input")
        forget_gate.gate(memory, "one_to_one")
        output_gate.gate(out_of_cell, "output")
        if previous is not None:
            input_gate.gate(from_previous, "input")
        previous = cell
    if input_to_output:
        input_layer.project(output_layer)
    return Network(input=input_layer, hidden=hidden, output=output_layer, seed=seed)


def Liquid(inputs: int, hidden: int, outputs: int, connections: int, gates: int, *,
           seed: Seed = None) -> Network:
    """Synaptic's liquid state machine: a pool of ``hidden`` neurons with ``connections``
    random synapses among them (made as Synaptic's ``Neuron.project`` makes them: a
    repeated pair reuses its synapse, a -> b after b -> a adds a parallel a -> b synapse,
    a neuron picked twice gets a self-connection) and ``gates`` random gatings of those
    synapses, fed by the inputs and read by the outputs (both all-to-all).
    """
    _sizes("Liquid sizes", (inputs, hidden, outputs))
    whole("Liquid connections", connections, low=0)
    whole("Liquid gates", gates, low=0)
    rng = _rng(seed)
    input_layer, pool, output_layer = Layer(inputs), Layer(hidden), Layer(outputs)
    # Built without the constructor's reachability check: the inputs and outputs are
    # projected below, after the pool's own synapses, in Synaptic's order.
    net = Network(seed=rng)
    net._add_layers(input_layer, [pool], output_layer)
    made: list[tuple[Any, ...]] = []
    for _ in range(connections):
        i, j = (int(k) for k in rng.integers(0, hidden, 2))
        a, b = pool.neurons[i], pool.neurons[j]
        # Synaptic's Neuron.project: a repeated pair reuses its synapse, but a -> b after
        # b -> a makes a second, parallel a -> b synapse
        key = net._project(a, b, float(rng.uniform(-0.1, 0.1)), False)
        if i >= j:  # Synaptic runs the pool in order: a synapse backwards reads the last step
            synapse_attrs(net.graph, key)["delay"] = 1
        made.append(key)
    for _ in range(gates):
        gater = pool.neurons[int(rng.integers(0, hidden))]
        if made:  # a synapse gated twice keeps its last gater, as Synaptic's toJSON does
            synapse_attrs(net.graph, made[int(rng.integers(0, len(made)))])["gater"] = gater
    input_layer.project(pool)
    pool.project(output_layer)
    return net


class Hopfield(Network):
    """Synaptic's Hopfield network: ``size`` inputs all-to-all onto ``size`` outputs,
    trained to reproduce binary patterns; ``feed`` recalls the nearest one."""

    def __init__(self, size: int, *, seed: Seed = None) -> None:
        whole("Hopfield size", size)
        input_layer, output_layer = Layer(size), Layer(size)
        input_layer.project(output_layer)
        super().__init__(input=input_layer, output=output_layer, seed=seed)

    def learn(self, patterns: Sequence[Sequence[float]], **options: Any) -> TrainResult:
        """Train on the patterns as their own targets (Synaptic: rate 1, error 5e-5)."""
        P = np.asarray(patterns, dtype=float)
        options = {"iterations": 500_000, "error": 0.00005, "rate": 1.0, **options}
        return self.train(P, P, **options)

    def feed(self, pattern: Sequence[float]) -> np.ndarray:
        """The recalled pattern: outputs thresholded at 0.5, as 0/1 integers."""
        return (self.activate(pattern) > 0.5).astype(int)


def GRU(inputs: int, *sizes: int, seed: Seed = None) -> Network:
    """Neataptic's gated recurrent unit network: ``GRU(inputs, *blocks, outputs)``.

    Each block is six layers in activation order: update gate (bias 1), inverse update
    gate (``1 - z``: activation ``inverse``, fixed), reset gate, memory (tanh), output,
    and previous output (identity, fixed: the block's output one step back). The
    reset gate gates previous output -> memory, the update gate previous output ->
    output and the inverse gate memory -> output.
    """
    if len(sizes) < 2:
        raise TopologyError("a GRU needs inputs, at least one block size and outputs")
    whole("GRU inputs", inputs)
    _sizes("GRU sizes", sizes)
    *blocks, outputs = sizes
    input_layer, output_layer = Layer(inputs), Layer(outputs)
    hidden: list[Layer] = []
    previous = input_layer
    for b, size in enumerate(blocks):
        update = Layer(size, bias=1.0, label=f"update_gate{b}")
        inverse = Layer(size, "inverse", bias=0.0, fixed=True, label=f"inverse_update_gate{b}")
        reset = Layer(size, bias=0.0, label=f"reset_gate{b}")
        memory = Layer(size, "tanh", label=f"memory{b}")
        output = Layer(size, label=f"block_output{b}")
        previous_output = Layer(size, "identity", bias=0.0, fixed=True,
                                label=f"previous_output{b}")
        hidden += [update, inverse, reset, memory, output, previous_output]
        previous_output.project(update)
        update.project(inverse, "one_to_one", weight=1.0)
        previous_output.project(reset)
        to_memory = previous_output.project(memory)
        reset.gate(to_memory, "output")
        kept = previous_output.project(output)
        new = memory.project(output)
        update.gate(kept, "output")
        inverse.gate(new, "output")
        output.project(previous_output, "one_to_one", weight=1.0)
        previous.project(update)
        previous.project(reset)
        previous.project(memory)
        previous = output
    previous.project(output_layer)
    return Network(input=input_layer, hidden=hidden, output=output_layer, seed=seed)


def _memory(size: int, depth: int, name: str) -> list[Layer]:
    """Neataptic's memory: ``depth`` fixed identity layers, each passing its values one
    step on to the next; returned in activation order (oldest first), so each reads
    the one before it from the previous step."""
    blocks = [Layer(size, "identity", bias=0.0, fixed=True, label=f"{name}{k + 1}")
              for k in range(depth)]
    for a, b in itertools.pairwise(blocks):
        a.project(b, "one_to_one", weight=1.0)
    return blocks[::-1]


def NARX(inputs: int, hidden: int | Sequence[int], outputs: int, previous_input: int,
         previous_output: int, *, seed: Seed = None) -> Network:
    """Neataptic's nonlinear autoregressive network with exogenous inputs.

    Hidden layers see the inputs, the last ``previous_input`` inputs and the last
    ``previous_output`` outputs, kept in fixed identity memory layers.
    """
    sizes = [hidden] if isinstance(hidden, (int, np.integer)) else list(hidden)
    if not sizes:
        raise TopologyError("a NARX needs a hidden layer")
    _sizes("NARX sizes", (inputs, outputs))
    _sizes("NARX hidden", sizes)
    whole("NARX previous_input", previous_input)
    whole("NARX previous_output", previous_output)
    input_layer, output_layer = Layer(inputs), Layer(outputs)
    input_memory = _memory(inputs, previous_input, "input_memory_t-")
    output_memory = _memory(outputs, previous_output, "output_memory_t-")
    layers = [Layer(n, label=f"hidden{i}") for i, n in enumerate(sizes)]
    for a, b in itertools.pairwise(layers):
        a.project(b)
    input_layer.project(layers[0])
    input_layer.project(input_memory[-1], "one_to_one", weight=1.0)
    for block in input_memory:
        block.project(layers[0])
    layers[-1].project(output_layer)
    output_layer.project(output_memory[-1], "one_to_one", weight=1.0)
    for block in output_memory:
        block.project(layers[0])
    return Network(input=input_layer, hidden=[*output_memory, *layers, *input_memory],
                   output=output_layer, seed=seed)
