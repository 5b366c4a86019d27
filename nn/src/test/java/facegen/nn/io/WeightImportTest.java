package facegen.nn.io;

import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.Seed;
import facegen.nn.stylegan.Discriminator;
import facegen.nn.stylegan.DiscriminatorConfig;
import facegen.nn.stylegan.Generator;
import facegen.nn.stylegan.GeneratorConfig;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.Truncation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State dicts in PyTorch layouts, written as torch.save files by the test ({@link TorchSaveWriter}) from one
 * network and imported into another: the imported network computes the same bits.
 */
class WeightImportTest {
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    private static GeneratorConfig generatorConfig(int channelMax) {
        return GeneratorConfig.of(16, 16, 16, 3).withChannels(16 * 8, channelMax);
    }

    private static DiscriminatorConfig discriminatorConfig(int channelMax) {
        return DiscriminatorConfig.of(16, 3).withChannels(16 * 8, channelMax);
    }

    /** The module's tensors renamed and reshaped as {@code layout} stores them, plus the layout's constants. */
    private static Map<String, Object> export(Module m, WeightLayout layout, int imgResolution) {
        Map<String, Object> out = new LinkedHashMap<>();
        StateDict.of(m).forEach((name, t) -> {
            WeightLayout.Source s = layout.source(name, t.shape(), imgResolution);
            if (s != null) {
                float[] v = new float[t.values().length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) t.values()[i];
                }
                out.put(s.name(), TorchSaveWriter.contiguous(v, s.shape().dims()));
            }
        });
        String constant = switch (layout) {
            case ROSINALITY -> "convs.0.conv.blur.kernel";
            case STYLEGAN2_ADA -> "synthesis.b8.resample_filter";
            case FACEGEN -> null;
        };
        if (constant != null) {
            out.put(constant, TorchSaveWriter.contiguous(new float[] {1, 3, 3, 1}, 4));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(WeightLayout.class)
    void importedGeneratorAndDiscriminatorGiveIdenticalOutputs(WeightLayout layout) throws Exception {
        Generator g = new Generator(generatorConfig(16));
        g.initialize(cpu, 1);
        Discriminator d = new Discriminator(discriminatorConfig(16));
        d.initialize(cpu, 2);
        try (GradMode _ = GradMode.disabled()) {        // a non-zero w_avg and noise strength, so both are checked
            g.mapping().forward(Tensor.randn(cpu, 3, 8, 16), Truncation.NONE, true);
            g.namedParameters().get("synthesis.b8.conv0.noise_strength").set(Tensor.scalar(cpu, 0.3));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("g_ema", export(g, layout, 0));
        root.put("d", export(d, layout, 16));
        TensorFile file = TorchStateDict.decode(TorchSaveWriter.write(root), "ckpt.pt");

        Generator g2 = new Generator(generatorConfig(16));
        g2.initialize(cpu, 11);
        Discriminator d2 = new Discriminator(discriminatorConfig(16));
        d2.initialize(cpu, 12);
        if (layout == WeightLayout.ROSINALITY) {                        // rosinality keeps no w_avg
            g2.mapping().namedBuffers().get("w_avg").set(g.mapping().wAvg());
        }
        StateDict.load(g2, file.withPrefix("g_ema."), layout, cpu);
        StateDict.load(d2, file.withPrefix("d."), layout, cpu);

        g.train(false);
        g2.train(false);
        try (GradMode _ = GradMode.disabled()) {
            Tensor z = Tensor.randn(cpu, 5, 4, 16);
            for (NoiseMode noise : new NoiseMode[] {NoiseMode.CONST, NoiseMode.RANDOM}) {
                Tensor img = g.forward(z, Truncation.of(0.7), noise, new Seed(6));
                Tensor img2 = g2.forward(z, Truncation.of(0.7), noise, new Seed(6));
                assertThat(img2.toArray()).as("%s %s", layout, noise).containsExactly(img.toArray());
                assertThat(d2.forward(img).toArray()).containsExactly(d.forward(img).toArray());
            }
        }
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes() throws Exception {
        Generator small = new Generator(generatorConfig(8));
        small.initialize(cpu, 1);
        Map<String, Object> root = new LinkedHashMap<>(export(small, WeightLayout.ROSINALITY, 0));
        TensorFile file = TorchStateDict.decode(TorchSaveWriter.write(root), "small.pt");
        Generator big = new Generator(generatorConfig(16));
        assertThatThrownBy(() -> StateDict.load(big, file.tensors(), WeightLayout.ROSINALITY, cpu))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'input.input' (for synthesis.b4.const) has shape [1, 8, 4, 4] in the file,"
                        + " the network expects [1, 16, 4, 4]");
    }

    @Test
    void missingAndUnexpectedTensorsAreListedAndNothingIsSet() {
        Generator g = new Generator(generatorConfig(8));
        g.initialize(cpu, 1);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>(StateDict.of(g));
        tensors.remove("mapping.fc3.bias");
        tensors.put("mapping.fc9.bias", tensors.get("mapping.fc2.bias"));
        Generator target = new Generator(generatorConfig(8));
        target.initialize(cpu, 2);
        double[] before = target.namedParameters().get("mapping.fc0.weight").value().toArray();
        assertThatThrownBy(() -> StateDict.load(target, tensors, cpu))
                .hasMessageContaining("1 missing [mapping.fc3.bias]").hasMessageContaining("1 unexpected [mapping.fc9.bias]");
        assertThat(target.namedParameters().get("mapping.fc0.weight").value().toArray()).containsExactly(before);
    }
}
