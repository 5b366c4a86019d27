package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;
import facegen.nn.tfjs.TfPool2d;

/**
 * face-api recognition net's residual unit ({@code src/faceRecognitionNet/residualLayer.ts}). Plain:
 * y = relu(conv2(conv1(x)) + x) with 3x3 SAME convs. Down: conv1 is 3x3 stride 2 VALID, the shortcut a 2x2
 * stride-2 average pool zero-padded in channels to the new width; where the conv path came out one row and
 * column smaller than the pool, it gets a zero row below and a zero column right (as residualDown concatenates).
 *
 * @param conv1 first conv (relu)
 * @param conv2 second conv (no relu)
 * @param down  whether this unit halves the resolution
 */
public record ResidualBlock(ScaledConv conv1, ScaledConv conv2, boolean down) {
    private static final TfPool2d SHORTCUT_POOL = new TfPool2d(TfPool2d.Kind.AVG, 2, 2, TfPadding.VALID);

    /** Reads unit {@code prefix} ("conv64_down/"). */
    static ResidualBlock load(FaceApiWeights w, String prefix, boolean down) {
        return new ResidualBlock(
                ScaledConv.load(w, prefix + "conv1/", down ? 2 : 1, down ? TfPadding.VALID : TfPadding.SAME, true),
                ScaledConv.load(w, prefix + "conv2/", 1, TfPadding.SAME, false), down);
    }

    /** y [N, O, H', W'] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        Tensor out = conv2.forward(conv1.forward(x));
        if (!down) {
            return out.add(x).relu();
        }
        Tensor pooled = SHORTCUT_POOL.forward(x);
        int padH = pooled.dim(2) - out.dim(2);
        int padW = pooled.dim(3) - out.dim(3);
        if (padH != 0 || padW != 0) {
            out = out.pad(new int[] {0, 0, 0, 0}, new int[] {0, 0, padH, padW});
        }
        int extra = out.dim(1) - pooled.dim(1);
        if (extra != 0) {
            pooled = pooled.pad(new int[] {0, 0, 0, 0}, new int[] {0, extra, 0, 0});
        }
        return pooled.add(out).relu();
    }
}
