package facegen.render.demo;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.render.camera.OrthographicCamera;
import facegen.render.camera.Rotations;
import facegen.render.face.FaceRenderer;
import facegen.render.head.FaceMeshData;
import facegen.render.head.MorphableHead;
import facegen.render.head.ProceduralHead;
import facegen.render.io.Images;
import facegen.render.io.ObjWriter;
import facegen.render.mesh.Subdivision;
import facegen.render.mesh.Triangles;
import facegen.render.mesh.VertexNormals;
import facegen.render.shading.Displacement;
import facegen.render.shading.SphericalHarmonics;
import facegen.render.texture.ProceduralAlbedo;
import facegen.render.texture.ProceduralDisplacement;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code facegen render --seed N --out DIR}: samples random head parameters (shape, expression, jaw, a small head
 * rotation), a procedural albedo and displacement map and an SH light, renders the front and +-45 degree yaw views
 * with detailed normals, and writes the set a 3D tool opens: the detailed mesh as OBJ + MTL + albedo PNG, the
 * displacement as a 16-bit PNG, and the three renders.
 */
public final class RenderDemo {
    /** Render size in pixels. */
    public static final int IMAGE_SIZE = 512;
    /** UV map size in texels (albedo and displacement). */
    public static final int UV_SIZE = 512;
    /** The 16-bit displacement PNG spans [-DISPLACEMENT_RANGE/2, +DISPLACEMENT_RANGE/2] metres (mid-grey = 0). */
    public static final double DISPLACEMENT_RANGE = 0.004;
    private static final double[] YAWS = {0, 45, -45};

    private RenderDemo() {}

    /**
     * What the demo wrote.
     *
     * @param files every file written, renders first
     * @param seed  the seed used
     */
    /**
     * What the demo wrote.
     *
     * @param files          every file, in the order written
     * @param seed           the seed of the face
     * @param frontLandmarks the head model's 68 landmarks in the front render, image pixels (x, y) pairs with
     *                       (0, 0) the top-left corner of the image: the ground truth a landmark detector should find
     */
    public record Output(List<Path> files, long seed, double[] frontLandmarks) {}

    /**
     * Runs the demo on {@code backend}, writing into {@code out} and printing one line per file to {@code log}.
     *
     * @throws IOException when a file cannot be written
     */
    public static Output run(Backend backend, long seed, Path out, PrintStream log) throws IOException {
        return run(backend, seed, out, log, IMAGE_SIZE, UV_SIZE);
    }

    /** {@link #run(Backend, long, Path, PrintStream)} with other render and UV map sizes (tests use small ones). */
    public static Output run(Backend backend, long seed, Path out, PrintStream log, int imageSize, int uvSize) throws IOException {
        long start = System.nanoTime();
        MorphableHead head = ProceduralHead.create();
        FaceMeshData mesh = FaceMeshData.load();
        FaceRenderer renderer = new FaceRenderer(head.triangles(), head.uvs());
        SplittableRandom random = new SplittableRandom(seed);
        List<Path> files = new ArrayList<>();
        double[] frontLandmarks = null;
        try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
            Tensor shape = Tensor.randn(backend, random.nextLong(), 1, head.shapeCount());
            Tensor expression = Tensor.randn(backend, random.nextLong(), 1, head.expressionCount()).mul(0.8);
            double jaw = 0.12 * random.nextDouble();
            Tensor pose = Tensor.of(backend, new double[] {0.06 * random.nextGaussian(), 0.06 * random.nextGaussian(), 0.03 * random.nextGaussian(),
                    jaw, 0, 0}, 1, 6);
            Tensor vertices = head.vertices(shape, expression, pose);
            Tensor albedo = ProceduralAlbedo.generate(backend, mesh, uvSize, random.nextLong());
            Tensor displacement = ProceduralDisplacement.generate(backend, mesh, uvSize, random.nextLong());
            Tensor light = randomLight(backend, random);
            double[] background = {0.25, 0.26, 0.3};
            Tensor centre = centroid(vertices);
            for (double yaw : YAWS) {
                Tensor turned = Rotations.transform(vertices.sub(centre), Rotations.yaw(backend, yaw), null).add(centre);
                Tensor clip = OrthographicCamera.project(turned, camera(backend));
                FaceRenderer.Result r = renderer.render(turned, clip, albedo, light, displacement, imageSize, imageSize, background);
                if (yaw == 0) {
                    frontLandmarks = toPixels(OrthographicCamera.project(head.landmarks(turned), camera(backend)).toArray(),
                            imageSize, imageSize);
                }
                String name = yaw == 0 ? "render_front.png" : String.format(Locale.ROOT, "render_yaw%+d.png", (int) yaw);
                files.add(Images.writePng(r.image(), 0, out.resolve(name)));
            }
            files.add(Images.writePng(albedo, 0, out.resolve("albedo.png")));
            files.add(Images.writePng16(displacement, 0, -DISPLACEMENT_RANGE / 2, DISPLACEMENT_RANGE, out.resolve("displacement.png")));
            files.addAll(writeMeshes(backend, head, vertices, displacement, out));
        }
        for (Path f : files) {
            log.println("wrote " + f.toAbsolutePath());
        }
        log.printf(Locale.ROOT, "render demo: seed %d, %d files in %s (%.1f s on %s)%n", seed, files.size(), out.toAbsolutePath(),
                (System.nanoTime() - start) / 1e9, backend.name());
        return new Output(List.copyOf(files), seed, frontLandmarks);
    }

    /** DECA's orthographic camera (s, tx, ty) of every view. */
    private static Tensor camera(Backend backend) {
        return Tensor.of(backend, new double[] {9.0, 0, 0.005}, 1, 3);
    }

    /** Clip-space points [1, P, 4] to (x, y) image pixels, by the rasteriser's screen mapping (w = 1 here). */
    private static double[] toPixels(double[] clip, int height, int width) {
        double[] xy = new double[clip.length / 2];
        for (int p = 0; p < clip.length / 4; p++) {
            xy[2 * p] = (clip[4 * p] / clip[4 * p + 3] + 1) * width / 2;
            xy[2 * p + 1] = (1 - clip[4 * p + 1] / clip[4 * p + 3]) * height / 2;
        }
        return xy;
    }

    /**
     * The coarse mesh, and the detailed mesh: the posed mesh Loop-subdivided twice (so the displacement has vertices
     * to move), displaced along its normals by the map sampled at each vertex's UV.
     */
    private static List<Path> writeMeshes(Backend backend, MorphableHead head, Tensor vertices, Tensor displacement, Path out)
            throws IOException {
        double[] positions = vertices.toArray();
        double[] uvs = head.uvs();
        Triangles tri = head.triangles();
        Path coarse = ObjWriter.write(out, "face_coarse", positions, uvs, tri, "albedo.png");
        for (int s = 0; s < 2; s++) {
            Subdivision sub = Subdivision.loop(positions, uvs, tri);
            positions = sub.positions();
            uvs = sub.uvs();
            tri = sub.triangles();
        }
        int v = tri.vertexCount();
        Tensor dense = Tensor.of(backend, positions, 1, v, 3);
        Tensor normals = VertexNormals.of(dense, tri);
        Tensor detailed = Displacement.detailVertices(dense, normals, displacement, Tensor.of(backend, uvs, v, 2));
        Path obj = ObjWriter.write(out, "face", detailed.toArray(), uvs, tri, "albedo.png");
        return List.of(obj, out.resolve("face.mtl"), coarse, out.resolve("face_coarse.mtl"));
    }

    /** A mostly white light from the upper front with a random tint and direction, as [1, 9, 3]. */
    private static Tensor randomLight(Backend backend, SplittableRandom random) {
        double dx = 0.6 * random.nextGaussian();
        double dy = 0.5 + 0.3 * random.nextDouble();
        Tensor white = SphericalHarmonics.whiteLight(backend, 2.1, 1.1, dx, dy, 1.0);
        double[] tint = {1 + 0.05 * random.nextGaussian(), 1, 1 + 0.05 * random.nextGaussian()};
        return white.mul(Tensor.of(backend, tint, 1, 1, 3));
    }

    private static Tensor centroid(Tensor vertices) {
        return vertices.mean(new int[] {1}, true);
    }
}
