package facegen.render.head;

import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Subdivision;
import facegen.render.mesh.Triangles;
import facegen.render.mesh.VertexNormals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The embedded default head: the MediaPipe canonical face mesh ({@link FaceMeshData}, 468 vertices, in metres),
 * Loop-subdivided, with procedurally generated smooth shape and expression bases, a jaw and a neck joint with
 * harmonic skinning weights, and the 68 iBUG landmarks at MediaPipe vertices. Random N(0, 1) coefficients give
 * plausible faces: every basis vector is a smooth displacement field with a stated size at coefficient 1.
 *
 * <p>"n" below is the template's normal smoothed over the mesh (so it points the same way on both sides of the lip
 * and eye openings). Each family of fields below (semantic shape, random shape, semantic expression, random expression) is then scaled
 * by one factor so that, under N(0, 1) coefficients, the per-vertex standard deviation of its displacement peaks at
 * 4, 2.5, 3 and 1.5 mm: the sizes listed are relative (before that scaling), and overlapping fields stay plausible
 * together. Shape basis (displacement at beta_k = 1; "pair" = the region and its mirror):
 * <ol start="0">
 *   <li>face width: x scaled by 5%</li>
 *   <li>face height: y scaled by 4.5% about the nose</li>
 *   <li>face depth: z scaled by 6% from the back edge</li>
 *   <li>nose projection: 3.5 mm along n at the tip (Gaussian, sigma 13 mm)</li>
 *   <li>nose width: nostril wings out by 20% of their x (sigma 12 mm)</li>
 *   <li>nose bridge height: 2.5 mm along n on the bridge</li>
 *   <li>jaw width: lower face x scaled by 8%, fading in from mouth to chin</li>
 *   <li>chin height: chin down 5 mm (sigma 22 mm)</li>
 *   <li>chin projection: chin forward 5 mm (sigma 20 mm)</li>
 *   <li>cheek fullness: 4 mm along n at both cheeks (sigma 22 mm)</li>
 *   <li>cheekbones: 3 mm along n below the outer eye corners (sigma 15 mm)</li>
 *   <li>brow ridge: 3 mm along n along both brows</li>
 *   <li>eye spacing: eyes 2.5 mm apart (sigma 13 mm)</li>
 *   <li>eye height: eyes up 2.5 mm</li>
 *   <li>eye depth: eyes back 2 mm</li>
 *   <li>mouth width: mouth corners out 3 mm (sigma 10 mm)</li>
 *   <li>lip fullness: 2 mm along n over the lips</li>
 *   <li>forehead slope: top of the forehead back 6 mm, fading in from the brows</li>
 *   <li>lower face height: everything below the nose down by up to 7 mm</li>
 *   <li>temple width: temples out 4 mm</li>
 *   <li>20 and up: random smooth fields, each a sum of three Gaussian bumps (sigma 12-30 mm) along n with a small
 *       tangential part, mirror-symmetric with probability 0.8, amplitude 2.5 mm x 0.95^(k - 20).</li>
 * </ol>
 * Expression basis (at psi_k = 1):
 * <ol start="0">
 *   <li>mouth open: lower lip and chin down by 60% of the local gap between the inner lips (none at the corners,
 *       so negative coefficients close the lips without crossing them; the jaw joint opens the mouth further)</li>
 *   <li>smile: mouth corners up 5 mm, back 3 mm, out 3 mm; cheeks up 2 mm</li>
 *   <li>frown: mouth corners down 4 mm</li>
 *   <li>brow raise: both brows up 5 mm</li>
 *   <li>brow furrow: inner brows down 3 mm and together 2 mm</li>
 *   <li>right eye close: upper lid down 3 mm</li>
 *   <li>left eye close: likewise</li>
 *   <li>lip pucker: lips forward 5 mm, corners in 4 mm</li>
 *   <li>cheek puff: 4 mm along n at both cheeks</li>
 *   <li>mouth sideways: mouth towards +x by 4 mm</li>
 *   <li>lip press: the outer lip lines move 1.5 mm towards the mouth line (thinner lips)</li>
 *   <li>sneer: nostril wings up 2 mm</li>
 *   <li>chin raise: chin up 3 mm below the lower lip</li>
 *   <li>squint: lower lids up 2 mm</li>
 *   <li>14 and up: random smooth bumps around the mouth, eyes, brows and cheeks, 1.5 mm x 0.93^(k - 14).</li>
 * </ol>
 * Joints: 0 root (head centre, global rotation), 1 neck, 2 jaw (hinge behind the cheeks; a positive rotation about
 * x opens the mouth), each an affine combination of four template vertices, so they follow the shape. Skinning:
 * jaw weights are harmonic on the mesh between 1 on the lower lip and chin and 0 on the upper lip, nose, eyes and
 * upper silhouette; neck takes the rest. Landmarks: VTX68 (iBUG order) of {@code @vladmandic/human}.
 */
public final class ProceduralHead {

    /**
     * Sizes of the default head.
     *
     * @param shapeCount      S, at least 20 (the semantic bases); DECA uses 100
     * @param expressionCount E, at least 14; DECA uses 50
     * @param subdivisions    Loop subdivision steps of the 468-vertex mesh (0: 898 triangles, 1: 3592, 2: 14368)
     * @param seed            seed of the random bases
     */
    public record Config(int shapeCount, int expressionCount, int subdivisions, long seed) {
        /** Validates the sizes. */
        public Config {
            if (shapeCount < SEMANTIC_SHAPES || expressionCount < SEMANTIC_EXPRESSIONS || subdivisions < 0 || subdivisions > 3) {
                throw new IllegalArgumentException("procedural head needs shapeCount >= " + SEMANTIC_SHAPES + ", expressionCount >= "
                        + SEMANTIC_EXPRESSIONS + ", 0 <= subdivisions <= 3; got " + shapeCount + ", " + expressionCount + ", " + subdivisions);
            }
        }

        /** DECA's sizes (shape 100, expression 50), one subdivision step. */
        public static Config defaults() {
            return new Config(100, 50, 1, 20240101L);
        }
    }

    static final int SEMANTIC_SHAPES = 20;
    /** Peak per-vertex standard deviation (metres) of the semantic shape fields under N(0, 1) coefficients. */
    static final double SHAPE_SIGMA_SEMANTIC = 0.004;
    /** The same for the random shape fields. */
    static final double SHAPE_SIGMA_RANDOM = 0.0025;
    /** The same for the semantic expression fields. */
    static final double EXPRESSION_SIGMA_SEMANTIC = 0.003;
    /** The same for the random expression fields. */
    static final double EXPRESSION_SIGMA_RANDOM = 0.0015;
    static final int SEMANTIC_EXPRESSIONS = 14;
    private static final double CM = 0.01;

    private final double[] p;          // template positions [V*3], metres
    private final double[] n;          // template normals [V*3]
    private final int v;
    private final FaceMeshData mesh;

    private ProceduralHead(double[] positions, double[] normals, FaceMeshData mesh) {
        this.p = positions;
        this.n = normals;
        this.v = positions.length / 3;
        this.mesh = mesh;
    }

    /** The default head with {@link Config#defaults()}. */
    public static MorphableHead create() {
        return create(Config.defaults());
    }

    /** The default head with the given sizes. */
    public static MorphableHead create(Config config) {
        FaceMeshData mesh = FaceMeshData.load();
        double[] positions = mesh.positions().clone();
        for (int i = 0; i < positions.length; i++) {
            positions[i] *= CM;
        }
        double[] uvs = mesh.uvs();
        Triangles tri = mesh.triangles();
        for (int s = 0; s < config.subdivisions(); s++) {
            Subdivision sub = Subdivision.loop(positions, uvs, tri);
            positions = sub.positions();
            uvs = sub.uvs();
            tri = sub.triangles();
        }
        ProceduralHead h = new ProceduralHead(positions, smoothNormals(VertexNormals.of(positions, tri), tri), mesh);
        int vCount = tri.vertexCount();
        double[] shape = h.shapeBasis(config.shapeCount(), new SplittableRandom(config.seed()));
        double[] expression = h.expressionBasis(config.expressionCount(), new SplittableRandom(config.seed() + 1));
        double[] jaw = h.jawWeights(tri);
        double[] weights = new double[vCount * 3];
        for (int i = 0; i < vCount; i++) {
            weights[3 * i + 1] = 1 - jaw[i];
            weights[3 * i + 2] = jaw[i];
        }
        double[] regressor = new double[3 * vCount];
        h.anchorJoint(regressor, 0, new double[] {0, 0.0, -0.045});
        h.anchorJoint(regressor, 1, new double[] {0, -0.07, -0.055});
        h.anchorJoint(regressor, 2, new double[] {0, -0.022, -0.045});
        int[] lmk = new int[68 * 3];
        double[] lmkW = new double[68 * 3];
        for (int l = 0; l < 68; l++) {
            int idx = mesh.landmarks()[l];
            lmk[3 * l] = idx;
            lmk[3 * l + 1] = idx;
            lmk[3 * l + 2] = idx;
            lmkW[3 * l] = 1;
        }
        return new MorphableHead("procedural-mediapipe", positions, uvs, tri, shape, config.shapeCount(), expression,
                config.expressionCount(), null, regressor, new int[] {-1, 0, 1}, weights, 1, 2, lmk, lmkW);
    }

    // ------------------------------------------------------------------ the fields

    /** A displacement field: d(vertex i) added to out[0..2]. */
    @FunctionalInterface
    private interface Field {
        void at(int i, double x, double y, double z, double[] out);
    }

    private double[] basis(List<Field> fields) {
        int k = fields.size();
        double[] b = new double[v * 3 * k];
        double[] d = new double[3];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < v; i++) {
                d[0] = d[1] = d[2] = 0;
                fields.get(j).at(i, p[3 * i], p[3 * i + 1], p[3 * i + 2], d);
                for (int c = 0; c < 3; c++) {
                    b[(3 * i + c) * k + j] = d[c];
                }
            }
        }
        return b;
    }

    /**
     * Scales the semantic columns [0, semantic) and the random ones [semantic, k) of a [V*3, k] basis, each family
     * by one factor, so that the per-vertex standard deviation of its displacement under N(0, 1) coefficients,
     * sqrt(sum_k |b_k(i)|^2), peaks at the given value: many overlapping fields stay plausible together.
     */
    private double[] normalised(double[] b, int k, int semantic, double sigmaSemantic, double sigmaRandom) {
        double[] peak = new double[2];
        for (int i = 0; i < v; i++) {
            double[] var = new double[2];
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < k; j++) {
                    double x = b[(3 * i + c) * k + j];
                    var[j < semantic ? 0 : 1] += x * x;
                }
            }
            peak[0] = Math.max(peak[0], Math.sqrt(var[0]));
            peak[1] = Math.max(peak[1], Math.sqrt(var[1]));
        }
        double[] factor = {peak[0] > 0 ? sigmaSemantic / peak[0] : 0, peak[1] > 0 ? sigmaRandom / peak[1] : 0};
        for (int r = 0; r < 3 * v; r++) {
            for (int j = 0; j < k; j++) {
                b[r * k + j] *= factor[j < semantic ? 0 : 1];
            }
        }
        return b;
    }

    private double[] shapeBasis(int count, SplittableRandom random) {
        double[] noseTip = at(1);
        double[] chin = at(152);
        double[] cheek = at(205);
        double[] brow = at(105);
        double[] eye = mid(at(33), at(133));
        double[] corner = at(61);
        double yNose = at(1)[1];
        double yTop = at(10)[1];
        double yBrow = at(105)[1];
        double yMouth = at(13)[1];
        double yChin = chin[1];
        double zBack = Double.POSITIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            zBack = Math.min(zBack, p[3 * i + 2]);
        }
        double zMin = zBack;
        List<Field> f = new ArrayList<>();
        f.add((i, x, y, z, d) -> d[0] = 0.05 * x);
        f.add((i, x, y, z, d) -> d[1] = 0.045 * (y - yNose));
        f.add((i, x, y, z, d) -> d[2] = 0.06 * (z - zMin));
        f.add((i, x, y, z, d) -> normal(i, 0.0035 * gauss(x, y, z, noseTip, 0.013), d));
        double[] noseBase = {0, -1.8 * CM, 5.8 * CM};
        f.add((i, x, y, z, d) -> d[0] = 0.2 * x * gauss(x, y, z, noseBase, 0.012));
        double[] bridge = {0, 1.5 * CM, 5.8 * CM};
        f.add((i, x, y, z, d) -> normal(i, 0.0025 * gauss3(x, y, z, bridge, 0.008, 0.02, 0.02), d));
        f.add((i, x, y, z, d) -> d[0] = 0.08 * x * smoothstep(yMouth + 0.005, yChin, y));
        f.add((i, x, y, z, d) -> d[1] = -0.005 * gauss(x, y, z, chin, 0.022));
        f.add((i, x, y, z, d) -> d[2] = 0.005 * gauss(x, y, z, chin, 0.02));
        f.add((i, x, y, z, d) -> normal(i, 0.004 * pair(x, y, z, cheek, 0.022), d));
        double[] cheekbone = {-4.5 * CM, 0.8 * CM, 3.0 * CM};
        f.add((i, x, y, z, d) -> normal(i, 0.003 * pair(x, y, z, cheekbone, 0.015), d));
        f.add((i, x, y, z, d) -> normal(i, 0.003 * pair3(x, y, z, brow, 0.02, 0.008, 0.02), d));
        f.add((i, x, y, z, d) -> d[0] = 0.0025 * side(x) * pair(x, y, z, eye, 0.013));
        f.add((i, x, y, z, d) -> d[1] = 0.0025 * pair(x, y, z, eye, 0.014));
        f.add((i, x, y, z, d) -> d[2] = -0.002 * pair(x, y, z, eye, 0.012));
        f.add((i, x, y, z, d) -> d[0] = 0.003 * side(x) * pair(x, y, z, corner, 0.01));
        double[] lips = {0, -4.3 * CM, 5.4 * CM};
        f.add((i, x, y, z, d) -> normal(i, 0.002 * gauss3(x, y, z, lips, 0.02, 0.01, 0.02), d));
        f.add((i, x, y, z, d) -> d[2] = -0.006 * smoothstep(yBrow, yTop, y) * (y - yBrow) / (yTop - yBrow));
        double yNoseBottom = at(2)[1];
        f.add((i, x, y, z, d) -> d[1] = -0.007 * smoothstep(yNoseBottom, yChin, y));
        f.add((i, x, y, z, d) -> d[0] = 0.004 * side(x) * smoothstep(0.0, 0.05, y) * smoothstep(0.04, 0.075, Math.abs(x)));
        for (int k = SEMANTIC_SHAPES; k < count; k++) {
            f.add(randomField(random, 0.0025 * Math.pow(0.95, k - SEMANTIC_SHAPES), 0.012, 0.03, allVertices()));
        }
        return normalised(basis(f), count, SEMANTIC_SHAPES, SHAPE_SIGMA_SEMANTIC, SHAPE_SIGMA_RANDOM);
    }

    private double[] expressionBasis(int count, SplittableRandom random) {
        double[] corner = at(61);
        double[] cheek = at(205);
        double[] brow = at(105);
        double[] innerBrow = at(107);
        double[] chin = at(152);
        double[] lowerLip = at(17);
        double[] lips = {0, -4.3 * CM, 5.4 * CM};
        List<Field> f = new ArrayList<>();
        // mouth open: the lower lip and chin move down by a fraction of the local lip gap (largest at the centre,
        // none at the corners), so negative coefficients close the lips without pushing them through each other
        Gap gap = lipGap();
        f.add((i, x, y, z, d) -> d[1] = -0.6 * gap.at(x) * smoothstep(gap.line(x) + 0.0005, gap.line(x) - 0.002, y)
                * (1 - smoothstep(0.025, 0.05, Math.abs(x))));
        f.add((i, x, y, z, d) -> {
            double g = pair(x, y, z, corner, 0.012);
            d[0] = 0.003 * side(x) * g;
            d[1] = 0.005 * g + 0.002 * pair(x, y, z, cheek, 0.02);
            d[2] = -0.003 * g;
        });
        f.add((i, x, y, z, d) -> d[1] = -0.004 * pair(x, y, z, corner, 0.012));
        f.add((i, x, y, z, d) -> d[1] = 0.005 * pair3(x, y, z, brow, 0.025, 0.012, 0.03));
        f.add((i, x, y, z, d) -> {
            double g = pair(x, y, z, innerBrow, 0.01);
            d[1] = -0.003 * g;
            d[0] = -0.002 * side(x) * g;
        });
        f.add(eyeClose(159, 145));
        f.add(eyeClose(386, 374));
        f.add((i, x, y, z, d) -> {
            double g = gauss3(x, y, z, lips, 0.022, 0.012, 0.03);
            d[2] = 0.005 * g;
            d[0] = -0.004 * side(x) * pair(x, y, z, corner, 0.012);
        });
        f.add((i, x, y, z, d) -> normal(i, 0.004 * pair(x, y, z, cheek, 0.02), d));
        f.add((i, x, y, z, d) -> d[0] = 0.004 * gauss3(x, y, z, lips, 0.025, 0.015, 0.03));
        // lip press (thinner lips): the outer lip lines move towards the mouth line, the inner lips stay
        double yUpperOuter = at(0)[1];
        double yLowerOuter = at(17)[1];
        f.add((i, x, y, z, d) -> {
            double across = Math.exp(-0.5 * sq(x / 0.02));
            d[1] = 0.0015 * across * (-Math.exp(-0.5 * sq((y - yUpperOuter) / 0.002)) + Math.exp(-0.5 * sq((y - yLowerOuter) / 0.002)));
        });
        f.add((i, x, y, z, d) -> d[1] = 0.002 * pair(x, y, z, at(98), 0.008));
        f.add((i, x, y, z, d) -> d[1] = 0.003 * gauss(x, y, z, chin, 0.015) * smoothstep(lowerLip[1], lowerLip[1] - 0.006, y));
        f.add((i, x, y, z, d) -> d[1] = 0.002 * (pair3(x, y, z, at(145), 0.008, 0.003, 0.01)));
        int[] regions = {61, 291, 0, 17, 105, 334, 107, 336, 33, 263, 205, 425, 159, 386, 145, 374, 98, 327, 152};
        for (int k = SEMANTIC_EXPRESSIONS; k < count; k++) {
            f.add(randomField(random, 0.0015 * Math.pow(0.93, k - SEMANTIC_EXPRESSIONS), 0.006, 0.015, regions));
        }
        return normalised(basis(f), count, SEMANTIC_EXPRESSIONS, EXPRESSION_SIGMA_SEMANTIC, EXPRESSION_SIGMA_RANDOM);
    }

    /** The vertical gap between the inner lips and the line between them, as functions of x (piecewise linear). */
    private record Gap(double[] xs, double[] gaps, double[] lines) {
        double at(double x) {
            return interpolate(x, gaps);
        }

        double line(double x) {
            return interpolate(x, lines);
        }

        private double interpolate(double x, double[] values) {
            if (x <= xs[0]) {
                return values[0];
            }
            for (int k = 1; k < xs.length; k++) {
                if (x <= xs[k]) {
                    double t = (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
                    return values[k - 1] + t * (values[k] - values[k - 1]);
                }
            }
            return values[xs.length - 1];
        }
    }

    /** The lip gap from the inner lip contours (upper: lipsUpperInner between the corners 78 and 308). */
    private Gap lipGap() {
        int[] upper = mesh.contour("lipsUpperInner");
        int[] lower = mesh.contour("lipsLowerInner");                       // 78 ... 308, corners included
        int n = lower.length;
        double[] xs = new double[n];
        double[] gaps = new double[n];
        double[] lines = new double[n];
        for (int k = 0; k < n; k++) {
            double[] lo = at(lower[k]);
            xs[k] = lo[0];
            double upperY = lo[1];
            double best = Double.POSITIVE_INFINITY;
            for (int u : upper) {
                double dx = Math.abs(at(u)[0] - lo[0]);
                if (dx < best) {
                    best = dx;
                    upperY = at(u)[1];
                }
            }
            boolean corner = k == 0 || k == n - 1;
            gaps[k] = corner ? 0 : Math.max(0, upperY - lo[1]);
            lines[k] = corner ? lo[1] : (upperY + lo[1]) / 2;
        }
        // sort by x (the contour runs from the face's right to its left, x increasing)
        Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(k -> xs[k]));
        double[] sx = new double[n];
        double[] sg = new double[n];
        double[] sl = new double[n];
        for (int k = 0; k < n; k++) {
            sx[k] = xs[order[k]];
            sg[k] = gaps[order[k]];
            sl[k] = lines[order[k]];
        }
        return new Gap(sx, sg, sl);
    }

    /** Upper lid (centre vertex {@code upper}) down towards the lower lid ({@code lower}) by 3 mm. */
    private Field eyeClose(int upper, int lower) {
        double[] lid = at(upper);
        double yCentre = (at(upper)[1] + at(lower)[1]) / 2;
        return (i, x, y, z, d) -> d[1] = -0.003 * gauss3(x, y, z, lid, 0.009, 0.006, 0.01)
                * smoothstep(yCentre - 0.0005, yCentre + 0.0015, y);
    }

    /** Three Gaussian bumps at random vertices among {@code centres}, mostly along n, often mirrored. */
    private Field randomField(SplittableRandom random, double amplitude, double sigmaMin, double sigmaMax, int[] centres) {
        int bumps = 3;
        double[][] c = new double[bumps][];
        double[] sigma = new double[bumps];
        double[] weight = new double[bumps];
        double[][] tangent = new double[bumps][3];
        for (int b = 0; b < bumps; b++) {
            c[b] = at(centres[random.nextInt(centres.length)]);
            sigma[b] = sigmaMin + (sigmaMax - sigmaMin) * random.nextDouble();
            weight[b] = random.nextGaussian();
            for (int k = 0; k < 3; k++) {
                tangent[b][k] = 0.3 * random.nextGaussian();
            }
        }
        boolean symmetric = random.nextDouble() < 0.8;
        return (i, x, y, z, d) -> {
            for (int b = 0; b < bumps; b++) {
                double g = symmetric ? pair(x, y, z, c[b], sigma[b]) : gauss(x, y, z, c[b], sigma[b]);
                double a = amplitude * weight[b] * g;
                normal(i, a, d);
                d[0] += a * tangent[b][0] * (symmetric ? side(x) : 1);
                d[1] += a * tangent[b][1];
                d[2] += a * tangent[b][2];
            }
        };
    }

    // ------------------------------------------------------------------ joints and weights

    /**
     * Row {@code joint} of the regressor: affine weights over four template vertices (chin, forehead, both face
     * edges) that reproduce {@code target} on the template, so the joint moves with the shape.
     */
    private void anchorJoint(double[] regressor, int joint, double[] target) {
        int[] anchors = {152, 10, 234, 454};
        double[][] a = new double[4][5];
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 4; k++) {
                a[r][k] = at(anchors[k])[r];
            }
            a[r][4] = target[r];
        }
        for (int k = 0; k < 4; k++) {
            a[3][k] = 1;
        }
        a[3][4] = 1;
        double[] w = solve(a);
        for (int k = 0; k < 4; k++) {
            regressor[joint * v + anchors[k]] += w[k];
        }
    }

    /**
     * Normals averaged over mesh neighbours (40 rounds): "along n" fields then move both sides of the lip and eye
     * openings alike, instead of pushing the inner lips (whose own normals face each other) into the gap.
     */
    private static double[] smoothNormals(double[] normals, Triangles tri) {
        int[][] nb = EdgeTopology.vertexNeighbours(tri);
        double[] n = normals.clone();
        double[] next = new double[n.length];
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < nb.length; i++) {
                for (int c = 0; c < 3; c++) {
                    double s = n[3 * i + c];
                    for (int j : nb[i]) {
                        s += n[3 * j + c];
                    }
                    next[3 * i + c] = s;
                }
                double len = Math.sqrt(next[3 * i] * next[3 * i] + next[3 * i + 1] * next[3 * i + 1] + next[3 * i + 2] * next[3 * i + 2]);
                for (int c = 0; c < 3; c++) {
                    next[3 * i + c] = len > 0 ? next[3 * i + c] / len : 0;
                }
            }
            System.arraycopy(next, 0, n, 0, n.length);
        }
        return n;
    }

    /** Jaw weights: harmonic (Jacobi iterations of the uniform Laplacian) between fixed 1s and 0s. */
    private double[] jawWeights(Triangles tri) {
        double[] w = new double[v];
        boolean[] fixed = new boolean[v];
        java.util.Set<Integer> corners = java.util.Set.of(61, 291, 78, 308, 76, 306, 62, 292);
        for (String name : List.of("lipsLowerOuter", "lipsLowerInner", "lipsLowerSemiOuter", "lipsLowerSemiInner")) {
            for (int i : mesh.contour(name)) {
                if (!corners.contains(i)) {
                    fixed[i] = true;
                    w[i] = 1;
                }
            }
        }
        for (String name : List.of("lipsUpperOuter", "lipsUpperInner", "lipsUpperSemiOuter", "lipsUpperSemiInner",
                "rightEyeUpper0", "rightEyeLower0", "leftEyeUpper0", "leftEyeLower0", "rightEyeLower3", "leftEyeLower3")) {
            for (int i : mesh.contour(name)) {
                fixed[i] = true;
                w[i] = 0;
            }
        }
        for (int i : new int[] {1, 2, 98, 327}) {
            fixed[i] = true;
        }
        for (int i : mesh.contour("silhouette")) {
            double y = p[3 * i + 1];
            if (y > -2.0 * CM) {
                fixed[i] = true;
                w[i] = 0;
            } else if (y < -5.5 * CM) {
                fixed[i] = true;
                w[i] = 1;
            }
        }
        int[][] nb = EdgeTopology.vertexNeighbours(tri);
        double[] next = w.clone();
        for (int iter = 0; iter < 3000; iter++) {
            for (int i = 0; i < v; i++) {
                if (fixed[i] || nb[i].length == 0) {
                    continue;
                }
                double s = 0;
                for (int j : nb[i]) {
                    s += w[j];
                }
                next[i] = s / nb[i].length;
            }
            System.arraycopy(next, 0, w, 0, v);
        }
        return w;
    }

    // ------------------------------------------------------------------ small math

    private double[] at(int vertex) {
        return new double[] {p[3 * vertex], p[3 * vertex + 1], p[3 * vertex + 2]};
    }

    private int[] allVertices() {
        int[] all = new int[v];
        java.util.Arrays.setAll(all, i -> i);
        return all;
    }

    private void normal(int i, double amount, double[] d) {
        d[0] += amount * n[3 * i];
        d[1] += amount * n[3 * i + 1];
        d[2] += amount * n[3 * i + 2];
    }

    private static double[] mid(double[] a, double[] b) {
        return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
    }

    private static double sq(double x) {
        return x * x;
    }

    private static double gauss(double x, double y, double z, double[] c, double sigma) {
        return gauss3(x, y, z, c, sigma, sigma, sigma);
    }

    private static double gauss3(double x, double y, double z, double[] c, double sx, double sy, double sz) {
        double dx = (x - c[0]) / sx;
        double dy = (y - c[1]) / sy;
        double dz = (z - c[2]) / sz;
        return Math.exp(-0.5 * (dx * dx + dy * dy + dz * dz));
    }

    /** The region at c and its mirror image at (-cx, cy, cz). */
    private static double pair(double x, double y, double z, double[] c, double sigma) {
        return pair3(x, y, z, c, sigma, sigma, sigma);
    }

    private static double pair3(double x, double y, double z, double[] c, double sx, double sy, double sz) {
        double[] m = {-c[0], c[1], c[2]};
        return gauss3(x, y, z, c, sx, sy, sz) + (c[0] == 0 ? 0 : gauss3(x, y, z, m, sx, sy, sz));
    }

    /** A smooth sign of x (+1 on the face's left). */
    private static double side(double x) {
        return Math.tanh(x / 0.005);
    }

    /** Hermite smoothstep from 0 at e0 to 1 at e1 (e0 &gt; e1 allowed: a falling step). */
    static double smoothstep(double e0, double e1, double x) {
        double t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
        return t * t * (3 - 2 * t);
    }

    /** Gauss-Jordan elimination of an augmented n x (n + 1) system. */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = a[r][col] / a[col][col];
                    for (int c = col; c <= n; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int r = 0; r < n; r++) {
            x[r] = a[r][n] / a[r][r];
        }
        return x;
    }
}
