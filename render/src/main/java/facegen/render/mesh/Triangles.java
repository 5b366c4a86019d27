package facegen.render.mesh;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * The triangle list of a mesh, on the host: triangle t has corners {@code corner(t, 0..2)}, vertex indices into a
 * vertex table of {@link #vertexCount} rows. Immutable; the index tensors the render ops need are built from it per
 * call (tensors are scoped values, this object is not).
 *
 * @param indices     3T vertex indices, corner-major within a triangle (t0c0, t0c1, t0c2, t1c0, ...)
 * @param vertexCount number of vertices the indices refer to
 */
public record Triangles(int[] indices, int vertexCount) {

    /**
     * Copies and validates: the length is a multiple of 3 and every index lies in [0, vertexCount).
     *
     * @throws IllegalArgumentException naming the first bad triangle
     */
    public Triangles {
        indices = indices.clone();
        if (indices.length % 3 != 0) {
            throw new IllegalArgumentException("triangle indices: length " + indices.length + " is not a multiple of 3");
        }
        if (vertexCount < 0) {
            throw new IllegalArgumentException("vertex count " + vertexCount + " is negative");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= vertexCount) {
                throw new IllegalArgumentException("triangle " + i / 3 + " corner " + i % 3 + " refers to vertex "
                        + indices[i] + ", outside [0, " + vertexCount + ")");
            }
        }
    }

    /** Triangles from rows {a, b, c}. */
    public static Triangles of(int[][] rows, int vertexCount) {
        int[] flat = new int[rows.length * 3];
        for (int t = 0; t < rows.length; t++) {
            if (rows[t].length != 3) {
                throw new IllegalArgumentException("triangle " + t + " has " + rows[t].length + " corners, expected 3");
            }
            System.arraycopy(rows[t], 0, flat, 3 * t, 3);
        }
        return new Triangles(flat, vertexCount);
    }

    /**
     * Triangles from a tensor [T, 3] of integer vertex indices (as nvdiffrast's {@code tri}).
     *
     * @throws IllegalArgumentException when the shape is not [T, 3] or a value is not an integer in range
     */
    public static Triangles of(Tensor tri, int vertexCount) {
        if (tri.rank() != 2 || tri.dim(1) != 3) {
            throw new IllegalArgumentException("tri must be [T, 3], got " + tri.shape());
        }
        double[] v = tri.toArray();
        int[] flat = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) {
                throw new IllegalArgumentException("tri[" + i / 3 + ", " + i % 3 + "] = " + v[i] + " is not an integer");
            }
            flat[i] = (int) v[i];
        }
        return new Triangles(flat, vertexCount);
    }

    /** Number of triangles T. */
    public int count() {
        return indices.length / 3;
    }

    /** Vertex index of corner {@code k} (0..2) of triangle {@code t}. */
    public int corner(int t, int k) {
        return indices[3 * t + k];
    }

    /** The indices as a tensor [T, 3] on {@code backend}. */
    public Tensor toTensor(Backend backend) {
        return Tensor.of(backend, Arrays.stream(indices).asDoubleStream().toArray(), count(), 3);
    }

    /** The same triangles with corners 1 and 2 swapped, which flips every face's orientation. */
    public Triangles flipped() {
        int[] f = indices.clone();
        for (int t = 0; t < count(); t++) {
            f[3 * t + 1] = indices[3 * t + 2];
            f[3 * t + 2] = indices[3 * t + 1];
        }
        return new Triangles(f, vertexCount);
    }

    @Override
    public boolean equals(Object o) {
        // the same list (the usual case: each render stage checks it was given the rasterised one) without a scan
        return o == this
                || o instanceof Triangles other && vertexCount == other.vertexCount && Arrays.equals(indices, other.indices);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + vertexCount;
    }

    @Override
    public String toString() {
        return "Triangles[" + count() + " triangles over " + vertexCount + " vertices]";
    }
}
