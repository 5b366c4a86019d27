package facegen.nn.layers;

import facegen.engine.tensor.Tensor;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Shapes;

/**
 * An equalised-learning-rate convolution with optional resampling:
 * y = clamp(f(conv2d_resample(x, weight * weight_gain) + bias) * act_gain * gain, +-conv_clamp * gain), with
 * weight ~ N(0, 1), weight_gain = 1 / sqrt(in_channels * k^2) (stylegan2-ada's Conv2dLayer).
 */
public final class Conv2dLayer extends Module {
    private final Conv2dLayerConfig config;
    private final Parameter weight;                                      // [O, C, k, k]
    private final Parameter bias;                                        // [O], or null
    private final double weightGain;

    /** Declares weight [out, in, k, k] and, if configured, bias [out]. */
    public Conv2dLayer(Conv2dLayerConfig config) {
        this.config = config;
        int k = config.kernelSize();
        this.weight = parameter("weight", new Init.Normal(1), config.outChannels(), config.inChannels(), k, k);
        this.bias = config.bias() ? parameter("bias", new Init.Constant(0), config.outChannels()) : null;
        this.weightGain = 1 / Math.sqrt(config.inChannels() * k * k);
    }

    /** The hyper-parameters. */
    public Conv2dLayerConfig config() {
        return config;
    }

    /**
     * y = f(conv2d_resample(x, weight * weight_gain) + bias) scaled by the activation's gain times {@code gain},
     * clamped to +-conv_clamp * gain.
     *
     * @param x    [N, in, H, W]; receives gradients, as do weight and bias
     * @param gain extra output gain (sqrt(0.5) in residual blocks)
     * @return [N, out, H up / down, W up / down]
     */
    public Tensor forward(Tensor x, double gain) {
        Shapes.require("Conv2dLayer: x", x, Shapes.ANY, config.inChannels(), Shapes.ANY, Shapes.ANY);
        Tensor w = weight.value().mul(weightGain);                       // [O, C, k, k]
        Tensor b = bias == null ? null : bias.value();                   // [O]
        Tensor y = Conv2dResample.conv2dResample(x, w, config.resampleFilter(), config.up(), config.down(),
                config.kernelSize() / 2, 1);                             // [N, O, H', W']
        return BiasAct.biasAct(y, b, config.activation(), config.activation().defaultGain() * gain,
                config.convClamp() * gain);
    }

    /** {@link #forward(Tensor, double)} with gain 1. */
    public Tensor forward(Tensor x) {
        return forward(x, 1);
    }
}
