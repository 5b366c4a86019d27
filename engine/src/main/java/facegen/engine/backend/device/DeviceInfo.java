package facegen.engine.backend.device;

/**
 * What {@code facegen devices} prints about one device.
 *
 * @param backend      the {@code --backend} name that selects it ({@code opencl}, {@code cuda})
 * @param name         the driver's device name
 * @param memoryBytes  global memory
 * @param computeUnits compute units (OpenCL) or streaming multiprocessors (CUDA)
 * @param detail       driver and platform versions, compiler used for kernels
 */
public record DeviceInfo(String backend, String name, long memoryBytes, int computeUnits, String detail) {}
