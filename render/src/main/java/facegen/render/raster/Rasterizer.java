package facegen.render.raster;

import facegen.engine.tensor.Tensor;
import facegen.render.mesh.Triangles;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Stage 1 of 4: visibility. For each pixel, the nearest triangle whose interior contains the pixel centre (a
 * z-buffer), with its barycentrics and depth, as nvdiffrast's {@code rasterize}.
 *
 * <p>Computed on the host in Java with edge functions (a GPU backend can replace this kernel; nothing downstream
 * depends on how it runs). Not differentiable: it only decides which triangle each pixel sees;
 * {@link Interpolation} and {@link Antialiasing} give gradients with respect to vertex positions.
 */
public final class Rasterizer {

    /** Screen-space |2 x area| below which a triangle is degenerate and covers nothing (square pixels). */
    static final double DEGENERATE_AREA = 1e-12;
    /** Rows per band of the parallel z-buffer: small enough for load balance, large enough that few triangles span two. */
    static final int BAND_ROWS = 16;

    private Rasterizer() {}

    /**
     * Rasterises triangles {@code tri} with clip-space vertex positions {@code pos} into B images of
     * {@code height x width} pixels.
     *
     * <p>Pixel (i, j) (column i, row j, row 0 at the top) is covered by a triangle when its centre (i + 0.5,
     * j + 0.5) in screen space lies inside it; screen x = (x/w + 1) W / 2, screen y = (1 - y/w) H / 2. Pixel
     * centres exactly on an edge go to one of the two triangles sharing it (a top-left style rule), so closed meshes
     * have neither holes nor double coverage. Both orientations are drawn (no culling). Among covering triangles the
     * smallest depth z/w wins; depths outside [-1, 1] are clipped per pixel. Barycentrics are perspective-correct.
     *
     * <p>Defined results for awkward input: triangles with a vertex at w &lt;= 0 (behind the eye) are skipped (no
     * near-plane clipping), degenerate triangles (zero screen area) cover nothing, vertices off screen are fine.
     *
     * @param pos    clip-space positions (x, y, z, w): [V, 4] (one image) or [B, V, 4]; not modified
     * @param tri    triangles indexing the V vertices; not modified
     * @param height image height H, at least 1
     * @param width  image width W, at least 1
     * @return the raster of B images
     * @throws IllegalArgumentException for a wrong shape, a vertex count that does not match {@code tri}, a NaN or
     *                                  infinite coordinate (naming the vertex), or a non-positive size
     */
    public static Raster rasterize(Tensor pos, Triangles tri, int height, int width) {
        int batch = checkPositions(pos, tri);
        return rasterize(pos.toArray(), batch, tri, height, width);
    }

    /**
     * {@link #rasterize(Tensor, Triangles, int, int)} of host values: {@code pos} holds B x V x 4 clip-space
     * coordinates, row-major. For meshes that are not tensors (UV layouts, tests).
     */
    public static Raster rasterize(double[] pos, int batch, Triangles tri, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + " x " + width);
        }
        int v = tri.vertexCount();
        double[] p = pos;
        if (batch < 1 || p.length != batch * v * 4) {
            throw new IllegalArgumentException("pos holds " + p.length + " values, expected B x V x 4 = " + batch + " x " + v + " x 4");
        }
        for (int i = 0; i < p.length; i++) {
            if (!Double.isFinite(p[i])) {
                int vertex = i / 4;
                throw new IllegalArgumentException("pos: vertex " + vertex % v + (batch > 1 ? " of batch element " + vertex / v : "")
                        + " has a non-finite coordinate " + "xyzw".charAt(i % 4) + " = " + p[i]);
            }
        }
        Frame frame = new Frame(p, batch, tri, height, width);
        for (int b = 0; b < batch; b++) {
            frame.setup(b);
            frame.bin(b);
        }
        IntStream.range(0, batch * frame.bands).parallel().forEach(frame::drawBand);
        return new Raster(batch, height, width, v, tri, frame.triangle, frame.baryU, frame.baryV, frame.depth, frame.sx,
                frame.sy, frame.facing);
    }

    /** Batch size of {@code pos} after checking it against the triangles. */
    static int checkPositions(Tensor pos, Triangles tri) {
        boolean batched = pos.rank() == 3;
        if (!(pos.rank() == 2 || batched) || pos.dim(-1) != 4) {
            throw new IllegalArgumentException("pos must be clip-space [V, 4] or [B, V, 4], got " + pos.shape());
        }
        int vertices = pos.dim(-2);
        if (vertices != tri.vertexCount()) {
            throw new IllegalArgumentException("pos " + pos.shape() + " has " + vertices + " vertices but the triangles index "
                    + tri.vertexCount());
        }
        return batched ? pos.dim(0) : 1;
    }

    /**
     * One call's work: {@link #setup} finds every triangle's facing and pixel bounds, {@link #bin} lists the
     * triangles overlapping each band of {@link #BAND_ROWS} rows (both cheap and sequential: one fork-join phase per
     * call costs less than two when the cores are shared), then {@link #drawBand} runs the z-buffer over the bands in
     * parallel. Each pixel belongs to one band, whose triangles are drawn in index order, so
     * the result is that of drawing all triangles in index order into one buffer, whatever the thread count.
     */
    private static final class Frame {
        final double[] p;           // [B*V*4] clip-space positions
        final int height;
        final int width;
        final int vertices;
        final int tCount;
        final int[] corners;        // tri.indices(): 3 corners per triangle
        final int bands;            // row bands per batch element
        final double[] sx;          // [B*V] screen x, NaN where w <= 0
        final double[] sy;          // [B*V] screen y
        final double[] zOverW;      // [B*V] z/w (read for drawn triangles only, whose w > 0)
        final double[] invW;        // [B*V] 1/w
        final byte[] facing;        // [B*T]
        final double[] area;        // [B*T] signed screen-space twice area
        final int[] bounds;         // [B*T*4] covered columns xFrom..xTo and rows yFrom..yTo; yFrom > yTo: none
        final int[][] bandStart;    // [B][bands + 1] where each band's triangles start in bandTriangles[b]
        final int[][] bandTriangles;
        final int[] triangle;
        final float[] baryU;
        final float[] baryV;
        final float[] depth;

        Frame(double[] p, int batch, Triangles tri, int height, int width) {
            this.p = p;
            this.height = height;
            this.width = width;
            this.vertices = tri.vertexCount();
            this.tCount = tri.count();
            this.corners = tri.indices();
            this.bands = (height + BAND_ROWS - 1) / BAND_ROWS;
            int n = batch * vertices;
            sx = new double[n];
            sy = new double[n];
            zOverW = new double[n];
            invW = new double[n];
            for (int i = 0; i < n; i++) {
                project(i);
            }
            facing = new byte[batch * tCount];
            area = new double[batch * tCount];
            bounds = new int[4 * batch * tCount];
            bandStart = new int[batch][];
            bandTriangles = new int[batch][];
            int pixels = batch * height * width;
            triangle = new int[pixels];
            baryU = new float[pixels];
            baryV = new float[pixels];
            depth = new float[pixels];
        }

        /**
         * Screen position, z/w and 1/w of vertex row i. Per-vertex and per-triangle bodies are methods of their own:
         * called thousands of times per frame they reach the optimising compiler within the first frames, where a loop
         * run once per frame waits for on-stack replacement.
         */
        private void project(int i) {
            double w = p[4 * i + 3];
            sx[i] = w > 0 ? (p[4 * i] / w + 1) * width / 2.0 : Double.NaN;
            sy[i] = w > 0 ? (1 - p[4 * i + 1] / w) * height / 2.0 : Double.NaN;
            zOverW[i] = p[4 * i + 2] / w;
            invW[i] = 1 / w;
        }

        /** Facing, area and pixel bounds of the triangles of batch element b. */
        void setup(int b) {
            for (int t = 0; t < tCount; t++) {
                setup(b * tCount + t, b * vertices, t);
            }
        }

        /** Facing, area and pixel bounds of triangle t, g = b*T + t, whose batch element's vertices start at vBase. */
        private void setup(int g, int vBase, int t) {
            bounds[4 * g + 2] = 0;
            bounds[4 * g + 3] = -1;
            int i0 = vBase + corners[3 * t];
            int i1 = vBase + corners[3 * t + 1];
            int i2 = vBase + corners[3 * t + 2];
            if (!(p[4 * i0 + 3] > 0 && p[4 * i1 + 3] > 0 && p[4 * i2 + 3] > 0)) {
                return;                                                         // a vertex behind the eye: not drawn
            }
            double a = edge(sx[i0], sy[i0], sx[i1], sy[i1], sx[i2], sy[i2]);      // screen space, y down
            if (!(Math.abs(a) > DEGENERATE_AREA)) {
                return;
            }
            facing[g] = (byte) (a < 0 ? 1 : -1);                                // y flips between clip and screen space
            area[g] = a;
            // pixel centres (i + 0.5, j + 0.5) inside the bounding box
            bounds[4 * g] = Math.max(0, (int) Math.ceil(Math.min(sx[i0], Math.min(sx[i1], sx[i2])) - 0.5));
            bounds[4 * g + 1] = Math.min(width - 1, (int) Math.floor(Math.max(sx[i0], Math.max(sx[i1], sx[i2])) - 0.5));
            if (bounds[4 * g] <= bounds[4 * g + 1]) {
                bounds[4 * g + 2] = Math.max(0, (int) Math.ceil(Math.min(sy[i0], Math.min(sy[i1], sy[i2])) - 0.5));
                bounds[4 * g + 3] = Math.min(height - 1, (int) Math.floor(Math.max(sy[i0], Math.max(sy[i1], sy[i2])) - 0.5));
            }
        }

        /** Lists, for each band of batch element b, the triangles whose rows overlap it, in index order. */
        void bin(int b) {
            int[] start = new int[bands + 1];
            for (int g = b * tCount; g < (b + 1) * tCount; g++) {
                for (int band = firstBand(g); band <= lastBand(g); band++) {
                    start[band + 1]++;
                }
            }
            for (int band = 0; band < bands; band++) {
                start[band + 1] += start[band];
            }
            int[] next = Arrays.copyOf(start, bands);
            int[] list = new int[start[bands]];
            for (int t = 0; t < tCount; t++) {
                int g = b * tCount + t;
                for (int band = firstBand(g); band <= lastBand(g); band++) {
                    list[next[band]++] = t;
                }
            }
            bandStart[b] = start;
            bandTriangles[b] = list;
        }

        private int firstBand(int g) {
            return bounds[4 * g + 2] / BAND_ROWS;
        }

        /** The last band triangle g overlaps, below {@link #firstBand} when it covers no rows (bounds 0..-1). */
        private int lastBand(int g) {
            return Math.floorDiv(bounds[4 * g + 3], BAND_ROWS);
        }

        /** The z-buffer over band {@code task} (batch-major), with a depth buffer of its own rows. */
        void drawBand(int task) {
            int b = task / bands;
            int band = task % bands;
            int rowFrom = band * BAND_ROWS;
            int rowTo = Math.min(height, rowFrom + BAND_ROWS);
            int offset = (b * height + rowFrom) * width;
            int end = (b * height + rowTo) * width;
            Arrays.fill(triangle, offset, end, -1);
            Arrays.fill(depth, offset, end, Float.POSITIVE_INFINITY);
            double[] zBuffer = new double[end - offset];
            Arrays.fill(zBuffer, Double.POSITIVE_INFINITY);
            int[] list = bandTriangles[b];
            for (int k = bandStart[b][band]; k < bandStart[b][band + 1]; k++) {
                draw(b, list[k], rowFrom, rowTo, offset, zBuffer);
            }
        }

        /**
         * Draws triangle t of batch element b into rows [rowFrom, rowTo), whose first pixel is at {@code offset} in
         * the output and at 0 in {@code zBuffer}. The edge functions are evaluated as {@link #edge} does, with the
         * per-row products hoisted (the same floating-point operations, so the same ties and barycentrics).
         */
        private void draw(int b, int t, int rowFrom, int rowTo, int offset, double[] zBuffer) {
            int g = b * tCount + t;
            int vBase = b * vertices;
            int i0 = vBase + corners[3 * t];
            // order the corners so the screen-space area is positive: positions (a, b, c) are corners (0, 1, 2) or (0, 2, 1)
            boolean swap = area[g] < 0;
            int ib = vBase + corners[3 * t + (swap ? 2 : 1)];
            int ic = vBase + corners[3 * t + (swap ? 1 : 2)];
            double ax = sx[i0], ay = sy[i0];
            double bx = sx[ib], by = sy[ib];
            double cx = sx[ic], cy = sy[ic];
            double za = zOverW[i0], zb = zOverW[ib], zc = zOverW[ic];
            double iwa = invW[i0], iwb = invW[ib], iwc = invW[ic];
            double twiceArea = Math.abs(area[g]);
            boolean tieA = includesTies(bx, by, cx, cy);                        // edge opposite position a
            boolean tieB = includesTies(cx, cy, ax, ay);
            boolean tieC = includesTies(ax, ay, bx, by);
            int xFrom = bounds[4 * g];
            int xTo = bounds[4 * g + 1];
            int yFrom = Math.max(rowFrom, bounds[4 * g + 2]);
            int yTo = Math.min(rowTo - 1, bounds[4 * g + 3]);
            for (int py = yFrom; py <= yTo; py++) {
                double qy = py + 0.5;
                // edge(u, v, q) = (vx - ux)(qy - uy) - (vy - uy)(qx - ux): the first product is constant along the row
                double rowA = (cx - bx) * (qy - by);
                double rowB = (ax - cx) * (qy - cy);
                double rowC = (bx - ax) * (qy - ay);
                int row = (py - rowFrom) * width;
                boolean entered = false;
                for (int px = xFrom; px <= xTo; px++) {
                    double qx = px + 0.5;
                    double ea = rowA - (cy - by) * (qx - bx);
                    double eb = rowB - (ay - cy) * (qx - cx);
                    double ec = rowC - (by - ay) * (qx - ax);
                    // non-short-circuit: one branch per pixel instead of six poorly predicted ones
                    boolean inside = (ea > 0 | (ea == 0 & tieA)) & (eb > 0 | (eb == 0 & tieB)) & (ec > 0 | (ec == 0 & tieC));
                    if (!inside) {
                        // correctly rounded operations are monotone, so each computed edge function is monotone in qx
                        // along a row and the pixels inside all three form one run: past its end nothing is inside
                        if (entered) {
                            break;
                        }
                        continue;
                    }
                    entered = true;
                    double ba = ea / twiceArea;
                    double bb = eb / twiceArea;
                    double bc = ec / twiceArea;
                    double zz = ba * za + bb * zb + bc * zc;
                    int at = row + px;
                    if (zz < -1 || zz > 1 || !(zz < zBuffer[at])) {
                        continue;
                    }
                    double qa = ba * iwa;
                    double qb = bb * iwb;
                    double qc = bc * iwc;
                    double s = qa + qb + qc;
                    zBuffer[at] = zz;
                    triangle[offset + at] = t;
                    baryU[offset + at] = (float) (qa / s);                      // corner 0 is always position a
                    baryV[offset + at] = (float) ((swap ? qc : qb) / s);        // corner 1 is b, or c when swapped
                    depth[offset + at] = (float) zz;
                }
            }
        }
    }

    /** The edge function (b - a) x (q - a): twice the signed area of the triangle (a, b, q). */
    static double edge(double ax, double ay, double bx, double by, double qx, double qy) {
        return (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
    }

    /**
     * Whether pixel centres exactly on the edge a->b count as inside. Any rule that gives opposite answers for the
     * two directions of an edge works: two triangles of equal orientation traverse a shared edge in opposite
     * directions, so exactly one of them takes the centre.
     */
    private static boolean includesTies(double ax, double ay, double bx, double by) {
        double dx = bx - ax;
        double dy = by - ay;
        return dy > 0 || (dy == 0 && dx > 0);
    }
}
