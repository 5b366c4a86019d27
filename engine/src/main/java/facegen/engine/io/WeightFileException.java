package facegen.engine.io;

import java.io.IOException;

/**
 * A weight or checkpoint file that cannot be read as what it claims to be: truncated, corrupt, of an unknown
 * element type, or (for PyTorch pickles) asking to run code we refuse. The message names the file and, where
 * one is involved, the tensor.
 */
public final class WeightFileException extends IOException {

    /** A failure described by {@code message}. */
    public WeightFileException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public WeightFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
