package facegen.render.bench;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.ProfilingBackend;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.render.camera.OrthographicCamera;
import facegen.render.head.FaceMeshData;
import facegen.render.head.MorphableHead;
import facegen.render.head.ProceduralHead;
import facegen.render.mesh.EdgeTopology;
import facegen.render.mesh.Triangles;
import facegen.render.raster.Antialiasing;
import facegen.render.raster.BoundaryMode;
import facegen.render.raster.Interpolation;
import facegen.render.raster.Raster;
import facegen.render.raster.Rasterizer;
import facegen.render.raster.Texturing;
import facegen.render.texture.ProceduralAlbedo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code facegen bench render}: rasterize + interpolate (UVs) + texture (a 256 x 256 RGB albedo) + antialias, forward
 * and backward (to vertex positions and texture), on the procedural head Loop-subdivided twice (14,368 triangles,
 * about the 10k), filling most of a 256 x 256 and a 512 x 512 image; the results stay on the backend (a
 * trainer reads back losses, not images). Median of {@link #RUNS} timed runs after
 * at least {@link #WARMUP} warm-up runs and 3 seconds. Each timed run uploads the clip-space positions and does all
 * per-frame work; what a training loop keeps across frames (mesh topology, UVs, texture) is built once. On a
 * {@link ProfilingBackend} the time per primitive over the timed runs follows each row.
 */
public final class RenderBench {
    /** Untimed runs before measuring (JIT warm-up). */
    public static final int WARMUP = 5;
    /**
     * Warm-up lasts at least this long: kernels are slow until C2 has compiled them, and on two cores the first
     * compilations and deoptimisations go on for several seconds (3 s left some runs twice as slow as others).
     */
    static final long MIN_WARMUP_NANOS = 10_000_000_000L;
    /** Timed runs per row. */
    public static final int RUNS = 15;
    private static final int[] RESOLUTIONS = {256, 512};

    private RenderBench() {}

    /** The benchmark rows for {@code backend}, with one progress line per row. */
    public static List<RenderBenchRow> run(Backend backend, PrintStream progress) {
        return run(backend, progress, RESOLUTIONS, 2, WARMUP, RUNS, MIN_WARMUP_NANOS);
    }

    /**
     * The benchmark with explicit sizes (for tests): the head subdivided {@code subdivisions} times, at least
     * {@code warmup} untimed runs lasting at least {@code minWarmupNanos}, then {@code runs} timed ones.
     */
    public static List<RenderBenchRow> run(Backend backend, PrintStream progress, int[] resolutions, int subdivisions,
                                           int warmup, int runs, long minWarmupNanos) {
        MorphableHead head = ProceduralHead.create(new ProceduralHead.Config(20, 14, subdivisions, 1));
        Triangles tri = head.triangles();
        EdgeTopology topology = EdgeTopology.of(tri);
        List<RenderBenchRow> rows = new ArrayList<>();
        try (TensorScope _ = TensorScope.open()) {
            Tensor albedo = ProceduralAlbedo.generate(backend, FaceMeshData.load(), 256, 1);
            Tensor vertices = Tensor.of(backend, head.template(), 1, head.vertexCount(), 3);
            double[] clip = OrthographicCamera.project(vertices, Tensor.of(backend, new double[] {10.5, 0, 0.005}, 1, 3)).toArray();
            // constant per mesh, as in a training loop: the UV attribute tensor is built once, like the albedo
            Tensor uvs = Tensor.of(backend, head.uvs(), head.vertexCount(), 2);
            for (int size : resolutions) {
                double[] rasterize = new double[runs];
                double[] forward = new double[runs];
                double[] total = new double[runs];
                int covered = 0;
                long warmStart = System.nanoTime();
                for (int run = -warmup; run < runs; run++) {
                    if (run == -1 && System.nanoTime() - warmStart < minWarmupNanos) {
                        run = -2;                                                        // keep warming up: the JIT
                    }
                    if (run == 0 && backend instanceof ProfilingBackend profiler) {
                        profiler.reset();
                    }
                    try (TensorScope _ = TensorScope.open()) {
                        long t0 = System.nanoTime();
                        Tensor pos = Tensor.of(backend, clip, 1, head.vertexCount(), 4).requireGrad();
                        Tensor tex = albedo.requireGrad();
                        Raster raster = Rasterizer.rasterize(pos, tri, size, size);
                        long t1 = System.nanoTime();
                        Tensor uv = Interpolation.interpolate(uvs, raster, tri, pos);
                        Tensor colour = Texturing.texture(tex, uv, raster, BoundaryMode.CLAMP);
                        Tensor image = Antialiasing.antialias(colour, raster, pos, topology);
                        backend.synchronize();                                  // the forward is complete (GPU queues)
                        long t2 = System.nanoTime();
                        // seed = ones: the gradient of sum(image), without timing the sum and its broadcast
                        List<Tensor> grads = Autograd.grad(List.of(image), List.of(Tensor.ones(backend, image.shape().dims())),
                                List.of(pos, tex), false);
                        backend.synchronize();
                        long t3 = System.nanoTime();
                        if (run >= 0) {
                            rasterize[run] = (t1 - t0) / 1e6;
                            forward[run] = (t2 - t0) / 1e6;
                            total[run] = (t3 - t0) / 1e6;
                        }
                        covered = raster.coveredCount();
                    }
                }
                double ms = median(total);
                RenderBenchRow row = new RenderBenchRow("head", tri.count(), size, backend.name(), covered, median(rasterize),
                        median(forward), ms, tri.count() / ms / 1e3);
                progress.println(row.tsv());
                if (backend instanceof ProfilingBackend profiler) {
                    progress.print(profiler.table(runs));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
