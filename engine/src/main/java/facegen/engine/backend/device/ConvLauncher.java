package facegen.engine.backend.device;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Shape;

/**
 * Runs {@link facegen.engine.ops.Op.Conv2d} and its two adjoints as the implicit GEMM kernel of {@code conv.cl}
 * (one tiled, register-blocked matrix product per group and image, operands read straight from the tensors, no
 * im2col buffer).
 * Shapes: x [N, C, H, W], w [O, C/groups, kH, kW], y [N, O, H', W'].
 */
final class ConvLauncher {
    /** conv.cl's BLOCK: rows and columns of the product per group. */
    static final int BLOCK = 64;
    /** conv.cl's THREADS: a group is THREADS x THREADS work-items, each computing (BLOCK / THREADS)^2 outputs. */
    static final int THREADS = 16;

    private final KernelRunner runner;

    ConvLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = conv2d(x, w): per (n, g), y[o', (oh, ow)] = w[o', (c, kh, kw)] x-taps[(c, kh, kw), (oh, ow)]. */
    void conv2d(ConvGeometry g, DeviceBuffer x, Shape xShape, DeviceBuffer w, Shape wShape, DeviceBuffer y, Shape yShape) {
        int groups = g.groups();
        gemm(0, y, w, x, meta(g, xShape, wShape, yShape),
                xShape.dim(0) * groups, wShape.dim(0) / groups, yShape.dim(2) * yShape.dim(3));
    }

    /** dx = conv2dInputGrad(dy, w): per (n, g), dx[c, (ih, iw)] = w[(o', kh, kw), c] dy-taps[(o', kh, kw), (ih, iw)]. */
    void inputGrad(ConvGeometry g, DeviceBuffer dy, Shape dyShape, DeviceBuffer w, Shape wShape, DeviceBuffer dx, Shape dxShape) {
        gemm(1, dx, w, dy, meta(g, dxShape, wShape, dyShape),
                dxShape.dim(0) * g.groups(), wShape.dim(1), dxShape.dim(2) * dxShape.dim(3));
    }

    /** dw = conv2dWeightGrad(x, dy): per g, dw[o', (c, kh, kw)] = dy[o', (n, oh, ow)] x-taps[(n, oh, ow), (c, kh, kw)]. */
    void weightGrad(ConvGeometry g, DeviceBuffer x, Shape xShape, DeviceBuffer dy, Shape dyShape, DeviceBuffer dw, Shape dwShape) {
        int groups = g.groups();
        gemm(2, dw, dy, x, meta(g, xShape, dwShape, dyShape),
                groups, dwShape.dim(0) / groups, dwShape.dim(1) * dwShape.dim(2) * dwShape.dim(3));
    }

    /** One launch of conv2d_gemm covering batches x ceil(rows / BLOCK) x ceil(cols / BLOCK) tiles. */
    private void gemm(int mode, DeviceBuffer y, DeviceBuffer a, DeviceBuffer b, DeviceBuffer meta, int batches, int rows, int cols) {
        long tiles = (long) batches * ((rows + BLOCK - 1) / BLOCK) * ((cols + BLOCK - 1) / BLOCK);
        if (tiles > 0) {
            Device device = runner.device();
            device.launch(device.kernel("conv", "conv2d_gemm"), new int[] {(int) Math.min(KernelRunner.MAX_GROUPS, tiles), 1},
                    new int[] {THREADS, THREADS}, y, a, b, meta, mode);
        }
    }

    /** [N, C, H, W, O, Cg, kH, kW, OH, OW, sH, sW, pH, pW, dH, dW, groups], as conv.cl reads it. */
    private DeviceBuffer meta(ConvGeometry g, Shape x, Shape w, Shape y) {
        return runner.meta(new int[] {x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(1), w.dim(2), w.dim(3),
                y.dim(2), y.dim(3), g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW(), g.groups()});
    }
}
