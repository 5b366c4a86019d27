package facegen.engine.tensor;

/**
 * Whether operations record a graph for reverse-mode autodiff on the current thread (default: enabled).
 *
 * <p>Thread-local like PyTorch's grad mode: a no-grad scope on one thread must not change what another thread
 * records. Scopes nest and restore the previous state when closed:
 * {@code try (var g = GradMode.disabled()) { ... }}.
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    /** True when new operations on tensors that require grad are recorded. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Opens a scope in which nothing is recorded (inference, optimizer updates, finite differences). */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** Opens a scope in which recording is on (e.g. building a graph of gradients for grad-of-grad). */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    /** Restores the mode that was in force when this scope opened. */
    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
