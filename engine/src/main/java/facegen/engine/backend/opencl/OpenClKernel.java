package facegen.engine.backend.opencl;

import facegen.engine.backend.device.Kernel;

import java.lang.foreign.MemorySegment;

/**
 * A {@code cl_kernel} of an {@link OpenClDevice}, named {@code source/function}.
 *
 * @param name   {@code source/function}
 * @param handle the {@code cl_kernel}
 * @param device the device that compiled it
 */
record OpenClKernel(String name, MemorySegment handle, OpenClDevice device) implements Kernel {}
