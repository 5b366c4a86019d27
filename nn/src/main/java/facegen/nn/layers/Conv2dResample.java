package facegen.nn.layers;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.Shapes;
import facegen.nn.layers.Upfirdn2d.Padding;

/**
 * 2-D convolution with optional up- or downsampling through a FIR filter, stylegan2-ada's conv2d_resample:
 * y = downsample_down(FIR(conv(upsample_up(x), w))) with the padding applied once, up front.
 *
 * <p>As in StyleGAN's layers (flip_weight = (up == 1)), the weight is never flipped: a plain correlation (as
 * torch's conv2d) without resampling, and for up > 1 the transposed convolution of the same weight. Three paths:
 * <ul>
 *   <li>up = down = 1: one conv2d with symmetric padding;</li>
 *   <li>down > 1: FIR with the padding, then a strided conv2d;</li>
 *   <li>up > 1: a transposed conv2d with stride up (the engine's conv2dInputGrad), then FIR with gain up^2.</li>
 * </ul>
 */
public final class Conv2dResample {

    private Conv2dResample() {}

    /**
     * y = conv2d_resample(x, w): [N, C, H, W] to [N, O, H up / down, W up / down] for padding = k / 2.
     *
     * @param x       input [N, C, H, W]; receives gradients
     * @param w       weight [O, C / groups, k, k]; receives gradients
     * @param f       the low-pass filter used when resampling
     * @param up      upsampling factor (>= 1)
     * @param down    downsampling factor (>= 1); up and down together are not supported
     * @param padding zero padding with respect to the upsampled image (k / 2 keeps the extent)
     * @param groups  channel groups of the convolution (the batch, for the fused modulated conv)
     */
    public static Tensor conv2dResample(Tensor x, Tensor w, FirFilter f, int up, int down, int padding, int groups) {
        Shapes.require("conv2dResample: w", w, Shapes.ANY, x.dim(1) / groups, Shapes.ANY, Shapes.ANY);
        Shapes.require("conv2dResample: x", x, Shapes.ANY, w.dim(1) * groups, Shapes.ANY, Shapes.ANY);
        if (up < 1 || down < 1 || (up > 1 && down > 1)) {
            throw new IllegalArgumentException("conv2dResample: needs up >= 1, down >= 1, not both > 1; got up "
                    + up + ", down " + down);
        }
        int outChannels = w.dim(0);
        int inPerGroup = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        int fk = f.size();

        if (down > 1) {
            // pad by the filter's overhang so that the strided conv lands on the downsampled grid
            int p0 = padding + (fk - down + 1) / 2;
            int p1 = padding + (fk - down) / 2;
            Tensor y = Upfirdn2d.upfirdn2d(x, f, 1, 1, new Padding(p0, p1, p0, p1), false, 1);
            return y.conv2d(w, ConvGeometry.of(down, 0).withGroups(groups));
        }

        if (up > 1) {
            // the transposed conv takes the weight as [C, O / groups, k, k]
            Tensor wt = w.reshape(groups, outChannels / groups, inPerGroup, kh, kw) // [G, O/G, C/G, k, k]
                    .transpose(1, 2)                                      // [G, C/G, O/G, k, k]
                    .reshape(groups * inPerGroup, outChannels / groups, kh, kw); // [C, O/G, k, k]
            int px0 = padding + (fk + up - 1) / 2 - (kw - 1);
            int px1 = padding + (fk - up) / 2 - (kw - up);
            int py0 = padding + (fk + up - 1) / 2 - (kh - 1);
            int py1 = padding + (fk - up) / 2 - (kh - up);
            int pxt = Math.max(Math.min(-px0, -px1), 0);
            int pyt = Math.max(Math.min(-py0, -py1), 0);
            ConvGeometry transposed = new ConvGeometry(up, up, pyt, pxt, 1, 1, groups);
            int outH = (x.dim(2) - 1) * up - 2 * pyt + kh;
            int outW = (x.dim(3) - 1) * up - 2 * pxt + kw;
            Tensor y = x.conv2dInputGrad(wt, transposed, outH, outW);    // [N, O, (H-1) up + k - 2 pyt, ...]
            return Upfirdn2d.upfirdn2d(y, f, 1, 1, new Padding(px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt),
                    false, up * up);
        }

        return x.conv2d(w, ConvGeometry.of(1, padding).withGroups(groups));
    }
}
