package facegen.audit.layers.render;

import facegen.render.camera.OrthographicCamera;
import facegen.render.camera.PerspectiveCamera;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * facegen's camera and rotation formulas written in libtorch ops, so libtorch's autograd checks our composed
 * forward values and VJPs (the formulas are DECA's and OpenGL's; see {@link OrthographicCamera},
 * {@link PerspectiveCamera}, {@link facegen.render.camera.Rotations}).
 */
final class TorchCameras {

    private TorchCameras() {}

    /** Rodrigues: R = I + sin(theta) K + (1 - cos(theta)) K^2, theta = sqrt(|r|^2 + 1e-8), K = skew(r / theta). */
    static Tensor rodrigues(Tensor r) {
        long n = r.size(0);
        Tensor theta = r.square().sum(new long[] {1}, true, new ScalarTypeOptional()).add(new Scalar(1e-8)).sqrt();
        Tensor k = r.div(theta);
        Tensor kx = k.narrow(1, 0, 1);
        Tensor ky = k.narrow(1, 1, 1);
        Tensor kz = k.narrow(1, 2, 1);
        Tensor zero = torch.zeros_like(kx);
        Tensor skew = torch.cat(new TensorVector(zero, kz.neg(), ky, kz, zero, kx.neg(), ky.neg(), kx, zero), 1)
                .reshape(n, 3, 3);
        Tensor sin = theta.sin().reshape(n, 1, 1);
        Tensor oneMinusCos = theta.cos().neg().add(new Scalar(1.0)).reshape(n, 1, 1);
        Tensor identity = torch.eye(3).to(torch.ScalarType.Double).reshape(1, 3, 3);
        return identity.add(skew.mul(sin)).add(skew.matmul(skew).mul(oneMinusCos));
    }

    /** v R^T + t per batch. */
    static Tensor transform(Tensor vertices, Tensor rotation, Tensor translation) {
        return vertices.matmul(rotation.transpose(1, 2)).add(translation.unsqueeze(1));
    }

    /** DECA's orthographic camera: (s (x + tx), s (y + ty), -0.1 s z, 1). */
    static Tensor orthographic(Tensor vertices, Tensor cam) {
        long b = vertices.size(0);
        long v = vertices.size(1);
        Tensor s = cam.narrow(1, 0, 1).reshape(b, 1, 1);
        Tensor t = cam.narrow(1, 1, 2).reshape(b, 1, 2);
        Tensor xy = vertices.narrow(2, 0, 2).add(t).mul(s);
        Tensor z = vertices.narrow(2, 2, 1).mul(s).mul(new Scalar(-OrthographicCamera.DEPTH_SCALE));
        Tensor w = torch.ones_like(z);
        return torch.cat(new TensorVector(xy, z, w), 2).reshape(b, v, 4);
    }

    /** OpenGL's perspective projection (gluPerspective) of camera-space points. */
    static Tensor perspective(Tensor vertices, PerspectiveCamera camera) {
        double f = 1 / Math.tan(Math.toRadians(camera.fovYDegrees()) / 2);
        double near = camera.near();
        double far = camera.far();
        Tensor x = vertices.narrow(2, 0, 1);
        Tensor y = vertices.narrow(2, 1, 1);
        Tensor z = vertices.narrow(2, 2, 1);
        Tensor clipZ = z.mul(new Scalar((far + near) / (near - far))).add(new Scalar(2 * far * near / (near - far)));
        return torch.cat(new TensorVector(x.mul(new Scalar(f / camera.aspect())), y.mul(new Scalar(f)), clipZ, z.neg()), 2);
    }
}
