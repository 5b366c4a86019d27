package facegen.nn.layers;

/**
 * Hyper-parameters of a {@link Conv2dLayer} (stylegan2-ada's Conv2dLayer).
 *
 * @param inChannels     number of input channels (>= 1)
 * @param outChannels    number of output channels (>= 1)
 * @param kernelSize     width and height of the kernel (odd, >= 1); the padding is kernelSize / 2
 * @param bias           add a learned bias before the activation
 * @param activation     the activation after the bias
 * @param up             upsampling factor (1 = none)
 * @param down           downsampling factor (1 = none)
 * @param resampleFilter low-pass filter used when resampling
 * @param convClamp      clamp the output to +-convClamp; {@link BiasAct#NO_CLAMP} = no clamping
 */
public record Conv2dLayerConfig(int inChannels, int outChannels, int kernelSize, boolean bias, Activation activation,
                                int up, int down, FirFilter resampleFilter, double convClamp) {

    /** Validates extents, factors and the clamp. */
    public Conv2dLayerConfig {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || kernelSize % 2 == 0 || up < 1 || down < 1
                || !(convClamp >= 0)) {
            throw new IllegalArgumentException("invalid conv layer: " + this);
        }
    }

    /** A k x k conv with bias, linear, no resampling, the [1, 3, 3, 1] filter, no clamping. */
    public static Conv2dLayerConfig of(int inChannels, int outChannels, int kernelSize) {
        return new Conv2dLayerConfig(inChannels, outChannels, kernelSize, true, Activation.LINEAR, 1, 1,
                FirFilter.RESAMPLE, BiasAct.NO_CLAMP);
    }

    /** This layer with activation {@code act}. */
    public Conv2dLayerConfig withActivation(Activation act) {
        return new Conv2dLayerConfig(inChannels, outChannels, kernelSize, bias, act, up, down, resampleFilter, convClamp);
    }

    /** This layer downsampling by {@code factor}. */
    public Conv2dLayerConfig withDown(int factor) {
        return new Conv2dLayerConfig(inChannels, outChannels, kernelSize, bias, activation, up, factor, resampleFilter,
                convClamp);
    }

    /** This layer without a bias. */
    public Conv2dLayerConfig withoutBias() {
        return new Conv2dLayerConfig(inChannels, outChannels, kernelSize, false, activation, up, down, resampleFilter,
                convClamp);
    }

    /** This layer clamping its output to +-{@code clamp}. */
    public Conv2dLayerConfig withConvClamp(double clamp) {
        return new Conv2dLayerConfig(inChannels, outChannels, kernelSize, bias, activation, up, down, resampleFilter,
                clamp);
    }
}
