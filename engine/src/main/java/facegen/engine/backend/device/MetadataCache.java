package facegen.engine.backend.device;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small int buffers on the device holding kernel metadata (shapes, strides, conv geometry), uploaded once per
 * distinct content and reused: training repeats the same shapes every step, and an upload is a blocking copy that
 * would otherwise stall the queue before every strided launch.
 *
 * <p>At most {@link #CAPACITY} buffers stay cached (least recently used evicted and freed). They are not tensor
 * storage, so {@link DeviceBackend#liveBytes()} does not count them; {@link #bytes()} does.
 */
final class MetadataCache implements AutoCloseable {

    /** Distinct metadata arrays kept on the device (a few KiB each at most). */
    static final int CAPACITY = 4096;

    /** An int[] compared by content, as a map key. */
    private record Key(int[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    private final Device device;
    private final Map<Key, DeviceBuffer> buffers = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    MetadataCache(Device device) {
        this.device = device;
    }

    /** A device buffer holding {@code values}; the caller must not free it. */
    synchronized DeviceBuffer get(int[] values) {
        Key key = new Key(values.clone());
        DeviceBuffer buffer = buffers.get(key);
        if (buffer == null) {
            if (buffers.size() >= CAPACITY) {
                evictEldest();
            }
            buffer = device.allocate(4L * Math.max(1, values.length), "kernel metadata " + Arrays.toString(values));
            device.write(buffer, values);
            buffers.put(key, buffer);
            bytes += buffer.bytes();
        }
        return buffer;
    }

    private void evictEldest() {
        var eldest = buffers.entrySet().iterator();
        DeviceBuffer buffer = eldest.next().getValue();
        eldest.remove();
        bytes -= buffer.bytes();
        buffer.free();
    }

    /** Bytes of metadata held on the device. */
    synchronized long bytes() {
        return bytes;
    }

    /** Frees every cached buffer. */
    @Override
    public synchronized void close() {
        for (DeviceBuffer b : buffers.values()) {
            b.free();
        }
        buffers.clear();
        bytes = 0;
    }
}
