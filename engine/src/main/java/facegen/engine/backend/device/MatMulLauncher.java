package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

/** Runs {@link Op.MatMul} as {@code matmul.cl}'s shared-memory tiled kernel, one TILE x TILE group per output block. */
final class MatMulLauncher {
    /** The kernel's TILE: a group is TILE x TILE work-items. */
    static final int TILE = 16;

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
        long tiles = (long) batches * ((m + TILE - 1) / TILE) * ((n + TILE - 1) / TILE);
        if (tiles == 0) {
            return;
        }
        Device device = runner.device();
        device.launch(device.kernel("matmul", "matmul"), new int[] {(int) Math.min(KernelRunner.MAX_GROUPS, tiles), 1},
                new int[] {TILE, TILE}, y, a, b, batches, m, n, k, op.transA() ? 1 : 0, op.transB() ? 1 : 0);
    }
}
