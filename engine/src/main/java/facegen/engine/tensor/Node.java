package facegen.engine.tensor;

import facegen.engine.ops.Op;

import java.util.List;

/**
 * How a tensor was computed: the primitive and its inputs, the edge that reverse-mode autodiff walks back.
 * A backward pass without {@code retainGraph} frees the node (drops its inputs); walking it again is an error.
 */
public final class Node {
    private final Op op;
    private List<Tensor> inputs;
    private final Throwable createdAt;

    Node(Op op, List<Tensor> inputs, boolean recordTrace) {
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.createdAt = recordTrace ? new Throwable("forward " + op.name() + " created here") : null;
    }

    /** The primitive that produced the tensor. */
    public Op op() {
        return op;
    }

    /** The primitive's inputs, in order. */
    public List<Tensor> inputs() {
        if (inputs == null) {
            throw new IllegalStateException("the graph through '" + op.name() + "' was freed by an earlier backward pass;"
                    + " pass retainGraph = true to the first backward to walk it twice");
        }
        return inputs;
    }

    /** True after a backward pass released this node. */
    public boolean isFreed() {
        return inputs == null;
    }

    /** Stack trace of the forward call (anomaly mode only), else null. */
    public Throwable createdAt() {
        return createdAt;
    }

    /** Drops the references to the inputs so their memory can go. */
    public void free() {
        inputs = null;
    }
}
