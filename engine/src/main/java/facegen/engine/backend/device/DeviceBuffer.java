package facegen.engine.backend.device;

/**
 * A block of device memory. Freed exactly once by {@link #free()}; using it afterwards is an
 * {@link IllegalStateException} naming {@link #what()}.
 */
public interface DeviceBuffer {

    /** Size in bytes. */
    long bytes();

    /** What the buffer holds, for error messages. */
    String what();

    /** Returns the memory to the device. */
    void free();
}
