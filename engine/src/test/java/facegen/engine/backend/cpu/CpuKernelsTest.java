package facegen.engine.backend.cpu;

import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The fast float32 kernels of {@link CpuBackend} against straightforward double loops written here, on random
 * inputs with fixed seeds and sizes chosen to hit every edge: extents that are not multiples of the vector
 * length or register tile, several K blocks and column tiles, stride, dilation, groups, depthwise, 1x1.
 * Tolerance: 1e-4 of the sum of absolute terms (the scale float32 rounding errors grow with).
 */
class CpuKernelsTest {

    private static final double TOLERANCE = 1e-4;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    // ------------------------------------------------------------------ helpers

    private static double[] random(Random rnd, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return v;
    }

    /** Runs {@code op} on the backend and returns its result as doubles; frees everything it allocated. */
    private static double[] run(Op op, List<Shape> shapes, List<double[]> values) {
        List<Operand> operands = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            operands.add(new Operand(backend.upload(values.get(i)), shapes.get(i)));
        }
        Shape out = op.outputShape(shapes);
        Storage y = backend.execute(op, out, operands);
        double[] result = backend.download(y);
        y.release();
        operands.forEach(o -> o.storage().release());
        return result;
    }

    /** Checks |got - want| <= TOLERANCE * (scale + 1e-30) element by element, naming the first miss. */
    private static void assertClose(String what, double[] got, double[] want, double[] scale) {
        assertThat(got).as(what + " length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            double tol = TOLERANCE * (scale[i] + 1e-30);
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }

    // ------------------------------------------------------------------ matmul

    @Test
    void matmulMatchesDoubleLoopsForAllTransposesAndAwkwardSizes() {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 64, 64}, {67, 131, 257}, {5, 600, 300},
                {300, 3, 520}, {130, 700, 90}, {257, 515, 600}};
        Random rnd = new Random(1);
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                int batch = s[0] * s[1] * s[2] < 100_000 ? 3 : 1;
                checkMatmul(rnd, batch, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0);
            }
        }
    }

    private static void checkMatmul(Random rnd, int batch, int m, int n, int k, boolean ta, boolean tb) {
        Shape sa = ta ? Shape.of(batch, k, m) : Shape.of(batch, m, k);
        Shape sb = tb ? Shape.of(batch, n, k) : Shape.of(batch, k, n);
        double[] a = random(rnd, batch * m * k, -1, 1);
        double[] b = random(rnd, batch * k * n, -1, 1);
        double[] want = new double[batch * m * n];
        double[] scale = new double[want.length];
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[q * m * k + (ta ? p * m + i : i * k + p)];
                        double y = b[q * k * n + (tb ? j * k + p : p * n + j)];
                        s += x * y;
                        abs += Math.abs(x * y);
                    }
                    want[(q * m + i) * n + j] = s;
                    scale[(q * m + i) * n + j] = abs;
                }
            }
        }
        double[] got = run(new Op.MatMul(ta, tb), List.of(sa, sb), List.of(a, b));
        assertClose("matmul " + batch + "x" + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb, got, want, scale);
    }

    // ------------------------------------------------------------------ convolution

    /** One convolution case: x [n, c, h, w], weight [o, c/groups, kh, kw], geometry. */
    private record Conv(int n, int c, int o, int h, int w, int kh, int kw, ConvGeometry g) {
        Shape x() {
            return Shape.of(n, c, h, w);
        }

        Shape weight() {
            return Shape.of(o, c / g.groups(), kh, kw);
        }

        Shape y() {
            return Shape.of(n, o, g.outH(h, kh), g.outW(w, kw));
        }
    }

    private static List<Conv> convCases() {
        return List.of(
                new Conv(2, 3, 4, 7, 9, 3, 3, ConvGeometry.of(1, 1)),
                new Conv(2, 8, 6, 5, 5, 1, 1, ConvGeometry.of(1, 0)),                 // 1x1, chunked images
                new Conv(1, 8, 16, 24, 24, 1, 1, ConvGeometry.of(1, 0)),              // 1x1, input is the column matrix
                new Conv(2, 4, 6, 9, 8, 3, 3, ConvGeometry.of(2, 1)),                 // stride 2
                new Conv(1, 3, 5, 10, 11, 3, 3, new ConvGeometry(1, 1, 2, 2, 2, 2, 1)), // dilation 2
                new Conv(2, 4, 6, 7, 7, 3, 3, ConvGeometry.of(1, 1).withGroups(2)),   // groups 2
                new Conv(2, 6, 6, 8, 8, 3, 3, ConvGeometry.of(1, 1).withGroups(6)),   // depthwise
                new Conv(1, 5, 7, 6, 13, 2, 4, new ConvGeometry(2, 1, 0, 2, 1, 2, 1)), // everything asymmetric
                new Conv(3, 2, 3, 4, 4, 5, 5, ConvGeometry.of(1, 2)),                 // kernel larger than image
                new Conv(2, 3, 4, 5, 6, 1, 1, ConvGeometry.of(1, 1)),                 // pad > d (k - 1): input grad via col2im
                new Conv(5, 64, 64, 16, 16, 3, 3, ConvGeometry.of(1, 1)),             // large, chunked images
                new Conv(2, 16, 32, 32, 32, 3, 3, ConvGeometry.of(1, 1)));            // large, one image per chunk
    }

    @Test
    void convolutionPrimitivesMatchDoubleLoops() {
        Random rnd = new Random(2);
        for (Conv cv : convCases()) {
            double[] x = random(rnd, (int) cv.x().numel(), -1, 1);
            double[] w = random(rnd, (int) cv.weight().numel(), -1, 1);
            double[] dy = random(rnd, (int) cv.y().numel(), -1, 1);
            ConvReference ref = new ConvReference(cv, x, w, dy);
            String name = cv.toString();
            assertClose("conv2d " + name,
                    run(new Op.Conv2d(cv.g()), List.of(cv.x(), cv.weight()), List.of(x, w)), ref.y, ref.yScale);
            assertClose("conv2d input-grad " + name,
                    run(new Op.Conv2dInputGrad(cv.g(), cv.h(), cv.w()), List.of(cv.y(), cv.weight()), List.of(dy, w)),
                    ref.dx, ref.dxScale);
            assertClose("conv2d weight-grad " + name,
                    run(new Op.Conv2dWeightGrad(cv.g(), cv.kh(), cv.kw()), List.of(cv.x(), cv.y()), List.of(x, dy)),
                    ref.dw, ref.dwScale);
        }
    }

    @Test
    void matmulAndConvolutionAreBitIdenticalOnOneThreadAndOnTwo() {
        Random rnd = new Random(7);
        Conv cv = new Conv(5, 64, 48, 16, 16, 3, 3, ConvGeometry.of(1, 1));
        double[] x = random(rnd, (int) cv.x().numel(), -1, 1);
        double[] w = random(rnd, (int) cv.weight().numel(), -1, 1);
        double[] dy = random(rnd, (int) cv.y().numel(), -1, 1);
        double[] a = random(rnd, 300 * 520, -1, 1);
        record Call(Op op, List<Shape> shapes, List<double[]> values) {}
        List<Call> calls = List.of(
                new Call(new Op.MatMul(false, false), List.of(Shape.of(300, 520), Shape.of(520, 300)), List.of(a, a)),
                new Call(new Op.Conv2d(cv.g()), List.of(cv.x(), cv.weight()), List.of(x, w)),
                new Call(new Op.Conv2dInputGrad(cv.g(), cv.h(), cv.w()), List.of(cv.y(), cv.weight()), List.of(dy, w)),
                new Call(new Op.Conv2dWeightGrad(cv.g(), cv.kh(), cv.kw()), List.of(cv.x(), cv.y()), List.of(x, dy)));
        try (CpuBackend single = new CpuBackend(1)) {
            for (Call c : calls) {
                List<Operand> operands = new ArrayList<>();
                for (int i = 0; i < c.shapes().size(); i++) {
                    operands.add(new Operand(single.upload(c.values().get(i)), c.shapes().get(i)));
                }
                Storage y = single.execute(c.op(), c.op().outputShape(c.shapes()), operands);
                assertThat(run(c.op(), c.shapes(), c.values())).as(c.op().name()).containsExactly(single.download(y));
                y.release();
                operands.forEach(o -> o.storage().release());
            }
        }
    }

    /** y, dx and dw by the definition: one loop nest over every (output, tap) pair, in double. */
    private static final class ConvReference {
        final double[] y;
        final double[] yScale;
        final double[] dx;
        final double[] dxScale;
        final double[] dw;
        final double[] dwScale;

        ConvReference(Conv cv, double[] x, double[] w, double[] dy) {
            Shape ys = cv.y();
            int oh = ys.dim(2);
            int ow = ys.dim(3);
            int cg = cv.c() / cv.g().groups();
            int og = cv.o() / cv.g().groups();
            y = new double[(int) ys.numel()];
            yScale = new double[y.length];
            dx = new double[x.length];
            dxScale = new double[x.length];
            dw = new double[w.length];
            dwScale = new double[w.length];
            ConvGeometry g = cv.g();
            for (int n = 0; n < cv.n(); n++) {
                for (int o = 0; o < cv.o(); o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            int yi = ((n * cv.o() + o) * oh + i) * ow + j;
                            for (int c = 0; c < cg; c++) {
                                int ci = o / og * cg + c;
                                for (int ki = 0; ki < cv.kh(); ki++) {
                                    for (int kj = 0; kj < cv.kw(); kj++) {
                                        int iy = i * g.strideH() - g.padH() + ki * g.dilationH();
                                        int ix = j * g.strideW() - g.padW() + kj * g.dilationW();
                                        if (iy < 0 || iy >= cv.h() || ix < 0 || ix >= cv.w()) {
                                            continue;
                                        }
                                        int xi = ((n * cv.c() + ci) * cv.h() + iy) * cv.w() + ix;
                                        int wi = ((o * cg + c) * cv.kh() + ki) * cv.kw() + kj;
                                        y[yi] += x[xi] * w[wi];
                                        yScale[yi] += Math.abs(x[xi] * w[wi]);
                                        dx[xi] += dy[yi] * w[wi];
                                        dxScale[xi] += Math.abs(dy[yi] * w[wi]);
                                        dw[wi] += dy[yi] * x[xi];
                                        dwScale[wi] += Math.abs(dy[yi] * x[xi]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Test
    void unaryOpsMatchJavaMath() {
        Random rnd = new Random(3);
        record Case(Op.Unary op, DoubleUnaryOperator f, double lo, double hi) {}
        List<Case> cases = List.of(new Case(new Op.Neg(), v -> -v, -5, 5), new Case(new Op.Exp(), Math::exp, -20, 20),
                new Case(new Op.Log(), Math::log, 1e-3, 1e3), new Case(new Op.Sqrt(), Math::sqrt, 0, 100),
                new Case(new Op.Sin(), Math::sin, -10, 10), new Case(new Op.Cos(), Math::cos, -10, 10));
        for (int n : new int[] {1, 17, 100_003, 300_001}) {
            for (Case c : cases) {
                double[] x = random(rnd, n, c.lo(), c.hi());
                double[] want = new double[n];
                double[] scale = new double[n];
                for (int i = 0; i < n; i++) {
                    want[i] = c.f().applyAsDouble(x[i]);
                    scale[i] = Math.abs(want[i]) + 1e-2; // sin/cos near a zero: absolute error ~ ulp of the argument
                }
                assertClose(c.op().name() + " n=" + n, run(c.op(), List.of(Shape.of(n)), List.of(x)), want, scale);
            }
        }
    }

    @Test
    void sinAndCosStayWithinTwoUlpsAndFallBackOutsideTheirRange() {
        Random rnd = new Random(6);
        int n = 1 << 20;
        double[] x = random(rnd, n, -FloatTrig.LIMIT, FloatTrig.LIMIT);
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-30, -1e-30,
                FloatTrig.LIMIT, -FloatTrig.LIMIT, Math.nextUp(FloatTrig.LIMIT), 1e5, -3e30, Math.PI / 2, 1e4 * Math.PI};
        for (int i = 0; i < special.length; i++) {
            x[i * 7919] = (float) special[i];   // spread out, so each sits in a vector with ordinary lanes
        }
        record Case(Op.Unary op, DoubleUnaryOperator f) {}
        for (Case c : List.of(new Case(new Op.Sin(), Math::sin), new Case(new Op.Cos(), Math::cos))) {
            double[] got = run(c.op(), List.of(Shape.of(n)), List.of(x));
            for (int i = 0; i < n; i++) {
                double want = c.f().applyAsDouble(x[i]);
                if (Double.isNaN(want)) {
                    assertThat(got[i]).as(c.op().name() + "(" + x[i] + ")").isNaN();
                    continue;
                }
                double ulps = Math.abs(got[i] - want) / Math.ulp((float) want);
                if (!(ulps <= 2)) {
                    fail(c.op().name() + "(" + (float) x[i] + ") = " + got[i] + ", expected " + want + ": " + ulps + " ulp");
                }
            }
            assertThat(Double.doubleToRawLongBits(run(c.op(), List.of(Shape.of(9)), List.of(new double[9]))[0]))
                    .as("sign of " + c.op().name() + "(0)").isEqualTo(Double.doubleToRawLongBits(c.f().applyAsDouble(0.0)));
        }
        double[] negativeZeros = new double[9];
        java.util.Arrays.fill(negativeZeros, -0.0);
        for (double v : run(new Op.Sin(), List.of(Shape.of(9)), List.of(negativeZeros))) {
            assertThat(Double.doubleToRawLongBits(v)).as("sin(-0) is -0").isEqualTo(Double.doubleToRawLongBits(-0.0));
        }
    }

    @Test
    void binaryOpsBroadcastLikeNumpy() {
        Random rnd = new Random(4);
        Shape[][] pairs = {
                {Shape.of(3, 70_001), Shape.of(3, 70_001)},        // same shape, parallel
                {Shape.of(5, 7), Shape.scalar()},                    // scalar
                {Shape.of(1), Shape.of(200_003)},                    // scalar first, parallel
                {Shape.of(2, 3, 5, 7), Shape.of(1, 3, 1, 1)},        // per-channel bias
                {Shape.of(3, 1, 1), Shape.of(4, 3, 9, 17)},          // lower rank, first operand broadcast
                {Shape.of(6, 19), Shape.of(1, 19)},                  // row
                {Shape.of(6, 1), Shape.of(1, 19)},                   // outer product pattern
                {Shape.of(4, 1, 33), Shape.of(4, 5, 33)},            // middle axis broadcast
                {Shape.of(2, 300, 257), Shape.of(300, 1)},           // long outer, parallel
                {Shape.of(50, 2_777), Shape.of(1, 2_777)},           // misaligned rows: several blocks per run,
                {Shape.of(1, 2_777), Shape.of(50, 2_777)}};          // and a task boundary inside a run
        record Case(Op.Binary op, DoubleBinaryOperator f) {}
        List<Case> cases = List.of(new Case(new Op.Add(), Double::sum), new Case(new Op.Sub(), (a, b) -> a - b),
                new Case(new Op.Mul(), (a, b) -> a * b), new Case(new Op.Div(), (a, b) -> a / b),
                new Case(new Op.Pow(), Math::pow), new Case(new Op.Maximum(), Math::max),
                new Case(new Op.Minimum(), Math::min), new Case(new Op.Less(), (a, b) -> a < b ? 1 : 0),
                new Case(new Op.Equal(), (a, b) -> a == b ? 1 : 0));
        for (Shape[] pair : pairs) {
            Shape out = Shape.broadcast(pair[0], pair[1]);
            // positive bases keep pow real; a few exact ties exercise equal
            double[] a = random(rnd, pair[0].size(), 0.5, 2);
            double[] b = random(rnd, pair[1].size(), 0.5, 2);
            b[0] = a[0];
            for (Case c : cases) {
                double[] want = new double[out.size()];
                double[] scale = new double[want.length];
                int[] st = out.strides();
                for (int i = 0; i < want.length; i++) {
                    double va = a[sourceIndex(i, out, st, pair[0])];
                    double vb = b[sourceIndex(i, out, st, pair[1])];
                    want[i] = c.f().applyAsDouble(va, vb);
                    scale[i] = Math.abs(want[i]) + 1e-6;
                }
                assertClose(c.op().name() + " " + pair[0] + " with " + pair[1],
                        run(c.op(), List.of(pair[0], pair[1]), List.of(a, b)), want, scale);
            }
        }
    }

    /** Index in an input of shape {@code in} that output element {@code i} reads under broadcasting. */
    private static int sourceIndex(int i, Shape out, int[] outStrides, Shape in) {
        int off = out.rank() - in.rank();
        int idx = 0;
        for (int ax = 0; ax < out.rank(); ax++) {
            int coord = i / outStrides[ax] % out.dim(ax);
            if (ax >= off) {
                int d = in.dim(ax - off);
                idx = idx * d + (d == 1 ? 0 : coord);
            }
        }
        return idx;
    }

    // ------------------------------------------------------------------ sum

    @Test
    void sumMatchesDoubleLoopsOverAxisPatterns() {
        Random rnd = new Random(5);
        Object[][] cases = {
                {Shape.of(7, 33), new int[] {1}},
                {Shape.of(4, 6, 17, 19), new int[] {0, 2, 3}},     // all but channel
                {Shape.of(300, 1001), new int[] {0}},              // kept inner axis, parallel
                {Shape.of(2, 3, 4), new int[] {0, 1, 2}},
                {Shape.of(2, 3, 4), new int[] {}},
                {Shape.of(5, 1, 9, 4), new int[] {1, 2}},          // extent-1 axis among reduced
                {Shape.of(3, 400_000), new int[] {1}},             // long rows, parallel
                {Shape.of(9, 1, 3), new int[] {1}}};
        for (Object[] c : cases) {
            Shape in = (Shape) c[0];
            int[] axes = (int[]) c[1];
            Op.Sum op = new Op.Sum(axes);
            Shape out = op.outputShape(List.of(in));
            double[] x = random(rnd, in.size(), -1, 1);
            double[] want = new double[out.size()];
            double[] scale = new double[out.size()];
            int[] st = in.strides();
            int[] ost = out.strides();
            for (int i = 0; i < x.length; i++) {
                int o = 0;
                for (int ax = 0; ax < in.rank(); ax++) {
                    o += (out.dim(ax) == 1 ? 0 : i / st[ax] % in.dim(ax)) * ost[ax];
                }
                want[o] += x[i];
                scale[o] += Math.abs(x[i]) * 1e-2; // double accumulation: far tighter than 1e-4 of sum |x|
            }
            assertClose("sum " + in + " over " + java.util.Arrays.toString(axes), run(op, List.of(in), List.of(x)), want, scale);
        }
    }

    // ------------------------------------------------------------------ storage and failures

    @Test
    void reshapeSharesStorageAndStorageIsCounted() {
        long before = backend.liveBytes();
        Storage s = backend.upload(new double[] {1, 2, 3, 4, 5, 6});
        assertThat(backend.liveBytes() - before).isEqualTo(24);
        Storage r = backend.execute(new Op.Reshape(Shape.of(3, 2)), Shape.of(3, 2), List.of(new Operand(s, Shape.of(2, 3))));
        assertThat(r).isSameAs(s);
        r.release();
        s.release();
        assertThat(backend.liveBytes()).isEqualTo(before);
        assertThatThrownBy(() -> backend.download(s)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void operandOfAnotherBackendIsRejectedNamingBoth() {
        try (CpuBackend other = new CpuBackend(1)) {
            Storage s = other.upload(new double[] {1, 2});
            assertThatThrownBy(() -> backend.execute(new Op.Neg(), Shape.of(2), List.of(new Operand(s, Shape.of(2)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cpu");
            s.release();
        }
    }
}
