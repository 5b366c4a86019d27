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
    private final IndexCheck indexCheck;

    WeightedGatherKernels(WorkerPool pool, ScatterKernel scatter, IndexCheck indexCheck) {
        this.pool = pool;
        this.scatter = scatter;
        this.indexCheck = indexCheck;
    }

    /** y [C, N] = x [C, K] gathered at index [J, N] with weights w [J, N]. */
    void gather(float[] x, Shape xShape, float[] index, Shape indexShape, float[] w, float[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int taps = indexShape.dim(0);
        int n = indexShape.dim(1);
        indexCheck.check(index, k, "weighted_gather", "columns of x " + xShape);
        forColumns(n, channels * taps, (i0, i1) -> gatherColumns(x, k, index, w, channels, taps, n, i0, i1, y));
    }

    /** y[c, index[e]] += w[e] g[c, e mod N] from zero: g [C, N], y [C, size]. */
    void inputGrad(float[] g, float[] index, Shape indexShape, float[] w, Shape out, float[] y) {
        int size = out.dim(1);
        boolean sorted = indexCheck.check(index, size, "weighted_gather_input_grad", "columns of result " + out);
        scatter.scatter(g, indexShape.dim(1), index, w, out.dim(0), size, y, sorted);
    }

    /** y [J, N] with y[j, i] = sum_c g[c, i] x[c, index[j, i]]: g [C, N], x [C, K]. */
    void weightGrad(float[] g, float[] x, Shape xShape, float[] index, Shape indexShape, float[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int taps = indexShape.dim(0);
        int n = indexShape.dim(1);
        indexCheck.check(index, k, "weighted_gather_weight_grad", "columns of x " + xShape);
        forColumns(n, channels * taps, (i0, i1) -> {
            if (channels <= 4) {
                dotColumns(g, x, k, index, channels, taps, n, i0, i1, y);
                return;
            }
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

    /**
     * y[c, i] = sum_j w[j, i] x[c, index[j, i]] for i in [i0, i1), j ascending from 0 (as the reference sums). Up to
     * four channels at a time share each tap's index and weight, their sums held in locals (C is 2 to 4 in the
     * renderer: UV plus denominator, RGB).
     */
    private static void gatherColumns(float[] x, int k, float[] index, float[] w, int channels, int taps, int n,
                                      int i0, int i1, float[] y) {
        int end = taps * n;
        for (int c0 = 0; c0 < channels; c0 += 4) {
            int group = Math.min(4, channels - c0);
            int x0 = c0 * k;
            int x1 = x0 + (group > 1 ? k : 0);
            int x2 = x0 + (group > 2 ? 2 * k : 0);
            int x3 = x0 + (group > 3 ? 3 * k : 0);
            for (int i = i0; i < i1; i++) {
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                for (int e = i; e < end; e += n) {
                    int at = (int) index[e];
                    float weight = w[e];
                    s0 += weight * x[x0 + at];
                    s1 += weight * x[x1 + at];                             // a channel outside the group reads
                    s2 += weight * x[x2 + at];                             // channel c0 again (x1 = x0) and is
                    s3 += weight * x[x3 + at];                             // not stored
                }
                y[c0 * n + i] = s0;
                if (group > 1) {
                    y[(c0 + 1) * n + i] = s1;
                }
                if (group > 2) {
                    y[(c0 + 2) * n + i] = s2;
                }
                if (group > 3) {
                    y[(c0 + 3) * n + i] = s3;
                }
            }
        }
    }

    /**
     * y[e] = sum_c g[c, i] x[c, index[e]] for every tap e of the columns i in [i0, i1), c ascending from 0, for at
     * most four channels: g's column is loaded once for all taps.
     */
    private static void dotColumns(float[] g, float[] x, int k, float[] index, int channels, int taps, int n, int i0,
                                   int i1, float[] y) {
        int x1 = k;
        int x2 = 2 * k;
        int x3 = 3 * k;
        for (int i = i0; i < i1; i++) {
            float g0 = g[i];
            float g1 = channels > 1 ? g[n + i] : 0;
            float g2 = channels > 2 ? g[2 * n + i] : 0;
            float g3 = channels > 3 ? g[3 * n + i] : 0;
            for (int e = i; e < taps * n; e += n) {
                int at = (int) index[e];
                float sum = 0;
                sum += g0 * x[at];
                if (channels > 1) {
                    sum += g1 * x[x1 + at];
                }
                if (channels > 2) {
                    sum += g2 * x[x2 + at];
                }
                if (channels > 3) {
                    sum += g3 * x[x3 + at];
                }
                y[e] = sum;
            }
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
