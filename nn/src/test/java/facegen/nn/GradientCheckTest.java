package facegen.nn;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The test oracle is not vacuous: a function whose recorded graph lies about its derivative fails it. */
class GradientCheckTest {

    @Test
    void wrongDerivativeIsCaughtAndRightOnePasses() {
        try (Backend reference = Backends.create("reference")) {
            Parameter x = GradientCheck.variable("x", Tensor.randn(reference, 1, 6));
            // value exp(x), graph derivative 2: detach keeps the value and hides the true derivative
            double wrong = GradientCheck.scaledError(
                    () -> x.value().detach().exp().add(x.value().mul(2)).sub(x.value().detach().mul(2)).sumAll(), List.of(x));
            double right = GradientCheck.scaledError(() -> x.value().exp().sumAll(), List.of(x));
            assertThat(wrong).isGreaterThan(0.1);
            assertThat(right).isLessThan(1e-8);
        }
    }
}
