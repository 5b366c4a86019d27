package facegen.nn.layers;

/**
 * Hyper-parameters of a {@link FullyConnected} layer (stylegan2-ada's FullyConnectedLayer).
 *
 * @param inFeatures   number of input features (>= 1)
 * @param outFeatures  number of output features (>= 1)
 * @param bias         add a learned bias before the activation
 * @param activation   the activation after the bias
 * @param lrMultiplier learning-rate multiplier of the equalised learning rate (> 0; 0.01 in the mapping network)
 * @param biasInit     initial value of every bias element (1 for the style affines, so styles start at 1)
 */
public record FullyConnectedConfig(int inFeatures, int outFeatures, boolean bias, Activation activation,
                                   double lrMultiplier, double biasInit) {

    /** Validates the extents and the multiplier. */
    public FullyConnectedConfig {
        if (inFeatures < 1 || outFeatures < 1 || !(lrMultiplier > 0)) {
            throw new IllegalArgumentException("invalid fully connected layer: " + this);
        }
    }

    /** A linear layer with bias 0 and lr multiplier 1 (the discriminator's output layer). */
    public static FullyConnectedConfig of(int inFeatures, int outFeatures) {
        return new FullyConnectedConfig(inFeatures, outFeatures, true, Activation.LINEAR, 1, 0);
    }

    /** This layer with activation {@code act}. */
    public FullyConnectedConfig withActivation(Activation act) {
        return new FullyConnectedConfig(inFeatures, outFeatures, bias, act, lrMultiplier, biasInit);
    }

    /** This layer with learning-rate multiplier {@code multiplier}. */
    public FullyConnectedConfig withLrMultiplier(double multiplier) {
        return new FullyConnectedConfig(inFeatures, outFeatures, bias, activation, multiplier, biasInit);
    }

    /** This layer with bias initialised to {@code value}. */
    public FullyConnectedConfig withBiasInit(double value) {
        return new FullyConnectedConfig(inFeatures, outFeatures, bias, activation, lrMultiplier, value);
    }
}
