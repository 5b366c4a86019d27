package facegen.engine.backend.reference;

import facegen.engine.backend.Elements;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Plain-loop definitions of every primitive in {@link Op}: the auditable meaning of each one.
 *
 * <p>Tensors are contiguous and row-major. Every kernel reads its inputs as doubles and writes into a double
 * accumulator {@code y}, which {@link #run} rounds once into the result; so the same loops define the float64
 * reference backend and serve the float32 CPU backend as its fallback, rounding each output only once.
 * Index names follow the shapes in {@link Op}: x [N, C, H, W], w [O, C/groups, kH, kW], y [N, O, H', W'].
 */
public final class ReferenceKernels {

    private ReferenceKernels() {}

    /**
     * Computes {@code result = op(in)}: the primitive {@code op} on inputs of shapes {@code inShapes} into
     * {@code result}, which holds {@code out.numel()} zeros on entry.
     *
     * @throws IllegalArgumentException for {@link Op.Reshape} (backends share storage instead of copying), for index
     *                                  values that are not integers in range, or when {@code result} has the wrong length
     */
    public static void run(Op op, Shape out, List<Shape> inShapes, List<Elements> in, Elements result) {
        if (result.length() != out.numel()) {
            throw new IllegalArgumentException(op.name() + ": result holds " + result.length() + " elements, output " + out
                    + " needs " + out.numel());
        }
        double[] y = new double[out.size()];
        switch (op) {
            case Op.Unary u -> unary(u, in.get(0), y);
            case Op.Binary b -> binary(b, in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), out, y);
            case Op.Where _ -> where(in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), in.get(2), inShapes.get(2), out, y);
            case Op.Sum _ -> reduce(in.get(0), inShapes.get(0), out, 0.0, Double::sum, y);
            // Math.max returns NaN when either argument is NaN, so a NaN anywhere in the window propagates.
            case Op.Max _ -> reduce(in.get(0), inShapes.get(0), out, Double.NEGATIVE_INFINITY, Math::max, y);
            case Op.Reshape _ -> throw new IllegalArgumentException("reshape is handled by the backend by sharing storage");
            case Op.Permute p -> permute(in.get(0), inShapes.get(0), p.perm(), out, y);
            case Op.Expand _ -> gather(in.get(0), 0, inShapes.get(0).broadcastStridesTo(out), out, y);
            case Op.Slice s -> slice(in.get(0), inShapes.get(0), s, out, y);
            case Op.Pad p -> place(in.get(0), inShapes.get(0), y, out.strides(), offsetOf(p.before(), out.strides()));
            case Op.Concat c -> concat(in, inShapes, out.normalizeAxis(c.axis()), out, y);
            case Op.Flip f -> flip(in.get(0), inShapes.get(0), f.axes(), y);
            case Op.IndexSelect s -> indexSelect(in.get(0), inShapes.get(0), in.get(1), inShapes.get(0).normalizeAxis(s.axis()), y);
            case Op.IndexAdd a -> indexAdd(in.get(0), inShapes.get(0), in.get(1), out.normalizeAxis(a.axis()), out, y);
            case Op.WeightedGather _ -> weightedGather(in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), in.get(2), y);
            case Op.WeightedGatherInputGrad _ -> weightedGatherInputGrad(in.get(0), in.get(1), inShapes.get(1), in.get(2), out, y);
            case Op.WeightedGatherWeightGrad _ -> weightedGatherWeightGrad(in.get(0), in.get(1), inShapes.get(1), in.get(2),
                    inShapes.get(2), y);
            case Op.MatMul m -> matMul(in.get(0), inShapes.get(0), m.transA(), in.get(1), inShapes.get(1), m.transB(), out, y);
            case Op.Conv2d c -> conv2d(c.geometry(), in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), out, y);
            case Op.Conv2dInputGrad c -> conv2dInputGrad(c.geometry(), in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), out, y);
            case Op.Conv2dWeightGrad c -> conv2dWeightGrad(c.geometry(), in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), out, y);
            case Op.GridSample _ -> gridSample(in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), y);
            case Op.GridSampleInputGrad _ -> gridSampleInputGrad(in.get(0), in.get(1), inShapes.get(1), out, y);
            case Op.GridSampleGridGrad _ -> gridSampleGridGrad(in.get(0), inShapes.get(0), in.get(1), inShapes.get(1), in.get(2), y);
        }
        for (int i = 0; i < y.length; i++) {
            result.set(i, y[i]);
        }
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * y_i = f(x_i) with f one of -x, e^x, ln x, sqrt x, sin x, cos x. StrictMath (fdlibm), not Math: Math's
     * transcendental functions may give other bits once the JIT swaps in intrinsics, and the definition must be
     * the same in every JVM run.
     */
    private static void unary(Op.Unary op, Elements x, double[] y) {
        DoubleUnaryOperator f = switch (op) {
            case Op.Neg _ -> v -> -v;
            case Op.Exp _ -> StrictMath::exp;
            case Op.Log _ -> StrictMath::log;
            case Op.Sqrt _ -> StrictMath::sqrt;
            case Op.Sin _ -> StrictMath::sin;
            case Op.Cos _ -> StrictMath::cos;
        };
        for (int i = 0; i < y.length; i++) {
            y[i] = f.applyAsDouble(x.get(i));
        }
    }

    /** y[i] = f(a[i'], b[i'']) where i' and i'' are the positions of a and b that broadcast to position i of y. */
    private static void binary(Op.Binary op, Elements a, Shape aShape, Elements b, Shape bShape, Shape out, double[] y) {
        DoubleBinaryOperator f = switch (op) {
            case Op.Add _ -> (u, v) -> u + v;
            case Op.Sub _ -> (u, v) -> u - v;
            case Op.Mul _ -> (u, v) -> u * v;
            case Op.Div _ -> (u, v) -> u / v;
            case Op.Pow _ -> StrictMath::pow;
            case Op.Maximum _ -> Math::max;
            case Op.Minimum _ -> Math::min;
            case Op.Less _ -> (u, v) -> u < v ? 1 : 0;
            case Op.Equal _ -> (u, v) -> u == v ? 1 : 0;
        };
        int[] dims = out.dims();
        int[] aStrides = aShape.broadcastStridesTo(out);
        int[] bStrides = bShape.broadcastStridesTo(out);
        for (int i = 0; i < y.length; i++) {
            y[i] = f.applyAsDouble(a.get(StridedIndex.offset(i, dims, aStrides)), b.get(StridedIndex.offset(i, dims, bStrides)));
        }
    }

    /** y[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast to y. */
    private static void where(Elements cond, Shape condShape, Elements a, Shape aShape, Elements b, Shape bShape,
                              Shape out, double[] y) {
        int[] dims = out.dims();
        int[] condStrides = condShape.broadcastStridesTo(out);
        int[] aStrides = aShape.broadcastStridesTo(out);
        int[] bStrides = bShape.broadcastStridesTo(out);
        for (int i = 0; i < y.length; i++) {
            boolean pick = cond.get(StridedIndex.offset(i, dims, condStrides)) != 0;
            y[i] = pick ? a.get(StridedIndex.offset(i, dims, aStrides)) : b.get(StridedIndex.offset(i, dims, bStrides));
        }
    }

    // ---------------------------------------------------------------- reductions

    /**
     * y[j] = combine over every x[i] whose position maps to j, starting from {@code identity}: sum (0, +) or max
     * (-inf, max). The reduced axes have extent 1 in y, so the map is broadcasting y to x read backwards.
     */
    private static void reduce(Elements x, Shape xShape, Shape out, double identity, DoubleBinaryOperator combine, double[] y) {
        Arrays.fill(y, identity);
        int[] dims = xShape.dims();
        int[] yStrides = out.broadcastStridesTo(xShape);
        for (int i = 0; i < xShape.numel(); i++) {
            int j = StridedIndex.offset(i, dims, yStrides);
            y[j] = combine.applyAsDouble(y[j], x.get(i));
        }
    }

    // ---------------------------------------------------------------- movement

    /** y[i] = x[base + sum_k i_k * strides[k]]: every read-only movement (expand, permute, slice, flip) is one of these. */
    private static void gather(Elements x, int base, int[] strides, Shape out, double[] y) {
        int[] dims = out.dims();
        for (int i = 0; i < y.length; i++) {
            y[i] = x.get(base + StridedIndex.offset(i, dims, strides));
        }
    }

    /** y[i_0, ..., i_{r-1}] = x[j] with j_{perm[k]} = i_k: output axis k walks input axis perm[k]. */
    private static void permute(Elements x, Shape xShape, int[] perm, Shape out, double[] y) {
        int[] xStrides = xShape.strides();
        int[] strides = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            strides[k] = xStrides[perm[k]];
        }
        gather(x, 0, strides, out, y);
    }

    /** y[i_0, ..., i_{r-1}] = x[start_0 + i_0 step_0, ..., start_{r-1} + i_{r-1} step_{r-1}]. */
    private static void slice(Elements x, Shape xShape, Op.Slice s, Shape out, double[] y) {
        int[] xStrides = xShape.strides();
        int[] strides = new int[xStrides.length];
        for (int k = 0; k < strides.length; k++) {
            strides[k] = xStrides[k] * s.step()[k];
        }
        gather(x, offsetOf(s.start(), xStrides), strides, out, y);
    }

    /** y[.., i_k, ..] = x[.., n_k - 1 - i_k, ..] on each flipped axis k (a repeated axis is flipped once). */
    private static void flip(Elements x, Shape xShape, int[] axes, double[] y) {
        boolean[] flipped = new boolean[xShape.rank()];
        for (int axis : axes) {
            flipped[xShape.normalizeAxis(axis)] = true;
        }
        int[] strides = xShape.strides();
        int base = 0;
        for (int k = 0; k < strides.length; k++) {
            if (flipped[k]) {
                base += (xShape.dim(k) - 1) * strides[k];
                strides[k] = -strides[k];
            }
        }
        gather(x, base, strides, xShape, y);
    }

    /** y[base + sum_k i_k * yStrides[k]] = x[i]: writes x as a block of the larger y (pad and concat). */
    private static void place(Elements x, Shape xShape, double[] y, int[] yStrides, int base) {
        int[] dims = xShape.dims();
        for (int i = 0; i < xShape.numel(); i++) {
            y[base + StridedIndex.offset(i, dims, yStrides)] = x.get(i);
        }
    }

    /** y = [x_0, x_1, ...] along {@code axis}: input t starts at the sum of the extents of inputs 0..t-1. */
    private static void concat(List<Elements> in, List<Shape> inShapes, int axis, Shape out, double[] y) {
        int[] yStrides = out.strides();
        int start = 0;
        for (int t = 0; t < in.size(); t++) {
            place(in.get(t), inShapes.get(t), y, yStrides, start * yStrides[axis]);
            start += inShapes.get(t).dim(axis);
        }
    }

    /** sum_k coords[k] * strides[k]: the offset of one element. */
    private static int offsetOf(int[] coords, int[] strides) {
        int offset = 0;
        for (int k = 0; k < coords.length; k++) {
            offset += coords[k] * strides[k];
        }
        return offset;
    }

    // ---------------------------------------------------------------- gather / scatter along one axis

    /**
     * y[a, j, b] = x[a, index[j], b], viewing x as [outer, x.dim(axis), inner] and y as [outer, k, inner].
     */
    private static void indexSelect(Elements x, Shape xShape, Elements index, int axis, double[] y) {
        int extent = xShape.dim(axis);
        int[] rows = indices(index, extent, "index_select", "axis " + axis + " of x " + xShape);
        int outer = extentProduct(xShape, 0, axis);
        int inner = extentProduct(xShape, axis + 1, xShape.rank());
        for (int a = 0; a < outer; a++) {
            for (int j = 0; j < rows.length; j++) {
                for (int b = 0; b < inner; b++) {
                    y[(a * rows.length + j) * inner + b] = x.get((a * extent + rows[j]) * inner + b);
                }
            }
        }
    }

    /**
     * y[a, index[i], b] += src[a, i, b], the transpose of index_select: y starts at zero and repeated indices add up.
     */
    private static void indexAdd(Elements src, Shape srcShape, Elements index, int axis, Shape out, double[] y) {
        int size = out.dim(axis);
        int[] rows = indices(index, size, "index_add", "axis " + axis + " of result " + out);
        int outer = extentProduct(srcShape, 0, axis);
        int inner = extentProduct(srcShape, axis + 1, srcShape.rank());
        for (int a = 0; a < outer; a++) {
            for (int i = 0; i < rows.length; i++) {
                for (int b = 0; b < inner; b++) {
                    y[(a * size + rows[i]) * inner + b] += src.get((a * rows.length + i) * inner + b);
                }
            }
        }
    }

    // ---------------------------------------------------------------- weighted gather

    /** y[c, i] = sum_j w[j, i] x[c, index[j, i]], j ascending; x [C, K], index and w [J, N]. */
    private static void weightedGather(Elements x, Shape xShape, Elements index, Shape indexShape, Elements w, double[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int taps = indexShape.dim(0);
        int n = indexShape.dim(1);
        int[] at = indices(index, k, "weighted_gather", "columns of x " + xShape);
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < taps; j++) {
                    sum += w.get(j * n + i) * x.get(c * k + at[j * n + i]);
                }
                y[c * n + i] = sum;
            }
        }
    }

    /** y[c, index[j, i]] += w[j, i] g[c, i] from zero, in order of j N + i; g [C, N], y [C, size]. */
    private static void weightedGatherInputGrad(Elements g, Elements index, Shape indexShape, Elements w, Shape out, double[] y) {
        int channels = out.dim(0);
        int size = out.dim(1);
        int n = indexShape.dim(1);
        int[] at = indices(index, size, "weighted_gather_input_grad", "columns of result " + out);
        for (int c = 0; c < channels; c++) {
            for (int e = 0; e < at.length; e++) {
                y[c * size + at[e]] += w.get(e) * g.get(c * n + e % n);
            }
        }
    }

    /** y[j, i] = sum_c g[c, i] x[c, index[j, i]], c ascending; g [C, N], x [C, K]. */
    private static void weightedGatherWeightGrad(Elements g, Elements x, Shape xShape, Elements index, Shape indexShape,
                                                 double[] y) {
        int channels = xShape.dim(0);
        int k = xShape.dim(1);
        int n = indexShape.dim(1);
        int[] at = indices(index, k, "weighted_gather_weight_grad", "columns of x " + xShape);
        for (int e = 0; e < at.length; e++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += g.get(c * n + e % n) * x.get(c * k + at[e]);
            }
            y[e] = sum;
        }
    }

    /** Product of the extents of axes [from, to): the number of elements before or after one axis. */
    private static int extentProduct(Shape shape, int from, int to) {
        int product = 1;
        for (int k = from; k < to; k++) {
            product *= shape.dim(k);
        }
        return product;
    }

    /**
     * The index values as ints, failing on the first one that is not an exact integer in [0, bound); public so
     * that fast backends reject bad indices with the same message.
     */
    public static int[] indices(Elements index, int bound, String op, String where) {
        int[] rows = new int[index.length()];
        for (int i = 0; i < rows.length; i++) {
            double v = index.get(i);
            // Negated so that NaN, which fails every comparison, is rejected too.
            if (!(v == Math.rint(v) && v >= 0 && v < bound)) {
                throw new IllegalArgumentException(op + ": index[" + i + "] = " + v + " is not an integer in [0, "
                        + bound + ") (" + where + ")");
            }
            rows[i] = (int) v;
        }
        return rows;
    }

    // ---------------------------------------------------------------- matrix product

    /** y[.., i, j] = sum_p op(a)[.., i, p] op(b)[.., p, j], op(m) = m^T over the last two axes when its flag is set. */
    private static void matMul(Elements a, Shape aShape, boolean transA, Elements b, Shape bShape, boolean transB,
                               Shape out, double[] y) {
        int r = out.rank();
        int m = out.dim(r - 2);
        int n = out.dim(r - 1);
        int depth = transA ? aShape.dim(r - 2) : aShape.dim(r - 1);
        int aCols = aShape.dim(r - 1);
        int bCols = bShape.dim(r - 1);
        int batches = extentProduct(out, 0, r - 2);
        for (int batch = 0; batch < batches; batch++) {
            int aBase = batch * m * depth;
            int bBase = batch * depth * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < depth; p++) {
                        double aip = a.get(aBase + (transA ? p * aCols + i : i * aCols + p));
                        double bpj = b.get(bBase + (transB ? j * bCols + p : p * bCols + j));
                        sum += aip * bpj;
                    }
                    y[batch * m * n + i * n + j] = sum;
                }
            }
        }
    }

    // ---------------------------------------------------------------- convolution and its two adjoints

    /** y = conv2d(x, w): y[n, o, oh, ow] = sum of x w over the taps of {@link #convTaps}. */
    private static void conv2d(ConvGeometry g, Elements x, Shape xShape, Elements w, Shape wShape, Shape yShape, double[] y) {
        convTaps(g, xShape, wShape, yShape, (xAt, wAt, yAt) -> y[yAt] += x.get(xAt) * w.get(wAt));
    }

    /** dx = convInputGrad(dy, w): dx[n, c, ih, iw] = sum of dy w over the same taps, the adjoint of conv2d in x. */
    private static void conv2dInputGrad(ConvGeometry g, Elements dy, Shape dyShape, Elements w, Shape wShape, Shape dxShape,
                                        double[] dx) {
        convTaps(g, dxShape, wShape, dyShape, (xAt, wAt, yAt) -> dx[xAt] += dy.get(yAt) * w.get(wAt));
    }

    /** dw = convWeightGrad(x, dy): dw[o, c, kh, kw] = sum of x dy over the same taps, the adjoint of conv2d in w. */
    private static void conv2dWeightGrad(ConvGeometry g, Elements x, Shape xShape, Elements dy, Shape dyShape, Shape dwShape,
                                         double[] dw) {
        convTaps(g, xShape, dwShape, dyShape, (xAt, wAt, yAt) -> dw[wAt] += x.get(xAt) * dy.get(yAt));
    }

    /** One multiply-add of a convolution: x[xAt] meets w[wAt] in y[yAt]. */
    @FunctionalInterface
    private interface ConvTap {
        void accept(int xAt, int wAt, int yAt);
    }

    /**
     * Visits every tap of y = conv2d(x, w), the terms of
     * y[n, o, oh, ow] = sum_{c, kh, kw} x[n, g C/G + c, oh sH - pH + kh dH, ow sW - pW + kw dW] w[o, c, kh, kw]
     * with g = o / (O/G) the group of output channel o, skipping taps that fall in the zero padding.
     *
     * <p>conv2d, its input-gradient and its weight-gradient are the same sum over these taps, each accumulating
     * into a different factor: y += x w, dx += dy w, dw += x dy. That makes the two gradients the exact adjoints
     * of conv2d by construction: sum y dy = sum x dx = sum w dw over the same set of triples.
     */
    private static void convTaps(ConvGeometry g, Shape xShape, Shape wShape, Shape yShape, ConvTap tap) {
        int batch = xShape.dim(0);
        int channels = xShape.dim(1);
        int h = xShape.dim(2);
        int w = xShape.dim(3);
        int outChannels = wShape.dim(0);
        int groupChannels = wShape.dim(1);
        int kH = wShape.dim(2);
        int kW = wShape.dim(3);
        int outH = yShape.dim(2);
        int outW = yShape.dim(3);
        int outPerGroup = outChannels / g.groups();
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < outChannels; o++) {
                int firstChannel = (o / outPerGroup) * groupChannels;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int yAt = ((n * outChannels + o) * outH + oh) * outW + ow;
                        for (int c = 0; c < groupChannels; c++) {
                            for (int kh = 0; kh < kH; kh++) {
                                int ih = oh * g.strideH() - g.padH() + kh * g.dilationH();
                                if (ih < 0 || ih >= h) {
                                    continue;
                                }
                                for (int kw = 0; kw < kW; kw++) {
                                    int iw = ow * g.strideW() - g.padW() + kw * g.dilationW();
                                    if (iw < 0 || iw >= w) {
                                        continue;
                                    }
                                    int xAt = ((n * channels + firstChannel + c) * h + ih) * w + iw;
                                    int wAt = ((o * groupChannels + c) * kH + kh) * kW + kw;
                                    tap.accept(xAt, wAt, yAt);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- bilinear sampling and its two gradients

    /** y = grid_sample(x, grid): y[n, c, i, j] = sum of weight x over the taps of {@link #bilinearTaps}. */
    private static void gridSample(Elements x, Shape xShape, Elements grid, Shape gridShape, double[] y) {
        bilinearTaps(xShape, grid, gridShape, (xAt, yAt, _, weight, _, _) -> y[yAt] += weight * x.get(xAt));
    }

    /** dx = gridSampleInputGrad(dy, grid): dx[n, c, py, px] = sum of weight dy over the same taps, the adjoint in x. */
    private static void gridSampleInputGrad(Elements dy, Elements grid, Shape gridShape, Shape dxShape, double[] dx) {
        bilinearTaps(dxShape, grid, gridShape, (xAt, yAt, _, weight, _, _) -> dx[xAt] += weight * dy.get(yAt));
    }

    /**
     * dgrid = gridSampleGridGrad(x, grid, dy): dgrid[n, i, j, 0] = sum_c dy[n, c, i, j] d y[n, c, i, j] / d gx, the
     * sum over taps of dy x d weight / d gx (likewise gy in component 1).
     */
    private static void gridSampleGridGrad(Elements x, Shape xShape, Elements grid, Shape gridShape, Elements dy,
                                           double[] dgrid) {
        bilinearTaps(xShape, grid, gridShape, (xAt, yAt, gridAt, _, dWeightDgx, dWeightDgy) -> {
            double dyTimesX = dy.get(yAt) * x.get(xAt);
            dgrid[gridAt] += dyTimesX * dWeightDgx;
            dgrid[gridAt + 1] += dyTimesX * dWeightDgy;
        });
    }

    /**
     * One in-range tap of bilinear sampling: y[yAt] takes weight * x[xAt]; the weight's derivatives with respect
     * to the grid coordinates (gx, gy) stored at grid[gridAt] and grid[gridAt + 1] are also given.
     */
    @FunctionalInterface
    private interface BilinearTap {
        void accept(int xAt, int yAt, int gridAt, double weight, double dWeightDgx, double dWeightDgy);
    }

    /**
     * Visits every in-range tap of y = grid_sample(x, grid) (bilinear, zero padding, align_corners=False):
     * y[n, c, i, j] = sum over the corners (x0 + a, y0 + b), a, b in {0, 1}, inside the image, of
     * wx_a wy_b x[n, c, y0 + b, x0 + a], where ix = ((gx + 1) W - 1) / 2, x0 = floor(ix), wx_0 = x0 + 1 - ix,
     * wx_1 = ix - x0 (likewise iy, y0, wy with gy and H) and (gx, gy) = grid[n, i, j].
     *
     * <p>Taps outside the image read 0, so they are skipped, and contribute nothing to any gradient. The weight's
     * derivatives use the same floor as the forward (as PyTorch): d wx_a / d gx = (a == 0 ? -1 : 1) W / 2,
     * d wy_b / d gy = (b == 0 ? -1 : 1) H / 2. Sampling, its input-gradient and its grid-gradient all walk these
     * taps, so the input-gradient is the exact adjoint of sampling.
     *
     * @param xShape    the sampled image [N, C, H, W]
     * @param grid      sample positions holding (gx, gy)
     * @param gridShape [N, Ho, Wo, 2]; the samples y are [N, C, Ho, Wo]
     * @param tap       receives each in-range tap once per channel
     */
    private static void bilinearTaps(Shape xShape, Elements grid, Shape gridShape, BilinearTap tap) {
        int batch = xShape.dim(0);
        int channels = xShape.dim(1);
        int h = xShape.dim(2);
        int w = xShape.dim(3);
        int outH = gridShape.dim(1);
        int outW = gridShape.dim(2);
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    int gridAt = ((n * outH + i) * outW + j) * 2;
                    double ix = pixelCoordinate(grid.get(gridAt), w);
                    double iy = pixelCoordinate(grid.get(gridAt + 1), h);
                    int x0 = (int) Math.floor(ix);
                    int y0 = (int) Math.floor(iy);
                    double[] wx = {x0 + 1 - ix, ix - x0};
                    double[] wy = {y0 + 1 - iy, iy - y0};
                    for (int b = 0; b < 2; b++) {
                        for (int a = 0; a < 2; a++) {
                            int px = x0 + a;
                            int py = y0 + b;
                            if (px < 0 || px >= w || py < 0 || py >= h) {
                                continue;
                            }
                            double weight = wx[a] * wy[b];
                            double dWeightDgx = (a == 0 ? -1 : 1) * wy[b] * w / 2.0;
                            double dWeightDgy = wx[a] * (b == 0 ? -1 : 1) * h / 2.0;
                            for (int c = 0; c < channels; c++) {
                                int xAt = ((n * channels + c) * h + py) * w + px;
                                int yAt = ((n * channels + c) * outH + i) * outW + j;
                                tap.accept(xAt, yAt, gridAt, weight, dWeightDgx, dWeightDgy);
                            }
                        }
                    }
                }
            }
        }
    }

    /** ((g + 1) size - 1) / 2: maps g in [-1, 1] to pixel centres with align_corners=False (-1 is the outer edge). */
    private static double pixelCoordinate(double g, int size) {
        return ((g + 1) * size - 1) / 2;
    }
}
