package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * face-api's 68-point landmark net ({@code src/faceLandmarkNet/FaceLandmark68Net.ts} on
 * {@code src/faceFeatureExtractor/FaceFeatureExtractor.ts}): input 112 x 112 RGB normalised (x - meanRgb) / 255,
 * four {@link DenseBlock4}s (32, 64, 128, 256 channels, each halving: 112 -> 7), 7 x 7 average pool, dense
 * 256 -> 136 giving 68 interleaved (x, y) in [0, 1] of the padded square input. Weights:
 * {@code face_landmark_68_model} (test-data/face-api). Frozen; differentiable w.r.t. the image.
 */
public final class FaceLandmark68Net {
    /** Side of the square network input. */
    public static final int INPUT_SIZE = 112;
    /** Number of landmarks (iBUG 68 order). */
    public static final int POINTS = 68;

    private final DenseBlock4[] blocks;
    private final Tensor fcWeights;   // [256, 136]
    private final Tensor fcBias;      // [136]

    /** The net with weights from {@code weights} (a face_landmark_68_model manifest). */
    public FaceLandmark68Net(FaceApiWeights weights) {
        blocks = new DenseBlock4[4];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = DenseBlock4.load(weights, "dense" + i + "/", i == 0);
        }
        fcWeights = weights.tensor("fc/weights", 2);
        fcBias = weights.tensor("fc/bias", 1);
    }

    /** Loads {@code dir/face_landmark_68_model-weights_manifest.json} onto {@code backend}. */
    public static FaceLandmark68Net load(Path dir, Backend backend) throws IOException {
        return new FaceLandmark68Net(FaceApiWeights.read(dir, "face_landmark_68_model", backend));
    }

    /** Net output [N, 136] (x0, y0, x1, ...) in [0, 1] of the input, from input [N, 3, 112, 112] with values 0..255. */
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.dim(1) != 3 || input.dim(2) != INPUT_SIZE || input.dim(3) != INPUT_SIZE) {
            throw new IllegalArgumentException("expected [N, 3, 112, 112], got " + input.shape());
        }
        Tensor x = NetInput.normalize(input);
        for (DenseBlock4 block : blocks) {
            x = block.forward(x);
        }
        // avgPool([7, 7], stride 2, 'valid') on the 7 x 7 map is one window: the spatial mean
        Tensor pooled = x.mean(new int[] {2, 3}, false);                          // [N, 256]
        return pooled.matmul(fcWeights).add(fcBias);
    }

    /**
     * The 68 landmarks [N, 68, 2] (x, y) in pixels of image [N, 3, H, W] (values 0..255) for the face in
     * {@code crop}: the crop is padded to a square, resized to 112 and the output mapped back as face-api's
     * {@code FaceLandmark68NetBase.postProcess} does (subtract the centring pad, divide by the scale).
     */
    public Tensor landmarks(Tensor image, Crop crop) {
        Tensor out = forward(NetInput.squareBatch(image, crop, INPUT_SIZE));
        double scale = (double) INPUT_SIZE / Math.max(crop.width(), crop.height());
        double padX = crop.width() < crop.height() ? (crop.height() - crop.width()) * scale / 2 : 0;
        double padY = crop.height() < crop.width() ? (crop.width() - crop.height()) * scale / 2 : 0;
        Tensor pad = Tensor.of(out.backend(), new double[] {padX, padY}, 1, 1, 2);
        Tensor origin = Tensor.of(out.backend(), new double[] {crop.x(), crop.y()}, 1, 1, 2);
        return out.reshape(out.dim(0), POINTS, 2).mul(INPUT_SIZE).sub(pad).div(scale).add(origin);
    }
}
