/**
 * Building blocks of StyleGAN2's networks, each composed from engine primitives so a backend implements
 * nothing new: equalised-learning-rate {@link facegen.nn.layers.FullyConnected} and
 * {@link facegen.nn.layers.Conv2dLayer} (Karras et al. 2018, "Progressive Growing of GANs", section 4.1),
 * {@link facegen.nn.layers.BiasAct} (bias, activation, gain, clamp), {@link facegen.nn.layers.Upfirdn2d}
 * (upsample, pad, FIR, downsample) with {@link facegen.nn.layers.FirFilter} and
 * {@link facegen.nn.layers.Conv2dResample}, {@link facegen.nn.layers.MinibatchStd} (section 3) and
 * {@link facegen.nn.layers.PixelNorm} (section 4.2).
 *
 * <p>Symbols as in stylegan2-ada-pytorch: weight_gain (weightGain), lr_multiplier (lrMultiplier), conv_clamp
 * (convClamp), up, down, padding (px0, px1, py0, py1), f (the FIR filter), flip_filter.
 */
package facegen.nn.layers;
