package facegen.engine.tensor;

import java.util.Arrays;

/**
 * The extent of a tensor along each axis, outermost first ([N, C, H, W]); rank 0 is a scalar.
 * Data is always stored contiguously in row-major order, so a shape alone fixes the memory layout.
 */
public record Shape(int[] dims) {

    /** Validates and copies the dimensions; every extent must be >= 0. */
    public Shape {
        dims = dims.clone();
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative extent in shape " + Arrays.toString(dims));
            }
        }
    }

    /** Shape with the given extents. */
    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    /** Number of axes. */
    public int rank() {
        return dims.length;
    }

    /** Extent of axis {@code axis}; negative axes count from the end as in NumPy. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /** Copy of the extents. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements, the product of the extents (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Number of elements as an int, failing clearly when a tensor is too large for one Java array. */
    public int size() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor of shape " + this + " has " + n + " elements, over the 2^31 limit");
        }
        return (int) n;
    }

    /** Row-major strides in elements: stride[last] = 1, stride[i] = stride[i+1] * dims[i+1]. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Maps a possibly negative axis into [0, rank), failing with the shape in the message. */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    /** This shape with axis {@code axis} replaced by {@code extent}. */
    public Shape withDim(int axis, int extent) {
        int[] d = dims.clone();
        d[normalizeAxis(axis)] = extent;
        return new Shape(d);
    }

    /**
     * NumPy broadcasting: shapes are aligned at their last axis and each pair of extents must be equal or 1.
     *
     * @throws IllegalArgumentException naming both shapes when they do not broadcast
     */
    public static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + a + " and " + b + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** True when this shape broadcasts to {@code target} without changing {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Element strides that read this shape at each position of {@code target} under NumPy broadcasting: the
     * row-major strides aligned at the last axis, 0 on the axes where this shape has extent 1 or which it lacks.
     *
     * @throws IllegalArgumentException when this shape does not broadcast to {@code target}
     */
    public int[] broadcastStridesTo(Shape target) {
        if (!broadcastsTo(target)) {
            throw new IllegalArgumentException(this + " does not broadcast to " + target);
        }
        int[] own = strides();
        int[] strides = new int[target.rank()];
        int lead = target.rank() - rank();
        for (int k = 0; k < rank(); k++) {
            strides[lead + k] = dims[k] == 1 ? 0 : own[k];
        }
        return strides;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Formats as {@code [2, 3, 4]}, the form every error message uses. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
