package facegen.engine.backend.cpu;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Elements;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.backend.cpu.MatMulKernel.Matrix;
import facegen.engine.backend.reference.ReferenceKernels;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The float32 backend for the CPU: storage is a Java {@code float[]}, the hot primitives run as vectorised kernels
 * on all cores (Vector API for the GEMM, exp, log, sin and cos; plain loops that C2 vectorises for the rest),
 * everything else runs the reference definitions over a float view.
 *
 * <p>Fast paths: elementwise {@link Op.Unary} and {@link Op.Binary} ({@link ElementwiseKernels}, exp, log and pow
 * in {@link FloatExpLog}, sin and cos in {@link FloatTrig}), {@link Op.Sum} ({@link SumKernel}), {@link Op.MatMul}
 * ({@link MatMulKernel}, a packed, register-tiled GEMM), the three convolution primitives ({@link Conv2dKernels}:
 * the same GEMM, packing image patches straight from the input) and the movement, selection and max primitives
 * ({@link MovementKernels}), the weighted gather and its adjoints ({@link WeightedGatherKernels}; index_add of
 * single values and the weighted scatter share the {@link ScatterKernel}).
 * {@link Op.Reshape} shares the input's storage. The grid-sampling primitives call
 * {@link ReferenceKernels} through {@link FloatElements}; callers must not rely on which path runs.
 *
 * <p>Each instance owns a {@link WorkerPool} ({@link #close()} stops its threads) and a {@link FloatArrayPool}
 * recycling the arrays of freed storage. Instances share no state.
 */
public final class CpuBackend implements Backend {

    private final AtomicLong liveBytes = new AtomicLong();
    private final FloatArrayPool arrays = new FloatArrayPool();
    private final WorkerPool pool;
    private final ElementwiseKernels elementwise;
    private final SumKernel sums;
    private final MatMulKernel matmul;
    private final Conv2dKernels conv;
    private final MovementKernels movement;
    private final WeightedGatherKernels weightedGather;

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend running its kernels on {@code threads} threads (the calling thread counts as one). */
    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
        this.elementwise = new ElementwiseKernels(pool);
        this.sums = new SumKernel(pool);
        this.matmul = new MatMulKernel(pool);
        this.conv = new Conv2dKernels(pool, matmul, arrays);
        ScatterKernel scatter = new ScatterKernel(pool);
        IndexCheck indexCheck = new IndexCheck(pool);
        this.movement = new MovementKernels(pool, scatter, indexCheck);
        this.weightedGather = new WeightedGatherKernels(pool, scatter, indexCheck);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    /** Number of threads kernels run on. */
    public int threads() {
        return pool.threads();
    }

    @Override
    public Storage upload(double[] values) {
        float[] data = arrays.take(values.length);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) values[i];
        }
        return new CpuStorage(this, data, liveBytes, arrays);
    }

    @Override
    public double[] download(Storage storage) {
        float[] data = data(storage, "download");
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i];
        }
        return out;
    }

    @Override
    public Storage fill(double value, long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("cannot fill " + n + " float32 elements (one Java array holds at most 2^31 - 16)");
        }
        float[] data = arrays.take((int) n);
        Arrays.fill(data, (float) value);
        return new CpuStorage(this, data, liveBytes, arrays);
    }

    @Override
    public Storage execute(Op op, Shape out, List<Operand> inputs) {
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " inputs, got " + inputs.size());
        }
        List<float[]> in = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            in.add(operandData(op, i, inputs.get(i)));
        }
        if (op instanceof Op.Reshape) {
            return inputs.getFirst().storage().retain();
        }
        // fast kernels overwrite every element, so a recycled (dirty) array will do; the reference needs zeros
        float[] y = arrays.take(out.size());
        Shape s0 = inputs.getFirst().shape();
        switch (op) {
            case Op.Unary u -> elementwise.unary(u, in.get(0), y);
            case Op.Binary b -> elementwise.binary(b, in.get(0), s0, in.get(1), inputs.get(1).shape(), y, out);
            case Op.Sum s -> sums.sum(in.get(0), s0, s.axes(), y);
            case Op.MatMul m -> matmul(m, in.get(0), s0, in.get(1), inputs.get(1).shape(), y, out);
            case Op.Conv2d c -> conv.forward(in.get(0), in.get(1), y,
                    Conv2dKernels.Problem.of(s0, inputs.get(1).shape(), out, c.geometry()));
            case Op.Conv2dInputGrad c -> conv.inputGrad(in.get(0), in.get(1), y,
                    Conv2dKernels.Problem.of(out, inputs.get(1).shape(), s0, c.geometry()));
            case Op.Conv2dWeightGrad c -> conv.weightGrad(in.get(0), in.get(1), y,
                    Conv2dKernels.Problem.of(s0, out, inputs.get(1).shape(), c.geometry()));
            case Op.Where _, Op.Max _, Op.Permute _, Op.Expand _, Op.Slice _, Op.Pad _, Op.Concat _, Op.Flip _,
                 Op.IndexSelect _, Op.IndexAdd _ -> movement.run(op, out, shapes(inputs), in, y);
            case Op.WeightedGather _ -> weightedGather.gather(in.get(0), s0, in.get(1), inputs.get(1).shape(), in.get(2), y);
            case Op.WeightedGatherInputGrad _ -> weightedGather.inputGrad(in.get(0), in.get(1), inputs.get(1).shape(), in.get(2),
                    out, y);
            case Op.WeightedGatherWeightGrad _ -> weightedGather.weightGrad(in.get(0), in.get(1), inputs.get(1).shape(),
                    in.get(2), inputs.get(2).shape(), y);
            case Op.Reshape _, Op.GridSample _, Op.GridSampleInputGrad _, Op.GridSampleGridGrad _ ->
                    reference(op, out, inputs, in, y);
        }
        return new CpuStorage(this, y, liveBytes, arrays);
    }

    /** Batched y = op(a) op(b) over the leading axes; small products run one per thread. */
    private void matmul(Op.MatMul op, float[] a, Shape sa, float[] b, Shape sb, float[] y, Shape out) {
        int r = out.rank();
        int m = out.dim(r - 2);
        int n = out.dim(r - 1);
        int k = op.transA() ? sa.dim(r - 2) : sa.dim(r - 1);
        int batch = (int) (out.numel() / Math.max(1L, (long) m * n));
        if (m == 0 || n == 0) {
            return;
        }
        int aSize = m * k;
        int bSize = k * n;
        boolean smallProducts = 2L * m * n * k < MatMulKernel.PARALLEL_MIN_FLOPS;
        pool.forEach(batch, smallProducts, i -> {
            Matrix av = op.transA() ? Matrix.rowMajor(a, i * aSize, m).transposed() : Matrix.rowMajor(a, i * aSize, k);
            Matrix bv = op.transB() ? Matrix.rowMajor(b, i * bSize, k).transposed() : Matrix.rowMajor(b, i * bSize, n);
            matmul.multiply(m, n, k, av, bv, y, i * m * n, n, false);
        });
    }

    private static List<Shape> shapes(List<Operand> inputs) {
        return inputs.stream().map(Operand::shape).toList();
    }

    /** Runs the plain-loop definition over float views; y is still zero-filled, as it expects. */
    private static void reference(Op op, Shape out, List<Operand> inputs, List<float[]> in, float[] y) {
        Arrays.fill(y, 0f);
        List<Shape> shapes = new ArrayList<>(inputs.size());
        List<Elements> views = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            shapes.add(inputs.get(i).shape());
            views.add(new FloatElements(in.get(i)));
        }
        ReferenceKernels.run(op, out, shapes, views, new FloatElements(y));
    }

    private float[] operandData(Op op, int index, Operand operand) {
        Storage s = operand.storage();
        if (s.backend() != this) {
            throw new IllegalArgumentException(op.name() + ": operand " + index + " lives on backend '" + s.backend().name()
                    + "', expected '" + name() + "'; move it with Tensor.to()");
        }
        s.checkLive();
        if (s.length() != operand.shape().numel()) {
            throw new IllegalArgumentException(op.name() + ": operand of shape " + operand.shape() + " has storage of "
                    + s.length() + " elements");
        }
        return ((CpuStorage) s).data();
    }

    private float[] data(Storage s, String what) {
        if (s.backend() != this) {
            throw new IllegalArgumentException(what + ": storage lives on backend '" + s.backend().name()
                    + "', not on '" + name() + "'");
        }
        return ((CpuStorage) s).data();
    }

    @Override
    public long liveBytes() {
        return liveBytes.get();
    }

    @Override
    public void close() {
        pool.close();
    }
}
