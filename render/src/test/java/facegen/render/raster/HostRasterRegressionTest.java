package facegen.render.raster;

import facegen.render.head.MorphableHead;
import facegen.render.head.ProceduralHead;
import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the host side of the renderer bit for bit: the raster (triangle ids, float barycentrics and depths, screen
 * positions, facing, coverage lists) and the antialiasing pairs of the benchmark head at several poses, sizes and
 * batch shapes. The expected digests were computed by the straightforward implementation (every band drew every
 * triangle, every differing pixel pair was walked); faster versions must reproduce them, with any thread count.
 */
class HostRasterRegressionTest {
    private static final MorphableHead HEAD = ProceduralHead.create(new ProceduralHead.Config(20, 14, 2, 1));
    private static final Triangles TRI = HEAD.triangles();
    /** Every triangle twice: each pixel's depth ties between a triangle and its copy, and the first must win. */
    private static final Triangles TWICE = twice(TRI);

    /** One rendering problem: clip-space positions [B, V, 4] of {@code tri} into B images of h x w. */
    private record Case(double[] clip, int batch, Triangles tri, int height, int width) {}

    private static Map<String, Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        double[] front = clip(0, 0, 0, false, 1);
        cases.put("front 256", new Case(front, 1, TRI, 256, 256));
        cases.put("front 512", new Case(front, 1, TRI, 512, 512));
        cases.put("yaw 40 noisy perspective 256", new Case(clip(40, 0, 3e-4, true, 2), 1, TRI, 256, 256));
        double[] a = clip(-25, 15, 2e-4, true, 3);
        double[] b = clip(70, -10, 0, false, 4);
        double[] pair = new double[a.length + b.length];
        System.arraycopy(a, 0, pair, 0, a.length);
        System.arraycopy(b, 0, pair, a.length, b.length);
        cases.put("batch of 2, 160 x 192", new Case(pair, 2, TRI, 160, 192));
        double[] doubled = clip(30, 5, 0, false, 5);
        cases.put("duplicated triangles 128", new Case(doubled, 1, TWICE, 128, 128));
        return cases;
    }

    /** Digests computed by the original implementation: raster, then antialiasing pairs. */
    private static final Map<String, long[]> EXPECTED = Map.of(
            "front 256", new long[] {-1677942332297632238L, 1798428693381916830L},
            "front 512", new long[] {4449420200951385977L, -3276641078638536414L},
            "yaw 40 noisy perspective 256", new long[] {1346236595502176659L, 6228466886568614675L},
            "batch of 2, 160 x 192", new long[] {751171192663451144L, 320640642195611173L},
            "duplicated triangles 128", new long[] {-7188183976784120162L, -6718658065277351513L});

    @Test
    void rasterAndSilhouettePairsAreBitIdenticalToTheOriginalWithAnyThreadCount() throws Exception {
        StringBuilder actual = new StringBuilder();
        for (Map.Entry<String, Case> e : cases().entrySet()) {
            Case c = e.getValue();
            long[] common = digests(c);
            for (int threads : new int[] {1, 3}) {
                try (ForkJoinPool pool = new ForkJoinPool(threads)) {
                    assertThat(pool.submit(() -> digests(c)).get()).as("%s with %d threads", e.getKey(), threads)
                            .containsExactly(common);
                }
            }
            actual.append(String.format("%s: {%dL, %dL}%n", e.getKey(), common[0], common[1]));
        }
        System.out.print(actual);
        for (Map.Entry<String, Case> e : cases().entrySet()) {
            assertThat(digests(e.getValue())).as(e.getKey() + "; all digests now:%n" + actual).containsExactly(EXPECTED.get(e.getKey()));
        }
    }

    /** (raster digest, pair digest) of one case. */
    private static long[] digests(Case c) {
        Raster r = Rasterizer.rasterize(c.clip, c.batch, c.tri, c.height, c.width);
        EdgeTopology topology = EdgeTopology.of(c.tri);
        Antialiasing.Pairs pairs = Antialiasing.Pairs.find(r, topology);
        assertThat(Antialiasing.silhouettePairCount(r, topology)).isEqualTo(pairs.count);
        return new long[] {rasterDigest(r), pairDigest(pairs)};
    }

    private static long rasterDigest(Raster r) {
        long h = 17;
        for (int b = 0; b < r.batch(); b++) {
            for (int y = 0; y < r.height(); y++) {
                for (int x = 0; x < r.width(); x++) {
                    double[] bary = r.barycentricsAt(b, y, x);
                    h = mix(h, r.triangleAt(b, y, x));
                    h = mix(h, Float.floatToIntBits((float) bary[0]));
                    h = mix(h, Float.floatToIntBits((float) bary[1]));
                    h = mix(h, Float.floatToIntBits((float) r.depthAt(b, y, x)));
                }
            }
            for (int v = 0; v < r.vertexCount(); v++) {
                h = mix(h, Double.doubleToLongBits(r.screenX(b, v)));
                h = mix(h, Double.doubleToLongBits(r.screenY(b, v)));
            }
            for (int t = 0; t < r.triangles().count(); t++) {
                h = mix(h, r.facing(b, t));
            }
        }
        Raster.Coverage coverage = r.coverage();
        h = mix(h, coverage.pixels());
        h = mix(h, coverage.pixelTriangle());
        h = mix(h, coverage.visible());
        h = mix(h, coverage.dx());
        return mix(h, coverage.dy());
    }

    private static long pairDigest(Antialiasing.Pairs p) {
        long h = mix(17, p.count);
        for (int i = 0; i < p.count; i++) {
            h = mix(h, p.source[i]);
            h = mix(h, p.target[i]);
            h = mix(h, p.edgeStart[i]);
            h = mix(h, p.edgeEnd[i]);
            h = mix(h, Double.doubleToLongBits(p.centreX[i]));
            h = mix(h, Double.doubleToLongBits(p.centreY[i]));
            h = mix(h, Double.doubleToLongBits(p.offsetX[i]));
            h = mix(h, Double.doubleToLongBits(p.offsetY[i]));
            h = mix(h, Double.doubleToLongBits(p.sigma[i]));
        }
        return h;
    }

    /** FNV-1a over 64-bit words, with a shift so that high bits reach the low ones. */
    private static long mix(long h, long v) {
        long x = (h ^ v) * 0x100000001B3L;
        return x ^ (x >>> 29);
    }

    private static long mix(long h, int[] values) {
        h = mix(h, values.length);
        for (int v : values) {
            h = mix(h, v);
        }
        return h;
    }

    private static long mix(long h, double[] values) {
        h = mix(h, values.length);
        for (double v : values) {
            h = mix(h, Double.doubleToLongBits(v));
        }
        return h;
    }

    /**
     * The head's template turned by {@code yaw} then {@code pitch} degrees, each coordinate moved by up to
     * {@code noise} metres (folds give self-occlusion), under the benchmark's camera (scale 10.5, ty 0.005, clip
     * z = -0.1 s z); with {@code perspective}, w varies with depth and x, y, z are scaled by it.
     */
    private static double[] clip(double yaw, double pitch, double noise, boolean perspective, long seed) {
        double[] v = HEAD.template();
        SplittableRandom random = new SplittableRandom(seed);
        double cy = Math.cos(Math.toRadians(yaw));
        double sy = Math.sin(Math.toRadians(yaw));
        double cp = Math.cos(Math.toRadians(pitch));
        double sp = Math.sin(Math.toRadians(pitch));
        double s = 10.5;
        double[] out = new double[v.length / 3 * 4];
        for (int i = 0; i < v.length / 3; i++) {
            double x = v[3 * i];
            double y = v[3 * i + 1];
            double z = v[3 * i + 2];
            double x1 = cy * x + sy * z;
            double z1 = -sy * x + cy * z;
            double y2 = cp * y - sp * z1;
            double z2 = sp * y + cp * z1;
            if (noise > 0) {
                x1 += random.nextDouble(-noise, noise);
                y2 += random.nextDouble(-noise, noise);
                z2 += random.nextDouble(-noise, noise);
            }
            double w = perspective ? 1 - 2 * s * z2 * 0.1 : 1;
            out[4 * i] = s * x1 * w;
            out[4 * i + 1] = s * (y2 + 0.005) * w;
            out[4 * i + 2] = -0.1 * s * z2 * w;
            out[4 * i + 3] = w;
        }
        return out;
    }

    private static Triangles twice(Triangles tri) {
        int[] indices = new int[2 * 3 * tri.count()];
        for (int i = 0; i < 3 * tri.count(); i++) {
            indices[i] = tri.indices()[i];
            indices[i + 3 * tri.count()] = tri.indices()[i];
        }
        return new Triangles(indices, tri.vertexCount());
    }
}
