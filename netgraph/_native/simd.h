/* SIMD chosen at run time. The wheel must run on any x86-64, so the build targets the
 * baseline (SSE2); the hot kernels are also compiled for AVX2, and the loader picks the
 * best clone the machine supports (GNU ifunc), once, at load. Elsewhere: one version. */
#ifndef NETGRAPH_SIMD_H
#define NETGRAPH_SIMD_H

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SIMD_CLONES
#endif

#endif
