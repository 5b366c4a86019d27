package facegen.nn.stylegan;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.GradientCheck;
import facegen.nn.Parameter;
import facegen.nn.Seed;
import facegen.nn.layers.BiasAct;
import facegen.nn.layers.FirFilter;
import facegen.nn.optim.Adam;
import facegen.nn.optim.AdamConfig;
import facegen.nn.optim.Ema;
import facegen.nn.optim.Optimizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The regularisers' second-order gradients against central differences, and whole training steps. */
class StyleGAN2LossTest {
    private static Backend reference;
    private static Backend cpu;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        reference.close();
        cpu.close();
    }

    /** d(mean R1)/d(D's parameters and x), a second derivative of D, against differences of the penalty. */
    @Test
    void r1PenaltyGradientThroughATinyDiscriminatorMatchesCentralDifferences() {
        Discriminator d = new Discriminator(new DiscriminatorConfig(8, 3, 16, 4, BiasAct.NO_CLAMP, 2, 1));
        d.initialize(reference, 21);
        Parameter x = GradientCheck.variable("x", Tensor.randn(reference, 22, 2, 3, 8, 8));
        List<Parameter> wrt = new ArrayList<>(d.namedParameters().values());
        wrt.add(x);
        double error = GradientCheck.scaledError(
                () -> StyleGAN2Loss.r1Penalty(d.forward(x.value()), x.value()).meanAll(), wrt);
        assertThat(error).isLessThan(1e-6);
    }

    /** The R1 penalty itself is ||d(sum D)/dx||^2: compare with central differences of D in x. */
    @Test
    void r1PenaltyIsTheSquaredNormOfTheInputGradient() {
        Discriminator d = new Discriminator(new DiscriminatorConfig(8, 1, 16, 4, BiasAct.NO_CLAMP, 1, 1));
        d.initialize(reference, 23);
        Tensor x = Tensor.randn(reference, 24, 1, 1, 8, 8).requireGrad();
        double penalty = StyleGAN2Loss.r1Penalty(d.forward(x), x).item();
        double[] v = x.toArray();
        double sum = 0;
        double h = 1e-6;
        for (int i = 0; i < v.length; i++) {
            double[] plus = v.clone();
            double[] minus = v.clone();
            plus[i] += h;
            minus[i] -= h;
            double g = (d.forward(Tensor.of(reference, plus, 1, 1, 8, 8)).item()
                    - d.forward(Tensor.of(reference, minus, 1, 1, 8, 8)).item()) / (2 * h);
            sum += g * g;
        }
        assertThat(Math.abs(penalty - sum) / sum).isLessThan(1e-6);
    }

    /** d(path-length penalty)/d(layer parameters, x, ws) through one synthesis layer, a second derivative. */
    @Test
    void pathLengthPenaltyGradientThroughATinySynthesisLayerMatchesCentralDifferences() {
        SynthesisLayer layer = new SynthesisLayer(3, 4, 5, 8, 2, FirFilter.RESAMPLE, BiasAct.NO_CLAMP);
        layer.initialize(reference, 31);
        Parameter strength = layer.namedParameters().get("noise_strength");
        strength.set(Tensor.scalar(reference, 0.3));
        Parameter x = GradientCheck.variable("x", Tensor.randn(reference, 32, 2, 3, 4, 4));
        Parameter ws = GradientCheck.variable("ws", Tensor.randn(reference, 33, 2, 1, 5));
        Tensor plNoise = Tensor.randn(reference, 34, 2, 4, 8, 8).div(8);
        List<Parameter> wrt = new ArrayList<>(layer.namedParameters().values());
        wrt.add(x);
        wrt.add(ws);
        for (ModConvMode mode : ModConvMode.values()) {
            double error = GradientCheck.scaledError(() -> {
                Tensor img = layer.forward(x.value(), ws.value().reshape(2, 5), NoiseMode.RANDOM, new Seed(35), mode);
                Tensor lengths = StyleGAN2Loss.pathLengths(img, ws.value(), plNoise);
                return lengths.sub(0.7).square().meanAll();
            }, wrt);
            assertThat(error).as("%s", mode).isLessThan(1e-6);
        }
    }

    @Test
    void scheduleRunsRegularisersLazilyWithTheirIntervalAsGain() {
        StyleGAN2Loss loss = new StyleGAN2Loss(null, null, StyleGAN2LossConfig.of(1));
        assertThat(loss.schedule(0)).containsExactly(
                new StyleGAN2Loss.ScheduledPhase(StyleGAN2Loss.Phase.G_MAIN, 1),
                new StyleGAN2Loss.ScheduledPhase(StyleGAN2Loss.Phase.G_REG, 4),
                new StyleGAN2Loss.ScheduledPhase(StyleGAN2Loss.Phase.D_MAIN, 1),
                new StyleGAN2Loss.ScheduledPhase(StyleGAN2Loss.Phase.D_REG, 16));
        assertThat(loss.schedule(4)).extracting(StyleGAN2Loss.ScheduledPhase::phase)
                .containsExactly(StyleGAN2Loss.Phase.G_MAIN, StyleGAN2Loss.Phase.G_REG, StyleGAN2Loss.Phase.D_MAIN);
        assertThat(loss.schedule(5)).hasSize(2);
    }

    /** Every phase at 32 x 32, batch 4, on cpu: finite statistics, each phase moves only its own network. */
    @Test
    void trainingStepsUpdateOnlyThePhasesNetworkAndTheEma() {
        Generator g = new Generator(NetworksTest.smallGenerator(32));
        Discriminator d = new Discriminator(NetworksTest.smallDiscriminator(32));
        g.initialize(cpu, 41);
        d.initialize(cpu, 42);
        Generator gEma = new Generator(g.config());
        gEma.copyFrom(g);
        gEma.requireGrad(false);
        gEma.train(false);
        StyleGAN2Loss loss = new StyleGAN2Loss(g, d, StyleGAN2LossConfig.of(0.1));
        Optimizer optG = new Adam(g.namedParameters(), AdamConfig.styleGan2(0.0025).lazyRegularized(4));
        Optimizer optD = new Adam(d.namedParameters(), AdamConfig.styleGan2(0.0025).lazyRegularized(16));
        Tensor reals = Tensor.uniform(cpu, 43, -1, 1, 4, 3, 32, 32);
        Ema ema = new Ema(10, 0.05);

        for (long step = 0; step < 2; step++) {
            long start = System.nanoTime();
            for (StyleGAN2Loss.ScheduledPhase p : loss.schedule(step)) {
                double[] gBefore = g.namedParameters().get("synthesis.b32.conv1.weight").value().toArray();
                double[] dBefore = d.namedParameters().get("b32.conv0.weight").value().toArray();
                Optimizer opt = p.phase().updatesGenerator() ? optG : optD;
                opt.zeroGrad();
                long phaseStart = System.nanoTime();
                Map<String, Double> stats = loss.accumulateGradients(p.phase(), reals, new Seed(100).derive(step), p.gain());
                opt.step();
                System.out.printf("step %d %-6s %6d ms  %s%n", step, p.phase(), (System.nanoTime() - phaseStart) / 1_000_000, stats);
                assertThat(stats.values()).allSatisfy(v -> assertThat(v).isFinite());
                double[] gAfter = g.namedParameters().get("synthesis.b32.conv1.weight").value().toArray();
                double[] dAfter = d.namedParameters().get("b32.conv0.weight").value().toArray();
                if (p.phase().updatesGenerator()) {
                    assertThat(gAfter).isNotEqualTo(gBefore);
                    assertThat(dAfter).containsExactly(dBefore);
                } else {
                    assertThat(dAfter).isNotEqualTo(dBefore);
                    assertThat(gAfter).containsExactly(gBefore);
                }
            }
            Ema.update(gEma, g, ema.beta(4, (step + 1) * 4));
            System.out.printf("step %d total %d ms%n", step, (System.nanoTime() - start) / 1_000_000);
        }
        assertThat(loss.plMean()).isPositive();
        assertThat(gEma.namedParameters().get("mapping.fc0.weight").value().toArray())
                .isNotEqualTo(g.namedParameters().get("mapping.fc0.weight").value().toArray());
    }
}
