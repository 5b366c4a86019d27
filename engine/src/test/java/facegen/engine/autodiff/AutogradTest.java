package facegen.engine.autodiff;

import facegen.engine.backend.Backend;
import facegen.engine.backend.cpu.CpuBackend;
import facegen.engine.backend.reference.ReferenceBackend;
import facegen.engine.tensor.AnomalyMode;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Semantics of the tape: accumulation, freeing, no-grad, grad-of-grad, anomaly mode, errors. Same on every backend. */
class AutogradTest {

    static Stream<Backend> backends() {
        return Stream.of(new ReferenceBackend(), new CpuBackend());
    }

    private static double tol(Backend b) {
        return b.dtype().bytes() == 8 ? 1e-12 : 1e-5;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gradientAccumulatesWhenTensorIsUsedTwice(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1.5, -2}, 2).requireGrad();
        Tensor y = x.mul(x).add(x).sumAll();                   // dy/dx = 2x + 1
        Autograd.backward(y);
        assertThat(x.grad().toArray()).containsExactly(new double[] {4, -3}, within(tol(b)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void backwardAccumulatesIntoLeafAcrossCallsLikePyTorch(Backend b) {
        Tensor x = Tensor.of(b, new double[] {2}, 1).requireGrad();
        Autograd.backward(x.mul(3).sumAll());
        Autograd.backward(x.mul(4).sumAll());
        assertThat(x.grad().item()).isCloseTo(7, within(tol(b)));
        x.zeroGrad();
        assertThat(x.grad()).isNull();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void secondBackwardOnFreedGraphFailsClearly(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1, 2}, 2).requireGrad();
        Tensor y = x.exp().sumAll();
        Autograd.backward(y);
        assertThatThrownBy(() -> Autograd.backward(y))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("freed").hasMessageContaining("retainGraph");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void retainedGraphCanBeWalkedTwice(Backend b) {
        Tensor x = Tensor.of(b, new double[] {0.5}, 1).requireGrad();
        Tensor y = x.sin().sumAll();
        Autograd.backward(y, Tensor.ones(b), true);
        Autograd.backward(y, Tensor.ones(b), false);
        assertThat(x.grad().item()).isCloseTo(2 * Math.cos(0.5), within(tol(b)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void noGradScopeRecordsNothing(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1}, 1).requireGrad();
        try (GradMode g = GradMode.disabled()) {
            Tensor y = x.mul(2);
            assertThat(y.requiresGrad()).isFalse();
            assertThat(y.node()).isNull();
        }
        assertThat(x.mul(2).requiresGrad()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gradOfGradGivesTheSecondDerivative(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1, -2, 0.5}, 3).requireGrad();
        Tensor y = x.mul(x).mul(x).sumAll();                   // y = sum x^3
        Tensor g = Autograd.grad(y, List.of(x), true).get(0);  // 3 x^2, itself differentiable
        Tensor h = Autograd.grad(g.sumAll(), List.of(x), false).get(0);
        assertThat(g.toArray()).containsExactly(new double[] {3, 12, 0.75}, within(tol(b) * 10));
        assertThat(h.toArray()).containsExactly(new double[] {6, -12, 3}, within(tol(b) * 10));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gradOfUnusedInputIsZero(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1, 2}, 2).requireGrad();
        Tensor unused = Tensor.of(b, new double[] {3}, 1).requireGrad();
        List<Tensor> g = Autograd.grad(x.sumAll(), List.of(x, unused), false);
        assertThat(g.get(1).toArray()).containsExactly(0.0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void broadcastGradientsAreSummedBackToTheInputShape(Backend b) {
        Tensor a = Tensor.of(b, new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requireGrad();
        Tensor c = Tensor.of(b, new double[] {10, 20, 30}, 3).requireGrad();
        Autograd.backward(a.mul(c).sumAll());
        assertThat(c.grad().shape().dims()).containsExactly(3);
        assertThat(c.grad().toArray()).containsExactly(new double[] {5, 7, 9}, within(tol(b)));
        assertThat(a.grad().toArray()).containsExactly(new double[] {10, 20, 30, 10, 20, 30}, within(tol(b)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tiesShareTheGradientEvenly(Backend b) {
        Tensor x = Tensor.of(b, new double[] {3, 1, 3}, 3).requireGrad();
        Autograd.backward(x.max(new int[] {0}, false));
        assertThat(x.grad().toArray()).containsExactly(new double[] {0.5, 0, 0.5}, within(tol(b)));
        Tensor p = Tensor.of(b, new double[] {2}, 1).requireGrad();
        Tensor q = Tensor.of(b, new double[] {2}, 1).requireGrad();
        Autograd.backward(p.maximum(q).sumAll());
        assertThat(p.grad().item()).isCloseTo(0.5, within(tol(b)));
        assertThat(q.grad().item()).isCloseTo(0.5, within(tol(b)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anomalyModeNamesTheOpThatMadeNaN(Backend b) {
        Tensor x = Tensor.of(b, new double[] {0, 1}, 2).requireGrad();
        try (AnomalyMode a = AnomalyMode.enable()) {
            Tensor y = x.sqrt().sumAll();                      // d sqrt(x)/dx = 1/(2 sqrt x) = inf at 0
            assertThatThrownBy(() -> Autograd.backward(y))
                    .hasMessageContaining("sqrt").hasMessageContaining("Infinity")
                    .hasRootCauseMessage("forward sqrt created here");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void deepGraphsDoNotOverflowTheStack(Backend b) {
        Tensor x = Tensor.of(b, new double[] {1}, 1).requireGrad();
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.add(1);
        }
        Autograd.backward(y.sumAll());
        assertThat(x.grad().item()).isCloseTo(1, within(tol(b)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void scopeReleasesEveryIntermediate(Backend b) {
        Tensor x = Tensor.randn(b, 1, 64, 64).requireGrad();
        long before = b.liveBytes();
        Tensor kept;
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = x.exp().mul(x).sin().sumAll();
            Autograd.backward(y);
            kept = scope.keep(x.grad().detach());
        }
        x.zeroGrad();
        assertThat(b.liveBytes() - before).isEqualTo(kept.shape().numel() * b.dtype().bytes());
        kept.close();
        assertThat(b.liveBytes()).isEqualTo(before);
        assertThatThrownBy(kept::toArray).hasMessageContaining("closed");
    }

    @Test
    void mixingBackendsNamesBoth() {
        try (Backend r = new ReferenceBackend(); Backend c = new CpuBackend()) {
            Tensor a = Tensor.ones(r, 2);
            Tensor d = Tensor.ones(c, 2);
            assertThatThrownBy(() -> a.add(d)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'reference'").hasMessageContaining("'cpu'");
        }
    }

    @Test
    void wrongShapesNameBothShapes() {
        try (Backend r = new ReferenceBackend()) {
            Tensor a = Tensor.ones(r, 8, 256);
            Tensor w = Tensor.ones(r, 512, 3);
            assertThatThrownBy(() -> a.matmul(w)).hasMessageContaining("[8, 256]").hasMessageContaining("[512, 3]");
            assertThatThrownBy(() -> a.add(Tensor.ones(r, 3))).hasMessageContaining("[8, 256]").hasMessageContaining("[3]");
        }
    }

    @Test
    void backwardNeedsAScalarOrASeed() {
        try (Backend r = new ReferenceBackend()) {
            Tensor x = Tensor.ones(r, 2).requireGrad();
            assertThatThrownBy(() -> Autograd.backward(x.mul(2))).hasMessageContaining("one-element");
            assertThatThrownBy(() -> Autograd.backward(Tensor.ones(r, 1).sumAll()))
                    .hasMessageContaining("does not require grad");
        }
    }
}
