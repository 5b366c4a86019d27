/*
 * elementwise.cl: Op.Unary, Op.Binary (incl. the Less/Equal masks), Op.Where, and fill.
 *
 * Op codes are the positions of the records in Op.java's permits lists (ElementwiseLauncher passes them):
 *   unary:  0 neg, 1 exp, 2 log, 3 sqrt, 4 sin, 5 cos
 *   binary: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum, 6 minimum, 7 less, 8 equal
 * Broadcasting (NumPy) is a read through strides: an input's stride is 0 along axes where it has extent 1 or
 * which it lacks. meta = [rank, dims[rank] of y, strides[rank] of input 0, strides[rank] of input 1, ...].
 */

/* Math.max: NaN if either is NaN, max(-0, +0) = +0 (C's fmax may return either zero and drops NaN). */
DEVICE float java_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return a == 0.0f ? a + b : a;
    return a > b ? a : b;
}

/* Math.min: NaN if either is NaN, min(-0, +0) = -0. */
DEVICE float java_min(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return a == 0.0f ? -(-a - b) : a;
    return a < b ? a : b;
}

/* Math.pow: as C pow except that pow(x, NaN) and pow(+-1, +-inf) are NaN (C returns 1 there).
   b - b is 0 for finite b and NaN for inf and NaN. */
DEVICE float java_pow(float a, float b) {
    if (!(b - b == 0.0f) && (b != b || FABSF(a) == 1.0f)) return b - b;
    return POWF(a, b);
}

DEVICE float unary_op(int op, float x) {
    switch (op) {
        case 0: return -x;
        case 1: return EXPF(x);
        case 2: return LOGF(x);
        case 3: return SQRTF(x);
        case 4: return SINF(x);
        default: return COSF(x);
    }
}

DEVICE float binary_op(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return java_pow(a, b);
        case 5: return java_max(a, b);
        case 6: return java_min(a, b);
        case 7: return a < b ? 1.0f : 0.0f;
        default: return a == b ? 1.0f : 0.0f;
    }
}

/* y[i] = f(x[i]), f = unary op `op`. */
KERNEL void unary(GLOBAL float* y, GLOBAL const float* x, int op, int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        y[i] = unary_op(op, x[i]);
    }
}

/* y[i] = f(a[i], b[i]) for inputs of y's shape (the fast path: no index arithmetic). */
KERNEL void binary(GLOBAL float* y, GLOBAL const float* a, GLOBAL const float* b, int op, int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        y[i] = binary_op(op, a[i], b[i]);
    }
}

/* y[i] = f(a[i'], b[i'']), i' and i'' the positions of a and b that broadcast to position i of y. */
KERNEL void binary_broadcast(GLOBAL float* y, GLOBAL const float* a, GLOBAL const float* b, GLOBAL const int* meta,
                             int op, int n) {
    int rank = meta[0];
    GLOBAL const int* dims = meta + 1;
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        float u = a[strided_offset(i, rank, dims, dims + rank)];
        float v = b[strided_offset(i, rank, dims, dims + 2 * rank)];
        y[i] = binary_op(op, u, v);
    }
}

/* y[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast to y (-0.0 counts as false: -0.0 == 0). */
KERNEL void where_broadcast(GLOBAL float* y, GLOBAL const float* cond, GLOBAL const float* a, GLOBAL const float* b,
                            GLOBAL const int* meta, int n) {
    int rank = meta[0];
    GLOBAL const int* dims = meta + 1;
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int pick = cond[strided_offset(i, rank, dims, dims + rank)] != 0.0f;
        y[i] = pick ? a[strided_offset(i, rank, dims, dims + 2 * rank)] : b[strided_offset(i, rank, dims, dims + 3 * rank)];
    }
}

/* y[i] = value. */
KERNEL void fill(GLOBAL float* y, float value, int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        y[i] = value;
    }
}
