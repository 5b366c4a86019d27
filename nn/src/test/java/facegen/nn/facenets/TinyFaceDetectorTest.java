package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyFaceDetectorTest {
    static Backend cpu;
    static TinyFaceDetector detector;
    static FaceApiReference reference;

    @BeforeAll
    static void load() throws IOException {
        cpu = Backends.create("cpu");
        detector = TinyFaceDetector.load(FaceApiReference.WEIGHTS, cpu);
        reference = FaceApiReference.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void boxesMatchFaceApiTfjsWithinOnePixel(String photo) throws IOException {
        FaceApiReference.Image ref = reference.image(photo);
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        List<FaceBox> ours = detector.detect(image, TinyFaceDetector.DEFAULT_INPUT_SIZE, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD);
        assertEquals(ref.detections().size(), ours.size(), photo + ": " + ours);
        double maxError = 0;
        for (int i = 0; i < ours.size(); i++) {
            FaceBox b = ours.get(i);
            double[] r = ref.detections().get(i);
            maxError = Math.max(maxError, Math.max(Math.max(Math.abs(b.x() - r[0]), Math.abs(b.y() - r[1])),
                    Math.max(Math.abs(b.x() + b.width() - r[0] - r[2]), Math.abs(b.y() + b.height() - r[1] - r[3]))));
            assertEquals(r[4], b.score(), 1e-4, photo + " score");
            assertEquals(ref.crop(), b.squareCrop(image.dim(3), image.dim(2)), photo + " crop");
        }
        System.out.printf("%s: %d face(s), max box edge error %.2e px%n", photo, ours.size(), maxError);
        assertTrue(maxError < 1, photo + ": box error " + maxError);
    }

    @Test
    void blankImageHasNoFace() {
        Tensor grey = Tensor.full(cpu, 128, 1, 3, 200, 300);
        assertTrue(detector.detect(grey, 224, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD).isEmpty());
    }
}
