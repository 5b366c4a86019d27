package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;
import facegen.nn.tfjs.TfPool2d;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * face-api's face descriptor net ({@code src/faceRecognitionNet/FaceRecognitionNet.ts}), a port of dlib's
 * ResNet-34-style metric net: input 150 x 150 RGB normalised (x - meanRgb) / 255; 7x7 stride-2 conv (32 ch),
 * 3x3 stride-2 max pool, residual stages 32 x3, 64 x4, 128 x3, 256 x3 and a final down unit (each stage opening
 * with a down unit), global mean, dense 256 -> 128. The 128-D descriptor is not normalised; faces compare by
 * cosine (or dlib's Euclidean distance < 0.6). Weights: {@code face_recognition_model}. Frozen; differentiable
 * w.r.t. the image.
 */
public final class FaceRecognitionNet {
    /** Side of the square network input. */
    public static final int INPUT_SIZE = 150;
    /** Descriptor length. */
    public static final int DIM = 128;
    /** Units whose outputs are the feature maps of {@link #features} (the end of each width's stage). */
    private static final List<String> STAGE_ENDS = List.of("conv32_3", "conv64_3", "conv128_2", "conv256_2");
    private static final String[] UNITS = {"conv32_1", "conv32_2", "conv32_3", "conv64_down", "conv64_1", "conv64_2",
        "conv64_3", "conv128_down", "conv128_1", "conv128_2", "conv256_down", "conv256_1", "conv256_2", "conv256_down_out"};

    private final ScaledConv stem;
    private final TfPool2d stemPool = new TfPool2d(TfPool2d.Kind.MAX, 3, 2, TfPadding.VALID);
    private final ResidualBlock[] units;
    private final Tensor fc;   // [256, 128]

    /** The net with weights from {@code weights} (a face_recognition_model manifest). */
    public FaceRecognitionNet(FaceApiWeights weights) {
        stem = ScaledConv.load(weights, "conv32_down/", 2, TfPadding.VALID, true);
        units = new ResidualBlock[UNITS.length];
        for (int i = 0; i < UNITS.length; i++) {
            units[i] = ResidualBlock.load(weights, UNITS[i] + "/", UNITS[i].contains("down"));
        }
        fc = weights.tensor("fc", 2);
    }

    /** Loads {@code dir/face_recognition_model-weights_manifest.json} onto {@code backend}. */
    public static FaceRecognitionNet load(Path dir, Backend backend) throws IOException {
        return new FaceRecognitionNet(FaceApiWeights.read(dir, "face_recognition_model", backend));
    }

    /**
     * The descriptor and the intermediate feature maps of one pass.
     *
     * @param stages     outputs of the 32-, 64-, 128- and 256-channel stages: [N, 32, 35, 35], [N, 64, 17, 17],
     *                   [N, 128, 8, 8], [N, 256, 4, 4]
     * @param descriptor [N, 128]
     */
    public record Features(List<Tensor> stages, Tensor descriptor) {}

    /** Descriptors [N, 128] from input [N, 3, 150, 150] with values 0..255. */
    public Tensor forward(Tensor input) {
        return features(input).descriptor();
    }

    /** Stage feature maps and descriptor from input [N, 3, 150, 150] with values 0..255. */
    public Features features(Tensor input) {
        if (input.rank() != 4 || input.dim(1) != 3 || input.dim(2) != INPUT_SIZE || input.dim(3) != INPUT_SIZE) {
            throw new IllegalArgumentException("expected [N, 3, 150, 150], got " + input.shape());
        }
        Tensor x = stemPool.forward(stem.forward(NetInput.normalize(input)));
        List<Tensor> stages = new ArrayList<>();
        for (int i = 0; i < units.length; i++) {
            x = units[i].forward(x);
            if (STAGE_ENDS.contains(UNITS[i])) {
                stages.add(x);
            }
        }
        return new Features(List.copyOf(stages), x.mean(new int[] {2, 3}, false).matmul(fc));
    }

    /** The descriptor [N, 128] of the face in {@code crop} of image [N, 3, H, W] (pad to square, resize to 150). */
    public Tensor descriptor(Tensor image, Crop crop) {
        return forward(NetInput.squareBatch(image, crop, INPUT_SIZE));
    }

    /** {@link #features} of the face in {@code crop} of image [N, 3, H, W]. */
    public Features features(Tensor image, Crop crop) {
        return features(NetInput.squareBatch(image, crop, INPUT_SIZE));
    }

    /** cos(a, b) = a.b / (|a| |b|) per row of two [N, D] tensors, as [N]. */
    public static Tensor cosine(Tensor a, Tensor b) {
        Tensor dot = a.mul(b).sum(new int[] {1}, false);
        return dot.div(a.square().sum(new int[] {1}, false).mul(b.square().sum(new int[] {1}, false)).sqrt());
    }
}
