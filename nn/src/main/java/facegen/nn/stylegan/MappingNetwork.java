package facegen.nn.stylegan;

import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Buffer;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Shapes;
import facegen.nn.layers.Activation;
import facegen.nn.layers.FullyConnected;
import facegen.nn.layers.FullyConnectedConfig;
import facegen.nn.layers.PixelNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * The StyleGAN2 mapping network f: z -> w (stylegan2-ada's MappingNetwork): z normalised to unit second moment,
 * num_layers equalised-lr fully connected layers with lrelu and lr multiplier 0.01, w broadcast to num_ws copies,
 * optional truncation towards w_avg. In training mode each call also tracks the mean of w:
 * w_avg = mean_n(w_n) + beta (w_avg - mean_n(w_n)).
 */
public final class MappingNetwork extends Module {
    private final MappingConfig config;
    private final int numWs;
    private final List<FullyConnected> layers = new ArrayList<>();
    private final Buffer wAvg;                                           // [w_dim]

    /** Declares fc0 ... fc{numLayers - 1} and the buffer w_avg (zeros). */
    public MappingNetwork(MappingConfig config, int numWs) {
        if (numWs < 1) {
            throw new IllegalArgumentException("num_ws must be >= 1, got " + numWs);
        }
        this.config = config;
        this.numWs = numWs;
        for (int i = 0; i < config.numLayers(); i++) {
            int in = i == 0 ? config.zDim() : config.layerFeatures();
            int out = i == config.numLayers() - 1 ? config.wDim() : config.layerFeatures();
            layers.add(child("fc" + i, new FullyConnected(FullyConnectedConfig.of(in, out)
                    .withActivation(Activation.LRELU).withLrMultiplier(config.lrMultiplier()))));
        }
        this.wAvg = buffer("w_avg", new Init.Constant(0), config.wDim());
    }

    /** The hyper-parameters. */
    public MappingConfig config() {
        return config;
    }

    /** The number of ws each z is broadcast to. */
    public int numWs() {
        return numWs;
    }

    /** The tracked mean of w, [w_dim]. */
    public Tensor wAvg() {
        return wAvg.value();
    }

    /**
     * ws = truncate(broadcast(f(z))) around w_avg.
     *
     * @param z           latents [N, z_dim]; receive gradients
     * @param truncation  psi and cutoff ({@link Truncation#NONE} = none)
     * @param trackWAvg   update w_avg from this batch when in training mode (false for style-mixing's second z)
     * @return [N, num_ws, w_dim]
     */
    public Tensor forward(Tensor z, Truncation truncation, boolean trackWAvg) {
        Shapes.require("MappingNetwork: z", z, Shapes.ANY, config.zDim());
        Tensor x = PixelNorm.normalize2ndMoment(z);                      // [N, z_dim]
        for (FullyConnected layer : layers) {
            x = layer.forward(x);                                        // [N, features]
        }
        if (isTraining() && trackWAvg) {
            try (GradMode g = GradMode.disabled()) {
                Tensor batchMean = x.detach().mean(new int[] {0}, false); // [w_dim]
                wAvg.set(batchMean.add(wAvg.value().sub(batchMean).mul(config.wAvgBeta())));
            }
        }
        Tensor ws = x.reshape(x.dim(0), 1, config.wDim()).expand(x.dim(0), numWs, config.wDim()); // [N, num_ws, w_dim]
        return truncation.psi() == 1 ? ws : truncate(ws, wAvg.value(), truncation);
    }

    /**
     * ws' = center + psi (ws - center) for the first cutoff ws, the rest unchanged (w_avg.lerp(ws, psi)).
     *
     * @param ws         [N, num_ws, w_dim]; receives gradients
     * @param center     the mean w [w_dim]: the tracked w_avg, or {@link Generator#estimateWMean}
     * @param truncation psi and cutoff
     * @return [N, num_ws, w_dim]
     */
    public static Tensor truncate(Tensor ws, Tensor center, Truncation truncation) {
        Shapes.require("truncate: center", center, ws.dim(2));
        int cutoff = Math.min(truncation.cutoff(), ws.dim(1));
        Tensor head = ws.slice(1, 0, cutoff);                            // [N, cutoff, w_dim]
        head = center.add(head.sub(center).mul(truncation.psi()));
        return cutoff == ws.dim(1) ? head : Tensor.concat(1, head, ws.slice(1, cutoff, ws.dim(1)));
    }
}
