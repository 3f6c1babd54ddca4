"""Standalone code: the network as Python, JavaScript or C source that runs without netgraph.

Each generator writes the compiled plan as tables of numbers (biases, CSR synapse
pointers, sources and weights, an activation index per neuron) and a short loop over
them, the same loop netgraph's kernels run, in the same order: outputs agree to the last
bits but for the libm's rounding of exp, tanh, ... The activations are
``netgraph._activations.activation_source``'s expressions, one per activation used.

Nothing from the network's document (ids, names, labels) goes into the code: only
numbers, written so that they read back as the same float64 (``repr`` for Python and
JavaScript, ``%.17g`` for C), and indices.

A recurrent network (delayed or gated synapses) gets the same entry point plus an
explicit state (see ``_layout``): states, activations and gains, created by
``new_state()`` / ``newState()`` / ``netgraph_state_init``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._activations import ACTIVATION_NAMES, activation_source
from .._exceptions import TopologyError
from .._fast import reads_whole
from ._layout import recurrent_view, state_layout

if TYPE_CHECKING:
    from .._network import Network

__all__ = ["to_c", "to_javascript", "to_python"]

_NAMES = list(ACTIVATION_NAMES)  # by code: softmax last


def _source(name: str, language: str) -> str:
    """An activation as an expression of ``s``; a softmax output's is its sum ``s``, the
    group being normalized after the loop (exp(s - max) / sum, in output order)."""
    return "s" if name == "softmax" else activation_source(name, language)


@dataclass
class _Tables:
    """The plan as plain numbers, shared by the three generators."""

    n: int
    n_in: int
    outputs: list[int]
    bias: list[float]
    ptr: list[int]
    src: list[int]
    weight: list[float]
    act: list[int]  # index into ``used``
    used: list[str]  # activation names, in order of first use
    recurrent: bool
    delay: list[int]
    self_weight: list[float]  # 0 where a neuron has no self-connection
    self_gain: list[int]  # gain slot of the self-connection, -1: ungated or none
    gain: list[int]  # gain slot per CSR synapse, -1: ungated
    gate_ptr: list[int]  # the gain slots neuron j sets: gate_slot[gate_ptr[j]:...]
    gate_slot: list[int]
    n_gated: int
    softmax: list[int]  # the softmax outputs, as indices into ``outputs``


def _tables(net: Network) -> _Tables:
    plan = net._plan()
    n, n_csr = len(plan.neurons), len(plan.in_src)
    weights = np.array(plan.weights, dtype=np.float64)
    biases = np.array(plan.biases, dtype=np.float64)
    bad = [k for k in range(n) if not math.isfinite(biases[k])]
    if bad or not np.isfinite(weights).all():
        raise TopologyError("the network holds a weight or bias that is not a finite number")
    used: list[str] = []
    act = []
    for c in plan.codes:
        name = _NAMES[int(c)]
        if name not in used:
            used.append(name)
        act.append(used.index(name))
    view = recurrent_view(plan)
    recurrent = state_layout(net).recurrent
    self_weight = [0.0] * n
    self_gain = [-1] * n
    for j in range(n):
        c = int(view.self_e[j])
        if c >= 0:
            self_weight[j] = float(weights[c])
            self_gain[j] = int(view.gain_of[c])
    return _Tables(
        n=n, n_in=plan.n_inputs, outputs=[int(k) for k in plan.output_pos],
        bias=[float(b) for b in biases], ptr=[int(p) for p in plan.in_ptr],
        src=[int(s) for s in plan.in_src], weight=[float(w) for w in weights[:n_csr]],
        act=act, used=used, recurrent=recurrent,
        delay=[int(d) for d in view.delay], self_weight=self_weight, self_gain=self_gain,
        gain=[int(g) for g in view.gain_of[:n_csr]],
        gate_ptr=[int(p) for p in view.gate_ptr], gate_slot=[int(q) for q in view.gate_slot],
        n_gated=view.n_gated if recurrent else 0,
        softmax=[int(o) for o in np.flatnonzero(plan.softmax_outputs)],
    )


def _wrap(items: Iterable[str], indent: str, width: int = 96) -> str:
    """Comma-separated items, wrapped into lines of at most ``width`` characters."""
    lines: list[str] = []
    line = ""
    for item in items:
        piece = item + ","
        if line and len(indent) + len(line) + 1 + len(piece) > width:
            lines.append(indent + line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    if line:
        lines.append(indent + line)
    return "\n".join(lines)


def _py_float(x: float) -> str:
    return repr(float(x))  # shortest text that reads back as the same double


def _c_float(x: float) -> str:
    text = f"{float(x):.17g}"  # C's %.17g: 17 significant digits read back exactly
    # "1" would be an int: harmless in an initializer, but keep every literal a double
    return text if any(ch in text for ch in ".e") else text + ".0"


def _version() -> str:
    from .. import __version__

    return __version__


# ------------------------------------------------------------------------ Python
@reads_whole
def to_python(net: Network) -> str:
    """The network as Python source that needs only the standard library's ``math``.

    **Returns** the source text. It defines ``activate(inputs)`` (a sequence of
    ``N_INPUTS`` numbers -> a list of ``N_OUTPUTS`` floats) and, for a recurrent network,
    ``new_state()`` and ``activate(inputs, state)``: the state is a dict of lists
    ``{"state", "activation", "gain"}`` that each call updates in place (see
    ``netgraph.interop.state_layout`` for which neuron or synapse each slot is).
    """
    t = _tables(net)
    tab = "    "

    def table(name: str, values: list[str]) -> str:
        if not values:
            return f"{name} = ()"
        return f"{name} = (\n{_wrap(values, tab)}\n)"

    cases = []
    for k, name in enumerate(t.used):
        cases.append(f"{tab}if c == {k}:\n{tab * 2}return {_source(name, 'python')}")
    head = [
        f'"""A network exported by netgraph {_version()}: numbers and indices only.',
        "",
        "activate(inputs" + (", state)" if t.recurrent else ")") + " -> list of outputs."
        + (" new_state() makes a fresh state\n(states 0, activations 0, gains 1); "
           "each call updates it in place." if t.recurrent else ""),
        '"""',
        "",
        "import math",
        "",
        f"N_INPUTS = {t.n_in}",
        f"N_OUTPUTS = {len(t.outputs)}",
        f"N_NEURONS = {t.n}",
        f"N_GATED = {t.n_gated}",
        table("_BIAS", [_py_float(x) for x in t.bias]),
        table("_PTR", [str(x) for x in t.ptr]),
        table("_SRC", [str(x) for x in t.src]),
        table("_WEIGHT", [_py_float(x) for x in t.weight]),
        table("_ACT", [str(x) for x in t.act]),
        table("_OUT", [str(x) for x in t.outputs]),
    ]
    if t.softmax:
        head.append(table("_SOFTMAX", [str(x) for x in t.softmax]))
    if t.recurrent:
        head += [
            table("_DELAY", [str(x) for x in t.delay]),
            table("_GAIN", [str(x) for x in t.gain]),
            table("_SELF_W", [_py_float(x) for x in t.self_weight]),
            table("_SELF_G", [str(x) for x in t.self_gain]),
            table("_GATE_PTR", [str(x) for x in t.gate_ptr]),
            table("_GATE_SLOT", [str(x) for x in t.gate_slot]),
        ]
    body = "\n".join(head) + "\n\n\ndef _f(c, s):\n" + "\n".join(cases) + "\n"
    body += f"{tab}raise ValueError(c)\n\n\n"
    check = (f"{tab}if len(inputs) != N_INPUTS:\n"
             f"{tab * 2}raise ValueError(f'expected {{N_INPUTS}} inputs, got {{len(inputs)}}')\n")
    if not t.recurrent:
        body += (
            "def activate(inputs):\n"
            f'{tab}"""The outputs for one sample (N_INPUTS numbers)."""\n'
            + check +
            f"{tab}y = [0.0] * N_NEURONS\n"
            f"{tab}for k in range(N_INPUTS):\n"
            f"{tab * 2}y[k] = float(inputs[k])\n"
            f"{tab}for j in range(N_INPUTS, N_NEURONS):\n"
            f"{tab * 2}total = _BIAS[j]\n"
            f"{tab * 2}for e in range(_PTR[j], _PTR[j + 1]):\n"
            f"{tab * 3}total += _WEIGHT[e] * y[_SRC[e]]\n"
            f"{tab * 2}y[j] = _f(_ACT[j], total)\n"
        )
        if not t.softmax:
            return body + f"{tab}return [y[k] for k in _OUT]\n"
        return body + (
            f"{tab}out = [y[k] for k in _OUT]\n"
            f"{tab}top = max(out[o] for o in _SOFTMAX)\n"
            f"{tab}total = 0.0\n"
            f"{tab}for o in _SOFTMAX:\n"
            f"{tab * 2}out[o] = math.exp(out[o] - top)\n"
            f"{tab * 2}total += out[o]\n"
            f"{tab}for o in _SOFTMAX:\n"
            f"{tab * 2}out[o] /= total\n"
            f"{tab}return out\n"
        )
    body += (
        "def new_state():\n"
        f'{tab}"""A fresh state: states 0, activations 0, gains 1."""\n'
        f'{tab}return {{"state": [0.0] * N_NEURONS, "activation": [0.0] * N_NEURONS,\n'
        f'{tab * 2}    "gain": [1.0] * N_GATED}}\n\n\n'
        "def activate(inputs, state):\n"
        f'{tab}"""One step: the outputs for this sample; ``state`` is updated in place."""\n'
        + check +
        f'{tab}s, y, gain = state["state"], state["activation"], state["gain"]\n'
        f"{tab}prev = list(y)\n"
        f"{tab}for k in range(N_INPUTS):\n"
        f"{tab * 2}y[k] = float(inputs[k])\n"
        f"{tab}for j in range(N_INPUTS, N_NEURONS):\n"
        f"{tab * 2}g = _SELF_G[j]\n"
        f"{tab * 2}total = (gain[g] if g >= 0 else 1.0) * _SELF_W[j] * s[j] + _BIAS[j]\n"
        f"{tab * 2}for e in range(_PTR[j], _PTR[j + 1]):\n"
        f"{tab * 3}i, g = _SRC[e], _GAIN[e]\n"
        f"{tab * 3}total += ((prev[i] if _DELAY[e] else y[i]) * _WEIGHT[e]\n"
        f"{tab * 3}          * (gain[g] if g >= 0 else 1.0))\n"
        f"{tab * 2}s[j] = total\n"
        f"{tab * 2}y[j] = _f(_ACT[j], total)\n"
        f"{tab * 2}for q in range(_GATE_PTR[j], _GATE_PTR[j + 1]):\n"
        f"{tab * 3}gain[_GATE_SLOT[q]] = y[j]\n"
        f"{tab}return [y[k] for k in _OUT]\n"
    )
    return body


# -------------------------------------------------------------------- JavaScript
@reads_whole
def to_javascript(net: Network) -> str:
    """The network as JavaScript (ES2015, runs under Node and in browsers).

    **Returns** the source text. It defines ``function activate(input)`` (an array of
    ``N_INPUTS`` numbers -> an array of ``N_OUTPUTS`` numbers) and, for a recurrent
    network, ``newState()`` and ``activate(input, state)``, the state being
    ``{state, activation, gain}`` arrays that each call updates in place. Under Node the
    same names are exported through ``module.exports``.
    """
    t = _tables(net)
    tab = "  "

    def table(name: str, values: list[str]) -> str:
        return f"const {name} = [\n{_wrap(values, tab)}\n];" if values else f"const {name} = [];"

    cases = [f"{tab * 2}case {k}: return {_source(name, 'javascript')};"
             for k, name in enumerate(t.used)]
    lines = [
        f"// A network exported by netgraph {_version()}: numbers and indices only.",
        "// activate(input" + (", state)" if t.recurrent else ")") + " -> array of outputs"
        + ("; newState() makes a fresh state (states 0,\n// activations 0, gains 1), "
           "which each call updates in place." if t.recurrent else "."),
        '"use strict";',
        f"const N_INPUTS = {t.n_in};",
        f"const N_OUTPUTS = {len(t.outputs)};",
        f"const N_NEURONS = {t.n};",
        f"const N_GATED = {t.n_gated};",
        table("BIAS", [_py_float(x) for x in t.bias]),
        table("PTR", [str(x) for x in t.ptr]),
        table("SRC", [str(x) for x in t.src]),
        table("WEIGHT", [_py_float(x) for x in t.weight]),
        table("ACT", [str(x) for x in t.act]),
        table("OUT", [str(x) for x in t.outputs]),
    ]
    if t.softmax:
        lines.append(table("SOFTMAX", [str(x) for x in t.softmax]))
    if t.recurrent:
        lines += [
            table("DELAY", [str(x) for x in t.delay]),
            table("GAIN", [str(x) for x in t.gain]),
            table("SELF_W", [_py_float(x) for x in t.self_weight]),
            table("SELF_G", [str(x) for x in t.self_gain]),
            table("GATE_PTR", [str(x) for x in t.gate_ptr]),
            table("GATE_SLOT", [str(x) for x in t.gate_slot]),
        ]
    lines += ["", "function f(c, s) {", f"{tab}switch (c) {{", *cases, f"{tab}}}",
              f'{tab}throw new Error("unknown activation " + c);', "}", ""]
    check = [f"{tab}if (input.length !== N_INPUTS) {{",
             f'{tab * 2}throw new Error("expected " + N_INPUTS + " inputs, got " + input.length);',
             f"{tab}}}"]
    if not t.recurrent:
        lines += [
            "function activate(input) {", *check,
            f"{tab}const y = new Float64Array(N_NEURONS);",
            f"{tab}for (let k = 0; k < N_INPUTS; k++) y[k] = +input[k];",
            f"{tab}for (let j = N_INPUTS; j < N_NEURONS; j++) {{",
            f"{tab * 2}let total = BIAS[j];",
            f"{tab * 2}for (let e = PTR[j]; e < PTR[j + 1]; e++) total += WEIGHT[e] * y[SRC[e]];",
            f"{tab * 2}y[j] = f(ACT[j], total);",
            f"{tab}}}",
            *([f"{tab}return OUT.map((k) => y[k]);"] if not t.softmax else [
                f"{tab}const out = OUT.map((k) => y[k]);",
                f"{tab}let top = -Infinity, total = 0;",
                f"{tab}for (const o of SOFTMAX) top = Math.max(top, out[o]);",
                f"{tab}for (const o of SOFTMAX) {{ out[o] = Math.exp(out[o] - top); "
                "total += out[o]; }",
                f"{tab}for (const o of SOFTMAX) out[o] /= total;",
                f"{tab}return out;"]),
            "}",
            "",
            'if (typeof module !== "undefined") {',
            f"{tab}module.exports = {{ activate, N_INPUTS, N_OUTPUTS, N_NEURONS }};",
            "}",
        ]
    else:
        lines += [
            "function newState() {",
            f"{tab}return {{ state: new Array(N_NEURONS).fill(0), "
            "activation: new Array(N_NEURONS).fill(0),",
            f"{tab * 3}gain: new Array(N_GATED).fill(1) }};",
            "}",
            "",
            "function activate(input, state) {", *check,
            f"{tab}const s = state.state, y = state.activation, gain = state.gain;",
            f"{tab}const prev = y.slice();",
            f"{tab}for (let k = 0; k < N_INPUTS; k++) y[k] = +input[k];",
            f"{tab}for (let j = N_INPUTS; j < N_NEURONS; j++) {{",
            f"{tab * 2}const g = SELF_G[j];",
            f"{tab * 2}let total = (g >= 0 ? gain[g] : 1) * SELF_W[j] * s[j] + BIAS[j];",
            f"{tab * 2}for (let e = PTR[j]; e < PTR[j + 1]; e++) {{",
            f"{tab * 3}const i = SRC[e], h = GAIN[e];",
            f"{tab * 3}total += (DELAY[e] ? prev[i] : y[i]) * WEIGHT[e] * (h >= 0 ? gain[h] : 1);",
            f"{tab * 2}}}",
            f"{tab * 2}s[j] = total;",
            f"{tab * 2}y[j] = f(ACT[j], total);",
            f"{tab * 2}for (let q = GATE_PTR[j]; q < GATE_PTR[j + 1]; q++) "
            "gain[GATE_SLOT[q]] = y[j];",
            f"{tab}}}",
            f"{tab}return OUT.map((k) => y[k]);",
            "}",
            "",
            'if (typeof module !== "undefined") {',
            f"{tab}module.exports = {{ activate, newState, N_INPUTS, N_OUTPUTS, N_NEURONS, "
            "N_GATED };",
            "}",
        ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- C
@reads_whole
def to_c(net: Network) -> str:
    """The network as one C99 file (needs only <math.h>; link with -lm).

    **Returns** the source text. It defines
    ``void netgraph_activate(const double *input, double *output)`` (``NETGRAPH_INPUTS``
    numbers in, ``NETGRAPH_OUTPUTS`` out). For a recurrent network the state is explicit:
    ``netgraph_state`` (arrays ``state``, ``activation``, ``gain``),
    ``void netgraph_state_init(netgraph_state *st)`` and
    ``void netgraph_activate(const double *input, double *output, netgraph_state *st)``.
    """
    t = _tables(net)
    tab = "    "

    def table(ctype: str, name: str, values: list[str]) -> str:
        # C has no empty arrays: an unused table holds one 0
        return (f"static const {ctype} {name}[{max(1, len(values))}] = {{\n"
                f"{_wrap(values or ['0'], tab)}\n}};")

    lines = [
        f"/* A network exported by netgraph {_version()}: numbers and indices only. */",
        "#include <math.h>",
        "",
        f"#define NETGRAPH_INPUTS {t.n_in}",
        f"#define NETGRAPH_OUTPUTS {len(t.outputs)}",
        f"#define NETGRAPH_NEURONS {t.n}",
        f"#define NETGRAPH_GATED {t.n_gated}",
        "",
        table("double", "ng_bias", [_c_float(x) for x in t.bias]),
        table("int", "ng_ptr", [str(x) for x in t.ptr]),
        table("int", "ng_src", [str(x) for x in t.src]),
        table("double", "ng_weight", [_c_float(x) for x in t.weight]),
        table("int", "ng_act", [str(x) for x in t.act]),
        table("int", "ng_out", [str(x) for x in t.outputs]),
    ]
    if t.softmax:
        lines.append(f"#define NETGRAPH_SOFTMAX {len(t.softmax)}")
        lines.append(table("int", "ng_softmax", [str(x) for x in t.softmax]))
    if t.recurrent:
        lines += [
            table("int", "ng_delay", [str(x) for x in t.delay]),
            table("int", "ng_gain", [str(x) for x in t.gain]),
            table("double", "ng_self_w", [_c_float(x) for x in t.self_weight]),
            table("int", "ng_self_g", [str(x) for x in t.self_gain]),
            table("int", "ng_gate_ptr", [str(x) for x in t.gate_ptr]),
            table("int", "ng_gate_slot", [str(x) for x in t.gate_slot]),
        ]
    lines += ["", "static double ng_f(int c, double s) {", f"{tab}switch (c) {{"]
    lines += [f"{tab}case {k}: return {_source(name, 'c')};"
              for k, name in enumerate(t.used)]
    lines += [f"{tab}}}", f"{tab}return s;", "}", ""]
    if not t.recurrent:
        lines += [
            "void netgraph_activate(const double *input, double *output) {",
            f"{tab}double y[NETGRAPH_NEURONS];",
            f"{tab}for (int k = 0; k < NETGRAPH_INPUTS; k++) y[k] = input[k];",
            f"{tab}for (int j = NETGRAPH_INPUTS; j < NETGRAPH_NEURONS; j++) {{",
            f"{tab * 2}double total = ng_bias[j];",
            f"{tab * 2}for (int e = ng_ptr[j]; e < ng_ptr[j + 1]; e++) "
            "total += ng_weight[e] * y[ng_src[e]];",
            f"{tab * 2}y[j] = ng_f(ng_act[j], total);",
            f"{tab}}}",
            f"{tab}for (int k = 0; k < NETGRAPH_OUTPUTS; k++) output[k] = y[ng_out[k]];",
            *([] if not t.softmax else [
                f"{tab}/* the softmax outputs, normalized together: exp(s - max) / sum */",
                f"{tab}double top = -INFINITY, total = 0.0;",
                f"{tab}for (int q = 0; q < NETGRAPH_SOFTMAX; q++) "
                "top = fmax(top, output[ng_softmax[q]]);",
                f"{tab}for (int q = 0; q < NETGRAPH_SOFTMAX; q++) {{",
                f"{tab * 2}output[ng_softmax[q]] = exp(output[ng_softmax[q]] - top);",
                f"{tab * 2}total += output[ng_softmax[q]];",
                f"{tab}}}",
                f"{tab}for (int q = 0; q < NETGRAPH_SOFTMAX; q++) "
                "output[ng_softmax[q]] /= total;"]),
            "}",
        ]
    else:
        lines += [
            "/* The explicit state: each neuron's state (sum) and activation after the last",
            "   step, and each gated synapse's gain. */",
            "typedef struct {",
            f"{tab}double state[NETGRAPH_NEURONS];",
            f"{tab}double activation[NETGRAPH_NEURONS];",
            f"{tab}double gain[NETGRAPH_GATED > 0 ? NETGRAPH_GATED : 1];",
            "} netgraph_state;",
            "",
            "/* A fresh state: states 0, activations 0, gains 1. */",
            "void netgraph_state_init(netgraph_state *st) {",
            f"{tab}for (int k = 0; k < NETGRAPH_NEURONS; k++) "
            "st->state[k] = st->activation[k] = 0.0;",
            f"{tab}for (int q = 0; q < NETGRAPH_GATED; q++) st->gain[q] = 1.0;",
            "}",
            "",
            "/* One step: reads input, writes output, updates st. */",
            "void netgraph_activate(const double *input, double *output, netgraph_state *st) {",
            f"{tab}double prev[NETGRAPH_NEURONS];",
            f"{tab}double *s = st->state, *y = st->activation, *gain = st->gain;",
            f"{tab}for (int k = 0; k < NETGRAPH_NEURONS; k++) prev[k] = y[k];",
            f"{tab}for (int k = 0; k < NETGRAPH_INPUTS; k++) y[k] = input[k];",
            f"{tab}for (int j = NETGRAPH_INPUTS; j < NETGRAPH_NEURONS; j++) {{",
            f"{tab * 2}int g = ng_self_g[j];",
            f"{tab * 2}double total = (g >= 0 ? gain[g] : 1.0) * ng_self_w[j] * s[j] + ng_bias[j];",
            f"{tab * 2}for (int e = ng_ptr[j]; e < ng_ptr[j + 1]; e++) {{",
            f"{tab * 3}int i = ng_src[e], h = ng_gain[e];",
            f"{tab * 3}total += (ng_delay[e] ? prev[i] : y[i]) * ng_weight[e] "
            "* (h >= 0 ? gain[h] : 1.0);",
            f"{tab * 2}}}",
            f"{tab * 2}s[j] = total;",
            f"{tab * 2}y[j] = ng_f(ng_act[j], total);",
            f"{tab * 2}for (int q = ng_gate_ptr[j]; q < ng_gate_ptr[j + 1]; q++) "
            "gain[ng_gate_slot[q]] = y[j];",
            f"{tab}}}",
            f"{tab}for (int k = 0; k < NETGRAPH_OUTPUTS; k++) output[k] = y[ng_out[k]];",
            "}",
        ]
    return "\n".join(lines) + "\n"
