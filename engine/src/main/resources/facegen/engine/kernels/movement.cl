/*
 * movement.cl: Op.Permute, Op.Expand, Op.Slice, Op.Flip (one strided gather) and Op.Pad, Op.Concat (one strided
 * scatter of a block into a larger, zero-filled output). meta = [rank, dims[rank], strides[rank]].
 *
 *   gather_strided: y[i] = x[base + sum_k i_k strides[k]], (i_k) the position of i in y's dims. Permute permutes
 *   x's strides, expand zeroes them on repeated axes, slice multiplies them by the steps (base = start), flip
 *   negates them (base = last element).
 *   place_strided: y[base + sum_k i_k strides[k]] = x[i], (i_k) the position of i in x's dims and strides y's.
 */

KERNEL void gather_strided(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* meta, int base, int n) {
    int rank = meta[0];
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        y[i] = x[base + strided_offset(i, rank, meta + 1, meta + 1 + rank)];
    }
}

KERNEL void place_strided(GLOBAL float* y, GLOBAL const float* x, GLOBAL const int* meta, int base, int n) {
    int rank = meta[0];
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        y[base + strided_offset(i, rank, meta + 1, meta + 1 + rank)] = x[i];
    }
}
