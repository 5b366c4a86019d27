package facegen.render;

import facegen.render.mesh.Triangles;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small meshes for tests. */
public final class TestMeshes {

    private TestMeshes() {}

    /** A mesh: positions [V * 3] and triangles. */
    public record Mesh(double[] positions, Triangles triangles) {}

    /**
     * A unit icosphere-like sphere: an octahedron subdivided {@code levels} times with every vertex pushed to the
     * unit sphere; counter-clockwise seen from outside, closed, vertices shared.
     */
    public static Mesh sphere(int levels) {
        List<double[]> v = new ArrayList<>(List.of(
                new double[] {1, 0, 0}, new double[] {-1, 0, 0}, new double[] {0, 1, 0},
                new double[] {0, -1, 0}, new double[] {0, 0, 1}, new double[] {0, 0, -1}));
        List<int[]> t = new ArrayList<>(List.of(
                new int[] {0, 2, 4}, new int[] {2, 1, 4}, new int[] {1, 3, 4}, new int[] {3, 0, 4},
                new int[] {2, 0, 5}, new int[] {1, 2, 5}, new int[] {3, 1, 5}, new int[] {0, 3, 5}));
        for (int l = 0; l < levels; l++) {
            Map<Long, Integer> mid = new HashMap<>();
            List<int[]> next = new ArrayList<>();
            for (int[] f : t) {
                int a = midpoint(v, mid, f[0], f[1]);
                int b = midpoint(v, mid, f[1], f[2]);
                int c = midpoint(v, mid, f[2], f[0]);
                next.add(new int[] {f[0], a, c});
                next.add(new int[] {a, f[1], b});
                next.add(new int[] {c, b, f[2]});
                next.add(new int[] {a, b, c});
            }
            t = next;
        }
        double[] p = new double[3 * v.size()];
        for (int i = 0; i < v.size(); i++) {
            System.arraycopy(v.get(i), 0, p, 3 * i, 3);
        }
        return new Mesh(p, Triangles.of(t.toArray(new int[0][]), v.size()));
    }

    private static int midpoint(List<double[]> v, Map<Long, Integer> mid, int a, int b) {
        long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
        return mid.computeIfAbsent(key, k -> {
            double[] p = new double[3];
            double len = 0;
            for (int i = 0; i < 3; i++) {
                p[i] = (v.get(a)[i] + v.get(b)[i]) / 2;
                len += p[i] * p[i];
            }
            for (int i = 0; i < 3; i++) {
                p[i] /= Math.sqrt(len);
            }
            v.add(p);
            return v.size() - 1;
        });
    }

    /**
     * Clip positions [V * 4] of a mesh seen by an orthographic camera: (s x + tx, s y + ty, -0.5 s z, 1); larger z is
     * nearer.
     */
    public static double[] orthographic(double[] positions, double s, double tx, double ty) {
        int n = positions.length / 3;
        double[] clip = new double[4 * n];
        for (int i = 0; i < n; i++) {
            clip[4 * i] = s * positions[3 * i] + tx;
            clip[4 * i + 1] = s * positions[3 * i + 1] + ty;
            clip[4 * i + 2] = -0.5 * s * positions[3 * i + 2];
            clip[4 * i + 3] = 1;
        }
        return clip;
    }

    /** Two triangles sharing the edge 1-2 with perspective w, covering part of a small image. */
    public static double[] twoTrianglesClip() {
        return new double[] {-0.7, -0.6, 0.1, 1.0, 0.8, -0.5, 0.2, 1.3, -0.2, 0.75, 0.0, 0.9, 0.63, 0.71, 0.3, 1.1};
    }

    /** The triangles of {@link #twoTrianglesClip()}. */
    public static Triangles twoTriangles() {
        return Triangles.of(new int[][] {{0, 1, 2}, {1, 3, 2}}, 4);
    }
}
