/* broken.cl: does not compile, for the test that a compile failure carries the compiler's log. */

KERNEL void broken(GLOBAL float* out) {
    out[0] = undefined_name;
}
