package facegen.engine.backend.device;

/** The device could not hold a buffer; the message names the buffer, the bytes asked for and the device. */
public class DeviceOutOfMemoryException extends DeviceException {

    /** A failed allocation described by {@code message}. */
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}
