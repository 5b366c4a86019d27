package facegen.engine.backend;

import facegen.engine.tensor.DType;

/**
 * A block of elements owned by one backend, shared by the tensors that view it (reshape shares storage).
 *
 * <p>Reference-counted so memory is released deterministically: each tensor holding it owns one reference,
 * {@link #release()} frees the block when the last reference goes. Using freed storage is an error naming it.
 */
public abstract class Storage {
    private final Backend backend;
    private final long length;
    private int references = 1;

    /** A new block of {@code length} elements with one reference. */
    protected Storage(Backend backend, long length) {
        this.backend = backend;
        this.length = length;
    }

    /** The backend that owns this memory. */
    public Backend backend() {
        return backend;
    }

    /** Element type of the block. */
    public DType dtype() {
        return backend.dtype();
    }

    /** Number of elements. */
    public long length() {
        return length;
    }

    /** True once the last reference was released. */
    public synchronized boolean isFreed() {
        return references == 0;
    }

    /** Adds a reference (another tensor shares this block). */
    public synchronized Storage retain() {
        checkLive();
        references++;
        return this;
    }

    /** Drops a reference and frees the block when none remain; releasing freed storage is an error. */
    public synchronized void release() {
        checkLive();
        if (--references == 0) {
            free();
        }
    }

    /** Throws if the block was freed. */
    public synchronized void checkLive() {
        if (references == 0) {
            throw new IllegalStateException("storage of " + length + " " + dtype() + " elements on backend '"
                    + backend.name() + "' was already freed (tensor closed or its scope ended)");
        }
    }

    /** Returns the memory to the backend; called once, when the last reference is released. */
    protected abstract void free();
}
