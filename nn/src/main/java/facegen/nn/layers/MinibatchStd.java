package facegen.nn.layers;

import facegen.engine.tensor.Tensor;
import facegen.nn.Shapes;

/**
 * The minibatch standard deviation layer (Karras et al. 2018, section 3; stylegan2-ada's MinibatchStdLayer):
 * appends to x [N, C, H, W] F channels holding, for each group of G samples, the standard deviation over the
 * group averaged over c = C / F channels and all pixels, so the discriminator can see a lack of variety.
 *
 * <p>Sample i belongs to group i mod (N / G) (reshape [G, N / G, ...], as StyleGAN), so N must be a multiple of
 * G = min(groupSize, N).
 *
 * @param groupSize   G, the samples per group (>= 1); StyleGAN2 uses 4
 * @param numChannels F, the appended channels (>= 1); C must be a multiple of F
 */
public record MinibatchStd(int groupSize, int numChannels) {

    /** Validates the sizes. */
    public MinibatchStd {
        if (groupSize < 1 || numChannels < 1) {
            throw new IllegalArgumentException("minibatch stddev needs group size and channels >= 1, got " + this);
        }
    }

    /**
     * concat(x, std) along channels, std[n, f] = mean over (c, h, w) of sqrt(var over the group + 1e-8).
     *
     * @param x [N, C, H, W]; receives gradients
     * @return [N, C + F, H, W]
     */
    public Tensor apply(Tensor x) {
        Shapes.require("MinibatchStd: x", x, Shapes.ANY, Shapes.ANY, Shapes.ANY, Shapes.ANY);
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int g = Math.min(groupSize, n);
        int f = numChannels;
        if (n % g != 0 || c % f != 0) {
            throw new IllegalArgumentException("minibatch stddev: x " + x.shape() + " needs N a multiple"
                    + " of the group size " + g + " and C a multiple of " + f + " channels");
        }
        Tensor y = x.reshape(g, n / g, f, c / f, h, w);                  // [G, n, F, c, H, W]
        y = y.sub(y.mean(new int[] {0}, true));                          // [G, n, F, c, H, W] minus the group mean
        y = y.square().mean(new int[] {0}, false);                       // [n, F, c, H, W] variance over the group
        y = y.add(1e-8).sqrt();                                          // [n, F, c, H, W] stddev
        y = y.mean(new int[] {2, 3, 4}, false);                          // [n, F]
        y = y.reshape(1, n / g, f, 1, 1).expand(g, n / g, f, h, w)       // [G, n, F, H, W]
                .reshape(n, f, h, w);                                    // [N, F, H, W]
        return Tensor.concat(1, x, y);                                   // [N, C + F, H, W]
    }
}
