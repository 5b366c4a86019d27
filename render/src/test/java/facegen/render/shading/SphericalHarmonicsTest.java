package facegen.render.shading;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SphericalHarmonicsTest {
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
    void constantsAreDecasRoundedValues() {
        double[] expected = {0.28209, 1.02333, 1.02333, 1.02333, 0.85809, 0.85809, 0.85809, 0.42904, 0.24771};
        for (int k = 0; k < 9; k++) {
            assertThat(SphericalHarmonics.CONSTANTS[k]).isCloseTo(expected[k], within(5e-6));
        }
    }

    @Test
    void shadingIsTheBasisExpansionAtEachNormal() {
        double[] n = {0.6, 0.0, 0.8};                                           // one pixel
        double[] l = new double[27];
        for (int i = 0; i < 27; i++) {
            l[i] = 0.1 * (i + 1);
        }
        double[] shaded = SphericalHarmonics.shade(Tensor.of(reference, new double[] {0.6, 0.0, 0.8}, 1, 3, 1, 1),
                Tensor.of(reference, l, 1, 9, 3)).toArray();
        double x = n[0], y = n[1], z = n[2];
        double[] basis = {1, x, y, z, x * y, x * z, y * z, x * x - y * y, 3 * z * z - 1};
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int k = 0; k < 9; k++) {
                s += l[3 * k + c] * SphericalHarmonics.CONSTANTS[k] * basis[k];
            }
            assertThat(shaded[c]).isCloseTo(s, within(1e-12));
        }
        double[] perVertex = SphericalHarmonics.shadeVertices(Tensor.of(reference, n, 1, 1, 3), Tensor.of(reference, l, 1, 9, 3)).toArray();
        assertThat(perVertex).containsExactly(shaded, within(1e-12));
    }

    @Test
    void gradientsWithRespectToNormalsAndCoefficientsMatchCentralDifferences() {
        double[] normals = Tensor.randn(reference, 4, 2, 3, 2, 3).toArray();
        double[] light = Tensor.randn(reference, 5, 2, 9, 3).toArray();
        double err = GradientCheck.relativeError(reference, in -> SphericalHarmonics.shade(in.get(0), in.get(1)),
                List.of(normals, light), List.of(new int[] {2, 3, 2, 3}, new int[] {2, 9, 3}), 1e-6);
        assertThat(err).isLessThan(1e-8);
    }
}
