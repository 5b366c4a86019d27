package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The StyleGAN2 discriminator D: image -> logit (stylegan2-ada's Discriminator, resnet architecture,
 * unconditional): residual blocks b{R}, ..., b8, each halving the resolution, then the 4x4 epilogue b4.
 */
public final class Discriminator extends Module {
    private final DiscriminatorConfig config;
    private final List<DiscriminatorBlock> blocks = new ArrayList<>();
    private final DiscriminatorEpilogue epilogue;

    /** Declares b{R} ... b8 and the epilogue b4. */
    public Discriminator(DiscriminatorConfig config) {
        this.config = config;
        for (int res = config.imgResolution(); res > 4; res /= 2) {
            int in = res < config.imgResolution() ? config.channels(res) : 0;
            blocks.add(child("b" + res, new DiscriminatorBlock(in, config.channels(res), config.channels(res / 2), res,
                    config.imgChannels(), config.convClamp())));
        }
        this.epilogue = child("b4", new DiscriminatorEpilogue(config.channels(4), 4, config.mbstdGroupSize(),
                config.mbstdNumChannels(), config.convClamp()));
    }

    /** The hyper-parameters. */
    public DiscriminatorConfig config() {
        return config;
    }

    /**
     * The logits D(img), higher for images the discriminator takes as real.
     *
     * @param img [N, img_channels, R, R]; receives gradients (R1 differentiates with respect to it)
     * @return [N, 1]
     */
    public Tensor forward(Tensor img) {
        int r = config.imgResolution();
        Shapes.require("Discriminator: img", img, Shapes.ANY, config.imgChannels(), r, r);
        Tensor x = null;
        for (DiscriminatorBlock block : blocks) {
            x = block.forward(x, img);                                   // [N, C_{res / 2}, res / 2, res / 2]
        }
        return epilogue.forward(x);
    }
}
