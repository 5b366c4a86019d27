package facegen.nn.stylegan;

import facegen.nn.layers.BiasAct;

/**
 * Hyper-parameters of the {@link SynthesisNetwork} (stylegan2-ada's SynthesisNetwork, skip architecture).
 *
 * @param wDim          dimensionality of w (512 in the paper)
 * @param imgResolution output resolution, a power of two >= 4 (AlbedoGAN: 256 to 1024; tests: 16, 32)
 * @param imgChannels   output channels (3 for an RGB albedo)
 * @param channelBase   channels at resolution r are min(channelBase / r, channelMax) (32768 in the paper)
 * @param channelMax    the most channels of any layer (512 in the paper)
 * @param convClamp     clamp of conv outputs, {@link BiasAct#NO_CLAMP} = none (StyleGAN2-ADA uses 256 with fp16)
 */
public record SynthesisConfig(int wDim, int imgResolution, int imgChannels, int channelBase, int channelMax,
                              double convClamp) {

    /** Validates the resolution (a power of two >= 4) and the channel counts. */
    public SynthesisConfig {
        if (wDim < 1 || imgResolution < 4 || Integer.bitCount(imgResolution) != 1 || imgChannels < 1
                || channelMax < 1 || channelBase / imgResolution < 1 || !(convClamp >= 0)) {
            throw new IllegalArgumentException("invalid synthesis network: " + this);
        }
    }

    /** The paper's network for {@code imgResolution}: channel base 32768, at most 512 channels, no clamping. */
    public static SynthesisConfig of(int wDim, int imgResolution, int imgChannels) {
        return new SynthesisConfig(wDim, imgResolution, imgChannels, 32768, 512, BiasAct.NO_CLAMP);
    }

    /** This network with other channel counts (small networks for tests and the CPU demo). */
    public SynthesisConfig withChannels(int base, int max) {
        return new SynthesisConfig(wDim, imgResolution, imgChannels, base, max, convClamp);
    }

    /** Channels at resolution {@code res}: min(channelBase / res, channelMax). */
    public int channels(int res) {
        return Math.min(channelBase / res, channelMax);
    }
}
