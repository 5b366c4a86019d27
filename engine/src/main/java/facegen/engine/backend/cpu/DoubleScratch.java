package facegen.engine.backend.cpu;

/**
 * One reusable double array for kernels that accumulate in double: {@link #take} hands it out (grown as needed) or,
 * while it is out (a second thread calling the same backend), a fresh one; {@link #give} returns it. Arrays above
 * {@link #MAX_KEPT} elements are not kept, so a one-off huge call does not pin its memory. Contents are not cleared.
 */
final class DoubleScratch {
    /** Largest array kept between calls (32 MiB). */
    static final int MAX_KEPT = 1 << 22;

    private double[] kept = new double[0];
    private boolean out;

    /** An array of at least {@code n} elements with arbitrary contents. */
    synchronized double[] take(int n) {
        if (out) {
            return new double[n];
        }
        if (kept.length < n) {
            kept = new double[n];
        }
        out = true;
        return kept;
    }

    /** Returns an array from {@link #take}. */
    synchronized void give(double[] array) {
        if (array == kept) {
            out = false;
            if (kept.length > MAX_KEPT) {
                kept = new double[0];
            }
        }
    }
}
