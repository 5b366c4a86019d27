package facegen.nn.stylegan;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Seed;

import java.util.SplittableRandom;

/**
 * The StyleGAN2 generator G(z) = g(f(z)), AlbedoGAN's albedo generator (stylegan2-ada's Generator): the
 * {@link MappingNetwork} f and the {@link SynthesisNetwork} g, declared in that file's order (synthesis first,
 * so parameter names and order match stylegan2-ada checkpoints).
 */
public final class Generator extends Module {

    /** Latents per batch when estimating the mean of w. */
    private static final int W_MEAN_BATCH = 512;

    private final GeneratorConfig config;
    private final SynthesisNetwork synthesis;
    private final MappingNetwork mapping;

    /** Declares synthesis and mapping. */
    public Generator(GeneratorConfig config) {
        this.config = config;
        this.synthesis = child("synthesis", new SynthesisNetwork(config.synthesis()));
        this.mapping = child("mapping", new MappingNetwork(config.mapping(), synthesis.numWs()));
    }

    /** The hyper-parameters. */
    public GeneratorConfig config() {
        return config;
    }

    /** The mapping network f. */
    public MappingNetwork mapping() {
        return mapping;
    }

    /** The synthesis network g. */
    public SynthesisNetwork synthesis() {
        return synthesis;
    }

    /** The number of ws per image. */
    public int numWs() {
        return synthesis.numWs();
    }

    /**
     * img = g(truncate(f(z))); in training mode f also updates w_avg.
     *
     * @param z          [N, z_dim]; receives gradients
     * @param truncation psi and cutoff around the tracked w_avg ({@link Truncation#NONE} = none)
     * @param noise      where the per-pixel noise comes from
     * @param seed       the seed of the random noise
     * @return [N, img_channels, R, R]
     */
    public Tensor forward(Tensor z, Truncation truncation, NoiseMode noise, Seed seed) {
        return synthesis.forward(mapping.forward(z, truncation, true), noise, seed);
    }

    /**
     * Style mixing regularisation (StyleGAN, section 3.1): ws = f(z); with probability {@code mixingProb}, a
     * cutoff c drawn uniformly from [1, num_ws) and ws[:, c:] replaced by f(z2) for a fresh z2 ~ N(0, I) (as
     * stylegan2-ada's StyleGAN2Loss.run_G, one cutoff per batch).
     *
     * @param z          [N, z_dim]; receives gradients
     * @param mixingProb probability of mixing (0.9 in StyleGAN2)
     * @param seed       the draws of the cutoff and z2 derive from it ("mixing", "z2")
     * @return [N, num_ws, w_dim]
     */
    public Tensor mapWithStyleMixing(Tensor z, double mixingProb, Seed seed) {
        Tensor ws = mapping.forward(z, Truncation.NONE, true);           // [N, num_ws, w_dim]
        int numWs = ws.dim(1);
        if (mixingProb <= 0 || numWs < 2) {
            return ws;
        }
        SplittableRandom random = new SplittableRandom(seed.derive("mixing").value());
        int cutoff = random.nextInt(1, numWs);
        if (random.nextDouble() >= mixingProb) {
            return ws;
        }
        Tensor z2 = Tensor.randn(z.backend(), seed.derive("z2").value(), z.shape().dims());
        Tensor mixed = mapping.forward(z2, Truncation.NONE, false);      // [N, num_ws, w_dim]
        return Tensor.concat(1, ws.slice(1, 0, cutoff), mixed.slice(1, cutoff, numWs));
    }

    /**
     * The mean of w = f(z) over {@code numSamples} latents z ~ N(0, I) drawn from {@code seed}, without grad and
     * without touching w_avg: the truncation centre AlbedoGAN uses (4096 samples, with psi 0.7).
     *
     * @return [w_dim]
     */
    public Tensor estimateWMean(Backend backend, int numSamples, Seed seed) {
        if (numSamples < 1) {
            throw new IllegalArgumentException("need at least one sample, got " + numSamples);
        }
        try (GradMode g = GradMode.disabled()) {
            Tensor sum = Tensor.zeros(backend, config.mapping().wDim());
            for (int start = 0, batch = 0; start < numSamples; start += W_MEAN_BATCH, batch++) {
                int n = Math.min(W_MEAN_BATCH, numSamples - start);
                Tensor z = Tensor.randn(backend, seed.derive(batch).value(), n, config.mapping().zDim());
                Tensor w = mapping.forward(z, Truncation.NONE, false).slice(1, 0, 1); // [n, 1, w_dim]
                sum = sum.add(w.sum(0, 1));
            }
            return sum.div(numSamples);
        }
    }
}
