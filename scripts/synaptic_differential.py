"""netgraph against real Synaptic.js 1.1.4 on many random networks, both directions.

    .venv/bin/python scripts/synaptic_differential.py --count 100 --seed 1

For each kind (layers, lstm, liquid, hopfield) it builds ``--count`` random networks in
Synaptic and replays them in netgraph (import), and builds as many in netgraph and runs
their ``to_synaptic`` export in Synaptic (export), over 40 activate/propagate steps. It
prints, per kind and direction, how many networks match to 1e-9, how many match on
activation alone (the stale-accumulator defect), how many diverge (unbounded outputs in
both), how many exports are refused, and every network outside the target with its
reason; then the worst difference among the matches. Needs Node and
``benchmarks/node_modules`` (``cd benchmarks && npm ci``).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import synaptic_peer as peer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="networks per kind and direction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", nargs="*", default=list(peer.KINDS), choices=peer.KINDS)
    args = parser.parse_args()
    why = peer.missing()
    if why:
        print(f"cannot run real Synaptic.js: {why}", file=sys.stderr)
        return 2
    outside = 0
    for kind in args.kinds:
        for name, direction in (("import", peer.import_direction),
                                ("export", peer.export_direction)):
            records = []
            for start in range(0, args.count, 50):  # one Node process per 50 networks
                n = min(50, args.count - start)
                records += direction(kind, n, seed=args.seed * 1000 + start)
            counts = collections.Counter(r["outcome"] for r in records)
            worst_train = max([r["training"] for r in records if r["outcome"] == "match"],
                              default=0.0)
            worst_act = max([r["activation"] for r in records
                             if r["outcome"] in ("match", "match (activation)")], default=0.0)
            print(f"{kind:9} {name}: {len(records)} nets, " + ", ".join(
                f"{v} {k}" for k, v in sorted(counts.items()))
                + f"; worst training {worst_train:.1e}, worst activation {worst_act:.1e}")
            for r in records:
                if r["outcome"] == "outside":
                    outside += 1
                    print(f"    outside: {r['reason']}")
                elif r["outcome"] == "refused":
                    print(f"    refused: {r['reason'][:160]}")
    print(f"outside the target: {outside}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
