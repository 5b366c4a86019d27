package facegen.render.mesh;

import java.util.HashMap;
import java.util.Map;

/**
 * Which triangle lies across each edge of each triangle: what antialiasing needs to tell silhouette edges from
 * interior ones (nvdiffrast's {@code topology_hash}). Built once per triangle list and passed explicitly.
 *
 * <p>Edge k of triangle t is the edge opposite corner k, from corner (k + 1) % 3 to corner (k + 2) % 3. Its
 * neighbour is the other triangle using the same two vertices, {@link #BOUNDARY} when there is none, and
 * {@link #NON_MANIFOLD} when three or more triangles share the edge (such edges are treated as boundaries).
 * Triangles must share vertex indices along seams for this to work: a mesh whose UV seams duplicate vertices
 * has boundaries there, and antialiasing will blend across them.
 */
public final class EdgeTopology {
    /** Neighbour value of an edge used by one triangle only. */
    public static final int BOUNDARY = -1;
    /** Neighbour value of an edge shared by three or more triangles. */
    public static final int NON_MANIFOLD = -2;

    private final Triangles triangles;
    private final int[] neighbour;
    private final int[] referrerStart;     // [T + 1] CSR offsets into referrers
    private final int[] referrers;         // triangles t' with neighbour(t', k) == t, grouped by t

    private EdgeTopology(Triangles triangles, int[] neighbour) {
        this.triangles = triangles;
        this.neighbour = neighbour;
        int n = triangles.count();
        referrerStart = new int[n + 1];
        for (int other : neighbour) {
            if (other >= 0) {
                referrerStart[other + 1]++;
            }
        }
        for (int t = 0; t < n; t++) {
            referrerStart[t + 1] += referrerStart[t];
        }
        referrers = new int[referrerStart[n]];
        int[] next = java.util.Arrays.copyOf(referrerStart, n);
        for (int e = 0; e < neighbour.length; e++) {
            if (neighbour[e] >= 0) {
                referrers[next[neighbour[e]]++] = e / 3;
            }
        }
    }

    /** The topology of {@code triangles}. */
    public static EdgeTopology of(Triangles triangles) {
        int n = triangles.count();
        int[] neighbour = new int[3 * n];
        java.util.Arrays.fill(neighbour, BOUNDARY);
        Map<Long, Integer> firstUse = new HashMap<>(4 * n);
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < 3; k++) {
                int a = triangles.corner(t, (k + 1) % 3);
                int b = triangles.corner(t, (k + 2) % 3);
                long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
                Integer other = firstUse.putIfAbsent(key, 3 * t + k);
                if (other == null) {
                    continue;
                }
                int otherEdge = other;
                if (otherEdge < 0) {                                 // already known to be non-manifold
                    neighbour[3 * t + k] = NON_MANIFOLD;
                } else if (neighbour[otherEdge] == BOUNDARY) {
                    neighbour[otherEdge] = t;
                    neighbour[3 * t + k] = otherEdge / 3;
                } else {                                             // a third triangle on this edge
                    neighbour[3 * t + k] = NON_MANIFOLD;
                    int second = neighbour[otherEdge];
                    neighbour[otherEdge] = NON_MANIFOLD;
                    for (int j = 0; j < 3; j++) {
                        if (second >= 0 && neighbour[3 * second + j] == otherEdge / 3) {
                            neighbour[3 * second + j] = NON_MANIFOLD;
                        }
                    }
                    firstUse.put(key, -1);
                }
            }
        }
        return new EdgeTopology(triangles, neighbour);
    }

    /** The triangles this topology describes. */
    public Triangles triangles() {
        return triangles;
    }

    /** The triangle across edge {@code k} of triangle {@code t}, or {@link #BOUNDARY} / {@link #NON_MANIFOLD}. */
    public int neighbour(int t, int k) {
        return neighbour[3 * t + k];
    }

    /**
     * How many edges of other triangles have {@code t} as their {@link #neighbour}: for a manifold mesh, t's
     * neighbours; they can differ where an edge was found non-manifold on one side only (two triangles on the same three
     * vertices), so searches that follow neighbours backwards use these.
     */
    public int referrerCount(int t) {
        return referrerStart[t + 1] - referrerStart[t];
    }

    /** The triangle owning the {@code i}-th edge (in triangle order) whose neighbour is {@code t}, i &lt; {@link #referrerCount}. */
    public int referrer(int t, int i) {
        return referrers[referrerStart[t] + i];
    }

    /** The vertices joined to each vertex by an edge, for every vertex of {@code tri}. */
    public static int[][] vertexNeighbours(Triangles tri) {
        int v = tri.vertexCount();
        java.util.List<java.util.Set<Integer>> sets = new java.util.ArrayList<>(v);
        for (int i = 0; i < v; i++) {
            sets.add(new java.util.LinkedHashSet<>());
        }
        for (int t = 0; t < tri.count(); t++) {
            for (int k = 0; k < 3; k++) {
                int a = tri.corner(t, k);
                int b = tri.corner(t, (k + 1) % 3);
                sets.get(a).add(b);
                sets.get(b).add(a);
            }
        }
        int[][] out = new int[v][];
        for (int i = 0; i < v; i++) {
            out[i] = sets.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Number of boundary edges (each counted once). */
    public int boundaryEdgeCount() {
        int n = 0;
        for (int v : neighbour) {
            if (v == BOUNDARY) {
                n++;
            }
        }
        return n;
    }
}
