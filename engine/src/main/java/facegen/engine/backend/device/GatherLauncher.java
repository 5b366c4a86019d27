package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs {@link Op.IndexSelect} and {@link Op.IndexAdd} as the kernels of {@code gather.cl}, viewing tensors as
 * [outer, extent, inner] around the indexed axis, and {@link Op.WeightedGather} with its two adjoints.
 *
 * <p>The index vector (floats holding integers) is read to the host, checked exactly as the reference backend
 * checks it (same messages), and uploaded as ints; index_add also inverts it ({@link InverseIndex}) so that each
 * output element sums its sources in a fixed order. Cost per call: one blocking read of k floats and uploads of
 * k (select) or k + size + 1 (add) ints; index vectors are short next to the tensors they index. The weighted
 * ops do the same with their [J, N] index (the input gradient inverts it like index_add).
 */
final class GatherLauncher {
    private static final String SOURCE = "gather";

    private final KernelRunner runner;

    GatherLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y[a, j, b] = x[a, index[j], b]. */
    void indexSelect(int axis, DeviceBuffer x, Shape xShape, DeviceBuffer index, int k, DeviceBuffer y, Shape out) {
        int extent = xShape.dim(axis);
        int[] rows = indices(index, k, extent, "index_select", "axis " + axis + " of x " + xShape);
        int n = out.size();
        launchThrough("index_select", n, rows, "index_select rows",
                rowBuffer -> new Object[] {y, x, rowBuffer, extent, k, inner(xShape, axis), n});
    }

    /** y = zeros with dim(axis) = size, then y[a, index[i], b] += src[a, i, b], summed per target in ascending i. */
    void indexAdd(int axis, DeviceBuffer src, Shape srcShape, DeviceBuffer index, DeviceBuffer y, Shape out) {
        int size = out.dim(axis);
        int k = srcShape.dim(axis);
        int[] rows = indices(index, k, size, "index_add", "axis " + axis + " of result " + out);
        int n = out.size();
        launchThroughInverse("index_add_csr", n, rows, size, "index_add",
                (start, sources) -> new Object[] {y, src, start, sources, k, size, inner(out, axis), n});
    }

    /** y [C, N] = sum_j w[j, i] x[c, index[j, i]] for x [C, K], index and w [J, N]. */
    void weightedGather(DeviceBuffer x, Shape xShape, DeviceBuffer index, Shape indexShape, DeviceBuffer w, DeviceBuffer y,
                        Shape out) {
        int k = xShape.dim(1);
        int[] at = indices(index, indexShape.size(), k, "weighted_gather", "columns of x " + xShape);
        int n = out.size();
        launchThrough("weighted_gather", n, at, "weighted_gather index",
                atBuffer -> new Object[] {y, x, atBuffer, w, k, indexShape.dim(0), indexShape.dim(1), n});
    }

    /** y [C, size] = zeros, then y[c, index[e]] += w[e] g[c, e mod N], summed per target in ascending e. */
    void weightedGatherInputGrad(DeviceBuffer g, DeviceBuffer index, Shape indexShape, DeviceBuffer w, DeviceBuffer y,
                                 Shape out) {
        int size = out.dim(1);
        int[] at = indices(index, indexShape.size(), size, "weighted_gather_input_grad", "columns of result " + out);
        int n = out.size();
        launchThroughInverse("weighted_scatter_csr", n, at, size, "weighted_gather_input_grad",
                (start, sources) -> new Object[] {y, g, start, sources, w, indexShape.dim(1), size, n});
    }

    /** y [J, N] = sum_c g[c, i] x[c, index[j, i]] for g [C, N], x [C, K]. */
    void weightedGatherWeightGrad(DeviceBuffer g, DeviceBuffer x, Shape xShape, DeviceBuffer index, Shape indexShape,
                                  DeviceBuffer y) {
        int k = xShape.dim(1);
        int[] at = indices(index, indexShape.size(), k, "weighted_gather_weight_grad", "columns of x " + xShape);
        int n = indexShape.size();
        launchThrough("weighted_gather_weight_grad", n, at, "weighted_gather_weight_grad index",
                atBuffer -> new Object[] {y, g, x, atBuffer, xShape.dim(0), k, indexShape.dim(1), n});
    }

    /** Uploads {@code ints}, launches {@code function} over n elements with the arguments built around it, frees it. */
    private void launchThrough(String function, int n, int[] ints, String what, Function<DeviceBuffer, Object[]> args) {
        if (n == 0) {
            return;
        }
        DeviceBuffer buffer = runner.upload(ints, what);
        try {
            runner.perElement(SOURCE, function, n, args.apply(buffer));
        } finally {
            buffer.free();
        }
    }

    /**
     * Uploads the CSR inverse of {@code targets} (values in [0, size)), launches {@code function} over n elements
     * with the arguments built around its row starts and sources, frees both.
     */
    private void launchThroughInverse(String function, int n, int[] targets, int size, String what,
                                      BiFunction<DeviceBuffer, DeviceBuffer, Object[]> args) {
        if (n == 0) {
            return;
        }
        InverseIndex inverse = InverseIndex.of(targets, size);
        DeviceBuffer start = runner.upload(inverse.start(), what + " row starts");
        DeviceBuffer sources = runner.upload(inverse.sources(), what + " sources");
        try {
            runner.perElement(SOURCE, function, n, args.apply(start, sources));
        } finally {
            start.free();
            sources.free();
        }
    }

    private static int inner(Shape shape, int axis) {
        int product = 1;
        for (int a = axis + 1; a < shape.rank(); a++) {
            product *= shape.dim(a);
        }
        return product;
    }

    /** The k index values as ints, failing on the first that is not an exact integer in [0, bound), as the reference. */
    private int[] indices(DeviceBuffer index, int k, int bound, String op, String where) {
        float[] values = new float[k];
        runner.device().read(index, values);
        int[] rows = new int[k];
        for (int i = 0; i < k; i++) {
            double v = values[i];
            // Negated so that NaN, which fails every comparison, is rejected too.
            if (!(v == Math.rint(v) && v >= 0 && v < bound)) {
                throw new IllegalArgumentException(op + ": index[" + i + "] = " + v + " is not an integer in [0, "
                        + bound + ") (" + where + ")");
            }
            rows[i] = (int) v;
        }
        return rows;
    }
}
