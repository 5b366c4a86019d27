package facegen.engine.io;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

/**
 * A tensor as a file holds it, on the host: element type, shape and row-major values (as doubles, which hold
 * every float32 and float64 exactly, so a checkpoint written from the cpu backend reloads bit for bit).
 *
 * @param type   the element type in the file
 * @param shape  the extents, outermost first
 * @param values the elements in row-major order, shape.numel() of them
 */
public record StoredTensor(ElementType type, Shape shape, double[] values) {

    /** Checks that the values fill the shape. */
    public StoredTensor {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + shape);
        }
    }

    /**
     * The values of {@code t}, typed F32 for a float32 backend and F64 for a float64 one (so nothing is
     * rounded).
     */
    public static StoredTensor of(Tensor t) {
        ElementType type = t.dtype() == DType.FLOAT32 ? ElementType.F32 : ElementType.F64;
        return new StoredTensor(type, t.shape(), t.toArray());
    }

    /** A scalar integer (a step counter) stored as I64. */
    public static StoredTensor ofLong(long value) {
        return new StoredTensor(ElementType.I64, Shape.scalar(), new double[] {value});
    }

    /** The values as a new tensor on {@code backend} (rounded to its element type). */
    public Tensor toTensor(Backend backend) {
        return Tensor.of(backend, values, shape.dims());
    }

    /** The same values viewed with another shape of the same element count. */
    public StoredTensor reshape(Shape target) {
        if (target.numel() != shape.numel()) {
            throw new IllegalArgumentException("cannot view " + shape + " as " + target);
        }
        return new StoredTensor(type, target, values);
    }
}
