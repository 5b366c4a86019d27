package facegen.nn.layers;

import facegen.engine.tensor.Tensor;

/**
 * The activation functions of stylegan2-ada's bias_act, each with its default slope alpha and its default gain
 * (the factor that keeps the activations' second moment near 1 for unit-variance inputs: He et al. 2015).
 */
public enum Activation {
    /** f(x) = x; gain 1. */
    LINEAR(0, 1),
    /** f(x) = x for x > 0, alpha x otherwise, alpha 0.2; gain sqrt(2). The derivative at 0 is alpha (PyTorch's). */
    LRELU(0.2, Math.sqrt(2)),
    /**
     * f(x) = log(1 + e^x), written max(x, 0) + log(1 + e^{-|x|}) so neither term overflows; gain 1. The
     * logistic GAN losses: softplus(-D(G(z))) = -log sigmoid(D(G(z))).
     */
    SOFTPLUS(0, 1);

    private final double defaultAlpha;
    private final double defaultGain;

    Activation(double defaultAlpha, double defaultGain) {
        this.defaultAlpha = defaultAlpha;
        this.defaultGain = defaultGain;
    }

    /** The default slope of the negative part (0.2 for LRELU, else 0). */
    public double defaultAlpha() {
        return defaultAlpha;
    }

    /** The default gain (sqrt(2) for LRELU, else 1). */
    public double defaultGain() {
        return defaultGain;
    }

    /** f(x) elementwise, with the default alpha; differentiable to any order except at the kink. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case LRELU -> Tensor.where(x.gt(0), x, x.mul(defaultAlpha));
            case SOFTPLUS -> x.maximum(0).add(x.abs().neg().exp().add(1).log());
        };
    }
}
