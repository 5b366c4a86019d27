package facegen.render.shading;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * Lambertian shading under low-frequency light: the 9-coefficient (order 2) spherical-harmonics irradiance model with
 * DECA's constants ({@code renderer.py::add_SHlight}; PIPELINE-NOTES section 3).
 *
 * <p>shading_c(n) = sum_{k=0..8} shCoeffs[k, c] * C_k * Y_k(n) for a unit normal n = (x, y, z), with
 * Y = [1, x, y, z, xy, xz, yz, x^2 - y^2, 3z^2 - 1] and C = [1/sqrt(4 pi), (2 pi/3) sqrt(3/(4 pi)) (x3),
 * (pi/4) 3 sqrt(5/(12 pi)) (x3), (pi/4)(3/2) sqrt(5/(12 pi)), (pi/4)(1/2) sqrt(5/(4 pi))]. The rendered colour is
 * albedo * shading. Differentiable with respect to the normals and the coefficients.
 */
public final class SphericalHarmonics {

    /** The constants C_k that multiply each basis function (DECA's {@code constant_factor}). */
    public static final double[] CONSTANTS = {
            1 / Math.sqrt(4 * Math.PI),
            (2 * Math.PI / 3) * Math.sqrt(3 / (4 * Math.PI)),
            (2 * Math.PI / 3) * Math.sqrt(3 / (4 * Math.PI)),
            (2 * Math.PI / 3) * Math.sqrt(3 / (4 * Math.PI)),
            (Math.PI / 4) * 3 * Math.sqrt(5 / (12 * Math.PI)),
            (Math.PI / 4) * 3 * Math.sqrt(5 / (12 * Math.PI)),
            (Math.PI / 4) * 3 * Math.sqrt(5 / (12 * Math.PI)),
            (Math.PI / 4) * (3 / 2.0) * Math.sqrt(5 / (12 * Math.PI)),
            (Math.PI / 4) * (1 / 2.0) * Math.sqrt(5 / (4 * Math.PI))};

    /** Number of coefficients per colour channel. */
    public static final int COEFFICIENTS = 9;

    private SphericalHarmonics() {}

    /**
     * Shading of a normal image: out[b, c, y, x] = sum_k shCoeffs[b, k, c] C_k Y_k(normals[b, :, y, x]).
     *
     * @param normals  unit normals [B, 3, H, W] (channels x, y, z); zero normals (background) give the ambient term
     * @param shCoeffs lighting [B, 9, 3] (DECA's light code reshaped), or [1, 9, 3] shared
     * @return shading [B, 3, H, W]
     */
    public static Tensor shade(Tensor normals, Tensor shCoeffs) {
        if (normals.rank() != 4 || normals.dim(1) != 3) {
            throw new IllegalArgumentException("normals must be [B, 3, H, W], got " + normals.shape());
        }
        int batch = normals.dim(0);
        int h = normals.dim(2);
        int w = normals.dim(3);
        Tensor lights = batchedCoefficients(shCoeffs, batch);
        Tensor basis = basis(normals.reshape(batch, 3, h * w), 1);               // [B, 9, HW]
        return lights.matmul(basis, true, false).reshape(batch, 3, h, w);      // [B, 3, 9] @ [B, 9, HW]
    }

    /**
     * Shading of per-vertex normals: out[b, v, c] = sum_k shCoeffs[b, k, c] C_k Y_k(normals[b, v, :]).
     *
     * @param normals  unit normals [B, V, 3]
     * @param shCoeffs lighting [B, 9, 3] or [1, 9, 3]
     * @return shading [B, V, 3]
     */
    public static Tensor shadeVertices(Tensor normals, Tensor shCoeffs) {
        if (normals.rank() != 3 || normals.dim(2) != 3) {
            throw new IllegalArgumentException("normals must be [B, V, 3], got " + normals.shape());
        }
        int batch = normals.dim(0);
        Tensor basis = basis(normals, 2);                                         // [B, V, 9]
        return basis.matmul(batchedCoefficients(shCoeffs, batch));
    }

    /**
     * The 9 scaled basis functions C_k Y_k of normals whose (x, y, z) lie along {@code axis} (1 or 2) of a rank-3
     * tensor; the result has 9 entries along that axis.
     */
    static Tensor basis(Tensor n, int axis) {
        Tensor x = n.slice(axis, 0, 1);
        Tensor y = n.slice(axis, 1, 2);
        Tensor z = n.slice(axis, 2, 3);
        Tensor[] y9 = {
                Tensor.full(n.backend(), CONSTANTS[0], x.shape().dims()),
                x.mul(CONSTANTS[1]),
                y.mul(CONSTANTS[2]),
                z.mul(CONSTANTS[3]),
                x.mul(y).mul(CONSTANTS[4]),
                x.mul(z).mul(CONSTANTS[5]),
                y.mul(z).mul(CONSTANTS[6]),
                x.square().sub(y.square()).mul(CONSTANTS[7]),
                z.square().mul(3).sub(1).mul(CONSTANTS[8])};
        return Tensor.concat(axis, y9);
    }

    private static Tensor batchedCoefficients(Tensor shCoeffs, int batch) {
        if (shCoeffs.rank() != 3 || shCoeffs.dim(1) != COEFFICIENTS || shCoeffs.dim(2) != 3
                || (shCoeffs.dim(0) != batch && shCoeffs.dim(0) != 1)) {
            throw new IllegalArgumentException("shCoeffs must be [B, 9, 3] or [1, 9, 3] with B = " + batch + ", got " + shCoeffs.shape());
        }
        return shCoeffs.dim(0) == batch ? shCoeffs : shCoeffs.expand(batch, COEFFICIENTS, 3);
    }

    /**
     * A plausible white light as [1, 9, 3]: ambient {@code ambient}, plus a directional lobe of strength
     * {@code directional} from direction (dx, dy, dz) (normalised), the same for every colour. SH coefficients of a
     * clamped-cosine lobe are approximated by its first two bands, which DECA's constants turn into irradiance.
     */
    public static Tensor whiteLight(Backend backend, double ambient, double directional, double dx, double dy, double dz) {
        double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
        double[] l = new double[COEFFICIENTS * 3];
        for (int c = 0; c < 3; c++) {
            l[c] = ambient;
            l[3 + c] = directional * dx / len;
            l[6 + c] = directional * dy / len;
            l[9 + c] = directional * dz / len;
        }
        return Tensor.of(backend, l, 1, COEFFICIENTS, 3);
    }
}
