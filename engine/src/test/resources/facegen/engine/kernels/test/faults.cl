/* faults.cl: a kernel that faults on purpose, for the CUDA driver's device-lost test (never a primitive). */

/* Writes 4 TiB past out: no allocation is mapped there, so the GPU raises an illegal address. */
KERNEL void write_far(GLOBAL float* out, int n) {
    out[(long) n * 1099511627776L] = 1.0f;
}
