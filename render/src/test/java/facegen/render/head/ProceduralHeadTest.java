package facegen.render.head;

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

class ProceduralHeadTest {
    private static Backend reference;
    private static MorphableHead head;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
        head = ProceduralHead.create();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void hasDecasSizesAndTheSubdividedMediaPipeTopology() {
        assertThat(head.vertexCount()).isEqualTo(468 + 1365);
        assertThat(head.triangles().count()).isEqualTo(4 * 898);
        assertThat(head.shapeCount()).isEqualTo(100);
        assertThat(head.expressionCount()).isEqualTo(50);
        assertThat(head.jointCount()).isEqualTo(3);
    }

    @Test
    void zeroParametersGiveTheTemplateAndLandmarksSitOnTheirVertices() {
        List<Tensor> zero = head.zeroParameters(reference, 1);
        Tensor v = head.vertices(zero.get(0), zero.get(1), zero.get(2));
        assertThat(v.toArray()).containsExactly(head.template(), within(1e-12));
        double[] lmk = head.landmarks(v).toArray();
        int[] idx = FaceMeshData.load().landmarks();
        for (int l = 0; l < 68; l++) {
            for (int c = 0; c < 3; c++) {
                assertThat(lmk[3 * l + c]).isCloseTo(head.template()[3 * idx[l] + c], within(1e-12));
            }
        }
    }

    @Test
    void randomStandardNormalParametersGivePlausibleFaces() {
        double[] t = head.template();
        int v = head.vertexCount();
        for (long seed = 0; seed < 5; seed++) {
            Tensor shape = Tensor.randn(reference, seed, 1, 100);
            Tensor expression = Tensor.randn(reference, seed + 100, 1, 50);
            double[] p = head.vertices(shape, expression, Tensor.zeros(reference, 1, 6)).toArray();
            double worst = 0;
            for (int i = 0; i < v; i++) {
                worst = Math.max(worst, Math.hypot(Math.hypot(p[3 * i] - t[3 * i], p[3 * i + 1] - t[3 * i + 1]), p[3 * i + 2] - t[3 * i + 2]));
            }
            assertThat(worst).as("largest vertex displacement (m), seed %d", seed).isBetween(0.002, 0.02);
            // the surface does not fold: every triangle's normal stays within 90 degrees of its template normal
            int folded = 0;
            for (int f = 0; f < head.triangles().count(); f++) {
                double[] n0 = normal(t, f);
                double[] n1 = normal(p, f);
                if (n0[0] * n1[0] + n0[1] * n1[1] + n0[2] * n1[2] <= 0) {
                    folded++;
                }
            }
            assertThat(folded).as("folded triangles, seed %d", seed).isZero();
        }
    }

    private static double[] normal(double[] p, int f) {
        int a = head.triangles().corner(f, 0);
        int b = head.triangles().corner(f, 1);
        int c = head.triangles().corner(f, 2);
        double[] e1 = {p[3 * b] - p[3 * a], p[3 * b + 1] - p[3 * a + 1], p[3 * b + 2] - p[3 * a + 2]};
        double[] e2 = {p[3 * c] - p[3 * a], p[3 * c + 1] - p[3 * a + 1], p[3 * c + 2] - p[3 * a + 2]};
        return new double[] {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
    }

    @Test
    void jawRotationOpensTheMouthAndLeavesTheUpperFace() {
        List<Tensor> zero = head.zeroParameters(reference, 1);
        Tensor open = Tensor.of(reference, new double[] {0, 0, 0, 0.2, 0, 0}, 1, 6);
        double[] p = head.vertices(zero.get(0), zero.get(1), open).toArray();
        double[] t = head.template();
        int chin = 152;
        int upperLip = 13;
        int forehead = 10;
        assertThat(p[3 * chin + 1] - t[3 * chin + 1]).isLessThan(-0.01);             // chin down by more than 1 cm
        assertThat(Math.abs(p[3 * upperLip + 1] - t[3 * upperLip + 1])).isLessThan(1e-4);
        assertThat(Math.abs(p[3 * forehead + 1] - t[3 * forehead + 1])).isLessThan(1e-9);
        double[] w = head.skinningWeights();
        for (int i = 0; i < head.vertexCount(); i++) {
            assertThat(w[3 * i] + w[3 * i + 1] + w[3 * i + 2]).isCloseTo(1, within(1e-12));
        }
    }

    @Test
    void globalRotationRotatesAboutTheRootJoint() {
        List<Tensor> zero = head.zeroParameters(reference, 1);
        double angle = 0.3;
        double[] p = head.vertices(zero.get(0), zero.get(1), Tensor.of(reference, new double[] {0, angle, 0, 0, 0, 0}, 1, 6)).toArray();
        double[] t = head.template();
        // distances between vertices are preserved by a rigid motion
        for (int[] pair : new int[][] {{1, 152}, {33, 263}, {10, 234}}) {
            double d0 = dist(t, pair[0], pair[1]);
            assertThat(dist(p, pair[0], pair[1])).isCloseTo(d0, within(1e-9));
        }
    }

    private static double dist(double[] p, int a, int b) {
        return Math.sqrt(Math.pow(p[3 * a] - p[3 * b], 2) + Math.pow(p[3 * a + 1] - p[3 * b + 1], 2) + Math.pow(p[3 * a + 2] - p[3 * b + 2], 2));
    }

    @Test
    void gradientsWithRespectToShapeExpressionAndPoseMatchCentralDifferences() {
        MorphableHead small = ProceduralHead.create(new ProceduralHead.Config(20, 14, 0, 1));
        double err = GradientCheck.relativeError(reference, in -> small.landmarks(small.vertices(in.get(0), in.get(1), in.get(2))),
                List.of(Tensor.randn(reference, 1, 2, 20).toArray(), Tensor.randn(reference, 2, 2, 14).toArray(),
                        new double[] {0.1, -0.2, 0.05, 0.15, 0.02, -0.01, -0.3, 0.1, 0.2, 0.1, 0, 0}),
                List.of(new int[] {2, 20}, new int[] {2, 14}, new int[] {2, 6}), 1e-6);
        assertThat(err).isLessThan(1e-7);
    }

    @Test
    void wrongParameterShapesAreRejected() {
        assertThatThrownBy(() -> head.vertices(Tensor.zeros(reference, 1, 99), Tensor.zeros(reference, 1, 50), Tensor.zeros(reference, 1, 6)))
                .hasMessageContaining("shape must be [B, 100]");
        assertThatThrownBy(() -> head.vertices(Tensor.zeros(reference, 1, 100), Tensor.zeros(reference, 1, 50), Tensor.zeros(reference, 1, 5)))
                .hasMessageContaining("pose must be [B, 6]");
        assertThatThrownBy(() -> new ProceduralHead.Config(10, 50, 1, 0)).hasMessageContaining("shapeCount >= 20");
    }
}
