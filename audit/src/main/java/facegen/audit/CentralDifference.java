package facegen.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Numeric partial derivatives of a weighted sum L(x) = &lt;F(x), w&gt; of a vector function:
 * dL/dx_k[i] = &lt;F(x + h e_{k,i}) - F(x - h e_{k,i}), w&gt; / 2h, error O(h^2) from truncation plus rounding.
 *
 * <p>The two evaluations of F are differenced element by element before weighting: elements a perturbation does
 * not move cancel exactly, so the rounding error scales with the few elements that do move, not with |L| (a
 * million-element output would otherwise drown a 1e-6 step in the rounding of the sum).
 */
public final class CentralDifference {

    /** A vector function of several arrays (it must not keep or modify them). */
    @FunctionalInterface
    public interface VectorFunction {
        /** F(x_0, ..., x_k), flattened. */
        double[] value(List<double[]> point);
    }

    private CentralDifference() {}

    /**
     * The partials of &lt;F, w&gt; at {@code point} at the sampled coordinates of each array, in sample order.
     *
     * @param w      the weights, one per element of F
     * @param point  the arrays, not modified (each is perturbed on a copy)
     * @param sample one coordinate sample per array
     * @param h      the step
     */
    public static List<double[]> partials(VectorFunction f, double[] w, List<double[]> point, List<CoordinateSample> sample,
                                          double h) {
        List<double[]> x = new ArrayList<>();
        for (double[] p : point) {
            x.add(p.clone());
        }
        List<double[]> out = new ArrayList<>();
        for (int k = 0; k < x.size(); k++) {
            double[] xk = x.get(k);
            int[] idx = sample.get(k).indices();
            double[] d = new double[idx.length];
            for (int s = 0; s < idx.length; s++) {
                int i = idx[s];
                double saved = xk[i];
                double up = saved + h;
                double down = saved - h;
                xk[i] = up;
                double[] plus = f.value(x);
                xk[i] = down;
                double[] minus = f.value(x);
                xk[i] = saved;
                double dot = 0;
                for (int j = 0; j < w.length; j++) {
                    dot += (plus[j] - minus[j]) * w[j];
                }
                d[s] = dot / (up - down);                                    // the step actually taken, not 2h
            }
            out.add(d);
        }
        return out;
    }
}
