package facegen.engine.backend.reference;

import facegen.engine.backend.Elements;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.List;

/** Plain-loop definitions of every primitive (being written). */
public final class ReferenceKernels {
    private ReferenceKernels() {}

    /** Computes {@code op} on {@code in} into the zero-filled {@code result} of shape {@code out}. */
    public static void run(Op op, Shape out, List<Shape> inShapes, List<Elements> in, Elements result) {
        throw new UnsupportedOperationException("reference kernel for " + op.name() + " not written yet");
    }
}
