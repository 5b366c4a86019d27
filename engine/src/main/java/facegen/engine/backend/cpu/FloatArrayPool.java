package facegen.engine.backend.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles large {@code float[]} blocks of one backend by exact length, as libtorch's caching allocator does.
 *
 * <p>A training step allocates the same tensor sizes over and over; a fresh Java array costs a zeroing pass
 * (4 MB arrays: as long as an elementwise op itself) and, being a G1 humongous object, pressure on the
 * collector. Arrays returned here are handed out again <em>dirty</em>: only kernels that overwrite every
 * element may take them. Small arrays (below {@link #MIN_LENGTH}) are cheap to allocate and are not pooled;
 * the pool holds at most {@link #MAX_POOLED_BYTES} and drops arrays beyond that to the garbage collector.
 */
final class FloatArrayPool {

    /**
     * Arrays shorter than this (16 KB) are left to the allocator. With a 256 KB limit the per-pixel tensors of a
     * render frame (30-60k floats) were not pooled and made much of its garbage.
     */
    static final int MIN_LENGTH = 1 << 12;
    /** Most bytes kept for reuse. */
    static final long MAX_POOLED_BYTES = 256L << 20;

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long pooledBytes;

    /** An array of exactly {@code n} elements with unspecified contents. */
    float[] take(int n) {
        if (n >= MIN_LENGTH) {
            synchronized (this) {
                ArrayDeque<float[]> q = free.get(n);
                float[] a = q == null ? null : q.pollLast();
                if (a != null) {
                    pooledBytes -= 4L * n;
                    return a;
                }
            }
        }
        return new float[n];
    }

    /** Hands {@code a} back for reuse; the caller must not touch it afterwards. */
    void give(float[] a) {
        if (a.length < MIN_LENGTH) {
            return;
        }
        synchronized (this) {
            if (pooledBytes + 4L * a.length <= MAX_POOLED_BYTES) {
                free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
                pooledBytes += 4L * a.length;
            }
        }
    }
}
