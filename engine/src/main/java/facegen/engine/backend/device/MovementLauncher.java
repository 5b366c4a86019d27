package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.List;

/**
 * Runs the copying movement primitives as the two kernels of {@code movement.cl}: {@link Op.Permute},
 * {@link Op.Expand}, {@link Op.Slice} and {@link Op.Flip} are one strided gather each; {@link Op.Pad} and
 * {@link Op.Concat} place their inputs as blocks of a zero-filled (pad) or fully covered (concat) output.
 */
final class MovementLauncher {
    private static final String SOURCE = "movement";

    private final KernelRunner runner;
    private final ElementwiseLauncher elementwise;

    MovementLauncher(KernelRunner runner, ElementwiseLauncher elementwise) {
        this.runner = runner;
        this.elementwise = elementwise;
    }

    /** y[i_0, ..] = x[j] with j_{perm[k]} = i_k: output axis k walks input axis perm[k]. */
    void permute(Op.Permute op, DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape out) {
        int[] xStrides = xShape.strides();
        int[] strides = new int[out.rank()];
        for (int k = 0; k < strides.length; k++) {
            strides[k] = xStrides[op.perm()[k]];
        }
        gather(x, 0, strides, y, out);
    }

    /** y = x repeated along its extent-1 and missing axes. */
    void expand(DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape out) {
        gather(x, 0, xShape.broadcastStridesTo(out), y, out);
    }

    /** y[i_0, ..] = x[start_0 + i_0 step_0, ..]. */
    void slice(Op.Slice op, DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape out) {
        int[] xStrides = xShape.strides();
        int[] strides = new int[xStrides.length];
        for (int k = 0; k < strides.length; k++) {
            strides[k] = xStrides[k] * op.step()[k];
        }
        gather(x, StridedView.offset(op.start(), xStrides), strides, y, out);
    }

    /** y[.., i_k, ..] = x[.., n_k - 1 - i_k, ..] on each flipped axis k. */
    void flip(Op.Flip op, DeviceBuffer x, Shape xShape, DeviceBuffer y) {
        int[] strides = xShape.strides();
        int base = 0;
        for (int axis : op.axes()) {
            int k = xShape.normalizeAxis(axis);
            base += (xShape.dim(k) - 1) * strides[k];
            strides[k] = -strides[k];
        }
        gather(x, base, strides, y, xShape);
    }

    /** y = x with {@code before[k]} zeros before and {@code after[k]} after axis k. */
    void pad(Op.Pad op, DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape out) {
        elementwise.fill(y, 0f, out.size());
        place(x, xShape, y, out.strides(), StridedView.offset(op.before(), out.strides()));
    }

    /** y = [x_0, x_1, ..] along {@code axis}: input t starts at the sum of the extents of inputs 0..t-1. */
    void concat(int axis, List<DeviceBuffer> xs, List<Shape> xShapes, DeviceBuffer y, Shape out) {
        int[] yStrides = out.strides();
        int start = 0;
        for (int t = 0; t < xs.size(); t++) {
            place(xs.get(t), xShapes.get(t), y, yStrides, start * yStrides[axis]);
            start += xShapes.get(t).dim(axis);
        }
    }

    /** y[i] = x[base + sum_k i_k strides[k]] over y's positions. */
    private void gather(DeviceBuffer x, int base, int[] strides, DeviceBuffer y, Shape out) {
        int n = out.size();
        runner.perElement(SOURCE, "gather_strided", n, y, x, runner.meta(StridedView.meta(out, strides)), base, n);
    }

    /** y[base + sum_k i_k yStrides[k]] = x[i] over x's positions. */
    private void place(DeviceBuffer x, Shape xShape, DeviceBuffer y, int[] yStrides, int base) {
        int n = xShape.size();
        runner.perElement(SOURCE, "place_strided", n, y, x, runner.meta(StridedView.meta(xShape, yStrides)), base, n);
    }
}
