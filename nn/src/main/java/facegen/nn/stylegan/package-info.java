/**
 * StyleGAN2, AlbedoGAN's generator and discriminator (Karras et al. 2020, "Analyzing and Improving the Image
 * Quality of StyleGAN"), following stylegan2-ada-pytorch's {@code training/networks.py} and
 * {@code training/loss.py} (unconditional: no labels; generator in the "skip", discriminator in the "resnet"
 * architecture; float32 only).
 *
 * <p>Symbols: z (latent, [N, z_dim]), w and ws (intermediate latents, [N, num_ws, w_dim]), w_avg (tracked mean
 * of w), psi (truncation, {@link facegen.nn.stylegan.Truncation}), styles (s = A(w), eq. 1), demodCoefs (d,
 * eq. 3), weight_gain (equalised learning rate), noise_strength, const (the learned 4x4 input), img, logits,
 * pl_mean (a in the path-length penalty, section 4.2 / appendix B), r1_gamma (gamma of R1).
 */
package facegen.nn.stylegan;
