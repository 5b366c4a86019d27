package facegen.render.face;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.render.camera.PerspectiveCamera;
import facegen.render.camera.Rotations;
import facegen.render.head.FaceMeshData;
import facegen.render.head.MorphableHead;
import facegen.render.head.ProceduralHead;
import facegen.render.shading.SphericalHarmonics;
import facegen.render.texture.ProceduralAlbedo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The renderer's gradients are good enough to fit: a known head rotation and translation is recovered from a target
 * image alone by gradient descent (Adam) on the image MSE through rasterise, interpolate, texture, SH shading and
 * antialias.
 */
class PoseRecoveryTest {
    private static final int SIZE = 96;
    private static final double[] TRUE_ROTATION = {0.12, -0.22, 0.06};
    private static final double[] TRUE_TRANSLATION = {0.012, -0.009, 0.03};

    @Test
    void gradientDescentThroughTheRendererRecoversRotationAndTranslation() {
        try (Backend backend = Backends.create("cpu"); TensorScope _ = TensorScope.open()) {
            MorphableHead head = ProceduralHead.create(new ProceduralHead.Config(20, 14, 0, 1));
            FaceRenderer renderer = new FaceRenderer(head.triangles(), head.uvs());
            Tensor albedo = ProceduralAlbedo.generate(backend, FaceMeshData.load(), 128, 3);
            Tensor light = SphericalHarmonics.whiteLight(backend, 2.2, 1.2, 0.5, 0.6, 1.0);
            Tensor template = Tensor.of(backend, head.template(), 1, head.vertexCount(), 3);
            PerspectiveCamera camera = new PerspectiveCamera(25, 1, 0.1, 2);
            Tensor target;
            try (GradMode _ = GradMode.disabled()) {
                target = render(renderer, template, camera, albedo, light,
                        Tensor.of(backend, TRUE_ROTATION, 1, 3), Tensor.of(backend, TRUE_TRANSLATION, 1, 3));
            }
            double[] params = new double[6];                                       // rotation, translation: start at rest
            double[] m = new double[6];
            double[] v = new double[6];
            double lr = 0.01;
            int iterations = 0;
            double rotationError = Double.NaN;
            double translationError = Double.NaN;
            double loss = Double.NaN;
            for (int it = 1; it <= 300; it++) {
                try (TensorScope _ = TensorScope.open()) {
                    Tensor rotation = Tensor.of(backend, new double[] {params[0], params[1], params[2]}, 1, 3).requireGrad();
                    Tensor translation = Tensor.of(backend, new double[] {params[3], params[4], params[5]}, 1, 3).requireGrad();
                    Tensor image = render(renderer, template, camera, albedo, light, rotation, translation);
                    Tensor mse = image.sub(target).square().meanAll();
                    loss = mse.item();
                    List<Tensor> g = Autograd.grad(mse, List.of(rotation, translation), false);
                    double[] grad = new double[6];
                    System.arraycopy(g.get(0).toArray(), 0, grad, 0, 3);
                    System.arraycopy(g.get(1).toArray(), 0, grad, 3, 3);
                    for (int k = 0; k < 6; k++) {                                  // Adam, betas (0.9, 0.999)
                        m[k] = 0.9 * m[k] + 0.1 * grad[k];
                        v[k] = 0.999 * v[k] + 0.001 * grad[k] * grad[k];
                        double mh = m[k] / (1 - Math.pow(0.9, it));
                        double vh = v[k] / (1 - Math.pow(0.999, it));
                        params[k] -= (k < 3 ? lr : lr / 4) * mh / (Math.sqrt(vh) + 1e-12);
                    }
                }
                rotationError = Math.sqrt(sq(params[0] - TRUE_ROTATION[0]) + sq(params[1] - TRUE_ROTATION[1]) + sq(params[2] - TRUE_ROTATION[2]));
                translationError = Math.sqrt(sq(params[3] - TRUE_TRANSLATION[0]) + sq(params[4] - TRUE_TRANSLATION[1]) + sq(params[5] - TRUE_TRANSLATION[2]));
                iterations = it;
                if (rotationError < 0.005 && translationError < 0.0005) {
                    break;
                }
            }
            System.out.printf("pose recovery: %d iterations, rotation error %.5f rad (%.3f deg), translation error %.3f mm, image MSE %.2e%n",
                    iterations, rotationError, Math.toDegrees(rotationError), translationError * 1000, loss);
            assertThat(rotationError).isLessThan(0.005);
            assertThat(translationError).isLessThan(0.0005);
        }
    }

    private static Tensor render(FaceRenderer renderer, Tensor template, PerspectiveCamera camera, Tensor albedo, Tensor light,
                                 Tensor rotation, Tensor translation) {
        Tensor offset = Tensor.of(template.backend(), new double[] {0, 0, -0.55}, 1, 3);
        Tensor world = Rotations.transform(template, Rotations.rodrigues(rotation), translation.add(offset));
        Tensor clip = camera.project(world);
        return renderer.render(world, clip, albedo, light, null, SIZE, SIZE, new double[] {0.3, 0.3, 0.3}).image();
    }

    private static double sq(double x) {
        return x * x;
    }
}
