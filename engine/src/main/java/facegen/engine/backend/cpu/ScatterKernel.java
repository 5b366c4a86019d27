package facegen.engine.backend.cpu;

import java.util.Arrays;

/**
 * The scatter-add of single values that index_add along the last axis ({@link MovementKernels}) and the weighted
 * gather's input gradient ({@link WeightedGatherKernels}) both are: y[a, index[e]] += w[e] src[a, e mod n] for every
 * row a, entries e in order, w = 1 for index_add.
 *
 * <p>Tasks own slabs of index values [lo, hi) across all rows, so each reads the index once for all rows (an RGB
 * texture gradient reads it once, not three times) and adds in double, in entry order, into its slab of a scratch
 * array, then rounds the slab into y. Every element's terms are added in entry order by one task, so any split
 * gives the same bits, and with w = 1 (an exact product) the bits of the plain sum.
 */
final class ScatterKernel {

    /** Fewest terms (rows x entries) of a scatter of unsorted entries split into slabs. */
    static final int SLAB_MIN_TERMS = 1 << 18;

    private final WorkerPool pool;
    /** The double accumulator, kept between calls: a fresh one costs more to allocate than the scatter. */
    private final DoubleScratch scratch = new DoubleScratch();

    ScatterKernel(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * y [rows, size] = zeros, then y[a, index[e]] += w[e] src[a, e mod n] for src [rows, n] and e over the index
     * (index.length a multiple of n).
     *
     * @param w      per-entry weights, or null for 1
     * @param sorted whether the index never decreases
     */
    void scatter(float[] src, int n, float[] index, float[] w, int rows, int size, float[] y, boolean sorted) {
        long work = (long) rows * index.length + y.length;
        int parallel = work >= 2L * MovementKernels.GRAIN ? pool.threads() : 1;
        // every slab task tests every entry; on random indices (vertex gathers) that branch mispredicts and costs
        // more than a second thread saves unless there are many terms; sorted indices (pixels) predict perfectly
        boolean split = sorted || (long) rows * index.length >= SLAB_MIN_TERMS;
        int slabs = split ? Math.clamp(2L * parallel, 1, Math.max(1, size)) : 1;
        double[] acc = scratch.take(y.length);
        try {
            pool.forEach(slabs, slabs > 1, t -> {
                int lo = (int) ((long) size * t / slabs);
                int hi = (int) ((long) size * (t + 1) / slabs);
                for (int a = 0; a < rows; a++) {
                    Arrays.fill(acc, a * size + lo, a * size + hi, 0.0);
                }
                scatterSlab(src, n, index, w, rows, size, lo, hi, acc);
                for (int a = 0; a < rows; a++) {
                    for (int i = a * size + lo; i < a * size + hi; i++) {
                        y[i] = (float) acc[i];
                    }
                }
            });
        } finally {
            scratch.give(acc);
        }
    }

    /**
     * acc[a, index[e]] += w[e] src[a, e mod n] over all rows a for the entries whose index lies in [lo, hi). A method
     * of its own so that C2 compiles this loop on its own (see ElementwiseKernels' apply).
     */
    private static void scatterSlab(float[] src, int n, float[] index, float[] w, int rows, int size, int lo, int hi,
                                    double[] acc) {
        for (int e0 = 0; e0 < index.length; e0 += n) {
            for (int i = 0; i < n; i++) {
                int at = (int) index[e0 + i];
                if (at >= lo && at < hi) {
                    double weight = w == null ? 1.0 : w[e0 + i];
                    for (int a = 0; a < rows; a++) {
                        acc[a * size + at] += weight * src[a * n + i];
                    }
                }
            }
        }
    }
}
