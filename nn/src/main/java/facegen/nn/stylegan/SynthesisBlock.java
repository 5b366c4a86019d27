package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Seed;
import facegen.nn.Shapes;
import facegen.nn.layers.FirFilter;
import facegen.nn.layers.Upfirdn2d;

/**
 * One resolution of the synthesis network in StyleGAN2's "skip" architecture (figure 7b; stylegan2-ada's
 * SynthesisBlock): the first block starts from a learned constant and has one conv; the others upsample with
 * conv0 (up 2) and refine with conv1. Every block adds its ToRGB output to the upsampled image of the block
 * before, so the image is a sum of contributions from every resolution.
 */
public final class SynthesisBlock extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int wDim;
    private final int resolution;
    private final int imgChannels;
    private final FirFilter resampleFilter;
    private final Parameter constInput;                                  // [O, 4, 4], first block only
    private final SynthesisLayer conv0;                                  // up 2, not in the first block
    private final SynthesisLayer conv1;
    private final ToRgbLayer torgb;

    /**
     * The features and the running image leaving a block.
     *
     * @param x   features [N, O, res, res]
     * @param img image [N, C_img, res, res]
     */
    public record Output(Tensor x, Tensor img) {}

    /**
     * Declares const (first block) or conv0, then conv1 and torgb.
     *
     * @param inChannels     input channels, 0 = the first block (starts from the learned constant)
     * @param outChannels    output channels
     * @param wDim           dimensionality of w
     * @param resolution     resolution of this block
     * @param imgChannels    image channels
     * @param resampleFilter low-pass filter of the upsampling
     * @param convClamp      clamp of the conv outputs, {@code BiasAct.NO_CLAMP} = none
     */
    public SynthesisBlock(int inChannels, int outChannels, int wDim, int resolution, int imgChannels,
                          FirFilter resampleFilter, double convClamp) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.wDim = wDim;
        this.resolution = resolution;
        this.imgChannels = imgChannels;
        this.resampleFilter = resampleFilter;
        this.constInput = inChannels == 0 ? parameter("const", new Init.Normal(1), outChannels, resolution, resolution) : null;
        this.conv0 = inChannels == 0 ? null : child("conv0",
                new SynthesisLayer(inChannels, outChannels, wDim, resolution, 2, resampleFilter, convClamp));
        this.conv1 = child("conv1", new SynthesisLayer(outChannels, outChannels, wDim, resolution, 1, resampleFilter, convClamp));
        this.torgb = child("torgb", new ToRgbLayer(outChannels, imgChannels, wDim, convClamp));
    }

    /** The number of conv layers, each consuming one w (1 in the first block, else 2). */
    public int numConv() {
        return conv0 == null ? 1 : 2;
    }

    /** The number of ToRGB layers, each consuming one w (always 1 in the skip architecture). */
    public int numToRgb() {
        return 1;
    }

    /**
     * One block: x = conv1(conv0(x, w_0), w_1) (or conv1(const, w_0)), img = upsample2d(img) + torgb(x, w_last).
     *
     * @param x     features [N, I, res / 2, res / 2], or null in the first block
     * @param img   image [N, C_img, res / 2, res / 2], or null in the first block
     * @param ws    [N, numConv + numToRgb, w_dim], one w per layer in order
     * @param noise where the noise comes from
     * @param seed  this block's seed (each layer derives its own from its name)
     * @param mode  the modulated-conv formulation
     */
    public Output forward(Tensor x, Tensor img, Tensor ws, NoiseMode noise, Seed seed, ModConvMode mode) {
        int batch = ws.dim(0);
        Shapes.require("SynthesisBlock: ws", ws, batch, numConv() + numToRgb(), wDim);
        int next = 0;
        Tensor y;
        if (conv0 == null) {
            y = constInput.value().reshape(1, outChannels, resolution, resolution)
                    .expand(batch, outChannels, resolution, resolution);         // [N, O, 4, 4]
            y = conv1.forward(y, w(ws, next++), noise, seed.derive("conv1"), mode);
        } else {
            Shapes.require("SynthesisBlock: x", x, batch, inChannels, resolution / 2, resolution / 2);
            y = conv0.forward(x, w(ws, next++), noise, seed.derive("conv0"), mode);  // [N, O, res, res]
            y = conv1.forward(y, w(ws, next++), noise, seed.derive("conv1"), mode);  // [N, O, res, res]
        }
        Tensor rgb = torgb.forward(y, w(ws, next), mode);                            // [N, C_img, res, res]
        if (img == null) {
            return new Output(y, rgb);
        }
        Shapes.require("SynthesisBlock: img", img, batch, imgChannels, resolution / 2, resolution / 2);
        return new Output(y, Upfirdn2d.upsample2d(img, resampleFilter).add(rgb));
    }

    /** ws[:, i] as [N, w_dim]. */
    private Tensor w(Tensor ws, int i) {
        return ws.slice(1, i, i + 1).reshape(ws.dim(0), wDim);
    }
}
