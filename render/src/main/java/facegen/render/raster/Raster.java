package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.Triangles;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The output of {@link Rasterizer#rasterize}: for every pixel of a batch of B images of H x W pixels, the nearest
 * triangle whose interior contains the pixel centre, its perspective-correct barycentrics and its depth; plus the
 * host-side facts the other three ops reuse (screen positions of the vertices, triangle facing, the list of covered
 * pixels). Not differentiable: {@link Interpolation#interpolate} recomputes barycentrics from the vertex positions
 * with tensor ops, so gradients reach them.
 *
 * <p>Immutable after construction except for lazily built host arrays; holds no tensors (tensors are scoped values,
 * see {@link facegen.engine.tensor.TensorScope}). {@link #toTensor} gives nvdiffrast's {@code rast} layout.
 */
public final class Raster {
    private final int batch;
    private final int height;
    private final int width;
    private final int vertexCount;
    private final Triangles triangles;
    private final int[] triangle;          // [B*H*W] triangle id within its batch element, or -1
    private final float[] baryU;           // [B*H*W] perspective-correct barycentric of corner 0
    private final float[] baryV;           // [B*H*W] of corner 1
    private final float[] depth;           // [B*H*W] z/w, +inf where empty
    private final double[] screenX;        // [B*V] screen x of each vertex ((x/w + 1) W / 2), NaN where w <= 0
    private final double[] screenY;        // [B*V] screen y ((1 - y/w) H / 2)
    private final byte[] facing;           // [B*T] +1 counter-clockwise in clip space, -1 clockwise, 0 not drawn
    private Coverage coverage;

    Raster(int batch, int height, int width, int vertexCount, Triangles triangles, int[] triangle, float[] baryU,
           float[] baryV, float[] depth, double[] screenX, double[] screenY, byte[] facing) {
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.vertexCount = vertexCount;
        this.triangles = triangles;
        this.triangle = triangle;
        this.baryU = baryU;
        this.baryV = baryV;
        this.depth = depth;
        this.screenX = screenX;
        this.screenY = screenY;
        this.facing = facing;
    }

    /** Batch size B. */
    public int batch() {
        return batch;
    }

    /** Image height H in pixels. */
    public int height() {
        return height;
    }

    /** Image width W in pixels. */
    public int width() {
        return width;
    }

    /** Vertices per batch element V. */
    public int vertexCount() {
        return vertexCount;
    }

    /** The triangles that were rasterised. */
    public Triangles triangles() {
        return triangles;
    }

    /** Triangle id (within its batch element) covering pixel (x, y) of image b, or -1 for background. */
    public int triangleAt(int b, int y, int x) {
        return triangle[pixel(b, y, x)];
    }

    /** Depth z/w at pixel (x, y) of image b; +infinity for background. */
    public double depthAt(int b, int y, int x) {
        return depth[pixel(b, y, x)];
    }

    /** Perspective-correct barycentrics (b0, b1, b2) at pixel (x, y) of image b; zeros for background. */
    public double[] barycentricsAt(int b, int y, int x) {
        int p = pixel(b, y, x);
        if (triangle[p] < 0) {
            return new double[3];
        }
        return new double[] {baryU[p], baryV[p], 1.0 - baryU[p] - baryV[p]};
    }

    /** Number of covered (non-background) pixels over the whole batch. */
    public int coveredCount() {
        return coverage().pixels.length;
    }

    /**
     * nvdiffrast's {@code rast} as a tensor [B, 4, H, W] with channels (u, v, z/w, triangle_id + 1): u, v are the
     * perspective-correct barycentrics of corners 0 and 1 (corner 2 has 1 - u - v), 0 in all four marks background.
     */
    public Tensor toTensor(Backend backend) {
        int hw = height * width;
        double[] v = new double[batch * 4 * hw];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < hw; p++) {
                int at = b * hw + p;
                if (triangle[at] >= 0) {
                    v[(b * 4) * hw + p] = baryU[at];
                    v[(b * 4 + 1) * hw + p] = baryV[at];
                    v[(b * 4 + 2) * hw + p] = depth[at];
                    v[(b * 4 + 3) * hw + p] = triangle[at] + 1;
                }
            }
        }
        return Tensor.of(backend, v, batch, 4, height, width);
    }

    /** A mask [B, 1, H, W]: 1 where a triangle covers the pixel centre, else 0. */
    public Tensor mask(Backend backend) {
        double[] v = new double[triangle.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = triangle[i] >= 0 ? 1 : 0;
        }
        return Tensor.of(backend, v, batch, 1, height, width);
    }

    /** The complement of {@link #mask}: [B, 1, H, W], 1 where no triangle covers the pixel centre, else 0. */
    public Tensor background(Backend backend) {
        double[] v = new double[triangle.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = triangle[i] >= 0 ? 0 : 1;
        }
        return Tensor.of(backend, v, batch, 1, height, width);
    }

    // ------------------------------------------------------------------ package-private facts for the other ops

    int pixel(int b, int y, int x) {
        if (b < 0 || b >= batch || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel (" + b + ", " + y + ", " + x + ") outside [" + batch + ", "
                    + height + ", " + width + "]");
        }
        return (b * height + y) * width + x;
    }

    int[] triangleIds() {
        return triangle;
    }

    float[] depths() {
        return depth;
    }

    double screenX(int b, int v) {
        return screenX[b * vertexCount + v];
    }

    double screenY(int b, int v) {
        return screenY[b * vertexCount + v];
    }

    /** Screen x of every vertex, [B*V] (shared, not a copy: for inner loops). */
    double[] screenXs() {
        return screenX;
    }

    /** Screen y of every vertex, [B*V] (shared, not a copy). */
    double[] screenYs() {
        return screenY;
    }

    int facing(int b, int t) {
        return facing[b * triangles.count() + t];
    }

    /** The covered pixels and the triangles that cover them, built once. */
    Coverage coverage() {
        if (coverage == null) {
            coverage = Coverage.of(this);
        }
        return coverage;
    }

    /**
     * Covered pixels in row-major order over (b, y, x), and the visible triangles: {@code pixels[n]} is a flat
     * pixel index b*H*W + y*W + x, {@code pixelTriangle[n]} indexes {@code visible}, whose entries are b*T + t.
     * {@code dx, dy} are the pixel centre minus the screen position of the triangle's corner 0 (the origin
     * of its local coordinates, which keeps float32 plane equations accurate far from the image origin).
     */
    record Coverage(int[] pixels, int[] pixelTriangle, int[] visible, double[] dx, double[] dy) {
        /**
         * Rows are listed in parallel, each into the range a first (cheap, sequential) counting pass gives it; the
         * visible triangles are then numbered in order of first appearance in one sequential pass.
         */
        static Coverage of(Raster r) {
            int h = r.height;
            int w = r.width;
            int rows = r.batch * h;
            int tCount = r.triangles.count();
            int[] ids = r.triangle;
            int[] rowStart = new int[rows + 1];
            for (int row = 0; row < rows; row++) {
                int covered = 0;
                for (int p = row * w; p < (row + 1) * w; p++) {
                    covered += ids[p] >= 0 ? 1 : 0;
                }
                rowStart[row + 1] = rowStart[row] + covered;
            }
            int n = rowStart[rows];
            int[] pixels = new int[n];
            int[] pixelTriangle = new int[n];          // b*T + t until the triangles are numbered below
            double[] dx = new double[n];
            double[] dy = new double[n];
            IntStream.range(0, rows).parallel().forEach(row -> {
                int b = row / h;
                double centreY = row % h + 0.5;
                int k = rowStart[row];
                for (int x = 0; x < w; x++) {
                    int p = row * w + x;
                    int t = ids[p];
                    if (t < 0) {
                        continue;
                    }
                    int v0 = b * r.vertexCount + r.triangles.corner(t, 0);
                    pixels[k] = p;
                    pixelTriangle[k] = b * tCount + t;
                    dx[k] = x + 0.5 - r.screenX[v0];
                    dy[k] = centreY - r.screenY[v0];
                    k++;
                }
            });
            int[] compact = new int[r.batch * tCount];
            Arrays.fill(compact, -1);
            int[] visible = new int[Math.min(n, r.batch * tCount)];
            int nVisible = 0;
            for (int k = 0; k < n; k++) {
                int global = pixelTriangle[k];
                if (compact[global] < 0) {
                    compact[global] = nVisible;
                    visible[nVisible++] = global;
                }
                pixelTriangle[k] = compact[global];
            }
            return new Coverage(pixels, pixelTriangle, Arrays.copyOf(visible, nVisible), dx, dy);
        }
    }
}
