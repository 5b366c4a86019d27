package facegen.nn.layers;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.GradientCheck;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.layers.Upfirdn2d.Padding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static facegen.nn.GradientCheck.assertGradientsMatch;
import static facegen.nn.GradientCheck.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Float64 central-difference checks of every layer's gradient with respect to its inputs and parameters. */
class LayerGradientTest {
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
        return GradientCheck.weighted(y, 99);
    }

    private static Parameter input(String name, long seed, int... dims) {
        return GradientCheck.variable(name, Tensor.randn(reference, seed, dims));
    }



    @Test
    void fullyConnectedWithLrMultiplierAndLrelu() {
        FullyConnected fc = new FullyConnected(FullyConnectedConfig.of(5, 4).withActivation(Activation.LRELU)
                .withLrMultiplier(0.01).withBiasInit(0.3));
        fc.initialize(reference, 1);
        Parameter x = input("x", 2, 3, 5);
        assertGradientsMatch(() -> weighted(fc.forward(x.value())), with(fc, x));
    }

    @Test
    void fullyConnectedAppliesTheEqualisedLearningRate() {
        FullyConnected fc = new FullyConnected(FullyConnectedConfig.of(4, 1).withLrMultiplier(0.5).withBiasInit(2));
        fc.initialize(reference, 1);
        fc.namedParameters().get("weight").set(Tensor.of(reference, new double[] {1, 2, 3, 4}, 1, 4));
        Tensor y = fc.forward(Tensor.of(reference, new double[] {1, 1, 1, 1}, 1, 4));
        assertThat(y.item()).isCloseTo(10 * 0.5 / 2 + 2 * 0.5, within(1e-12));  // w gain 0.5 / sqrt(4), b gain 0.5
    }

    @Test
    void convLayerPlainAndDownsampling() {
        Conv2dLayer plain = new Conv2dLayer(Conv2dLayerConfig.of(3, 4, 3).withActivation(Activation.LRELU));
        Conv2dLayer down = new Conv2dLayer(Conv2dLayerConfig.of(3, 2, 3).withActivation(Activation.LRELU).withDown(2));
        Conv2dLayer skip = new Conv2dLayer(Conv2dLayerConfig.of(3, 2, 1).withoutBias().withDown(2));
        plain.initialize(reference, 3);
        down.initialize(reference, 4);
        skip.initialize(reference, 5);
        Parameter x = input("x", 6, 2, 3, 6, 6);
        assertGradientsMatch(() -> weighted(plain.forward(x.value())), with(plain, x));
        assertGradientsMatch(() -> weighted(down.forward(x.value(), Math.sqrt(0.5))), with(down, x));
        assertGradientsMatch(() -> weighted(skip.forward(x.value(), Math.sqrt(0.5))), with(skip, x));
    }

    @Test
    void biasActWithLreluGainAndClamp() {
        Parameter x = GradientCheck.variable("x", Tensor.randn(reference, 7, 2, 3, 4, 4).mul(2));
        Parameter b = input("b", 8, 3);
        assertGradientsMatch(() -> weighted(BiasAct.biasAct(x.value(), b.value(), Activation.LRELU, 1.3, 1.5)),
                List.of(x, b));
        Tensor clamped = BiasAct.biasAct(Tensor.of(reference, new double[] {-3, -0.5, 0.5, 3}, 1, 4), null,
                Activation.LRELU, Math.sqrt(2), 1);
        assertThat(clamped.toArray()).containsExactly(new double[] {-3 * 0.2 * Math.sqrt(2), -0.1 * Math.sqrt(2),
                0.5 * Math.sqrt(2), 1}, within(1e-12));
    }

    @Test
    void softplusIsStableAndDifferentiable() {
        Tensor big = Activation.SOFTPLUS.apply(Tensor.of(reference, new double[] {-800, 0, 800}, 3));
        assertThat(big.toArray()).containsExactly(new double[] {0, Math.log(2), 800}, within(1e-12));
        Parameter x = GradientCheck.variable("x", Tensor.randn(reference, 9, 10).mul(3));
        assertGradientsMatch(() -> weighted(Activation.SOFTPLUS.apply(x.value())), List.of(x));
    }

    @Test
    void upfirdn2dUpAndDown() {
        Parameter x = input("x", 10, 1, 2, 5, 5);
        assertGradientsMatch(() -> weighted(Upfirdn2d.upsample2d(x.value(), FirFilter.RESAMPLE)), List.of(x));
        assertGradientsMatch(() -> weighted(Upfirdn2d.downsample2d(x.value(), FirFilter.RESAMPLE)), List.of(x));
        assertGradientsMatch(() -> weighted(Upfirdn2d.upfirdn2d(x.value(), FirFilter.of(1, 2, 3, 4, 4, 3, 2, 1), 2, 2,
                new Padding(3, -1, 2, 4), true, 1)), List.of(x));
    }

    @Test
    void minibatchStdAndPixelNorm() {
        Parameter x = input("x", 11, 8, 4, 3, 3);
        MinibatchStd mbstd = new MinibatchStd(4, 2);
        assertThat(mbstd.apply(x.value()).shape().dims()).containsExactly(8, 6, 3, 3);
        assertGradientsMatch(() -> weighted(mbstd.apply(x.value())), List.of(x));
        Parameter z = input("z", 12, 3, 7);
        assertGradientsMatch(() -> weighted(PixelNorm.normalize2ndMoment(z.value())), List.of(z));
    }

    @Test
    void minibatchStdGroupsSamplesStridedAsStyleGan() {
        // 4 samples, group 2: groups {0, 2} and {1, 3}; one channel, one pixel
        Tensor x = Tensor.of(reference, new double[] {0, 10, 2, 10}, 4, 1, 1, 1);
        double[] y = new MinibatchStd(2, 1).apply(x).toArray();
        double std02 = Math.sqrt(1 + 1e-8);                                     // values 0, 2: variance 1
        double std13 = Math.sqrt(1e-8);
        assertThat(y).containsExactly(new double[] {0, std02, 10, std13, 2, std02, 10, std13}, within(1e-12));
    }

    @Test
    void pixelNormGivesUnitSecondMoment() {
        Tensor y = PixelNorm.normalize2ndMoment(Tensor.randn(reference, 13, 2, 6).mul(5));
        assertThat(y.square().mean(new int[] {1}, false).toArray()).containsExactly(new double[] {1, 1}, within(1e-9));
    }
}
