package facegen.engine.backend.device;

import facegen.engine.backend.Storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A block of float32 elements of a {@link DeviceBackend}, held in one {@link DeviceBuffer}.
 *
 * <p>The backend's byte counter goes up by 4 per element on creation and down on {@link #free()}, which returns
 * the buffer to the device at once: memory is released when the last tensor lets go, never by a garbage collector.
 */
final class DeviceStorage extends Storage {
    private final AtomicLong liveBytes;
    private DeviceBuffer buffer;

    /** Wraps {@code buffer} (at least {@code 4 length} bytes) and counts {@code 4 length} bytes in {@code liveBytes}. */
    DeviceStorage(DeviceBackend backend, DeviceBuffer buffer, long length, AtomicLong liveBytes) {
        super(backend, length);
        this.buffer = buffer;
        this.liveBytes = liveBytes;
        liveBytes.addAndGet(4 * length);
    }

    /** The device buffer; fails naming the block when it was freed. */
    DeviceBuffer buffer() {
        checkLive();
        return buffer;
    }

    @Override
    protected void free() {
        liveBytes.addAndGet(-4 * length());
        buffer.free();
        buffer = null;
    }
}
