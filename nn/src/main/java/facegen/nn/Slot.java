package facegen.nn;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

/**
 * A named, mutable holder of one immutable tensor of fixed shape: a trained {@link Parameter} or a
 * {@link Buffer} of non-trained state. Declared by a {@link Module} with its shape and {@link Init}; it holds no
 * value until {@link Module#initialize} (or a copy or checkpoint) sets one.
 */
public abstract sealed class Slot permits Parameter, Buffer {
    private final String name;
    private final Shape shape;
    private final Init init;
    private Tensor value;

    Slot(String name, Shape shape, Init init) {
        this.name = name;
        this.shape = shape;
        this.init = init;
    }

    /** The name within the declaring module (the last part of the dotted name). */
    public String name() {
        return name;
    }

    /** The fixed shape. */
    public Shape shape() {
        return shape;
    }

    /** True once a value was set. */
    public boolean isSet() {
        return value != null;
    }

    /**
     * The current value.
     *
     * @throws IllegalStateException when nothing set it yet (initialise the root module, copy or load one)
     */
    public Tensor value() {
        if (value == null) {
            throw new IllegalStateException(getClass().getSimpleName().toLowerCase() + " '" + name + "' " + shape
                    + " has no value: call initialize(backend, seed) on the root module, or copy or load one");
        }
        return value;
    }

    /**
     * Replaces the value with {@code v} as a leaf: {@code v} itself when it already is the kind of leaf this slot
     * holds (so a caller can evaluate a module at tensors it differentiates against, as the audit does), else a
     * leaf view of it cut from its graph, whose gradient slot starts empty.
     *
     * @throws IllegalArgumentException when {@code v}'s shape is not this slot's
     */
    public void set(Tensor v) {
        if (!v.shape().equals(shape)) {
            throw new IllegalArgumentException(name + ": expected shape " + shape + ", got " + v.shape());
        }
        value = leaf(v);
    }

    /** Draws the first value from {@code seed} (the root seed derived by this slot's dotted name). */
    void initialize(Backend backend, Seed seed) {
        try (GradMode g = GradMode.disabled()) {
            set(init.sample(backend, seed, shape.dims()));
        }
    }

    /** The leaf this kind of slot stores for {@code v}. */
    abstract Tensor leaf(Tensor v);
}
