package facegen.engine.backend.opencl;

import facegen.engine.backend.device.DeviceBuffer;

import java.lang.foreign.MemorySegment;

/** A {@code cl_mem} of an {@link OpenClDevice}; freed once, after which any use names {@link #what()}. */
final class OpenClBuffer implements DeviceBuffer {
    private final OpenClDevice device;
    private final long bytes;
    private final String what;
    private MemorySegment mem;
    private boolean freedWithDevice;

    OpenClBuffer(OpenClDevice device, MemorySegment mem, long bytes, String what) {
        this.device = device;
        this.mem = mem;
        this.bytes = bytes;
        this.what = what;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public String what() {
        return what;
    }

    /** The live {@code cl_mem} handle. */
    synchronized MemorySegment mem() {
        if (mem == null) {
            throw new IllegalStateException("device buffer '" + what + "' (" + bytes + " bytes) was already freed");
        }
        return mem;
    }

    /** The device this buffer lives on. */
    OpenClDevice device() {
        return device;
    }

    /**
     * Releases the {@code cl_mem}. OpenCL defers the actual release until queued commands using it have finished,
     * so freeing right after a launch is safe.
     */
    @Override
    public void free() {
        MemorySegment released;
        synchronized (this) {
            if (freedWithDevice) {
                return; // the device was closed first and already released it: tensors may outlive their backend
            }
            released = mem();
            mem = null;
        }
        device.release(this, released);
    }

    /** Marks the buffer freed because its device closed; a later {@link #free()} by its owner is then a no-op. */
    synchronized void freeWithDevice() {
        free();
        freedWithDevice = true;
    }
}
