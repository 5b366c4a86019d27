package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.io.Json;
import facegen.nn.tfjs.TfjsGraphModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * human-models' facemesh (float16 weights) and blazeface graphs through {@link TfjsGraphModel} against TF.js's
 * raw outputs (test-data/facenets-reference/face-api.json): facemesh's 468 (x, y) in 192-px input pixels within
 * 0.5 px; blazeface's anchor score logits (relative error beyond magnitude 1) within 1e-4 and, for the best anchors, box regressors (256-px input pixels) within 1 px.
 */
class HumanGraphModelsTest {
    static Backend cpu;
    static TfjsGraphModel facemesh;
    static TfjsGraphModel blazeface;
    static Map<?, ?> reference;

    @BeforeAll
    static void load() throws IOException {
        cpu = Backends.create("cpu");
        facemesh = TfjsGraphModel.read(FaceApiReference.HUMAN_MODELS.resolve("facemesh.json"));
        blazeface = TfjsGraphModel.read(FaceApiReference.HUMAN_MODELS.resolve("blazeface.json"));
        reference = (Map<?, ?>) Json.parse(Files.readString(Path.of("../test-data/facenets-reference/face-api.json")));
    }

    private static Map<?, ?> entry(String photo) {
        return ((List<?>) reference.get("images")).stream().map(Map.class::cast).filter(m -> photo.equals(m.get("image")))
                .findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void facemeshMatchesTfjs(String photo) throws IOException {
        Map<?, ?> ref = entry(photo);
        Map<?, ?> c = (Map<?, ?>) ref.get("crop");
        int size = ((Number) c.get("size")).intValue();
        Crop crop = new Crop(((Number) c.get("x")).intValue(), ((Number) c.get("y")).intValue(), size, size);
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        Tensor input = NetInput.squareBatch(image, crop, 192).div(255).permute(0, 2, 3, 1);
        double[] mesh = facemesh.run(Map.of("input_1", input), "Identity_2").toArray();
        double[] expected = numbers(ref.get("facemesh"));
        double maxPx = 0;
        for (int i = 0; i < expected.length / 3; i++) {
            maxPx = Math.max(maxPx, Math.hypot(mesh[3 * i] - expected[3 * i], mesh[3 * i + 1] - expected[3 * i + 1]));
        }
        System.out.printf("%s: facemesh max (x, y) error %.2e px of 192%n", photo, maxPx);
        assertTrue(maxPx < 0.5, photo + ": facemesh error " + maxPx);
    }

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "render-seed1.png", "render-seed2.png"})
    void blazefaceMatchesTfjs(String photo) throws IOException {
        Map<?, ?> ref = (Map<?, ?>) entry(photo).get("blazeface");
        Tensor image = FacePhoto.read(FaceApiReference.PHOTOS.resolve(photo), cpu);
        Tensor input = NetInput.squareBatch(image, new Crop(0, 0, image.dim(3), image.dim(2)), 256).div(127.5).sub(1)
                .permute(0, 2, 3, 1);
        double scoreError = 0;
        double boxError = 0;
        for (String[] head : new String[][] {{"Identity_1", "Identity_3", "384"}, {"Identity", "Identity_2", "512"}}) {
            double[] scores = blazeface.run(Map.of("input", input), head[0]).toArray();
            double[] regressors = blazeface.run(Map.of("input", input), head[1]).toArray();
            double[] expected = numbers(ref.get("scores" + head[2]));
            for (int i = 0; i < expected.length; i++) {
                // relative beyond 1: background logits reach hundreds, where float32 sums differ in the 6th digit
                scoreError = Math.max(scoreError, Math.abs(scores[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
            }
            for (Object o : (List<?>) ref.get("top" + head[2])) {
                Map<?, ?> top = (Map<?, ?>) o;
                int anchor = ((Number) top.get("anchor")).intValue();
                double[] r = numbers(top.get("regressors"));
                for (int k = 0; k < 16; k++) {
                    boxError = Math.max(boxError, Math.abs(regressors[16 * anchor + k] - r[k]));
                }
            }
        }
        System.out.printf("%s: blazeface max score-logit error (relative) %.2e, max regressor error %.2e px of 256%n", photo, scoreError, boxError);
        assertTrue(scoreError < 1e-4 && boxError < 1, photo + ": blazeface errors " + scoreError + ", " + boxError);
    }

    private static double[] numbers(Object list) {
        return ((List<?>) list).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }
}
