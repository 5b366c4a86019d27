package facegen.nn.facenets;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;

/**
 * TF.js {@code conv2d(x, filters, stride, padding) + bias}: y = W * pad(x) + b on [N, C, H, W], with TF's
 * padding rule. Frozen pretrained weights; gradients flow to the input only.
 *
 * @param filters [O, C, k, k] (transposed from TF's [k, k, C, O])
 * @param bias    [1, O, 1, 1], or null for none
 * @param stride  step in both directions
 * @param padding SAME or VALID
 */
public record TfConv2d(Tensor filters, Tensor bias, int stride, TfPadding padding) {

    /** Reads {@code prefix + "filters"} and, when {@code withBias}, {@code prefix + "bias"}. */
    static TfConv2d load(FaceApiWeights w, String prefix, boolean withBias, int stride, TfPadding padding) {
        return new TfConv2d(w.convFilters(prefix + "filters"), withBias ? w.channelVector(prefix + "bias") : null, stride, padding);
    }

    /** y [N, O, H', W'] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        int k = filters.dim(2);
        Tensor y = padding.apply(x, k, filters.dim(3), stride).conv2d(filters, ConvGeometry.of(stride, 0));
        return bias == null ? y : y.add(bias);
    }
}
