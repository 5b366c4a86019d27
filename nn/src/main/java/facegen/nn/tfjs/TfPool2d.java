package facegen.nn.tfjs;

import facegen.engine.tensor.Tensor;

/**
 * TF.js {@code maxPool} / {@code avgPool} on [N, C, H, W], composed from the k x k strided slices of the input
 * (one per window offset) combined by maximum or by mean. VALID gives ceil((in - k + 1) / stride) per axis;
 * SAME (max only) gives ceil(in / stride), its pad cells holding -1e30 so they never win, as TF ignores them.
 * Max-pool ties split the gradient evenly (the engine's maximum rule).
 *
 * @param kind    max or average
 * @param k       window side
 * @param stride  window step
 * @param padding VALID, or SAME for MAX
 */
public record TfPool2d(Kind kind, int k, int stride, TfPadding padding) {
    private static final double EXCLUDED = -1e30;

    /** Rejects SAME average pooling, whose TF divisor counts only real cells (unused by face-api's nets). */
    public TfPool2d {
        if (kind == Kind.AVG && padding == TfPadding.SAME) {
            throw new IllegalArgumentException("SAME average pooling is not supported");
        }
    }

    /** How a window is reduced. */
    public enum Kind {
        /** Largest value. */
        MAX,
        /** Mean value. */
        AVG
    }

    /** y [N, C, H', W'] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        if (padding == TfPadding.SAME) {
            Tensor padded = TfPadding.SAME.apply(x, k, k, stride);
            x = padded.add(exclusionMask(x, padded));
        }
        int outH = Math.ceilDiv(x.dim(2) - k + 1, stride);
        int outW = Math.ceilDiv(x.dim(3) - k + 1, stride);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(k + "x" + k + " pool does not fit input " + x.shape());
        }
        Tensor y = null;
        for (int dy = 0; dy < k; dy++) {
            for (int dx = 0; dx < k; dx++) {
                Tensor window = x.slice(2, dy, dy + (outH - 1) * stride + 1, stride)
                        .slice(3, dx, dx + (outW - 1) * stride + 1, stride);
                y = y == null ? window : kind == Kind.MAX ? y.maximum(window) : y.add(window);
            }
        }
        return kind == Kind.MAX ? y : y.div(k * k);
    }

    /** [1, 1, H', W'] zero over the input's cells and -1e30 over the pad SAME added below and right of them. */
    private static Tensor exclusionMask(Tensor x, Tensor padded) {
        int h = padded.dim(2);
        int w = padded.dim(3);
        int top = (h - x.dim(2)) / 2;
        int left = (w - x.dim(3)) / 2;
        double[] mask = new double[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                boolean inside = i >= top && i < top + x.dim(2) && j >= left && j < left + x.dim(3);
                mask[i * w + j] = inside ? 0 : EXCLUDED;
            }
        }
        return Tensor.of(x.backend(), mask, 1, 1, h, w);
    }
}
