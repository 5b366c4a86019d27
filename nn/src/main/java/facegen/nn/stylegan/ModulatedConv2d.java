package facegen.nn.stylegan;

import facegen.engine.tensor.Tensor;
import facegen.nn.Shapes;
import facegen.nn.layers.Conv2dResample;
import facegen.nn.layers.FirFilter;

/**
 * StyleGAN2's modulated convolution with weight demodulation (Karras et al. 2020, section 2.2, equations 1-3),
 * stylegan2-ada's modulated_conv2d:
 * <pre>
 *   modulate:    w'_{n,o,i,k} = s_{n,i} w_{o,i,k}                      (eq. 1)
 *   demodulate:  d_{n,o} = 1 / sqrt(sum_{i,k} w'_{n,o,i,k}^2 + 1e-8)    (eq. 3)
 *                w''_{n,o,i,k} = d_{n,o} w'_{n,o,i,k}
 *   y_n = conv2d_resample(x_n, w''_n) + noise
 * </pre>
 */
public final class ModulatedConv2d {

    private ModulatedConv2d() {}

    /**
     * y = conv2d_resample(x, w'') + noise for each sample n, w'' the modulated (and, if {@code demodulate},
     * demodulated) weight; {@code mode} picks the grouped or the activation-scaling formulation (equal results).
     *
     * @param x          input [N, I, H, W]; receives gradients
     * @param weight     shared weight [O, I, k, k]; receives gradients
     * @param styles     modulation coefficients s [N, I]; receive gradients
     * @param noise      added to the output, broadcast to [N, O, H', W'] ([N, 1, H', W'] or [H', W']); null = none
     * @param up         upsampling factor (1 or 2)
     * @param padding    zero padding with respect to the upsampled image (k / 2 keeps the extent)
     * @param f          low-pass filter used when upsampling
     * @param demodulate apply weight demodulation (false in ToRGB)
     * @param mode       fused grouped convolution or scaling the activations
     * @return [N, O, H up, W up] for padding k / 2
     */
    public static Tensor modulatedConv2d(Tensor x, Tensor weight, Tensor styles, Tensor noise, int up, int padding,
                                         FirFilter f, boolean demodulate, ModConvMode mode) {
        int batch = x.dim(0);
        int outChannels = weight.dim(0);
        int inChannels = weight.dim(1);
        int kh = weight.dim(2);
        int kw = weight.dim(3);
        Shapes.require("modulatedConv2d: weight", weight, outChannels, inChannels, kh, kw);   // [OIkk]
        Shapes.require("modulatedConv2d: x", x, batch, inChannels, Shapes.ANY, Shapes.ANY);    // [NIHW]
        Shapes.require("modulatedConv2d: styles", styles, batch, inChannels);                  // [NI]

        Tensor w = null;
        Tensor demodCoefs = null;
        if (demodulate || mode == ModConvMode.FUSED) {
            w = weight.reshape(1, outChannels, inChannels, kh, kw)                            // [1, O, I, k, k]
                    .mul(styles.reshape(batch, 1, inChannels, 1, 1));                          // [N, O, I, k, k]
        }
        if (demodulate) {
            demodCoefs = w.square().sum(2, 3, 4).add(1e-8).pow(-0.5);                          // [N, O]
        }

        if (mode == ModConvMode.NON_FUSED) {
            Tensor y = x.mul(styles.reshape(batch, inChannels, 1, 1));                         // [N, I, H, W]
            y = Conv2dResample.conv2dResample(y, weight, f, up, 1, padding, 1);                // [N, O, H', W']
            if (demodulate) {
                y = y.mul(demodCoefs.reshape(batch, outChannels, 1, 1));                       // [N, O, H', W']
            }
            return noise == null ? y : y.add(noise);
        }

        if (demodulate) {
            w = w.mul(demodCoefs.reshape(batch, outChannels, 1, 1, 1));                        // [N, O, I, k, k]
        }
        Tensor y = x.reshape(1, batch * inChannels, x.dim(2), x.dim(3));                       // [1, N I, H, W]
        y = Conv2dResample.conv2dResample(y, w.reshape(batch * outChannels, inChannels, kh, kw),
                f, up, 1, padding, batch);                                                     // [1, N O, H', W']
        y = y.reshape(batch, outChannels, y.dim(2), y.dim(3));                                 // [N, O, H', W']
        return noise == null ? y : y.add(noise);
    }
}
