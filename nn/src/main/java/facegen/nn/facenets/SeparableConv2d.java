package facegen.nn.facenets;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;

/**
 * TF.js {@code separableConv2d(x, depthwise, pointwise, stride, 'same') + bias}: a per-channel k x k conv
 * (groups = C) with TF SAME padding, then a 1x1 conv mixing channels, then the bias. Source: face-api
 * {@code src/common/depthwiseSeparableConv.ts}. Frozen weights; gradients flow to the input.
 *
 * @param depthwise [C, 1, k, k]
 * @param pointwise [O, C, 1, 1]
 * @param bias      [1, O, 1, 1]
 * @param stride    step of the depthwise conv
 */
public record SeparableConv2d(Tensor depthwise, Tensor pointwise, Tensor bias, int stride) {

    /** Reads {@code prefix + depthwise_filter, pointwise_filter, bias}. */
    static SeparableConv2d load(FaceApiWeights w, String prefix, int stride) {
        return new SeparableConv2d(w.depthwiseFilters(prefix + "depthwise_filter"), w.convFilters(prefix + "pointwise_filter"),
                w.channelVector(prefix + "bias"), stride);
    }

    /** y [N, O, ceil(H / stride), ceil(W / stride)] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        int c = depthwise.dim(0);
        Tensor perChannel = TfPadding.SAME.apply(x, depthwise.dim(2), depthwise.dim(3), stride)
                .conv2d(depthwise, ConvGeometry.of(stride, 0).withGroups(c));
        return perChannel.conv2d(pointwise, ConvGeometry.of(1, 0)).add(bias);
    }
}
