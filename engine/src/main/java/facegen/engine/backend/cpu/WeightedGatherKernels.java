package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

/**
 * {@link Op.WeightedGather} y[c, i] = sum_j w[j, i] x[c, index[j, i]] and its two adjoints over float32 arrays:
 * the input gradient (a weighted scatter, run by the {@link ScatterKernel} in double and entry order) and the
 * weight gradient y[j, i] = sum_c g[c, i] x[c, index[j, i]].
 *
 * <p>The gathers split the columns i into tasks of about {@link MovementKernels#GRAIN} terms; each output element
 * is one task's float sum in the order the definition gives (j for the gather, c for the weight gradient), so the
 * result does not depend on the number of threads.
 */
final class WeightedGatherKernels {

    private final WorkerPool pool;
    private final ScatterKernel scatter;

    WeightedGatherKernels(WorkerPool pool, ScatterKernel scatter) {
        this.pool = pool;
        this.scatter = scatter;
    }

    /** y [C, N] = x [C, K] gathered at index [J, N] with weights w [J, N]. */
    void gather(float[] x, Shape xShape, float[] index, Shape indexShape, float[] w, float[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int taps = indexShape.dim(0);
        int n = indexShape.dim(1);
        MovementKernels.checkIndices(index, k, "weighted_gather", "columns of x " + xShape);
        forColumns(n, channels * taps, (i0, i1) -> {
            for (int c = 0; c < channels; c++) {
                gatherRow(x, c * k, index, w, taps, n, i0, i1, y, c * n);
            }
        });
    }

    /** y[c, index[e]] += w[e] g[c, e mod N] from zero: g [C, N], y [C, size]. */
    void inputGrad(float[] g, float[] index, Shape indexShape, float[] w, Shape out, float[] y) {
        int size = out.dim(1);
        boolean sorted = MovementKernels.checkIndices(index, size, "weighted_gather_input_grad", "columns of result " + out);
        long work = (long) out.dim(0) * index.length + y.length;
        int parallel = work >= 2L * MovementKernels.GRAIN ? pool.threads() : 1;
        scatter.scatter(g, indexShape.dim(1), index, w, out.dim(0), size, y, parallel, sorted);
    }

    /** y [J, N] with y[j, i] = sum_c g[c, i] x[c, index[j, i]]: g [C, N], x [C, K]. */
    void weightGrad(float[] g, float[] x, Shape xShape, float[] index, Shape indexShape, float[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int taps = indexShape.dim(0);
        int n = indexShape.dim(1);
        MovementKernels.checkIndices(index, k, "weighted_gather_weight_grad", "columns of x " + xShape);
        forColumns(n, channels * taps, (i0, i1) -> {
            for (int j = 0; j < taps; j++) {
                dotRow(g, x, k, index, channels, n, j * n, i0, i1, y);
            }
        });
    }

    /** Columns [i0, i1) of one task. */
    private interface ColumnRange {
        void run(int i0, int i1);
    }

    /** Splits columns [0, n) into tasks of about GRAIN terms ({@code termsPerColumn} each). */
    private void forColumns(int n, int termsPerColumn, ColumnRange body) {
        int perTask = Math.max(1, MovementKernels.GRAIN / Math.max(1, termsPerColumn));
        int tasks = MatMulKernel.ceilDiv(n, perTask);
        pool.forEach(tasks, tasks > 1, t -> body.run(t * perTask, Math.min(n, (t + 1) * perTask)));
    }

    /** y[yOff + i] = sum_j w[j, i] x[xOff + index[j, i]] for i in [i0, i1), j ascending. */
    private static void gatherRow(float[] x, int xOff, float[] index, float[] w, int taps, int n, int i0, int i1,
                                  float[] y, int yOff) {
        for (int i = i0; i < i1; i++) {
            float sum = 0;
            for (int e = i; e < taps * n; e += n) {
                sum += w[e] * x[xOff + (int) index[e]];
            }
            y[yOff + i] = sum;
        }
    }

    /** y[e] = sum_c g[c, i] x[c, index[e]] for e = row + i, i in [i0, i1), c ascending. */
    private static void dotRow(float[] g, float[] x, int k, float[] index, int channels, int n, int row, int i0, int i1,
                               float[] y) {
        for (int i = i0; i < i1; i++) {
            int at = (int) index[row + i];
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += g[c * n + i] * x[c * k + at];
            }
            y[row + i] = sum;
        }
    }
}
