package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.Arrays;

/**
 * The elementwise primitives ({@link Op.Unary}, {@link Op.Binary}) over float32.
 *
 * <p>Broadcasting is reduced to runs: the output is walked in contiguous runs over its trailing axes along which
 * each input is either fully present (read contiguously) or broadcast (one value, read from a block of copies). The
 * run is as long as those patterns stay the same, so same-shape operands are one run, a scalar operand is one
 * run, a per-channel bias [1, C, 1, 1] against [N, C, H, W] gives runs of H W, and a row [1, N] against [M, N]
 * gives runs of N. Any NumPy broadcast works; only the run length, and so the speed, varies.
 *
 * <p>The arithmetic is plain Java loops, one per operator, which C2's superword pass turns into AVX code. They
 * were Vector API loops; profiles of the render benchmark caught C2 compiling those without the intrinsics
 * (FloatVector.ldOp and lambdas on the stack: 5-15x slower, depending on what had been compiled before), while the
 * plain loops vectorise in every JIT state seen. The operator is mapped to an enum once per call (a pattern switch
 * over the sealed {@link Op} costs a type-test chain) and switched on outside the loops. add, sub, mul, div, sqrt,
 * max and min are exactly rounded IEEE operations, so the bits do not depend on vectorisation or the JIT.
 * exp, log and pow use {@link FloatExpLog} and sin and cos {@link FloatTrig}: fixed sequences of IEEE operations,
 * so results are the same bits in every JVM run whether the code is interpreted or compiled (the JDK's
 * {@code VectorOperators.EXP / LOG / POW} differ between the interpreter and C2 in the last bit).
 */
final class ElementwiseKernels {

    /** Copies of a broadcast value made at a time (4 KB, in L1 beside the other operand). */
    private static final int SPLAT = 1024;
    /** Elements per parallel task; below two of these a loop stays on one thread (memory bound anyway). */
    static final int GRAIN = 1 << 16;

    private final WorkerPool pool;

    ElementwiseKernels(WorkerPool pool) {
        this.pool = pool;
    }

    /** y = op(x) elementwise; x and y have the same length. */
    void unary(Op.Unary op, float[] x, float[] y) {
        UnaryFn fn = UnaryFn.of(op);
        int n = y.length;
        int tasks = MatMulKernel.ceilDiv(n, GRAIN);
        pool.forEach(tasks, tasks > 1, t -> {
            int from = t * GRAIN;
            int to = Math.min(n, from + GRAIN);
            switch (fn) {
                case SIN -> FloatTrig.sin(x, y, from, to);
                case COS -> FloatTrig.cos(x, y, from, to);
                case EXP -> FloatExpLog.exp(x, y, from, to);
                case LOG -> FloatExpLog.log(x, y, from, to);
                default -> apply(fn, x, y, from, to);
            }
        });
    }

    /** y[i] = fn(x[i]) for i in [from, to): plain loops, one method per operator (see the binary apply). */
    private static void apply(UnaryFn fn, float[] x, float[] y, int from, int to) {
        switch (fn) {
            case NEG -> neg(x, y, from, to);
            case SQRT -> sqrt(x, y, from, to);
            case EXP, LOG, SIN, COS -> throw new IllegalStateException(fn + " runs whole ranges in FloatExpLog or FloatTrig");
        }
    }

    private static void neg(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = -x[i];
        }
    }

    /** The double square root rounded once to float is the correctly rounded float square root. */
    private static void sqrt(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) Math.sqrt(x[i]);
        }
    }

    /** The unary primitives as a plain enum, cheap to switch on per vector. */
    private enum UnaryFn {
        NEG, EXP, LOG, SQRT, SIN, COS;

        static UnaryFn of(Op.Unary op) {
            return switch (op) {
                case Op.Neg _ -> NEG;
                case Op.Exp _ -> EXP;
                case Op.Log _ -> LOG;
                case Op.Sqrt _ -> SQRT;
                case Op.Sin _ -> SIN;
                case Op.Cos _ -> COS;
            };
        }
    }

    /** y = op(a, b) with NumPy broadcasting of a (shape sa) and b (shape sb) to y (shape out). */
    void binary(Op.Binary op, float[] a, Shape sa, float[] b, Shape sb, float[] y, Shape out) {
        BinaryFn fn = BinaryFn.of(op);
        Runs runs = Runs.of(out, sa, sb);
        int n = y.length;
        int tasks = MatMulKernel.ceilDiv(n, GRAIN);
        pool.forEach(tasks, tasks > 1, t -> {
            int from = t * GRAIN;
            int to = Math.min(n, from + GRAIN);
            while (from < to) {
                int run = from / runs.length;
                int within = from - run * runs.length;
                int end = Math.min(to, (run + 1) * runs.length);
                int ai = runs.offset(run, runs.aStrides) + (runs.aContiguous ? within : 0);
                int bi = runs.offset(run, runs.bStrides) + (runs.bContiguous ? within : 0);
                segment(fn, a, ai, runs.aContiguous, b, bi, runs.bContiguous, y, from, end - from);
                from = end;
            }
        });
    }

    /**
     * y[yi ..< yi+len] = op(a run, b run); a run is contiguous from ai, or the single value a[ai]. A single value is
     * read from a block of {@link #SPLAT} copies, so every loop has the one shape C2 vectorises: two contiguous inputs.
     */
    private static void segment(BinaryFn fn, float[] a, int ai, boolean aRun, float[] b, int bi, boolean bRun,
                                float[] y, int yi, int len) {
        if (fn == BinaryFn.POW) {
            for (int i = 0; i < len; i++) {
                y[yi + i] = FloatExpLog.pow(a[ai + (aRun ? i : 0)], b[bi + (bRun ? i : 0)]);
            }
            return;
        }
        if (aRun && bRun) {
            apply(fn, a, ai, b, bi, y, yi, len);
            return;
        }
        float[] aCopies = aRun ? a : copies(a[ai], Math.min(len, SPLAT));
        float[] bCopies = bRun ? b : copies(b[bi], Math.min(len, SPLAT));
        for (int from = 0; from < len; from += SPLAT) {
            apply(fn, aCopies, aRun ? ai + from : 0, bCopies, bRun ? bi + from : 0, y, yi + from, Math.min(SPLAT, len - from));
        }
    }

    /**
     * y[yo + i] = fn(a[ao + i], b[bo + i]) for i in [0, n). Each operator's loop is a method of its own: C2 compiles
     * it on its own profile, and the compiled loop survives when a caller is deoptimised (a first broadcast or a
     * new operator reaching a compiled caller); with the loops inlined in one method, such a deoptimisation sent
     * every loop back to unvectorised profiling code for thousands of calls (seen as whole benchmark runs 2-6x slower).
     */
    private static void apply(BinaryFn fn, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        switch (fn) {
            case ADD -> add(a, ao, b, bo, y, yo, n);
            case SUB -> sub(a, ao, b, bo, y, yo, n);
            case MUL -> mul(a, ao, b, bo, y, yo, n);
            case DIV -> div(a, ao, b, bo, y, yo, n);
            case MAX -> max(a, ao, b, bo, y, yo, n);
            case MIN -> min(a, ao, b, bo, y, yo, n);
            case LESS -> less(a, ao, b, bo, y, yo, n);
            case EQUAL -> equal(a, ao, b, bo, y, yo, n);
            case POW -> throw new IllegalStateException("pow runs per element in FloatExpLog");
        }
    }

    private static void add(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] + b[bo + i];
        }
    }

    private static void sub(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] - b[bo + i];
        }
    }

    private static void mul(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] * b[bo + i];
        }
    }

    private static void div(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] / b[bo + i];
        }
    }

    private static void max(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Math.max(a[ao + i], b[bo + i]);
        }
    }

    private static void min(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Math.min(a[ao + i], b[bo + i]);
        }
    }

    // comparisons give 1 or 0 in the float dtype (Op convention); NaN compares false
    private static void less(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] < b[bo + i] ? 1f : 0f;
        }
    }

    private static void equal(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] == b[bo + i] ? 1f : 0f;
        }
    }

    /** n copies of v. */
    private static float[] copies(float v, int n) {
        float[] c = new float[n];
        Arrays.fill(c, v);
        return c;
    }

    /** The binary primitives as a plain enum, cheap to switch on per vector. */
    private enum BinaryFn {
        ADD, SUB, MUL, DIV, POW, MAX, MIN, LESS, EQUAL;

        static BinaryFn of(Op.Binary op) {
            return switch (op) {
                case Op.Add _ -> ADD;
                case Op.Sub _ -> SUB;
                case Op.Mul _ -> MUL;
                case Op.Div _ -> DIV;
                case Op.Pow _ -> POW;
                case Op.Maximum _ -> MAX;
                case Op.Minimum _ -> MIN;
                case Op.Less _ -> LESS;
                case Op.Equal _ -> EQUAL;
            };
        }
    }

    /**
     * The output split into {@code count} runs of {@code length} elements over its trailing axes; within a run
     * each input is contiguous or a single broadcast value. Strides (0 on broadcast axes) locate a run's start.
     */
    private record Runs(int length, int[] outerDims, int[] aStrides, int[] bStrides, boolean aContiguous, boolean bContiguous) {

        static Runs of(Shape out, Shape sa, Shape sb) {
            int rank = out.rank();
            int[] d = out.dims();
            int[] da = padded(sa, rank);
            int[] db = padded(sb, rank);
            int axis = rank - 1;
            while (axis >= 0 && d[axis] == 1) {
                axis--;
            }
            boolean aFull = axis < 0 || da[axis] == d[axis];
            boolean bFull = axis < 0 || db[axis] == d[axis];
            int length = 1;
            while (axis >= 0 && (d[axis] == 1 || (da[axis] == d[axis]) == aFull && (db[axis] == d[axis]) == bFull)) {
                length *= d[axis];
                axis--;
            }
            int outer = axis + 1;
            return new Runs(length, java.util.Arrays.copyOf(d, outer), strides(da, d, outer, rank),
                    strides(db, d, outer, rank), aFull, bFull);
        }

        /** Dimensions of {@code s} aligned right to {@code rank} axes with leading 1s. */
        private static int[] padded(Shape s, int rank) {
            int[] p = new int[rank];
            java.util.Arrays.fill(p, 1);
            System.arraycopy(s.dims(), 0, p, rank - s.rank(), s.rank());
            return p;
        }

        /** Element strides of the outer axes of an input, 0 where it is broadcast. */
        private static int[] strides(int[] in, int[] out, int outer, int rank) {
            int[] st = new int[outer];
            int acc = 1;
            for (int i = rank - 1; i >= 0; i--) {
                if (i < outer) {
                    st[i] = in[i] == out[i] ? acc : 0;
                }
                acc *= in[i];
            }
            return st;
        }

        /** Start of run {@code run} in an input with the given outer strides. */
        int offset(int run, int[] strides) {
            int off = 0;
            for (int i = outerDims.length - 1; i >= 0 && run > 0; i--) {
                off += (run % outerDims[i]) * strides[i];
                run /= outerDims[i];
            }
            return off;
        }
    }
}
