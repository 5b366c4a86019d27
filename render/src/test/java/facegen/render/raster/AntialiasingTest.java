package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import facegen.render.TestMeshes;
import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AntialiasingTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** Antialiased foreground mask [1, 1, H, W] of a mesh. */
    private static double[] coverage(double[] clip, Triangles tri, int size) {
        Tensor pos = Tensor.of(reference, clip, tri.vertexCount(), 4);
        Raster r = Rasterizer.rasterize(pos, tri, size, size);
        Tensor mask = Interpolation.interpolate(Tensor.ones(reference, tri.vertexCount(), 1), r, tri, pos);
        return Antialiasing.antialias(mask, r, pos, EdgeTopology.of(tri)).toArray();
    }

    @Test
    void coverageOfAStraightEdgeAcrossTheImageIsExact() {
        // huge triangles whose only edge inside the image crosses every row (or column): the covered length of each row
        // is exact and linear in y, so the midpoint rule across rows integrates it exactly
        int size = 64;
        double[][] edges = {{-0.6, 1.3, 0.4, -1.3}, {0.35, 1.2, -0.2, -1.2}, {-1.3, -0.45, 1.3, 0.3}, {1.2, 0.5, -1.2, -0.1}};
        for (double[] e : edges) {
            double ex = e[2] - e[0];
            double ey = e[3] - e[1];
            // third vertex far on the left of the edge direction
            double[] clip = {e[0] - 40 * ex, e[1] - 40 * ey, 0, 1, e[0] + 40 * ex, e[1] + 40 * ey, 0, 1,
                    e[0] - 60 * ey, e[1] + 60 * ex, 0, 1};
            Triangles tri = Triangles.of(new int[][] {{0, 1, 2}}, 3);
            double total = sum(coverage(clip, tri, size));
            assertThat(total).as("edge %s", java.util.Arrays.toString(e)).isCloseTo(exactArea(clip, size), within(1e-9));
        }
    }

    @Test
    void coverageOfATriangleEqualsItsAreaUpToItsCorners() {
        SplittableRandom random = new SplittableRandom(5);
        int size = 64;
        double worst = 0;
        double sumAa = 0;
        double sumAliased = 0;
        int trials = 0;
        while (trials < 15) {
            double[] clip = new double[12];
            for (int k = 0; k < 3; k++) {
                clip[4 * k] = random.nextDouble(-0.9, 0.9);
                clip[4 * k + 1] = random.nextDouble(-0.9, 0.9);
                clip[4 * k + 3] = 1;
            }
            double area = exactArea(clip, size);
            if (area < 50) {
                continue;
            }
            trials++;
            Triangles tri = Triangles.of(new int[][] {{0, 1, 2}}, 3);
            double total = sum(coverage(clip, tri, size));
            Raster r = Rasterizer.rasterize(Tensor.of(reference, clip, 3, 4), tri, size, size);
            worst = Math.max(worst, Math.abs(total - area));
            sumAa += Math.abs(total - area);
            sumAliased += Math.abs(r.coveredCount() - area);
        }
        // the only loss is at the corners, where rows (columns) whose covered span holds no pixel centre are skipped
        assertThat(worst).isLessThan(2.0);
        assertThat(sumAa).isLessThan(0.6 * sumAliased);
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /** Area in pixels of the screen-space triangle clipped to the image (Sutherland-Hodgman, shoelace). */
    private static double exactArea(double[] clip, int size) {
        java.util.List<double[]> poly = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            poly.add(new double[] {(clip[4 * k] + 1) * size / 2, (1 - clip[4 * k + 1]) * size / 2});
        }
        double[][] planes = {{1, 0, 0}, {-1, 0, size}, {0, 1, 0}, {0, -1, size}};   // a x + b y + c >= 0
        for (double[] p : planes) {
            java.util.List<double[]> out = new java.util.ArrayList<>();
            for (int i = 0; i < poly.size(); i++) {
                double[] a = poly.get(i);
                double[] b = poly.get((i + 1) % poly.size());
                double da = p[0] * a[0] + p[1] * a[1] + p[2];
                double db = p[0] * b[0] + p[1] * b[1] + p[2];
                if (da >= 0) {
                    out.add(a);
                }
                if ((da >= 0) != (db >= 0)) {
                    double t = da / (da - db);
                    out.add(new double[] {a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])});
                }
            }
            poly = out;
        }
        double area = 0;
        for (int i = 0; i < poly.size(); i++) {
            double[] a = poly.get(i);
            double[] b = poly.get((i + 1) % poly.size());
            area += a[0] * b[1] - a[1] * b[0];
        }
        return Math.abs(area) / 2;
    }

    @Test
    void renderedSphereSilhouetteMatchesTheCircle() {
        TestMeshes.Mesh sphere = TestMeshes.sphere(4);
        int size = 64;
        double radius = 0.8;
        double[] aa = coverage(TestMeshes.orthographic(sphere.positions(), radius, 0.03, -0.02), sphere.triangles(), size);
        double cx = (0.03 + 1) * size / 2;
        double cy = (1 + 0.02) * size / 2;
        double rPix = radius * size / 2;
        double total = 0;
        double exactTotal = 0;
        double worst = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double exact = 0;
                for (int sy = 0; sy < 16; sy++) {                              // 16 x 16 supersampled circle coverage
                    for (int sx = 0; sx < 16; sx++) {
                        double px = x + (sx + 0.5) / 16;
                        double py = y + (sy + 0.5) / 16;
                        exact += Math.hypot(px - cx, py - cy) < rPix ? 1 / 256.0 : 0;
                    }
                }
                double got = aa[y * size + x];
                total += got;
                exactTotal += exact;
                worst = Math.max(worst, Math.abs(got - exact));
            }
        }
        assertThat(Math.abs(total - exactTotal) / exactTotal).isLessThan(0.005);
        assertThat(worst).isLessThan(0.2);
    }

    @Test
    void gradientWithRespectToVertexPositionsOnSilhouetteEdgesMatchesCentralDifferences() {
        Triangles tri = TestMeshes.twoTriangles();
        EdgeTopology topology = EdgeTopology.of(tri);
        double[] attr = {0.3, 1.0, -0.5, 2.0, 0.9, 0.1, 0.2, -0.7};
        double err = GradientCheck.relativeError(reference, in -> {
            Raster r = Rasterizer.rasterize(in.get(0), tri, 9, 11);
            Tensor colour = Interpolation.interpolate(Tensor.of(reference, attr, 4, 2), r, tri, in.get(0));
            return Antialiasing.antialias(colour, r, in.get(0), topology);
        }, List.of(TestMeshes.twoTrianglesClip()), List.of(new int[] {4, 4}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void occlusionEdgesBetweenTwoSurfacesGetGradientsToo() {
        // a near triangle partly over a far one: the near one's edges inside the far one are silhouettes
        double[] clip = {-0.9, -0.8, 0.5, 1, 0.85, -0.9, 0.5, 1, 0.1, 0.9, 0.5, 1,
                -0.47, -0.33, -0.5, 1, 0.52, -0.41, -0.5, 1, 0.07, 0.46, -0.5, 1};
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}, {3, 4, 5}}, 6);
        EdgeTopology topology = EdgeTopology.of(tri);
        double[] colour = {0.2, 0.2, 0.2, 0.9, 0.8, 0.7};
        Raster once = Rasterizer.rasterize(Tensor.of(reference, clip, 6, 4), tri, 12, 12);
        assertThat(Antialiasing.silhouettePairCount(once, topology)).isGreaterThan(10);
        double err = GradientCheck.relativeError(reference, in -> {
            Raster r = Rasterizer.rasterize(in.get(0), tri, 12, 12);
            Tensor c = Interpolation.interpolate(Tensor.of(reference, colour, 6, 1), r, tri, in.get(0));
            return Antialiasing.antialias(c, r, in.get(0), topology);
        }, List.of(clip), List.of(new int[] {6, 4}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void interiorEdgesOfAClosedSurfaceAreNotBlended() {
        // a square of two triangles: only its outline is a silhouette, the shared diagonal is not
        double[] clip = {-0.6, -0.6, 0, 1, 0.6, -0.6, 0, 1, 0.6, 0.6, 0, 1, -0.6, 0.6, 0, 1};
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}, {0, 2, 3}}, 4);
        double[] aa = coverage(clip, tri, 20);
        Raster r = Rasterizer.rasterize(Tensor.of(reference, clip, 4, 4), tri, 20, 20);
        for (int y = 5; y < 15; y++) {
            for (int x = 5; x < 15; x++) {
                assertThat(aa[y * 20 + x]).as("pixel %d %d", x, y).isEqualTo(r.triangleAt(0, y, x) >= 0 ? 1.0 : 0.0);
            }
        }
    }
}
