package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Shapes;
import facegen.nn.layers.Activation;
import facegen.nn.layers.Conv2dLayer;
import facegen.nn.layers.Conv2dLayerConfig;
import facegen.nn.layers.FullyConnected;
import facegen.nn.layers.FullyConnectedConfig;
import facegen.nn.layers.MinibatchStd;

/**
 * The 4x4 head of the discriminator (stylegan2-ada's DiscriminatorEpilogue, unconditional): minibatch stddev,
 * a 3x3 conv with lrelu, a fully connected layer with lrelu on the flattened features, and a linear output: one
 * logit per image.
 */
public final class DiscriminatorEpilogue extends Module {
    private final int inChannels;
    private final int resolution;
    private final MinibatchStd mbstd;                                    // null when mbstd_num_channels = 0
    private final Conv2dLayer conv;
    private final FullyConnected fc;
    private final FullyConnected out;

    /**
     * Declares conv, fc and out.
     *
     * @param inChannels       channels of the 4x4 features
     * @param resolution       their resolution (4)
     * @param mbstdGroupSize   group size of the minibatch stddev
     * @param mbstdNumChannels channels it appends, 0 = no minibatch stddev
     * @param convClamp        clamp of the conv output, {@code BiasAct.NO_CLAMP} = none
     */
    public DiscriminatorEpilogue(int inChannels, int resolution, int mbstdGroupSize, int mbstdNumChannels,
                                 double convClamp) {
        this.inChannels = inChannels;
        this.resolution = resolution;
        this.mbstd = mbstdNumChannels > 0 ? new MinibatchStd(mbstdGroupSize, mbstdNumChannels) : null;
        this.conv = child("conv", new Conv2dLayer(Conv2dLayerConfig.of(inChannels + mbstdNumChannels, inChannels, 3)
                .withActivation(Activation.LRELU).withConvClamp(convClamp)));
        this.fc = child("fc", new FullyConnected(FullyConnectedConfig.of(inChannels * resolution * resolution, inChannels)
                .withActivation(Activation.LRELU)));
        this.out = child("out", new FullyConnected(FullyConnectedConfig.of(inChannels, 1)));
    }

    /**
     * logits = out(fc(flatten(conv(mbstd(x))))).
     *
     * @param x [N, C, 4, 4]; receives gradients
     * @return [N, 1]
     */
    public Tensor forward(Tensor x) {
        Shapes.require("DiscriminatorEpilogue: x", x, Shapes.ANY, inChannels, resolution, resolution);
        Tensor y = mbstd == null ? x : mbstd.apply(x);                   // [N, C + F, 4, 4]
        y = conv.forward(y);                                             // [N, C, 4, 4]
        y = fc.forward(y.reshape(y.dim(0), inChannels * resolution * resolution)); // [N, C]
        return out.forward(y);                                           // [N, 1]
    }
}
