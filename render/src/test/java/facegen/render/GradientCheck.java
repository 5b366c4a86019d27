package facegen.render;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Float64 central-difference checks of render compositions for tests: L(x) = sum(f(x) * r) with a fixed random r;
 * the analytic gradient (Autograd) is compared with (L(x + h e_i) - L(x - h e_i)) / 2h per coordinate.
 */
public final class GradientCheck {

    private GradientCheck() {}

    /**
     * Largest |analytic - numeric| over all coordinates of all inputs, divided by max(1, largest |numeric|).
     *
     * @param backend a float64 backend
     * @param f       the function; called with fresh tensors for every evaluation (so it may rasterise inside)
     * @param inputs  the inputs' values
     * @param shapes  their shapes
     * @param eps     the step h
     */
    public static double relativeError(Backend backend, Function<List<Tensor>, Tensor> f, List<double[]> inputs,
                                       List<int[]> shapes, double eps) {
        double[] r;
        List<double[]> analytic = new ArrayList<>();
        try (TensorScope _ = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                xs.add(Tensor.of(backend, inputs.get(i), shapes.get(i)).requireGrad());
            }
            Tensor y = f.apply(xs);
            r = new double[(int) y.shape().numel()];
            SplittableRandom random = new SplittableRandom(12345);
            for (int i = 0; i < r.length; i++) {
                r[i] = random.nextGaussian();
            }
            Tensor loss = y.mul(Tensor.of(backend, r, y.shape().dims())).sumAll();
            for (Tensor g : Autograd.grad(loss, xs, false)) {
                analytic.add(g.toArray());
            }
        }
        double maxDiff = 0;
        double maxNumeric = 0;
        for (int k = 0; k < inputs.size(); k++) {
            double[] x = inputs.get(k);
            for (int i = 0; i < x.length; i++) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double numeric = (loss(backend, f, inputs, shapes, k, plus, r) - loss(backend, f, inputs, shapes, k, minus, r)) / (2 * eps);
                maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic.get(k)[i]));
                maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
            }
        }
        return maxDiff / Math.max(1, maxNumeric);
    }

    private static double loss(Backend backend, Function<List<Tensor>, Tensor> f, List<double[]> inputs, List<int[]> shapes,
                               int replace, double[] with, double[] r) {
        try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                xs.add(Tensor.of(backend, i == replace ? with : inputs.get(i), shapes.get(i)));
            }
            Tensor y = f.apply(xs);
            double[] v = y.toArray();
            double s = 0;
            for (int i = 0; i < v.length; i++) {
                s += v[i] * r[i];
            }
            return s;
        }
    }
}
