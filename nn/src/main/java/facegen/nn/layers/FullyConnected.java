package facegen.nn.layers;

import facegen.engine.tensor.Tensor;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Shapes;

/**
 * An equalised-learning-rate fully connected layer: y = f(x (weight * weight_gain)^T + bias * bias_gain), with
 * weight ~ N(0, 1) / lr_multiplier, weight_gain = lr_multiplier / sqrt(in_features), bias_gain = lr_multiplier
 * (Karras et al. 2018, section 4.1; stylegan2-ada's FullyConnectedLayer). Scaling at run time instead of at
 * initialisation makes Adam's effective step the same for every layer, scaled by lr_multiplier.
 */
public final class FullyConnected extends Module {
    private final FullyConnectedConfig config;
    private final Parameter weight;                                      // [out, in]
    private final Parameter bias;                                        // [out], or null
    private final double weightGain;
    private final double biasGain;

    /** Declares weight [out, in] and, if configured, bias [out]. */
    public FullyConnected(FullyConnectedConfig config) {
        this.config = config;
        this.weight = parameter("weight", new Init.Normal(1 / config.lrMultiplier()),
                config.outFeatures(), config.inFeatures());
        this.bias = config.bias() ? parameter("bias", new Init.Constant(config.biasInit()), config.outFeatures()) : null;
        this.weightGain = config.lrMultiplier() / Math.sqrt(config.inFeatures());
        this.biasGain = config.lrMultiplier();
    }

    /** The hyper-parameters. */
    public FullyConnectedConfig config() {
        return config;
    }

    /**
     * y = f(x (weight * weight_gain)^T + bias * bias_gain) * f's gain.
     *
     * @param x [N, in]; receives gradients, as do weight and bias
     * @return [N, out]
     */
    public Tensor forward(Tensor x) {
        Shapes.require("FullyConnected: x", x, Shapes.ANY, config.inFeatures());
        Tensor w = weight.value().mul(weightGain);                       // [out, in]
        Tensor b = bias == null ? null : bias.value().mul(biasGain);     // [out]
        Tensor y = x.matmul(w, false, true);                             // [N, out]
        return BiasAct.biasAct(y, b, config.activation());
    }
}
