package facegen.engine.backend.device;

/**
 * One accelerator behind a driver API (OpenCL, CUDA): memory, kernels compiled from the shared kernel sources,
 * and launches on one in-order queue. {@link DeviceBackend} maps every primitive onto this small interface, so a
 * new driver (TornadoVM, Vulkan, Metal) implements only these methods.
 *
 * <p>Kernels come from {@code resources/facegen/engine/kernels/<source>.cl}: a C subset that compiles as OpenCL C
 * and as CUDA C once {@code prelude.h} is in front of it (see that file). Launch geometry is CUDA-style: a grid
 * of work-groups, each of {@code groupSize} work-items (OpenCL's global size is their product).
 *
 * <p>Errors: every driver failure throws {@link DeviceException} naming the driver call, the error code's name
 * and the kernel or buffer involved; running out of device memory throws {@link DeviceOutOfMemoryException}.
 */
public interface Device extends AutoCloseable {

    /** What the user sees in {@code facegen devices} and error messages. */
    DeviceInfo info();

    /**
     * A new buffer of {@code bytes} bytes; contents undefined.
     *
     * @param what names the buffer in errors (e.g. {@code "output of conv2d [8, 512, 8, 8]"})
     * @throws DeviceOutOfMemoryException when the device cannot hold it
     */
    DeviceBuffer allocate(long bytes, String what);

    /** Copies {@code src} into the start of {@code dst} (blocking). */
    void write(DeviceBuffer dst, float[] src);

    /** Copies {@code src} into the start of {@code dst} (blocking); for index and shape metadata. */
    void write(DeviceBuffer dst, int[] src);

    /** Copies the first {@code dst.length} floats of {@code src} to the host, after all queued work (blocking). */
    void read(DeviceBuffer src, float[] dst);

    /** Copies the first {@code dst.length} ints of {@code src} to the host, after all queued work (blocking). */
    void read(DeviceBuffer src, int[] dst);

    /**
     * The kernel {@code function} of kernel source {@code source} (e.g. {@code ("matmul", "matmul_tiled")}),
     * compiled on first use and cached for the life of the device. A compile failure throws
     * {@link DeviceException} carrying the compiler's log.
     */
    Kernel kernel(String source, String function);

    /**
     * Queues one launch of {@code grid[i]} work-groups of {@code groupSize[i]} work-items along each of 1-3
     * dimensions. Arguments are {@link DeviceBuffer}, {@link Integer} or {@link Float}, in the kernel's order;
     * anything else is an {@link IllegalArgumentException} naming the kernel and the argument index.
     */
    void launch(Kernel kernel, int[] grid, int[] groupSize, Object... args);

    /** Waits for all queued work; a failure in earlier launches surfaces here naming the last kernel launched. */
    void synchronize();

    /** Frees every resource of the device (buffers still alive are freed too). */
    @Override
    void close();
}
