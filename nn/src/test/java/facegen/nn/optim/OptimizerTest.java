package facegen.nn.optim;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.Buffer;
import facegen.nn.Init;
import facegen.nn.Module;
import facegen.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Adam, SGD and the EMA against hand-computed updates; Adam minimises a quadratic. */
class OptimizerTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** Two scalar parameters a and b and a buffer. */
    static final class Pair extends Module {
        final Parameter a = parameter("a", new Init.Constant(1), 1);
        final Parameter b = parameter("b", new Init.Constant(-2), 1);
        final Buffer seen = buffer("seen", new Init.Constant(0), 1);
    }

    /** L = 3 a^2 + (b - 1)^2, so dL/da = 6 a, dL/db = 2 (b - 1). */
    private static void backwardQuadratic(Pair p) {
        Tensor a = p.a.value();
        Tensor b = p.b.value();
        Autograd.backward(a.square().mul(3).add(b.sub(1).square()).sumAll());
    }

    @Test
    void adamMatchesHandComputedSteps() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        AdamConfig config = new AdamConfig(0.1, 0.9, 0.99, 1e-8);
        Adam adam = new Adam(p.namedParameters(), config);
        double a = 1;
        double m = 0;
        double v = 0;
        for (int t = 1; t <= 3; t++) {
            adam.zeroGrad();
            backwardQuadratic(p);
            adam.step();
            double g = 6 * a;
            m = 0.9 * m + 0.1 * g;
            v = 0.99 * v + 0.01 * g * g;
            a -= 0.1 / (1 - Math.pow(0.9, t)) * m / (Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.99, t)) + 1e-8);
            assertThat(p.a.value().item()).isCloseTo(a, within(1e-12));
        }
        Adam.Moments s = adam.state().get("a");
        assertThat(s.step()).isEqualTo(3);
        assertThat(s.m().item()).isCloseTo(m, within(1e-12));
        assertThat(s.v().item()).isCloseTo(v, within(1e-12));
        assertThat(p.a.grad()).as("a step leaves fresh leaves").isNull();
    }

    @Test
    void adamWithStyleGanBetasStepsBySignOnTheFirstStep() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        Adam adam = new Adam(p.namedParameters(), AdamConfig.styleGan2(0.002));
        backwardQuadratic(p);
        adam.step();                                 // beta1 = 0: m = g, v hat = g^2, step = lr g / (|g| + eps)
        assertThat(p.a.value().item()).isCloseTo(1 - 0.002, within(1e-9));
        assertThat(p.b.value().item()).isCloseTo(-2 + 0.002, within(1e-9));
    }

    @Test
    void adamMinimisesATwoParameterQuadratic() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        Adam adam = new Adam(p.namedParameters(), new AdamConfig(0.05, 0.9, 0.999, 1e-8));
        for (int i = 0; i < 600; i++) {
            adam.zeroGrad();
            backwardQuadratic(p);
            adam.step();
        }
        assertThat(p.a.value().item()).isCloseTo(0, within(1e-3));
        assertThat(p.b.value().item()).isCloseTo(1, within(1e-3));
    }

    @Test
    void adamStateRoundTripsThroughLoadState() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        Adam first = new Adam(p.namedParameters(), AdamConfig.styleGan2(0.01));
        backwardQuadratic(p);
        first.step();
        Adam second = new Adam(p.namedParameters(), AdamConfig.styleGan2(0.01));
        second.loadState(first.state());
        assertThat(second.state().get("b").v().item()).isEqualTo(first.state().get("b").v().item());
    }

    @Test
    void lazyRegularisationScalesLearningRateAndBetas() {
        AdamConfig lazy = AdamConfig.styleGan2(0.002).lazyRegularized(16);
        double c = 16.0 / 17;
        assertThat(lazy.lr()).isCloseTo(0.002 * c, within(1e-15));
        assertThat(lazy.beta1()).isEqualTo(0);
        assertThat(lazy.beta2()).isCloseTo(Math.pow(0.99, c), within(1e-15));
    }

    @Test
    void sgdWithMomentumMatchesHandComputedSteps() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        Sgd sgd = new Sgd(p.namedParameters(), 0.1, 0.5);
        double b = -2;
        double buffer = 0;
        for (int t = 0; t < 3; t++) {
            sgd.zeroGrad();
            backwardQuadratic(p);
            sgd.step();
            double g = 2 * (b - 1);
            buffer = t == 0 ? g : 0.5 * buffer + g;
            b -= 0.1 * buffer;
            assertThat(p.b.value().item()).isCloseTo(b, within(1e-12));
        }
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        Pair p = new Pair();
        p.initialize(reference, 0);
        Sgd sgd = new Sgd(p.namedParameters(), 0.1, 0);
        Autograd.backward(p.a.value().mul(2).sumAll());
        sgd.step();
        assertThat(p.a.value().item()).isCloseTo(0.8, within(1e-12));
        assertThat(p.b.value().item()).isEqualTo(-2);
    }

    @Test
    void emaInterpolatesParametersAndCopiesBuffers() {
        Pair g = new Pair();
        Pair gEma = new Pair();
        g.initialize(reference, 0);
        gEma.initialize(reference, 0);
        g.a.set(Tensor.of(reference, new double[] {3}, 1));
        g.seen.set(Tensor.of(reference, new double[] {7}, 1));
        Ema.update(gEma, g, 0.25);
        assertThat(gEma.a.value().item()).isCloseTo(3 + 0.25 * (1 - 3), within(1e-12));
        assertThat(gEma.seen.value().item()).isEqualTo(7);
        Ema ema = new Ema(10, 0);
        assertThat(ema.beta(32, 0)).isCloseTo(Math.pow(0.5, 32 / 10_000.0), within(1e-15));
        assertThat(new Ema(10, 0.05).beta(32, 1000)).isCloseTo(Math.pow(0.5, 32 / 50.0), within(1e-15));
    }
}
