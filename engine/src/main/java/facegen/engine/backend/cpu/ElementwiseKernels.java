package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
 * type test chain, too much per vector. The branch is loop-invariant and predicted.
 * Transcendentals use the JDK's vectorised SVML-style routines (about 1 ulp in float32).
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
            int i = from;
            for (int full = from + F.loopBound(to - from); i < full; i += LANES) {
                fn.apply(FloatVector.fromArray(F, x, i)).intoArray(y, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                fn.apply(FloatVector.fromArray(F, x, i, m)).intoArray(y, i, m);
            }
        });
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

        FloatVector apply(FloatVector v) {
            return switch (this) {
                // v * -1 rather than v.neg(): exact (sign of zero and NaN kept) and about 10x faster on AVX2,
                // where NEG is not intrinsified
                case NEG -> v.mul(-1f);
                case EXP -> v.lanewise(VectorOperators.EXP);
                case LOG -> v.lanewise(VectorOperators.LOG);
                case SQRT -> v.sqrt();
                case SIN -> v.lanewise(VectorOperators.SIN);
                case COS -> v.lanewise(VectorOperators.COS);
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

    /** y[yi ..< yi+len] = op(a run, b run); a run is contiguous from ai, or the single value a[ai]. */
    private static void segment(BinaryFn fn, float[] a, int ai, boolean aRun, float[] b, int bi, boolean bRun,
                                float[] y, int yi, int len) {
        FloatVector aSplat = aRun ? null : FloatVector.broadcast(F, a[ai]);
        FloatVector bSplat = bRun ? null : FloatVector.broadcast(F, b[bi]);
        int i = 0;
        for (int full = F.loopBound(len); i < full; i += LANES) {
            FloatVector va = aRun ? FloatVector.fromArray(F, a, ai + i) : aSplat;
            FloatVector vb = bRun ? FloatVector.fromArray(F, b, bi + i) : bSplat;
            fn.apply(va, vb).intoArray(y, yi + i);
        }
        if (i < len) {
            // masked tail only: masked loads and stores cost several times a plain one on AVX2
            VectorMask<Float> m = F.indexInRange(i, len);
            FloatVector va = aRun ? FloatVector.fromArray(F, a, ai + i, m) : aSplat;
            FloatVector vb = bRun ? FloatVector.fromArray(F, b, bi + i, m) : bSplat;
            fn.apply(va, vb).intoArray(y, yi + i, m);
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

        FloatVector apply(FloatVector a, FloatVector b) {
            return switch (this) {
                case ADD -> a.add(b);
                case SUB -> a.sub(b);
                case MUL -> a.mul(b);
                case DIV -> a.div(b);
                case POW -> a.lanewise(VectorOperators.POW, b);
                case MAX -> a.max(b);
                case MIN -> a.min(b);
                // comparisons give 1 or 0 in the float dtype (Op convention); NaN compares false
                case LESS -> FloatVector.zero(F).blend(1f, a.compare(VectorOperators.LT, b));
                case EQUAL -> FloatVector.zero(F).blend(1f, a.compare(VectorOperators.EQ, b));
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
