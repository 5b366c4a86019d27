package facegen.nn.tfjs;

import facegen.engine.tensor.Tensor;

/**
 * TensorFlow's padding modes for convolution and pooling on [N, C, H, W]. SAME pads
 * total = max(0, (ceil(in / stride) - 1) * stride + k - in) zeros with floor(total / 2) before and the rest after,
 * so stride-2 layers on even sizes pad one more row below than above (unlike PyTorch's symmetric padding);
 * VALID pads nothing. Source: tfjs-core {@code conv_util.ts} ({@code computePadInfo}).
 */
public enum TfPadding {
    /** Output extent ceil(in / stride). */
    SAME,
    /** No padding: output extent floor((in - k) / stride) + 1. */
    VALID;

    /** {@code x} [N, C, H, W] with this mode's zero rows and columns for a kH x kW window at {@code stride}. */
    public Tensor apply(Tensor x, int kH, int kW, int stride) {
        if (this == VALID) {
            return x;
        }
        int padH = total(x.dim(2), kH, stride);
        int padW = total(x.dim(3), kW, stride);
        if (padH == 0 && padW == 0) {
            return x;
        }
        return x.pad(new int[] {0, 0, padH / 2, padW / 2}, new int[] {0, 0, padH - padH / 2, padW - padW / 2});
    }

    private static int total(int in, int k, int stride) {
        int out = Math.ceilDiv(in, stride);
        return Math.max(0, (out - 1) * stride + k - in);
    }
}
