/**
 * GPU backends: {@link facegen.engine.backend.device.Device} is the small driver interface (memory, kernels,
 * launches) that OpenCL and CUDA implement; {@link facegen.engine.backend.device.DeviceBackend} runs every primitive
 * as kernels written once in {@code resources/facegen/engine/kernels/*.cl}.
 */
package facegen.engine.backend.device;
