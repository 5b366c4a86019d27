package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;

/**
 * face-api's densely connected block of four convs (src/faceFeatureExtractor/denseBlock.ts, denseBlock4):
 * o1 = relu(conv0(x)) at stride 2, o2 = sep1(o1), o3 = sep2(relu(o1 + o2)), o4 = sep3(relu(o1 + o2 + o3)),
 * y = relu(o1 + o2 + o3 + o4). conv0 is a plain 3x3 conv in the first block (on RGB) and separable after.
 *
 * @param conv0First the first block's plain conv0, or null
 * @param conv0      the other blocks' separable conv0, or null
 * @param conv1      separable 3x3, stride 1
 * @param conv2      separable 3x3, stride 1
 * @param conv3      separable 3x3, stride 1
 */
public record DenseBlock4(TfConv2d conv0First, SeparableConv2d conv0, SeparableConv2d conv1, SeparableConv2d conv2,
                          SeparableConv2d conv3) {

    /** Reads block {@code prefix} ("dense0/"); {@code first} says conv0 is the plain conv on RGB. */
    static DenseBlock4 load(FaceApiWeights w, String prefix, boolean first) {
        return new DenseBlock4(first ? TfConv2d.load(w, prefix + "conv0/", true, 2, TfPadding.SAME) : null,
                first ? null : SeparableConv2d.load(w, prefix + "conv0/", 2),
                SeparableConv2d.load(w, prefix + "conv1/", 1), SeparableConv2d.load(w, prefix + "conv2/", 1),
                SeparableConv2d.load(w, prefix + "conv3/", 1));
    }

    /** y [N, O, ceil(H / 2), ceil(W / 2)] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        Tensor o1 = (conv0First != null ? conv0First.forward(x) : conv0.forward(x)).relu();
        Tensor o2 = conv1.forward(o1);
        Tensor o3 = conv2.forward(o1.add(o2).relu());
        Tensor o4 = conv3.forward(o1.add(o2).add(o3).relu());
        return o1.add(o2).add(o3).add(o4).relu();
    }
}
