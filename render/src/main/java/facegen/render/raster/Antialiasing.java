package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Triangles;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Stage 4 of 4: analytic antialiasing of silhouette edges, as nvdiffrast's {@code antialias} (Laine et al. 2020,
 * "Modular primitives for high-performance differentiable rendering", section 3.3). It is what gives gradients
 * with respect to vertex positions at occlusion boundaries, where a plain rasteriser's output is piecewise constant.
 *
 * <p>How: on the host, every horizontally or vertically adjacent pixel pair whose triangle ids differ is examined.
 * The pixel with the nearer surface is F, the other O. The segment from F's centre to O's centre is followed out of
 * F's triangle, across shared edges into neighbours facing the same way (up to {@link #MAX_WALK} triangles, so the
 * thin slivers at the rim of a curved mesh do not hide its silhouette), until it leaves through a <em>silhouette</em>
 * edge (a boundary edge, or one whose neighbouring triangle faces the other way); pairs whose front triangle is more
 * than MAX_WALK - 1 such moves from every silhouette edge are skipped without walking. If that edge is more perpendicular
 * to the pair than parallel (horizontal pairs take edges steeper than 45 degrees, vertical pairs the others, so no
 * edge is counted twice), the pair is kept with the crossing point t in (0, 1) along F to O. Then, with tensor ops, t is recomputed from the edge's clip-space endpoints (so gradients reach
 * them) and the colours blend: if t &gt; 1/2 the edge cuts into O, which gets (t - 1/2) of F's colour; otherwise F
 * gets (1/2 - t) of O's colour. Along each pixel row (or column) this makes the covered length exact, so the
 * antialiased coverage of a triangle integrates to its area up to the midpoint rule across rows.
 */
public final class Antialiasing {

    /** How many triangles the silhouette search may cross between two pixel centres. */
    static final int MAX_WALK = 8;
    /** Row bands the pair search is split into (more than the cores, so uneven bands still share the work). */
    static final int PAIR_BANDS = 16;

    private Antialiasing() {}

    /**
     * Antialiases silhouette edges of {@code color}: out = color + sum over kept pairs of the blend above.
     *
     * @param color    shaded image [B, C, H, W] (any channels, e.g. RGB or a mask); receives gradients
     * @param rast     the raster of {@code pos}
     * @param pos      clip-space positions [V, 4] or [B, V, 4], the tensor that was rasterised (its values must be
     *                 those rasterised); receives gradients through the edge crossings
     * @param topology edge adjacency of the rasterised triangles (build once with {@link EdgeTopology#of})
     * @return the antialiased image [B, C, H, W]
     * @throws IllegalArgumentException when shapes disagree or {@code topology} describes other triangles
     */
    public static Tensor antialias(Tensor color, Raster rast, Tensor pos, EdgeTopology topology) {
        Triangles tri = topology.triangles();
        if (!tri.equals(rast.triangles())) {
            throw new IllegalArgumentException("topology is of " + tri + ", the raster of " + rast.triangles());
        }
        int batch = rast.batch();
        int height = rast.height();
        int width = rast.width();
        if (color.rank() != 4 || color.dim(0) != batch || color.dim(2) != height || color.dim(3) != width) {
            throw new IllegalArgumentException("color must be [B, C, H, W] = [" + batch + ", C, " + height + ", " + width
                    + "], got " + color.shape());
        }
        if (Rasterizer.checkPositions(pos, tri) != batch) {
            throw new IllegalArgumentException("pos " + pos.shape() + " does not match the raster's batch " + batch);
        }
        Pairs pairs = Pairs.find(rast, topology);
        int m = pairs.count;
        if (m == 0) {
            return color;
        }
        Backend backend = color.backend();
        int channels = color.dim(1);

        // crossing t = cross / den in coordinates local to F's centre; a = edge start, b = edge end
        int[] ends = Arrays.copyOf(pairs.edgeStart, 2 * m);
        System.arraycopy(pairs.edgeEnd, 0, ends, m, m);
        ScreenSpace.Gathered s = ScreenSpace.gather(pos, ends, height, width, 2, m);
        Tensor x = s.sx().sub(ScreenSpace.constant(backend, pairs.centreX, 1, m));
        Tensor y = s.sy().sub(ScreenSpace.constant(backend, pairs.centreY, 1, m));
        Tensor xa = x.slice(0, 0, 1);
        Tensor xb = x.slice(0, 1, 2);
        Tensor ya = y.slice(0, 0, 1);
        Tensor yb = y.slice(0, 1, 2);
        Tensor cross = xa.mul(yb).sub(xb.mul(ya));                               // edge function at F's centre
        // edge(F) - edge(O) = (yb - ya) ox - (xb - xa) oy with (ox, oy) = O - F, one of which is 0
        Tensor den = yb.sub(ya).mul(ScreenSpace.constant(backend, pairs.offsetX, 1, m))
                .sub(xb.sub(xa).mul(ScreenSpace.constant(backend, pairs.offsetY, 1, m)));
        Tensor t = cross.div(den);
        // coverage moved into the target pixel, >= 0: sigma (t - 1/2) with sigma = +1 (target O) or -1 (target F)
        Tensor share = t.sub(0.5).mul(ScreenSpace.constant(backend, pairs.sigma, 1, m));
        // sources and targets in one gather (one scatter back in the backward pass): [C, 2m]
        int[] pixels = Arrays.copyOf(pairs.source, 2 * m);
        System.arraycopy(pairs.target, 0, pixels, m, m);
        Tensor colours = ScreenSpace.gatherPixels(color, pixels);
        Tensor source = colours.slice(1, 0, m);                                 // [C, m]
        Tensor target = colours.slice(1, m, 2 * m);
        Tensor delta = share.mul(source.sub(target));
        return color.add(ScreenSpace.scatter(delta, pairs.target, batch, height, width));
    }

    /** The number of pixel pairs {@link #antialias} blends for this raster (for tests and statistics). */
    public static int silhouettePairCount(Raster rast, EdgeTopology topology) {
        return Pairs.find(rast, topology).count;
    }

    /** The kept pixel pairs, structure of arrays over pairs (package-private so tests can compare them exactly). */
    static final class Pairs {
        int count;
        int[] source = new int[64];       // flat pixel index that gives colour
        int[] target = new int[64];       // flat pixel index that receives it
        int[] edgeStart = new int[64];    // global vertex row b*V + v of the silhouette edge's endpoints
        int[] edgeEnd = new int[64];
        double[] centreX = new double[64];  // F's pixel centre on screen
        double[] centreY = new double[64];
        double[] offsetX = new double[64];  // O - F
        double[] offsetY = new double[64];
        double[] sigma = new double[64];

        /**
         * The pairs in row-major order of their first pixel (horizontal before vertical), found in bands of rows
         * on the common pool and concatenated in band order, so the result does not depend on the thread count.
         */
        static Pairs find(Raster r, EdgeTopology topology) {
            int h = r.height();
            int w = r.width();
            int rows = r.batch() * h;
            int bands = Math.min(rows, PAIR_BANDS);
            Pairs[] found = new Pairs[bands];
            byte[] steps = silhouetteSteps(r, topology);
            IntStream.range(0, bands).parallel().forEach(band -> {
                Pairs pairs = new Pairs();
                int[] ids = r.triangleIds();
                float[] depth = r.depths();
                for (int row = band * rows / bands; row < (band + 1) * rows / bands; row++) {
                    int b = row / h;
                    int y = row % h;
                    for (int x = 0; x < w; x++) {
                        int p = row * w + x;
                        if (x + 1 < w && ids[p] != ids[p + 1]) {
                            pairs.consider(r, topology, b, p, p + 1, x, y, 1, 0, ids, depth, steps);
                        }
                        if (y + 1 < h && ids[p] != ids[p + w]) {
                            pairs.consider(r, topology, b, p, p + w, x, y, 0, 1, ids, depth, steps);
                        }
                    }
                }
                found[band] = pairs;
            });
            return concat(found);
        }

        /**
         * For every triangle b*T + t, the fewest moves the walk in {@link #consider} can make from it to a triangle with
         * a silhouette edge (a boundary or non-manifold edge, or one whose neighbour faces the other way or is not
         * drawn), or {@link #MAX_WALK} when that takes more than the walk's MAX_WALK - 1 moves or t is not drawn.
         * The walk stops with a pair only at a silhouette edge of the triangle it is in, after at most MAX_WALK - 1
         * moves, so a pair whose front triangle is at MAX_WALK is rejected exactly, without walking.
         *
         * <p>A breadth-first search from the triangles with a silhouette edge, backwards along moves (a move from t to
         * n crosses an edge of t whose neighbour is n, facing the same way), one batch element per task.
         */
        private static byte[] silhouetteSteps(Raster r, EdgeTopology topology) {
            int tCount = topology.triangles().count();
            byte[] steps = new byte[r.batch() * tCount];
            Arrays.fill(steps, (byte) MAX_WALK);
            IntStream.range(0, r.batch()).parallel().forEach(b -> {
                int base = b * tCount;
                int[] queue = new int[tCount];
                int tail = 0;
                for (int t = 0; t < tCount; t++) {
                    if (hasSilhouetteEdge(r, topology, b, t)) {
                        steps[base + t] = 0;
                        queue[tail++] = t;
                    }
                }
                for (int head = 0; head < tail; head++) {
                    int n = queue[head];
                    int level = steps[base + n] + 1;
                    if (level == MAX_WALK) {
                        break;                                               // the queue holds levels in order
                    }
                    for (int i = 0; i < topology.referrerCount(n); i++) {
                        int t = topology.referrer(n, i);
                        if (steps[base + t] == MAX_WALK && r.facing(b, t) == r.facing(b, n)) {
                            steps[base + t] = (byte) level;
                            queue[tail++] = t;
                        }
                    }
                }
            });
            return steps;
        }

        /**
         * Whether the edge from a drawn triangle facing {@code facing} into {@code neighbour} is a silhouette edge,
         * where the walk stops: a boundary or non-manifold edge, or a neighbour facing the other way or not drawn. The
         * walk and the exact reject both use this one test.
         */
        private static boolean crossesSilhouette(Raster r, int b, int facing, int neighbour) {
            return neighbour < 0 || r.facing(b, neighbour) != facing;
        }

        /** Whether triangle t of batch element b is drawn and the walk would stop at one of its edges. */
        private static boolean hasSilhouetteEdge(Raster r, EdgeTopology topology, int b, int t) {
            int facing = r.facing(b, t);
            for (int k = 0; k < 3 && facing != 0; k++) {
                int n = topology.neighbour(t, k);
                if (crossesSilhouette(r, b, facing, n)) {
                    return true;
                }
            }
            return false;
        }

        private static Pairs concat(Pairs[] parts) {
            Pairs all = new Pairs();
            all.resize(Arrays.stream(parts).mapToInt(part -> part.count).sum());
            for (Pairs part : parts) {
                int at = all.count;
                System.arraycopy(part.source, 0, all.source, at, part.count);
                System.arraycopy(part.target, 0, all.target, at, part.count);
                System.arraycopy(part.edgeStart, 0, all.edgeStart, at, part.count);
                System.arraycopy(part.edgeEnd, 0, all.edgeEnd, at, part.count);
                System.arraycopy(part.centreX, 0, all.centreX, at, part.count);
                System.arraycopy(part.centreY, 0, all.centreY, at, part.count);
                System.arraycopy(part.offsetX, 0, all.offsetX, at, part.count);
                System.arraycopy(part.offsetY, 0, all.offsetY, at, part.count);
                System.arraycopy(part.sigma, 0, all.sigma, at, part.count);
                all.count += part.count;
            }
            return all;
        }

        /** Examines the pair (p at (x, y), q = p + (dx, dy)); keeps it when a silhouette edge of the front triangle separates them. */
        private void consider(Raster r, EdgeTopology topology, int b, int p, int q, int x, int y, int dx, int dy,
                              int[] ids, float[] depth, byte[] steps) {
            double zp = ids[p] < 0 ? Double.POSITIVE_INFINITY : depth[p];
            double zq = ids[q] < 0 ? Double.POSITIVE_INFINITY : depth[q];
            boolean pFront = zp <= zq;
            int f = pFront ? p : q;
            int o = pFront ? q : p;
            int tf = ids[f];
            if (tf < 0 || steps[b * topology.triangles().count() + tf] == MAX_WALK) {
                return;                                                      // no silhouette edge within the walk
            }
            double fx = (pFront ? x : x + dx) + 0.5;
            double fy = (pFront ? y : y + dy) + 0.5;
            double ox = pFront ? dx : -dx;
            double oy = pFront ? dy : -dy;
            // walk along the segment F -> O through F's triangle and on across shared edges into neighbours that face
            // the same way (the same surface; silhouettes of curved meshes are often behind thin sliver triangles)
            // until an edge is a silhouette, or O turns out to lie on the same surface
            int[] corners = topology.triangles().indices();
            double[] sx = r.screenXs();
            double[] sy = r.screenYs();
            int vBase = b * r.vertexCount();
            int current = tf;
            double entry = -1;
            int exit = -1;
            double exitT = 0;
            for (int step = 0; step < MAX_WALK; step++) {
                // the sign of the screen-space area; the walk only enters drawn triangles, whose facing is that sign
                // negated (screen y points down), as computed by the rasteriser from the same screen positions
                int facing = r.facing(b, current);
                double orientation = -facing;
                exit = -1;
                exitT = Double.POSITIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    int a = vBase + corners[3 * current + (k + 1) % 3];
                    int c = vBase + corners[3 * current + (k + 2) % 3];
                    double eF = orientation * Rasterizer.edge(sx[a], sy[a], sx[c], sy[c], fx, fy);
                    double eO = orientation * Rasterizer.edge(sx[a], sy[a], sx[c], sy[c], fx + ox, fy + oy);
                    if (eO < 0 && eF >= 0) {
                        double t = eF / (eF - eO);
                        if (t < exitT && t >= entry) {
                            exitT = t;
                            exit = k;
                        }
                    }
                }
                if (exit < 0) {
                    return;                                                  // O lies on this surface: no silhouette
                }
                int neighbour = topology.neighbour(current, exit);
                if (crossesSilhouette(r, b, facing, neighbour)) {
                    break;                                                   // a silhouette edge of `current` (facing != 0)
                }
                current = neighbour;
                entry = exitT;
                if (step == MAX_WALK - 1) {
                    return;
                }
            }
            int a = vBase + corners[3 * current + (exit + 1) % 3];
            int c = vBase + corners[3 * current + (exit + 2) % 3];
            double edgeDx = Math.abs(sx[c] - sx[a]);
            double edgeDy = Math.abs(sy[c] - sy[a]);
            boolean perpendicularEnough = dx == 1 ? edgeDy >= edgeDx : edgeDx > edgeDy;
            if (!perpendicularEnough) {
                return;
            }
            grow();
            int i = count++;
            boolean intoO = exitT > 0.5;
            source[i] = intoO ? f : o;
            target[i] = intoO ? o : f;
            edgeStart[i] = a;
            edgeEnd[i] = c;
            centreX[i] = fx;
            centreY[i] = fy;
            offsetX[i] = ox;
            offsetY[i] = oy;
            sigma[i] = intoO ? 1 : -1;
        }

        private void grow() {
            if (count < source.length) {
                return;
            }
            resize(2 * source.length);
        }

        private void resize(int n) {
            source = Arrays.copyOf(source, n);
            target = Arrays.copyOf(target, n);
            edgeStart = Arrays.copyOf(edgeStart, n);
            edgeEnd = Arrays.copyOf(edgeEnd, n);
            centreX = Arrays.copyOf(centreX, n);
            centreY = Arrays.copyOf(centreY, n);
            offsetX = Arrays.copyOf(offsetX, n);
            offsetY = Arrays.copyOf(offsetY, n);
            sigma = Arrays.copyOf(sigma, n);
        }
    }
}
