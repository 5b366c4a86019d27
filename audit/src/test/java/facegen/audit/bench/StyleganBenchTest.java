package facegen.audit.bench;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Seed;
import facegen.nn.stylegan.Discriminator;
import facegen.nn.stylegan.DiscriminatorConfig;
import facegen.nn.stylegan.Generator;
import facegen.nn.stylegan.GeneratorConfig;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.Truncation;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's libtorch composition computes facegen's G and D (so its timings compare like with like). */
class StyleganBenchTest {

    @Test
    void torchCompositionMatchesFacegensGeneratorAndDiscriminator() {
        GeneratorConfig gc = GeneratorConfig.of(16, 16, 16, 3).withChannels(16 * 16, 32);
        DiscriminatorConfig dc = DiscriminatorConfig.of(16, 3).withChannels(16 * 16, 32);
        try (Backend cpu = Backends.create("cpu"); GradMode _ = GradMode.disabled()) {
            Generator g = new Generator(gc);
            Discriminator d = new Discriminator(dc);
            g.initialize(cpu, 1);
            d.initialize(cpu, 2);
            g.namedParameters().values().stream().filter(p -> p.shape().rank() == 0)      // non-zero noise strengths
                    .forEach(p -> p.set(Tensor.scalar(cpu, 0.2)));
            StyleganBench.TorchStyleGan2 torch = new StyleganBench.TorchStyleGan2(g, d);
            int n = 4;
            float[] z = new float[n * 16];
            double[] zd = new double[z.length];
            Random rnd = new Random(3);
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) rnd.nextGaussian();
                zd[i] = z[i];
            }
            for (boolean fused : new boolean[] {true, false}) {
                g.train(!fused);                                          // training mode = the non-fused formulation
                Tensor img = g.synthesis().forward(g.mapping().forward(Tensor.of(cpu, zd, n, 16), Truncation.NONE, false),
                        NoiseMode.CONST, new Seed(0));
                assertClose(img.toArray(), torch.generateArray(z, n, fused), 1e-4);
                double[] imgValues = img.toArray();
                float[] imgFloats = new float[imgValues.length];
                for (int i = 0; i < imgFloats.length; i++) {
                    imgFloats[i] = (float) imgValues[i];
                }
                assertClose(d.forward(img).toArray(), torch.discriminatorArray(imgFloats, n), 1e-4);
            }
        }
    }

    private static void assertClose(double[] ours, float[] theirs, double tolerance) {
        assertThat(theirs).hasSize(ours.length);
        double scale = 0;
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            scale = Math.max(scale, Math.abs(ours[i]));
            max = Math.max(max, Math.abs(ours[i] - theirs[i]));
        }
        assertThat(max / Math.max(scale, 1e-6)).as("max |ours - torch| %s of max |ours| %s", max, scale).isLessThan(tolerance);
    }
}
