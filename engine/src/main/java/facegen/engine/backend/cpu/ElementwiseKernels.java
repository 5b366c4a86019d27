package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.Arrays;

/**
 * The elementwise primitives ({@link Op.Unary}, {@link Op.Binary}) over float32.
 *
 * <p>Broadcasting is reduced to runs: the output is walked in contiguous runs over its trailing axes along which
 * each input is either fully present (read contiguously) or broadcast (one value). The
 * run is as long as those patterns stay the same, so same-shape operands are one run, a scalar operand is one
 * run, a per-channel bias [1, C, 1, 1] against [N, C, H, W] gives runs of H W, and a row [1, N] against [M, N]
 * gives runs of N. Any NumPy broadcast works; only the run length, and so the speed, varies.
 *
 * <p>The arithmetic is plain Java loops, one per operator, which C2's superword pass turns into AVX code, provided
 * the store and the loads use one shared index: a run aligned with the output (same-shape operands) is computed in
 * place, any other goes through L1 {@link Blocks} at index 0 (with three independent offsets C2 cannot rule out
 * aliasing and emits scalar code, measured 3x slower than copying through blocks). They were Vector API loops;
 * profiles of the render benchmark caught C2 compiling those without the intrinsics
 * (FloatVector.ldOp and lambdas on the stack: 5-15x slower, depending on what had been compiled before), while the
 * plain loops vectorise in every JIT state seen. The operator is mapped to an enum once per call (a pattern switch
 * over the sealed {@link Op} costs a type-test chain) and switched on outside the loops. add, sub, mul, div, sqrt,
 * max and min are exactly rounded IEEE operations, so the bits do not depend on vectorisation or the JIT.
 * exp, log and pow use {@link FloatExpLog} and sin and cos {@link FloatTrig}: fixed sequences of IEEE operations,
 * so results are the same bits in every JVM run whether the code is interpreted or compiled (the JDK's
 * {@code VectorOperators.EXP / LOG / POW} differ between the interpreter and C2 in the last bit).
 */
final class ElementwiseKernels {

    /** Elements of one {@link Blocks} block (4 KB per operand, all three in L1). */
    private static final int SPLAT = 1024;
    /** Misaligned runs shorter than this go element by element: copying them costs more than it saves. */
    private static final int BLOCK_MIN = 16;
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
            Blocks blocks = null;                                              // made on the first misaligned run
            while (from < to) {
                int run = from / runs.length;
                int within = from - run * runs.length;
                int end = Math.min(to, (run + 1) * runs.length);
                int ai = runs.offset(run, runs.aStrides) + (runs.aContiguous ? within : 0);
                int bi = runs.offset(run, runs.bStrides) + (runs.bContiguous ? within : 0);
                int len = end - from;
                boolean aligned = runs.aContiguous && runs.bContiguous && ai == from && bi == from;
                if (aligned && fn != BinaryFn.POW) {
                    apply(fn, a, b, y, from, end);
                } else if (fn == BinaryFn.POW || len < BLOCK_MIN) {
                    elementwise(fn, a, ai, runs.aContiguous, b, bi, runs.bContiguous, y, from, len);
                } else {
                    if (blocks == null) {
                        blocks = new Blocks(Math.min(SPLAT, runs.length));
                    }
                    blocks.run(fn, a, ai, runs.aContiguous, b, bi, runs.bContiguous, y, from, len);
                }
                from = end;
            }
        });
    }

    /**
     * L1-sized blocks that runs not aligned with the output go through: each input run is copied (or its single
     * value spread) to index 0 of a block, the operator's loop runs over the blocks and the result is copied out.
     * C2 (JDK 25) vectorises a loop only when its store and loads are provably independent, which with one shared
     * index they are; with three offsets (a row broadcast, a single value, a task's slice) it falls back to scalar
     * code, about 3x slower than copying.
     */
    private static final class Blocks {
        final float[] a;
        final float[] b;
        final float[] out;

        Blocks(int size) {
            a = new float[size];
            b = new float[size];
            out = new float[size];
        }

        /** y[yi ..< yi+len] = op(a run, b run); a run is contiguous from ai, or the single value a[ai]. */
        void run(BinaryFn fn, float[] x, int xi, boolean xRun, float[] z, int zi, boolean zRun, float[] y, int yi, int len) {
            if (!xRun) {
                Arrays.fill(a, 0, Math.min(len, a.length), x[xi]);
            }
            if (!zRun) {
                Arrays.fill(b, 0, Math.min(len, b.length), z[zi]);
            }
            for (int from = 0; from < len; from += out.length) {
                int n = Math.min(out.length, len - from);
                if (xRun) {
                    System.arraycopy(x, xi + from, a, 0, n);
                }
                if (zRun) {
                    System.arraycopy(z, zi + from, b, 0, n);
                }
                apply(fn, a, b, out, 0, n);
                System.arraycopy(out, 0, y, yi + from, n);
            }
        }
    }

    /** y[yi ..< yi+len] = op(a run, b run) element by element: short runs and pow. */
    private static void elementwise(BinaryFn fn, float[] a, int ai, boolean aRun, float[] b, int bi, boolean bRun,
                                    float[] y, int yi, int len) {
        for (int i = 0; i < len; i++) {
            y[yi + i] = scalar(fn, a[ai + (aRun ? i : 0)], b[bi + (bRun ? i : 0)]);
        }
    }

    /** One application of the operator (pow as {@link FloatExpLog#pow}). */
    private static float scalar(BinaryFn fn, float x, float z) {
        return switch (fn) {
            case ADD -> x + z;
            case SUB -> x - z;
            case MUL -> x * z;
            case DIV -> x / z;
            case POW -> FloatExpLog.pow(x, z);
            case MAX -> Math.max(x, z);
            case MIN -> Math.min(x, z);
            case LESS -> x < z ? 1f : 0f;
            case EQUAL -> x == z ? 1f : 0f;
        };
    }

    /**
     * y[i] = fn(a[i], b[i]) for i in [from, to), one index for all three arrays (see {@link Blocks}). Each operator's
     * loop is a method of its own: C2 compiles it on its own profile, and the compiled loop survives when a caller
     * is deoptimised (a first broadcast or a new operator reaching a compiled caller); with the loops inlined in one
     * method, such a deoptimisation sent every loop back to unvectorised profiling code for thousands of calls (seen
     * as whole benchmark runs 2-6x slower).
     */
    private static void apply(BinaryFn fn, float[] a, float[] b, float[] y, int from, int to) {
        switch (fn) {
            case ADD -> add(a, b, y, from, to);
            case SUB -> sub(a, b, y, from, to);
            case MUL -> mul(a, b, y, from, to);
            case DIV -> div(a, b, y, from, to);
            case MAX -> max(a, b, y, from, to);
            case MIN -> min(a, b, y, from, to);
            case LESS -> less(a, b, y, from, to);
            case EQUAL -> equal(a, b, y, from, to);
            case POW -> throw new IllegalStateException("pow runs per element in FloatExpLog");
        }
    }

    private static void add(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] + b[i];
        }
    }

    private static void sub(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] - b[i];
        }
    }

    private static void mul(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] * b[i];
        }
    }

    private static void div(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] / b[i];
        }
    }

    private static void max(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(a[i], b[i]);
        }
    }

    private static void min(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.min(a[i], b[i]);
        }
    }

    // comparisons give 1 or 0 in the float dtype (Op convention); NaN compares false
    private static void less(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] < b[i] ? 1f : 0f;
        }
    }

    private static void equal(float[] a, float[] b, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] == b[i] ? 1f : 0f;
        }
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
