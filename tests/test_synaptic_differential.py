"""The differential check against real Synaptic.js 1.1.4, a small seeded count of each kind
(``scripts/synaptic_differential.py`` runs large counts).

Import: random networks built and run by Synaptic (layers with random squashes, all three
connection types, self-projections and all three gate types; LSTM with random options;
Liquid; Hopfield), replayed by netgraph over 40 activate/propagate steps. Export: random
networks built by netgraph, written with ``to_synaptic`` and run by Synaptic. Target:
1e-9 (relative to max(1, |output|)); a network with a neuron that both projects and gates
matches on activation alone and its import warns.
"""

from __future__ import annotations

import pytest
import synaptic_peer as peer

COUNT = 6


@pytest.fixture(autouse=True)
def _needs_node():
    peer.require()


def check(records):
    for r in records:
        outcome, reason = r["outcome"], r.get("reason", "")
        assert outcome in ("match", "match (activation)", "unbounded", "threshold", "refused",
                           "outside"), r
        if outcome == "refused":  # a clear refusal that names the neuron or synapse
            assert r["direction"] == "export"
            assert "Synaptic would compute this network differently: " in reason
            assert "'" in reason
        if outcome == "outside":  # only what Synaptic's toJSON cannot carry
            assert r["direction"] == "import" and r["multi_gated"], r
            # Synaptic's own fromJSON of the document computes what netgraph computes,
            # unless it also merges parallel synapses
            assert r["vs_fromjson"] <= peer.TOL or r["parallel"], r
        if outcome == "match (activation)":
            assert r["defects"] == ["stale accumulator"]
    return [r["outcome"] for r in records]


@pytest.mark.parametrize("kind", peer.KINDS)
def test_synaptic_networks_replay_in_netgraph(kind):
    outcomes = check(peer.import_direction(kind, COUNT, seed=1))
    assert outcomes.count("match") + outcomes.count("match (activation)") >= COUNT // 3


@pytest.mark.parametrize("kind", peer.KINDS)
def test_netgraph_exports_run_identically_in_synaptic(kind):
    outcomes = check(peer.export_direction(kind, COUNT, seed=2))
    assert outcomes.count("match") + outcomes.count("match (activation)") >= COUNT // 3
