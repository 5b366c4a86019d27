package facegen.render.camera;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * Rotations written with tensor ops (differentiable): Rodrigues' formula for axis-angle vectors, as FLAME's
 * {@code batch_rodrigues}, and rigid transforms of vertex batches.
 */
public final class Rotations {
    /**
     * Added to the squared angle before the square root (FLAME adds 1e-8 to the vector): keeps the rotation and its
     * gradient finite at the zero rotation, at the cost of an angle error of about 1e-4 near zero.
     */
    static final double EPSILON = 1e-8;

    private Rotations() {}

    /**
     * R = I + sin(theta) K + (1 - cos(theta)) K^2 with theta = |r|, K the cross-product matrix of the unit axis r/theta.
     *
     * @param axisAngle rotations [N, 3] (radians times unit axis); receives gradients
     * @return rotation matrices [N, 3, 3] (row-major: R[n, i, j])
     */
    public static Tensor rodrigues(Tensor axisAngle) {
        if (axisAngle.rank() != 2 || axisAngle.dim(1) != 3) {
            throw new IllegalArgumentException("axis-angle must be [N, 3], got " + axisAngle.shape());
        }
        int n = axisAngle.dim(0);
        Tensor theta = axisAngle.square().sum(new int[] {1}, true).add(EPSILON).sqrt();    // [N, 1]
        Tensor k = axisAngle.div(theta);
        Tensor kx = k.slice(1, 0, 1);
        Tensor ky = k.slice(1, 1, 2);
        Tensor kz = k.slice(1, 2, 3);
        Tensor zero = kx.mul(0);
        Tensor skew = Tensor.concat(1, zero, kz.neg(), ky, kz, zero, kx.neg(), ky.neg(), kx, zero).reshape(n, 3, 3);
        Tensor sin = theta.sin().reshape(n, 1, 1);
        Tensor oneMinusCos = theta.cos().neg().add(1).reshape(n, 1, 1);
        Tensor identity = Tensor.of(axisAngle.backend(), new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 1, 3, 3);
        return identity.add(skew.mul(sin)).add(skew.matmul(skew).mul(oneMinusCos));
    }

    /**
     * Rigid transform of vertex batches: out[b, v] = R_b vertices[b, v] + t_b.
     *
     * @param vertices    [B, V, 3]
     * @param rotation    [B, 3, 3] (e.g. from {@link #rodrigues})
     * @param translation [B, 3], or null for none
     * @return [B, V, 3]
     */
    public static Tensor transform(Tensor vertices, Tensor rotation, Tensor translation) {
        if (vertices.rank() != 3 || vertices.dim(2) != 3 || rotation.rank() != 3 || rotation.dim(0) != vertices.dim(0)
                || rotation.dim(1) != 3 || rotation.dim(2) != 3) {
            throw new IllegalArgumentException("expected vertices [B, V, 3] and rotation [B, 3, 3], got " + vertices.shape()
                    + " and " + rotation.shape());
        }
        Tensor rotated = vertices.matmul(rotation, false, true);                      // v R^T
        if (translation == null) {
            return rotated;
        }
        if (translation.rank() != 2 || translation.dim(0) != vertices.dim(0) || translation.dim(1) != 3) {
            throw new IllegalArgumentException("translation must be [B, 3], got " + translation.shape());
        }
        return rotated.add(translation.reshape(translation.dim(0), 1, 3));
    }

    /** The rotation by {@code degrees} about the y axis (yaw; positive turns +z towards +x), as [1, 3, 3]. */
    public static Tensor yaw(Backend backend, double degrees) {
        double a = Math.toRadians(degrees);
        double c = Math.cos(a);
        double s = Math.sin(a);
        return Tensor.of(backend, new double[] {c, 0, s, 0, 1, 0, -s, 0, c}, 1, 3, 3);
    }

    /** The host matrix of the rotation about the y axis by {@code degrees}, row-major 3 x 3. */
    public static double[] yawMatrix(double degrees) {
        double a = Math.toRadians(degrees);
        return new double[] {Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)};
    }
}
