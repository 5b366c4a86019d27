/*
 * reduce.cl: Op.Sum and Op.Max over any set of axes, reduced axes kept with extent 1.
 *
 * Output element j reads the input at base(j) + part(r) for r in [0, count): base walks the kept axes and part the
 * reduced ones, both through input strides. meta = [kept, keptDims[kept], keptStrides[kept], reduced,
 * reducedDims[reduced], reducedStrides[reduced]]. op 0 = sum (identity 0), 1 = max (identity -inf, NaN propagates
 * as Math.max). Every output is combined in a fixed order that depends only on count and the group size, so the
 * result is bit-identical from run to run (no atomics).
 */

#define REDUCE_GROUP 256

DEVICE float combine(int op, float acc, float v) {
    if (op == 0) return acc + v;
    if (acc != acc || v != v) return acc + v; /* Math.max propagates NaN */
    return v > acc ? v : acc;
}

/* Input offset of element r of output j's window. */
DEVICE int window_offset(GLOBAL const int* meta, int j, int r) {
    int kept = meta[0];
    GLOBAL const int* reducedMeta = meta + 1 + 2 * kept;
    int reduced = reducedMeta[0];
    return strided_offset(j, kept, meta + 1, meta + 1 + kept)
         + strided_offset(r, reduced, reducedMeta + 1, reducedMeta + 1 + reduced);
}

/* y[j] = combine of x over j's window, one work-item per output, r ascending (for short windows). */
KERNEL void reduce_serial(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* meta, int op, float identity,
                          int outputs, int count) {
    for (int j = GLOBAL_ID(0); j < outputs; j += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        float acc = identity;
        for (int r = 0; r < count; r++) {
            acc = combine(op, acc, x[window_offset(meta, j, r)]);
        }
        y[j] = acc;
    }
}

/* y[j] = combine of x over j's window, one work-group per output: item t combines r = t, t + G, ..., then a tree
   over the G partials (G a power of two <= REDUCE_GROUP). */
KERNEL void reduce_tree(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* meta, int op, float identity,
                        int outputs, int count) {
    SHARED float partial[REDUCE_GROUP];
    int t = LOCAL_ID(0);
    int g = GROUP_SIZE(0);
    for (int j = GROUP_ID(0); j < outputs; j += NUM_GROUPS(0)) {
        float acc = identity;
        for (int r = t; r < count; r += g) {
            acc = combine(op, acc, x[window_offset(meta, j, r)]);
        }
        partial[t] = acc;
        BARRIER();
        for (int s = g / 2; s > 0; s /= 2) {
            if (t < s) partial[t] = combine(op, partial[t], partial[t + s]);
            BARRIER();
        }
        if (t == 0) y[j] = partial[0];
        BARRIER(); /* partial[0] is read before the next output overwrites it */
    }
}
