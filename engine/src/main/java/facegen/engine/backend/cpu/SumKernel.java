package facegen.engine.backend.cpu;

import facegen.engine.tensor.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Sum} over a set of axes in float32 storage, accumulated in double.
 *
 * <p>Adjacent axes of the same kind (reduced or kept) are merged and extent-1 axes dropped, so every pattern
 * becomes a walk over contiguous runs of the innermost merged axis: when it is reduced (last axis, or H W of
 * NCHW when summing all but the channel) each run collapses to one value, summed with vector accumulators in
 * blocks of {@link #BLOCK} and widened to double per block (so float rounding never grows with the run);
 * when it is kept (sum over batch of [B, D]) each run is added into an output run. The runs are split across
 * at most {@link #MAX_TASKS} tasks, each with a private double accumulator the size of the output, merged in a
 * fixed order so the result depends neither on timing nor on the number of threads.
 */
final class SumKernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Elements summed in float before widening to double. */
    static final int BLOCK = 1024;
    /** Input elements per parallel task. */
    static final int GRAIN = 1 << 17;
    /**
     * Most tasks (private partial sums) of one sum. Fixed, not the thread count, so the grouping of the double
     * partial sums, and with it the rounded result, is the same on any number of threads.
     */
    static final int MAX_TASKS = 4;

    private final WorkerPool pool;

    SumKernel(WorkerPool pool) {
        this.pool = pool;
    }

    /** y = sum of x (shape in) over {@code axes} (sorted, distinct); y has out.numel() elements. */
    void sum(float[] x, Shape in, int[] axes, float[] y) {
        Layout l = Layout.of(in, axes);
        int runs = l.runs();
        int tasks = Math.max(1, Math.min(MAX_TASKS, (int) Math.min(runs, (long) x.length / GRAIN)));
        double[][] partial = new double[tasks][y.length];
        pool.forEach(tasks, tasks > 1, t -> {
            long from = (long) runs * t / tasks;
            long to = (long) runs * (t + 1) / tasks;
            float[] lanes = new float[F.length()];
            for (int r = (int) from; r < to; r++) {
                accumulateRun(x, l, r, partial[t], lanes);
            }
        });
        for (int i = 0; i < y.length; i++) {
            double s = 0;
            for (double[] p : partial) {
                s += p[i];
            }
            y[i] = (float) s;
        }
    }

    private static void accumulateRun(float[] x, Layout l, int run, double[] acc, float[] lanes) {
        int in = run * l.runLength;
        int out = l.outputOffset(run);
        if (l.innerReduced) {
            acc[out] += sumRun(x, in, l.runLength, lanes);
        } else {
            for (int j = 0; j < l.runLength; j++) {
                acc[out + j] += x[in + j];
            }
        }
    }

    /**
     * Sum of x[from ..< from+len], in float blocks of BLOCK widened to double. The lanes of a block are added in
     * lane order, not by {@code reduceLanes(ADD)}, whose order the Vector API leaves open (and which differs
     * between the interpreter and C2); {@code lanes} is scratch of one vector.
     */
    private static double sumRun(float[] x, int from, int len, float[] lanes) {
        double total = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int end = Math.min(len, b + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            for (int i = b; i < end; i += F.length()) {
                VectorMask<Float> m = F.indexInRange(i, end);
                acc = acc.add(FloatVector.fromArray(F, x, from + i, m));
            }
            acc.intoArray(lanes, 0);
            for (float lane : lanes) {
                total += lane;
            }
        }
        return total;
    }

    /**
     * The input as merged axes: {@code dims[i]} with {@code reduced[i]}, innermost last; runs are the
     * innermost merged axis, {@code runLength} long. {@code outStrides} locate outputs (0 on reduced axes).
     */
    private record Layout(int[] dims, int[] outStrides, int runLength, boolean innerReduced) {

        static Layout of(Shape in, int[] axes) {
            List<int[]> merged = new ArrayList<>(); // {extent, reduced}
            for (int i = 0; i < in.rank(); i++) {
                int d = in.dim(i);
                if (d == 1) {
                    continue;
                }
                int red = java.util.Arrays.binarySearch(axes, i) >= 0 ? 1 : 0;
                if (!merged.isEmpty() && merged.getLast()[1] == red) {
                    merged.getLast()[0] *= d;
                } else {
                    merged.add(new int[] {d, red});
                }
            }
            if (merged.isEmpty()) {
                merged.add(new int[] {in.size() == 0 ? 0 : 1, 0});
            }
            int q = merged.size();
            int[] dims = new int[q - 1];
            int[] outStrides = new int[q - 1];
            int[] inner = merged.getLast();
            int acc = inner[1] == 1 ? 1 : inner[0];
            for (int i = q - 2; i >= 0; i--) {
                dims[i] = merged.get(i)[0];
                boolean red = merged.get(i)[1] == 1;
                outStrides[i] = red ? 0 : acc;
                acc *= red ? 1 : dims[i];
            }
            return new Layout(dims, outStrides, inner[0], inner[1] == 1);
        }

        int runs() {
            int r = 1;
            for (int d : dims) {
                r *= d;
            }
            return runLength == 0 ? 0 : r;
        }

        int outputOffset(int run) {
            int off = 0;
            for (int i = dims.length - 1; i >= 0 && run > 0; i--) {
                off += (run % dims[i]) * outStrides[i];
                run /= dims[i];
            }
            return off;
        }
    }
}
