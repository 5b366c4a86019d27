package facegen.engine.backend.cpu;

import facegen.engine.backend.Storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A block of float32 elements of the {@link CpuBackend}, backed by one Java {@code float[]}.
 *
 * <p>The owning backend's byte counter goes up on creation and down on {@link #free()}, which also drops the
 * array (handing it to the backend's {@link FloatArrayPool}) so a stale tensor can never reach it again.
 */
final class CpuStorage extends Storage {
    private final AtomicLong liveBytes;
    private final FloatArrayPool pool;
    private float[] data;

    /** Wraps {@code data} (not copied), counts its bytes in {@code liveBytes} and returns it to {@code pool} when freed. */
    CpuStorage(CpuBackend backend, float[] data, AtomicLong liveBytes, FloatArrayPool pool) {
        super(backend, data.length);
        this.data = data;
        this.liveBytes = liveBytes;
        this.pool = pool;
        liveBytes.addAndGet(4L * data.length);
    }

    /** The elements; fails naming the block when it was freed. */
    float[] data() {
        checkLive();
        return data;
    }

    @Override
    protected void free() {
        liveBytes.addAndGet(-4L * data.length);
        pool.give(data);
        data = null;
    }
}
