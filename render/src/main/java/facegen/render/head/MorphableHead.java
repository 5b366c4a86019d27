package facegen.render.head;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.Triangles;

import java.util.Arrays;
import java.util.List;

/**
 * A 3D morphable head in FLAME's form: template T, linear shape and expression bases, optional pose-corrective
 * blendshapes, a kinematic tree of joints regressed from the shaped mesh, and linear blend skinning (LBS).
 *
 * <p>vertices(beta, psi, theta) = LBS(T + S beta + E psi + P (R(theta) - I), J(T + S beta + E psi), theta, W):
 * <ol>
 *   <li>v_shaped = T + S beta + E psi ({@code shapeBasis} [V*3, S], {@code expressionBasis} [V*3, E]);</li>
 *   <li>joints J = {@code jointRegressor} [J, V] v_shaped;</li>
 *   <li>per-joint rotations R_j = Rodrigues(theta_j); v_posed = v_shaped + {@code poseBasis} vec(R_j - I) over the
 *       non-root joints (absent for the procedural head);</li>
 *   <li>world transforms along the tree ({@code parents}), made relative to the rest joints, blended per vertex
 *       with {@code skinningWeights} [V, J] and applied to v_posed.</li>
 * </ol>
 * Pose theta is either DECA's [B, 6] (global rotation, jaw rotation; neck and other joints at rest) or every joint's
 * axis-angle [B, 3J] in joint order. Joint 0 is the root (global rotation), {@link #neckJoint} and {@link #jawJoint}
 * name the others that matter. Every step is a tensor op, so gradients reach all parameters.
 *
 * <p>Host data only (immutable arrays); {@link #upload} makes the tensors for one backend (an explicit, closeable
 * object, never a global cache). Units are metres; x to the face's left, y up, z out of the face.
 */
public final class MorphableHead {
    private final String name;
    private final double[] template;
    private final double[] uvs;
    private final Triangles triangles;
    private final double[] shapeBasis;
    private final int shapeCount;
    private final double[] expressionBasis;
    private final int expressionCount;
    private final double[] poseBasis;
    private final double[] jointRegressor;
    private final int[] parents;
    private final double[] skinningWeights;
    private final int neckJoint;
    private final int jawJoint;
    private final int[] landmarkVertices;
    private final double[] landmarkWeights;

    /**
     * A head from its arrays (copied and checked).
     *
     * @param name             label for messages ("procedural-mediapipe", "FLAME")
     * @param template         T [V * 3]
     * @param uvs              per-vertex UVs [V * 2] (v down)
     * @param triangles        triangles over V vertices
     * @param shapeBasis       S [V*3, S] row-major
     * @param shapeCount       S
     * @param expressionBasis  E [V*3, E] row-major
     * @param expressionCount  E
     * @param poseBasis        pose correctives [(J-1)*9, V*3] row-major, or null for none
     * @param jointRegressor   [J, V] row-major
     * @param parents          parent of each joint, parents[0] = -1, parents[j] &lt; j
     * @param skinningWeights  [V, J] row-major, rows summing to 1
     * @param neckJoint        index of the neck joint (or -1)
     * @param jawJoint         index of the jaw joint
     * @param landmarkVertices 68 x 3 vertex indices: landmark l = sum_k w[l, k] v[idx[l, k]]
     * @param landmarkWeights  68 x 3 barycentric weights
     * @throws IllegalArgumentException naming the array whose size or values are wrong
     */
    public MorphableHead(String name, double[] template, double[] uvs, Triangles triangles, double[] shapeBasis, int shapeCount,
                         double[] expressionBasis, int expressionCount, double[] poseBasis, double[] jointRegressor,
                         int[] parents, double[] skinningWeights, int neckJoint, int jawJoint, int[] landmarkVertices,
                         double[] landmarkWeights) {
        int v = triangles.vertexCount();
        int j = parents.length;
        this.name = name;
        this.template = check("template", template, v * 3);
        this.uvs = check("uvs", uvs, v * 2);
        this.triangles = triangles;
        this.shapeBasis = check("shapeBasis", shapeBasis, v * 3 * shapeCount);
        this.shapeCount = shapeCount;
        this.expressionBasis = check("expressionBasis", expressionBasis, v * 3 * expressionCount);
        this.expressionCount = expressionCount;
        this.poseBasis = poseBasis == null ? null : check("poseBasis", poseBasis, (j - 1) * 9 * v * 3);
        this.jointRegressor = check("jointRegressor", jointRegressor, j * v);
        this.parents = parents.clone();
        this.skinningWeights = check("skinningWeights", skinningWeights, v * j);
        this.neckJoint = neckJoint;
        this.jawJoint = jawJoint;
        this.landmarkVertices = landmarkVertices.clone();
        this.landmarkWeights = check("landmarkWeights", landmarkWeights, 68 * 3);
        if (j < 1 || parents[0] != -1) {
            throw new IllegalArgumentException(name + ": parents must start with -1 (the root), got " + Arrays.toString(parents));
        }
        for (int k = 1; k < j; k++) {
            if (parents[k] < 0 || parents[k] >= k) {
                throw new IllegalArgumentException(name + ": joint " + k + " has parent " + parents[k] + "; parents must precede children");
            }
        }
        if (jawJoint < 1 || jawJoint >= j || neckJoint >= j) {
            throw new IllegalArgumentException(name + ": jaw joint " + jawJoint + " / neck joint " + neckJoint + " outside [1, " + j + ")");
        }
        if (landmarkVertices.length != 68 * 3) {
            throw new IllegalArgumentException(name + ": landmarkVertices must hold 68 x 3 indices, got " + landmarkVertices.length);
        }
        for (int i : landmarkVertices) {
            if (i < 0 || i >= v) {
                throw new IllegalArgumentException(name + ": landmark vertex " + i + " outside [0, " + v + ")");
            }
        }
    }

    private double[] check(String what, double[] a, int expected) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException(name + ": " + what + " has " + (a == null ? "no" : a.length) + " values, expected " + expected);
        }
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(name + ": " + what + "[" + i + "] = " + a[i] + " is not finite");
            }
        }
        return a.clone();
    }

    // ------------------------------------------------------------------ accessors

    /** A label for messages. */
    public String name() {
        return name;
    }

    /** Number of vertices V. */
    public int vertexCount() {
        return triangles.vertexCount();
    }

    /** The triangles. */
    public Triangles triangles() {
        return triangles;
    }

    /** Number of shape coefficients S. */
    public int shapeCount() {
        return shapeCount;
    }

    /** Number of expression coefficients E. */
    public int expressionCount() {
        return expressionCount;
    }

    /** Number of joints J. */
    public int jointCount() {
        return parents.length;
    }

    /** Index of the jaw joint. */
    public int jawJoint() {
        return jawJoint;
    }

    /** Index of the neck joint, or -1. */
    public int neckJoint() {
        return neckJoint;
    }

    /** The template T [V * 3] (a copy). */
    public double[] template() {
        return template.clone();
    }

    /** Per-vertex UVs [V * 2] (a copy; v down). */
    public double[] uvs() {
        return uvs.clone();
    }

    /** Skinning weights [V, J] (a copy). */
    public double[] skinningWeights() {
        return skinningWeights.clone();
    }

    /** Landmark vertex indices 68 x 3 (a copy). */
    public int[] landmarkVertices() {
        return landmarkVertices.clone();
    }

    /** Landmark barycentric weights 68 x 3 (a copy). */
    public double[] landmarkWeights() {
        return landmarkWeights.clone();
    }

    /** The per-vertex UVs as a tensor [V, 2]. */
    public Tensor uvTensor(Backend backend) {
        return Tensor.of(backend, uvs, vertexCount(), 2);
    }

    // ------------------------------------------------------------------ evaluation

    /**
     * The model's arrays as tensors on one backend. Close it when done (it holds memory); create it outside any
     * {@link facegen.engine.tensor.TensorScope} that ends before its last use.
     *
     * @param template        [1, V, 3]
     * @param shapeBasis      [V*3, S]
     * @param expressionBasis [V*3, E]
     * @param poseBasis       [(J-1)*9, V*3] or null
     * @param jointRegressor  [J, V]
     * @param skinningWeights [V, J]
     */
    public record Tensors(Tensor template, Tensor shapeBasis, Tensor expressionBasis, Tensor poseBasis,
                          Tensor jointRegressor, Tensor skinningWeights) implements AutoCloseable {
        @Override
        public void close() {
            for (Tensor t : Arrays.asList(template, shapeBasis, expressionBasis, poseBasis, jointRegressor, skinningWeights)) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** Uploads the model's arrays to {@code backend}. */
    public Tensors upload(Backend backend) {
        int v = vertexCount();
        int j = jointCount();
        return new Tensors(
                Tensor.of(backend, template, 1, v, 3),
                Tensor.of(backend, shapeBasis, v * 3, shapeCount),
                Tensor.of(backend, expressionBasis, v * 3, expressionCount),
                poseBasis == null ? null : Tensor.of(backend, poseBasis, (j - 1) * 9, v * 3),
                Tensor.of(backend, jointRegressor, j, v),
                Tensor.of(backend, skinningWeights, v, j));
    }

    /**
     * {@link #vertices(Tensors, Tensor, Tensor, Tensor)}, uploading the model for this one call (its tensors belong to
     * the current {@link facegen.engine.tensor.TensorScope}); in a loop, {@link #upload} once and pass the result.
     */
    public Tensor vertices(Tensor shape, Tensor expression, Tensor pose) {
        Tensors t = upload(shape.backend());
        return vertices(t, shape, expression, pose);
    }

    /**
     * Posed vertices.
     *
     * @param model      this model's tensors ({@link #upload})
     * @param shape      beta [B, S]; receives gradients
     * @param expression psi [B, E]; receives gradients
     * @param pose       theta [B, 6] (global, jaw) or [B, 3J] (every joint), axis-angle radians; receives gradients
     * @return vertices [B, V, 3]
     */
    public Tensor vertices(Tensors model, Tensor shape, Tensor expression, Tensor pose) {
        int batch = shape.dim(0);
        checkParameter("shape", shape, batch, shapeCount);
        checkParameter("expression", expression, batch, expressionCount);
        Tensor fullPose = fullPose(pose, batch);
        int v = vertexCount();
        Tensor offsets = shape.matmul(model.shapeBasis(), false, true).add(expression.matmul(model.expressionBasis(), false, true));
        Tensor shaped = model.template().add(offsets.reshape(batch, v, 3));              // [B, V, 3]
        return LinearBlendSkinning.apply(shaped, fullPose, model, parents);
    }

    /**
     * The 68 landmarks of posed vertices: l = sum_k w_k v[idx_k].
     *
     * @param vertices [B, V, 3]
     * @return [B, 68, 3]
     */
    public Tensor landmarks(Tensor vertices) {
        if (vertices.rank() != 3 || vertices.dim(1) != vertexCount() || vertices.dim(2) != 3) {
            throw new IllegalArgumentException("vertices must be [B, " + vertexCount() + ", 3], got " + vertices.shape());
        }
        int batch = vertices.dim(0);
        double[] idx = new double[68 * 3];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = landmarkVertices[i];
        }
        Backend backend = vertices.backend();
        Tensor corners = vertices.indexSelect(1, Tensor.of(backend, idx, idx.length)).reshape(batch, 68, 3, 3);
        Tensor w = Tensor.of(backend, landmarkWeights, 1, 68, 3, 1);
        return corners.mul(w).sum(2);
    }

    /** Pose [B, 6] (global, jaw) or [B, 3J] as every joint's axis-angle [B, J, 3]. */
    Tensor fullPose(Tensor pose, int batch) {
        int j = jointCount();
        if (pose.rank() != 2 || pose.dim(0) != batch || (pose.dim(1) != 6 && pose.dim(1) != 3 * j)) {
            throw new IllegalArgumentException(name + ": pose must be [B, 6] (global, jaw) or [B, " + 3 * j + "] with B = "
                    + batch + ", got " + pose.shape());
        }
        if (pose.dim(1) == 3 * j) {
            return pose.reshape(batch, j, 3);
        }
        Tensor zeros = Tensor.zeros(pose.backend(), batch, 3);
        Tensor[] parts = new Tensor[j];
        for (int k = 0; k < j; k++) {
            parts[k] = k == 0 ? pose.slice(1, 0, 3) : k == jawJoint ? pose.slice(1, 3, 6) : zeros;
        }
        return Tensor.concat(1, parts).reshape(batch, j, 3);
    }

    private void checkParameter(String what, Tensor t, int batch, int count) {
        if (t.rank() != 2 || t.dim(0) != batch || t.dim(1) != count) {
            throw new IllegalArgumentException(name + ": " + what + " must be [B, " + count + "] with B = " + batch + ", got " + t.shape());
        }
    }

    /** Zero parameters (the template at rest) for a batch: shape, expression, pose [B, 6]. */
    public List<Tensor> zeroParameters(Backend backend, int batch) {
        return List.of(Tensor.zeros(backend, batch, shapeCount), Tensor.zeros(backend, batch, expressionCount),
                Tensor.zeros(backend, batch, 6));
    }

    @Override
    public String toString() {
        return "MorphableHead[" + name + ": " + vertexCount() + " vertices, " + triangles.count() + " triangles, shape "
                + shapeCount + ", expression " + expressionCount + ", " + jointCount() + " joints]";
    }
}
