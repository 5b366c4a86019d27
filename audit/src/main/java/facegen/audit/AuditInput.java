package facegen.audit;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One input of an audit case: fixed values (row-major), their shape, and whether the checks differentiate
 * with respect to it (index tensors and masks are constants). Factories make domain-safe values from fixed seeds.
 *
 * @param name           label used in messages
 * @param dims           shape, outermost first
 * @param values         row-major values
 * @param differentiable true when gradients with respect to this input are checked
 */
public record AuditInput(String name, int[] dims, double[] values, boolean differentiable) {

    /** Validates that the values fill the shape; copies both arrays. */
    public AuditInput {
        dims = dims.clone();
        values = values.clone();
        if (new Shape(dims).numel() != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values do not fill shape " + Arrays.toString(dims));
        }
    }

    /** Samples of N(0, 1). */
    public static AuditInput normal(String name, long seed, int... dims) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[size(dims)];
        Arrays.setAll(v, i -> random.nextGaussian());
        return new AuditInput(name, dims, v, true);
    }

    /** Samples of U[lo, hi): positive bases for log, sqrt and pow, denominators away from zero. */
    public static AuditInput uniform(String name, long seed, double lo, double hi, int... dims) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[size(dims)];
        Arrays.setAll(v, i -> lo + (hi - lo) * random.nextDouble());
        return new AuditInput(name, dims, v, true);
    }

    /** Samples of U[lo, hi) with a random sign: magnitudes in [lo, hi), so a denominator stays away from zero. */
    public static AuditInput signedMagnitude(String name, long seed, double lo, double hi, int... dims) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[size(dims)];
        Arrays.setAll(v, i -> (random.nextBoolean() ? 1 : -1) * (lo + (hi - lo) * random.nextDouble()));
        return new AuditInput(name, dims, v, true);
    }

    /**
     * Distinct values on the lattice offset + 0.25 k (k = a random permutation of -n/2 .. n/2), so no two
     * elements are within 0.25 of each other, and two inputs with offsets 0 and 0.125 are never within 0.125:
     * max, min and maximum have no near-ties for central differences to step across. Lattice values are exact
     * in float32, so rounding cannot create ties either.
     */
    public static AuditInput distinct(String name, long seed, double offset, int... dims) {
        int n = size(dims);
        int[] k = new int[n];
        Arrays.setAll(k, i -> i - n / 2);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {                                    // Fisher-Yates with the fixed seed
            int j = random.nextInt(i + 1);
            int t = k[i];
            k[i] = k[j];
            k[j] = t;
        }
        double[] v = new double[n];
        Arrays.setAll(v, i -> offset + 0.25 * k[i]);
        return new AuditInput(name, dims, v, true);
    }

    /** Given values (exact in float32 when chosen so), e.g. to build ties on purpose. */
    public static AuditInput values(String name, double[] values, int... dims) {
        return new AuditInput(name, dims, values, true);
    }

    /** A 1-D index tensor: integer values held in the float dtype, not differentiable. */
    public static AuditInput index(String name, int... indices) {
        return new AuditInput(name, new int[] {indices.length}, Arrays.stream(indices).asDoubleStream().toArray(), false);
    }

    /** A 0/1 mask (each entry 1 with probability 1/2), not differentiable. */
    public static AuditInput mask(String name, long seed, int... dims) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[size(dims)];
        Arrays.setAll(v, i -> random.nextBoolean() ? 1 : 0);
        return new AuditInput(name, dims, v, false);
    }

    /**
     * A sampling grid [n, ho, wo, 2] of (x, y) for an input of extent inH x inW, every coordinate away from the
     * bilinear kinks: the pixel coordinate p = ((g + 1) S - 1) / 2 is an integer plus a fraction in [0.15, 0.85],
     * between -2 and S + 1, so some samples straddle the border (half their taps read the zero padding) and some
     * lie wholly outside (value and gradients 0).
     */
    public static AuditInput grid(String name, long seed, int n, int ho, int wo, int inH, int inW) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n * ho * wo * 2];
        for (int i = 0; i < v.length; i++) {
            int extent = i % 2 == 0 ? inW : inH;                            // channel 0 is x (width), 1 is y
            double p = random.nextInt(-2, extent + 1) + 0.15 + 0.7 * random.nextDouble();
            v[i] = (2 * p + 1) / extent - 1;
        }
        return new AuditInput(name, new int[] {n, ho, wo, 2}, v, true);
    }

    /** The same values as a constant: the checks do not differentiate with respect to it. */
    public AuditInput constant() {
        return new AuditInput(name, dims, values, false);
    }

    /** The same input with its values rounded to {@code backend}'s element type (a round trip through it). */
    public AuditInput roundedTo(Backend backend) {
        try (Tensor t = Tensor.of(backend, values, dims)) {
            return new AuditInput(name, dims, t.toArray(), differentiable);
        }
    }

    /** This input as a new tensor on {@code backend} (a leaf that requires grad when {@code withGrad}). */
    public Tensor toTensor(Backend backend, boolean withGrad) {
        Tensor t = Tensor.of(backend, values, dims);
        return withGrad ? t.requireGrad() : t;
    }

    /** The shape of this input. */
    public Shape shape() {
        return new Shape(dims);
    }

    private static int size(int[] dims) {
        return new Shape(dims).size();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + (differentiable ? "" : " (constant)");
    }
}
