package facegen.nn.stylegan;

/**
 * The truncation trick (StyleGAN, Karras et al. 2019, section 3.2 / appendix B): w' = w_mean + psi (w - w_mean)
 * for the first {@code cutoff} of the ws, trading variety for typicality.
 *
 * @param psi    1 = no truncation, 0 = every sample is the mean; AlbedoGAN's data set uses 0.7
 * @param cutoff the number of leading ws truncated; {@link #ALL_WS} = every w (StyleGAN's None)
 */
public record Truncation(double psi, int cutoff) {

    /** The cutoff that truncates every w. */
    public static final int ALL_WS = Integer.MAX_VALUE;

    /** No truncation (psi 1). */
    public static final Truncation NONE = new Truncation(1, ALL_WS);

    /** Validates that the cutoff is positive. */
    public Truncation {
        if (cutoff < 1) {
            throw new IllegalArgumentException("truncation cutoff must be >= 1 (ALL_WS for all), got " + cutoff);
        }
    }

    /** Truncation of every w by {@code psi}. */
    public static Truncation of(double psi) {
        return new Truncation(psi, ALL_WS);
    }
}
