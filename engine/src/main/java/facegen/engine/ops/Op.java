package facegen.engine.ops;

import facegen.engine.tensor.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * The closed set of primitives every backend implements; everything else in facegen is composed from these.
 *
 * <p>Each record holds the primitive's hyper-parameters and knows its output shape ({@link #outputShape}), which
 * also validates the inputs and fails with their shapes in the message. Backends and
 * {@code facegen.engine.autodiff.DerivativeRules} switch exhaustively over this sealed hierarchy, so a new
 * primitive breaks the build wherever it is not handled yet.
 *
 * <p>Conventions shared by all backends: tensors are contiguous row-major; binary and ternary elementwise ops
 * broadcast NumPy-style; comparisons return 1 or 0 in the tensor's float dtype; index tensors hold exact integers
 * in the float dtype (exact up to 2^24 in float32); reductions keep reduced axes with extent 1. NaN propagates
 * through maximum/minimum and max-reduction (as {@link Math#max} and PyTorch); {@code where} treats -0.0 as false.
 */
public sealed interface Op {

    /** Number of input tensors. */
    int arity();

    /** Shape of the result for the given input shapes; throws IllegalArgumentException naming shapes when invalid. */
    Shape outputShape(List<Shape> in);

    /** Short snake_case name used in audit tables and error messages ({@code Conv2dInputGrad} = conv2d_input_grad). */
    default String name() {
        return getClass().getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- elementwise, one input

    /** Elementwise primitives of one input: output shape = input shape. */
    sealed interface Unary extends Op permits Neg, Exp, Log, Sqrt, Sin, Cos {
        @Override
        default int arity() {
            return 1;
        }

        @Override
        default Shape outputShape(List<Shape> in) {
            return in.get(0);
        }
    }

    /** y = -x. */
    record Neg() implements Unary {}

    /** y = e^x. */
    record Exp() implements Unary {}

    /** y = ln x (NaN for x < 0, -inf at 0, as IEEE 754). */
    record Log() implements Unary {}

    /** y = sqrt(x). */
    record Sqrt() implements Unary {}

    /** y = sin x. */
    record Sin() implements Unary {}

    /** y = cos x. */
    record Cos() implements Unary {}

    // ---------------------------------------------------------------- elementwise, two or three inputs

    /** Elementwise primitives of two inputs, broadcast NumPy-style. */
    sealed interface Binary extends Op permits Add, Sub, Mul, Div, Pow, Maximum, Minimum, Less, Equal {
        @Override
        default int arity() {
            return 2;
        }

        @Override
        default Shape outputShape(List<Shape> in) {
            return Shape.broadcast(in.get(0), in.get(1));
        }
    }

    /** y = a + b. */
    record Add() implements Binary {}

    /** y = a - b. */
    record Sub() implements Binary {}

    /** y = a * b. */
    record Mul() implements Binary {}

    /** y = a / b. */
    record Div() implements Binary {}

    /** y = a^b (as {@link Math#pow}). */
    record Pow() implements Binary {}

    /** y = max(a, b). */
    record Maximum() implements Binary {}

    /** y = min(a, b). */
    record Minimum() implements Binary {}

    /** y = 1 if a < b else 0. */
    record Less() implements Binary {}

    /** y = 1 if a == b else 0. */
    record Equal() implements Binary {}

    /** y = cond != 0 ? a : b, all three broadcast together. */
    record Where() implements Op {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            return Shape.broadcast(Shape.broadcast(in.get(0), in.get(1)), in.get(2));
        }
    }

    // ---------------------------------------------------------------- reductions (reduced axes keep extent 1)

    /** Reductions over a sorted set of distinct axes; the result keeps those axes with extent 1. */
    sealed interface Reduce extends Op permits Sum, Max {
        /** Reduced axes, sorted, distinct, non-negative. */
        int[] axes();

        @Override
        default int arity() {
            return 1;
        }

        @Override
        default Shape outputShape(List<Shape> in) {
            int[] d = in.get(0).dims();
            for (int a : axes()) {
                if (a < 0 || a >= d.length) {
                    throw new IllegalArgumentException(name() + ": axis " + a + " out of range for shape " + in.get(0));
                }
                d[a] = 1;
            }
            return new Shape(d);
        }
    }

    /** y = sum of x over {@code axes}. */
    record Sum(int[] axes) implements Reduce {
        /** Copies and validates the axes. */
        public Sum {
            axes = sortedDistinct(axes, "sum");
        }
    }

    /** y = max of x over {@code axes} (reducing an empty axis is an error). */
    record Max(int[] axes) implements Reduce {
        /** Copies and validates the axes. */
        public Max {
            axes = sortedDistinct(axes, "max");
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            for (int a : axes) {
                if (a >= 0 && a < in.get(0).rank() && in.get(0).dim(a) == 0) {
                    throw new IllegalArgumentException("max over empty axis " + a + " of shape " + in.get(0));
                }
            }
            return Reduce.super.outputShape(in);
        }
    }

    // ---------------------------------------------------------------- movement

    /** Same elements in row-major order, new shape (zero-copy). */
    record Reshape(Shape shape) implements Op {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            if (in.get(0).numel() != shape.numel()) {
                throw new IllegalArgumentException("reshape: cannot view " + in.get(0) + " as " + shape);
            }
            return shape;
        }
    }

    /** Axes reordered: output axis k is input axis perm[k], i.e. y[i_0, ..., i_{r-1}] = x[j] with j_{perm[k]} = i_k. */
    record Permute(int[] perm) implements Op {
        /** Copies the permutation (validated against the input in {@link #outputShape}). */
        public Permute {
            perm = perm.clone();
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape s = in.get(0);
            boolean[] seen = new boolean[s.rank()];
            if (perm.length != s.rank()) {
                throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " does not match rank of " + s);
            }
            int[] d = new int[perm.length];
            for (int k = 0; k < perm.length; k++) {
                if (perm[k] < 0 || perm[k] >= perm.length || seen[perm[k]]) {
                    throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " is not a permutation for " + s);
                }
                seen[perm[k]] = true;
                d[k] = s.dim(perm[k]);
            }
            return new Shape(d);
        }
    }

    /** Repeats extent-1 axes (and prepends axes) to reach {@code shape}, NumPy broadcasting rules. */
    record Expand(Shape shape) implements Op {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            if (!in.get(0).broadcastsTo(shape)) {
                throw new IllegalArgumentException("expand: " + in.get(0) + " does not broadcast to " + shape);
            }
            return shape;
        }
    }

    /** y = x[start_0:end_0:step_0, ...] per axis; steps are >= 1. */
    record Slice(int[] start, int[] end, int[] step) implements Op {
        /** Copies the bounds (validated against the input in {@link #outputShape}). */
        public Slice {
            start = start.clone();
            end = end.clone();
            step = step.clone();
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape s = in.get(0);
            if (start.length != s.rank() || end.length != s.rank() || step.length != s.rank()) {
                throw new IllegalArgumentException("slice bounds do not match rank of " + s);
            }
            int[] d = new int[s.rank()];
            for (int i = 0; i < d.length; i++) {
                if (step[i] < 1 || start[i] < 0 || end[i] > s.dim(i) || start[i] > end[i]) {
                    throw new IllegalArgumentException("slice " + start[i] + ":" + end[i] + ":" + step[i]
                            + " out of range on axis " + i + " of " + s);
                }
                d[i] = (end[i] - start[i] + step[i] - 1) / step[i];
            }
            return new Shape(d);
        }
    }

    /** Zero padding: {@code before[i]} zeros before and {@code after[i]} zeros after axis i (both >= 0). */
    record Pad(int[] before, int[] after) implements Op {
        /** Copies the widths (validated against the input in {@link #outputShape}). */
        public Pad {
            before = before.clone();
            after = after.clone();
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape s = in.get(0);
            if (before.length != s.rank() || after.length != s.rank()) {
                throw new IllegalArgumentException("pad widths do not match rank of " + s);
            }
            int[] d = s.dims();
            for (int i = 0; i < d.length; i++) {
                if (before[i] < 0 || after[i] < 0) {
                    throw new IllegalArgumentException("negative padding on axis " + i + " of " + s + " (use slice)");
                }
                d[i] += before[i] + after[i];
            }
            return new Shape(d);
        }
    }

    /** Joins {@code arity} tensors along {@code axis} (>= 0); all other extents must agree. */
    record Concat(int axis, int arity) implements Op {
        /** Validates that the axis is non-negative and there is at least one input. */
        public Concat {
            if (axis < 0 || arity < 1) {
                throw new IllegalArgumentException("concat needs axis >= 0 and >= 1 input, got axis " + axis + ", " + arity + " inputs");
            }
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape first = in.get(0);
            if (axis >= first.rank()) {
                throw new IllegalArgumentException("concat axis " + axis + " out of range for " + first);
            }
            int total = 0;
            for (Shape s : in) {
                if (s.rank() != first.rank()) {
                    throw new IllegalArgumentException("concat: ranks differ, " + first + " vs " + s);
                }
                for (int i = 0; i < s.rank(); i++) {
                    if (i != axis && s.dim(i) != first.dim(i)) {
                        throw new IllegalArgumentException("concat on axis " + axis + ": " + first + " vs " + s);
                    }
                }
                total += s.dim(axis);
            }
            return first.withDim(axis, total);
        }
    }

    /** Reverses the order of elements along each of {@code axes} (sorted, distinct, >= 0). */
    record Flip(int[] axes) implements Op {
        /** Copies and validates the axes. */
        public Flip {
            axes = sortedDistinct(axes, "flip");
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            for (int a : axes) {
                in.get(0).normalizeAxis(a);
            }
            return in.get(0);
        }
    }

    // ---------------------------------------------------------------- gather / scatter

    /** y = x.index_select(axis, index): inputs (x, index[k]); index values are integers in [0, x.dim(axis)). */
    record IndexSelect(int axis) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape index = in.get(1);
            if (index.rank() != 1) {
                throw new IllegalArgumentException("index_select: index must be 1-D, got " + index);
            }
            return in.get(0).withDim(axis, index.dim(0));
        }
    }

    /**
     * Scatter-add, the transpose of {@link IndexSelect}: y = zeros(src with dim(axis) = size), then
     * y[.., index[i], ..] += src[.., i, ..]. Inputs (src, index[k]) with src.dim(axis) = k.
     */
    record IndexAdd(int axis, int size) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape src = in.get(0);
            Shape index = in.get(1);
            if (index.rank() != 1 || src.dim(axis) != index.dim(0)) {
                throw new IllegalArgumentException("index_add: index " + index + " must be 1-D with length src.dim(" + axis + ") of " + src);
            }
            return src.withDim(axis, size);
        }
    }

    // ---------------------------------------------------------------- weighted gather (a sparse matrix product)

    /**
     * Weighted gather: y[c, i] = sum_j w[j, i] x[c, index[j, i]], summed in order of j. Inputs (x [C, K], index [J, N],
     * w [J, N]); output [C, N]. It is x times the sparse matrix A [K, N] with A[index[j, i], i] = w[j, i] (J entries
     * per column), as bilinear texture taps (J = 4) and barycentric blends (J = 3) are: one pass instead of a gather,
     * a product and a sum over a [C, J, N] intermediate. Its two adjoints close the set under differentiation:
     * d/dx is {@link WeightedGatherInputGrad}, d/dw is {@link WeightedGatherWeightGrad}, and their own VJPs are again
     * these three.
     */
    record WeightedGather() implements Op {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            Shape index = in.get(1);
            checkSparse("weighted_gather", index, in.get(2));
            if (x.rank() != 2) {
                throw new IllegalArgumentException("weighted_gather: x " + x + " must be [C, K]");
            }
            return Shape.of(x.dim(0), index.dim(1));
        }
    }

    /**
     * The adjoint of {@link WeightedGather} in x, a weighted scatter-add: y = zeros [C, size], then
     * y[c, index[j, i]] += w[j, i] g[c, i], each element summing its terms in order of the flat position j N + i.
     * Inputs (g [C, N], index [J, N], w [J, N]); output [C, size]: g times the transpose of A.
     */
    record WeightedGatherInputGrad(int size) implements Op {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape g = in.get(0);
            Shape index = in.get(1);
            checkSparse("weighted_gather_input_grad", index, in.get(2));
            if (g.rank() != 2 || g.dim(1) != index.dim(1)) {
                throw new IllegalArgumentException("weighted_gather_input_grad: g " + g + " must be [C, N] with N = "
                        + index.dim(1) + " (index " + index + ")");
            }
            return Shape.of(g.dim(0), size);
        }
    }

    /**
     * The adjoint of {@link WeightedGather} in w: y[j, i] = sum_c g[c, i] x[c, index[j, i]], summed in order of c.
     * Inputs (g [C, N], x [C, K], index [J, N]); output [J, N], shaped like index and w.
     */
    record WeightedGatherWeightGrad() implements Op {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape g = in.get(0);
            Shape x = in.get(1);
            Shape index = in.get(2);
            checkSparse("weighted_gather_weight_grad", index, index);
            if (x.rank() != 2 || g.rank() != 2 || g.dim(0) != x.dim(0) || g.dim(1) != index.dim(1)) {
                throw new IllegalArgumentException("weighted_gather_weight_grad expects g [C, N], x [C, K] and index [J, N], got "
                        + g + ", " + x + " and " + index);
            }
            return index;
        }
    }

    private static void checkSparse(String what, Shape index, Shape w) {
        if (index.rank() != 2 || !w.equals(index)) {
            throw new IllegalArgumentException(what + ": index " + index + " and w " + w + " must both be [J, N]");
        }
    }

    // ---------------------------------------------------------------- matrix product

    /**
     * Batched matrix product y = op(a) op(b), op = transpose of the last two axes when the flag is set.
     * op(a) [..., M, K], op(b) [..., K, N] (so a stored with transA is [..., K, M]), equal batch axes; y [..., M, N].
     */
    record MatMul(boolean transA, boolean transB) implements Op {
        @Override
        public String name() {
            return "matmul";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape a = in.get(0);
            Shape b = in.get(1);
            if (a.rank() < 2 || a.rank() != b.rank()) {
                throw new IllegalArgumentException("matmul needs equal ranks >= 2, got " + a + " and " + b);
            }
            int r = a.rank();
            for (int i = 0; i < r - 2; i++) {
                if (a.dim(i) != b.dim(i)) {
                    throw new IllegalArgumentException("matmul batch axes differ: " + a + " and " + b);
                }
            }
            int m = transA ? a.dim(r - 1) : a.dim(r - 2);
            int ka = transA ? a.dim(r - 2) : a.dim(r - 1);
            int kb = transB ? b.dim(r - 1) : b.dim(r - 2);
            int n = transB ? b.dim(r - 2) : b.dim(r - 1);
            if (ka != kb) {
                throw new IllegalArgumentException("matmul inner extents differ: " + a + (transA ? "^T" : "") + " @ " + b + (transB ? "^T" : ""));
            }
            return a.withDim(r - 2, m).withDim(r - 1, n);
        }
    }

    // ---------------------------------------------------------------- convolution and its two transposes

    /** y = conv2d(x, w): x [N, C, H, W], w [O, C/groups, kH, kW], y [N, O, H', W'] (no bias). */
    record Conv2d(ConvGeometry geometry) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            Shape w = in.get(1);
            checkConvOperands(geometry, x, w, "conv2d");
            int oh = geometry.outH(x.dim(2), w.dim(2));
            int ow = geometry.outW(x.dim(3), w.dim(3));
            if (oh < 1 || ow < 1) {
                throw new IllegalArgumentException("conv2d: input " + x + " too small for kernel " + w + " with " + geometry);
            }
            return Shape.of(x.dim(0), w.dim(0), oh, ow);
        }
    }

    /**
     * The input-gradient of {@link Conv2d}, also known as conv-transpose: dx = convInputGrad(dy, w).
     * Inputs (dy [N, O, H', W'], w [O, C/groups, kH, kW]); output [N, C, inH, inW].
     */
    record Conv2dInputGrad(ConvGeometry geometry, int inH, int inW) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape dy = in.get(0);
            Shape w = in.get(1);
            if (dy.rank() != 4 || w.rank() != 4 || dy.dim(1) != w.dim(0) || w.dim(0) % geometry.groups() != 0) {
                throw new IllegalArgumentException("conv2d input-grad: dy " + dy + " and w " + w + " do not match (" + geometry + ")");
            }
            if (geometry.outH(inH, w.dim(2)) != dy.dim(2) || geometry.outW(inW, w.dim(3)) != dy.dim(3)) {
                throw new IllegalArgumentException("conv2d input-grad: input " + inH + "x" + inW + " does not give dy " + dy + " with " + geometry);
            }
            return Shape.of(dy.dim(0), w.dim(1) * geometry.groups(), inH, inW);
        }
    }

    /**
     * The weight-gradient of {@link Conv2d}: dw = convWeightGrad(x, dy).
     * Inputs (x [N, C, H, W], dy [N, O, H', W']); output [O, C/groups, kH, kW].
     */
    record Conv2dWeightGrad(ConvGeometry geometry, int kH, int kW) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            Shape dy = in.get(1);
            int g = geometry.groups();
            if (x.rank() != 4 || dy.rank() != 4 || x.dim(0) != dy.dim(0) || x.dim(1) % g != 0 || dy.dim(1) % g != 0
                    || geometry.outH(x.dim(2), kH) != dy.dim(2) || geometry.outW(x.dim(3), kW) != dy.dim(3)) {
                throw new IllegalArgumentException("conv2d weight-grad: x " + x + " and dy " + dy + " do not match a "
                        + kH + "x" + kW + " kernel with " + geometry);
            }
            return Shape.of(dy.dim(1), x.dim(1) / g, kH, kW);
        }
    }

    // ---------------------------------------------------------------- bilinear sampling

    /**
     * Bilinear sampling as {@code grid_sample(x, grid, align_corners=False, padding_mode='zeros')}:
     * x [N, C, H, W], grid [N, Ho, Wo, 2] holding (x, y) in [-1, 1]; y [N, C, Ho, Wo].
     * Pixel coordinate of a grid value g along an axis of extent S: ((g + 1) S - 1) / 2; taps outside read 0.
     */
    record GridSample() implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            Shape grid = in.get(1);
            checkGrid(x.rank() == 4 ? x.dim(0) : -1, x, grid);
            return Shape.of(x.dim(0), x.dim(1), grid.dim(1), grid.dim(2));
        }
    }

    /** Gradient of {@link GridSample} w.r.t. x (a scatter of dy): inputs (dy [N, C, Ho, Wo], grid); output [N, C, inH, inW]. */
    record GridSampleInputGrad(int inH, int inW) implements Op {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape dy = in.get(0);
            Shape grid = in.get(1);
            if (dy.rank() != 4 || grid.rank() != 4 || grid.dim(3) != 2 || dy.dim(0) != grid.dim(0)
                    || dy.dim(2) != grid.dim(1) || dy.dim(3) != grid.dim(2)) {
                throw new IllegalArgumentException("grid_sample input-grad: dy " + dy + " does not match grid " + grid);
            }
            return Shape.of(dy.dim(0), dy.dim(1), inH, inW);
        }
    }

    /** Gradient of {@link GridSample} w.r.t. grid: inputs (x, grid, dy); output [N, Ho, Wo, 2]. */
    record GridSampleGridGrad() implements Op {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            Shape grid = in.get(1);
            Shape dy = in.get(2);
            checkGrid(x.rank() == 4 ? x.dim(0) : -1, x, grid);
            if (!dy.equals(Shape.of(x.dim(0), x.dim(1), grid.dim(1), grid.dim(2)))) {
                throw new IllegalArgumentException("grid_sample grid-grad: dy " + dy + " does not match x " + x + " and grid " + grid);
            }
            return grid;
        }
    }

    private static int[] sortedDistinct(int[] axes, String what) {
        int[] a = axes.clone();
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 0 || (i > 0 && a[i] <= a[i - 1])) {
                throw new IllegalArgumentException(what + ": axes " + Arrays.toString(axes) + " must be sorted, distinct and >= 0");
            }
        }
        return a;
    }

    private static void checkConvOperands(ConvGeometry g, Shape x, Shape w, String what) {
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException(what + " expects x [N, C, H, W] and w [O, C/groups, kH, kW], got " + x + " and " + w);
        }
        if (x.dim(1) != w.dim(1) * g.groups() || w.dim(0) % g.groups() != 0) {
            throw new IllegalArgumentException(what + ": x " + x + " has " + x.dim(1) + " channels but w " + w
                    + " expects " + w.dim(1) + " x " + g.groups() + " groups");
        }
    }

    private static void checkGrid(int n, Shape x, Shape grid) {
        if (x.rank() != 4 || grid.rank() != 4 || grid.dim(3) != 2 || grid.dim(0) != n) {
            throw new IllegalArgumentException("grid_sample expects x [N, C, H, W] and grid [N, Ho, Wo, 2], got " + x + " and " + grid);
        }
    }
}
