package facegen.render.mesh;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import facegen.render.TestMeshes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class VertexNormalsTest {
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
    void normalsOfASphereAreRadialUnitVectorsOnBothPaths() {
        TestMeshes.Mesh s = TestMeshes.sphere(3);
        int v = s.triangles().vertexCount();
        double[] n = VertexNormals.of(Tensor.of(reference, s.positions(), 1, v, 3), s.triangles()).toArray();
        double[] host = VertexNormals.of(s.positions(), s.triangles());
        for (int i = 0; i < v; i++) {
            double dot = 0;
            for (int c = 0; c < 3; c++) {
                dot += n[3 * i + c] * s.positions()[3 * i + c];
                assertThat(n[3 * i + c]).isCloseTo(host[3 * i + c], within(1e-12));
            }
            assertThat(dot).isGreaterThan(0.99);
        }
    }

    @Test
    void gradientWithRespectToVerticesMatchesCentralDifferences() {
        TestMeshes.Mesh s = TestMeshes.sphere(1);
        double[] p = s.positions().clone();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.1 * random.nextGaussian();
        }
        int v = s.triangles().vertexCount();
        double err = GradientCheck.relativeError(reference, in -> VertexNormals.of(in.get(0), s.triangles()),
                List.of(p), List.of(new int[] {1, v, 3}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void unusedVerticesGetZeroNormalsAndShapesAreChecked() {
        double[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5};
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}}, 4);
        double[] n = VertexNormals.of(Tensor.of(reference, p, 1, 4, 3), tri).toArray();
        assertThat(n[2]).isCloseTo(1, within(1e-12));
        assertThat(new double[] {n[9], n[10], n[11]}).containsOnly(0.0);
        assertThatThrownBy(() -> VertexNormals.of(Tensor.zeros(reference, 1, 3, 3), tri)).hasMessageContaining("V = 4");
    }
}
