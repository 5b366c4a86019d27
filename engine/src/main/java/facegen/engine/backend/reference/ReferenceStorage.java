package facegen.engine.backend.reference;

import facegen.engine.backend.Storage;

import java.util.concurrent.atomic.AtomicLong;

/** A double[] owned by a {@link ReferenceBackend}; its bytes count in the backend's live total until freed. */
final class ReferenceStorage extends Storage {
    private final AtomicLong liveBytes;
    private double[] values;

    /** Takes ownership of {@code values} and adds their bytes to {@code liveBytes}. */
    ReferenceStorage(ReferenceBackend backend, double[] values, AtomicLong liveBytes) {
        super(backend, values.length);
        this.values = values;
        this.liveBytes = liveBytes;
        liveBytes.addAndGet(bytes());
    }

    /** The elements, failing if the storage was freed. */
    double[] values() {
        checkLive();
        return values;
    }

    /** The elements as the kernels read and write them, failing if the storage was freed. */
    DoubleElements elements() {
        return new DoubleElements(values());
    }

    @Override
    protected void free() {
        liveBytes.addAndGet(-bytes());
        // Dropping the array lets the garbage collector take it even while stale tensors still point here.
        values = null;
    }

    private long bytes() {
        return length() * Double.BYTES;
    }
}
