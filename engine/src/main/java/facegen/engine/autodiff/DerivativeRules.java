package facegen.engine.autodiff;

import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;

import java.util.List;

/**
 * Every primitive's vector-Jacobian product, in {@link Op} order; the one place where backward math lives.
 *
 * <p>Reads like PyTorch's {@code derivatives.yaml}: for {@code result = op(inputs)} and the upstream gradient
 * {@code grad} (shape of {@code result}), each rule returns one gradient per input, shaped like that input, or
 * {@code null} where the input is not differentiable (masks, indices) or its gradient was not asked for. Rules
 * are written with the same differentiable Tensor operations as forward code, so when the backward pass records
 * a graph ({@code createGraph}), gradients of gradients come for free (R1, path-length regularisation).
 * A rule that is not defined throws, naming the primitive and the shapes; it never returns a silent zero.
 */
public final class DerivativeRules {

    private DerivativeRules() {}

    /**
     * The VJP of one recorded primitive.
     *
     * @param op        the primitive
     * @param in        its inputs
     * @param result    its output
     * @param grad      upstream gradient, shaped like {@code result}
     * @param needsGrad which inputs want a gradient (others may get null)
     * @return one gradient per input (null = none)
     */
    public static Tensor[] vjp(Op op, List<Tensor> in, Tensor result, Tensor grad, boolean[] needsGrad) {
        Tensor x = in.get(0);
        Tensor y = in.size() > 1 ? in.get(1) : null;
        return switch (op) {
            // ---- unary: d/dx f(x) = f'(x)
            case Op.Neg n -> grads(grad.neg());
            case Op.Exp e -> grads(grad.mul(result));                       // (e^x)' = e^x = result
            case Op.Log l -> grads(grad.div(x));
            case Op.Sqrt s -> grads(grad.div(result.mul(2)));               // 1 / (2 sqrt x)
            case Op.Sin s -> grads(grad.mul(x.cos()));
            case Op.Cos c -> grads(grad.mul(x.sin()).neg());

            // ---- binary, broadcasting: each gradient is summed back to its input's shape
            case Op.Add a -> grads(grad.sumTo(x.shape()), grad.sumTo(y.shape()));
            case Op.Sub s -> grads(grad.sumTo(x.shape()), grad.neg().sumTo(y.shape()));
            case Op.Mul m -> grads(
                    needsGrad[0] ? grad.mul(y).sumTo(x.shape()) : null,
                    needsGrad[1] ? grad.mul(x).sumTo(y.shape()) : null);
            case Op.Div d -> grads(                                         // d(a/b)/db = -a/b^2 = -result/b
                    needsGrad[0] ? grad.div(y).sumTo(x.shape()) : null,
                    needsGrad[1] ? grad.mul(result).div(y).neg().sumTo(y.shape()) : null);
            case Op.Pow p -> grads(
                    needsGrad[0] ? grad.mul(y).mul(x.pow(y.sub(1))).sumTo(x.shape()) : null,
                    // d(a^b)/db = a^b ln a; PyTorch's convention: 0 where a == 0 and b >= 0 (the limit), NaN for a < 0
                    needsGrad[1] ? Tensor.where(x.eq(x.zerosLike()).mul(y.lt(0).neg().add(1)),
                            x.zerosLike(), grad.mul(result).mul(x.log())).sumTo(y.shape()) : null);
            // ties: each side gets half the gradient (PyTorch's maximum/minimum)
            case Op.Maximum m -> tieSplit(grad, x.gt(y).add(x.eq(y).mul(0.5)), x, y);
            case Op.Minimum m -> tieSplit(grad, x.lt(y).add(x.eq(y).mul(0.5)), x, y);
            case Op.Less l -> grads(null, null);                            // masks are piecewise constant
            case Op.Equal e -> grads(null, null);
            case Op.Where w -> grads(null,
                    Tensor.where(x, grad, grad.zerosLike()).sumTo(y.shape()),
                    Tensor.where(x, grad.zerosLike(), grad).sumTo(in.get(2).shape()));

            // ---- reductions (result keeps reduced axes with extent 1, so grad broadcasts back)
            case Op.Sum s -> grads(grad.expand(x.shape().dims()));
            case Op.Max m -> {                                              // ties share evenly, as torch.amax
                Tensor winners = x.eq(result);
                yield grads(grad.mul(winners).div(winners.sum(m.axes(), true)));
            }

            // ---- movement: each rule is the dual movement
            case Op.Reshape r -> grads(grad.reshape(x.shape().dims()));
            case Op.Permute p -> grads(grad.permute(inverse(p.perm())));
            case Op.Expand e -> grads(grad.sumTo(x.shape()));
            case Op.Slice s -> grads(unslice(grad, s, x.shape().dims()));
            case Op.Pad p -> grads(grad.slice(p.before(), plus(p.before(), x.shape().dims()), ones(x.rank())));
            case Op.Concat c -> concatGrads(grad, c.axis(), in);
            case Op.Flip f -> grads(grad.flip(f.axes()));

            // ---- gather / scatter are each other's adjoint; indices are not differentiable
            case Op.IndexSelect s -> grads(grad.indexAdd(s.axis(), x.dim(s.axis()), y), null);
            case Op.IndexAdd a -> grads(grad.indexSelect(a.axis(), y), null);

            // ---- weighted gather y = x A (A sparse, A[index[j, i], i] = w[j, i]): the adjoints of x A are g A^T (input
            //      grad) and the entries of x^T g at A's pattern (weight grad); each of the three is bilinear, so every
            //      VJP is again one of the three
            case Op.WeightedGather wg -> grads(
                    needsGrad[0] ? Tensor.apply(new Op.WeightedGatherInputGrad(x.dim(1)), grad, y, in.get(2)) : null,
                    null,
                    needsGrad[2] ? Tensor.apply(new Op.WeightedGatherWeightGrad(), grad, x, y) : null);
            case Op.WeightedGatherInputGrad s -> grads(                      // result = g A^T: <result, h> = <g, h A>
                    needsGrad[0] ? grad.weightedGather(y, in.get(2)) : null,
                    null,
                    needsGrad[2] ? Tensor.apply(new Op.WeightedGatherWeightGrad(), x, grad, y) : null);
            case Op.WeightedGatherWeightGrad d -> grads(                    // result[j, i] = sum_c g[c, i] x[c, index[j, i]]
                    needsGrad[0] ? y.weightedGather(in.get(2), grad) : null,
                    needsGrad[1] ? Tensor.apply(new Op.WeightedGatherInputGrad(y.dim(1)), x, in.get(2), grad) : null,
                    null);

            // ---- matmul: C = A B gives dA = G B^T, dB = A^T G, written for stored (possibly transposed) operands
            case Op.MatMul mm -> grads(
                    needsGrad[0] ? (mm.transA() ? y.matmul(grad, mm.transB(), true) : grad.matmul(y, false, !mm.transB())) : null,
                    needsGrad[1] ? (mm.transB() ? grad.matmul(x, true, mm.transA()) : x.matmul(grad, !mm.transA(), false)) : null);

            // ---- convolution: conv, its input-grad and its weight-grad are adjoints of each other, so the set closes
            case Op.Conv2d c -> grads(
                    needsGrad[0] ? grad.conv2dInputGrad(y, c.geometry(), x.dim(2), x.dim(3)) : null,
                    needsGrad[1] ? x.conv2dWeightGrad(grad, c.geometry(), y.dim(2), y.dim(3)) : null);
            case Op.Conv2dInputGrad c -> {                                  // result = J_x^T dy; <result, h> = <dy, conv(h, w)>
                ConvGeometry g = c.geometry();
                yield grads(
                        needsGrad[0] ? grad.conv2d(y, g) : null,
                        needsGrad[1] ? grad.conv2dWeightGrad(x, g, y.dim(2), y.dim(3)) : null);
            }
            case Op.Conv2dWeightGrad c -> {                                 // result = J_w^T dy; <result, h> = <dy, conv(x, h)>
                ConvGeometry g = c.geometry();
                yield grads(
                        needsGrad[0] ? y.conv2dInputGrad(grad, g, x.dim(2), x.dim(3)) : null,
                        needsGrad[1] ? x.conv2d(grad, g) : null);
            }

            // ---- bilinear sampling
            case Op.GridSample s -> grads(
                    needsGrad[0] ? Tensor.apply(new Op.GridSampleInputGrad(x.dim(2), x.dim(3)), grad, y) : null,
                    needsGrad[1] ? Tensor.apply(new Op.GridSampleGridGrad(), x, y, grad) : null);
            case Op.GridSampleInputGrad s -> grads(                         // <result, h> = <dy, sample(h, grid)>
                    needsGrad[0] ? grad.gridSample(y) : null,
                    needsGrad[1] ? Tensor.apply(new Op.GridSampleGridGrad(), grad, y, x) : null);
            case Op.GridSampleGridGrad s -> throw new UnsupportedOperationException(
                    "second derivative of grid_sample w.r.t. its grid is not implemented (x " + x.shape()
                            + ", grid " + y.shape() + "); nothing in facegen's training needs it yet");
        };
    }

    private static Tensor[] grads(Tensor... g) {
        return g;
    }

    private static Tensor[] tieSplit(Tensor grad, Tensor shareOfX, Tensor x, Tensor y) {
        return grads(grad.mul(shareOfX).sumTo(x.shape()), grad.mul(shareOfX.neg().add(1)).sumTo(y.shape()));
    }

    private static Tensor[] concatGrads(Tensor grad, int axis, List<Tensor> in) {
        Tensor[] g = new Tensor[in.size()];
        int offset = 0;
        for (int i = 0; i < g.length; i++) {
            int len = in.get(i).dim(axis);
            g[i] = grad.slice(axis, offset, offset + len);
            offset += len;
        }
        return g;
    }

    /**
     * The adjoint of a strided slice: put each gradient element back at start + i * step, zeros elsewhere.
     * Per axis: interleave step-1 zeros after each element (reshape, pad, reshape), then pad or cut to the input.
     */
    private static Tensor unslice(Tensor grad, Op.Slice s, int[] inDims) {
        Tensor g = grad;
        for (int axis = 0; axis < inDims.length; axis++) {
            int step = s.step()[axis];
            int n = g.dim(axis);
            if (step > 1 && n > 0) {
                int[] split = g.shape().dims();
                split[axis] = n;
                int[] withStep = insert(split, axis + 1, 1);
                int[] before = new int[withStep.length];
                int[] after = new int[withStep.length];
                after[axis + 1] = step - 1;
                int[] joined = g.shape().dims();
                joined[axis] = n * step;
                g = g.reshape(withStep).pad(before, after).reshape(joined);
            }
            int start = s.start()[axis];
            int tail = inDims[axis] - start - g.dim(axis);
            if (tail < 0) {                                                 // the last stride ran past the end
                g = g.slice(axis, 0, g.dim(axis) + tail);
                tail = 0;
            }
            if (start > 0 || tail > 0) {
                int[] before = new int[inDims.length];
                int[] after = new int[inDims.length];
                before[axis] = start;
                after[axis] = tail;
                g = g.pad(before, after);
            }
        }
        return g;
    }

    private static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            inv[perm[k]] = k;
        }
        return inv;
    }

    private static int[] plus(int[] a, int[] b) {
        int[] c = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    private static int[] ones(int n) {
        int[] o = new int[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }

    private static int[] insert(int[] dims, int at, int value) {
        int[] d = new int[dims.length + 1];
        System.arraycopy(dims, 0, d, 0, at);
        d[at] = value;
        System.arraycopy(dims, at, d, at + 1, dims.length - at);
        return d;
    }
}
