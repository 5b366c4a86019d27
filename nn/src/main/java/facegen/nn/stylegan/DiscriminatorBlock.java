package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Shapes;
import facegen.nn.layers.Activation;
import facegen.nn.layers.Conv2dLayer;
import facegen.nn.layers.Conv2dLayerConfig;

/**
 * One resolution of the discriminator in StyleGAN2's "resnet" architecture (figure 7c; stylegan2-ada's
 * DiscriminatorBlock): the first block reads the image through FromRGB (1x1 conv + lrelu); every block computes
 * x = (skip(x) + conv1(conv0(x))) * sqrt(0.5), skip a bias-free 1x1 conv with downsampling, conv1 a 3x3 conv
 * with downsampling, halving the resolution.
 */
public final class DiscriminatorBlock extends Module {
    private static final double RESIDUAL_GAIN = Math.sqrt(0.5);

    private final int inChannels;
    private final int imgChannels;
    private final int resolution;
    private final Conv2dLayer fromrgb;                                   // first block only
    private final Conv2dLayer conv0;
    private final Conv2dLayer conv1;
    private final Conv2dLayer skip;

    /**
     * Declares fromrgb (first block), conv0, conv1 and skip.
     *
     * @param inChannels  input channels, 0 = the first block (reads the image)
     * @param tmpChannels channels inside the block
     * @param outChannels output channels
     * @param resolution  input resolution of this block
     * @param imgChannels image channels
     * @param convClamp   clamp of the conv outputs, {@code BiasAct.NO_CLAMP} = none
     */
    public DiscriminatorBlock(int inChannels, int tmpChannels, int outChannels, int resolution, int imgChannels,
                              double convClamp) {
        this.inChannels = inChannels;
        this.imgChannels = imgChannels;
        this.resolution = resolution;
        this.fromrgb = inChannels == 0 ? child("fromrgb", new Conv2dLayer(Conv2dLayerConfig.of(imgChannels, tmpChannels, 1)
                .withActivation(Activation.LRELU).withConvClamp(convClamp))) : null;
        this.conv0 = child("conv0", new Conv2dLayer(Conv2dLayerConfig.of(tmpChannels, tmpChannels, 3)
                .withActivation(Activation.LRELU).withConvClamp(convClamp)));
        this.conv1 = child("conv1", new Conv2dLayer(Conv2dLayerConfig.of(tmpChannels, outChannels, 3)
                .withActivation(Activation.LRELU).withDown(2).withConvClamp(convClamp)));
        this.skip = child("skip", new Conv2dLayer(Conv2dLayerConfig.of(tmpChannels, outChannels, 1)
                .withoutBias().withDown(2)));
    }

    /**
     * x' = skip(x) sqrt(0.5) + conv1(conv0(x)) sqrt(0.5), with x = fromrgb(img) in the first block.
     *
     * @param x   features [N, in, res, res], or null in the first block
     * @param img image [N, C_img, res, res], read only by the first block
     * @return [N, out, res / 2, res / 2]
     */
    public Tensor forward(Tensor x, Tensor img) {
        Tensor y;
        if (fromrgb != null) {
            Shapes.require("DiscriminatorBlock: img", img, Shapes.ANY, imgChannels, resolution, resolution);
            y = fromrgb.forward(img);                                    // [N, tmp, res, res]
        } else {
            Shapes.require("DiscriminatorBlock: x", x, Shapes.ANY, inChannels, resolution, resolution);
            y = x;
        }
        Tensor residual = skip.forward(y, RESIDUAL_GAIN);                // [N, out, res / 2, res / 2]
        y = conv0.forward(y);                                            // [N, tmp, res, res]
        y = conv1.forward(y, RESIDUAL_GAIN);                             // [N, out, res / 2, res / 2]
        return residual.add(y);
    }
}
