/**
 * The OpenCL driver: {@link facegen.engine.backend.opencl.OpenClDevice} implements
 * {@link facegen.engine.backend.device.Device} over hand-written FFM downcalls into the system ICD loader
 * {@code libOpenCL.so.1} (no JNI, no generated bindings), so {@code --backend opencl} is
 * {@link facegen.engine.backend.device.DeviceBackend} on the device it picks. PoCL runs it on any CPU.
 */
package facegen.engine.backend.opencl;
