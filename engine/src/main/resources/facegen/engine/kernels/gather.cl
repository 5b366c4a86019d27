/*
 * gather.cl: Op.IndexSelect and Op.IndexAdd along one axis, x viewed as [outer, extent, inner].
 *
 * index_add is a scatter with repeated targets. Instead of float atomics (whose order, and so whose rounding,
 * changes from run to run) the host inverts the index into CSR form: rows [start[r], start[r + 1]) of sources list,
 * in ascending order, every i with index[i] = r. Each output element then sums its own sources in that fixed order.
 */

/* y[a, j, b] = x[a, index[j], b]; y is [outer, k, inner], x is [outer, extent, inner]. */
KERNEL void index_select(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* index, int extent, int k, int inner,
                         int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int b = i % inner;
        int j = (i / inner) % k;
        int a = i / (inner * k);
        y[i] = x[(a * extent + index[j]) * inner + b];
    }
}

/* y[a, r, b] = sum over e in [start[r], start[r + 1]) of src[a, sources[e], b]; y is [outer, size, inner], src is
   [outer, k, inner]. The sum is index_add's y[a, index[i], b] += src[a, i, b] gathered per target row. */
KERNEL void index_add_csr(GLOBAL float* y, GLOBAL const float* src, GLOBAL const int* start, GLOBAL const int* sources,
                          int k, int size, int inner, int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int b = i % inner;
        int r = (i / inner) % size;
        int a = i / (inner * size);
        float acc = 0.0f;
        for (int e = start[r]; e < start[r + 1]; e++) {
            acc += src[(a * k + sources[e]) * inner + b];
        }
        y[i] = acc;
    }
}
