package facegen.engine.backend.device;

/**
 * A backend cannot run on this machine (no OpenCL ICD loader or platform, no CUDA driver, no device); the message
 * says which library or device is missing and how to get it. Selecting such a backend is this error, never a
 * silent fallback to the CPU.
 */
public class BackendUnavailableException extends RuntimeException {

    /** The reason, in words a user can act on. */
    public BackendUnavailableException(String reason) {
        super(reason);
    }

    /** The reason, caused by {@code cause} (e.g. the loader's {@link IllegalArgumentException}). */
    public BackendUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
