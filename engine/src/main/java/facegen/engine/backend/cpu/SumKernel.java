package facegen.engine.backend.cpu;

import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Sum} over a set of axes in float32 storage, accumulated in double.
 *
 * <p>Adjacent axes of the same kind (reduced or kept) are merged and extent-1 axes dropped, so every pattern
 * becomes a walk over contiguous runs of the innermost merged axis: when it is reduced (last axis, or H W of
 * NCHW when summing all but the channel) each run collapses to one value, summed with eight float accumulators in
 * blocks of {@link #BLOCK} and widened to double per block (so float rounding never grows with the run); the runs
 * are split across at most {@link #MAX_TASKS} tasks, each with a private double accumulator the size of the output,
 * merged in a fixed order so the result depends neither on timing nor on the number of threads. When the inner axis
 * is kept (sum over batch of [B, D]) the output is split instead: each task adds, in double and in run order, the
 * input runs that land on its block of columns.
 */
final class SumKernel {

    /** Float accumulators of one block (written out in {@link #sumRun}). */
    static final int LANES = 8;
    /** Elements summed in float before widening to double. */
    static final int BLOCK = 1024;
    /** Columns of one kept-inner task (16 KB of double accumulators, in L1). */
    static final int COLUMNS = 2048;
    /** Input elements per parallel task. */
    static final int GRAIN = 1 << 17;
    /**
     * Most tasks (private partial sums) of one sum. Fixed, not the thread count, so the grouping of the double
     * partial sums, and with it the rounded result, is the same on any number of threads.
     */
    static final int MAX_TASKS = 4;

    private final WorkerPool pool;
    private final DoubleScratch scratch = new DoubleScratch();

    SumKernel(WorkerPool pool) {
        this.pool = pool;
    }

    /** y = sum of x (shape in) over {@code axes} (sorted, distinct); y has out.numel() elements. */
    void sum(float[] x, Shape in, int[] axes, float[] y) {
        Layout l = Layout.of(in, axes);
        if (!l.innerReduced && l.runLength > 0) {
            sumKeptInner(x, l, y);
            return;
        }
        int runs = l.runs();
        int tasks = Math.max(1, Math.min(MAX_TASKS, (int) Math.min(runs, (long) x.length / GRAIN)));
        double[][] partial = new double[tasks][y.length];
        pool.forEach(tasks, tasks > 1, t -> {
            long from = (long) runs * t / tasks;
            long to = (long) runs * (t + 1) / tasks;
            for (int r = (int) from; r < to; r++) {
                partial[t][l.outputOffset(r)] += sumRun(x, r * l.runLength, l.runLength);
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

    /**
     * The kept-inner case (sum over leading or middle axes, as a broadcast's gradient): each output run is the sum
     * of the input runs that map to it, taken in run order. Tasks own column blocks of one output run (so no partial
     * sums, and the result does not depend on the thread count) and add the input runs' blocks into their block of
     * a double scratch array the size of the output, reused between calls like index_add's.
     */
    private void sumKeptInner(float[] x, Layout l, float[] y) {
        int length = l.runLength;
        int runs = l.runs();
        int outputs = y.length / length;
        // the input runs of each output run, in run order (a stable counting sort by output)
        int[] start = new int[outputs + 1];
        int[] target = new int[runs];
        for (int r = 0; r < runs; r++) {
            target[r] = l.outputOffset(r) / length;
            start[target[r] + 1]++;
        }
        for (int o = 0; o < outputs; o++) {
            start[o + 1] += start[o];
        }
        int[] order = new int[runs];
        int[] fill = java.util.Arrays.copyOf(start, outputs);
        for (int r = 0; r < runs; r++) {
            order[fill[target[r]]++] = r;
        }
        int blocks = MatMulKernel.ceilDiv(length, COLUMNS);
        double[] acc = scratch.take(y.length);
        try {
            pool.forEach(outputs * blocks, (long) x.length >= GRAIN / 4, t -> {
                int o = t / blocks;
                int c0 = (t % blocks) * COLUMNS;
                int c1 = Math.min(length, c0 + COLUMNS);
                int out = o * length;
                java.util.Arrays.fill(acc, out + c0, out + c1, 0.0);
                for (int i = start[o]; i < start[o + 1]; i++) {
                    int in = order[i] * length;
                    for (int j = c0; j < c1; j++) {
                        acc[out + j] += x[in + j];
                    }
                }
                for (int j = c0; j < c1; j++) {
                    y[out + j] = (float) acc[out + j];
                }
            });
        } finally {
            scratch.give(acc);
        }
    }

    /**
     * Sum of x[from ..< from+len], in float blocks of BLOCK widened to double. Each block is summed in {@link #LANES}
     * float accumulators (element i of the block into accumulator i mod LANES, independent chains the CPU overlaps),
     * which are then added to the double total in accumulator order: a fixed order of IEEE operations, so the same
     * bits interpreted or compiled, on any machine.
     */
    private static double sumRun(float[] x, int from, int len) {
        double total = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int start = from + b;
            int end = from + Math.min(len, b + BLOCK);
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            int i = start;
            for (; i + LANES <= end; i += LANES) {
                s0 += x[i];
                s1 += x[i + 1];
                s2 += x[i + 2];
                s3 += x[i + 3];
                s4 += x[i + 4];
                s5 += x[i + 5];
                s6 += x[i + 6];
                s7 += x[i + 7];
            }
            int rest = end - i;
            s0 += rest > 0 ? x[i] : 0;
            s1 += rest > 1 ? x[i + 1] : 0;
            s2 += rest > 2 ? x[i + 2] : 0;
            s3 += rest > 3 ? x[i + 3] : 0;
            s4 += rest > 4 ? x[i + 4] : 0;
            s5 += rest > 5 ? x[i + 5] : 0;
            s6 += rest > 6 ? x[i + 6] : 0;
            total += s0;
            total += s1;
            total += s2;
            total += s3;
            total += s4;
            total += s5;
            total += s6;
            total += s7;
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
