package facegen.audit;

import facegen.engine.autodiff.DerivativeRules;
import facegen.engine.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Runs every check of one {@link AuditCase} on one backend and turns the outcome into an {@link AuditRow}.
 *
 * <p>Order: inputs are rounded to the backend under test's element type (so every oracle sees the same point),
 * then the forward pass, the first-order VJP and its central-difference check, the second-order check, and
 * libtorch's forward value and VJP, and (for a GPU backend) the cpu backend's forward value and VJP on the same
 * float32 inputs. An exception inside a check fails the row with its message, except the one
 * an {@link Derivative#ENGINE_GAP} case expects, which must come from {@link DerivativeRules}.
 */
public final class CaseAudit {
    private final Backend underTest;
    private final GradCheck gradCheck;
    private final TorchOracle oracle;
    private final GradCheck peer;
    private final Tolerances tolerances;

    /** Checks on {@code underTest}, with central-difference truth from {@code reference} (float64) and libtorch. */
    public CaseAudit(Backend underTest, Backend reference, TorchOracle oracle) {
        this(underTest, reference, oracle, null);
    }

    /**
     * Checks as above; {@code oracle} null when libtorch cannot run here ({@link TorchOracle#unavailableReason}),
     * {@code peer} (nullable) a second backend whose forward values and VJPs are compared with the backend
     * under test on the same inputs: the cpu backend, for GPU backends.
     */
    public CaseAudit(Backend underTest, Backend reference, TorchOracle oracle, Backend peer) {
        this.underTest = underTest;
        this.gradCheck = new GradCheck(underTest, reference);
        this.oracle = oracle;
        this.peer = peer == null ? null : new GradCheck(peer, reference);
        this.tolerances = Tolerances.of(underTest.dtype());
    }

    /** The row of {@code c} on the backend under test. */
    public AuditRow run(AuditCase c) {
        List<String> problems = new ArrayList<>();                           // each one fails the row
        List<String> remarks = new ArrayList<>();                            // why a column reads n/a
        List<AuditInput> in = c.inputs().stream().map(i -> i.roundedTo(underTest)).toList();
        GradCheck.Forward y;
        try {
            y = gradCheck.forward(c.f(), in);
        } catch (RuntimeException e) {
            OptionalDouble none = OptionalDouble.empty();
            return new AuditRow(c.name(), underTest.name(), none, none, none, none, none, none, false,
                    "forward threw " + describe(e));
        }
        double[] r = gradCheck.seed(y.values().length);
        boolean differentiable = c.hasDifferentiableInputs();
        if (!differentiable) {
            remarks.add("fd, fd2 n/a: no differentiable input");
        }

        List<double[]> vjp = null;
        OptionalDouble fd = OptionalDouble.empty();
        if (differentiable && c.firstOrder() == Derivative.ENGINE_GAP) {
            expectGap("first order", () -> gradCheck.vjp(c.f(), in, r), problems, remarks);
        } else if (differentiable) {
            try {
                vjp = gradCheck.vjp(c.f(), in, r);
            } catch (RuntimeException e) {
                problems.add("VJP threw " + describe(e));
            }
            if (vjp != null && c.firstOrder() == Derivative.CHECKED) {
                List<double[]> analytic = vjp;
                fd = measure("fd", () -> gradCheck.firstOrderError(c.f(), in, r, analytic, c.eps(), c.coordinates()), problems);
            } else if (c.firstOrder() == Derivative.NOT_DIFFERENTIABLE) {
                remarks.add("fd n/a: not smooth at these inputs (ties, domain edge); torch checks the convention");
            }
            if (c.secondOrder() == Derivative.NOT_DIFFERENTIABLE) {
                remarks.add("fd2 n/a: not smooth at these inputs");
            } else if (c.secondOrder() == Derivative.NOT_NEEDED) {
                remarks.add("fd2 n/a: no training objective takes this second derivative");
            }
        }

        OptionalDouble fd2 = OptionalDouble.empty();
        if (differentiable && c.secondOrder() == Derivative.CHECKED) {
            fd2 = measure("fd2", () -> gradCheck.secondOrderError(c.f(), in, r, c.eps(), c.coordinates()), problems);
        } else if (differentiable && c.secondOrder() == Derivative.ENGINE_GAP && c.firstOrder() != Derivative.ENGINE_GAP) {
            expectGap("second order", () -> gradCheck.secondOrderError(c.f(), in, r, c.eps(), c.coordinates()), problems, remarks);
        }

        OptionalDouble torchForward = OptionalDouble.empty();
        OptionalDouble torchBackward = OptionalDouble.empty();
        if (c.torch() == null) {
            remarks.add("torch n/a: " + c.torchNote());
        } else if (oracle == null) {
            remarks.add("torch n/a: " + TorchOracle.unavailableReason().orElse("no oracle given"));
        } else {
            torchForward = measure("torch forward", () -> oracle.forwardError(c.torch(), in, y.values(), y.shape()), problems);
            if (vjp != null) {
                List<double[]> ours = vjp;
                torchBackward = measure("torch backward",
                        () -> oracle.backwardError(c.torch(), in, r, y.shape(), ours), problems);
            }
        }

        OptionalDouble peerForward = OptionalDouble.empty();
        OptionalDouble peerBackward = OptionalDouble.empty();
        if (peer != null) {
            peerForward = measure("cpu forward", () -> ScaledError.of(y.values(), peer.forward(c.f(), in).values()), problems);
            if (vjp != null) {
                List<double[]> ours = vjp;
                peerBackward = measure("cpu backward", () -> ScaledError.of(ours, peer.vjp(c.f(), in, r)), problems);
            }
        }

        boolean pass = problems.isEmpty()
                && within(fd, tolerances.fd()) && within(fd2, tolerances.fd2())
                && within(torchForward, tolerances.torchForward()) && within(torchBackward, tolerances.torchBackward())
                && within(peerForward, tolerances.torchForward()) && within(peerBackward, tolerances.torchBackward());
        if (!pass && problems.isEmpty()) {
            problems.add("over tolerance " + tolerances);
        }
        problems.addAll(remarks);
        return new AuditRow(c.name(), underTest.name(), fd, fd2, torchForward, torchBackward, peerForward, peerBackward,
                pass, String.join("; ", problems));
    }

    private static OptionalDouble measure(String what, Supplier<Double> check, List<String> problems) {
        try {
            return OptionalDouble.of(check.get());
        } catch (RuntimeException e) {
            problems.add(what + " threw " + describe(e));
            return OptionalDouble.of(Double.NaN);
        }
    }

    /** The declared gap must still be thrown by DerivativeRules; a value or another exception fails the row. */
    private static void expectGap(String what, Supplier<?> attempt, List<String> problems, List<String> remarks) {
        try {
            attempt.get();
            problems.add(what + " is declared an engine gap but the engine now computes it: set the case to CHECKED");
        } catch (UnsupportedOperationException e) {
            StackTraceElement[] trace = e.getStackTrace();
            if (trace.length == 0 || !trace[0].getClassName().equals(DerivativeRules.class.getName())) {
                problems.add(what + ": expected DerivativeRules' declared gap, got " + describe(e));
            } else {
                remarks.add(what + " n/a: engine gap confirmed (" + e.getMessage() + ")");
            }
        } catch (RuntimeException e) {
            problems.add(what + ": expected DerivativeRules' declared gap, got " + describe(e));
        }
    }

    private static boolean within(OptionalDouble error, double tolerance) {
        return error.isEmpty() || error.getAsDouble() <= tolerance;              // NaN is never within
    }

    private static String describe(Throwable e) {
        StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        return e.getClass().getSimpleName() + ": " + e.getMessage() + (at == null ? "" : " at " + at);
    }
}
