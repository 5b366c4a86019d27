package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Buffer;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Seed;
import facegen.nn.Shapes;
import facegen.nn.layers.Activation;
import facegen.nn.layers.BiasAct;
import facegen.nn.layers.FirFilter;
import facegen.nn.layers.FullyConnected;
import facegen.nn.layers.FullyConnectedConfig;

/**
 * One style-modulated 3x3 convolution of the synthesis network (stylegan2-ada's SynthesisLayer):
 * styles = A(w) (a learned affine, bias 1), y = lrelu(modconv(x, weight, styles) + noise * noise_strength + bias)
 * * sqrt(2), clamped to +-conv_clamp.
 */
public final class SynthesisLayer extends Module {
    private final int inChannels;
    private final int resolution;
    private final int up;
    private final FirFilter resampleFilter;
    private final double convClamp;
    private final FullyConnected affine;
    private final Parameter weight;                                      // [O, I, 3, 3]
    private final Buffer noiseConst;                                     // [res, res]
    private final Parameter noiseStrength;                               // []
    private final Parameter bias;                                        // [O]

    /**
     * Declares affine, weight, noise_const, noise_strength and bias.
     *
     * @param inChannels     input channels
     * @param outChannels    output channels
     * @param wDim           dimensionality of w
     * @param resolution     output resolution of this layer
     * @param up             upsampling factor (1, or 2 for the first layer of a block)
     * @param resampleFilter low-pass filter used when upsampling
     * @param convClamp      output clamp, {@link BiasAct#NO_CLAMP} = none
     */
    public SynthesisLayer(int inChannels, int outChannels, int wDim, int resolution, int up, FirFilter resampleFilter,
                          double convClamp) {
        this.inChannels = inChannels;
        this.resolution = resolution;
        this.up = up;
        this.resampleFilter = resampleFilter;
        this.convClamp = convClamp;
        this.affine = child("affine", new FullyConnected(FullyConnectedConfig.of(wDim, inChannels).withBiasInit(1)));
        this.weight = parameter("weight", new Init.Normal(1), outChannels, inChannels, 3, 3);
        this.noiseConst = buffer("noise_const", new Init.Normal(1), resolution, resolution);
        this.noiseStrength = parameter("noise_strength", new Init.Constant(0));
        this.bias = parameter("bias", new Init.Constant(0), outChannels);
    }

    /**
     * y = lrelu(modconv(x, weight, A(w)) + noise + bias) * sqrt(2), clamped.
     *
     * @param x     [N, I, res / up, res / up]; receives gradients
     * @param w     [N, w_dim]; receives gradients
     * @param noise where the noise comes from
     * @param seed  this layer's seed for {@link NoiseMode#RANDOM}
     * @param mode  the modulated-conv formulation
     * @return [N, O, res, res]
     */
    public Tensor forward(Tensor x, Tensor w, NoiseMode noise, Seed seed, ModConvMode mode) {
        int inResolution = resolution / up;
        Shapes.require("SynthesisLayer: x", x, Shapes.ANY, inChannels, inResolution, inResolution);
        Tensor styles = affine.forward(w);                               // [N, I]
        Tensor n = switch (noise) {
            case RANDOM -> Tensor.randn(x.backend(), seed.value(), x.dim(0), 1, resolution, resolution)
                    .mul(noiseStrength.value());                         // [N, 1, res, res]
            case CONST -> noiseConst.value().mul(noiseStrength.value()); // [res, res]
            case NONE -> null;
        };
        Tensor y = ModulatedConv2d.modulatedConv2d(x, weight.value(), styles, n, up, 1, resampleFilter, true, mode);
        return BiasAct.biasAct(y, bias.value(), Activation.LRELU, Activation.LRELU.defaultGain(), convClamp);
    }
}
