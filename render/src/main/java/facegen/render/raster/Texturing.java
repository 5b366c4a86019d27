package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * Stage 3 of 4: texture lookups, as nvdiffrast's {@code texture} (bilinear filtering, no mipmaps), differentiable
 * with respect to the texture and the UV coordinates.
 *
 * <p>How: the four taps of each lookup are chosen on the host from the UV values (the integer part is piecewise
 * constant, so it carries no gradient), the texels are read by one {@code weightedGather}, and the bilinear weights
 * (1 - fx)(1 - fy), fx (1 - fy), (1 - fx) fy, fx fy are tensor ops of the UVs, so d out / d uv is exact wherever
 * the tap choice does not change. With a raster only covered pixels are looked up (the rest read 0).
 * {@link #textureReference} is the same lookup written with {@code gridSample}, kept for agreement tests.
 */
public final class Texturing {

    private Texturing() {}

    /**
     * Samples {@code tex} at {@code uv}: out[b, c, y, x] = bilinear(tex[b, c], u W_t - 0.5, v H_t - 0.5) with (u, v)
     * = uv[b, :, y, x], i.e. u = 0 is the left edge of texel column 0 and v = 0 the top edge of texel row 0
     * (grid_sample with align_corners=False at grid = 2 uv - 1).
     *
     * @param tex      texture [1, C, Ht, Wt] (shared by the batch) or [B, C, Ht, Wt]; receives gradients
     * @param uv       texture coordinates [B, 2, H, W] (channel 0 = u, 1 = v), e.g. from {@link Interpolation};
     *                 receives gradients
     * @param rast     when not null, only pixels it covers are sampled and the others are 0; null samples every pixel
     * @param boundary what taps outside the texture read
     * @return the sampled image [B, C, H, W]
     * @throws IllegalArgumentException for mismatched shapes, or a NaN or infinite UV at a sampled pixel (naming it)
     */
    public static Tensor texture(Tensor tex, Tensor uv, Raster rast, BoundaryMode boundary) {
        if (tex.rank() != 4 || uv.rank() != 4 || uv.dim(1) != 2 || (tex.dim(0) != 1 && tex.dim(0) != uv.dim(0))) {
            throw new IllegalArgumentException("texture expects tex [1 or B, C, Ht, Wt] and uv [B, 2, H, W], got "
                    + tex.shape() + " and " + uv.shape());
        }
        int batch = uv.dim(0);
        int height = uv.dim(2);
        int width = uv.dim(3);
        if (rast != null && (rast.batch() != batch || rast.height() != height || rast.width() != width)) {
            throw new IllegalArgumentException("uv " + uv.shape() + " does not match the raster [" + rast.batch() + ", "
                    + rast.height() + ", " + rast.width() + "]");
        }
        int channels = tex.dim(1);
        int texH = tex.dim(2);
        int texW = tex.dim(3);
        int hw = height * width;
        int[] pixels;
        if (rast != null) {
            pixels = rast.coverage().pixels();
        } else {
            pixels = new int[batch * hw];
            java.util.Arrays.setAll(pixels, i -> i);
        }
        int n = pixels.length;
        if (n == 0) {
            return ScreenSpace.connectedZeros(batch, channels, height, width, tex, uv);
        }
        Backend backend = uv.backend();
        Tensor uvAt = ScreenSpace.gatherPixels(uv, pixels);                    // [2, n]
        double[] uvHost = uvAt.toArray();
        // f = uv * scale - origin [2, n] (row 0 = fx, row 1 = fy) is the fractional position within the tap square,
        // u Wt - (x0 + 0.5); written with per-pixel constants so that a lookup whose two taps fall on the same side
        // outside the texture gets f = 0 exactly (scale 0): its value does not depend on u there, and a huge u would
        // otherwise cancel badly
        double[] scale = new double[2 * n];
        double[] origin = new double[2 * n];
        double[] mask = boundary == BoundaryMode.ZERO ? new double[4 * n] : null;
        double[] tapIndex = new double[4 * n];                                  // into the texels of one channel
        for (int i = 0; i < n; i++) {
            double uh = uvHost[i];
            double vh = uvHost[n + i];
            if (!Double.isFinite(uh) || !Double.isFinite(vh)) {
                int p = pixels[i];
                throw new IllegalArgumentException("uv at pixel (x " + p % width + ", y " + (p % hw) / width + ") of image "
                        + p / hw + " is (" + uh + ", " + vh + "): not finite");
            }
            long x0 = tapOrigin(uh * texW - 0.5, texW, boundary);
            long y0 = tapOrigin(vh * texH - 0.5, texH, boundary);
            boolean liveX = boundary == BoundaryMode.WRAP || (x0 >= -1 && x0 <= texW - 1);
            boolean liveY = boundary == BoundaryMode.WRAP || (y0 >= -1 && y0 <= texH - 1);
            scale[i] = liveX ? texW : 0;
            scale[n + i] = liveY ? texH : 0;
            origin[i] = liveX ? x0 + 0.5 : 0;
            origin[n + i] = liveY ? y0 + 0.5 : 0;
            int texBatch = tex.dim(0) == 1 ? 0 : pixels[i] / hw;
            for (int j = 0; j < 4; j++) {
                long tx = x0 + (j & 1);
                long ty = y0 + (j >> 1);
                if (mask != null) {
                    mask[j * n + i] = tx >= 0 && tx < texW && ty >= 0 && ty < texH ? 1 : 0;
                }
                int cx = resolve(tx, texW, boundary);
                int cy = resolve(ty, texH, boundary);
                tapIndex[j * n + i] = ((double) texBatch * texH + cy) * texW + cx;
            }
        }
        Tensor f = uvAt.mul(ScreenSpace.constant(backend, scale, 2, n)).sub(ScreenSpace.constant(backend, origin, 2, n));
        // g [axis, side, n] = (1 - f, f): the linear weights of the lower and upper tap along x (axis 0) and y (axis 1)
        Tensor g = f.reshape(2, 1, n).mul(ScreenSpace.constant(backend, new double[] {-1, 1}, 1, 2, 1))
                .add(ScreenSpace.constant(backend, new double[] {1, 0}, 1, 2, 1));
        // tap weights [4, n], tap j = 2 ty + tx: gy[ty] gx[tx] by broadcasting [2, 1, n] against [1, 2, n]
        Tensor weights = g.slice(0, 1, 2).reshape(2, 1, n).mul(g.slice(0, 0, 1)).reshape(4, n);
        if (mask != null) {
            weights = weights.mul(ScreenSpace.constant(backend, mask, 4, n));
        }
        // the texels as rows [C, Bt Ht Wt], so one index per tap serves every channel; the four weighted taps are
        // one weighted gather to [C, n] (no [C, 4, n] intermediate), and the scatter then moves each pixel once
        Tensor rows = (tex.dim(0) == 1 ? tex : tex.permute(1, 0, 2, 3)).reshape(channels, -1);
        Tensor colour = rows.weightedGather(ScreenSpace.indexTensor(backend, tapIndex).reshape(4, n), weights);
        return ScreenSpace.scatterCovered(colour, pixels, batch, height, width);
    }

    /**
     * The same bilinear lookup with the engine's {@code gridSample} (zero padding, every pixel): the reference
     * {@link #texture} with {@link BoundaryMode#ZERO} and no raster must agree with.
     *
     * @param tex texture [B, C, Ht, Wt]
     * @param uv  coordinates [B, 2, H, W]
     * @return [B, C, H, W]
     */
    public static Tensor textureReference(Tensor tex, Tensor uv) {
        Tensor grid = uv.permute(0, 2, 3, 1).mul(2).sub(1);                     // [B, H, W, 2] in [-1, 1]
        return tex.gridSample(grid);
    }

    /**
     * floor of the continuous texel coordinate; for CLAMP and ZERO kept within [-2, size] (beyond that both taps
     * read the same edge texel, or zero). WRAP is exact while |coordinate| is well below 2^52.
     */
    private static long tapOrigin(double coordinate, int size, BoundaryMode boundary) {
        double c = boundary == BoundaryMode.WRAP ? coordinate : Math.max(-2, Math.min(size, coordinate));
        return (long) Math.floor(c);
    }

    /** The texel that tap coordinate {@code t} reads (its validity for ZERO is decided by the caller). */
    private static int resolve(long t, int size, BoundaryMode boundary) {
        return switch (boundary) {
            case WRAP -> (int) Math.floorMod(t, (long) size);
            case CLAMP, ZERO -> (int) Math.max(0, Math.min(size - 1, t));
        };
    }
}
