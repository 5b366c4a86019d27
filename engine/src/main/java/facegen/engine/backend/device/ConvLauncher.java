package facegen.engine.backend.device;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Shape;

/**
 * Runs {@link facegen.engine.ops.Op.Conv2d} and its two adjoints as the direct (implicit) kernels of
 * {@code conv.cl}: forward and input-gradient one work-item per output element, weight-gradient one work-group
 * per weight with a tree over the N H' W' positions. Shapes: x [N, C, H, W], w [O, C/groups, kH, kW], y [N, O, H', W'].
 */
final class ConvLauncher {
    private static final String SOURCE = "conv";
    /** Group size cap of conv2d_weight_grad (its shared array WEIGHT_GROUP). */
    static final int WEIGHT_GROUP = 256;

    private final KernelRunner runner;

    ConvLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = conv2d(x, w). */
    void conv2d(ConvGeometry g, DeviceBuffer x, Shape xShape, DeviceBuffer w, Shape wShape, DeviceBuffer y, Shape yShape) {
        int n = yShape.size();
        runner.perElement(SOURCE, "conv2d", n, y, x, w, meta(g, xShape, wShape, yShape), n);
    }

    /** dx = conv2dInputGrad(dy, w). */
    void inputGrad(ConvGeometry g, DeviceBuffer dy, Shape dyShape, DeviceBuffer w, Shape wShape, DeviceBuffer dx, Shape dxShape) {
        int n = dxShape.size();
        runner.perElement(SOURCE, "conv2d_input_grad", n, dx, dy, w, meta(g, dxShape, wShape, dyShape), n);
    }

    /** dw = conv2dWeightGrad(x, dy). */
    void weightGrad(ConvGeometry g, DeviceBuffer x, Shape xShape, DeviceBuffer dy, Shape dyShape, DeviceBuffer dw, Shape dwShape) {
        int n = dwShape.size();
        int positions = dyShape.dim(0) * dyShape.dim(2) * dyShape.dim(3);
        runner.perGroup(SOURCE, "conv2d_weight_grad", n, KernelRunner.treeGroupSize(positions, WEIGHT_GROUP),
                dw, x, dy, meta(g, xShape, dwShape, dyShape), n);
    }

    /** [N, C, H, W, O, Cg, kH, kW, OH, OW, sH, sW, pH, pW, dH, dW, groups], as conv.cl reads it. */
    private DeviceBuffer meta(ConvGeometry g, Shape x, Shape w, Shape y) {
        return runner.meta(new int[] {x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(1), w.dim(2), w.dim(3),
                y.dim(2), y.dim(3), g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW(), g.groups()});
    }
}
