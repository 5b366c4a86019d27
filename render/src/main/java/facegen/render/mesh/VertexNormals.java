package facegen.render.mesh;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * Vertex normals as DECA's {@code vertex_normals}: n_v = normalize(sum over triangles t at v of (p1 - p0) x (p2 - p0)),
 * the area-weighted sum of face normals, scattered to vertices with {@code indexAdd}. Differentiable with respect to
 * the vertex positions (a composition of gathers, products and one scatter-add).
 */
public final class VertexNormals {
    /** Added to |n|^2 before the square root: keeps the gradient finite for vertices with no area around them. */
    static final double EPSILON = 1e-20;

    private VertexNormals() {}

    /**
     * Unit vertex normals of counter-clockwise triangles (the right-hand rule: a triangle that is counter-clockwise
     * seen from +z has its normal along +z).
     *
     * @param vertices positions [B, V, 3]; receives gradients
     * @param tri      triangles over the V vertices
     * @return normals [B, V, 3]; 0 for a vertex that no non-degenerate triangle uses
     */
    public static Tensor of(Tensor vertices, Triangles tri) {
        if (vertices.rank() != 3 || vertices.dim(2) != 3 || vertices.dim(1) != tri.vertexCount()) {
            throw new IllegalArgumentException("vertices must be [B, V, 3] with V = " + tri.vertexCount() + ", got " + vertices.shape());
        }
        int batch = vertices.dim(0);
        int v = tri.vertexCount();
        int bt = batch * tri.count();
        Backend backend = vertices.backend();
        // corners as [component, corner, b*T + t]
        double[] gather = new double[3 * 3 * bt];
        double[] scatter = new double[3 * bt];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tri.count(); t++) {
                int j = b * tri.count() + t;
                for (int k = 0; k < 3; k++) {
                    int row = b * v + tri.corner(t, k);
                    scatter[k * bt + j] = row;
                    for (int c = 0; c < 3; c++) {
                        gather[(c * 3 + k) * bt + j] = 3.0 * row + c;
                    }
                }
            }
        }
        Tensor corners = vertices.reshape(-1).indexSelect(0, Tensor.of(backend, gather, gather.length)).reshape(3, 3, bt);
        Tensor p0 = corners.slice(1, 0, 1);
        Tensor e1 = corners.slice(1, 1, 2).sub(p0).reshape(3, bt);
        Tensor e2 = corners.slice(1, 2, 3).sub(p0).reshape(3, bt);
        Tensor faceNormals = cross(e1, e2);                                      // [3, bt], |n| = 2 area
        Tensor summed = Tensor.concat(1, faceNormals, faceNormals, faceNormals)
                .indexAdd(1, batch * v, Tensor.of(backend, scatter, scatter.length));   // [3, B*V]
        Tensor length = summed.square().sum(new int[] {0}, true).add(EPSILON).sqrt();
        return summed.div(length).transpose(0, 1).reshape(batch, v, 3);
    }

    /**
     * The same normals computed on the host in double precision, for meshes that are not tensors (templates,
     * exported files).
     *
     * @param positions [V * 3]
     * @param tri       triangles over V vertices
     * @return unit normals [V * 3]; 0 for unused vertices
     */
    public static double[] of(double[] positions, Triangles tri) {
        int v = tri.vertexCount();
        if (positions.length != 3 * v) {
            throw new IllegalArgumentException("positions has " + positions.length + " values, expected " + 3 * v);
        }
        double[] n = new double[3 * v];
        for (int t = 0; t < tri.count(); t++) {
            int a = tri.corner(t, 0);
            int b = tri.corner(t, 1);
            int c = tri.corner(t, 2);
            double[] e1 = new double[3];
            double[] e2 = new double[3];
            for (int k = 0; k < 3; k++) {
                e1[k] = positions[3 * b + k] - positions[3 * a + k];
                e2[k] = positions[3 * c + k] - positions[3 * a + k];
            }
            double nx = e1[1] * e2[2] - e1[2] * e2[1];
            double ny = e1[2] * e2[0] - e1[0] * e2[2];
            double nz = e1[0] * e2[1] - e1[1] * e2[0];
            for (int corner : new int[] {a, b, c}) {
                n[3 * corner] += nx;
                n[3 * corner + 1] += ny;
                n[3 * corner + 2] += nz;
            }
        }
        for (int i = 0; i < v; i++) {
            double len = Math.sqrt(n[3 * i] * n[3 * i] + n[3 * i + 1] * n[3 * i + 1] + n[3 * i + 2] * n[3 * i + 2]);
            if (len > 0) {
                for (int k = 0; k < 3; k++) {
                    n[3 * i + k] /= len;
                }
            }
        }
        return n;
    }

    /** a x b for vectors stored as columns of [3, N] (component-major). */
    static Tensor cross(Tensor a, Tensor b) {
        Backend backend = a.backend();
        Tensor next = Tensor.of(backend, new double[] {1, 2, 0}, 3);              // (y, z, x)
        Tensor last = Tensor.of(backend, new double[] {2, 0, 1}, 3);              // (z, x, y)
        return a.indexSelect(0, next).mul(b.indexSelect(0, last)).sub(a.indexSelect(0, last).mul(b.indexSelect(0, next)));
    }
}
