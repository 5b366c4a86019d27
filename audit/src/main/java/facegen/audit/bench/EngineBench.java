package facegen.audit.bench;

import facegen.audit.TorchOracle;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.backend.cpu.CpuBackend;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Engine speed against libtorch: each hot primitive timed on a facegen backend (through the {@link Backend}
 * interface, exactly the calls autograd makes) and on libtorch, in the same JVM, float32.
 *
 * <p>Method: per case and side, {@link #WARMUP} untimed runs and at least {@link #WARMUP_MS} of them (JIT
 * compilation, caches, thread wake-up), then
 * {@link #RUNS} timed runs back to back, as a training loop issues them; the row holds the medians. The sides
 * run in separate blocks (see {@link #medianMillis}).
 * libtorch runs with {@link #TORCH_THREADS} intra-op threads. Its matmul goes to OpenBLAS, whose pool ignores
 * torch's setting: launchers must set {@code OPENBLAS_NUM_THREADS=2} in the environment before the JVM starts,
 * and {@code GOMP_SPINCOUNT=10000}, without which about one run in nine of libtorch's OpenMP loops stalls for a
 * scheduler tick (see BUILD-NOTES); {@link #main} warns when they are missing.
 *
 * <p>Cases: square matmul 256/512/1024; conv 3x3 pad 1 forward + both backward products (Conv2d,
 * Conv2dInputGrad, Conv2dWeightGrad against torch's conv2d + backward) for N4 C128 64x64 and N8 C512 8x8; and
 * the 1M-element chain exp(x) x + sin(x) / 2 forward, ours as its five primitives.
 */
public final class EngineBench {

    /** Untimed runs of each side before timing, at least. */
    static final int WARMUP = 5;
    /** Untimed running time of each side before timing, at least: C2 needs ~1 s to compile the kernels. */
    static final long WARMUP_MS = 2000;
    /** Timed runs of each side; the row reports the median. */
    static final int RUNS = 11;
    /** libtorch intra-op threads, matching the 2-core machines the anchor figures come from. */
    static final int TORCH_THREADS = 2;
    /** Pause before each side's block of runs, over OpenBLAS's idle spin (2^28 cycles, ~0.1 s). */
    static final long SETTLE_MS = 250;

    private EngineBench() {}

    /** Runs every case on {@code backend} and libtorch, printing each row to {@code progress} as it finishes. */
    public static List<BenchRow> run(Backend backend, PrintStream progress) {
        TorchOracle.unavailableReason().ifPresentOrElse(
                why -> progress.println("# torch column n/a: " + why),
                () -> torch.set_num_threads(TORCH_THREADS));
        Random rnd = new Random(42);
        List<BenchRow> rows = new ArrayList<>();
        progress.println(BenchRow.header());
        for (int n : new int[] {256, 512, 1024}) {
            rows.add(report(progress, matmul(backend, rnd, n)));
        }
        rows.add(report(progress, conv(backend, rnd, 4, 128, 128, 64)));
        rows.add(report(progress, conv(backend, rnd, 8, 512, 512, 8)));
        rows.add(report(progress, elementwise(backend, rnd, 1 << 20)));
        return rows;
    }

    private static BenchRow report(PrintStream progress, BenchRow row) {
        progress.println(row.tsv());
        progress.flush();
        return row;
    }

    // ------------------------------------------------------------------ cases

    private static BenchRow matmul(Backend backend, Random rnd, int n) {
        float[] a = random(rnd, n * n);
        float[] b = random(rnd, n * n);
        Shape s = Shape.of(n, n);
        Op op = new Op.MatMul(false, false);
        try (Inputs ours = new Inputs(backend, List.of(a, b), List.of(s, s))) {
            return time("matmul", n + "x" + n + "x" + n, backend,
                    () -> backend.execute(op, s, ours.operands).release(),
                    () -> {
                        Tensor ta = torchTensor(a, n, n);
                        Tensor tb = torchTensor(b, n, n);
                        return () -> inScope(() -> torch.matmul(ta, tb));
                    });
        }
    }

    private static BenchRow conv(Backend backend, Random rnd, int batch, int inC, int outC, int size) {
        ConvGeometry g = ConvGeometry.of(1, 1);
        Shape xs = Shape.of(batch, inC, size, size);
        Shape ws = Shape.of(outC, inC, 3, 3);
        Shape ys = Shape.of(batch, outC, size, size);
        float[] x = random(rnd, xs.size());
        float[] w = random(rnd, ws.size());
        float[] dy = random(rnd, ys.size());
        Op fwd = new Op.Conv2d(g);
        Op inputGrad = new Op.Conv2dInputGrad(g, size, size);
        Op weightGrad = new Op.Conv2dWeightGrad(g, 3, 3);
        try (Inputs ours = new Inputs(backend, List.of(x, w, dy), List.of(xs, ws, ys))) {
            Operand ox = ours.operands.get(0);
            Operand ow = ours.operands.get(1);
            Operand ody = ours.operands.get(2);
            return time("conv2d fwd+bwd", "N" + batch + " C" + inC + "->" + outC + " " + size + "x" + size + " k3 p1", backend,
                    () -> {
                        backend.execute(fwd, ys, List.of(ox, ow)).release();
                        backend.execute(inputGrad, xs, List.of(ody, ow)).release();
                        backend.execute(weightGrad, ws, List.of(ox, ody)).release();
                    },
                    () -> {
                        Tensor tx = torchTensor(x, batch, inC, size, size);
                        Tensor tw = torchTensor(w, outC, inC, 3, 3);
                        Tensor tdy = torchTensor(dy, batch, outC, size, size);
                        long[] one = {1, 1};
                        return () -> inScope(() -> {
                            // fresh leaves each run so gradients are computed, not accumulated onto old ones
                            Tensor lx = tx.detach().set_requires_grad(true);
                            Tensor lw = tw.detach().set_requires_grad(true);
                            Tensor y = torch.conv2d(lx, lw, new TensorOptional(), one, one, one, 1);
                            y.backward(tdy, new BoolOptional(), false, new TensorArrayRefOptional());
                            return lx.grad();
                        });
                    });
        }
    }

    private static BenchRow elementwise(Backend backend, Random rnd, int n) {
        float[] x = random(rnd, n);
        Shape s = Shape.of(n);
        try (Inputs ours = new Inputs(backend, List.of(x, new float[] {2f}), List.of(s, Shape.scalar()))) {
            Operand ox = ours.operands.get(0);
            Operand two = ours.operands.get(1);
            return time("elementwise fwd", "exp(x)*x+sin(x)/2 n=" + n, backend,
                    () -> {
                        Storage e = backend.execute(new Op.Exp(), s, List.of(ox));
                        Storage m = backend.execute(new Op.Mul(), s, List.of(new Operand(e, s), ox));
                        Storage sn = backend.execute(new Op.Sin(), s, List.of(ox));
                        Storage d = backend.execute(new Op.Div(), s, List.of(new Operand(sn, s), two));
                        Storage y = backend.execute(new Op.Add(), s, List.of(new Operand(m, s), new Operand(d, s)));
                        for (Storage t : List.of(e, m, sn, d, y)) {
                            t.release();
                        }
                    },
                    () -> {
                        Tensor tx = torchTensor(x, n);
                        return () -> inScope(() -> tx.exp().mul(tx).add(tx.sin().div(new Scalar(2.0))));
                    });
        }
    }

    // ------------------------------------------------------------------ timing

    /**
     * Times {@code ours} (then waits for the backend, so a GPU's queued kernels count) and the libtorch side that
     * {@code theirs} sets up; without libtorch's natives (the GPU kit) the torch column is NaN.
     */
    private static BenchRow time(String op, String shape, Backend backend, Runnable ours, Supplier<Runnable> theirs) {
        double o = medianMillis(() -> {
            ours.run();
            backend.synchronize();
        });
        if (TorchOracle.unavailableReason().isPresent()) {
            return new BenchRow(op, shape, backend.name(), o, Double.NaN, Double.NaN);
        }
        try (PointerScope ignored = new PointerScope()) {
            double t = medianMillis(theirs.get());
            return new BenchRow(op, shape, backend.name(), o, t, o / t);
        }
    }

    /**
     * Median wall time of {@link #RUNS} back-to-back runs after {@link #WARMUP} untimed ones, each side in a
     * block of its own: both runtimes keep idle threads spinning after a parallel op (OpenBLAS for ~0.1 s,
     * OpenMP per GOMP_SPINCOUNT, our WorkerPool 0.2 ms), and on 2 cores a spinning thread of one side steals
     * a core from the other's next run, so the blocks are separated by a pause of {@link #SETTLE_MS}.
     */
    private static double medianMillis(Runnable r) {
        settle();
        long warmUntil = System.nanoTime() + WARMUP_MS * 1_000_000;
        for (int i = 0; i < WARMUP || System.nanoTime() < warmUntil; i++) {
            r.run();
        }
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Runs a torch computation and frees every native object it created (results included) right away. */
    private static void inScope(Supplier<Tensor> f) {
        try (PointerScope ignored = new PointerScope()) {
            f.get();
        }
    }

    // ------------------------------------------------------------------ data

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static Tensor torchTensor(float[] data, long... sizes) {
        return torch.from_blob(new FloatPointer(data), sizes, new TensorOptions(torch.ScalarType.Float)).clone();
    }

    /** Our inputs uploaded once, outside the timed region, and released on close. */
    private static final class Inputs implements AutoCloseable {
        final List<Operand> operands = new ArrayList<>();

        Inputs(Backend backend, List<float[]> values, List<Shape> shapes) {
            for (int i = 0; i < values.size(); i++) {
                float[] v = values.get(i);
                double[] d = new double[v.length];
                for (int j = 0; j < v.length; j++) {
                    d[j] = v[j];
                }
                operands.add(new Operand(backend.upload(d), shapes.get(i)));
            }
        }

        @Override
        public void close() {
            operands.forEach(o -> o.storage().release());
        }
    }

    /**
     * Prints the table for the CPU backend with every core, or {@code args[0]} threads. Launch with
     * {@code OPENBLAS_NUM_THREADS=2 GOMP_SPINCOUNT=10000} in the environment (see the class comment).
     */
    public static void main(String[] args) {
        for (String var : List.of("OPENBLAS_NUM_THREADS", "GOMP_SPINCOUNT")) {
            if (System.getenv(var) == null) {
                System.err.println("warning: " + var + " is not set; libtorch timings may be off (see EngineBench)");
            }
        }
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        try (CpuBackend backend = new CpuBackend(threads)) {
            run(backend, System.out);
        }
    }
}
