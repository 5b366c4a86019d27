package facegen.render.mesh;

import java.util.HashMap;
import java.util.Map;

/**
 * One step of Loop subdivision (Loop 1987; boundary rules of Hoppe et al. 1994): every triangle splits into four,
 * vertex v keeps index v (so landmark indices stay valid) and the edge midpoints are appended after the V old ones.
 * Positions are smoothed with the Loop masks; UVs and other attributes ({@link #carry}) are interpolated linearly,
 * which keeps a UV layout valid.
 *
 * @param positions new positions [V' * 3]
 * @param uvs       new UVs [V' * 2]
 * @param triangles the 4T new triangles over V' = V + E vertices
 * @param edgeEnds  for new vertex V + e, its parent edge's endpoints edgeEnds[2e], edgeEnds[2e + 1]
 */
public record Subdivision(double[] positions, double[] uvs, Triangles triangles, int[] edgeEnds) {

    /**
     * Subdivides a mesh once.
     *
     * @param positions [V * 3]
     * @param uvs       [V * 2]
     * @param tri       triangles over V vertices
     */
    public static Subdivision loop(double[] positions, double[] uvs, Triangles tri) {
        int v = tri.vertexCount();
        if (positions.length != 3 * v || uvs.length != 2 * v) {
            throw new IllegalArgumentException("subdivision expects " + v + " positions and UVs, got arrays of "
                    + positions.length + " and " + uvs.length);
        }
        EdgeTopology topology = EdgeTopology.of(tri);
        Map<Long, Integer> edgeIndex = new HashMap<>();
        int t = tri.count();
        int[] edgeOf = new int[3 * t];                                          // new vertex of edge k of triangle t
        int[] ends = new int[2 * 3 * t];
        int[] opposite = new int[2 * 3 * t];                                    // the corners facing the edge (-1 if none)
        int e = 0;
        for (int i = 0; i < t; i++) {
            for (int k = 0; k < 3; k++) {
                int a = tri.corner(i, (k + 1) % 3);
                int b = tri.corner(i, (k + 2) % 3);
                long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
                Integer known = edgeIndex.get(key);
                if (known == null) {
                    edgeIndex.put(key, e);
                    ends[2 * e] = a;
                    ends[2 * e + 1] = b;
                    opposite[2 * e] = tri.corner(i, k);
                    opposite[2 * e + 1] = -1;
                    edgeOf[3 * i + k] = e++;
                } else {
                    edgeOf[3 * i + k] = known;
                    if (topology.neighbour(i, k) >= 0) {
                        opposite[2 * known + 1] = tri.corner(i, k);
                    }
                }
            }
        }
        int total = v + e;
        double[] p = new double[3 * total];
        double[] uv = new double[2 * total];
        // boundary edges and the neighbours of each vertex
        int[][] neighbours = neighbours(ends, e, v);
        boolean[] boundaryEdge = new boolean[e];
        boolean[] boundaryVertex = new boolean[v];
        for (int j = 0; j < e; j++) {
            boundaryEdge[j] = opposite[2 * j + 1] < 0;
            if (boundaryEdge[j]) {
                boundaryVertex[ends[2 * j]] = true;
                boundaryVertex[ends[2 * j + 1]] = true;
            }
        }
        // old vertices: interior mask (1 - n beta) v + beta sum(neighbours), boundary 3/4 v + 1/8 (two boundary neighbours)
        for (int i = 0; i < v; i++) {
            int[] nb = neighbours[i];
            double[] acc = new double[3];
            double selfWeight;
            if (boundaryVertex[i]) {
                int count = 0;
                for (int j : nb) {
                    if (isBoundaryEdge(i, j, edgeIndex, boundaryEdge)) {
                        for (int c = 0; c < 3; c++) {
                            acc[c] += positions[3 * j + c] / 8;
                        }
                        count++;
                    }
                }
                selfWeight = count == 2 ? 0.75 : 1;
                if (count != 2) {
                    java.util.Arrays.fill(acc, 0);
                }
            } else {
                int n = nb.length;
                double beta = n == 3 ? 3.0 / 16 : 3.0 / (8 * n);
                for (int j : nb) {
                    for (int c = 0; c < 3; c++) {
                        acc[c] += beta * positions[3 * j + c];
                    }
                }
                selfWeight = 1 - n * beta;
            }
            for (int c = 0; c < 3; c++) {
                p[3 * i + c] = selfWeight * positions[3 * i + c] + acc[c];
            }
            uv[2 * i] = uvs[2 * i];
            uv[2 * i + 1] = uvs[2 * i + 1];
        }
        // edge vertices: interior 3/8 (a + b) + 1/8 (c + d), boundary midpoint
        for (int j = 0; j < e; j++) {
            int a = ends[2 * j];
            int b = ends[2 * j + 1];
            int nv = v + j;
            for (int c = 0; c < 3; c++) {
                double mid = boundaryEdge[j]
                        ? (positions[3 * a + c] + positions[3 * b + c]) / 2
                        : 3.0 / 8 * (positions[3 * a + c] + positions[3 * b + c])
                        + 1.0 / 8 * (positions[3 * opposite[2 * j] + c] + positions[3 * opposite[2 * j + 1] + c]);
                p[3 * nv + c] = mid;
            }
            uv[2 * nv] = (uvs[2 * a] + uvs[2 * b]) / 2;
            uv[2 * nv + 1] = (uvs[2 * a + 1] + uvs[2 * b + 1]) / 2;
        }
        int[] out = new int[12 * t];
        for (int i = 0; i < t; i++) {
            int c0 = tri.corner(i, 0);
            int c1 = tri.corner(i, 1);
            int c2 = tri.corner(i, 2);
            int m0 = v + edgeOf[3 * i];                                         // opposite corner 0: edge c1-c2
            int m1 = v + edgeOf[3 * i + 1];                                     // edge c2-c0
            int m2 = v + edgeOf[3 * i + 2];                                     // edge c0-c1
            int[] four = {c0, m2, m1, m2, c1, m0, m1, m0, c2, m0, m1, m2};
            System.arraycopy(four, 0, out, 12 * i, 12);
        }
        return new Subdivision(p, uv, new Triangles(out, total), java.util.Arrays.copyOf(ends, 2 * e));
    }

    /** A per-vertex attribute [V * channels] of the coarse mesh carried linearly to the subdivided one. */
    public double[] carry(double[] attribute, int channels) {
        int e = edgeEnds.length / 2;
        int v = triangles.vertexCount() - e;
        if (attribute.length != v * channels) {
            throw new IllegalArgumentException("attribute has " + attribute.length + " values, expected " + v + " x " + channels);
        }
        double[] out = java.util.Arrays.copyOf(attribute, (v + e) * channels);
        for (int j = 0; j < e; j++) {
            for (int c = 0; c < channels; c++) {
                out[(v + j) * channels + c] = (attribute[edgeEnds[2 * j] * channels + c] + attribute[edgeEnds[2 * j + 1] * channels + c]) / 2;
            }
        }
        return out;
    }

    private static boolean isBoundaryEdge(int a, int b, Map<Long, Integer> edgeIndex, boolean[] boundaryEdge) {
        Integer j = edgeIndex.get(((long) Math.min(a, b) << 32) | Math.max(a, b));
        return j != null && boundaryEdge[j];
    }

    private static int[][] neighbours(int[] ends, int edges, int v) {
        int[] count = new int[v];
        for (int j = 0; j < 2 * edges; j++) {
            count[ends[j]]++;
        }
        int[][] nb = new int[v][];
        for (int i = 0; i < v; i++) {
            nb[i] = new int[count[i]];
        }
        int[] fill = new int[v];
        for (int j = 0; j < edges; j++) {
            int a = ends[2 * j];
            int b = ends[2 * j + 1];
            nb[a][fill[a]++] = b;
            nb[b][fill[b]++] = a;
        }
        return nb;
    }
}
