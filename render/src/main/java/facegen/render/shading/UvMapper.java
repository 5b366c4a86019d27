package facegen.render.shading;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.Triangles;
import facegen.render.raster.Interpolation;
import facegen.render.raster.Raster;
import facegen.render.raster.Rasterizer;

/**
 * Per-vertex quantities spread over the UV domain (DECA's {@code world2uv}): the mesh is rasterised once in UV
 * space (vertex i at clip position (2 u_i - 1, 1 - 2 v_i)), then any vertex attribute is interpolated into an
 * S x S map. The UV raster is host state built once per layout and size; the maps are tensors, differentiable with
 * respect to the attributes.
 */
public final class UvMapper {
    private final Triangles triangles;
    private final double[] clip;
    private final Raster raster;
    private final int size;

    /**
     * Rasterises the UV layout.
     *
     * @param triangles the mesh's triangles
     * @param uvs       per-vertex UVs [V * 2] (v down)
     * @param size      texels per side S
     */
    public UvMapper(Triangles triangles, double[] uvs, int size) {
        int v = triangles.vertexCount();
        if (uvs.length != 2 * v || size < 2) {
            throw new IllegalArgumentException("UV mapper needs " + v + " UVs and size >= 2, got " + uvs.length / 2 + " UVs, size " + size);
        }
        this.triangles = triangles;
        this.size = size;
        this.clip = new double[4 * v];
        for (int i = 0; i < v; i++) {
            clip[4 * i] = 2 * uvs[2 * i] - 1;
            clip[4 * i + 1] = 1 - 2 * uvs[2 * i + 1];
            clip[4 * i + 3] = 1;
        }
        this.raster = Rasterizer.rasterize(clip, 1, triangles, size, size);
    }

    /** Texels per side S. */
    public int size() {
        return size;
    }

    /** The UV-space raster (which triangle covers each texel). */
    public Raster raster() {
        return raster;
    }

    /**
     * The attribute map: out[b, c, y, x] = the attribute interpolated at texel (x, y) of the UV layout, 0 outside it.
     *
     * @param attributes [V, C] or [B, V, C]; receives gradients
     * @return [B, C, S, S] (B = 1 for [V, C])
     */
    public Tensor toUv(Tensor attributes) {
        Tensor a = attributes.rank() == 2 ? attributes.reshape(1, attributes.dim(0), attributes.dim(1)) : attributes;
        if (a.rank() != 3 || a.dim(1) != triangles.vertexCount()) {
            throw new IllegalArgumentException("attributes must be [V, C] or [B, V, C] with V = " + triangles.vertexCount()
                    + ", got " + attributes.shape());
        }
        int batch = a.dim(0);
        int channels = a.dim(2);
        Tensor shared = a.permute(1, 0, 2).reshape(a.dim(1), batch * channels);      // [V, B*C]
        Tensor pos = Tensor.of(attributes.backend(), clip, triangles.vertexCount(), 4);
        return Interpolation.interpolate(shared, raster, triangles, pos).reshape(batch, channels, size, size);
    }

    /** Mask [1, 1, S, S]: 1 where the UV layout covers the texel. */
    public Tensor mask(Backend backend) {
        return raster.mask(backend);
    }

    /**
     * Mask [1, 1, S, S] of texels whose 4-neighbours are all covered too: where central differences of a UV map
     * are valid.
     */
    public Tensor interiorMask(Backend backend) {
        double[] m = new double[size * size];
        for (int y = 1; y < size - 1; y++) {
            for (int x = 1; x < size - 1; x++) {
                boolean all = raster.triangleAt(0, y, x) >= 0 && raster.triangleAt(0, y - 1, x) >= 0
                        && raster.triangleAt(0, y + 1, x) >= 0 && raster.triangleAt(0, y, x - 1) >= 0
                        && raster.triangleAt(0, y, x + 1) >= 0;
                m[y * size + x] = all ? 1 : 0;
            }
        }
        return Tensor.of(backend, m, 1, 1, size, size);
    }
}
