package facegen.render.camera;

import facegen.engine.tensor.Tensor;

/**
 * DECA's weak-perspective camera ({@code batch_orth_proj}): cam = [s, tx, ty] maps a vertex to
 * x' = s (x + tx), y' = s (y + ty) in normalised image coordinates [-1, 1] (y up here; DECA negates y for image rows,
 * our rasteriser puts +1 at the top row instead). Depth: z_clip = -DEPTH_SCALE s z so that larger z (towards the
 * camera) is nearer; w = 1. Differentiable with respect to vertices and cam.
 */
public final class OrthographicCamera {
    /** Maps s z into clip depth; with FLAME-sized heads (|z| below 0.2 m) and s near 10, |z_clip| stays below 1. */
    public static final double DEPTH_SCALE = 0.1;

    private OrthographicCamera() {}

    /**
     * Clip-space positions of {@code vertices} under cameras {@code cam}.
     *
     * @param vertices [B, V, 3] (world units, y up, z towards the camera)
     * @param cam      [B, 3] = (s, tx, ty)
     * @return [B, V, 4] = (s (x + tx), s (y + ty), -DEPTH_SCALE s z, 1)
     */
    public static Tensor project(Tensor vertices, Tensor cam) {
        if (vertices.rank() != 3 || vertices.dim(2) != 3 || cam.rank() != 2 || cam.dim(1) != 3 || cam.dim(0) != vertices.dim(0)) {
            throw new IllegalArgumentException("expected vertices [B, V, 3] and cam [B, 3], got " + vertices.shape() + " and " + cam.shape());
        }
        int b = vertices.dim(0);
        int v = vertices.dim(1);
        Tensor s = cam.slice(1, 0, 1).reshape(b, 1, 1);
        Tensor t = cam.slice(1, 1, 3).reshape(b, 1, 2);
        Tensor xy = vertices.slice(2, 0, 2).add(t).mul(s);
        Tensor z = vertices.slice(2, 2, 3).mul(s).mul(-DEPTH_SCALE);
        Tensor w = Tensor.ones(vertices.backend(), b, v, 1);
        return Tensor.concat(2, xy, z, w);
    }
}
