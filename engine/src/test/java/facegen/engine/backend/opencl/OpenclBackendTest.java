package facegen.engine.backend.opencl;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.backend.cpu.CpuBackend;
import facegen.engine.backend.device.DeviceBackend;
import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceTestBackends;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenCL device backend against the CPU backend on seeded random inputs, one or more cases per primitive
 * (broadcasting, strided slices, grouped/dilated/strided convolutions, batched transposed products, sizes that are
 * not multiples of the tile); its determinism; and its memory accounting over long allocate/execute/release loops.
 * Skipped, with the reason, where OpenCL is unavailable.
 */
class OpenclBackendTest {

    /** Largest error allowed, relative to max(1, |cpu value|): float32 rounding of sums of up to ~1000 terms. */
    private static final double TOLERANCE = 2e-5;

    private static Backend available;
    private static DeviceBackend opencl;
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        available = DeviceTestBackends.openOrSkipping("opencl");
        opencl = available instanceof DeviceBackend d ? d : null;
        cpu = new CpuBackend();
    }

    /** Each test, not just the class, is reported skipped with the reason where OpenCL is unavailable. */
    @BeforeEach
    void skipWithoutOpenCl() {
        DeviceTestBackends.skipIfUnavailable(available);
    }

    @AfterAll
    static void close() {
        if (opencl != null) {
            opencl.close();
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    /** One primitive on inputs drawn from a seeded generator (one array per input shape). */
    private record Case(String label, Op op, List<Shape> shapes, Function<Random, List<double[]>> inputs) {
        @Override
        public String toString() {
            return label;
        }
    }

    @Test
    void everyPrimitiveAgreesWithTheCpuBackend() {
        Set<String> covered = new LinkedHashSet<>();
        StringBuilder report = new StringBuilder("opencl vs cpu, max |difference| (max relative to max(1, |cpu|)):\n");
        double worst = 0;
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            List<double[]> in = c.inputs.apply(new Random(1000 + i));
            double[] expected = run(cpu, c, in);
            double[] actual = run(opencl, c, in);
            assertThat(actual).as(c.label + " length").hasSameSizeAs(expected);
            double maxAbs = 0;
            double maxRel = 0;
            for (int j = 0; j < expected.length; j++) {
                double diff = Math.abs(actual[j] - expected[j]);
                if (Double.isNaN(expected[j]) || Double.isNaN(actual[j])) {
                    assertThat(actual[j]).as(c.label + " element " + j + " NaN-ness").isEqualTo(expected[j]);
                    continue;
                }
                maxAbs = Math.max(maxAbs, diff);
                maxRel = Math.max(maxRel, diff / Math.max(1, Math.abs(expected[j])));
            }
            report.append(String.format("  %-60s %.3e (%.3e)%n", c.label, maxAbs, maxRel));
            assertThat(maxRel).as(c.label).isLessThanOrEqualTo(TOLERANCE);
            worst = Math.max(worst, maxRel);
            covered.add(c.op.getClass().getSimpleName());
        }
        System.out.print(report.append(String.format("  worst relative error %.3e over %d cases%n", worst, CASES.size())));
        assertThat(covered).as("primitives covered").containsExactlyInAnyOrderElementsOf(primitives(Op.class));
    }

    /** Simple names of every record of the sealed hierarchy under {@code type}. */
    private static List<String> primitives(Class<?> type) {
        if (!type.isSealed()) {
            return List.of(type.getSimpleName());
        }
        return Arrays.stream(type.getPermittedSubclasses()).flatMap(c -> primitives(c).stream()).distinct().toList();
    }

    @Test
    void sameInputsGiveBitIdenticalResults() {
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            List<double[]> in = c.inputs.apply(new Random(2000 + i));

            double[] first = run(opencl, c, in);
            double[] second = run(opencl, c, in);

            for (int j = 0; j < first.length; j++) {
                assertThat(Double.doubleToRawLongBits(second[j])).as(c.label + " element " + j)
                        .isEqualTo(Double.doubleToRawLongBits(first[j]));
            }
        }
    }

    @Test
    void tenThousandAllocateExecuteReleaseCyclesLeaveNoLiveBytes() {
        long before = opencl.liveBytes();
        Shape shape = Shape.of(4, 33);
        double[] values = new double[shape.size()];
        Arrays.fill(values, 0.5);
        double last = 0;
        for (int i = 0; i < 10_000; i++) {
            Storage x = opencl.upload(values);
            Storage bias = opencl.fill(i, 33);
            Operand xo = new Operand(x, shape);
            Storage sum = opencl.execute(new Op.Add(), shape, List.of(xo, new Operand(bias, Shape.of(33))));
            Storage total = opencl.execute(new Op.Sum(new int[] {0, 1}), Shape.of(1, 1), List.of(new Operand(sum, shape)));
            if (i % 2500 == 0 || i == 9_999) {
                last = opencl.download(total)[0];
                assertThat(opencl.liveBytes()).as("live bytes inside iteration " + i).isEqualTo(before + 4L * (2 * 132 + 33 + 1));
            }
            x.release();
            bias.release();
            sum.release();
            total.release();
        }

        assertThat(last).isEqualTo(132 * (0.5 + 9_999));
        assertThat(opencl.liveBytes()).isEqualTo(before);
        System.out.printf("10000 upload/fill/add/sum/release cycles: liveBytes %d -> %d, cached metadata %d bytes%n",
                before, opencl.liveBytes(), opencl.metadataBytes());
    }

    @Test
    void tenThousandDeviceAllocationsAndFreesSucceed() {
        for (int i = 0; i < 10_000; i++) {
            DeviceBuffer b = opencl.device().allocate(4096 + 4L * (i % 64), "loop buffer " + i);
            if (i % 1000 == 0) {
                opencl.device().write(b, new float[] {i});
            }
            b.free();
        }
        float[] one = new float[1];
        DeviceBuffer b = opencl.device().allocate(4, "after the loop");
        opencl.device().write(b, new float[] {42});
        opencl.device().read(b, one);
        b.free();
        opencl.device().synchronize();

        assertThat(one[0]).isEqualTo(42f);
    }

    @Test
    void storageMayBeReleasedAfterItsBackendClosed() {
        Backend own = DeviceTestBackends.openOrSkipping("opencl");
        Storage x = own.upload(new double[] {1, 2, 3});
        own.close();

        x.release();

        assertThat(x.isFreed()).isTrue();
        assertThat(own.liveBytes()).isZero();
    }

    // ---------------------------------------------------------------- cases

    private static final List<Case> CASES = cases();

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Shape s = Shape.of(3, 17, 5);
        for (Op.Unary u : List.of(new Op.Neg(), new Op.Exp(), new Op.Sin(), new Op.Cos())) {
            cases.add(new Case(u.name() + " " + s, u, List.of(s), r -> List.of(gaussian(r, s))));
        }
        for (Op.Unary u : List.of(new Op.Log(), new Op.Sqrt())) {
            cases.add(new Case(u.name() + " of positive " + s, u, List.of(s), r -> List.of(uniform(r, s, 0.01, 5))));
        }
        Shape a = Shape.of(4, 1, 5);
        Shape b = Shape.of(3, 1);
        List<Op.Binary> binaries = List.of(new Op.Add(), new Op.Sub(), new Op.Mul(), new Op.Div(), new Op.Maximum(),
                new Op.Minimum(), new Op.Less(), new Op.Equal());
        for (Op.Binary op : binaries) {
            // Small integers, so that Equal and ties of Maximum/Minimum actually occur.
            cases.add(new Case(op.name() + " " + a + " with " + b + " broadcast", op, List.of(a, b),
                    r -> List.of(integers(r, a, -3, 3), integers(r, b, 1, 3))));
            cases.add(new Case(op.name() + " equal shapes " + s, op, List.of(s, s),
                    r -> List.of(gaussian(r, s), gaussian(r, s))));
        }
        cases.add(new Case("pow positive base " + a + " with " + b, new Op.Pow(), List.of(a, b),
                r -> List.of(uniform(r, a, 0.1, 3), uniform(r, b, -2, 2))));
        cases.add(new Case("pow scalar exponent", new Op.Pow(), List.of(s, Shape.scalar()),
                r -> List.of(uniform(r, s, 0.1, 3), new double[] {2.5})));
        Shape cond = Shape.of(4, 1, 5);
        cases.add(new Case("where [4,1,5] ? [3,5] : scalar", new Op.Where(), List.of(cond, Shape.of(3, 5), Shape.scalar()),
                r -> List.of(integers(r, cond, 0, 1), gaussian(r, Shape.of(3, 5)), new double[] {-7})));

        Shape big = Shape.of(6, 50, 7);
        for (int[] axes : List.of(new int[] {1}, new int[] {0, 2}, new int[] {0, 1, 2}, new int[] {2})) {
            cases.add(new Case("sum over " + Arrays.toString(axes) + " of " + big, new Op.Sum(axes), List.of(big),
                    r -> List.of(gaussian(r, big))));
            cases.add(new Case("max over " + Arrays.toString(axes) + " of " + big, new Op.Max(axes), List.of(big),
                    r -> List.of(gaussian(r, big))));
        }
        Shape rows = Shape.of(3, 1000);
        cases.add(new Case("sum over a 1000-long axis (tree path)", new Op.Sum(new int[] {1}), List.of(rows),
                r -> List.of(gaussian(r, rows))));

        Shape x4 = Shape.of(2, 3, 4, 5);
        cases.add(new Case("reshape", new Op.Reshape(Shape.of(6, 20)), List.of(x4), r -> List.of(gaussian(r, x4))));
        cases.add(new Case("permute [3,1,0,2]", new Op.Permute(new int[] {3, 1, 0, 2}), List.of(x4), r -> List.of(gaussian(r, x4))));
        Shape e = Shape.of(3, 1, 5);
        cases.add(new Case("expand [3,1,5] to [2,3,4,5]", new Op.Expand(Shape.of(2, 3, 4, 5)), List.of(e), r -> List.of(gaussian(r, e))));
        Shape sl = Shape.of(7, 9, 6);
        cases.add(new Case("slice 1:7:2, 0:9:3, 2:6:1", new Op.Slice(new int[] {1, 0, 2}, new int[] {7, 9, 6}, new int[] {2, 3, 1}),
                List.of(sl), r -> List.of(gaussian(r, sl))));
        Shape p = Shape.of(3, 4, 5);
        cases.add(new Case("pad before [1,0,2] after [0,3,1]", new Op.Pad(new int[] {1, 0, 2}, new int[] {0, 3, 1}), List.of(p),
                r -> List.of(gaussian(r, p))));
        List<Shape> parts = List.of(Shape.of(2, 1, 3), Shape.of(2, 4, 3), Shape.of(2, 2, 3));
        cases.add(new Case("concat 3 inputs on axis 1", new Op.Concat(1, 3), parts,
                r -> parts.stream().map(sh -> gaussian(r, sh)).toList()));
        cases.add(new Case("flip axes [0,2]", new Op.Flip(new int[] {0, 2}), List.of(p), r -> List.of(gaussian(r, p))));

        Shape src = Shape.of(3, 5, 4);
        Shape index = Shape.of(9);
        cases.add(new Case("index_select axis 1, repeated indices", new Op.IndexSelect(1), List.of(src, index),
                r -> List.of(gaussian(r, src), integers(r, index, 0, 4))));
        Shape added = Shape.of(3, 9, 4);
        cases.add(new Case("index_add axis 1 into 5 rows, collisions", new Op.IndexAdd(1, 5), List.of(added, index),
                r -> List.of(gaussian(r, added), integers(r, index, 0, 4))));
        Shape wide = Shape.of(2000, 3);
        Shape many = Shape.of(2000);
        cases.add(new Case("index_add 2000 sources into 7 rows", new Op.IndexAdd(0, 7), List.of(wide, many),
                r -> List.of(gaussian(r, wide), integers(r, many, 0, 6))));

        Shape table = Shape.of(3, 40);
        Shape taps = Shape.of(4, 300);
        Shape perColumn = Shape.of(3, 300);
        cases.add(new Case("weighted_gather 4 taps x 300 from 40 columns", new Op.WeightedGather(), List.of(table, taps, taps),
                r -> List.of(gaussian(r, table), integers(r, taps, 0, 39), gaussian(r, taps))));
        cases.add(new Case("weighted_gather_input_grad 1200 entries into 40 columns", new Op.WeightedGatherInputGrad(40),
                List.of(perColumn, taps, taps), r -> List.of(gaussian(r, perColumn), integers(r, taps, 0, 39), gaussian(r, taps))));
        cases.add(new Case("weighted_gather_weight_grad", new Op.WeightedGatherWeightGrad(), List.of(perColumn, table, taps),
                r -> List.of(gaussian(r, perColumn), gaussian(r, table), integers(r, taps, 0, 39))));

        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Shape ma = ta ? Shape.of(3, 23, 37) : Shape.of(3, 37, 23);
                Shape mb = tb ? Shape.of(3, 41, 23) : Shape.of(3, 23, 41);
                cases.add(new Case("matmul batched 3x(37x23 @ 23x41) transA=" + ta + " transB=" + tb,
                        new Op.MatMul(ta, tb), List.of(ma, mb), r -> List.of(gaussian(r, ma), gaussian(r, mb))));
            }
        }
        Shape ka = Shape.of(1, 70, 300);
        Shape kb = Shape.of(1, 300, 5);
        cases.add(new Case("matmul long inner axis 70x300 @ 300x5", new Op.MatMul(false, false), List.of(ka, kb),
                r -> List.of(gaussian(r, ka), gaussian(r, kb))));

        addConvCases(cases, Shape.of(2, 4, 9, 8), Shape.of(6, 2, 3, 2), new ConvGeometry(2, 1, 1, 2, 2, 1, 2));
        addConvCases(cases, Shape.of(1, 3, 11, 10), Shape.of(5, 3, 3, 3), ConvGeometry.of(1, 1));
        addConvCases(cases, Shape.of(2, 6, 8, 8), Shape.of(6, 1, 3, 3), new ConvGeometry(3, 2, 0, 1, 1, 2, 6));

        Shape img = Shape.of(2, 3, 6, 7);
        Shape grid = Shape.of(2, 5, 4, 2);
        Shape dy = Shape.of(2, 3, 5, 4);
        cases.add(new Case("grid_sample", new Op.GridSample(), List.of(img, grid),
                r -> List.of(gaussian(r, img), gridInCells(r, grid, 7, 6))));
        cases.add(new Case("grid_sample_input_grad", new Op.GridSampleInputGrad(6, 7), List.of(dy, grid),
                r -> List.of(gaussian(r, dy), gridInCells(r, grid, 7, 6))));
        cases.add(new Case("grid_sample_grid_grad", new Op.GridSampleGridGrad(), List.of(img, grid, dy),
                r -> List.of(gaussian(r, img), gridInCells(r, grid, 7, 6), gaussian(r, dy))));
        Shape denseGrid = Shape.of(1, 40, 40, 2);
        Shape small = Shape.of(1, 2, 5, 5);
        cases.add(new Case("grid_sample_input_grad 1600 samples onto 5x5", new Op.GridSampleInputGrad(5, 5),
                List.of(Shape.of(1, 2, 40, 40), denseGrid),
                r -> List.of(gaussian(r, Shape.of(1, 2, 40, 40)), gridInCells(r, denseGrid, 5, 5))));
        cases.add(new Case("grid_sample 1600 samples of 5x5", new Op.GridSample(), List.of(small, denseGrid),
                r -> List.of(gaussian(r, small), gridInCells(r, denseGrid, 5, 5))));
        return cases;
    }

    private static void addConvCases(List<Case> cases, Shape x, Shape w, ConvGeometry g) {
        Op.Conv2d conv = new Op.Conv2d(g);
        Shape y = conv.outputShape(List.of(x, w));
        String label = " x" + x + " w" + w + " " + g;
        cases.add(new Case("conv2d" + label, conv, List.of(x, w), r -> List.of(gaussian(r, x), gaussian(r, w))));
        cases.add(new Case("conv2d_input_grad" + label, new Op.Conv2dInputGrad(g, x.dim(2), x.dim(3)), List.of(y, w),
                r -> List.of(gaussian(r, y), gaussian(r, w))));
        cases.add(new Case("conv2d_weight_grad" + label, new Op.Conv2dWeightGrad(g, w.dim(2), w.dim(3)), List.of(x, y),
                r -> List.of(gaussian(r, x), gaussian(r, y))));
    }

    // ---------------------------------------------------------------- fixtures

    /** op(inputs) on {@code backend}, downloaded; every storage is released. */
    private static double[] run(Backend backend, Case c, List<double[]> in) {
        List<Operand> operands = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            operands.add(new Operand(backend.upload(in.get(i)), c.shapes.get(i)));
        }
        Shape out = c.op.outputShape(c.shapes);
        Storage y = backend.execute(c.op, out, operands);
        try {
            return backend.download(y);
        } finally {
            y.release();
            operands.forEach(o -> o.storage().release());
        }
    }

    private static double[] gaussian(Random r, Shape s) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static double[] uniform(Random r, Shape s, double lo, double hi) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    private static double[] integers(Random r, Shape s, int lo, int hi) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + r.nextInt(hi - lo + 1);
        }
        return v;
    }

    /**
     * Grid values whose pixel coordinates lie inside a cell, away from its edges (including the half-outside border
     * cells): there float32 and float64 agree on the floor, so both backends pick the same taps.
     */
    private static double[] gridInCells(Random r, Shape grid, int width, int height) {
        double[] v = new double[grid.size()];
        for (int i = 0; i < v.length; i += 2) {
            v[i] = inCell(r, width);
            v[i + 1] = inCell(r, height);
        }
        return v;
    }

    private static double inCell(Random r, int size) {
        double pixel = r.nextInt(size + 1) - 1 + 0.1 + 0.8 * r.nextDouble();
        return (float) ((2 * pixel + 1) / size - 1);
    }
}
