package facegen.nn.stylegan;

/**
 * Hyper-parameters of the {@link MappingNetwork} (stylegan2-ada's MappingNetwork, unconditional: c_dim = 0).
 *
 * @param zDim          dimensionality of z (512 in the paper)
 * @param wDim          dimensionality of w (512 in the paper)
 * @param numLayers     number of fully connected layers (8)
 * @param layerFeatures features of the hidden layers (w_dim in the paper)
 * @param lrMultiplier  learning-rate multiplier of every layer (0.01: the mapping learns 100x slower)
 * @param wAvgBeta      decay of the tracked mean of w, w_avg = lerp(mean(w), w_avg, beta) (0.995)
 */
public record MappingConfig(int zDim, int wDim, int numLayers, int layerFeatures, double lrMultiplier,
                            double wAvgBeta) {

    /** Validates the sizes, the multiplier and beta in [0, 1]. */
    public MappingConfig {
        if (zDim < 1 || wDim < 1 || numLayers < 1 || layerFeatures < 1 || !(lrMultiplier > 0)
                || !(wAvgBeta >= 0 && wAvgBeta <= 1)) {
            throw new IllegalArgumentException("invalid mapping network: " + this);
        }
    }

    /** The paper's mapping for the given dimensions: 8 layers of w_dim features, lr multiplier 0.01, beta 0.995. */
    public static MappingConfig of(int zDim, int wDim) {
        return new MappingConfig(zDim, wDim, 8, wDim, 0.01, 0.995);
    }
}
