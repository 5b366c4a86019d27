package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Seed;
import facegen.nn.Shapes;
import facegen.nn.layers.FirFilter;

import java.util.ArrayList;
import java.util.List;

/**
 * The StyleGAN2 synthesis network g: ws -> image (stylegan2-ada's SynthesisNetwork): blocks b4, b8, ...,
 * b{imgResolution}, each consuming its slice of ws; consecutive blocks share one w (the last w of a block's
 * slice is its ToRGB's, which is also the first conv's w of the next block), so num_ws = 2 log2(R) - 2.
 */
public final class SynthesisNetwork extends Module {
    private final SynthesisConfig config;
    private final List<SynthesisBlock> blocks = new ArrayList<>();
    private final int numWs;

    /** Declares the blocks b4 ... b{imgResolution}. */
    public SynthesisNetwork(SynthesisConfig config) {
        this.config = config;
        int ws = 0;
        for (int res = 4; res <= config.imgResolution(); res *= 2) {
            int in = res == 4 ? 0 : config.channels(res / 2);
            SynthesisBlock block = child("b" + res, new SynthesisBlock(in, config.channels(res), config.wDim(), res,
                    config.imgChannels(), FirFilter.RESAMPLE, config.convClamp()));
            blocks.add(block);
            ws += block.numConv();
            if (res == config.imgResolution()) {
                ws += block.numToRgb();
            }
        }
        this.numWs = ws;
    }

    /** The hyper-parameters. */
    public SynthesisConfig config() {
        return config;
    }

    /** The number of w vectors one image consumes. */
    public int numWs() {
        return numWs;
    }

    /**
     * img = g(ws): the skip architecture's sum of upsampled ToRGB outputs. The modulated convs use
     * {@link ModConvMode#NON_FUSED} in training mode and {@link ModConvMode#FUSED} in evaluation (as StyleGAN).
     *
     * @param ws    [N, num_ws, w_dim]; receives gradients
     * @param noise where the per-pixel noise comes from
     * @param seed  the call's seed; block b{r} derives its own from "b{r}"
     * @return [N, img_channels, R, R]
     */
    public Tensor forward(Tensor ws, NoiseMode noise, Seed seed) {
        Shapes.require("SynthesisNetwork: ws", ws, Shapes.ANY, numWs, config.wDim());
        ModConvMode mode = isTraining() ? ModConvMode.NON_FUSED : ModConvMode.FUSED;
        Tensor x = null;
        Tensor img = null;
        int wIdx = 0;
        int res = 4;
        for (SynthesisBlock block : blocks) {
            Tensor blockWs = ws.slice(1, wIdx, wIdx + block.numConv() + block.numToRgb()); // [N, n_b, w_dim]
            SynthesisBlock.Output out = block.forward(x, img, blockWs, noise, seed.derive("b" + res), mode);
            x = out.x();
            img = out.img();
            wIdx += block.numConv();
            res *= 2;
        }
        return img;
    }
}
