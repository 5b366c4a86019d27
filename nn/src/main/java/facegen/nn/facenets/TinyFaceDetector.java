package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfPadding;
import facegen.nn.tfjs.TfPool2d;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * face-api's tiny face detector ({@code src/tinyFaceDetector/TinyFaceDetector.ts} on
 * {@code src/tinyYolov2/TinyYolov2Base.ts}, runMobilenet): a Tiny-YOLOv2 with separable convs. The image is
 * zero-padded to a square below/right (not centred), resized to inputSize (a multiple of 32), normalised
 * (x - [117.001, 114.697, 97.404]) / 255; 3x3 VALID conv (16) + leaky, then separable convs of 32..512 channels
 * with leaky relu, 2x2 SAME max pools (five of stride 2, one of stride 1), a 1x1 conv to 5 anchors x (tx, ty, tw,
 * th, score) per cell. Boxes decode YOLO-style, keep score > threshold, then greedy NMS at IoU 0.4.
 * Weights: {@code tiny_face_detector_model}.
 */
public final class TinyFaceDetector {
    /** Anchor (width, height) in cells, {@code src/tinyFaceDetector/const.ts}. */
    private static final double[][] ANCHORS = {
        {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308}};
    private static final double IOU_THRESHOLD = 0.4;
    private static final int ENCODING = 5;
    /** The default input size of face-api's TinyFaceDetectorOptions is 416; our reference uses it too. */
    public static final int DEFAULT_INPUT_SIZE = 416;
    /** Default minimum score, as face-api's TinyFaceDetectorOptions. */
    public static final double DEFAULT_SCORE_THRESHOLD = 0.5;

    private final TfConv2d conv0;
    private final SeparableConv2d[] separable;
    private final TfConv2d conv8;
    private final TfPool2d halve = new TfPool2d(TfPool2d.Kind.MAX, 2, 2, TfPadding.SAME);
    private final TfPool2d keep = new TfPool2d(TfPool2d.Kind.MAX, 2, 1, TfPadding.SAME);

    /** The detector with weights from {@code weights} (a tiny_face_detector_model manifest). */
    public TinyFaceDetector(FaceApiWeights weights) {
        conv0 = TfConv2d.load(weights, "conv0/", true, 1, TfPadding.VALID);
        separable = new SeparableConv2d[5];
        for (int i = 0; i < separable.length; i++) {
            // tinyYolov2/depthwiseSeparableConv.ts pads 1 and convolves VALID: SAME for a 3x3 at stride 1
            separable[i] = SeparableConv2d.load(weights, "conv" + (i + 1) + "/", 1);
        }
        conv8 = TfConv2d.load(weights, "conv8/", true, 1, TfPadding.VALID);
    }

    /** Loads {@code dir/tiny_face_detector_model-weights_manifest.json} onto {@code backend}. */
    public static TinyFaceDetector load(Path dir, Backend backend) throws IOException {
        return new TinyFaceDetector(FaceApiWeights.read(dir, "tiny_face_detector_model", backend));
    }

    /** Raw grid [N, 25, S, S], S = ceil((size - 2) / 32) (the stem is VALID), from input [N, 3, size, size] in 0..255. */
    public Tensor forward(Tensor input) {
        Tensor mean = Tensor.of(input.backend(), new double[] {117.001, 114.697, 97.404}, 1, 3, 1, 1);
        Tensor x = halve.forward(leaky(conv0.forward(input.sub(mean).div(255))));
        for (int i = 0; i < separable.length; i++) {
            x = leaky(separable[i].forward(x));
            x = (i < separable.length - 1 ? halve : keep).forward(x);
        }
        return conv8.forward(x);
    }

    /**
     * The faces in image [1, 3, H, W] (values 0..255), best first, at network input {@code inputSize}
     * (a multiple of 32) keeping scores above {@code scoreThreshold}.
     */
    public List<FaceBox> detect(Tensor image, int inputSize, double scoreThreshold) {
        NetInput.checkImage(image);
        if (image.dim(0) != 1 || inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("detect takes one image [1, 3, H, W] and an input size that is a positive multiple of 32, got "
                    + image.shape() + ", " + inputSize);
        }
        int h = image.dim(2);
        int w = image.dim(3);
        // toBatchTensor(inputSize, false): pad below/right to a square, then resize
        int side = Math.max(h, w);
        Tensor square = image.pad(new int[] {0, 0, 0, 0}, new int[] {0, 0, side - h, side - w});
        double[] grid = forward(NetInput.resizeBilinear(square, inputSize, inputSize)).toArray();
        return nonMaxSuppression(decode(grid, inputSize, w, h, scoreThreshold));
    }

    /**
     * YOLO box decoding of extractBoxes in TinyYolov2Base.ts: centre ((col, row) + sigmoid(t)) / S and size
     * exp(t) * anchor / S, corrected for the padding of the non-square image (factor inputSize / reshaped side),
     * then scaled to image pixels.
     */
    private static List<FaceBox> decode(double[] grid, int inputSize, int width, int height, double scoreThreshold) {
        int cells = (int) Math.round(Math.sqrt(grid.length / (double) (ANCHORS.length * ENCODING)));
        double scale = (double) inputSize / Math.max(width, height);
        double fx = inputSize / (double) Math.round(width * scale);
        double fy = inputSize / (double) Math.round(height * scale);
        List<FaceBox> boxes = new ArrayList<>();
        for (int row = 0; row < cells; row++) {
            for (int col = 0; col < cells; col++) {
                for (int a = 0; a < ANCHORS.length; a++) {
                    double score = sigmoid(at(grid, cells, a * ENCODING + 4, row, col));
                    if (!(score > scoreThreshold)) {
                        continue;
                    }
                    double cx = (col + sigmoid(at(grid, cells, a * ENCODING, row, col))) / cells * fx;
                    double cy = (row + sigmoid(at(grid, cells, a * ENCODING + 1, row, col))) / cells * fy;
                    double bw = Math.exp(at(grid, cells, a * ENCODING + 2, row, col)) * ANCHORS[a][0] / cells * fx;
                    double bh = Math.exp(at(grid, cells, a * ENCODING + 3, row, col)) * ANCHORS[a][1] / cells * fy;
                    boxes.add(new FaceBox((cx - bw / 2) * width, (cy - bh / 2) * height, bw * width, bh * height, score));
                }
            }
        }
        return boxes;
    }

    /** Greedy NMS (src/ops/nonMaxSuppression.ts): take the best, drop boxes overlapping it by IoU > 0.4, repeat. */
    private static List<FaceBox> nonMaxSuppression(List<FaceBox> boxes) {
        List<FaceBox> left = new ArrayList<>(boxes);
        left.sort(Comparator.comparingDouble(FaceBox::score).reversed());
        List<FaceBox> picked = new ArrayList<>();
        while (!left.isEmpty()) {
            FaceBox best = left.removeFirst();
            picked.add(best);
            left.removeIf(b -> best.iou(b) > IOU_THRESHOLD);
        }
        return picked;
    }

    private static double at(double[] grid, int cells, int channel, int row, int col) {
        return grid[(channel * cells + row) * cells + col];
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** tinyYolov2/leaky.ts: relu(x - 0.1 x) + 0.1 x, i.e. leaky relu with slope 0.1. */
    private static Tensor leaky(Tensor x) {
        Tensor min = x.mul(0.10000000149011612);
        return x.sub(min).relu().add(min);
    }
}
