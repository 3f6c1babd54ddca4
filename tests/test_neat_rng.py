"""The native population's normal deviates (gauss), the draws behind every weight and bias
initialisation and perturbation: from the generator they come from a ziggurat
(netgraph/_native/neat_core.c, rng_normal), which must be exactly the standard normal;
from a scripted tape, Box-Muller on two uniforms, as tests/neat_reference.py draws them.

The checks are against scipy.stats.norm, with fixed seeds (so each is deterministic) and
bounds that a correct sampler passes by a wide margin and a wrong layer table, tail or
wedge test would not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from netgraph.neat import Config, Population

N = 1_000_000


def normals(seed: int, k: int) -> np.ndarray:
    pop = Population(Config(num_inputs=2, num_outputs=1, pop_size=2), seed=seed)
    return pop._native._normals(k)


@pytest.mark.parametrize("seed", [2024])
def test_ziggurat_is_the_standard_normal(seed: int) -> None:
    z = normals(seed, N)
    assert np.isfinite(z).all()
    # Kolmogorov-Smirnov against the exact normal CDF: a layer or tail off by a few
    # parts in a thousand of probability is rejected at this size
    ks = stats.kstest(z, "norm")
    assert ks.pvalue > 1e-4, ks
    # the moments, each within 5 standard errors of N(0, 1)'s
    se = 1.0 / math.sqrt(N)
    assert abs(z.mean()) < 5 * se
    assert abs(z.var() - 1.0) < 5 * math.sqrt(2.0) * se
    assert abs(stats.skew(z)) < 5 * math.sqrt(6.0) * se
    assert abs(stats.kurtosis(z)) < 5 * math.sqrt(24.0) * se
    # symmetry: the sign is an independent bit
    assert abs((z > 0).mean() - 0.5) < 5 * 0.5 * se


def test_ziggurat_tail_and_wedges_have_the_right_mass() -> None:
    """Counts in bins that only the slow paths fill (the wedges near the layer edges,
    the tail beyond r = 3.654) against the normal's probabilities, by a chi-square test;
    and the first differences of draws are uncorrelated with the draws (no layer index
    shared between neighbours)."""
    z = normals(7, 3 * N)
    edges = np.array([-np.inf, -4.0, -3.6541528853610088, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5,
                      1.0, 2.0, 3.0, 3.6541528853610088, 4.0, np.inf])
    observed = np.histogram(z, bins=edges)[0]
    expected = np.diff(stats.norm.cdf(edges)) * z.size
    assert (expected > 20).all()
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert stats.chi2.sf(chi2, len(observed) - 1) > 1e-4, (observed, expected)
    # beyond r the tail method alone supplies the deviates
    assert (np.abs(z) > 3.6541528853610088).sum() > 500
    corr = np.corrcoef(z[:-1], z[1:])[0, 1]
    assert abs(corr) < 5 / math.sqrt(z.size)


def test_same_seed_same_deviates_and_a_tape_gives_box_muller() -> None:
    assert np.array_equal(normals(11, 1000), normals(11, 1000))
    assert not np.array_equal(normals(11, 1000), normals(12, 1000))
    pop = Population(Config(num_inputs=2, num_outputs=1, pop_size=2), seed=3)
    u = np.array([0.25, 0.1, 0.9, 0.6])
    pop._native._set_draws(u)
    try:
        z = pop._native._normals(2)
    finally:
        pop._native._set_draws(None)
    want = [math.sqrt(-2.0 * math.log(1.0 - a)) * math.cos(2.0 * math.pi * b)
            for a, b in ((0.25, 0.1), (0.9, 0.6))]
    assert z.tolist() == want
