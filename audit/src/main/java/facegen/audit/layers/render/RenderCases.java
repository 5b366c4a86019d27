package facegen.audit.layers.render;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.tensor.Tensor;
import facegen.render.camera.OrthographicCamera;
import facegen.render.camera.PerspectiveCamera;
import facegen.render.camera.Rotations;
import facegen.render.head.FaceMeshData;
import facegen.render.head.MorphableHead;
import facegen.render.head.ProceduralHead;
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
import org.bytedeco.pytorch.global.torch;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Layer rows of the renderer: each render stage composed from engine primitives, checked against float64 central
 * differences (first and second order) like every primitive. The raster is recomputed from the positions inside f,
 * so f is a true function of them; inputs keep pixel centres and the antialiasing crossings away from the discrete
 * events (a pixel changing triangle, a crossing at t = 0, 1/2 or 1) that central differences would step across.
 * libtorch has no rasteriser, so most rows have no torch column; texture lookups with zero padding equal
 * {@code grid_sample} and are compared with libtorch.
 */
public final class RenderCases {
    /** Two triangles sharing an edge, perspective w, in a 9 x 11 image: every stage has interior and edge pixels. */
    private static final double[] CLIP = {-0.7, -0.6, 0.1, 1.0, 0.8, -0.5, 0.2, 1.3, -0.2, 0.75, 0.0, 0.9, 0.63, 0.71, 0.3, 1.1};
    private static final Triangles TRI = Triangles.of(new int[][] {{0, 1, 2}, {1, 3, 2}}, 4);
    private static final EdgeTopology TOPOLOGY = EdgeTopology.of(TRI);
    private static final int H = 9;
    private static final int W = 11;
    private static final String NO_TORCH = "libtorch has no rasteriser; float64 central differences are the oracle";
    private static final String COMPOSITE = "a composition with no libtorch counterpart; float64 central differences are the oracle";

    private RenderCases() {}

    /** Every render row. */
    public static List<AuditCase> cases() {
        FaceMeshData mesh = FaceMeshData.load();
        return List.of(
                AuditCase.layer("render_interpolate", in -> {
                    Raster r = Rasterizer.rasterize(in.get(1), TRI, H, W);
                    return Interpolation.interpolate(in.get(0), r, TRI, in.get(1));
                }).inputs(AuditInput.normal("attr", 1001, 4, 2), AuditInput.values("pos", CLIP, 4, 4))
                        .noTorch(NO_TORCH).build(),
                AuditCase.layer("render_texture", in -> Texturing.texture(in.get(0), in.get(1), null, BoundaryMode.CLAMP))
                        .inputs(AuditInput.normal("tex", 1002, 1, 2, 4, 5), uv("uv", 1003, 1, 3, 4, 5, 4))
                        .noTorch("grid_sample has no clamp padding; the _zero row compares with libtorch").build(),
                AuditCase.layer("render_texture_zero", in -> Texturing.texture(in.get(0), in.get(1), null, BoundaryMode.ZERO))
                        .inputs(AuditInput.normal("tex", 1004, 2, 2, 4, 5), uv("uv", 1005, 2, 3, 4, 5, 4))
                        .torch(t -> torch.grid_sampler(t.get(0), t.get(1).permute(0, 2, 3, 1).mul(new org.bytedeco.pytorch.Scalar(2.0))
                                .sub(new org.bytedeco.pytorch.Scalar(1.0)), 0, 0, false)).build(),
                AuditCase.layer("render_antialias", in -> {
                    Raster r = Rasterizer.rasterize(in.get(1), TRI, H, W);
                    Tensor colour = Interpolation.interpolate(in.get(0), r, TRI, in.get(1));
                    return Antialiasing.antialias(colour, r, in.get(1), TOPOLOGY);
                }).inputs(AuditInput.normal("attr", 1006, 4, 2), AuditInput.values("pos", CLIP, 4, 4))
                        .noTorch(NO_TORCH).build(),
                AuditCase.layer("render_antialias_pos", in -> {                       // positions only: the edge term alone
                    Raster r = Rasterizer.rasterize(in.get(0), TRI, H, W);
                    Tensor colour = Interpolation.interpolate(Tensor.of(in.get(0).backend(), new double[] {1, 0, 0, 1}, 4, 1), r, TRI, in.get(0));
                    return Antialiasing.antialias(colour, r, in.get(0), TOPOLOGY);
                }).inputs(AuditInput.values("pos", CLIP, 4, 4)).noTorch(NO_TORCH).build(),
                AuditCase.layer("render_normals", in -> VertexNormals.of(in.get(0), SPHERE))
                        .inputs(AuditInput.values("vertices", perturbedSphere(), 1, SPHERE.vertexCount(), 3))
                        .noTorch("vertex normals by scatter-add; the primitives' torch rows cover index_add").build(),
                AuditCase.layer("render_sh_shading", in -> SphericalHarmonics.shade(in.get(0), in.get(1)))
                        .inputs(AuditInput.normal("normals", 1007, 2, 3, 2, 3), AuditInput.normal("sh", 1008, 2, 9, 3))
                        .torch(RenderCases::torchShading).build(),
                AuditCase.layer("render_displacement", in -> {
                    Tensor n = VertexNormals.of(in.get(0), mesh.triangles());
                    return Displacement.detailVertices(in.get(0), n, in.get(1), Tensor.of(in.get(0).backend(), mesh.uvs(), 468, 2));
                }).inputs(AuditInput.values("vertices", centimetresToMetres(mesh.positions()), 1, 468, 3),
                        AuditInput.uniform("displacement", 1009, 0, 0.002, 1, 1, 4, 4)).noTorch(COMPOSITE).build(),
                AuditCase.layer("render_detail_normals", in -> {
                    UvMapper mapper = new UvMapper(mesh.triangles(), mesh.uvs(), 16);
                    Tensor positions = mapper.toUv(in.get(0));
                    Tensor normals = Displacement.normalize(mapper.toUv(VertexNormals.of(in.get(0), mesh.triangles())));
                    return Displacement.detailNormals(positions, normals, in.get(1), mapper.interiorMask(in.get(0).backend()));
                }).inputs(AuditInput.values("vertices", centimetresToMetres(mesh.positions()), 1, 468, 3),
                        AuditInput.uniform("displacement", 1010, 0, 0.002, 1, 1, 16, 16)).noTorch(COMPOSITE).build(),

                AuditCase.layer("render_rodrigues_transform", in -> Rotations.transform(in.get(0), Rotations.rodrigues(in.get(1)), in.get(2)))
                        .inputs(AuditInput.normal("vertices", 1011, 2, 5, 3), AuditInput.uniform("axis_angle", 1012, -1.2, 1.2, 2, 3),
                                AuditInput.normal("translation", 1013, 2, 3))
                        .torch(t -> TorchCameras.transform(t.get(0), TorchCameras.rodrigues(t.get(1)), t.get(2))).build(),
                AuditCase.layer("render_orthographic", in -> OrthographicCamera.project(in.get(0), in.get(1)))
                        .inputs(AuditInput.normal("vertices", 1014, 2, 5, 3), AuditInput.uniform("cam", 1015, 0.5, 2, 2, 3))
                        .torch(t -> TorchCameras.orthographic(t.get(0), t.get(1))).build(),
                AuditCase.layer("render_perspective", in -> PERSPECTIVE.project(in.get(0)))
                        .inputs(AuditInput.normal("vertices", 1016, 2, 5, 3))
                        .torch(t -> TorchCameras.perspective(t.get(0), PERSPECTIVE)).build(),
                morphableHead());
    }

    private static final PerspectiveCamera PERSPECTIVE = new PerspectiveCamera(30, 1.25, 0.1, 10);

    /**
     * The default morphable head's posed vertices (shape and expression blend shapes, then the jaw and neck by
     * linear blend skinning) at small random parameters, for the landmark vertices only so the row stays fast.
     */
    private static AuditCase morphableHead() {
        MorphableHead head = ProceduralHead.create(new ProceduralHead.Config(20, 14, 0, 20240101L));
        int[] landmarks = head.landmarkVertices();
        double[] index = java.util.Arrays.stream(landmarks).asDoubleStream().toArray();
        return AuditCase.layer("render_morphable_head", in -> head.vertices(in.get(0), in.get(1), in.get(2))
                        .indexSelect(1, Tensor.of(in.get(0).backend(), index, index.length)))
                .inputs(AuditInput.normal("shape", 1017, 2, 20), AuditInput.normal("expression", 1018, 2, 14),
                        AuditInput.uniform("pose", 1019, -0.3, 0.3, 2, 6))
                .noTorch(COMPOSITE).build();
    }

    private static final Triangles SPHERE = octahedronSphere();

    /**
     * UVs [n, 2, h, w] whose texel coordinates (u W_t - 0.5, v H_t - 0.5) are an integer plus a fraction in
     * [0.15, 0.85], some up to two texels outside the texture.
     */
    private static AuditInput uv(String name, long seed, int n, int h, int w, int texW, int texH) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n * 2 * h * w];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < 2; c++) {
                int extent = c == 0 ? texW : texH;
                for (int i = 0; i < h * w; i++) {
                    double p = random.nextInt(-2, extent + 1) + 0.15 + 0.7 * random.nextDouble();
                    v[(b * 2 + c) * h * w + i] = (p + 0.5) / extent;
                }
            }
        }
        return new AuditInput(name, new int[] {n, 2, h, w}, v, true);
    }

    /** DECA's SH shading written with libtorch ops. */
    private static org.bytedeco.pytorch.Tensor torchShading(List<org.bytedeco.pytorch.Tensor> t) {
        org.bytedeco.pytorch.Tensor n = t.get(0);
        org.bytedeco.pytorch.Tensor x = n.select(1, 0);
        org.bytedeco.pytorch.Tensor y = n.select(1, 1);
        org.bytedeco.pytorch.Tensor z = n.select(1, 2);
        org.bytedeco.pytorch.Tensor[] basis = {torch.ones_like(x), x, y, z, x.mul(y), x.mul(z), y.mul(z),
                x.mul(x).sub(y.mul(y)), z.mul(z).mul(new org.bytedeco.pytorch.Scalar(3.0)).sub(new org.bytedeco.pytorch.Scalar(1.0))};
        org.bytedeco.pytorch.Tensor out = null;
        for (int k = 0; k < 9; k++) {
            // shading[b, c] += sh[b, k, c] C_k Y_k
            org.bytedeco.pytorch.Tensor coef = t.get(1).select(1, k).unsqueeze(2).unsqueeze(3);          // [B, 3, 1, 1]
            org.bytedeco.pytorch.Tensor term = coef.mul(basis[k].unsqueeze(1)).mul(new org.bytedeco.pytorch.Scalar(SphericalHarmonics.CONSTANTS[k]));
            out = out == null ? term : out.add(term);
        }
        return out;
    }

    private static double[] centimetresToMetres(double[] p) {
        double[] m = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            m[i] = p[i] * 0.01;
        }
        return m;
    }

    /** An octahedron subdivided once onto the unit sphere (18 vertices, 32 triangles). */
    private static Triangles octahedronSphere() {
        return SphereData.TRIANGLES;
    }

    private static double[] perturbedSphere() {
        double[] p = SphereData.POSITIONS.clone();
        SplittableRandom random = new SplittableRandom(1011);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.1 * random.nextGaussian();
        }
        return p;
    }

    /** The subdivided octahedron's arrays. */
    private static final class SphereData {
        static final double[] POSITIONS;
        static final Triangles TRIANGLES;

        static {
            double[][] v = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
            int[][] f = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4}, {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
            java.util.List<double[]> verts = new java.util.ArrayList<>(java.util.List.of(v));
            java.util.Map<Long, Integer> mid = new java.util.HashMap<>();
            int[][] out = new int[32][];
            int k = 0;
            for (int[] t : f) {
                int a = midpoint(verts, mid, t[0], t[1]);
                int b = midpoint(verts, mid, t[1], t[2]);
                int c = midpoint(verts, mid, t[2], t[0]);
                out[k++] = new int[] {t[0], a, c};
                out[k++] = new int[] {a, t[1], b};
                out[k++] = new int[] {c, b, t[2]};
                out[k++] = new int[] {a, b, c};
            }
            POSITIONS = new double[3 * verts.size()];
            for (int i = 0; i < verts.size(); i++) {
                System.arraycopy(verts.get(i), 0, POSITIONS, 3 * i, 3);
            }
            TRIANGLES = Triangles.of(out, verts.size());
        }

        private static int midpoint(java.util.List<double[]> verts, java.util.Map<Long, Integer> mid, int a, int b) {
            long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
            return mid.computeIfAbsent(key, x -> {
                double[] p = new double[3];
                double len = 0;
                for (int i = 0; i < 3; i++) {
                    p[i] = (verts.get(a)[i] + verts.get(b)[i]) / 2;
                    len += p[i] * p[i];
                }
                for (int i = 0; i < 3; i++) {
                    p[i] /= Math.sqrt(len);
                }
                verts.add(p);
                return verts.size() - 1;
            });
        }
    }
}
