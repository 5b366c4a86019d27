package facegen.nn.optim;

/**
 * Hyper-parameters of {@link Adam} (Kingma and Ba 2015, Algorithm 1), defaults those of StyleGAN2.
 *
 * @param lr    learning rate alpha (> 0); StyleGAN2 uses 0.002 (0.0025 at low resolutions)
 * @param beta1 decay of the first moment m, in [0, 1); StyleGAN2 uses 0 (no momentum)
 * @param beta2 decay of the second moment v, in [0, 1); StyleGAN2 uses 0.99
 * @param eps   added to sqrt(v hat) in the denominator (> 0); 1e-8
 */
public record AdamConfig(double lr, double beta1, double beta2, double eps) {

    /** Validates the ranges. */
    public AdamConfig {
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("invalid Adam hyper-parameters: " + this);
        }
    }

    /** StyleGAN2's optimizer: betas (0, 0.99), eps 1e-8, the given learning rate. */
    public static AdamConfig styleGan2(double lr) {
        return new AdamConfig(lr, 0, 0.99, 1e-8);
    }

    /**
     * The same optimizer for a network regularised lazily every {@code interval} minibatches (StyleGAN2 appendix
     * B): with c = interval / (interval + 1), lr' = c lr and beta' = beta^c, so that main and regularisation
     * steps together move as far as an unregularised optimizer would.
     */
    public AdamConfig lazyRegularized(int interval) {
        if (interval < 1) {
            throw new IllegalArgumentException("regularisation interval must be >= 1, got " + interval);
        }
        double c = interval / (interval + 1.0);
        return new AdamConfig(lr * c, Math.pow(beta1, c), Math.pow(beta2, c), eps);
    }
}
