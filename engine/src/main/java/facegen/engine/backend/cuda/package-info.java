/**
 * The CUDA driver behind {@link facegen.engine.backend.device.Device}: hand-written FFM bindings to
 * {@code libcuda.so.1} ({@link facegen.engine.backend.cuda.CudaDevice}) and to NVRTC, which compiles the shared
 * {@code kernels/*.cl} sources to PTX at run time; without NVRTC the PTX that {@code nvcc} built into the jar is used.
 */
package facegen.engine.backend.cuda;
