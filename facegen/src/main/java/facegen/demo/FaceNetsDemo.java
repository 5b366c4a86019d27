package facegen.demo;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.nn.facenets.FaceBox;
import facegen.nn.facenets.FacePhoto;
import facegen.nn.facenets.FacePipeline;
import facegen.nn.facenets.FaceRecognitionNet;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Real pretrained face networks (face-api's detector, 68-landmark net and ResNet-34 descriptor, TF.js weights run
 * on our engine) look at the render demo's face: where they put the 68 landmarks against where the head model
 * says they are (the synthetic world's ground truth), and how alike the face's views look to the identity net.
 */
public final class FaceNetsDemo {
    /**
     * Score threshold of the demo's detections: face-api's detector learned photos (hair, ears, context), and a
     * bare rendered face mask often scores below its default 0.5; the score is reported.
     */
    private static final double SCORE_THRESHOLD = 0.05;
    /** iBUG indices of the outer eye corners, whose distance normalises landmark errors (as in 300-W). */
    private static final int LEFT_EYE_OUTER = 36;
    private static final int RIGHT_EYE_OUTER = 45;

    private FaceNetsDemo() {}

    /**
     * The outcome.
     *
     * @param meanErrorPx   mean distance between detected and true landmarks, pixels
     * @param interocularPx distance between the true outer eye corners, pixels
     * @param detection     how the front face was found (the detector's score, or the model's box when it failed)
     * @param cosines       descriptor cosine of the front view with each other view that has a detected face
     */
    public record Result(double meanErrorPx, double interocularPx, String detection, List<String> cosines) {}

    /**
     * Detects the face in {@code faceDir/render_front.png}, writes {@code landmarks_front.png} (green: the net,
     * red: the head model) and compares the front view's descriptor with the other views'.
     *
     * @param truth the head model's 68 landmarks in the front render, (x, y) pixel pairs
     */
    public static Result run(Backend backend, Path faceDir, double[] truth, Path models, List<String> otherViews,
                             PrintStream log) throws IOException {
        try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
            FacePipeline nets = FacePipeline.load(models, backend);
            Path front = faceDir.resolve("render_front.png");
            Tensor image = FacePhoto.read(front, backend);
            List<FaceBox> boxes = nets.detect(image, SCORE_THRESHOLD);
            FaceBox box = boxes.isEmpty() ? boxAround(truth) : boxes.getFirst();
            String detection = boxes.isEmpty() ? "the detector found no face; the landmark net read the model's face box"
                    : String.format(Locale.ROOT, "detector score %.2f", box.score());
            FacePipeline.Face face = nets.face(image, box);
            double[] found = face.landmarks().toArray();
            double error = 0;
            for (int i = 0; i < 68; i++) {
                error += Math.hypot(found[2 * i] - truth[2 * i], found[2 * i + 1] - truth[2 * i + 1]) / 68;
            }
            double interocular = Math.hypot(truth[2 * LEFT_EYE_OUTER] - truth[2 * RIGHT_EYE_OUTER],
                    truth[2 * LEFT_EYE_OUTER + 1] - truth[2 * RIGHT_EYE_OUTER + 1]);
            BufferedImage picture = LandmarkPictures.readRgb(front);
            LandmarkPictures.draw(picture, truth, Color.RED);
            LandmarkPictures.draw(picture, found, Color.GREEN);
            Path drawn = faceDir.resolve("landmarks_front.png");
            LandmarkPictures.writePng(picture, drawn);
            log.println("wrote " + drawn.toAbsolutePath());

            List<String> cosines = new ArrayList<>();
            for (String view : otherViews) {
                Tensor other = FacePhoto.read(faceDir.resolve(view), backend);
                List<FaceBox> found2 = nets.detect(other, SCORE_THRESHOLD);
                if (found2.isEmpty()) {
                    cosines.add(view + ": no face detected");
                    continue;
                }
                Tensor d = nets.face(other, found2.getFirst()).descriptor();
                cosines.add(String.format(Locale.ROOT, "%s %.3f", view, FaceRecognitionNet.cosine(face.descriptor(), d).item()));
            }
            return new Result(error, interocular, detection, cosines);
        }
    }

    /** The landmarks' bounding box grown by 10% each side, about where face-api's detector puts its boxes. */
    private static FaceBox boxAround(double[] points) {
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < points.length / 2; i++) {
            x0 = Math.min(x0, points[2 * i]);
            x1 = Math.max(x1, points[2 * i]);
            y0 = Math.min(y0, points[2 * i + 1]);
            y1 = Math.max(y1, points[2 * i + 1]);
        }
        double mx = 0.1 * (x1 - x0);
        double my = 0.1 * (y1 - y0);
        return new FaceBox(x0 - mx, y0 - my, x1 - x0 + 2 * mx, y1 - y0 + 2 * my, Double.NaN);
    }
}
