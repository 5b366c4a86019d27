package facegen.nn.layers;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.Shapes;

/**
 * upfirdn2d: upsample by zero insertion, pad, FIR filter, downsample by decimation, composed from engine
 * primitives (reshape, pad, slice, conv2d) exactly as stylegan2-ada's reference implementation _upfirdn2d_ref.
 *
 * <p>For x [N, C, H, W], up u, down d, padding (px0, px1, py0, py1), filter f of extent k:
 * <ol>
 *   <li>upsample: insert u - 1 zeros after every pixel along each axis: [N, C, H u, W u];</li>
 *   <li>pad: add px0 columns left, px1 right, py0 rows above, py1 below (a negative width crops);</li>
 *   <li>FIR: convolve each channel with f scaled by gain (a true convolution, f flipped, unless flipFilter);</li>
 *   <li>downsample: keep every d-th pixel along each axis.</li>
 * </ol>
 * Output extent: H' = (H u + py0 + py1 - k) / d + 1 (floor), likewise W'. The backward pass needs no rule of its
 * own: autodiff of the composition is upfirdn2d with up and down swapped and the filter flipped.
 */
public final class Upfirdn2d {

    private Upfirdn2d() {}

    /**
     * Padding of upfirdn2d in stylegan2-ada's order; negative values crop.
     *
     * @param x0 columns added left
     * @param x1 columns added right
     * @param y0 rows added above
     * @param y1 rows added below
     */
    public record Padding(int x0, int x1, int y0, int y1) {

        /** No padding. */
        public static final Padding NONE = new Padding(0, 0, 0, 0);

        /** The same padding {@code p} on all four sides. */
        public static Padding of(int p) {
            return new Padding(p, p, p, p);
        }
    }

    /**
     * y = downsample_d(FIR_f(pad(upsample_u(x)))) * gain, as described in the class comment.
     *
     * @param x          [N, C, H, W]; receives gradients
     * @param f          the filter (not differentiated)
     * @param up         upsampling factor (>= 1)
     * @param down       downsampling factor (>= 1)
     * @param padding    padding after upsampling; negative crops
     * @param flipFilter false = convolution (f flipped before correlating), true = correlation
     * @param gain       overall scaling of the signal magnitude
     * @return [N, C, (H up + py0 + py1 - k) / down + 1, (W up + px0 + px1 - k) / down + 1]
     */
    public static Tensor upfirdn2d(Tensor x, FirFilter f, int up, int down, Padding padding, boolean flipFilter,
                                   double gain) {
        Shapes.require("upfirdn2d: x", x, Shapes.ANY, Shapes.ANY, Shapes.ANY, Shapes.ANY);
        if (up < 1 || down < 1) {
            throw new IllegalArgumentException("upfirdn2d: up and down must be >= 1, got " + up + ", " + down);
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int k = f.size();
        int outH = x.dim(2) * up + padding.y0() + padding.y1();
        int outW = x.dim(3) * up + padding.x0() + padding.x1();
        if (outH < k || outW < k) {
            throw new IllegalArgumentException("upfirdn2d: x " + x.shape() + " with up " + up + " and " + padding
                    + " is smaller than the " + k + " x " + k + " filter");
        }

        Tensor y = x;
        if (up > 1) {                                                    // zeros after each pixel
            int h = x.dim(2);
            int w = x.dim(3);
            y = y.reshape(n, c, h, 1, w, 1)                              // [N, C, H, 1, W, 1]
                    .pad(new int[6], new int[] {0, 0, 0, up - 1, 0, up - 1})  // [N, C, H, u, W, u]
                    .reshape(n, c, h * up, w * up);                      // [N, C, H u, W u]
        }
        y = padOrCrop(y, padding);                                       // [N, C, outH, outW]

        // Each channel is filtered alike: fold channels into the batch and run a 1-channel conv.
        Tensor kernel = f.tensor(x.backend(), gain, !flipFilter);
        y = y.reshape(n * c, 1, outH, outW);                             // [N C, 1, outH, outW]
        ConvGeometry valid = ConvGeometry.of(1, 0);
        if (f.separable()) {
            y = y.conv2d(kernel.reshape(1, 1, 1, k), valid);             // rows:    [N C, 1, outH, outW - k + 1]
            y = y.conv2d(kernel.reshape(1, 1, k, 1), valid);             // columns: [N C, 1, outH - k + 1, ...]
        } else {
            y = y.conv2d(kernel.reshape(1, 1, k, k), valid);             // [N C, 1, outH - k + 1, outW - k + 1]
        }
        if (down > 1) {
            y = y.slice(new int[] {0, 0, 0, 0}, y.shape().dims(), new int[] {1, 1, down, down});
        }
        return y.reshape(n, c, y.dim(2), y.dim(3));                      // [N, C, H', W']
    }

    /**
     * Upsampling by {@code up} with the padding that keeps the image centred (output [N, C, H up, W up] for
     * zero extra padding) and gain up^2, which keeps the mean of the signal: stylegan2-ada's upsample2d.
     */
    public static Tensor upsample2d(Tensor x, FirFilter f, int up, Padding padding, double gain) {
        int k = f.size();
        Padding p = new Padding(padding.x0() + (k + up - 1) / 2, padding.x1() + (k - up) / 2,
                padding.y0() + (k + up - 1) / 2, padding.y1() + (k - up) / 2);
        return upfirdn2d(x, f, up, 1, p, false, gain * up * up);
    }

    /** {@link #upsample2d} by 2 with no extra padding and gain 1: [N, C, H, W] to [N, C, 2H, 2W]. */
    public static Tensor upsample2d(Tensor x, FirFilter f) {
        return upsample2d(x, f, 2, Padding.NONE, 1);
    }

    /**
     * Downsampling by {@code down} with the padding that keeps the image centred (output [N, C, H / down,
     * W / down] for zero extra padding): stylegan2-ada's downsample2d.
     */
    public static Tensor downsample2d(Tensor x, FirFilter f, int down, Padding padding, double gain) {
        int k = f.size();
        Padding p = new Padding(padding.x0() + (k - down + 1) / 2, padding.x1() + (k - down) / 2,
                padding.y0() + (k - down + 1) / 2, padding.y1() + (k - down) / 2);
        return upfirdn2d(x, f, 1, down, p, false, gain);
    }

    /** {@link #downsample2d} by 2 with no extra padding and gain 1: [N, C, H, W] to [N, C, H / 2, W / 2]. */
    public static Tensor downsample2d(Tensor x, FirFilter f) {
        return downsample2d(x, f, 2, Padding.NONE, 1);
    }

    /** Zero padding where a width is positive, cropping where it is negative (the engine's pad takes no negatives). */
    private static Tensor padOrCrop(Tensor x, Padding p) {
        Tensor y = x;
        if (p.x0() > 0 || p.x1() > 0 || p.y0() > 0 || p.y1() > 0) {
            y = y.pad(new int[] {0, 0, Math.max(p.y0(), 0), Math.max(p.x0(), 0)},
                    new int[] {0, 0, Math.max(p.y1(), 0), Math.max(p.x1(), 0)});
        }
        if (p.x0() < 0 || p.x1() < 0 || p.y0() < 0 || p.y1() < 0) {
            int[] start = {0, 0, Math.max(-p.y0(), 0), Math.max(-p.x0(), 0)};
            int[] end = {y.dim(0), y.dim(1), y.dim(2) - Math.max(-p.y1(), 0), y.dim(3) - Math.max(-p.x1(), 0)};
            y = y.slice(start, end, new int[] {1, 1, 1, 1});
        }
        return y;
    }
}
