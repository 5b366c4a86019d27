package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;

/**
 * TF.js {@code maxPool} / {@code avgPool} with VALID padding on [N, C, H, W], composed from the k x k strided
 * slices of the input (one per window offset) combined by maximum or by mean; the output is
 * ceil((in - k + 1) / stride) per axis. Max-pool ties split the gradient evenly (the engine's maximum rule).
 *
 * @param kind   max or average
 * @param k      window side
 * @param stride window step
 */
public record TfPool2d(Kind kind, int k, int stride) {

    /** How a window is reduced. */
    public enum Kind {
        /** Largest value. */
        MAX,
        /** Mean value. */
        AVG
    }

    /** y [N, C, ceil((H - k + 1) / stride), ceil((W - k + 1) / stride)] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
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
}
