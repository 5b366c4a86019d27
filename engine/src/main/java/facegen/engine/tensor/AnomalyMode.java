package facegen.engine.tensor;

/**
 * Opt-in checks that find where NaN/Inf enters a backward pass (slow: every gradient is read back to the host).
 *
 * <p>While enabled, each recorded operation keeps the stack trace of its creation, and the backward pass checks
 * every gradient it computes; the first non-finite one stops backward with the primitive's name, the input
 * index, the shapes and where the forward op was created. Thread-local and nestable like {@link GradMode}.
 */
public final class AnomalyMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final boolean previous;

    private AnomalyMode() {
        previous = ENABLED.get();
        ENABLED.set(true);
    }

    /** True inside an {@link #enable()} scope on this thread. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Opens a scope with anomaly detection on. */
    public static AnomalyMode enable() {
        return new AnomalyMode();
    }

    /** Restores the previous setting. */
    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
