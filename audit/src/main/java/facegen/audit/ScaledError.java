package facegen.audit;

import java.util.List;

/**
 * The audit's one error metric: max|got - truth| over all compared elements, divided by max|truth| over the same
 * elements (floored at {@link #TINY}), so errors read relative to the scale of the quantity checked. A NaN or an
 * infinity anywhere gives NaN, which fails every tolerance.
 */
public final class ScaledError {

    /** Floor of the scale: below it the truth is taken as zero and the error is absolute. */
    public static final double TINY = 1e-12;

    private ScaledError() {}

    /** max|got - truth| / max(max|truth|, TINY) over matching arrays of equal lengths. */
    public static double of(List<double[]> got, List<double[]> truth) {
        if (got.size() != truth.size()) {
            throw new IllegalArgumentException(got.size() + " arrays compared with " + truth.size());
        }
        double maxDiff = 0;
        double scale = 0;
        for (int k = 0; k < got.size(); k++) {
            double[] g = got.get(k);
            double[] t = truth.get(k);
            if (g.length != t.length) {
                throw new IllegalArgumentException("array " + k + ": " + g.length + " values compared with " + t.length);
            }
            for (int i = 0; i < g.length; i++) {
                if (!Double.isFinite(g[i]) || !Double.isFinite(t[i])) {
                    return Double.NaN;
                }
                maxDiff = Math.max(maxDiff, Math.abs(g[i] - t[i]));
                scale = Math.max(scale, Math.abs(t[i]));
            }
        }
        return maxDiff / Math.max(scale, TINY);
    }

    /** The metric for one pair of arrays. */
    public static double of(double[] got, double[] truth) {
        return of(List.of(got), List.of(truth));
    }
}
