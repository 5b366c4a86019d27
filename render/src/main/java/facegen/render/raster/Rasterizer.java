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
        int hw = height * width;
        int tCount = tri.count();
        double[] sx = new double[batch * v];
        double[] sy = new double[batch * v];
        for (int i = 0; i < batch * v; i++) {
            double w = p[4 * i + 3];
            sx[i] = w > 0 ? (p[4 * i] / w + 1) * width / 2.0 : Double.NaN;
            sy[i] = w > 0 ? (1 - p[4 * i + 1] / w) * height / 2.0 : Double.NaN;
        }
        int[] triangle = new int[batch * hw];
        Arrays.fill(triangle, -1);
        float[] baryU = new float[batch * hw];
        float[] baryV = new float[batch * hw];
        float[] depth = new float[batch * hw];
        Arrays.fill(depth, Float.POSITIVE_INFINITY);
        double[] zBuffer = new double[batch * hw];
        Arrays.fill(zBuffer, Double.POSITIVE_INFINITY);
        byte[] facing = new byte[batch * tCount];
        int bands = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), height / 16));
        IntStream.range(0, batch * bands).parallel().forEach(task -> {
            int b = task / bands;
            int band = task % bands;
            int rowFrom = band * height / bands;
            int rowTo = (band + 1) * height / bands;
            Target target = new Target(b * hw, width, triangle, baryU, baryV, depth, zBuffer);
            for (int t = 0; t < tCount; t++) {
                int f = drawTriangle(p, sx, sy, b * v, tri, t, rowFrom, rowTo, width, target);
                if (band == 0) {
                    facing[b * tCount + t] = (byte) f;
                }
            }
        });
        return new Raster(batch, height, width, v, tri, triangle, baryU, baryV, depth, sx, sy, facing);
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

    /** Where one batch element's pixels go. */
    private record Target(int offset, int width, int[] triangle, float[] baryU, float[] baryV, float[] depth,
                          double[] zBuffer) {}

    /**
     * Draws triangle t into rows [rowFrom, rowTo) and returns its facing in clip space (+1 counter-clockwise,
     * -1 clockwise, 0 when not drawn: behind the eye or degenerate).
     */
    private static int drawTriangle(double[] p, double[] sx, double[] sy, int vBase, Triangles tri, int t,
                                    int rowFrom, int rowTo, int width, Target target) {
        int i0 = vBase + tri.corner(t, 0);
        int i1 = vBase + tri.corner(t, 1);
        int i2 = vBase + tri.corner(t, 2);
        double w0 = p[4 * i0 + 3];
        double w1 = p[4 * i1 + 3];
        double w2 = p[4 * i2 + 3];
        if (!(w0 > 0 && w1 > 0 && w2 > 0)) {
            return 0;
        }
        double area = edge(sx[i0], sy[i0], sx[i1], sy[i1], sx[i2], sy[i2]);    // screen space, y down
        if (!(Math.abs(area) > DEGENERATE_AREA)) {
            return 0;
        }
        int facing = area < 0 ? 1 : -1;                                         // y flips between clip and screen space
        if (rowFrom >= rowTo) {
            return facing;
        }
        // order the corners so the screen-space area is positive: positions (a, b, c) are corners (0, 1, 2) or (0, 2, 1)
        boolean swap = area < 0;
        int ib = swap ? i2 : i1;
        int ic = swap ? i1 : i2;
        double ax = sx[i0], ay = sy[i0];
        double bx = sx[ib], by = sy[ib];
        double cx = sx[ic], cy = sy[ic];
        int xFrom = Math.max(0, (int) Math.ceil(Math.min(ax, Math.min(bx, cx)) - 0.5));
        int xTo = Math.min(width - 1, (int) Math.floor(Math.max(ax, Math.max(bx, cx)) - 0.5));
        int yFrom = Math.max(rowFrom, (int) Math.ceil(Math.min(ay, Math.min(by, cy)) - 0.5));
        int yTo = Math.min(rowTo - 1, (int) Math.floor(Math.max(ay, Math.max(by, cy)) - 0.5));
        if (xFrom > xTo || yFrom > yTo) {
            return facing;                                                      // mostly: outside this band of rows
        }
        double za = p[4 * i0 + 2] / w0;
        double zb = p[4 * ib + 2] / p[4 * ib + 3];
        double zc = p[4 * ic + 2] / p[4 * ic + 3];
        double iwa = 1 / w0;
        double iwb = 1 / p[4 * ib + 3];
        double iwc = 1 / p[4 * ic + 3];
        double twiceArea = Math.abs(area);
        boolean tieA = includesTies(bx, by, cx, cy);                            // edge opposite position a
        boolean tieB = includesTies(cx, cy, ax, ay);
        boolean tieC = includesTies(ax, ay, bx, by);
        for (int py = yFrom; py <= yTo; py++) {
            double qy = py + 0.5;
            int row = target.offset + py * width;
            for (int px = xFrom; px <= xTo; px++) {
                double qx = px + 0.5;
                double ea = edge(bx, by, cx, cy, qx, qy);
                double eb = edge(cx, cy, ax, ay, qx, qy);
                double ec = edge(ax, ay, bx, by, qx, qy);
                if (ea < 0 || eb < 0 || ec < 0 || (ea == 0 && !tieA) || (eb == 0 && !tieB) || (ec == 0 && !tieC)) {
                    continue;
                }
                double ba = ea / twiceArea;
                double bb = eb / twiceArea;
                double bc = ec / twiceArea;
                double zz = ba * za + bb * zb + bc * zc;
                int at = row + px;
                if (zz < -1 || zz > 1 || !(zz < target.zBuffer[at])) {
                    continue;
                }
                double qa = ba * iwa;
                double qb = bb * iwb;
                double qc = bc * iwc;
                double s = qa + qb + qc;
                target.zBuffer[at] = zz;
                target.triangle[at] = t;
                target.baryU[at] = (float) (qa / s);                               // corner 0 is always position a
                target.baryV[at] = (float) ((swap ? qc : qb) / s);                 // corner 1 is b, or c when swapped
                target.depth[at] = (float) zz;
            }
        }
        return facing;
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
