/*
 * gather.cl: Op.IndexSelect and Op.IndexAdd along one axis (x viewed as [outer, extent, inner]), and Op.WeightedGather
 * with its two adjoints.
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

/* Op.WeightedGather: y[c, i] = sum_j w[j, i] x[c, index[j, i]], j ascending; x [C, K], index and w [J, N], y [C, N]. */
KERNEL void weighted_gather(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* index, GLOBAL const float* w,
                            int k, int taps, int cols, int n) {
    for (int t = GLOBAL_ID(0); t < n; t += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int i = t % cols;
        int c = t / cols;
        float acc = 0.0f;
        for (int j = 0; j < taps; j++) {
            acc += w[j * cols + i] * x[c * k + index[j * cols + i]];
        }
        y[t] = acc;
    }
}

/* Op.WeightedGatherInputGrad through the CSR inverse of the flat index (entries e = j N + i, as index_add_csr):
   y[c, r] = sum over e in [start[r], start[r + 1]) of w[sources[e]] g[c, sources[e] mod N]; g [C, N], y [C, size]. */
KERNEL void weighted_scatter_csr(GLOBAL float* y, GLOBAL const float* g, GLOBAL const int* start,
                                 GLOBAL const int* sources, GLOBAL const float* w, int cols, int size, int n) {
    for (int t = GLOBAL_ID(0); t < n; t += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int r = t % size;
        int c = t / size;
        float acc = 0.0f;
        for (int e = start[r]; e < start[r + 1]; e++) {
            int s = sources[e];
            acc += w[s] * g[c * cols + s % cols];
        }
        y[t] = acc;
    }
}

/* Op.WeightedGatherWeightGrad: y[e] = sum_c g[c, i] x[c, index[e]] with i = e mod N, c ascending; g [C, N], x [C, K]. */
KERNEL void weighted_gather_weight_grad(GLOBAL float* y, GLOBAL const float* g, GLOBAL const float* x,
                                        GLOBAL const int* index, int channels, int k, int cols, int n) {
    for (int e = GLOBAL_ID(0); e < n; e += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int i = e % cols;
        int at = index[e];
        float acc = 0.0f;
        for (int c = 0; c < channels; c++) {
            acc += g[c * cols + i] * x[c * k + at];
        }
        y[e] = acc;
    }
}
