package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MobileFaceNetTest {
    static Backend cpu;
    static MobileFaceNet net;
    static FaceApiReference reference;

    @BeforeAll
    static void load() throws IOException {
        cpu = Backends.create("cpu");
        net = MobileFaceNet.load(FaceApiReference.HUMAN_MODELS);
        reference = FaceApiReference.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void embeddingMatchesTfjsGraphModel(String photo) throws IOException {
        FaceApiReference.Image ref = reference.image(photo);
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        Tensor ours = net.embedding(image, ref.crop());
        assertEquals(192, ours.dim(1));
        double cosine = FaceRecognitionNet.cosine(ours, Tensor.of(cpu, ref.mobilefacenet(), 1, 192)).item();
        System.out.printf("%s: mobilefacenet cosine %.9f%n", photo, cosine);
        assertTrue(cosine >= 0.9999, photo + ": cosine " + cosine);
    }
}
