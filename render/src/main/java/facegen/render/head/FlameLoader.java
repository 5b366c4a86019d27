package facegen.render.head;

import facegen.engine.io.Npz;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.WeightFileException;
import facegen.render.mesh.Triangles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a user-supplied FLAME model (Li et al. 2017; not redistributable, so facegen never ships it) from a NumPy
 * {@code .npz} with these arrays (names as in FLAME's {@code generic_model.pkl}):
 * <ul>
 *   <li>{@code v_template} [V, 3] - the template;</li>
 *   <li>{@code f} [F, 3] - triangles (integers);</li>
 *   <li>{@code shapedirs} [V, 3, K] - shape columns [0, shapeTotal) then expression columns (FLAME 2020: 300 + 100);</li>
 *   <li>{@code posedirs} [V, 3, 9(J-1)] - pose correctives (FLAME: 36);</li>
 *   <li>{@code J_regressor} [J, V] - dense (FLAME: 5 x 5023);</li>
 *   <li>{@code weights} [V, J] - skinning weights;</li>
 *   <li>{@code kintree_table} [2, J] - row 0 = parents (the root's entry is ignored);</li>
 *   <li>optional {@code vt} [Vt, 2] and {@code ft} [F, 3] - UVs (OBJ convention, v up), e.g. from DECA's
 *       {@code head_template.obj}; where a vertex has several UVs (seams) it is split, copies sharing its bases;
 *       without them UVs are a cylindrical projection around the y axis (the paper's cylindrical unwrap);</li>
 *   <li>optional {@code lmk_faces_idx} [68] and {@code lmk_bary_coords} [68, 3] - the 68 landmarks as barycentric
 *       points on faces (DECA's {@code landmark_embedding.npy}: {@code full_lmk_faces_idx}, {@code full_lmk_bary_coords});
 *       without them the landmarks are the 68 vertices nearest... none: loading fails unless {@code allowNoLandmarks}.</li>
 * </ul>
 * Joint 1 is the neck and joint 2 the jaw, as in FLAME. Every array is checked (rank, extents, finite values, index
 * ranges) and an error names the array and what was expected.
 *
 * <p>Converting the official pickle (needs {@code chumpy} to unpickle; run once, keep the .npz private):
 * <pre>
 * import pickle, numpy as np
 * m = pickle.load(open('generic_model.pkl', 'rb'), encoding='latin1')
 * e = np.load('landmark_embedding.npy', allow_pickle=True, encoding='latin1').item()   # from DECA's data/
 * np.savez('flame2020.npz', v_template=np.array(m['v_template']), f=np.array(m['f']),
 *          shapedirs=np.array(m['shapedirs']), posedirs=np.array(m['posedirs']),
 *          J_regressor=m['J_regressor'].toarray(), weights=np.array(m['weights']),
 *          kintree_table=np.array(m['kintree_table']),
 *          lmk_faces_idx=e['full_lmk_faces_idx'].reshape(-1), lmk_bary_coords=e['full_lmk_bary_coords'].reshape(-1, 3))
 * </pre>
 */
public final class FlameLoader {

    private FlameLoader() {}

    /**
     * What to take from the file.
     *
     * @param shapeCount      S shape components to keep (DECA: 100)
     * @param expressionCount E expression components to keep (DECA: 50)
     * @param shapeTotal      number of shape columns in shapedirs before the expression columns (FLAME 2020: 300)
     * @param allowNoLandmarks load a file without the landmark arrays (landmarks are then vertex 0)
     */
    public record Config(int shapeCount, int expressionCount, int shapeTotal, boolean allowNoLandmarks) {
        /** DECA's choice: 100 shape, 50 expression, FLAME 2020 layout. */
        public static Config deca() {
            return new Config(100, 50, 300, false);
        }
    }

    /**
     * Loads and checks a FLAME {@code .npz}.
     *
     * @throws IOException when the file cannot be read or an array is missing or malformed (the message names it)
     */
    public static MorphableHead load(Path file, Config config) throws IOException {
        Map<String, StoredTensor> a;
        try {
            a = Npz.read(file).tensors();
        } catch (WeightFileException e) {
            throw new IOException("cannot read the FLAME arrays: " + e.getMessage(), e);
        }
        String src = file.getFileName().toString();
        StoredTensor template = require(a, "v_template", src, -1, 3);
        int v = template.shape().dim(0);
        StoredTensor faces = require(a, "f", src, -1, 3);
        StoredTensor shapedirs = require(a, "shapedirs", src, v, 3, -1);
        int k = shapedirs.shape().dim(2);
        StoredTensor kintree = require(a, "kintree_table", src, 2, -1);
        int j = kintree.shape().dim(1);
        StoredTensor posedirs = require(a, "posedirs", src, v, 3, 9 * (j - 1));
        StoredTensor regressor = require(a, "J_regressor", src, j, v);
        StoredTensor weights = require(a, "weights", src, v, j);
        if (j < 3) {
            throw new IOException(src + ": kintree_table has " + j + " joints; FLAME needs at least root, neck and jaw");
        }
        if (config.shapeCount() < 0 || config.shapeCount() > config.shapeTotal() || config.expressionCount() < 0
                || config.shapeTotal() + config.expressionCount() > k) {
            throw new IOException(src + ": shapedirs has " + k + " columns; cannot take " + config.shapeCount() + " shape (of "
                    + config.shapeTotal() + ") and " + config.expressionCount() + " expression components");
        }
        int[] tri = integers(faces, "f", src, v);
        int[] parents = new int[j];
        parents[0] = -1;
        for (int i = 1; i < j; i++) {
            double p = kintree.values()[i];
            if (p != Math.rint(p) || p < 0 || p >= i) {
                throw new IOException(src + ": kintree_table[0, " + i + "] = " + p + " is not the index of an earlier joint");
            }
            parents[i] = (int) p;
        }

        // per-vertex arrays, possibly split at UV seams: source[i] = original vertex of output vertex i
        int[] source;
        int[] outTri;
        double[] uvs;
        if (a.containsKey("vt") && a.containsKey("ft")) {
            StoredTensor vt = require(a, "vt", src, -1, 2);
            int[] ft = integers(require(a, "ft", src, faces.shape().dim(0), 3), "ft", src, vt.shape().dim(0));
            Map<Long, Integer> pairs = new HashMap<>();
            List<Integer> src0 = new ArrayList<>();
            List<Integer> srcUv = new ArrayList<>();
            outTri = new int[tri.length];
            for (int i = 0; i < tri.length; i++) {
                long key = ((long) tri[i] << 32) | ft[i];
                Integer at = pairs.get(key);
                if (at == null) {
                    at = src0.size();
                    pairs.put(key, at);
                    src0.add(tri[i]);
                    srcUv.add(ft[i]);
                }
                outTri[i] = at;
            }
            source = src0.stream().mapToInt(Integer::intValue).toArray();
            uvs = new double[2 * source.length];
            for (int i = 0; i < source.length; i++) {
                uvs[2 * i] = vt.values()[2 * srcUv.get(i)];
                uvs[2 * i + 1] = 1 - vt.values()[2 * srcUv.get(i) + 1];
            }
        } else if (a.containsKey("vt") || a.containsKey("ft")) {
            throw new IOException(src + ": has " + (a.containsKey("vt") ? "vt" : "ft") + " but not "
                    + (a.containsKey("vt") ? "ft" : "vt") + "; UVs need both");
        } else {
            source = new int[v];
            java.util.Arrays.setAll(source, i -> i);
            outTri = tri;
            uvs = cylindricalUvs(template.values(), v);
        }
        int n = source.length;
        double[] t = new double[3 * n];
        int shapeCount = config.shapeCount();
        int exprCount = config.expressionCount();
        double[] shape = new double[3 * n * shapeCount];
        double[] expr = new double[3 * n * exprCount];
        double[] pose = new double[9 * (j - 1) * 3 * n];
        double[] w = new double[n * j];
        double[] reg = new double[j * n];
        boolean[] seen = new boolean[v];
        for (int i = 0; i < n; i++) {
            int o = source[i];
            for (int c = 0; c < 3; c++) {
                t[3 * i + c] = template.values()[3 * o + c];
                int row = 3 * o + c;
                for (int s = 0; s < shapeCount; s++) {
                    shape[(3 * i + c) * shapeCount + s] = shapedirs.values()[row * k + s];
                }
                for (int e = 0; e < exprCount; e++) {
                    expr[(3 * i + c) * exprCount + e] = shapedirs.values()[row * k + config.shapeTotal() + e];
                }
                for (int p = 0; p < 9 * (j - 1); p++) {
                    pose[p * 3 * n + 3 * i + c] = posedirs.values()[row * 9 * (j - 1) + p];
                }
            }
            System.arraycopy(weights.values(), o * j, w, i * j, j);
            if (!seen[o]) {                                                    // copies at seams add nothing to J
                seen[o] = true;
                for (int q = 0; q < j; q++) {
                    reg[q * n + i] = regressor.values()[q * v + o];
                }
            }
        }
        int[] lmk = new int[68 * 3];
        double[] lmkW = new double[68 * 3];
        if (a.containsKey("lmk_faces_idx") && a.containsKey("lmk_bary_coords")) {
            int[] lf = integers(require(a, "lmk_faces_idx", src, 68), "lmk_faces_idx", src, faces.shape().dim(0));
            StoredTensor bary = require(a, "lmk_bary_coords", src, 68, 3);
            for (int l = 0; l < 68; l++) {
                for (int c = 0; c < 3; c++) {
                    lmk[3 * l + c] = outTri[3 * lf[l] + c];
                    lmkW[3 * l + c] = bary.values()[3 * l + c];
                }
            }
        } else if (!config.allowNoLandmarks()) {
            throw new IOException(src + ": lacks lmk_faces_idx [68] and lmk_bary_coords [68, 3] (the landmark embedding);"
                    + " add them (see FlameLoader's Javadoc) or set allowNoLandmarks");
        } else {
            for (int l = 0; l < 68; l++) {
                lmkW[3 * l] = 1;
            }
        }
        try {
            return new MorphableHead("FLAME", t, uvs, new Triangles(outTri, n), shape, shapeCount, expr, exprCount, pose, reg,
                    parents, w, 1, 2, lmk, lmkW);
        } catch (IllegalArgumentException e) {
            throw new IOException(src + ": " + e.getMessage(), e);
        }
    }

    /** Extents as NumPy prints a shape, -1 as *: (6, 4), (68,). */
    private static String tuple(int[] dims) {
        StringBuilder t = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            t.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "*" : String.valueOf(dims[i]));
        }
        return t.append(dims.length == 1 ? ",)" : ")").toString();
    }

    /** The array {@code name} with the given extents (-1 = any), or an IOException naming what is wrong. */
    private static StoredTensor require(Map<String, StoredTensor> a, String name, String src, int... dims) throws IOException {
        StoredTensor x = a.get(name);
        if (x == null) {
            throw new IOException(src + ": missing array '" + name + "' (has " + a.keySet() + ")");
        }
        boolean ok = x.shape().rank() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || x.shape().dim(i) == dims[i];
        }
        if (!ok) {
            throw new IOException(src + ": array '" + name + "' has shape " + tuple(x.shape().dims()) + ", expected "
                    + tuple(dims));
        }
        for (int i = 0; i < x.values().length; i++) {
            if (!Double.isFinite(x.values()[i])) {
                throw new IOException(src + ": array '" + name + "' has a non-finite value at flat index " + i);
            }
        }
        return x;
    }

    private static int[] integers(StoredTensor x, String name, String src, int bound) throws IOException {
        int[] out = new int[x.values().length];
        for (int i = 0; i < out.length; i++) {
            double d = x.values()[i];
            if (d != Math.rint(d) || d < 0 || d >= bound) {
                throw new IOException(src + ": array '" + name + "' holds " + d + " at flat index " + i
                        + ", not an index in [0, " + bound + ")");
            }
            out[i] = (int) d;
        }
        return out;
    }

    /** u = angle around the y axis (0.5 facing +z), v = height, both scaled into [0, 1]. */
    static double[] cylindricalUvs(double[] positions, int v) {
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        double cx = 0;
        double cz = 0;
        for (int i = 0; i < v; i++) {
            minY = Math.min(minY, positions[3 * i + 1]);
            maxY = Math.max(maxY, positions[3 * i + 1]);
            cx += positions[3 * i] / v;
            cz += positions[3 * i + 2] / v;
        }
        double[] uv = new double[2 * v];
        for (int i = 0; i < v; i++) {
            double angle = Math.atan2(positions[3 * i] - cx, positions[3 * i + 2] - cz);
            uv[2 * i] = 0.5 + angle / (2 * Math.PI);
            uv[2 * i + 1] = maxY > minY ? (maxY - positions[3 * i + 1]) / (maxY - minY) : 0.5;
        }
        return uv;
    }
}
