package facegen.nn.layers;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * A normalised low-pass FIR filter for {@link Upfirdn2d}, as stylegan2-ada's upfirdn2d.setup_filter: the taps
 * divided by their sum, kept 1-D (separable: the 2-D filter is the outer product, applied as a row pass and a
 * column pass) or expanded to the 2-D outer product.
 *
 * @param values    row-major filter values: [k] when separable, [k, k] otherwise; they sum to 1
 * @param separable true when {@code values} is the 1-D factor of a separable filter
 */
public record FirFilter(double[] values, boolean separable) {

    /** StyleGAN2's resampling filter, the binomial [1, 3, 3, 1] as a normalised 4 x 4 outer product. */
    public static final FirFilter RESAMPLE = of(1, 3, 3, 1);

    /** Copies the values and checks that they fill a [k] or [k, k] filter. */
    public FirFilter {
        values = values.clone();
        int k = separable ? values.length : (int) Math.round(Math.sqrt(values.length));
        if (values.length == 0 || (!separable && k * k != values.length)) {
            throw new IllegalArgumentException("a 2-D FIR filter needs k * k values, got " + values.length);
        }
    }

    /**
     * The filter of {@code taps} normalised to sum 1, separable when it has 8 or more taps and otherwise the 2-D
     * outer product (setup_filter's default: separable = f.ndim == 1 and f.numel() >= 8).
     */
    public static FirFilter of(double... taps) {
        double sum = Arrays.stream(taps).sum();
        double[] f = Arrays.stream(taps).map(t -> t / sum).toArray();
        if (f.length >= 8) {
            return new FirFilter(f, true);
        }
        double[] outer = new double[f.length * f.length];
        for (int i = 0; i < f.length; i++) {
            for (int j = 0; j < f.length; j++) {
                outer[i * f.length + j] = f[i] * f[j];
            }
        }
        return new FirFilter(outer, false);
    }

    /** The extent k of the filter along each axis (fw = fh = k). */
    public int size() {
        return separable ? values.length : (int) Math.round(Math.sqrt(values.length));
    }

    /**
     * The filter as a tensor on {@code backend}, [k] or [k, k], scaled by gain^(ndim / 2) (so the 2-D filter
     * is scaled by gain either way) and flipped along every axis when {@code flip}.
     */
    public Tensor tensor(Backend backend, double gain, boolean flip) {
        int k = size();
        Tensor f = separable ? Tensor.of(backend, values, k) : Tensor.of(backend, values, k, k);
        if (gain != 1) {
            f = f.mul(separable ? Math.sqrt(gain) : gain);
        }
        return flip ? (separable ? f.flip(0) : f.flip(0, 1)) : f;
    }
}
