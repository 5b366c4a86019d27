package facegen.nn.stylegan;

/** Where the per-pixel noise of the synthesis layers comes from (stylegan2-ada's noise_mode). */
public enum NoiseMode {
    /** Fresh N(0, 1) noise [N, 1, H, W] per call, drawn from the call's seed and the layer's name. */
    RANDOM,
    /** Each layer's fixed noise buffer noise_const [H, W], the same for every sample (reproducible renders). */
    CONST,
    /** No noise. */
    NONE
}
