/* w . y over n consecutive entries with eight independent sums, combined in a fixed tree,
 * then the rest one by one: the lanes vectorize without reassociating anything, so the
 * result does not depend on the SIMD width the machine has. Shared by the feed-forward
 * kernel and NEAT's native evaluation of the same networks, which must give its bits. */
#ifndef NETGRAPH_LANES_H
#define NETGRAPH_LANES_H

#include <stddef.h>

static inline double lane_dot(const double *restrict w, const double *restrict y, ptrdiff_t n)
{
    double a[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int q = 0; q < 8; q++)
            a[q] += w[j + q] * y[j + q];
    double total = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; j < n; j++)
        total += w[j] * y[j];
    return total;
}

#endif
