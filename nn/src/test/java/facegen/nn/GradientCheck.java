package facegen.nn;

import facegen.engine.autodiff.Autograd;
import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Test oracle: the gradient of a scalar loss with respect to parameters, by {@code Autograd.backward}, against
 * central differences (L(p + h e_i) - L(p - h e_i)) / 2h at sampled coordinates, on the float64 reference
 * backend. The loss is evaluated with grad mode on, so it may itself take gradients (R1, path length): the
 * check is then a second-order one.
 */
public final class GradientCheck {
    private static final int COORDINATES = 24;
    private static final double STEP = 1e-6;

    private GradientCheck() {}

    /** A free variable holding {@code value} (for layer inputs such as x, w, styles), a leaf that requires grad. */
    public static Parameter variable(String name, Tensor value) {
        Parameter p = new Parameter(name, value.shape(), new Init.Constant(0));
        p.set(value);
        return p;
    }

    /**
     * max_i |analytic_i - numeric_i| / max_i |numeric_i| over up to {@value #COORDINATES} sampled coordinates of
     * each parameter; the parameters' values are restored afterwards.
     */
    public static double scaledError(Supplier<Tensor> loss, List<Parameter> wrt) {
        wrt.forEach(Parameter::zeroGrad);
        Autograd.backward(loss.get());
        List<double[]> analytic = new ArrayList<>();
        for (Parameter p : wrt) {
            analytic.add(p.grad() == null ? new double[p.shape().size()] : p.grad().toArray());
        }
        double maxDiff = 0;
        double maxNumeric = 1e-12;
        SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < wrt.size(); k++) {
            Parameter p = wrt.get(k);
            Tensor original = p.value();
            double[] values = original.toArray();
            int n = values.length;
            for (int c = 0; c < Math.min(COORDINATES, n); c++) {
                int i = n <= COORDINATES ? c : random.nextInt(n);
                double numeric = (at(loss, p, values, i, STEP) - at(loss, p, values, i, -STEP)) / (2 * STEP);
                maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic.get(k)[i]));
                maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
            }
            p.set(original);
        }
        return maxDiff / maxNumeric;
    }

    private static double at(Supplier<Tensor> loss, Parameter p, double[] values, int i, double h) {
        double[] moved = values.clone();
        moved[i] += h;
        Shape s = p.shape();
        p.set(Tensor.of(p.value().backend(), moved, s.dims()));
        return loss.get().item();
    }

    /** sum(y * r) for a fixed random r drawn from {@code seed}, so no symmetry hides a wrong gradient. */
    public static Tensor weighted(Tensor y, long seed) {
        return y.mul(Tensor.randn(y.backend(), seed, y.shape().dims())).sumAll();
    }

    /** The inputs followed by every parameter of {@code module}. */
    public static List<Parameter> with(Module module, Parameter... inputs) {
        List<Parameter> all = new ArrayList<>(List.of(inputs));
        all.addAll(module.namedParameters().values());
        return all;
    }

    /** Asserts the float64 central-difference error of {@code loss} w.r.t. {@code wrt} is below 1e-6. */
    public static void assertGradientsMatch(Supplier<Tensor> loss, List<Parameter> wrt) {
        double error = scaledError(loss, wrt);
        if (!(error < 1e-6)) {
            throw new AssertionError("gradient error " + error + " is not below 1e-6");
        }
    }
}
