package facegen.nn.stylegan;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Seed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Shapes, names and determinism of the generator and discriminator, small channel counts, on both backends. */
class NetworksTest {
    private static final Map<String, Backend> BACKENDS = new TreeMap<>();

    @BeforeAll
    static void open() {
        BACKENDS.put("reference", Backends.create("reference"));
        BACKENDS.put("cpu", Backends.create("cpu"));
    }

    @AfterAll
    static void close() {
        BACKENDS.values().forEach(Backend::close);
    }

    static GeneratorConfig smallGenerator(int resolution) {
        return GeneratorConfig.of(16, 16, resolution, 3).withChannels(resolution * 8, 16);
    }

    static DiscriminatorConfig smallDiscriminator(int resolution) {
        return DiscriminatorConfig.of(resolution, 3).withChannels(resolution * 8, 16);
    }

    @ParameterizedTest(name = "{0} px on {1}")
    @CsvSource({"16, reference", "16, cpu", "32, reference", "32, cpu"})
    void generatorAndDiscriminatorHaveThePaperShapes(int resolution, String backendName) {
        Backend backend = BACKENDS.get(backendName);
        Generator g = new Generator(smallGenerator(resolution));
        Discriminator d = new Discriminator(smallDiscriminator(resolution));
        g.initialize(backend, 1);
        d.initialize(backend, 2);
        int log2 = Integer.numberOfTrailingZeros(resolution);
        assertThat(g.numWs()).isEqualTo(2 * log2 - 2);

        try (GradMode off = GradMode.disabled()) {
            Tensor z = Tensor.randn(backend, 3, 4, 16);
            Tensor img = g.forward(z, Truncation.NONE, NoiseMode.RANDOM, new Seed(4));
            assertThat(img.shape().dims()).containsExactly(4, 3, resolution, resolution);
            Tensor logits = d.forward(img);
            assertThat(logits.shape().dims()).containsExactly(4, 1);
            for (double v : logits.toArray()) {
                assertThat(v).isFinite();
            }
        }
    }

    @Test
    void parameterNamesFollowStyleGan2Ada() {
        Generator g = new Generator(smallGenerator(16));
        assertThat(g.namedParameters().keySet()).contains(
                "synthesis.b4.const", "synthesis.b4.conv1.weight", "synthesis.b4.conv1.affine.weight",
                "synthesis.b4.conv1.noise_strength", "synthesis.b8.conv0.weight", "synthesis.b16.torgb.weight",
                "mapping.fc0.weight", "mapping.fc7.bias");
        assertThat(g.namedBuffers().keySet()).contains("synthesis.b16.conv0.noise_const", "mapping.w_avg");
        assertThat(g.namedParameters().keySet().iterator().next()).startsWith("synthesis.");
        Discriminator d = new Discriminator(smallDiscriminator(16));
        assertThat(d.namedParameters().keySet()).containsExactly(
                "b16.fromrgb.weight", "b16.fromrgb.bias", "b16.conv0.weight", "b16.conv0.bias",
                "b16.conv1.weight", "b16.conv1.bias", "b16.skip.weight",
                "b8.conv0.weight", "b8.conv0.bias", "b8.conv1.weight", "b8.conv1.bias", "b8.skip.weight",
                "b4.conv.weight", "b4.conv.bias", "b4.fc.weight", "b4.fc.bias", "b4.out.weight", "b4.out.bias");
    }

    @Test
    void sameSeedsGiveIdenticalWeightsAndImages() {
        Backend cpu = BACKENDS.get("cpu");
        double[][] images = new double[2][];
        for (int run = 0; run < 2; run++) {
            Generator g = new Generator(smallGenerator(16));
            g.initialize(cpu, 11);
            g.train(false);
            try (GradMode off = GradMode.disabled()) {
                images[run] = g.forward(Tensor.randn(cpu, 5, 2, 16), Truncation.NONE, NoiseMode.RANDOM, new Seed(6)).toArray();
            }
        }
        assertThat(images[1]).containsExactly(images[0]);
    }

    @Test
    void truncationWithPsiZeroGivesTheMeanImageForEveryLatent() {
        Backend reference = BACKENDS.get("reference");
        Generator g = new Generator(smallGenerator(16));
        g.initialize(reference, 12);
        g.train(false);
        try (GradMode off = GradMode.disabled()) {
            Tensor wMean = g.estimateWMean(reference, 64, new Seed(1));
            Tensor ws = g.mapping().forward(Tensor.randn(reference, 2, 2, 16), Truncation.NONE, false);
            Tensor truncated = MappingNetwork.truncate(ws, wMean, Truncation.of(0));
            Tensor img = g.synthesis().forward(truncated, NoiseMode.CONST, new Seed(0));
            double[] v = img.toArray();
            int half = v.length / 2;
            for (int i = 0; i < half; i++) {
                assertThat(v[half + i]).isCloseTo(v[i], within(1e-12));
            }
        }
    }

    @Test
    void truncationCutoffKeepsTheLaterWs() {
        Backend reference = BACKENDS.get("reference");
        Tensor ws = Tensor.randn(reference, 1, 2, 4, 3);
        Tensor center = Tensor.zeros(reference, 3);
        Tensor t = MappingNetwork.truncate(ws, center, new Truncation(0.5, 2));
        double[] a = ws.toArray();
        double[] b = t.toArray();
        assertThat(b[0]).isCloseTo(0.5 * a[0], within(1e-12));                 // w 0: truncated
        assertThat(b[2 * 3]).isCloseTo(a[2 * 3], within(1e-12));               // w 2: kept
    }

    @Test
    void wAvgTracksTheMeanOfWInTrainingModeOnly() {
        Backend reference = BACKENDS.get("reference");
        Generator g = new Generator(smallGenerator(16));
        g.initialize(reference, 13);
        MappingNetwork f = g.mapping();
        try (GradMode off = GradMode.disabled()) {
            Tensor z = Tensor.randn(reference, 3, 4, 16);
            Tensor w = f.forward(z, Truncation.NONE, false).slice(1, 0, 1).mean(new int[] {0, 1}, false);
            f.forward(z, Truncation.NONE, true);
            double[] expected = w.mul(1 - 0.995).toArray();                   // lerp(mean, 0, beta)
            assertThat(f.wAvg().toArray()).containsExactly(expected, within(1e-12));
            g.train(false);
            f.forward(z, Truncation.NONE, true);
            assertThat(f.wAvg().toArray()).containsExactly(expected, within(1e-12));
        }
    }

    @Test
    void wrongInputShapesFailWithBothShapes() {
        Backend reference = BACKENDS.get("reference");
        Discriminator d = new Discriminator(smallDiscriminator(16));
        d.initialize(reference, 1);
        assertThatThrownBy(() -> d.forward(Tensor.zeros(reference, 2, 3, 8, 8)))
                .hasMessageContaining("[*, 3, 16, 16]").hasMessageContaining("[2, 3, 8, 8]");
    }
}
