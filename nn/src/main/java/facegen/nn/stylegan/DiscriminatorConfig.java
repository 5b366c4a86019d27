package facegen.nn.stylegan;

import facegen.nn.layers.BiasAct;

/**
 * Hyper-parameters of the {@link Discriminator} (stylegan2-ada's Discriminator, resnet architecture,
 * unconditional).
 *
 * @param imgResolution    input resolution, a power of two >= 8
 * @param imgChannels      input channels (3)
 * @param channelBase      channels at resolution r are min(channelBase / r, channelMax) (32768)
 * @param channelMax       the most channels of any layer (512)
 * @param convClamp        clamp of conv outputs, {@link BiasAct#NO_CLAMP} = none
 * @param mbstdGroupSize   samples per minibatch-stddev group (4)
 * @param mbstdNumChannels channels the minibatch stddev appends (1), 0 = none
 */
public record DiscriminatorConfig(int imgResolution, int imgChannels, int channelBase, int channelMax,
                                  double convClamp, int mbstdGroupSize, int mbstdNumChannels) {

    /** Validates the resolution (a power of two >= 8) and the sizes. */
    public DiscriminatorConfig {
        if (imgResolution < 8 || Integer.bitCount(imgResolution) != 1 || imgChannels < 1 || channelMax < 1
                || channelBase / imgResolution < 1 || !(convClamp >= 0) || mbstdGroupSize < 1 || mbstdNumChannels < 0) {
            throw new IllegalArgumentException("invalid discriminator: " + this);
        }
    }

    /** The paper's discriminator for {@code imgResolution}: base 32768, at most 512 channels, mbstd 4 / 1. */
    public static DiscriminatorConfig of(int imgResolution, int imgChannels) {
        return new DiscriminatorConfig(imgResolution, imgChannels, 32768, 512, BiasAct.NO_CLAMP, 4, 1);
    }

    /** This discriminator with other channel counts (small networks for tests and the CPU demo). */
    public DiscriminatorConfig withChannels(int base, int max) {
        return new DiscriminatorConfig(imgResolution, imgChannels, base, max, convClamp, mbstdGroupSize, mbstdNumChannels);
    }

    /** Channels at resolution {@code res}: min(channelBase / res, channelMax). */
    public int channels(int res) {
        return Math.min(channelBase / res, channelMax);
    }
}
