package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The elementwise primitives ({@link Op.Unary}, {@link Op.Binary}) over float32 with the Vector API.
 *
 * <p>Broadcasting is reduced to runs: the output is walked in contiguous runs over its trailing axes along which
 * each input is either fully present (read contiguously) or broadcast (one value, splatted into a vector). The
 * run is as long as those patterns stay the same, so same-shape operands are one run, a scalar operand is one
 * run, a per-channel bias [1, C, 1, 1] against [N, C, H, W] gives runs of H W, and a row [1, N] against [M, N]
 * gives runs of N. Any NumPy broadcast works; only the run length, and so the speed, varies.
 *
 * <p>Each vector operator is chosen by an enum switch inside the loop, so the operator is a compile-time constant
 * where the JIT sees it (the Vector API intrinsics need that; a variable operator falls back to scalar Java).
 * The primitive is mapped to the enum once per call because a pattern switch over the sealed {@link Op} costs a
 * type test chain, too much per vector. The branch is loop-invariant and predicted. The switch is written in the
 * loop body itself, not in a per-vector method: C2 compiles such a method on its own first, then declines to
 * inline it (too big once compiled) and boxes every vector passed to it (5x slower, seen after a matmul had run).
 * Loops end by recomputing the last full vector rather than with masked loads and stores (several times the cost
 * on AVX2); ranges shorter than a vector go through a padded copy.
 * exp, log and pow use {@link FloatExpLog} and sin and cos {@link FloatTrig}: fixed sequences of IEEE operations,
 * so results are the same bits in every JVM run whether the code is interpreted or compiled (the JDK's
 * {@code VectorOperators.EXP / LOG / POW} differ between the interpreter and C2 in the last bit).
 */
final class ElementwiseKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
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

    /** y[i] = fn(x[i]) for i in [from, to), one vector at a time; x and y must not overlap. */
    private static void apply(UnaryFn fn, float[] x, float[] y, int from, int to) {
        if (to - from < LANES) {
            float[] out = new float[LANES];
            apply(fn, Arrays.copyOfRange(x, from, from + LANES), out, 0, LANES);
            System.arraycopy(out, 0, y, from, to - from);
            return;
        }
        for (int next = from; next < to; next += LANES) {
            // a ragged end recomputes the last full vector (overlapping its predecessor): no masked loads and stores
            int i = Math.min(next, to - LANES);
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector r = switch (fn) {
                // v * -1 rather than v.neg(): exact (sign of zero and NaN kept) and about 10x faster on AVX2,
                // where NEG is not intrinsified
                case NEG -> v.mul(-1f);
                case SQRT -> v.sqrt();
                case EXP, LOG, SIN, COS -> throw new IllegalStateException(fn + " runs whole ranges in FloatExpLog or FloatTrig");
            };
            r.intoArray(y, i);
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
     * read as a vector of copies at a fixed index (step 0), so every iteration loads both operands the same way:
     * choosing per iteration between a loaded vector and a broadcast one ({@code aRun ? load : splat}) made C2 box
     * the vectors once a call site had seen both cases, which ran 6x slower (measured: mul after div-by-scalar).
     */
    private static void segment(BinaryFn fn, float[] a, int ai, boolean aRun, float[] b, int bi, boolean bRun,
                                float[] y, int yi, int len) {
        float[] as = aRun ? a : copies(a[ai]);
        float[] bs = bRun ? b : copies(b[bi]);
        int aOff = aRun ? ai : 0;
        int bOff = bRun ? bi : 0;
        if (len < LANES) {
            float[] out = new float[LANES];
            segment(fn, Arrays.copyOfRange(as, aOff, aOff + LANES), 0, aRun, Arrays.copyOfRange(bs, bOff, bOff + LANES), 0,
                    bRun, out, 0, LANES);
            System.arraycopy(out, 0, y, yi, len);
            return;
        }
        int aStep = aRun ? 1 : 0;
        int bStep = bRun ? 1 : 0;
        if (fn == BinaryFn.POW) {
            for (int i = 0; i < len; i++) {
                y[yi + i] = FloatExpLog.pow(as[aOff + i * aStep], bs[bOff + i * bStep]);
            }
            return;
        }
        for (int next = 0; next < len; next += LANES) {
            // a ragged end recomputes the last full vector (overlapping its predecessor): no masked loads and stores
            int i = Math.min(next, len - LANES);
            FloatVector va = FloatVector.fromArray(F, as, aOff + i * aStep);
            FloatVector vb = FloatVector.fromArray(F, bs, bOff + i * bStep);
            FloatVector r = switch (fn) {
                case ADD -> va.add(vb);
                case SUB -> va.sub(vb);
                case MUL -> va.mul(vb);
                case DIV -> va.div(vb);
                case POW -> throw new IllegalStateException("pow runs per element in FloatExpLog");
                case MAX -> va.max(vb);
                case MIN -> va.min(vb);
                // comparisons give 1 or 0 in the float dtype (Op convention); NaN compares false
                case LESS -> FloatVector.zero(F).blend(1f, va.compare(VectorOperators.LT, vb));
                case EQUAL -> FloatVector.zero(F).blend(1f, va.compare(VectorOperators.EQ, vb));
            };
            r.intoArray(y, yi + i);
        }
    }

    /** One vector's worth of copies of v. */
    private static float[] copies(float v) {
        float[] c = new float[LANES];
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
