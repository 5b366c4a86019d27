/*
 * movement.cl: Op.Permute, Op.Expand, Op.Slice, Op.Flip (one strided gather) and Op.Pad, Op.Concat (one strided
 * scatter of a block into a larger, zero-filled output). meta = [rank, dims[rank], strides[rank]].
 *
 *   gather_strided: y[i] = x[base + sum_k i_k strides[k]], (i_k) the position of i in y's dims. Permute permutes
 *   x's strides, expand zeroes them on repeated axes, slice multiplies them by the steps (base = start), flip
 *   negates them (base = last element).
 *   place_strided: y[base + sum_k i_k strides[k]] = x[i], (i_k) the position of i in x's dims and strides y's.
 */

/* sum_k i_k strides[k], where (i_0, ..., i_{r-1}) is the row-major position flat in dims (as in elementwise.cl). */
DEVICE int strided_offset(int flat, int rank, GLOBAL const int* dims, GLOBAL const int* strides) {
    int offset = 0;
    for (int k = rank - 1; k >= 0; k--) {
        offset += (flat % dims[k]) * strides[k];
        flat /= dims[k];
    }
    return offset;
}

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
