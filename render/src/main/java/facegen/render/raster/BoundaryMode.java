package facegen.render.raster;

/** What {@link Texturing#texture} reads for bilinear taps outside the texture (UVs outside [0, 1]). */
public enum BoundaryMode {
    /** The nearest edge texel (a UV far outside reads the edge colour; its gradient w.r.t. UV is zero there). */
    CLAMP,
    /** The texture repeats with period 1 in u and v. */
    WRAP,
    /** Taps outside read 0, as {@code grid_sample(padding_mode='zeros')}. */
    ZERO
}
