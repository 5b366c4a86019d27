package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

/**
 * Runs {@link Op.MatMul} as {@code matmul.cl}'s shared-memory tiled, register-blocked kernel: one group of
 * THREADS x THREADS work-items per BLOCK x BLOCK block of the output.
 */
final class MatMulLauncher {
    /** matmul.cl's BLOCK: output rows and columns per group. */
    static final int BLOCK = 64;
    /** matmul.cl's THREADS: a group is THREADS x THREADS work-items, each computing (BLOCK / THREADS)^2 outputs. */
    static final int THREADS = 16;

    private final KernelRunner runner;

    MatMulLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = op(a) op(b) per batch; {@code out} is [..., m, n]. */
    void matmul(Op.MatMul op, DeviceBuffer a, Shape aShape, DeviceBuffer b, DeviceBuffer y, Shape out) {
        int r = out.rank();
        int m = out.dim(r - 2);
        int n = out.dim(r - 1);
        int k = op.transA() ? aShape.dim(r - 2) : aShape.dim(r - 1);
        if (m == 0 || n == 0) {
            return;
        }
        int batches = out.size() / (m * n);
        long tiles = (long) batches * ((m + BLOCK - 1) / BLOCK) * ((n + BLOCK - 1) / BLOCK);
        if (tiles == 0) {
            return;
        }
        Device device = runner.device();
        device.launch(device.kernel("matmul", "matmul"), new int[] {(int) Math.min(KernelRunner.MAX_GROUPS, tiles), 1},
                new int[] {THREADS, THREADS}, y, a, b, batches, m, n, k, op.transA() ? 1 : 0, op.transB() ? 1 : 0);
    }
}
