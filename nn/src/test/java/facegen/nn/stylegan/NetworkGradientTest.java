package facegen.nn.stylegan;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.GradientCheck;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Seed;
import facegen.nn.layers.BiasAct;
import facegen.nn.layers.FirFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static facegen.nn.GradientCheck.assertGradientsMatch;
import static facegen.nn.GradientCheck.with;

/** Float64 central-difference checks of the StyleGAN2 layers, blocks and tiny whole networks. */
class NetworkGradientTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    private static Tensor weighted(Tensor y) {
        return GradientCheck.weighted(y, 98);
    }

    private static Parameter input(String name, long seed, int... dims) {
        return GradientCheck.variable(name, Tensor.randn(reference, seed, dims));
    }



    @ParameterizedTest(name = "up {0}, {1}, noise {2}")
    @CsvSource({"1, FUSED, RANDOM", "1, NON_FUSED, CONST", "2, FUSED, CONST", "2, NON_FUSED, RANDOM"})
    void synthesisLayer(int up, ModConvMode mode, NoiseMode noise) {
        SynthesisLayer layer = new SynthesisLayer(3, 2, 4, 4 * up, up, FirFilter.RESAMPLE, 1.2);
        layer.initialize(reference, 1);
        layer.namedParameters().get("noise_strength").set(Tensor.scalar(reference, 0.4));
        Parameter x = input("x", 2, 2, 3, 4, 4);
        Parameter w = input("w", 3, 2, 4);
        assertGradientsMatch(() -> weighted(layer.forward(x.value(), w.value(), noise, new Seed(4), mode)),
                with(layer, x, w));
    }

    @Test
    void toRgbLayer() {
        ToRgbLayer layer = new ToRgbLayer(3, 3, 4, BiasAct.NO_CLAMP);
        layer.initialize(reference, 5);
        Parameter x = input("x", 6, 2, 3, 4, 4);
        Parameter w = input("w", 7, 2, 4);
        for (ModConvMode mode : ModConvMode.values()) {
            assertGradientsMatch(() -> weighted(layer.forward(x.value(), w.value(), mode)), with(layer, x, w));
        }
    }

    @Test
    void mappingNetworkWithTruncation() {
        MappingNetwork mapping = new MappingNetwork(new MappingConfig(4, 3, 3, 5, 0.01, 0.995), 4);
        mapping.initialize(reference, 8);
        mapping.train(false);
        mapping.namedBuffers().get("w_avg").set(Tensor.randn(reference, 9, 3));
        Parameter z = input("z", 10, 2, 4);
        assertGradientsMatch(() -> weighted(mapping.forward(z.value(), new Truncation(0.7, 2), true)),
                with(mapping, z));
    }

    @Test
    void discriminatorBlockAndEpilogue() {
        DiscriminatorBlock block = new DiscriminatorBlock(0, 2, 3, 8, 3, BiasAct.NO_CLAMP);
        block.initialize(reference, 11);
        Parameter img = input("img", 12, 2, 3, 8, 8);
        assertGradientsMatch(() -> weighted(block.forward(null, img.value())), with(block, img));

        DiscriminatorEpilogue epilogue = new DiscriminatorEpilogue(3, 4, 2, 1, 0.8);
        epilogue.initialize(reference, 13);
        Parameter x = input("x", 14, 4, 3, 4, 4);
        assertGradientsMatch(() -> weighted(epilogue.forward(x.value())), with(epilogue, x));
    }

    @Test
    void tinyGeneratorEndToEndWithStyleMixing() {
        Generator g = new Generator(new GeneratorConfig(new MappingConfig(4, 4, 2, 4, 0.01, 0.995),
                new SynthesisConfig(4, 8, 3, 16, 3, BiasAct.NO_CLAMP)));
        g.initialize(reference, 15);
        g.train(false);
        Parameter z = input("z", 16, 2, 4);
        assertGradientsMatch(() -> weighted(g.synthesis().forward(g.mapWithStyleMixing(z.value(), 1, new Seed(17)),
                NoiseMode.RANDOM, new Seed(18))), with(g, z));
    }
}
