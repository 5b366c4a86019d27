package facegen.engine.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Deterministic release of tensor memory: every tensor created on this thread while the scope is open is
 * closed when the scope closes, except those passed to {@link #keep}, which move to the enclosing scope.
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *     Tensor loss = ...;                 // intermediates die with the scope
 *     return scope.keep(loss.detach());  // this one survives
 * }
 * }</pre>
 * Thread-local because a scope describes one thread's work; scopes nest. {@link #detached()} opens a region whose
 * tensors no scope owns (long-lived state updated inside a step).
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final boolean collecting;
    private final List<Tensor> owned = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TensorScope(boolean collecting) {
        this.collecting = collecting;
    }

    /** Opens a scope nested in the current one (if any). */
    public static TensorScope open() {
        return push(new TensorScope(true));
    }

    /**
     * Opens a region whose new tensors belong to no scope (long-lived state such as parameters, optimizer
     * moments and running averages updated inside a training step); the caller closes them.
     */
    public static TensorScope detached() {
        return push(new TensorScope(false));
    }

    private static TensorScope push(TensorScope scope) {
        OPEN.get().push(scope);
        return scope;
    }

    static void register(Tensor t) {
        TensorScope current = OPEN.get().peek();
        if (current != null && current.collecting) {
            current.owned.add(t);
        }
    }

    /** Marks {@code t} to outlive this scope (it joins the enclosing scope, if one is open) and returns it. */
    public <T extends Tensor> T keep(T t) {
        kept.add(t);
        return t;
    }

    /** Closes every tensor created in this scope that was not kept. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Deque<TensorScope> stack = OPEN.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("tensor scopes must close in reverse order of opening");
        }
        stack.pop();
        TensorScope parent = stack.peek();
        if (parent != null && !parent.collecting) {
            parent = null;                                                    // inside a detached region: owned by the caller
        }
        for (Tensor t : owned) {
            if (kept.contains(t)) {
                if (parent != null) {
                    parent.owned.add(t);
                }
            } else {
                t.close();
            }
        }
        owned.clear();
    }
}
