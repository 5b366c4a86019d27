package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.TestMeshes;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RasterizerTest {
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
    void barycentricsSumToOneLieInTheUnitIntervalAndMatchInterpolation() {
        // ten separate random triangles with perspective w; per-triangle one-hot corner attributes give (b0, b1, b2)
        SplittableRandom random = new SplittableRandom(7);
        int n = 10;
        double[] pos = new double[n * 3 * 4];
        double[] onehot = new double[n * 3 * 3];
        int[] idx = new int[n * 3];
        for (int i = 0; i < n * 3; i++) {
            pos[4 * i] = random.nextDouble(-1, 1);
            pos[4 * i + 1] = random.nextDouble(-1, 1);
            pos[4 * i + 2] = random.nextDouble(-0.9, 0.9);
            pos[4 * i + 3] = random.nextDouble(0.6, 1.6);
            onehot[3 * i + i % 3] = 1;
            idx[i] = i;
        }
        for (int i = 0; i < n * 3; i++) {
            pos[4 * i] *= pos[4 * i + 3];                                 // keep NDC x, y in [-1, 1] after the divide
            pos[4 * i + 1] *= pos[4 * i + 3];
            pos[4 * i + 2] *= pos[4 * i + 3];
        }
        Triangles tri = new Triangles(idx, n * 3);
        Tensor p = Tensor.of(reference, pos, n * 3, 4);
        Raster r = Rasterizer.rasterize(p, tri, 24, 32);
        double[] bary = Interpolation.interpolate(Tensor.of(reference, onehot, n * 3, 3), r, tri, p).toArray();
        int hw = 24 * 32;
        int covered = 0;
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                if (r.triangleAt(0, y, x) < 0) {
                    continue;
                }
                covered++;
                double[] host = r.barycentricsAt(0, y, x);
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    double b = bary[k * hw + y * 32 + x];
                    assertThat(b).isBetween(-1e-9, 1 + 1e-9);
                    assertThat(b).isCloseTo(host[k], within(1e-6));
                    sum += b;
                }
                assertThat(sum).isCloseTo(1, within(1e-12));
            }
        }
        assertThat(covered).isGreaterThan(100);
    }

    @Test
    void interpolatedClipCoordinatesReproduceEachPixelCentre() {
        double[] clip = TestMeshes.twoTrianglesClip();
        Triangles tri = TestMeshes.twoTriangles();
        Tensor p = Tensor.of(reference, clip, 4, 4);
        Raster r = Rasterizer.rasterize(p, tri, 9, 11);
        double[] attr = new double[4 * 3];
        for (int i = 0; i < 4; i++) {
            attr[3 * i] = clip[4 * i];
            attr[3 * i + 1] = clip[4 * i + 1];
            attr[3 * i + 2] = clip[4 * i + 3];
        }
        double[] img = Interpolation.interpolate(Tensor.of(reference, attr, 4, 3), r, tri, p).toArray();
        int hw = 99;
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 11; x++) {
                if (r.triangleAt(0, y, x) >= 0) {
                    double w = img[2 * hw + y * 11 + x];
                    assertThat(img[y * 11 + x] / w).isCloseTo((x + 0.5) * 2 / 11 - 1, within(1e-12));
                    assertThat(img[hw + y * 11 + x] / w).isCloseTo(1 - (y + 0.5) * 2 / 9, within(1e-12));
                }
            }
        }
    }

    @Test
    void pixelCentresOnASharedEdgeBelongToExactlyOneTriangle() {
        // a square split along its diagonal; with 8 x 8 pixels the diagonal passes through 8 pixel centres
        double[] pos = {-1, -1, 0, 1, 1, -1, 0, 1, 1, 1, 0, 1, -1, 1, 0, 1};
        int[][] halves = {{0, 1, 2}, {0, 2, 3}};
        int[] coverage = new int[64];
        for (int[] half : halves) {
            Triangles one = Triangles.of(new int[][] {half}, 4);
            Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 4, 4), one, 8, 8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    coverage[y * 8 + x] += r.triangleAt(0, y, x) >= 0 ? 1 : 0;
                }
            }
        }
        assertThat(coverage).containsOnly(1);
    }

    @Test
    void nearerTriangleWinsTheDepthTest() {
        double[] pos = {-1, -1, 0.5, 1, 1, -1, 0.5, 1, 0, 1, 0.5, 1, -1, -1, -0.5, 1, 1, -1, -0.5, 1, 0, 1, -0.5, 1};
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}, {3, 4, 5}}, 6);
        Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 6, 4), tri, 4, 4);
        assertThat(r.triangleAt(0, 2, 2)).isEqualTo(1);
        assertThat(r.depthAt(0, 2, 2)).isCloseTo(-0.5, within(1e-6));
        assertThat(r.depthAt(0, 0, 0)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void depthsOutsideTheClipRangeAreNotDrawn() {
        double[] pos = {-1, -1, 1.5, 1, 1, -1, 1.5, 1, 0, 1, 1.5, 1};
        Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 3, 4), Triangles.of(new int[][] {{0, 1, 2}}, 3), 8, 8);
        assertThat(r.coveredCount()).isZero();
    }

    @Test
    void nanAndInfiniteVerticesAreRejectedNamingTheVertex() {
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}}, 3);
        double[] pos = {0, 0, 0, 1, 1, 0, 0, 1, 0, Double.NaN, 0, 1};
        assertThatThrownBy(() -> Rasterizer.rasterize(Tensor.of(reference, pos, 3, 4), tri, 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vertex 2").hasMessageContaining("NaN");
        pos[9] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> Rasterizer.rasterize(Tensor.of(reference, pos, 3, 4), tri, 4, 4))
                .hasMessageContaining("vertex 2").hasMessageContaining("Infinity");
    }

    @Test
    void degenerateTrianglesCoverNothingAndOthersAreUnaffected() {
        double[] pos = {-1, -1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1,         // collinear
                -1, -1, 0, 1, -1, -1, 0, 1, -1, -1, 0, 1,                  // a point
                -1, -1, 0, 1, 1, -1, 0, 1, -1, 1, 0, 1};                   // a real one
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}, 9);
        Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 9, 4), tri, 8, 8);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertThat(r.triangleAt(0, y, x)).isIn(-1, 2);
            }
        }
        assertThat(r.coveredCount()).isIn(28, 36);                       // below the diagonal, the centres on it per the tie rule
    }

    @Test
    void trianglesWithAVertexBehindTheEyeAreSkipped() {
        double[] pos = {-1, -1, 0, 1, 1, -1, 0, 1, 0, 1, 0, -0.5};
        Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 3, 4), Triangles.of(new int[][] {{0, 1, 2}}, 3), 8, 8);
        assertThat(r.coveredCount()).isZero();
    }

    @Test
    void badShapesAndIndicesAreRejected() {
        assertThatThrownBy(() -> Rasterizer.rasterize(Tensor.zeros(reference, 3, 3), Triangles.of(new int[][] {{0, 1, 2}}, 3), 4, 4))
                .hasMessageContaining("[V, 4]");
        assertThatThrownBy(() -> Rasterizer.rasterize(Tensor.zeros(reference, 4, 4), Triangles.of(new int[][] {{0, 1, 2}}, 3), 4, 4))
                .hasMessageContaining("4 vertices");
        assertThatThrownBy(() -> Triangles.of(new int[][] {{0, 1, 5}}, 3)).hasMessageContaining("vertex 5");
        assertThatThrownBy(() -> Rasterizer.rasterize(Tensor.zeros(reference, 3, 4), Triangles.of(new int[][] {{0, 1, 2}}, 3), 0, 4))
                .hasMessageContaining("positive");
    }

    @Test
    void rasterTensorHasNvdiffrastChannels() {
        double[] pos = {-1, -1, 0.25, 1, 3, -1, 0.25, 1, -1, 3, 0.25, 1};
        Raster r = Rasterizer.rasterize(Tensor.of(reference, pos, 3, 4), Triangles.of(new int[][] {{0, 1, 2}}, 3), 2, 2);
        double[] t = r.toTensor(reference).toArray();                      // [1, 4, 2, 2]
        assertThat(t[2 * 4]).isCloseTo(0.25, within(1e-7));                // z/w at pixel (0, 0)
        assertThat(t[3 * 4]).isEqualTo(1);                                   // triangle id + 1
        assertThat(t[0] + t[4]).isBetween(0.0, 1.0);
    }
}
