package facegen.audit;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit is not vacuous: functions whose derivative is deliberately wrong (built with detach, so the values
 * stay right and only the recorded graph lies) fail, on every backend, in the column that should catch them.
 */
class AuditCatchesWrongDerivativesTest {
    private static Map<String, Backend> backends;
    private static Map<String, CaseAudit> audits;

    @BeforeAll
    static void openBackends() {
        backends = new TreeMap<>();
        audits = new TreeMap<>();
        TorchOracle oracle = new TorchOracle();
        backends.put("reference", Backends.create("reference"));
        backends.put("cpu", Backends.create("cpu"));
        for (String name : backends.keySet()) {
            audits.put(name, new CaseAudit(backends.get(name), backends.get("reference"), oracle));
        }
    }

    @AfterAll
    static void closeBackends() {
        backends.values().forEach(Backend::close);
    }

    /** y = exp(x) in value, but the graph says dy/dx = 2 (a straight-through estimator posing as exp). */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void wrongFirstDerivativeFailsAgainstFiniteDifferencesAndTorch(String backend) {
        AuditCase c = AuditCase.layer("exp_with_wrong_vjp", in -> {
                    Tensor x = in.get(0);
                    return x.detach().exp().add(x.mul(2)).sub(x.detach().mul(2));
                })
                .inputs(AuditInput.normal("x", 1, 3, 4))
                .torch(t -> t.get(0).exp()).build();

        AuditRow row = audits.get(backend).run(c);

        assertThat(row.pass()).isFalse();
        assertThat(row.fd().getAsDouble()).isGreaterThan(0.1);
        assertThat(row.torchForward().getAsDouble()).isLessThan(1e-4);          // values are right
        assertThat(row.torchBackward().getAsDouble()).isGreaterThan(0.1);
    }

    /**
     * y = exp(x0) + exp(x0) (x - x0) with x0 = detach(x): value and first derivative exp(x) are right, but the
     * derivative's own derivative is 0 instead of exp(x). Only the second-order column can see it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void wrongSecondDerivativeFailsOnlyTheSecondOrderCheck(String backend) {
        AuditCase c = AuditCase.layer("exp_with_constant_slope", in -> {
                    Tensor x0 = in.get(0).detach();
                    return x0.exp().add(x0.exp().mul(in.get(0).sub(x0)));
                })
                .inputs(AuditInput.normal("x", 2, 3, 4))
                .torch(t -> t.get(0).exp()).build();

        AuditRow row = audits.get(backend).run(c);

        assertThat(row.pass()).isFalse();
        assertThat(row.fd().getAsDouble()).isLessThan(1e-4);
        assertThat(row.torchBackward().getAsDouble()).isLessThan(1e-4);
        assertThat(row.fd2().getAsDouble()).isGreaterThan(0.1);
    }

    /** A gradient that is wrong only for the broadcast operand (its sum over the broadcast axis is halved). */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void wrongGradientOfABroadcastOperandFails(String backend) {
        AuditCase c = AuditCase.layer("add_with_half_broadcast_gradient", in -> {
                    Tensor b = in.get(1);
                    Tensor halfGraph = b.mul(0.5).add(b.detach().mul(0.5));     // value b, slope 1/2
                    return in.get(0).add(halfGraph);
                })
                .inputs(AuditInput.normal("a", 3, 2, 3, 4), AuditInput.normal("b", 4, 3, 1))
                .torch(t -> t.get(0).add(t.get(1))).build();

        AuditRow row = audits.get(backend).run(c);

        assertThat(row.pass()).isFalse();
        assertThat(row.fd().getAsDouble()).isGreaterThan(0.1);
    }

    /** libtorch catches a forward that is not what the row claims (sin audited against torch's cos). */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void wrongForwardFailsAgainstTorch(String backend) {
        AuditCase c = AuditCase.primitive(new Op.Sin()).inputs(AuditInput.normal("x", 5, 2, 3))
                .torch(t -> t.get(0).cos()).build();

        AuditRow row = audits.get(backend).run(c);

        assertThat(row.pass()).isFalse();
        assertThat(row.fd().getAsDouble()).isLessThan(1e-4);
        assertThat(row.torchForward().getAsDouble()).isGreaterThan(0.1);
    }

    /** A derivative declared an engine gap that the engine in fact computes fails instead of reading n/a. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void declaredGapThatTheEngineComputesFails(String backend) {
        AuditCase c = AuditCase.primitive(new Op.Exp()).inputs(AuditInput.normal("x", 6, 2, 3))
                .secondOrder(Derivative.ENGINE_GAP)
                .torch(t -> t.get(0).exp()).build();

        AuditRow row = audits.get(backend).run(c);

        assertThat(row.pass()).isFalse();
        assertThat(row.fd2()).isEmpty();
        assertThat(row.note()).contains("engine now computes it");
    }
}
