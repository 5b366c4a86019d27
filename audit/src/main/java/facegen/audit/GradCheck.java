package facegen.audit;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Gradient checks of f: List&lt;Tensor&gt; -&gt; Tensor by float64 central differences on the reference backend.
 *
 * <p>First order: the checked scalar is L(x) = sum(f(x) * r) with a fixed random r. The analytic side is the VJP
 * (dy/dx)^T r computed by {@link Autograd#grad} on the backend under test; the truth is central differences of L
 * computed on the reference backend in float64, in a no-grad scope (y is differenced before weighting by r, see
 * {@link CentralDifference}). Second order (as torch's gradgradcheck):
 * G(x, r) = dL/dx with a recorded graph, S(x, r) = sum_k sum(G_k * v_k) with fixed random v; the analytic
 * gradient of S with respect to x and r on the backend under test is compared with central differences of S,
 * where S is evaluated with first-order autograd on the reference backend. Treating the seed r as a variable
 * makes the check meaningful for linear primitives too: their G does not depend on x, but dS/dr = J v checks
 * that the rule is differentiable in its upstream gradient, which R1 needs.
 *
 * <p>Only inputs flagged differentiable are variables; at most {@link #MAX_COORDINATES} coordinates per
 * variable are differenced (fewer where a case asks). Errors are {@link ScaledError}s over all variables together. Inputs should already
 * be rounded to the backend under test ({@link AuditInput#roundedTo}) so both sides see the same point.
 */
public final class GradCheck {

    /** Coordinates differenced per variable; each costs two evaluations of L (or of S). */
    public static final int MAX_COORDINATES = 40;

    private static final long SEED_R = 0x5EEDL;
    private static final long SEED_V = 0x5EED_0100L;
    private static final long SEED_SAMPLE = 0x5EED_0200L;

    private final Backend underTest;
    private final Backend reference;

    /**
     * A checker of gradients computed on {@code underTest} against truth computed on {@code reference}.
     *
     * @throws IllegalArgumentException when {@code reference} does not compute in float64
     */
    public GradCheck(Backend underTest, Backend reference) {
        if (reference.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("central-difference truth needs a float64 backend, '" + reference.name()
                    + "' computes in " + reference.dtype());
        }
        this.underTest = underTest;
        this.reference = reference;
    }

    /** Output values and shape of one evaluation. */
    public record Forward(double[] values, int[] shape) {}

    /**
     * The fixed seed r of L = sum(f(x) * r) for an output of {@code n} elements: N(0, 1) samples, rounded to the
     * backend under test's element type so the analytic and numeric sides use the very same r.
     */
    public double[] seed(int n) {
        return representable(normal(SEED_R, n));
    }

    /** y = f(x) on the backend under test, without recording a graph. */
    public Forward forward(TensorFunction f, List<AuditInput> inputs) {
        try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
            Tensor y = f.apply(tensors(inputs, null, underTest, false));
            return new Forward(y.toArray(), y.shape().dims());
        }
    }

    /** The analytic VJP on the backend under test: d(sum(f(x) * r))/dx_k for each differentiable x_k, in order. */
    public List<double[]> vjp(TensorFunction f, List<AuditInput> inputs, double[] r) {
        try (GradMode _ = GradMode.enabled(); TensorScope _ = TensorScope.open()) {
            List<Tensor> xs = tensors(inputs, null, underTest, true);
            Tensor y = f.apply(xs);
            // the seed form of Autograd.grad is exactly dL/dx; no other primitive's rule enters the check
            List<Tensor> g = Autograd.grad(List.of(y), List.of(Tensor.of(underTest, r, y.shape().dims())),
                    variables(xs, inputs), false);
            return g.stream().map(Tensor::toArray).toList();
        }
    }

    /**
     * The first-order error: {@link ScaledError} of {@code analytic} (from {@link #vjp}) against central
     * differences of L = sum(f(x) * r) in float64 on the reference backend, step {@code eps}.
     */
    public double firstOrderError(TensorFunction f, List<AuditInput> inputs, double[] r, List<double[]> analytic,
                                  double eps, int coordinates) {
        CentralDifference.VectorFunction y = point -> {
            try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
                return f.apply(tensors(inputs, point, reference, false)).toArray();
            }
        };
        return compare(y, r, variableValues(inputs), analytic, eps, coordinates);
    }

    /**
     * The second-order error: the gradient of S(x, r) = sum_k sum(dL/dx_k * v_k) with respect to (x, r), taken
     * through {@code createGraph} on the backend under test, against central differences of S on the reference
     * backend. Throws what the engine throws where it does not define a second derivative.
     */
    public double secondOrderError(TensorFunction f, List<AuditInput> inputs, double[] r, double eps, int coordinates) {
        List<double[]> v = new ArrayList<>();
        for (double[] x : variableValues(inputs)) {
            v.add(representable(normal(SEED_V + v.size(), x.length)));
        }
        List<double[]> analytic = secondOrderAnalytic(f, inputs, r, v);      // first: it may hit an engine gap
        CentralDifference.VectorFunction gradient = point -> {               // G(x, r), all variables flattened
            try (GradMode _ = GradMode.enabled(); TensorScope _ = TensorScope.open()) {
                List<Tensor> xs = tensors(inputs, point, reference, true);
                Tensor y = f.apply(xs);
                Tensor seed = Tensor.of(reference, point.getLast(), y.shape().dims());
                return concat(Autograd.grad(List.of(y), List.of(seed), variables(xs, inputs), false).stream()
                        .map(Tensor::toArray).toList());
            }
        };
        List<double[]> point = new ArrayList<>(variableValues(inputs));
        point.add(r);
        return compare(gradient, concat(v), point, analytic, eps, coordinates);
    }

    private List<double[]> secondOrderAnalytic(TensorFunction f, List<AuditInput> inputs, double[] r, List<double[]> v) {
        try (GradMode _ = GradMode.enabled(); TensorScope _ = TensorScope.open()) {
            List<Tensor> xs = tensors(inputs, null, underTest, true);
            List<Tensor> vars = variables(xs, inputs);
            Tensor y = f.apply(xs);
            Tensor seed = Tensor.of(underTest, r, y.shape().dims()).requireGrad();
            List<Tensor> g = Autograd.grad(List.of(y), List.of(seed), vars, true);
            List<Tensor> outputs = new ArrayList<>();
            List<Tensor> seeds = new ArrayList<>();
            for (int k = 0; k < g.size(); k++) {
                if (g.get(k).requiresGrad()) {                               // a constant G_k adds nothing to dS
                    outputs.add(g.get(k));
                    seeds.add(Tensor.of(underTest, v.get(k), g.get(k).shape().dims()));
                }
            }
            List<Tensor> wrt = new ArrayList<>(vars);
            wrt.add(seed);
            if (outputs.isEmpty()) {
                return wrt.stream().map(t -> new double[t.shape().size()]).toList();
            }
            return Autograd.grad(outputs, seeds, wrt, false).stream().map(Tensor::toArray).toList();
        }
    }

    /** ScaledError of the analytic gradient of &lt;F, w&gt; against central differences, at sampled coordinates. */
    private static double compare(CentralDifference.VectorFunction fn, double[] w, List<double[]> point,
                                  List<double[]> analytic, double eps, int coordinates) {
        List<CoordinateSample> sample = new ArrayList<>();
        List<double[]> picked = new ArrayList<>();
        for (int k = 0; k < point.size(); k++) {
            CoordinateSample s = CoordinateSample.of(point.get(k).length, coordinates, SEED_SAMPLE + k);
            sample.add(s);
            picked.add(s.pick(analytic.get(k)));
        }
        return ScaledError.of(picked, CentralDifference.partials(fn, w, point, sample, eps));
    }

    /**
     * The inputs as tensors on {@code backend}: differentiable ones take their values from {@code point} (in
     * order) when it is given and require grad when {@code withGrad}; constants keep their own values.
     */
    private static List<Tensor> tensors(List<AuditInput> inputs, List<double[]> point, Backend backend, boolean withGrad) {
        List<Tensor> out = new ArrayList<>();
        int k = 0;
        for (AuditInput in : inputs) {
            double[] values = in.differentiable() && point != null ? point.get(k++) : in.values();
            Tensor t = Tensor.of(backend, values, in.dims());
            out.add(withGrad && in.differentiable() ? t.requireGrad() : t);
        }
        return out;
    }

    private static List<Tensor> variables(List<Tensor> xs, List<AuditInput> inputs) {
        List<Tensor> vars = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (inputs.get(i).differentiable()) {
                vars.add(xs.get(i));
            }
        }
        return vars;
    }

    private static List<double[]> variableValues(List<AuditInput> inputs) {
        return inputs.stream().filter(AuditInput::differentiable).map(AuditInput::values).toList();
    }

    private double[] representable(double[] values) {
        try (Tensor t = Tensor.of(underTest, values, values.length)) {
            return t.toArray();
        }
    }

    private static double[] concat(List<double[]> parts) {
        double[] all = new double[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static double[] normal(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }
}
