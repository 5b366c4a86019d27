package facegen.engine.backend.device;

import facegen.engine.tensor.Shape;

/**
 * Runs {@link facegen.engine.ops.Op.GridSample} and its two gradients as the kernels of {@code grid_sample.cl}.
 * x [N, C, H, W], grid [N, Ho, Wo, 2], y [N, C, Ho, Wo].
 *
 * <p>The input gradient is a scatter of four weighted corners per sample; it runs deterministically in three steps:
 * {@code grid_sample_taps} writes each corner's target pixel and weight, the host inverts the targets
 * ({@link InverseIndex}), and {@code grid_sample_input_grad} gathers per pixel. Cost per call: a blocking read of
 * 4 N Ho Wo ints, an O(N Ho Wo + N H W) counting sort, and an upload of about as many ints; the taps and the
 * inverse are shared by all C channels.
 */
final class GridSampleLauncher {
    private static final String SOURCE = "grid_sample";

    private final KernelRunner runner;

    GridSampleLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = grid_sample(x, grid). */
    void sample(DeviceBuffer x, Shape xShape, DeviceBuffer grid, DeviceBuffer y, Shape yShape) {
        int n = yShape.size();
        runner.perElement(SOURCE, "grid_sample", n, y, x, grid, xShape.dim(1), xShape.dim(2), xShape.dim(3),
                yShape.dim(2), yShape.dim(3), n);
    }

    /** dgrid = gridSampleGridGrad(x, grid, dy). */
    void gridGrad(DeviceBuffer x, Shape xShape, DeviceBuffer grid, Shape gridShape, DeviceBuffer dy, DeviceBuffer dgrid) {
        int samples = gridShape.size() / 2;
        runner.perElement(SOURCE, "grid_sample_grid_grad", samples, dgrid, x, grid, dy, xShape.dim(1), xShape.dim(2),
                xShape.dim(3), gridShape.dim(1), gridShape.dim(2), samples);
    }

    /** dx = gridSampleInputGrad(dy, grid); dx is [N, C, H, W] (already allocated, fully written). */
    void inputGrad(DeviceBuffer dy, DeviceBuffer grid, Shape gridShape, DeviceBuffer dx, Shape dxShape) {
        int h = dxShape.dim(2);
        int w = dxShape.dim(3);
        int outH = gridShape.dim(1);
        int outW = gridShape.dim(2);
        int corners = 4 * (gridShape.size() / 2);
        int pixels = dxShape.dim(0) * h * w;
        int[] target = new int[corners];
        Device device = runner.device();
        DeviceBuffer targetBuffer = device.allocate(4L * Math.max(1, corners), "grid_sample_input_grad corner targets");
        DeviceBuffer weight = device.allocate(4L * Math.max(1, corners), "grid_sample_input_grad corner weights");
        DeviceBuffer start = null;
        DeviceBuffer sources = null;
        try {
            runner.perElement(SOURCE, "grid_sample_taps", corners, targetBuffer, weight, grid, h, w, outH, outW, corners);
            device.read(targetBuffer, target);
            InverseIndex inverse = InverseIndex.of(target, pixels);
            start = runner.upload(inverse.start(), "grid_sample_input_grad pixel starts");
            sources = runner.upload(inverse.sources(), "grid_sample_input_grad corners by pixel");
            int n = dxShape.size();
            runner.perElement(SOURCE, "grid_sample_input_grad", n, dx, dy, start, sources, weight, dxShape.dim(1), h, w,
                    outH, outW, n);
        } finally {
            targetBuffer.free();
            weight.free();
            if (start != null) {
                start.free();
            }
            if (sources != null) {
                sources.free();
            }
        }
    }
}
