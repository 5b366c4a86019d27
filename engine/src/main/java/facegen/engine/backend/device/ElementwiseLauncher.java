package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

/**
 * Runs {@link Op.Unary}, {@link Op.Binary}, {@link Op.Where} and fills as the kernels of {@code elementwise.cl}.
 * Binary ops whose inputs already have the output's shape take the index-free fast path; any broadcast reads
 * through {@link StridedView} strides.
 */
final class ElementwiseLauncher {
    private static final String SOURCE = "elementwise";

    private final KernelRunner runner;

    ElementwiseLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = f(x). */
    void unary(Op.Unary op, DeviceBuffer x, DeviceBuffer y, int n) {
        runner.perElement(SOURCE, "unary", n, y, x, code(op), n);
    }

    /** y = f(a, b), a and b broadcast to {@code out}. */
    void binary(Op.Binary op, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape, DeviceBuffer y, Shape out) {
        int n = out.size();
        if (aShape.equals(out) && bShape.equals(out)) {
            runner.perElement(SOURCE, "binary", n, y, a, b, code(op), n);
        } else {
            DeviceBuffer meta = runner.meta(StridedView.meta(out, aShape.broadcastStridesTo(out),
                    bShape.broadcastStridesTo(out)));
            runner.perElement(SOURCE, "binary_broadcast", n, y, a, b, meta, code(op), n);
        }
    }

    /** y = cond != 0 ? a : b, all three broadcast to {@code out}. */
    void where(DeviceBuffer cond, Shape condShape, DeviceBuffer a, Shape aShape, DeviceBuffer b, Shape bShape,
               DeviceBuffer y, Shape out) {
        DeviceBuffer meta = runner.meta(StridedView.meta(out, condShape.broadcastStridesTo(out),
                aShape.broadcastStridesTo(out), bShape.broadcastStridesTo(out)));
        int n = out.size();
        runner.perElement(SOURCE, "where_broadcast", n, y, cond, a, b, meta, n);
    }

    /** y[i] = value for i < n. */
    void fill(DeviceBuffer y, float value, int n) {
        runner.perElement(SOURCE, "fill", n, y, value, n);
    }

    /** The op codes listed at the top of elementwise.cl. */
    private static int code(Op.Unary op) {
        return switch (op) {
            case Op.Neg _ -> 0;
            case Op.Exp _ -> 1;
            case Op.Log _ -> 2;
            case Op.Sqrt _ -> 3;
            case Op.Sin _ -> 4;
            case Op.Cos _ -> 5;
        };
    }

    private static int code(Op.Binary op) {
        return switch (op) {
            case Op.Add _ -> 0;
            case Op.Sub _ -> 1;
            case Op.Mul _ -> 2;
            case Op.Div _ -> 3;
            case Op.Pow _ -> 4;
            case Op.Maximum _ -> 5;
            case Op.Minimum _ -> 6;
            case Op.Less _ -> 7;
            case Op.Equal _ -> 8;
        };
    }
}
