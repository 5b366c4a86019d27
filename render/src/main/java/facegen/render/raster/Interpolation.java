package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.Triangles;

/**
 * Stage 2 of 4: vertex attributes at pixels, as nvdiffrast's {@code interpolate}, differentiable with respect to
 * the attributes <em>and</em> the vertex positions.
 *
 * <p>How: the raster only says which triangle covers each pixel. For every visible triangle the barycentric
 * coordinates are affine functions of the screen position p, b_k(p) = e_k(p) / sum_j e_j(p) with edge functions
 * e_k(p) = c0_k + cx_k px + cy_k py, whose coefficients are products of the corners' screen positions. Perspective-
 * correct interpolation a(p) = sum_k e_k(p) a_k / w_k / sum_k e_k(p) / w_k is then a ratio of two affine functions
 * of p, so each triangle gets "plane" coefficients P = [c0; cx; cy] [a/w, 1/w] computed with tensor ops from the
 * gathered corner positions, and each covered pixel evaluates its triangle's planes at its centre. Gradients flow
 * through the planes to the clip-space positions (x, y, w; z does not affect interpolation) and to the attributes.
 * Coordinates are taken relative to each triangle's corner 0 so float32 planes stay accurate anywhere on screen.
 */
public final class Interpolation {

    private Interpolation() {}

    /**
     * Interpolates per-vertex attributes at every covered pixel: out[b, c, y, x] = sum_k bary_k attr[b, v_k, c] with
     * perspective-correct barycentrics of the triangle covering pixel (x, y) of image b; 0 at background pixels.
     *
     * @param attr attributes [V, C] (shared by the batch) or [B, V, C]; receives gradients
     * @param rast the raster of {@code pos} (from {@link Rasterizer#rasterize} with the same values)
     * @param tri  the triangles that were rasterised
     * @param pos  clip-space positions [V, 4] or [B, V, 4], the tensor that was rasterised; receives gradients
     * @return the attribute image [B, C, H, W]
     * @throws IllegalArgumentException when shapes, vertex counts or batch sizes disagree, or {@code tri} is not the
     *                                  raster's triangle list
     */
    public static Tensor interpolate(Tensor attr, Raster rast, Triangles tri, Tensor pos) {
        checkInputs(attr, rast, tri, pos);
        int batch = rast.batch();
        int v = rast.vertexCount();
        boolean shared = attr.rank() == 2;
        int channels = attr.dim(-1);
        int height = rast.height();
        int width = rast.width();
        Raster.Coverage cov = rast.coverage();
        int n = cov.pixels().length;
        int m = cov.visible().length;
        if (n == 0) {
            return ScreenSpace.connectedZeros(batch, channels, height, width, attr, pos);
        }
        Backend backend = pos.backend();
        int tCount = tri.count();

        // corners of the visible triangles, corner-major [3, m] (so per-triangle constants broadcast as one
        // contiguous row and the cyclic corner shifts move whole rows); (rx, ry) = corner 0 on screen, the local origin
        int[] corner = new int[3 * m];
        double[] rx = new double[m];
        double[] ry = new double[m];
        for (int j = 0; j < m; j++) {
            int g = cov.visible()[j];
            int b = g / tCount;
            int t = g % tCount;
            for (int k = 0; k < 3; k++) {
                corner[k * m + j] = b * v + tri.corner(t, k);
            }
            rx[j] = rast.screenX(b, tri.corner(t, 0));
            ry[j] = rast.screenY(b, tri.corner(t, 0));
        }
        ScreenSpace.Gathered s = ScreenSpace.gather(pos, corner, height, width, 3, m);
        Tensor x = s.sx().sub(ScreenSpace.constant(backend, rx, 1, m));          // [3, m] local screen x
        Tensor y = s.sy().sub(ScreenSpace.constant(backend, ry, 1, m));
        Tensor next = ScreenSpace.index(backend, new int[] {1, 2, 0});
        Tensor last = ScreenSpace.index(backend, new int[] {2, 0, 1});
        Tensor x1 = x.indexSelect(0, next);                                     // corner k+1
        Tensor x2 = x.indexSelect(0, last);                                     // corner k+2
        Tensor y1 = y.indexSelect(0, next);
        Tensor y2 = y.indexSelect(0, last);
        // e_k(d) = c0_k + cx_k dx + cy_k dy for the edge opposite corner k, d = pixel centre - corner 0
        Tensor c0 = x1.mul(y2).sub(x2.mul(y1));
        Tensor cx = y1.sub(y2);
        Tensor cy = x2.sub(x1);
        // [corner, coef, m] divided by w_k, viewed as [3, 3m]: column coef m + t holds triangle t's coefficient coef
        Tensor weighted = Tensor.concat(1, c0.reshape(3, 1, m), cx.reshape(3, 1, m), cy.reshape(3, 1, m))
                .mul(s.inverseW().reshape(3, 1, m)).reshape(3, 3 * m);

        // plane coefficients [C + 1, 3m]: rows 0..C-1 the numerators sum_k e_k a_k / w_k (one weighted gather of the
        // corners' attributes), row C the denominator sum_k e_k / w_k, so one gather evaluates both at the pixels
        int[] cornerIndex = new int[3 * 3 * m];
        for (int k = 0; k < 3; k++) {
            for (int coef = 0; coef < 3; coef++) {
                for (int j = 0; j < m; j++) {
                    int global = corner[k * m + j];
                    cornerIndex[(k * 3 + coef) * m + j] = shared ? global % v : global;
                }
            }
        }
        Tensor attrRows = attr.reshape(-1, channels).transpose(0, 1);           // [C, V] or [C, B V]
        Tensor planes = Tensor.concat(0,
                attrRows.weightedGather(ScreenSpace.index(backend, cornerIndex).reshape(3, 3 * m), weighted),
                weighted.sum(0).reshape(1, 3 * m));

        // each pixel's planes at its centre, sum_coef plane[coef] (1, dx, dy)[coef], then the ratio; only covered
        // pixels are evaluated and scattered, so the background stays 0
        double[] coords = new double[3 * n];
        int[] planeColumn = new int[3 * n];
        for (int i = 0; i < n; i++) {
            coords[i] = 1;
            coords[n + i] = cov.dx()[i];
            coords[2 * n + i] = cov.dy()[i];
            for (int coef = 0; coef < 3; coef++) {
                planeColumn[coef * n + i] = coef * m + cov.pixelTriangle()[i];
            }
        }
        Tensor values = planes.weightedGather(ScreenSpace.index(backend, planeColumn).reshape(3, n),
                ScreenSpace.constant(backend, coords, 3, n));                  // [C + 1, n]
        Tensor ratio = values.slice(0, 0, channels).div(values.slice(0, channels, channels + 1));
        return ScreenSpace.scatterCovered(ratio, cov.pixels(), batch, height, width);
    }

    private static void checkInputs(Tensor attr, Raster rast, Triangles tri, Tensor pos) {
        int batch = rast.batch();
        int v = rast.vertexCount();
        if (!tri.equals(rast.triangles())) {
            throw new IllegalArgumentException("tri " + tri + " is not the triangle list that was rasterised ("
                    + rast.triangles() + ")");
        }
        int posBatch = Rasterizer.checkPositions(pos, tri);
        if (posBatch != batch) {
            throw new IllegalArgumentException("pos " + pos.shape() + " has batch " + posBatch + " but the raster has " + batch);
        }
        if (attr.rank() == 2) {
            if (attr.dim(0) != v) {
                throw new IllegalArgumentException("attr " + attr.shape() + " must be [V, C] with V = " + v);
            }
        } else if (attr.rank() != 3 || attr.dim(0) != batch || attr.dim(1) != v) {
            throw new IllegalArgumentException("attr must be [V, C] or [B, V, C] with B = " + batch + ", V = " + v
                    + ", got " + attr.shape());
        }
    }
}
