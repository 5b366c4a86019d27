package facegen.engine.ops;

/**
 * Hyper-parameters of a 2-D convolution, as in {@code torch.nn.functional.conv2d}.
 *
 * @param strideH  step of the kernel over rows (>= 1)
 * @param strideW  step of the kernel over columns (>= 1)
 * @param padH     implicit zero rows added above and below the input (>= 0)
 * @param padW     implicit zero columns added left and right of the input (>= 0)
 * @param dilationH spacing between kernel taps along rows (>= 1; 1 = dense kernel)
 * @param dilationW spacing between kernel taps along columns (>= 1)
 * @param groups   channel groups: input and output channels are split into this many independent convs
 */
public record ConvGeometry(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    /** Validates every field. */
    public ConvGeometry {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid conv geometry: " + this);
        }
    }

    /** Square stride, padding and dilation, one group. */
    public static ConvGeometry of(int stride, int padding) {
        return new ConvGeometry(stride, stride, padding, padding, 1, 1, 1);
    }

    /** This geometry with {@code g} groups. */
    public ConvGeometry withGroups(int g) {
        return new ConvGeometry(strideH, strideW, padH, padW, dilationH, dilationW, g);
    }

    /** Output rows: floor((H + 2 pad - dil (k - 1) - 1) / stride) + 1. */
    public int outH(int inH, int kH) {
        return Math.floorDiv(inH + 2 * padH - dilationH * (kH - 1) - 1, strideH) + 1;
    }

    /** Output columns: floor((W + 2 pad - dil (k - 1) - 1) / stride) + 1. */
    public int outW(int inW, int kW) {
        return Math.floorDiv(inW + 2 * padW - dilationW * (kW - 1) - 1, strideW) + 1;
    }
}
