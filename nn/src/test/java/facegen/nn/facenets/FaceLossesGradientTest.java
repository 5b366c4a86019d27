package facegen.nn.facenets;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.GradMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The face losses differentiate w.r.t. the input image through face-api's nets: the autograd gradient at a few
 * pixels against float64 central differences on the reference backend. The image is a small smooth pattern
 * (the nets resize it up to their input), the target a different one.
 */
class FaceLossesGradientTest {
    private static final int SIZE = 24;
    private static final double STEP = 1e-3;
    private static final int[] PIXELS = {5, 3 * SIZE * SIZE / 2 + 7, 2 * SIZE * SIZE + SIZE * 12 + 12};
    static Backend reference;
    static Crop whole = new Crop(0, 0, SIZE, SIZE);

    @BeforeAll
    static void backend() {
        reference = Backends.create("reference");
    }

    @Test
    void identityLossGradientMatchesFiniteDifferences() throws IOException {
        FaceRecognitionNet net = FaceRecognitionNet.load(FaceApiReference.WEIGHTS, reference);
        Tensor target = net.descriptor(pattern(2), whole).detach();
        assertMatches(image -> FaceLosses.identity(net.descriptor(image, whole), target));
    }

    @Test
    void perceptualLossGradientMatchesFiniteDifferences() throws IOException {
        FaceRecognitionNet net = FaceRecognitionNet.load(FaceApiReference.WEIGHTS, reference);
        List<Tensor> target = net.features(pattern(2), whole).stages().stream().map(Tensor::detach).toList();
        assertMatches(image -> FaceLosses.perceptual(net.features(image, whole).stages(), target));
    }

    @Test
    void landmarkLossGradientMatchesFiniteDifferences() throws IOException {
        FaceLandmark68Net net = FaceLandmark68Net.load(FaceApiReference.WEIGHTS, reference);
        Tensor target = net.landmarks(pattern(2), whole).detach();
        assertMatches(image -> FaceLosses.landmark(net.landmarks(image, whole), target));
    }

    private static void assertMatches(Function<Tensor, Tensor> loss) {
        double[] values = pattern(1).toArray();
        Tensor image = Tensor.of(reference, values, 1, 3, SIZE, SIZE).requireGrad();
        double[] analytic = Autograd.grad(loss.apply(image), List.of(image), false).getFirst().toArray();
        double maxError = 0;
        double maxNumeric = 1e-12;
        for (int i : PIXELS) {
            double numeric = (at(loss, values, i, STEP) - at(loss, values, i, -STEP)) / (2 * STEP);
            maxError = Math.max(maxError, Math.abs(numeric - analytic[i]));
            maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
        }
        System.out.printf("scaled gradient error %.2e (max |dL/dpixel| %.2e)%n", maxError / maxNumeric, maxNumeric);
        assertTrue(maxError / maxNumeric < 1e-5, "scaled gradient error " + maxError / maxNumeric);
    }

    private static double at(Function<Tensor, Tensor> loss, double[] values, int i, double h) {
        double[] moved = values.clone();
        moved[i] += h;
        try (GradMode off = GradMode.disabled()) {
            return loss.apply(Tensor.of(reference, moved, 1, 3, SIZE, SIZE)).item();
        }
    }

    /** A smooth face-sized colour pattern in 0..255, different for each {@code variant}. */
    private static Tensor pattern(int variant) {
        double[] v = new double[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    v[(c * SIZE + y) * SIZE + x] = 128 + 90 * Math.sin(0.3 * variant * x + 0.2 * y + c) * Math.cos(0.25 * y - 0.1 * variant * x);
                }
            }
        }
        return Tensor.of(reference, v, 1, 3, SIZE, SIZE);
    }
}
