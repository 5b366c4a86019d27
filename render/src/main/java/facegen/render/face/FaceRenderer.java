package facegen.render.face;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Triangles;
import facegen.render.mesh.VertexNormals;
import facegen.render.raster.Antialiasing;
import facegen.render.raster.BoundaryMode;
import facegen.render.raster.Interpolation;
import facegen.render.raster.Raster;
import facegen.render.raster.Rasterizer;
import facegen.render.raster.Texturing;
import facegen.render.shading.Displacement;
import facegen.render.shading.SphericalHarmonics;
import facegen.render.shading.UvMapper;

/**
 * The AlbedoGAN / DECA image formation, composed from the four raster stages: I = A(uv) * SH(n; shCoeffs) over the
 * background, antialiased at silhouettes. n is the interpolated coarse vertex normal, or with a displacement map
 * the detailed normal of {@link Displacement#detailNormals} looked up at the pixel's UV. Every input that is a
 * tensor receives gradients: vertices (through interpolation, normals and antialiasing), albedo, light, displacement.
 *
 * <p>Holds the costly host state for one mesh layout: edge topology and, lazily per size, the UV-space raster.
 */
public final class FaceRenderer {
    private final Triangles triangles;
    private final double[] uvs;
    private final EdgeTopology topology;
    private UvMapper uvMapper;

    /**
     * A renderer for meshes with these triangles and per-vertex UVs.
     *
     * @param triangles the triangles
     * @param uvs       per-vertex UVs [V * 2] (v down)
     */
    public FaceRenderer(Triangles triangles, double[] uvs) {
        if (uvs.length != 2 * triangles.vertexCount()) {
            throw new IllegalArgumentException("expected " + triangles.vertexCount() + " UVs, got " + uvs.length / 2);
        }
        this.triangles = triangles;
        this.uvs = uvs.clone();
        this.topology = EdgeTopology.of(triangles);
    }

    /** The edge topology (for callers running the stages themselves). */
    public EdgeTopology topology() {
        return topology;
    }

    /** The UV mapper for maps of {@code size} texels per side, built on first use. */
    public UvMapper uvMapper(int size) {
        if (uvMapper == null || uvMapper.size() != size) {
            uvMapper = new UvMapper(triangles, uvs, size);
        }
        return uvMapper;
    }

    /**
     * What a render produced.
     *
     * @param image    the antialiased colour image [B, 3, H, W]
     * @param coverage the antialiased foreground mask [B, 1, H, W] (1 inside, fractional at silhouettes)
     * @param albedo   the albedo at pixels [B, 3, H, W] (0 on the background)
     * @param shading  the SH shading at pixels [B, 3, H, W]
     * @param raster   the raster (which triangle each pixel sees)
     */
    public record Result(Tensor image, Tensor coverage, Tensor albedo, Tensor shading, Raster raster) {}

    /**
     * Renders B faces.
     *
     * @param vertices     world-space vertices [B, V, 3] (the space the light is given in)
     * @param clip         their clip-space positions [B, V, 4] (from a camera)
     * @param albedo       UV albedo [B or 1, 3, S, S] in [0, 1]
     * @param shCoeffs     light [B or 1, 9, 3]
     * @param displacement UV displacement [B or 1, 1, S', S'] in the vertices' units, or null for the coarse normals
     * @param height       image height
     * @param width        image width
     * @param background   background colour (3 values)
     */
    public Result render(Tensor vertices, Tensor clip, Tensor albedo, Tensor shCoeffs, Tensor displacement, int height,
                         int width, double[] background) {
        Backend backend = vertices.backend();
        int batch = vertices.dim(0);
        Raster raster = Rasterizer.rasterize(clip, triangles, height, width);
        Tensor uvTable = Tensor.of(backend, uvs, triangles.vertexCount(), 2);
        Tensor uvImage = Interpolation.interpolate(uvTable, raster, triangles, clip);
        Tensor normals = VertexNormals.of(vertices, triangles);
        Tensor normalImage;
        if (displacement == null) {
            normalImage = Interpolation.interpolate(normals, raster, triangles, clip);
        } else {
            UvMapper mapper = uvMapper(displacement.dim(2));
            Tensor positionMap = mapper.toUv(vertices);
            Tensor normalMap = Displacement.normalize(mapper.toUv(normals));
            Tensor detail = Displacement.detailNormals(positionMap, normalMap, displacement, mapper.interiorMask(backend));
            normalImage = Texturing.texture(detail, uvImage, raster, BoundaryMode.CLAMP);
        }
        normalImage = Displacement.normalize(normalImage);
        Tensor shading = SphericalHarmonics.shade(normalImage, shCoeffs);
        Tensor albedoImage = Texturing.texture(albedo, uvImage, raster, BoundaryMode.CLAMP);
        Tensor mask = raster.mask(backend);
        Tensor background3 = Tensor.of(backend, background, 1, 3, 1, 1);
        Tensor colour = albedoImage.mul(shading).mul(mask).add(background3.mul(mask.neg().add(1)));
        Tensor both = Tensor.concat(1, colour, mask.expand(batch, 1, height, width));
        Tensor aa = Antialiasing.antialias(both, raster, clip, topology);
        return new Result(aa.slice(1, 0, 3), aa.slice(1, 3, 4), albedoImage, shading, raster);
    }
}
