package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TexturingTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** UVs whose texel coordinates are an integer plus a fraction in [0.15, 0.85] (away from the bilinear kinks). */
    private static double[] uvs(long seed, int n, int texW, int texH, int lo, int hi) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] uv = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double px = random.nextInt(lo, texW + hi) + 0.15 + 0.7 * random.nextDouble();
            double py = random.nextInt(lo, texH + hi) + 0.15 + 0.7 * random.nextDouble();
            uv[i] = (px + 0.5) / texW;                                       // channel 0 = u (channel-major [1, 2, H, W])
            uv[n + i] = (py + 0.5) / texH;
        }
        return uv;
    }

    @Test
    void zeroBoundaryLookupAgreesWithTheGridSampleReference() {
        double[] tex = Tensor.randn(reference, 1, 2, 3, 5, 6).toArray();
        double[] uv = uvs(2, 2 * 4 * 5, 6, 5, -2, 2);
        double[] uv2 = new double[uv.length];
        int n = 20;
        for (int b = 0; b < 2; b++) {                                         // [2, 2, 4, 5] channel-major per image
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < n; i++) {
                    uv2[(b * 2 + c) * n + i] = uv[c * 2 * n + b * n + i];
                }
            }
        }
        Tensor t = Tensor.of(reference, tex, 2, 3, 5, 6);
        Tensor u = Tensor.of(reference, uv2, 2, 2, 4, 5);
        double[] ours = Texturing.texture(t, u, null, BoundaryMode.ZERO).toArray();
        double[] grid = Texturing.textureReference(t, u).toArray();
        for (int i = 0; i < ours.length; i++) {
            assertThat(ours[i]).isCloseTo(grid[i], within(1e-12));
        }
    }

    @Test
    void gradientsWithRespectToTextureAndUvMatchCentralDifferences() {
        for (BoundaryMode mode : BoundaryMode.values()) {
            double err = GradientCheck.relativeError(reference, in -> Texturing.texture(in.get(0), in.get(1), null, mode),
                    List.of(Tensor.randn(reference, 3, 1, 2, 4, 5).toArray(), uvs(4, 12, 5, 4, -1, 1)),
                    List.of(new int[] {1, 2, 4, 5}, new int[] {1, 2, 3, 4}), 1e-6);
            assertThat(err).as(mode.name()).isLessThan(1e-7);
        }
    }

    @Test
    void outOfRangeUvsGiveDefinedResultsPerBoundaryMode() {
        Tensor tex = Tensor.of(reference, new double[] {1, 2, 3, 4}, 1, 1, 2, 2);         // 2 x 2 texels
        Tensor far = Tensor.of(reference, new double[] {7.3, -5.1}, 1, 2, 1, 1);          // u = 7.3, v = -5.1
        assertThat(Texturing.texture(tex, far, null, BoundaryMode.CLAMP).item()).isEqualTo(2);   // top-right texel
        assertThat(Texturing.texture(tex, far, null, BoundaryMode.ZERO).item()).isZero();
        Tensor inside = Tensor.of(reference, new double[] {0.3, 0.1 + 0.0}, 1, 2, 1, 1);
        Tensor shifted = Tensor.of(reference, new double[] {2.3, -0.9}, 1, 2, 1, 1);
        assertThat(Texturing.texture(tex, shifted, null, BoundaryMode.WRAP).item())
                .isCloseTo(Texturing.texture(tex, inside, null, BoundaryMode.WRAP).item(), within(1e-12));
        double huge = Texturing.texture(tex, Tensor.of(reference, new double[] {1e30, 1e30}, 1, 2, 1, 1), null, BoundaryMode.CLAMP).item();
        assertThat(huge).isEqualTo(4);
    }

    @Test
    void nonFiniteUvsAreRejectedNamingThePixel() {
        Tensor tex = Tensor.ones(reference, 1, 1, 2, 2);
        double[] uv = {0.5, 0.5, 0.5, 0.5, 0.5, Double.NaN, 0.5, 0.5};               // v of pixel (x 1, y 0) is NaN
        assertThatThrownBy(() -> Texturing.texture(tex, Tensor.of(reference, uv, 1, 2, 2, 2), null, BoundaryMode.CLAMP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x 1, y 0").hasMessageContaining("NaN");
    }

    @Test
    void shapesAreChecked() {
        assertThatThrownBy(() -> Texturing.texture(Tensor.ones(reference, 2, 1, 2, 2), Tensor.ones(reference, 3, 2, 2, 2), null,
                BoundaryMode.CLAMP)).hasMessageContaining("tex [1 or B");
    }
}
