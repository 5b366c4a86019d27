package facegen.nn.layers;

import facegen.engine.tensor.Tensor;

/** Pixel normalisation (Karras et al. 2018, section 4.2), stylegan2-ada's normalize_2nd_moment. */
public final class PixelNorm {

    private PixelNorm() {}

    /**
     * y = x / sqrt(mean(x^2 over axis 1) + 1e-8): each sample (or pixel) scaled to unit second moment; the
     * mapping network applies it to z.
     *
     * @param x [N, C, ...]; receives gradients
     * @return x's shape
     */
    public static Tensor normalize2ndMoment(Tensor x) {
        return x.mul(x.square().mean(new int[] {1}, true).add(1e-8).pow(-0.5));
    }
}
