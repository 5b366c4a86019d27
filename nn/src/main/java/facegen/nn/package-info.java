/**
 * The module tree: {@link facegen.nn.Module} (named {@link facegen.nn.Parameter}s, {@link facegen.nn.Buffer}s and
 * children with dotted names), {@link facegen.nn.Init} (first values), {@link facegen.nn.Seed} (every random draw
 * derived from a root seed and a stable name) and {@link facegen.nn.Shapes} (input shape checks).
 *
 * <p>Sub-packages, in dependency order: {@code layers} (equalised-lr fully connected and conv layers, bias +
 * activation, upfirdn2d, minibatch stddev, pixel norm), {@code optim} (Adam, SGD, EMA) and {@code stylegan}
 * (modulated conv, StyleGAN2 mapping, synthesis, generator, discriminator and the StyleGAN2 loss: Karras et al.,
 * "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020, as stylegan2-ada-pytorch's
 * {@code training/networks.py} and {@code training/loss.py}).
 */
package facegen.nn;
