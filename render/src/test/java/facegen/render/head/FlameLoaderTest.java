package facegen.render.head;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.engine.io.ElementType;
import facegen.engine.io.Npy;
import facegen.engine.io.Npz;
import facegen.engine.io.StoredTensor;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** A tiny synthetic model in FLAME's file layout (6 vertices, 5 joints, 400 blendshapes) stands in for the real one. */
class FlameLoaderTest {
    private static final int V = 6;
    private static final int J = 5;
    private static Backend reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    private static Map<String, StoredTensor> flameLike() {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, StoredTensor> a = new LinkedHashMap<>();
        a.put("v_template", array(new int[] {V, 3}, new double[] {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, -1, 0.2, 1, -1, 0.2}));
        a.put("f", array(new int[] {4, 3}, new double[] {0, 1, 2, 1, 3, 2, 0, 4, 1, 1, 4, 5}));
        double[] shapedirs = new double[V * 3 * 400];
        for (int i = 0; i < shapedirs.length; i++) {
            shapedirs[i] = 0.01 * random.nextGaussian();
        }
        a.put("shapedirs", array(new int[] {V, 3, 400}, shapedirs));
        double[] posedirs = new double[V * 3 * 36];
        for (int i = 0; i < posedirs.length; i++) {
            posedirs[i] = 0.01 * random.nextGaussian();
        }
        a.put("posedirs", array(new int[] {V, 3, 36}, posedirs));
        double[] regressor = new double[J * V];
        for (int j = 0; j < J; j++) {
            regressor[j * V + j] = 0.5;
            regressor[j * V + (j + 1) % V] = 0.5;
        }
        a.put("J_regressor", array(new int[] {J, V}, regressor));
        double[] weights = new double[V * J];
        for (int i = 0; i < V; i++) {
            weights[i * J + (i < 4 ? 1 : 2)] = 1;                              // upper part on the neck, lower on the jaw
        }
        a.put("weights", array(new int[] {V, J}, weights));
        a.put("kintree_table", array(new int[] {2, J}, new double[] {4294967295.0, 0, 1, 1, 1, 0, 1, 2, 3, 4}));
        double[] faces = new double[68];
        double[] bary = new double[68 * 3];
        for (int l = 0; l < 68; l++) {
            faces[l] = l % 4;
            bary[3 * l] = 0.2;
            bary[3 * l + 1] = 0.3;
            bary[3 * l + 2] = 0.5;
        }
        a.put("lmk_faces_idx", array(new int[] {68}, faces));
        a.put("lmk_bary_coords", array(new int[] {68, 3}, bary));
        return a;
    }

    /** A float64 array as np.savez writes it. */
    private static StoredTensor array(int[] shape, double[] values) {
        return new StoredTensor(ElementType.F64, new Shape(shape), values);
    }

    private Path write(Map<String, StoredTensor> arrays) throws IOException {
        Path file = dir.resolve("flame.npz");
        Npz.write(file, arrays);
        return file;
    }

    private static FlameLoader.Config config() {
        return new FlameLoader.Config(10, 5, 300, false);
    }

    @Test
    void loadsTheBlendshapeColumnsDecaUses() throws IOException {
        Map<String, StoredTensor> a = flameLike();
        MorphableHead head = FlameLoader.load(write(a), config());
        assertThat(head.vertexCount()).isEqualTo(V);
        assertThat(head.jointCount()).isEqualTo(J);
        double[] beta = new double[10];
        double[] psi = new double[5];
        beta[3] = 1;
        psi[2] = 1;
        double[] v = head.vertices(Tensor.of(reference, beta, 1, 10), Tensor.of(reference, psi, 1, 5), Tensor.zeros(reference, 1, 6)).toArray();
        double[] dirs = a.get("shapedirs").values();
        for (int i = 0; i < V; i++) {
            for (int c = 0; c < 3; c++) {
                int row = 3 * i + c;
                double expected = a.get("v_template").values()[row] + dirs[row * 400 + 3] + dirs[row * 400 + 302];
                assertThat(v[row]).isCloseTo(expected, within(1e-12));
            }
        }
    }

    @Test
    void globalRotationIsRigidAboutTheRootJointAndJawPoseAppliesCorrectives() throws IOException {
        Map<String, StoredTensor> a = flameLike();
        MorphableHead head = FlameLoader.load(write(a), config());
        double[] t = a.get("v_template").values();
        double angle = 0.4;
        double[] v = head.vertices(Tensor.zeros(reference, 1, 10), Tensor.zeros(reference, 1, 5),
                Tensor.of(reference, new double[] {0, 0, angle, 0, 0, 0}, 1, 6)).toArray();
        double[] j0 = {(t[0] + t[3]) / 2, (t[1] + t[4]) / 2, (t[2] + t[5]) / 2};    // regressor row 0
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        for (int i = 0; i < V; i++) {
            double x = t[3 * i] - j0[0];
            double y = t[3 * i + 1] - j0[1];
            assertThat(v[3 * i]).isCloseTo(c * x - s * y + j0[0], within(1e-7));
            assertThat(v[3 * i + 1]).isCloseTo(s * x + c * y + j0[1], within(1e-7));
        }
        // jaw rotation: the neck-weighted vertices (0..3) only see the pose correctives
        double jaw = 0.3;
        double[] w = head.vertices(Tensor.zeros(reference, 1, 10), Tensor.zeros(reference, 1, 5),
                Tensor.of(reference, new double[] {0, 0, 0, jaw, 0, 0}, 1, 6)).toArray();
        double[] rMinusI = {0, 0, 0, 0, Math.cos(jaw) - 1, -Math.sin(jaw), 0, Math.sin(jaw), Math.cos(jaw) - 1};
        double[] posedirs = a.get("posedirs").values();
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 3; k++) {
                double offset = 0;
                for (int p = 0; p < 9; p++) {
                    offset += posedirs[(3 * i + k) * 36 + 9 + p] * rMinusI[p];     // joint 2 (jaw) is block 1 of 4
                }
                assertThat(w[3 * i + k]).isCloseTo(t[3 * i + k] + offset, within(1e-6));
            }
        }
    }

    @Test
    void uvSeamsSplitVerticesAndLandmarksFollowTheirFaces() throws IOException {
        Map<String, StoredTensor> a = flameLike();
        // vertex 1 gets a second UV in face 3: a seam
        a.put("vt", array(new int[] {7, 2}, new double[] {0, 0, 1, 0, 0, 1, 1, 1, 0, 0.5, 1, 0.5, 0.9, 0.1}));
        a.put("ft", array(new int[] {4, 3}, new double[] {0, 1, 2, 1, 3, 2, 0, 4, 1, 6, 4, 5}));
        MorphableHead head = FlameLoader.load(write(a), config());
        assertThat(head.vertexCount()).isEqualTo(V + 1);
        double[] uv = head.uvs();
        assertThat(uv[3]).isCloseTo(1.0, within(1e-12));                          // vertex 1's first UV (1, 0): v flipped to 1
        Tensor v = head.vertices(Tensor.zeros(reference, 1, 10), Tensor.zeros(reference, 1, 5), Tensor.zeros(reference, 1, 6));
        double[] lmk = head.landmarks(v).toArray();
        double[] t = a.get("v_template").values();
        // landmark 0 on face 0 (vertices 0, 1, 2) with weights 0.2, 0.3, 0.5
        assertThat(lmk[0]).isCloseTo(0.2 * t[0] + 0.3 * t[3] + 0.5 * t[6], within(1e-12));
    }

    @Test
    void missingAndMisshapenArraysAreNamed() throws IOException {
        Map<String, StoredTensor> a = flameLike();
        a.remove("posedirs");
        assertThatThrownBy(() -> FlameLoader.load(write(a), config())).isInstanceOf(IOException.class)
                .hasMessageContaining("missing array 'posedirs'");
        Map<String, StoredTensor> b = flameLike();
        b.put("weights", array(new int[] {V, 4}, new double[V * 4]));
        assertThatThrownBy(() -> FlameLoader.load(write(b), config())).hasMessageContaining("'weights' has shape (6, 4), expected (6, 5)");
        Map<String, StoredTensor> c = flameLike();
        c.get("v_template").values()[4] = Double.NaN;
        assertThatThrownBy(() -> FlameLoader.load(write(c), config())).hasMessageContaining("'v_template' has a non-finite value");
        Map<String, StoredTensor> d = flameLike();
        d.get("f").values()[5] = 17;
        assertThatThrownBy(() -> FlameLoader.load(write(d), config())).hasMessageContaining("'f' holds 17.0");
        assertThatThrownBy(() -> FlameLoader.load(write(flameLike()), new FlameLoader.Config(10, 200, 300, false)))
                .hasMessageContaining("shapedirs has 400 columns");
        Map<String, StoredTensor> e = flameLike();
        e.remove("lmk_faces_idx");
        assertThatThrownBy(() -> FlameLoader.load(write(e), config())).hasMessageContaining("landmark embedding");
        Map<String, StoredTensor> g = flameLike();
        g.put("vt", array(new int[] {1, 2}, new double[2]));
        assertThatThrownBy(() -> FlameLoader.load(write(g), config())).hasMessageContaining("has vt but not ft");
    }

    @Test
    void nonNpzFilesAndPickledArraysAreRefusedClearly() throws IOException {
        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "this is not a zip");
        assertThatThrownBy(() -> FlameLoader.load(junk, config())).isInstanceOf(IOException.class).hasMessageContaining("cannot read the FLAME arrays").hasMessageContaining("not a ZIP archive");
        // an object array (what np.savez writes for a scipy sparse J_regressor)
        byte[] npy = Npy.encode(array(new int[] {1}, new double[] {0}));
        String header = new String(npy, 10, npy[8] & 0xff, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f8'", "'|O' ");
        byte[] bytes = npy.clone();
        System.arraycopy(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bytes, 10, header.length());
        assertThatThrownBy(() -> Npy.decode(bytes, "J_regressor.npy"))
                .hasMessageContaining("Python objects").hasMessageContaining("toarray");
        byte[] truncated = java.util.Arrays.copyOf(npy, npy.length - 3);
        assertThatThrownBy(() -> Npy.decode(truncated, "x.npy")).hasMessageContaining("truncated");
    }
}
