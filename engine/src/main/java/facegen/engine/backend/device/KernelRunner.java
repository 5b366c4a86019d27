package facegen.engine.backend.device;

/**
 * Launch geometry and scratch memory shared by the kernel families: every launch of a {@link DeviceBackend} goes
 * through here, so the tuning constants live in one place.
 *
 * <p>Kernels loop grid-stride along dimension 0, so a grid is capped at {@link #MAX_GROUPS} groups whatever the
 * problem size (dimensions 1 and 2 stay at one group).
 */
final class KernelRunner implements AutoCloseable {

    /** Work-items per group for one-item-per-element kernels. */
    static final int GROUP = 256;
    /** The most groups launched along dimension 0; items then loop over the rest. */
    static final int MAX_GROUPS = 65535;

    private final Device device;
    private final MetadataCache metadata;

    KernelRunner(Device device) {
        this.device = device;
        this.metadata = new MetadataCache(device);
    }

    Device device() {
        return device;
    }

    /** Launches {@code source/function} with one work-item per element of {@code n} (grid-stride); nothing when n = 0. */
    void perElement(String source, String function, int n, Object... args) {
        if (n > 0) {
            int groups = (int) Math.min(MAX_GROUPS, (n + (long) GROUP - 1) / GROUP);
            device.launch(device.kernel(source, function), new int[] {groups}, new int[] {GROUP}, args);
        }
    }

    /**
     * Launches {@code source/function} with one group of {@code groupSize} items per unit of work (grid-stride over
     * {@code units} groups); nothing when units = 0.
     */
    void perGroup(String source, String function, int units, int groupSize, Object... args) {
        if (units > 0) {
            device.launch(device.kernel(source, function), new int[] {Math.min(MAX_GROUPS, units)},
                    new int[] {groupSize}, args);
        }
    }

    /** The smallest power of two >= n, at most {@code cap} (a tree reduction's group size for n terms). */
    static int treeGroupSize(int n, int cap) {
        return n <= 1 ? 1 : Math.min(cap, Integer.highestOneBit(n - 1) << 1);
    }

    /** A cached device copy of {@code values} for a kernel's {@code meta} argument (not to be freed). */
    DeviceBuffer meta(int[] values) {
        return metadata.get(values);
    }

    /** A new device buffer holding {@code values}; the caller frees it after its last launch. */
    DeviceBuffer upload(int[] values, String what) {
        DeviceBuffer buffer = device.allocate(4L * Math.max(1, values.length), what);
        device.write(buffer, values);
        return buffer;
    }

    /** Bytes of cached metadata on the device. */
    long metadataBytes() {
        return metadata.bytes();
    }

    @Override
    public void close() {
        metadata.close();
    }
}
