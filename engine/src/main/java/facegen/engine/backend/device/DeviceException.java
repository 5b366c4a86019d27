package facegen.engine.backend.device;

/** A driver call failed; the message names the call, the driver's error name and the kernel or buffer. */
public class DeviceException extends RuntimeException {

    /** A failure described by {@code message}. */
    public DeviceException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
