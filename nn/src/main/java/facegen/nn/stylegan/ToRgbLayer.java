package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.layers.Activation;
import facegen.nn.layers.BiasAct;
import facegen.nn.layers.FirFilter;
import facegen.nn.layers.FullyConnected;
import facegen.nn.layers.FullyConnectedConfig;

/**
 * The 1x1 projection of a synthesis block's features to image channels (stylegan2-ada's ToRGBLayer):
 * styles = A(w) * weight_gain with weight_gain = 1 / sqrt(in_channels), y = modconv(x, weight, styles) without
 * demodulation, plus bias, clamped to +-conv_clamp.
 */
public final class ToRgbLayer extends Module {
    private final double convClamp;
    private final double weightGain;
    private final FullyConnected affine;
    private final Parameter weight;                                      // [C_img, I, 1, 1]
    private final Parameter bias;                                        // [C_img]

    /** Declares affine, weight [out, in, 1, 1] and bias [out]. */
    public ToRgbLayer(int inChannels, int outChannels, int wDim, double convClamp) {
        this.convClamp = convClamp;
        this.weightGain = 1 / Math.sqrt(inChannels);
        this.affine = child("affine", new FullyConnected(FullyConnectedConfig.of(wDim, inChannels).withBiasInit(1)));
        this.weight = parameter("weight", new Init.Normal(1), outChannels, inChannels, 1, 1);
        this.bias = parameter("bias", new Init.Constant(0), outChannels);
    }

    /**
     * y = modconv(x, weight, A(w) * weight_gain, no demodulation) + bias, clamped.
     *
     * @param x    [N, I, H, W]; receives gradients
     * @param w    [N, w_dim]; receives gradients
     * @param mode the modulated-conv formulation
     * @return [N, C_img, H, W]
     */
    public Tensor forward(Tensor x, Tensor w, ModConvMode mode) {
        Tensor styles = affine.forward(w).mul(weightGain);               // [N, I]
        Tensor y = ModulatedConv2d.modulatedConv2d(x, weight.value(), styles, null, 1, 0, FirFilter.RESAMPLE, false,
                mode);                                                   // [N, C_img, H, W]
        return BiasAct.biasAct(y, bias.value(), Activation.LINEAR, 1, convClamp);
    }
}
