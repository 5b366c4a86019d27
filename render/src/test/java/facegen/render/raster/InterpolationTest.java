package facegen.render.raster;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.render.GradientCheck;
import facegen.render.TestMeshes;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InterpolationTest {
    private static Backend reference;
    private static Backend cpu;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        reference.close();
        cpu.close();
    }

    private static final double[] ATTR = {0.3, 1.0, -0.5, 2.0, 0.9, 0.1, 0.2, -0.7};

    private static Tensor interpolate(List<Tensor> in) {
        Triangles tri = TestMeshes.twoTriangles();
        Raster r = Rasterizer.rasterize(in.get(1), tri, 9, 11);
        return Interpolation.interpolate(in.get(0), r, tri, in.get(1));
    }

    @Test
    void gradientsWithRespectToAttributesAndPerspectivePositionsMatchCentralDifferences() {
        double err = GradientCheck.relativeError(reference, InterpolationTest::interpolate,
                List.of(ATTR, TestMeshes.twoTrianglesClip()), List.of(new int[] {4, 2}, new int[] {4, 4}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void batchedPositionsWithSharedAttributesHaveCorrectGradients() {
        double[] clip = TestMeshes.twoTrianglesClip();
        double[] two = new double[32];
        for (int i = 0; i < 16; i++) {
            two[i] = clip[i];
            two[16 + i] = clip[i] * (i % 4 == 1 ? 0.9 : 1.0);                 // second image squashed in y
        }
        double err = GradientCheck.relativeError(reference, in -> {
            Triangles tri = TestMeshes.twoTriangles();
            Raster r = Rasterizer.rasterize(in.get(1), tri, 9, 11);
            return Interpolation.interpolate(in.get(0), r, tri, in.get(1));
        }, List.of(ATTR, two), List.of(new int[] {4, 2}, new int[] {2, 4, 4}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void cpuBackendAgreesWithReference() {
        double[][] results = new double[2][];
        double[][] grads = new double[2][];
        Backend[] backends = {reference, cpu};
        for (int b = 0; b < 2; b++) {
            try (TensorScope _ = TensorScope.open()) {
                Tensor attr = Tensor.of(backends[b], ATTR, 4, 2).requireGrad();
                Tensor pos = Tensor.of(backends[b], TestMeshes.twoTrianglesClip(), 4, 4).requireGrad();
                Tensor img = interpolate(List.of(attr, pos));
                results[b] = img.toArray();
                grads[b] = Autograd.grad(img.square().sumAll(), List.of(pos), false).get(0).toArray();
            }
        }
        for (int i = 0; i < results[0].length; i++) {
            assertThat(results[1][i]).isCloseTo(results[0][i], org.assertj.core.data.Offset.offset(1e-5));
        }
        for (int i = 0; i < grads[0].length; i++) {
            assertThat(grads[1][i]).isCloseTo(grads[0][i], org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, Math.abs(grads[0][i]))));
        }
    }

    @Test
    void backgroundIsZeroAndMismatchedInputsAreRejected() {
        Tensor pos = Tensor.of(reference, TestMeshes.twoTrianglesClip(), 4, 4);
        Triangles tri = TestMeshes.twoTriangles();
        Raster r = Rasterizer.rasterize(pos, tri, 9, 11);
        double[] img = Interpolation.interpolate(Tensor.ones(reference, 4, 1), r, tri, pos).toArray();
        assertThat(img[0]).isZero();                                       // corner pixel (0, 0) is background
        assertThatThrownBy(() -> Interpolation.interpolate(Tensor.ones(reference, 5, 1), r, tri, pos)).hasMessageContaining("V = 4");
        assertThatThrownBy(() -> Interpolation.interpolate(Tensor.ones(reference, 4, 1), r, Triangles.of(new int[][] {{0, 1, 2}}, 4), pos))
                .hasMessageContaining("not the triangle list");
    }
}
