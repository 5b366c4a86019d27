/* smoke.cl: the smallest kernel, used by driver tests before any primitive kernel runs. */

/* out[i] = a * x[i] + y[i] for i < n, one work-item per element (grid-stride so any grid covers n). */
KERNEL void axpy(GLOBAL float* out, GLOBAL const float* x, GLOBAL const float* y, float a, int n) {
    for (int i = GLOBAL_ID(0); i < n; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        out[i] = a * x[i] + y[i];
    }
}
