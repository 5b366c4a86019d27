package facegen.audit.layers;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * The libtorch side of the layer rows: stylegan2-ada-pytorch's reference implementations (_upfirdn2d_ref,
 * _bias_act_ref, modulated_conv2d's fused path, MinibatchStdLayer, FullyConnectedLayer, R1) transcribed op for
 * op into libtorch calls on float64 tensors, independently of facegen's compositions. Where facegen takes a fast
 * path (the transposed conv of an upsampling conv, FIR before a strided conv), this side takes StyleGAN's
 * generic path, so the two formulations check each other.
 */
final class TorchStyleGan {

    private TorchStyleGan() {}

    /** setup_filter([1, 3, 3, 1]): the outer product of the taps divided by its sum, [4, 4]. */
    static double[] resampleFilter() {
        double[] taps = {1, 3, 3, 1};
        double[] f = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                f[i * 4 + j] = taps[i] * taps[j] / 64;
            }
        }
        return f;
    }

    /**
     * _upfirdn2d_ref for a 2-D filter f [k, k]: upsample by zero insertion, pad (negative crops), convolve
     * each channel with f * gain (flipped unless flipFilter), keep every down-th pixel.
     */
    static Tensor upfirdn2d(Tensor x, double[] f, int up, int down, int px0, int px1, int py0, int py1,
                            boolean flipFilter, double gain) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        Tensor y = x.reshape(n, c, h, 1, w, 1);
        y = torch.constant_pad_nd(y, 0, up - 1, 0, 0, 0, up - 1);
        y = y.reshape(n, c, h * up, w * up);
        y = torch.constant_pad_nd(y, px0, px1, py0, py1);                 // negative widths crop
        int k = (int) Math.round(Math.sqrt(f.length));
        Tensor filter = constant(f, k, k).mul(new Scalar(gain));
        if (!flipFilter) {
            filter = filter.flip(0, 1);
        }
        filter = filter.reshape(1, 1, k, k).repeat(c, 1, 1, 1);
        y = conv(y, filter, 1, 0, 0, c);
        return y.slice(2, new LongOptional(), new LongOptional(), down).slice(3, new LongOptional(), new LongOptional(), down);
    }

    /** _bias_act_ref with act = 'lrelu' (alpha 0.2): clamp(leaky_relu(x + b) * gain, -clamp, clamp). */
    static Tensor biasLrelu(Tensor x, Tensor b, double gain, double clamp) {
        long[] shape = new long[(int) x.dim()];
        Arrays.fill(shape, 1);
        shape[1] = -1;
        Tensor y = torch.leaky_relu(x.add(b.reshape(shape)), new Scalar(0.2)).mul(new Scalar(gain));
        return Double.isInfinite(clamp) ? y : torch.clamp(y, new ScalarOptional(new Scalar(-clamp)),
                new ScalarOptional(new Scalar(clamp)));
    }

    /** FullyConnectedLayer.forward with lrelu: bias_act(x (w * lr / sqrt(in))^T, b * lr, 'lrelu'). */
    static Tensor fullyConnectedLrelu(Tensor x, Tensor weight, Tensor bias, double lrMultiplier) {
        Tensor w = weight.mul(new Scalar(lrMultiplier / Math.sqrt(weight.size(1))));
        return biasLrelu(x.matmul(w.t()), bias.mul(new Scalar(lrMultiplier)), Math.sqrt(2), Double.POSITIVE_INFINITY);
    }

    /** FullyConnectedLayer.forward, linear, lr multiplier 1: x (w / sqrt(in))^T + b. */
    static Tensor fullyConnectedLinear(Tensor x, Tensor weight, Tensor bias) {
        return x.matmul(weight.mul(new Scalar(1 / Math.sqrt(weight.size(1)))).t()).add(bias.unsqueeze(0));
    }

    /**
     * modulated_conv2d with fused_modconv = True and demodulate = True, padding 1: per-sample weights
     * w * styles * dcoefs, the batch folded into groups. For up = 2 it takes conv2d_resample's generic path:
     * upfirdn2d(up 2, gain 4), then the grouped conv with the flipped weight (flip_weight = False).
     */
    static Tensor modulatedConv2d(Tensor x, Tensor weight, Tensor styles, int up) {
        long n = x.size(0);
        long o = weight.size(0);
        long i = weight.size(1);
        long k = weight.size(2);
        Tensor w = weight.unsqueeze(0).mul(styles.reshape(n, 1, -1, 1, 1));                        // [NOIkk]
        Tensor dcoefs = w.square().sum(new long[] {2, 3, 4}, false, new ScalarTypeOptional())
                .add(new Scalar(1e-8)).rsqrt();                                                      // [NO]
        w = w.mul(dcoefs.reshape(n, -1, 1, 1, 1)).reshape(-1, i, k, k);                             // [NO, I, k, k]
        Tensor y = x.reshape(1, -1, x.size(2), x.size(3));
        if (up == 1) {
            y = conv(y, w, 1, 1, 1, n);
        } else {
            int p0 = 1 + (4 + up - 1) / 2;
            int p1 = 1 + (4 - up) / 2;
            y = upfirdn2d(y, resampleFilter(), up, 1, p0, p1, p0, p1, false, up * up);
            y = conv(y, w.flip(2, 3), 1, 0, 0, n);
        }
        return y.reshape(n, o, y.size(2), y.size(3));
    }

    /** MinibatchStdLayer.forward: group statistics appended as F channels. */
    static Tensor minibatchStd(Tensor x, long groupSize, long numChannels) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long g = Math.min(groupSize, n);
        Tensor y = x.reshape(g, -1, numChannels, c / numChannels, h, w);
        y = y.sub(y.mean(new long[] {0}, false, new ScalarTypeOptional()));
        y = y.square().mean(new long[] {0}, false, new ScalarTypeOptional());
        y = y.add(new Scalar(1e-8)).sqrt();
        y = y.mean(new long[] {2, 3, 4}, false, new ScalarTypeOptional());
        y = y.reshape(-1, numChannels, 1, 1).repeat(g, 1, h, w);
        return torch.cat(new TensorVector(x, y), 1);
    }

    /**
     * Conv2dLayer(3x3, lrelu, down 2) by conv2d_resample's generic path: pad 1 + the filter's overhang, conv,
     * then FIR and decimation (upfirdn2d with down 2); weight gain 1 / sqrt(in * 9).
     */
    static Tensor convLreluDown2(Tensor x, Tensor weight, Tensor bias) {
        Tensor w = weight.mul(new Scalar(1 / Math.sqrt(weight.size(1) * 9.0)));
        int p0 = 1 + (4 - 2 + 1) / 2;
        int p1 = 1 + (4 - 2) / 2;
        Tensor y = conv(torch.constant_pad_nd(x, p0, p1, p0, p1), w, 1, 0, 0, 1);
        y = upfirdn2d(y, resampleFilter(), 1, 2, 0, 0, 0, 0, false, 1);
        return biasLrelu(y, bias, Math.sqrt(2), Double.POSITIVE_INFINITY);
    }

    /** The R1 penalty ||d(sum logits)/dx||^2 per sample, by torch.autograd.grad with create_graph = True. */
    static Tensor r1Penalty(Tensor logits, Tensor x) {
        Tensor grads = torch.grad(new TensorVector(logits.sum()), new TensorVector(x),
                new TensorVector(torch.ones_like(logits.sum())), new BoolOptional(true), true, false).get(0);
        return grads.square().sum(new long[] {1, 2, 3}, false, new ScalarTypeOptional());
    }

    /** normalize_2nd_moment: x * rsqrt(mean(x^2, dim 1) + 1e-8). */
    static Tensor pixelNorm(Tensor x) {
        return x.mul(x.square().mean(new long[] {1}, true, new ScalarTypeOptional()).add(new Scalar(1e-8)).rsqrt());
    }

    /**
     * stylegan2-ada's path lengths: pl_grads = grad(sum(img * pl_noise), ws, create_graph = True), then
     * sqrt(mean over num_ws of sum over w_dim of pl_grads^2).
     */
    static Tensor pathLengths(Tensor img, Tensor ws, Tensor plNoise) {
        Tensor grads = torch.grad(new TensorVector(img.mul(plNoise).sum()), new TensorVector(ws),
                new TensorVector(torch.ones_like(img.sum())), new BoolOptional(true), true, false).get(0);
        return grads.square().sum(new long[] {2}, false, new ScalarTypeOptional())
                .mean(new long[] {1}, false, new ScalarTypeOptional()).sqrt();
    }

    /** x itself when it requires grad (an audited variable), else a leaf copy that does (R1 needs d/dx). */
    static Tensor requiringGrad(Tensor x) {
        return x.requires_grad() ? x : x.detach().set_requires_grad(true);
    }

    private static Tensor conv(Tensor x, Tensor w, long stride, long padH, long padW, long groups) {
        return torch.conv2d(x, w, new TensorOptional(), new long[] {stride, stride}, new long[] {padH, padW},
                new long[] {1, 1}, groups);
    }

    private static Tensor constant(double[] values, long... sizes) {
        return torch.from_blob(new DoublePointer(values), sizes, new TensorOptions(torch.ScalarType.Double)).clone();
    }
}
