package facegen.engine.backend;

/**
 * Indexed read/write access to a block of elements, so one plain-loop kernel serves float32 and float64
 * storage alike. Kernels read and accumulate in double and round once on {@link #set}.
 */
public interface Elements {

    /** Number of elements. */
    int length();

    /** Element {@code i} as a double. */
    double get(int i);

    /** Stores {@code v} (rounded to the storage's element type) at {@code i}. */
    void set(int i, double v);
}
