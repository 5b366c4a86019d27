package facegen.audit;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One row of the audit: a function f of fixed inputs, what to check about its derivatives, and libtorch's
 * equivalent. Primitive rows apply one {@link Op}; layer rows (modulated conv, upfirdn2d, render ops) take any
 * composite f and leave {@link #primitive} null.
 *
 * @param name        row label: {@link Op#name()} of the primitive, plus a suffix for variants ("matmul_tA")
 * @param primitive   the primitive this row audits, or null for a layer row
 * @param inputs      fixed inputs; those flagged differentiable are the variables of every check
 * @param f           the function under audit, written with engine operations
 * @param torch       libtorch's equivalent, or null when there is none (see {@link #torchNote})
 * @param torchNote   why the torch columns are n/a (empty when {@link #torch} is set)
 * @param firstOrder  what is done with the VJP of f
 * @param secondOrder what is done with the gradient of the gradient
 * @param eps         step of the central differences
 * @param coordinates coordinates per variable that central differences move (at most; a sample of them)
 */
public record AuditCase(String name, Class<? extends Op> primitive, List<AuditInput> inputs, TensorFunction f,
                        TorchEquivalent torch, String torchNote, Derivative firstOrder, Derivative secondOrder,
                        double eps, int coordinates) {

    /** Central-difference step unless a case needs another: small enough for h^2 truncation, large for rounding. */
    public static final double DEFAULT_EPS = 1e-6;

    /** Validates the fields. */
    public AuditCase {
        Objects.requireNonNull(name);
        Objects.requireNonNull(f, name + ": no function");
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(name + ": no inputs");
        }
        if (torch == null && (torchNote == null || torchNote.isBlank())) {
            throw new IllegalArgumentException(name + ": without a torch equivalent, say why in torchNote");
        }
        if (firstOrder == Derivative.ENGINE_GAP && secondOrder != Derivative.ENGINE_GAP) {
            throw new IllegalArgumentException(name + ": no second order without a first");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(name + ": eps must be positive, got " + eps);
        }
        if (coordinates < 1) {
            throw new IllegalArgumentException(name + ": at least one coordinate to difference, got " + coordinates);
        }
    }

    /** Starts a row for primitive {@code op}, named {@code op.name()}, with f = the primitive applied to all inputs. */
    public static Builder primitive(Op op) {
        return new Builder(op.name(), op.getClass(), in -> Tensor.apply(op, in.toArray(Tensor[]::new)));
    }

    /** Starts a layer row: any composite function, audited the same way. */
    public static Builder layer(String name, TensorFunction f) {
        return new Builder(name, null, f);
    }

    /** True when at least one input is differentiable. */
    public boolean hasDifferentiableInputs() {
        return inputs.stream().anyMatch(AuditInput::differentiable);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Assembles an {@link AuditCase}; defaults: both orders checked, {@link #DEFAULT_EPS}. */
    public static final class Builder {
        private String name;
        private final Class<? extends Op> primitive;
        private TensorFunction f;
        private final List<AuditInput> inputs = new ArrayList<>();
        private TorchEquivalent torch;
        private String torchNote = "";
        private Derivative firstOrder = Derivative.CHECKED;
        private Derivative secondOrder = Derivative.CHECKED;
        private double eps = DEFAULT_EPS;
        private int coordinates = GradCheck.MAX_COORDINATES;

        private Builder(String name, Class<? extends Op> primitive, TensorFunction f) {
            this.name = name;
            this.primitive = primitive;
            this.f = f;
        }

        /** Appends "_" + suffix to the name: a variant whose semantics differ (strides, transposes, groups). */
        public Builder variant(String suffix) {
            name = name + "_" + suffix;
            return this;
        }

        /** Replaces f, e.g. to feed the primitive a permuted or sliced input. */
        public Builder f(TensorFunction function) {
            f = function;
            return this;
        }

        /** Appends inputs, in f's argument order. */
        public Builder inputs(AuditInput... in) {
            inputs.addAll(List.of(in));
            return this;
        }

        /** libtorch's equivalent of f. */
        public Builder torch(TorchEquivalent equivalent) {
            torch = equivalent;
            return this;
        }

        /** No torch equivalent, for the reason given (shown in reports). */
        public Builder noTorch(String reason) {
            torch = null;
            torchNote = reason;
            return this;
        }

        /** Sets what is done with the first derivative. */
        public Builder firstOrder(Derivative d) {
            firstOrder = d;
            return this;
        }

        /** Sets what is done with the second derivative. */
        public Builder secondOrder(Derivative d) {
            secondOrder = d;
            return this;
        }

        /** Sets the central-difference step. */
        public Builder eps(double step) {
            eps = step;
            return this;
        }

        /**
         * Differences at most {@code n} coordinates per variable instead of {@link GradCheck#MAX_COORDINATES}: for
         * whole networks, whose every evaluation on the float64 reference backend takes seconds.
         */
        public Builder coordinates(int n) {
            coordinates = n;
            return this;
        }

        /** The case. */
        public AuditCase build() {
            return new AuditCase(name, primitive, inputs, f, torch, torchNote, firstOrder, secondOrder, eps, coordinates);
        }
    }
}
