package facegen.render.shading;

import facegen.engine.tensor.Tensor;
import facegen.render.raster.BoundaryMode;
import facegen.render.raster.Texturing;

/**
 * The detail layer of DECA / AlbedoGAN: a UV displacement map D added along the coarse normals gives the detailed
 * mesh M' = M + D(uv) n, and in the UV domain the detailed surface P' = P + D N, whose normals
 * n' = normalize(N + f(P') - f(P)) (see detailNormals) carry the fine detail (wrinkles) into shading. Both are tensor compositions,
 * differentiable with respect to D, the vertices and the normals.
 */
public final class Displacement {

    private Displacement() {}

    /**
     * The detailed mesh: v'_i = v_i + D(uv_i) n_i, with D sampled bilinearly (edge-clamped) at each vertex's UV.
     *
     * @param vertices     coarse vertices [B, V, 3]
     * @param normals      unit vertex normals [B, V, 3]
     * @param displacement D [B, 1, S, S] or [1, 1, S, S], in the vertices' units
     * @param uvs          per-vertex UVs [V, 2]
     * @return [B, V, 3]
     */
    public static Tensor detailVertices(Tensor vertices, Tensor normals, Tensor displacement, Tensor uvs) {
        int batch = vertices.dim(0);
        int v = vertices.dim(1);
        if (!vertices.shape().equals(normals.shape()) || displacement.rank() != 4 || displacement.dim(1) != 1
                || uvs.rank() != 2 || uvs.dim(0) != v || uvs.dim(1) != 2) {
            throw new IllegalArgumentException("detailVertices expects vertices and normals [B, V, 3], displacement [B, 1, S, S]"
                    + " and uvs [V, 2], got " + vertices.shape() + ", " + normals.shape() + ", " + displacement.shape() + ", " + uvs.shape());
        }
        Tensor uvImage = uvs.transpose(0, 1).reshape(1, 2, 1, v).expand(batch, 2, 1, v);       // V vertices as a 1 x V image
        Tensor d = Texturing.texture(displacement, uvImage, null, BoundaryMode.CLAMP).reshape(batch, v, 1);
        return vertices.add(normals.mul(d));
    }

    /**
     * Detailed normals in the UV domain: P' = P + D N and n' = normalize(N + f(P') - f(P)) with f(X) =
     * normalize(dX/dv x dX/du) by central differences over texels (right-handed for the layout's orientation: +u
     * along the face's left, +v down). Adding only the change that D makes to the differenced normal keeps the smooth
     * coarse normal N where D is flat (P itself is piecewise planar per triangle, so f(P) alone would show facets);
     * N is used where a difference would reach outside the layout.
     *
     * @param positionMap  P [B, 3, S, S] (e.g. {@link UvMapper#toUv} of the vertices)
     * @param normalMap    N [B, 3, S, S], unit coarse normals
     * @param displacement D [B, 1, S, S] or [1, 1, S, S]
     * @param interior     [1, 1, S, S], 1 where all 4-neighbours are inside the layout ({@link UvMapper#interiorMask})
     * @return unit normals [B, 3, S, S]
     */
    public static Tensor detailNormals(Tensor positionMap, Tensor normalMap, Tensor displacement, Tensor interior) {
        int s = positionMap.dim(2);
        if (positionMap.rank() != 4 || positionMap.dim(1) != 3 || !positionMap.shape().equals(normalMap.shape())
                || displacement.dim(2) != s || interior.dim(2) != s) {
            throw new IllegalArgumentException("detailNormals expects P, N [B, 3, S, S], D [B, 1, S, S], mask [1, 1, S, S]; got "
                    + positionMap.shape() + ", " + normalMap.shape() + ", " + displacement.shape() + ", " + interior.shape());
        }
        Tensor detailed = faceNormals(positionMap.add(normalMap.mul(displacement)));
        Tensor flat = faceNormals(positionMap);
        Tensor n = normalize(normalMap.add(detailed.sub(flat)));
        return Tensor.where(interior, n, normalMap);
    }

    /** normalize(dP/dv x dP/du) by central differences over texels. */
    private static Tensor faceNormals(Tensor p) {
        Tensor du = shift(p, 3, 1).sub(shift(p, 3, -1));
        Tensor dv = shift(p, 2, 1).sub(shift(p, 2, -1));
        return normalize(cross(dv, du));
    }

    /** Normalises vectors along axis 1 of [B, 3, H, W]: n / sqrt(|n|^2 + 1e-20); zero vectors stay zero. */
    public static Tensor normalize(Tensor n) {
        return n.div(n.square().sum(new int[] {1}, true).add(1e-20).sqrt());
    }

    /** out[..., i] = x[..., i + k] along {@code axis} (zero beyond the edge). */
    private static Tensor shift(Tensor x, int axis, int k) {
        int s = x.dim(axis);
        int[] before = new int[x.rank()];
        int[] after = new int[x.rank()];
        if (k > 0) {
            after[axis] = k;
            return x.slice(axis, k, s).pad(before, after);
        }
        before[axis] = -k;
        return x.slice(axis, 0, s + k).pad(before, after);
    }

    /** a x b along axis 1 of [B, 3, H, W]. */
    private static Tensor cross(Tensor a, Tensor b) {
        Tensor ax = a.slice(1, 0, 1), ay = a.slice(1, 1, 2), az = a.slice(1, 2, 3);
        Tensor bx = b.slice(1, 0, 1), by = b.slice(1, 1, 2), bz = b.slice(1, 2, 3);
        return Tensor.concat(1, ay.mul(bz).sub(az.mul(by)), az.mul(bx).sub(ax.mul(bz)), ax.mul(by).sub(ay.mul(bx)));
    }
}
