package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceRecognitionNetTest {
    static Backend cpu;
    static FaceRecognitionNet net;
    static FaceApiReference reference;

    @BeforeAll
    static void load() throws IOException {
        cpu = Backends.create("cpu");
        net = FaceRecognitionNet.load(FaceApiReference.WEIGHTS, cpu);
        reference = FaceApiReference.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void descriptorMatchesFaceApiTfjs(String photo) throws IOException {
        FaceApiReference.Image ref = reference.image(photo);
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        Tensor ours = net.descriptor(image, ref.crop());
        Tensor theirs = Tensor.of(cpu, ref.descriptor(), 1, FaceRecognitionNet.DIM);
        double cosine = FaceRecognitionNet.cosine(ours, theirs).item();
        double[] o = ours.toArray();
        double maxAbs = 0;
        for (int i = 0; i < o.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(o[i] - ref.descriptor()[i]));
        }
        System.out.printf("%s: descriptor cosine %.9f, max abs diff %.2e%n", photo, cosine, maxAbs);
        assertTrue(cosine >= 0.9999, photo + ": cosine " + cosine);
    }
}
