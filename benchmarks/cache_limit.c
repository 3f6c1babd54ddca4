/* The floor cache bandwidth sets under online SGD on a 784-128-10 network.
 *
 * Every sample must read and write each of the first layer's 100,352 weights once (the
 * fused update-and-dot of netgraph/_native/feedforward.c): 802 KB read and 802 KB written,
 * more than this machine's L2. This program times exactly that pass, alone: the same
 * loop, the same 8 lanes, nothing else (no activations, no second layer, no bookkeeping).
 * Its time per pass is the floor; benchmarks/run.py compares netgraph's time per sample
 * with it.
 *
 *   cc -O3 -ffp-contract=off cache_limit.c -o cache_limit && ./cache_limit
 * prints {"us_per_pass": ..., "gb_per_s": ...}
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROWS 128
#define COLS 784

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static double pass(double *restrict W, const double *restrict x_old,
                   const double *restrict x_new, const double *restrict step, double *out)
{
    for (int k = 0; k < ROWS; k++) {
        double *w = W + (size_t)k * COLS, s = step[k];
        double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int j = 0; j < COLS; j += 8)
            for (int q = 0; q < 8; q++) {
                double v = w[j + q] + s * x_old[j + q];
                w[j + q] = v;
                a[q] += v * x_new[j + q];
            }
        out[k] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
    return out[0];
}

int main(void)
{
    double *W = malloc(sizeof(double) * ROWS * COLS), x[2][COLS], step[ROWS], out[ROWS];
    for (int i = 0; i < ROWS * COLS; i++)
        W[i] = 1e-3 * (i % 97);
    for (int j = 0; j < COLS; j++) {
        x[0][j] = (j % 13) / 13.0;
        x[1][j] = (j % 7) / 7.0;
    }
    for (int k = 0; k < ROWS; k++)
        step[k] = 1e-12 * (k - 64);
    double best = 1e9, sink = 0;
    for (int r = 0; r < 7; r++) {
        int n = 2000;
        double t0 = now();
        for (int i = 0; i < n; i++)
            sink += pass(W, x[i & 1], x[(i + 1) & 1], step, out);
        double t = (now() - t0) / n;
        if (t < best)
            best = t;
    }
    printf("{\"us_per_pass\": %.3f, \"gb_per_s\": %.2f, \"sink\": %g}\n", best * 1e6,
           2.0 * sizeof(double) * ROWS * COLS / best / 1e9, sink);
    free(W);
    return 0;
}
