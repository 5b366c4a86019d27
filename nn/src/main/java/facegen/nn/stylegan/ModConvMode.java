package facegen.nn.stylegan;

/**
 * The two equivalent formulations of the modulated convolution (stylegan2-ada's fused_modconv flag); a test
 * checks that they agree.
 */
public enum ModConvMode {
    /**
     * fused_modconv = True: per-sample weights w'_n = w * s_n * d_n, the batch folded into channel groups, one
     * grouped convolution (StyleGAN2 section 2.2, "grouped convolutions"). StyleGAN uses it at inference.
     */
    FUSED,
    /**
     * fused_modconv = False: scale the activations by the styles, convolve with the shared weight, scale the
     * result by the demodulation coefficients. StyleGAN uses it in training (one weight gradient for the batch).
     */
    NON_FUSED
}
