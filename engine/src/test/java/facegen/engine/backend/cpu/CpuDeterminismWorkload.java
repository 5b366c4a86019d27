package facegen.engine.backend.cpu;

import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * A fixed seeded workload on the cpu backend, hashed over the raw bits of every result: the child process of
 * {@link CpuCrossJvmDeterminismTest}. It touches every kernel whose arithmetic the JIT could change (exp, log,
 * pow, sqrt, sin, cos, div, sums over axis patterns, max, matmul, the three convolutions, a softplus chain) on
 * sizes with ragged vector tails and on both the one-thread and the two-thread backend.
 *
 * <p>Usage: {@code CpuDeterminismWorkload <rounds>}; prints one line {@code hashes <h1> <h2> ...} with the
 * distinct hashes seen over all rounds (one, when the results never change as the JIT compiles the kernels).
 */
public final class CpuDeterminismWorkload {

    private CpuDeterminismWorkload() {}

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        TreeSet<String> hashes = new TreeSet<>();
        try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2)) {
            for (int r = 0; r < rounds; r++) {
                hashes.add(Long.toHexString(hash(one)));
                hashes.add(Long.toHexString(hash(two)));
            }
        }
        System.out.println("hashes " + String.join(" ", hashes));
    }

    /** FNV-1a over the raw float bits of every result of the workload, in a fixed order. */
    static long hash(CpuBackend backend) {
        Random rnd = new Random(42);
        Shape vec = Shape.of(3_001);
        Shape one = Shape.scalar();
        Storage wide = uniform(backend, rnd, vec.size(), -20, 20);
        Storage positive = uniform(backend, rnd, vec.size(), 0, 50);
        Storage scalarOne = backend.fill(1, 1);
        Storage quarter = backend.fill(0.25, 1);
        List<Storage> results = new ArrayList<>();
        Storage exp = op(backend, results, new Op.Exp(), vec, wide);
        op(backend, results, new Op.Log(), vec, positive);
        op(backend, results, new Op.Sqrt(), vec, positive);
        op(backend, results, new Op.Sin(), vec, wide);
        op(backend, results, new Op.Cos(), vec, wide);
        op(backend, results, new Op.Div(), vec, wide, vec, positive);
        Storage exponent = op(backend, results, new Op.Mul(), vec, wide, one, quarter);
        op(backend, results, new Op.Pow(), vec, positive, vec, exponent);
        // softplus(x) = log(1 + e^x) and its derivative e^x / (1 + e^x)
        Storage onePlus = op(backend, results, new Op.Add(), one, scalarOne, vec, exp);
        op(backend, results, new Op.Log(), vec, onePlus);
        op(backend, results, new Op.Div(), vec, exp, vec, onePlus);

        Shape cube = Shape.of(7, 33, 451);
        Storage block = uniform(backend, rnd, cube.size(), -1, 1);
        for (int[] axes : new int[][] {{1}, {0, 2}, {2}, {0, 1, 2}}) {
            op(backend, results, new Op.Sum(axes), cube, block);
        }
        op(backend, results, new Op.Max(new int[] {2}), cube, block);

        for (int[] mnk : new int[][] {{37, 29, 65}, {130, 140, 150}}) {
            Shape a = Shape.of(mnk[0], mnk[2]);
            Shape b = Shape.of(mnk[2], mnk[1]);
            op(backend, results, new Op.MatMul(false, false), a, uniform(backend, rnd, a.size(), -1, 1),
                    b, uniform(backend, rnd, b.size(), -1, 1));
        }

        ConvGeometry g = ConvGeometry.of(1, 1);
        Shape x = Shape.of(2, 5, 17, 19);
        Shape w = Shape.of(6, 5, 3, 3);
        Storage xs = uniform(backend, rnd, x.size(), -1, 1);
        Storage ws = uniform(backend, rnd, w.size(), -1, 1);
        Op.Conv2d conv = new Op.Conv2d(g);
        Shape y = conv.outputShape(List.of(x, w));
        Storage ys = op(backend, results, conv, x, xs, w, ws);
        op(backend, results, new Op.Conv2dInputGrad(g, 17, 19), y, ys, w, ws);
        op(backend, results, new Op.Conv2dWeightGrad(g, 3, 3), x, xs, y, ys);

        // weighted gather and its adjoints: texture-like taps, 4 per column, many columns sharing texels
        Shape texels = Shape.of(3, 4096);
        Shape taps = Shape.of(4, 20_000);
        Shape perColumn = Shape.of(3, 20_000);
        double[] tapIndex = new double[taps.size()];
        for (int e = 0; e < tapIndex.length; e++) {
            tapIndex[e] = rnd.nextInt(4096);
        }
        Storage index = backend.upload(tapIndex);
        Storage tex = uniform(backend, rnd, texels.size(), -1, 1);
        Storage weights = uniform(backend, rnd, taps.size(), 0, 1);
        Storage sampled = op(backend, results, new Op.WeightedGather(), texels, tex, taps, index, taps, weights);
        op(backend, results, new Op.WeightedGatherInputGrad(4096), perColumn, sampled, taps, index, taps, weights);
        op(backend, results, new Op.WeightedGatherWeightGrad(), perColumn, sampled, texels, tex, taps, index);

        long h = 0xcbf29ce484222325L;
        for (Storage s : results) {
            for (double v : backend.download(s)) {
                h = (h ^ Float.floatToRawIntBits((float) v)) * 0x100000001b3L;
            }
        }
        return h;
    }

    private static Storage uniform(CpuBackend backend, Random rnd, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return backend.upload(v);
    }

    /** Runs op on (shape, storage) pairs and records the result. */
    private static Storage op(CpuBackend backend, List<Storage> results, Op op, Object... shapesAndStorage) {
        List<Shape> shapes = new ArrayList<>();
        List<Operand> operands = new ArrayList<>();
        for (int i = 0; i < shapesAndStorage.length; i += 2) {
            Shape s = (Shape) shapesAndStorage[i];
            shapes.add(s);
            operands.add(new Operand((Storage) shapesAndStorage[i + 1], s));
        }
        Storage out = backend.execute(op, op.outputShape(shapes), operands);
        results.add(out);
        return out;
    }
}
