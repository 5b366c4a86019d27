package facegen.engine.backend.cpu;

import facegen.engine.backend.reference.ReferenceKernels;

/**
 * Validates index tensors (integers held in floats) before a gather or scatter reads through them: every value an
 * integer in [0, bound). Chunks are checked in parallel with loops free of branches and of loop-carried state;
 * on a bad value the reference check runs, to throw its message (naming the first bad position). A sequential
 * check with an early exit was the hottest method of the render benchmark (16% of its samples).
 */
final class IndexCheck {

    /** Values per parallel chunk. */
    static final int CHUNK = 1 << 15;

    private final WorkerPool pool;

    IndexCheck(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * Checks {@code index}; returns whether its values never decrease (pixel lists do), which lets a scatter split
     * its targets into slabs cheaply.
     *
     * @throws IllegalArgumentException naming {@code op}, {@code where} and the first bad value
     */
    boolean check(float[] index, int bound, String op, String where) {
        int n = index.length;
        int chunks = MatMulKernel.ceilDiv(n, CHUNK);
        boolean[] valid = new boolean[chunks];
        boolean[] sorted = new boolean[chunks];
        pool.forEach(chunks, chunks > 1, c -> {
            int from = c * CHUNK;
            int to = Math.min(n, from + CHUNK);
            valid[c] = valid(index, bound, from, to);
            sorted[c] = sorted(index, Math.max(1, from), to);           // across the boundary with chunk c - 1 too
        });
        boolean all = true;
        for (int c = 0; c < chunks; c++) {
            if (!valid[c]) {
                ReferenceKernels.indices(new FloatElements(index), bound, op, where);
            }
            all &= sorted[c];
        }
        return all;
    }

    /** Whether index[from, to) are integers in [0, bound); NaN fails the equality. */
    private static boolean valid(float[] index, int bound, int from, int to) {
        boolean ok = true;
        for (int i = from; i < to; i++) {
            float f = index[i];
            int v = (int) f;
            ok &= (v == f) & (v >= 0) & (v < bound);
        }
        return ok;
    }

    /** Whether index[i] >= index[i - 1] for i in [from, to). */
    private static boolean sorted(float[] index, int from, int to) {
        boolean ok = true;
        for (int i = from; i < to; i++) {
            ok &= index[i] >= index[i - 1];
        }
        return ok;
    }
}
