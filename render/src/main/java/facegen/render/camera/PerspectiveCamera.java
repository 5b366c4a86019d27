package facegen.render.camera;

import facegen.engine.tensor.Tensor;

/**
 * A pinhole camera at the origin looking down -z with y up (OpenGL's convention): the projection matrix
 * [[f/a, 0, 0, 0], [0, f, 0, 0], [0, 0, (F+N)/(N-F), 2FN/(N-F)], [0, 0, -1, 0]] with f = 1/tan(fovY/2), a = W/H.
 *
 * @param fovYDegrees vertical field of view in degrees, in (0, 180)
 * @param aspect      width / height of the image
 * @param near        distance of the near plane, &gt; 0
 * @param far         distance of the far plane, &gt; near
 */
public record PerspectiveCamera(double fovYDegrees, double aspect, double near, double far) {

    /** Validates the parameters. */
    public PerspectiveCamera {
        if (!(fovYDegrees > 0 && fovYDegrees < 180) || !(aspect > 0) || !(near > 0) || !(far > near)) {
            throw new IllegalArgumentException("perspective camera needs 0 < fovY < 180, aspect > 0, 0 < near < far; got fovY "
                    + fovYDegrees + ", aspect " + aspect + ", near " + near + ", far " + far);
        }
    }

    /**
     * Clip-space positions of camera-space vertices (differentiable).
     *
     * @param vertices [B, V, 3] in camera space (the camera looks down -z)
     * @return [B, V, 4]
     */
    public Tensor project(Tensor vertices) {
        if (vertices.rank() != 3 || vertices.dim(2) != 3) {
            throw new IllegalArgumentException("vertices must be [B, V, 3], got " + vertices.shape());
        }
        double f = 1 / Math.tan(Math.toRadians(fovYDegrees) / 2);
        double[] m = {                                                   // clip = [x y z 1] M^T, rows of M^T
                f / aspect, 0, 0, 0,
                0, f, 0, 0,
                0, 0, (far + near) / (near - far), -1,
                0, 0, 2 * far * near / (near - far), 0};
        int b = vertices.dim(0);
        int v = vertices.dim(1);
        Tensor homogeneous = Tensor.concat(2, vertices, Tensor.ones(vertices.backend(), b, v, 1));
        return homogeneous.reshape(b * v, 4).matmul(Tensor.of(vertices.backend(), m, 4, 4)).reshape(b, v, 4);
    }
}
