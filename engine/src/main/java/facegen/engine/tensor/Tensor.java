package facegen.engine.tensor;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An immutable n-dimensional array of numbers on one backend, and a node of the autodiff graph.
 *
 * <p>Every operation returns a new tensor computed by exactly one primitive ({@link Op}) or a short
 * composition of them; when grad mode is on ({@link GradMode}) and an input requires grad, the result records
 * its {@link Node} so {@code facegen.engine.autodiff.Autograd} can walk back. The only mutable part is the
 * gradient slot of a leaf ({@link #grad()}), filled by a backward pass.
 *
 * <p>Memory: each tensor holds one reference to its storage; {@link #close()} releases it, and a
 * {@link TensorScope} closes everything created inside it. Shapes follow NumPy broadcasting; mixing tensors of
 * two backends is an error naming both.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final Backend backend;
    private final Storage storage;
    private final boolean requiresGrad;
    private final Node node;
    private Tensor grad;
    private boolean closed;

    private Tensor(Shape shape, Backend backend, Storage storage, boolean requiresGrad, Node node) {
        this.shape = shape;
        this.backend = backend;
        this.storage = storage;
        this.requiresGrad = requiresGrad;
        this.node = node;
        TensorScope.register(this);
    }

    // ------------------------------------------------------------------------------------------- creation

    /** A tensor with the given row-major values and shape. */
    public static Tensor of(Backend backend, double[] values, int... shape) {
        Shape s = new Shape(shape);
        if (values.length != s.numel()) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + s + " (" + s.numel() + " elements)");
        }
        return new Tensor(s, backend, backend.upload(values), false, null);
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(Backend backend, double value) {
        return new Tensor(Shape.scalar(), backend, backend.fill(value, 1), false, null);
    }

    /** A tensor of {@code shape} filled with {@code value}. */
    public static Tensor full(Backend backend, double value, int... shape) {
        Shape s = new Shape(shape);
        return new Tensor(s, backend, backend.fill(value, s.numel()), false, null);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(Backend backend, int... shape) {
        return full(backend, 0, shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(Backend backend, int... shape) {
        return full(backend, 1, shape);
    }

    /** Samples of N(0, 1), reproducible from {@code seed} on every backend and platform. */
    public static Tensor randn(Backend backend, long seed, int... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return of(backend, v, shape);
    }

    /** Samples of U[lo, hi), reproducible from {@code seed}. */
    public static Tensor uniform(Backend backend, long seed, double lo, double hi, int... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return of(backend, v, shape);
    }

    /** 0, 1, ..., n-1 as a 1-D tensor (also the form of index tensors). */
    public static Tensor arange(Backend backend, int n) {
        double[] v = new double[n];
        Arrays.setAll(v, i -> i);
        return of(backend, v, n);
    }

    /** The same values as a new leaf that requires grad (a view sharing storage). */
    public Tensor requireGrad() {
        checkLive();
        return new Tensor(shape, backend, storage.retain(), true, null);
    }

    /** The same values cut from the graph: a leaf that does not require grad (shares storage). */
    public Tensor detach() {
        checkLive();
        return new Tensor(shape, backend, storage.retain(), false, null);
    }

    /** A copy on {@code target} (through the host), cut from the graph. */
    public Tensor to(Backend target) {
        return of(target, toArray(), shape.dims());
    }

    // ------------------------------------------------------------------------------------------- accessors

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** Extent of one axis (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    /** Number of axes. */
    public int rank() {
        return shape.rank();
    }

    /** The backend holding the data. */
    public Backend backend() {
        return backend;
    }

    /** The element type (that of the backend). */
    public DType dtype() {
        return backend.dtype();
    }

    /** The storage (for backends and kernels). */
    public Storage storage() {
        checkLive();
        return storage;
    }

    /** True when gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** How this tensor was computed, or null for a leaf. */
    public Node node() {
        return node;
    }

    /** True for a tensor not produced by a recorded operation. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The gradient accumulated into this leaf by backward passes, or null if none reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Adds {@code g} to this leaf's gradient slot (used by Autograd.backward; accumulates like PyTorch). */
    public void accumulateGrad(Tensor g) {
        if (!shape.equals(g.shape)) {
            throw new IllegalArgumentException("gradient " + g.shape + " does not match tensor " + shape);
        }
        grad = grad == null ? g : grad.add(g);
    }

    /** Clears the gradient slot (an optimizer does this between steps). */
    public void zeroGrad() {
        grad = null;
    }

    /** All values, row-major, as doubles. */
    public double[] toArray() {
        checkLive();
        return backend.download(storage);
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (shape.numel() != 1) {
            throw new IllegalStateException("item() needs one element, tensor has shape " + shape);
        }
        return toArray()[0];
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Releases this tensor's reference to its storage; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.release();
        }
    }

    private void checkLive() {
        if (closed) {
            throw new IllegalStateException("tensor " + shape + " on '" + backend.name() + "' was closed");
        }
    }

    @Override
    public String toString() {
        String values = "";
        if (!closed && shape.numel() <= 8) {
            values = " " + Arrays.toString(toArray());
        }
        return "Tensor" + shape + " " + dtype() + " on " + backend.name() + (requiresGrad ? " requires grad" : "") + values;
    }

    // ------------------------------------------------------------------------------------------- the one entry point

    /**
     * Runs primitive {@code op} on {@code inputs}: validates backends and shapes, executes on the backend and,
     * when grad mode is on and an input requires grad, records the node for backward.
     */
    public static Tensor apply(Op op, Tensor... inputs) {
        if (inputs.length != op.arity()) {
            throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " inputs, got " + inputs.length);
        }
        Backend backend = inputs[0].backend;
        List<Shape> shapes = new ArrayList<>(inputs.length);
        List<Operand> operands = new ArrayList<>(inputs.length);
        boolean needsGrad = false;
        for (Tensor t : inputs) {
            if (t.backend != backend) {
                throw new IllegalArgumentException(op.name() + ": inputs live on different backends, '" + backend.name()
                        + "' " + inputs[0].shape + " and '" + t.backend.name() + "' " + t.shape + "; move one with to()");
            }
            t.checkLive();
            shapes.add(t.shape);
            operands.add(new Operand(t.storage, t.shape));
            needsGrad |= t.requiresGrad;
        }
        Shape out = op.outputShape(shapes);
        Storage result = backend.execute(op, out, operands);
        boolean record = needsGrad && GradMode.isEnabled();
        Node node = record ? new Node(op, Arrays.asList(inputs), AnomalyMode.isEnabled()) : null;
        return new Tensor(out, backend, result, record, node);
    }

    private Tensor constant(double v) {
        return scalar(backend, v);
    }

    // ------------------------------------------------------------------------------------------- elementwise

    /** -x. */
    public Tensor neg() {
        return apply(new Op.Neg(), this);
    }

    /** e^x. */
    public Tensor exp() {
        return apply(new Op.Exp(), this);
    }

    /** ln x. */
    public Tensor log() {
        return apply(new Op.Log(), this);
    }

    /** sqrt(x). */
    public Tensor sqrt() {
        return apply(new Op.Sqrt(), this);
    }

    /** sin x. */
    public Tensor sin() {
        return apply(new Op.Sin(), this);
    }

    /** cos x. */
    public Tensor cos() {
        return apply(new Op.Cos(), this);
    }

    /** x + y (broadcasting). */
    public Tensor add(Tensor y) {
        return apply(new Op.Add(), this, y);
    }

    /** x + c. */
    public Tensor add(double c) {
        return add(constant(c));
    }

    /** x - y (broadcasting). */
    public Tensor sub(Tensor y) {
        return apply(new Op.Sub(), this, y);
    }

    /** x - c. */
    public Tensor sub(double c) {
        return sub(constant(c));
    }

    /** x * y (broadcasting). */
    public Tensor mul(Tensor y) {
        return apply(new Op.Mul(), this, y);
    }

    /** x * c. */
    public Tensor mul(double c) {
        return mul(constant(c));
    }

    /** x / y (broadcasting). */
    public Tensor div(Tensor y) {
        return apply(new Op.Div(), this, y);
    }

    /** x / c. */
    public Tensor div(double c) {
        return div(constant(c));
    }

    /** x^y (broadcasting). */
    public Tensor pow(Tensor y) {
        return apply(new Op.Pow(), this, y);
    }

    /** x^p for a constant exponent. */
    public Tensor pow(double p) {
        return pow(constant(p));
    }

    /** x^2. */
    public Tensor square() {
        return mul(this);
    }

    /** 1 / x. */
    public Tensor reciprocal() {
        return constant(1).div(this);
    }

    /** max(x, y) elementwise (ties split the gradient evenly). */
    public Tensor maximum(Tensor y) {
        return apply(new Op.Maximum(), this, y);
    }

    /** max(x, c). */
    public Tensor maximum(double c) {
        return maximum(constant(c));
    }

    /** min(x, y) elementwise (ties split the gradient evenly). */
    public Tensor minimum(Tensor y) {
        return apply(new Op.Minimum(), this, y);
    }

    /** min(x, c). */
    public Tensor minimum(double c) {
        return minimum(constant(c));
    }

    /** Mask x < y (1 or 0); not differentiable. */
    public Tensor lt(Tensor y) {
        return apply(new Op.Less(), this, y);
    }

    /** Mask x < c. */
    public Tensor lt(double c) {
        return lt(constant(c));
    }

    /** Mask x > y. */
    public Tensor gt(Tensor y) {
        return apply(new Op.Less(), y, this);
    }

    /** Mask x > c. */
    public Tensor gt(double c) {
        return gt(constant(c));
    }

    /** Mask x == y. */
    public Tensor eq(Tensor y) {
        return apply(new Op.Equal(), this, y);
    }

    /** cond != 0 ? a : b, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return apply(new Op.Where(), cond, a, b);
    }

    /** |x| = where(x < 0, -x, x); the subgradient at 0 is +1. */
    public Tensor abs() {
        return where(lt(0), neg(), this);
    }

    /** max(x, 0); the subgradient at 0 is 0, as PyTorch. */
    public Tensor relu() {
        return where(gt(0), this, zerosLike());
    }

    /** tanh x = 1 - 2 / (e^{2x} + 1), a form that does not overflow to NaN for large |x|. */
    public Tensor tanh() {
        return constant(1).sub(constant(2).div(mul(2).exp().add(1)));
    }

    /** 1 / (1 + e^{-x}). */
    public Tensor sigmoid() {
        return constant(1).div(neg().exp().add(1));
    }

    /** Zeros of this tensor's shape on its backend. */
    public Tensor zerosLike() {
        return zeros(backend, shape.dims());
    }

    // ------------------------------------------------------------------------------------------- reductions

    /** Sum over {@code axes}; reduced axes are dropped unless {@code keepDims}. */
    public Tensor sum(int[] axes, boolean keepDims) {
        int[] a = normalizeAxes(axes);
        Tensor s = apply(new Op.Sum(a), this);
        return keepDims ? s : s.reshape(dropAxes(a));
    }

    /** Sum over the given axes, dropping them. */
    public Tensor sum(int... axes) {
        return sum(axes, false);
    }

    /** Sum of every element, a scalar. */
    public Tensor sumAll() {
        return sum(allAxes(), false);
    }

    /** Mean over {@code axes}. */
    public Tensor mean(int[] axes, boolean keepDims) {
        int[] a = normalizeAxes(axes);
        long count = 1;
        for (int ax : a) {
            count *= shape.dim(ax);
        }
        return sum(a, keepDims).div(count);
    }

    /** Mean over the given axes, dropping them. */
    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    /** Mean of every element, a scalar. */
    public Tensor meanAll() {
        return mean(allAxes(), false);
    }

    /** Max over {@code axes}; ties share the gradient evenly. */
    public Tensor max(int[] axes, boolean keepDims) {
        int[] a = normalizeAxes(axes);
        Tensor m = apply(new Op.Max(a), this);
        return keepDims ? m : m.reshape(dropAxes(a));
    }

    /** Sums the broadcast axes away so the result has {@code target}'s shape (the adjoint of broadcasting). */
    public Tensor sumTo(Shape target) {
        if (shape.equals(target)) {
            return this;
        }
        if (!target.broadcastsTo(shape)) {
            throw new IllegalArgumentException("cannot sum " + shape + " down to " + target);
        }
        int lead = shape.rank() - target.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < shape.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && shape.dim(i) != 1)) {
                axes.add(i);
            }
        }
        Tensor s = axes.isEmpty() ? this : apply(new Op.Sum(axes.stream().mapToInt(Integer::intValue).toArray()), this);
        return s.reshape(target.dims());
    }

    private int[] allAxes() {
        int[] a = new int[shape.rank()];
        Arrays.setAll(a, i -> i);
        return a;
    }

    private int[] normalizeAxes(int[] axes) {
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            a[i] = shape.normalizeAxis(axes[i]);
        }
        Arrays.sort(a);
        for (int i = 1; i < a.length; i++) {
            if (a[i] == a[i - 1]) {
                throw new IllegalArgumentException("axis " + a[i] + " repeated in " + Arrays.toString(axes));
            }
        }
        return a;
    }

    private int[] dropAxes(int[] sortedAxes) {
        int[] d = new int[shape.rank() - sortedAxes.length];
        int k = 0;
        for (int i = 0; i < shape.rank(); i++) {
            if (Arrays.binarySearch(sortedAxes, i) < 0) {
                d[k++] = shape.dim(i);
            }
        }
        return d;
    }

    // ------------------------------------------------------------------------------------------- movement

    /** Same elements, new shape; one extent may be -1 (inferred). Zero-copy. */
    public Tensor reshape(int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape " + Arrays.toString(dims) + ": only one -1 allowed");
                }
                infer = i;
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || shape.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + shape + " as " + Arrays.toString(dims));
            }
            d[infer] = (int) (shape.numel() / known);
        }
        Shape target = new Shape(d);
        if (target.equals(shape)) {
            return this;
        }
        return apply(new Op.Reshape(target), this);
    }

    /** Reorders axes: output axis k is input axis perm[k]. */
    public Tensor permute(int... perm) {
        return apply(new Op.Permute(perm), this);
    }

    /** Swaps two axes. */
    public Tensor transpose(int a, int b) {
        int[] perm = allAxes();
        int na = shape.normalizeAxis(a);
        int nb = shape.normalizeAxis(b);
        perm[na] = nb;
        perm[nb] = na;
        return permute(perm);
    }

    /** Broadcasts to {@code dims} (materialised). */
    public Tensor expand(int... dims) {
        Shape target = new Shape(dims);
        return target.equals(shape) ? this : apply(new Op.Expand(target), this);
    }

    /** x[start:end:step] along one axis. */
    public Tensor slice(int axis, int start, int end, int step) {
        int a = shape.normalizeAxis(axis);
        int[] s = new int[shape.rank()];
        int[] e = shape.dims();
        int[] st = new int[shape.rank()];
        Arrays.fill(st, 1);
        s[a] = start;
        e[a] = end;
        st[a] = step;
        return apply(new Op.Slice(s, e, st), this);
    }

    /** x[start:end] along one axis. */
    public Tensor slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /** General slice with per-axis bounds and steps. */
    public Tensor slice(int[] start, int[] end, int[] step) {
        return apply(new Op.Slice(start, end, step), this);
    }

    /** Zero padding with per-axis widths before and after. */
    public Tensor pad(int[] before, int[] after) {
        return apply(new Op.Pad(before, after), this);
    }

    /** Joins tensors along {@code axis}. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        int a = parts[0].shape.normalizeAxis(axis);
        return parts.length == 1 ? parts[0] : apply(new Op.Concat(a, parts.length), parts);
    }

    /** Reverses the order along {@code axes}. */
    public Tensor flip(int... axes) {
        return apply(new Op.Flip(normalizeAxes(axes)), this);
    }

    // ------------------------------------------------------------------------------------------- gather / scatter

    /** Rows (along {@code axis}) picked by the integer values of the 1-D {@code index}. */
    public Tensor indexSelect(int axis, Tensor index) {
        checkIndexable(shape.dim(axis), "index_select");
        return apply(new Op.IndexSelect(shape.normalizeAxis(axis)), this, index);
    }

    /** Scatter-add of this tensor's slices along {@code axis} into {@code size} slots chosen by {@code index}. */
    public Tensor indexAdd(int axis, int size, Tensor index) {
        checkIndexable(size, "index_add");
        return apply(new Op.IndexAdd(shape.normalizeAxis(axis), size), this, index);
    }

    /**
     * y[c, i] = sum_j w[j, i] x[c, index[j, i]] for this x [C, K], {@code index} [J, N] and {@code w} [J, N]: J
     * weighted taps per output column in one pass (see {@link Op.WeightedGather}); differentiable in x and w.
     */
    public Tensor weightedGather(Tensor index, Tensor w) {
        checkIndexable(rank() == 2 ? dim(1) : 0, "weighted_gather");
        return apply(new Op.WeightedGather(), this, index, w);
    }

    /** Index tensors hold integers in the float dtype: past 2^24 float32 cannot tell neighbours apart. */
    private void checkIndexable(int extent, String what) {
        int exact = dtype() == DType.FLOAT32 ? 1 << 24 : Integer.MAX_VALUE;
        if (extent > exact) {
            throw new IllegalArgumentException(what + ": axis of extent " + extent + " on '" + backend.name() + "' ("
                    + dtype() + ") exceeds 2^24, the largest range float32 index values represent exactly; split the axis");
        }
    }

    // ------------------------------------------------------------------------------------------- linear algebra

    /** Matrix product x @ y over the last two axes, equal batch axes. */
    public Tensor matmul(Tensor y) {
        return matmul(y, false, false);
    }

    /** op(x) @ op(y), op = transpose of the last two axes where the flag is set. */
    public Tensor matmul(Tensor y, boolean transX, boolean transY) {
        return apply(new Op.MatMul(transX, transY), this, y);
    }

    /** 2-D convolution of this [N, C, H, W] with {@code w} [O, C/groups, kH, kW] (no bias). */
    public Tensor conv2d(Tensor w, ConvGeometry geometry) {
        return apply(new Op.Conv2d(geometry), this, w);
    }

    /**
     * Transposed convolution, the adjoint of {@link #conv2d} w.r.t. its input: this is dy [N, O, H', W'],
     * {@code w} [O, C/groups, kH, kW], the result [N, C, outH, outW].
     */
    public Tensor conv2dInputGrad(Tensor w, ConvGeometry geometry, int outH, int outW) {
        return apply(new Op.Conv2dInputGrad(geometry, outH, outW), this, w);
    }

    /** The adjoint of {@link #conv2d} w.r.t. its weight: this is x [N, C, H, W], {@code dy} [N, O, H', W']. */
    public Tensor conv2dWeightGrad(Tensor dy, ConvGeometry geometry, int kH, int kW) {
        return apply(new Op.Conv2dWeightGrad(geometry, kH, kW), this, dy);
    }

    /** Bilinear sampling of this [N, C, H, W] at {@code grid} [N, Ho, Wo, 2] (grid_sample, align_corners=False). */
    public Tensor gridSample(Tensor grid) {
        return apply(new Op.GridSample(), this, grid);
    }
}
