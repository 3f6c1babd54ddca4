"""Which output neurons no input reaches: the check behind ``UnreachableOutputWarning``.

A neuron is reached when a synapse from a reached neuron enters it (delayed ones too: they
carry the input one step later) or when a reached neuron gates a synapse into it. An
output that is not reached computes the same value whatever the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._compile import Plan

__all__ = ["unreachable_outputs"]

_SMALL = 64  # a frontier this small is walked in Python: a long chain costs no numpy call a step


def unreachable_outputs(plan: Plan) -> list[Any]:
    """Ids of the plan's output neurons that no input reaches, in output order.

    A breadth-first walk over the plan's index arrays: each wide step is a few numpy
    operations, so a layered network costs a handful of passes over its synapses.
    """
    n = len(plan.neurons)
    targets = np.repeat(np.arange(n, dtype=np.int64), np.diff(plan.in_ptr))
    sources = plan.in_src
    if plan.recurrent is not None:  # a gater reaches the target of each synapse it gates
        gater, self_e = plan.recurrent[2], plan.recurrent[1]
        # synapses past the CSR ones are self-connections (self_e: neuron -> its synapse)
        ends = np.empty(len(gater), dtype=np.int64)
        ends[:len(targets)] = targets
        looped = np.flatnonzero(self_e >= 0)
        ends[self_e[looped]] = looped
        gated = np.flatnonzero(gater >= 0)
        sources = np.concatenate([sources, gater[gated]])
        targets = np.concatenate([targets, ends[gated]])
    out_dst = targets[np.argsort(sources, kind="stable")]
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n), out=out_ptr[1:])
    reached = np.zeros(n, dtype=bool)
    frontier: Any = np.arange(plan.n_inputs, dtype=np.int64)  # inputs come first in a plan
    reached[frontier] = True
    lists: tuple[list[int], list[int]] | None = None
    while len(frontier):
        if len(frontier) <= _SMALL:  # a narrow step (a chain): plain Python, no numpy calls
            if lists is None:
                lists = out_ptr.tolist(), out_dst.tolist()
            ptr, dst = lists
            found: list[int] = []
            for k in (frontier if isinstance(frontier, list) else frontier.tolist()):
                for t in dst[ptr[k]:ptr[k + 1]]:
                    if not reached[t]:
                        reached[t] = True
                        found.append(t)
            frontier = found if len(found) <= _SMALL else np.array(found, dtype=np.int64)
            continue
        counts = out_ptr[frontier + 1] - out_ptr[frontier]
        starts = np.repeat(out_ptr[frontier] - np.cumsum(counts) + counts, counts)
        nxt = out_dst[starts + np.arange(int(counts.sum()))]
        nxt = np.unique(nxt[~reached[nxt]])
        reached[nxt] = True
        frontier = nxt
    return [plan.neurons[k] for k in plan.output_pos.tolist() if not reached[k]]
