package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceLandmark68NetTest {
    static Backend cpu;
    static FaceLandmark68Net net;
    static FaceApiReference reference;

    @BeforeAll
    static void load() throws IOException {
        cpu = Backends.create("cpu");
        net = FaceLandmark68Net.load(FaceApiReference.WEIGHTS, cpu);
        reference = FaceApiReference.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void landmarksMatchFaceApiTfjsWithinHalfAPixel(String photo) throws IOException {
        FaceApiReference.Image ref = reference.image(photo);
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        double[] ours = net.landmarks(image, ref.crop()).toArray();
        double maxError = 0;
        for (int i = 0; i < FaceLandmark68Net.POINTS; i++) {
            maxError = Math.max(maxError, Math.hypot(ours[2 * i] - ref.landmarks()[i][0], ours[2 * i + 1] - ref.landmarks()[i][1]));
        }
        System.out.printf("%s: max landmark error %.2e px%n", photo, maxError);
        assertTrue(maxError < 0.5, photo + ": max landmark error " + maxError + " px");
    }
}
