package facegen.render.camera;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CameraTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void orthographicCameraIsDecasScaleAndTranslation() {
        Tensor v = Tensor.of(reference, new double[] {0.1, -0.2, 0.05}, 1, 1, 3);
        double[] clip = OrthographicCamera.project(v, Tensor.of(reference, new double[] {8, 0.01, -0.02}, 1, 3)).toArray();
        assertThat(clip).containsExactly(new double[] {8 * 0.11, 8 * -0.22, -OrthographicCamera.DEPTH_SCALE * 8 * 0.05, 1}, within(1e-12));
    }

    @Test
    void perspectiveCameraMapsNearAndFarPlanesToClipDepthBounds() {
        PerspectiveCamera camera = new PerspectiveCamera(60, 1.5, 0.5, 10);
        double[] clip = camera.project(Tensor.of(reference, new double[] {0, 0, -0.5, 0, 0, -10, 1, 1, -2}, 1, 3, 3)).toArray();
        assertThat(clip[2] / clip[3]).isCloseTo(-1, within(1e-12));
        assertThat(clip[6] / clip[7]).isCloseTo(1, within(1e-12));
        double f = 1 / Math.tan(Math.toRadians(30));
        assertThat(clip[8] / clip[11]).isCloseTo(f / 1.5 * 1 / 2, within(1e-12));       // x_ndc = f/a * x / -z
        assertThat(clip[9] / clip[11]).isCloseTo(f * 1 / 2, within(1e-12));
        assertThatThrownBy(() -> new PerspectiveCamera(60, 1, 2, 1)).hasMessageContaining("near < far");
    }

    @Test
    void rodriguesAgreesWithTheYawMatrixAndHasExactGradients() {
        double[] r = Rotations.rodrigues(Tensor.of(reference, new double[] {0, Math.toRadians(30), 0}, 1, 3)).toArray();
        assertThat(r).containsExactly(Rotations.yawMatrix(30), within(1e-7));
        double err = GradientCheck.relativeError(reference, in -> Rotations.rodrigues(in.get(0)),
                List.of(new double[] {0.3, -0.2, 0.5, 1.2, 0.1, -0.4}), List.of(new int[] {2, 3}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }
}
