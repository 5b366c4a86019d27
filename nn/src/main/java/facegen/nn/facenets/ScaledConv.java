package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;

/**
 * face-api recognition net's conv layer ({@code src/faceRecognitionNet/convLayer.ts}, {@code scaleLayer.ts}):
 * y = act((W * x + b) * gamma + beta), the batch-norm of the dlib original folded into a per-channel scale.
 *
 * @param conv   the convolution with bias
 * @param gamma  scale/weights [1, O, 1, 1]
 * @param beta   scale/biases [1, O, 1, 1]
 * @param relu   whether relu follows
 */
public record ScaledConv(TfConv2d conv, Tensor gamma, Tensor beta, boolean relu) {

    /** Reads {@code prefix + conv/filters, conv/bias, scale/weights, scale/biases}. */
    static ScaledConv load(FaceApiWeights w, String prefix, int stride, TfPadding padding, boolean relu) {
        return new ScaledConv(TfConv2d.load(w, prefix + "conv/", true, stride, padding), w.channelVector(prefix + "scale/weights"),
                w.channelVector(prefix + "scale/biases"), relu);
    }

    /** y [N, O, H', W'] from x [N, C, H, W]. */
    public Tensor forward(Tensor x) {
        Tensor y = conv.forward(x).mul(gamma).add(beta);
        return relu ? y.relu() : y;
    }
}
