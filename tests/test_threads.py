"""BLAS threads: small layer-pair products run on one thread, and the BLAS's own setting
comes back afterwards (the speed itself is measured in benchmarks/bench_threads.py)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from netgraph import _fast
from netgraph.architect import Perceptron


def blas_threads_now() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_small_products_take_one_thread_and_the_setting_comes_back():
    net = Perceptron(784, 128, 10, seed=0)
    plan = net._plan()
    assert _fast.dense(plan)
    assert blas_threads_now(), "numpy's BLAS is not visible to threadpoolctl"
    with threadpool_limits(limits=2, user_api="blas"):
        assert set(blas_threads_now()) == {2}
        with _fast.blas_threads(plan, 32):  # 128 x 784 x 32: small
            assert set(blas_threads_now()) == {1}
            with _fast.blas_threads(plan, 32):  # nested: the outer one holds the limit
                assert set(blas_threads_now()) == {1}
            assert set(blas_threads_now()) == {1}
        assert set(blas_threads_now()) == {2}
        large = _fast.BLAS_ONE_THREAD_WORK // (128 * 784) + 1
        with _fast.blas_threads(plan, large):  # large: the BLAS's own setting
            assert set(blas_threads_now()) == {2}
        # training and batches restore it too
        rng = np.random.default_rng(0)
        X, T = rng.uniform(0, 1, (64, 784)), np.eye(10)[rng.integers(0, 10, 64)]
        net.train(X, T, iterations=2, error=0.0, optimizer="adam", batch_size=32,
                  progress=False)
        net.activate(X)
        net.gradient(X, T)
        assert set(blas_threads_now()) == {2}
