package facegen.engine.backend.device;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The float32 backend for any {@link Device} (OpenCL, CUDA): storage is one device buffer per tensor and every
 * primitive of {@link Op} runs as kernels of {@code resources/facegen/engine/kernels/*.cl}, never on the host.
 *
 * <p>One launcher per kernel family: {@link ElementwiseLauncher}, {@link ReduceLauncher}, {@link MovementLauncher},
 * {@link GatherLauncher}, {@link MatMulLauncher}, {@link ConvLauncher}, {@link GridSampleLauncher}.
 * {@link Op.Reshape} shares the input's storage. Results are deterministic: the same inputs give bit-identical
 * outputs on every run (no float atomics; every sum is taken in an order fixed by the shapes; the two scatters,
 * index_add and grid_sample's input gradient, gather through a host-built {@link InverseIndex}).
 *
 * <p>Host round trips: {@link #upload}, {@link #download}, and the index checks and inverses of index_select,
 * index_add and grid_sample_input_grad (each one blocking read of a small int/float vector). Everything else only
 * queues launches. The backend owns the device: {@link #close()} closes it.
 */
public final class DeviceBackend implements Backend {

    private final Device device;
    private final AtomicLong liveBytes = new AtomicLong();
    private final KernelRunner runner;
    private final ElementwiseLauncher elementwise;
    private final ReduceLauncher reduce;
    private final MovementLauncher movement;
    private final GatherLauncher gather;
    private final MatMulLauncher matmul;
    private final ConvLauncher conv;
    private final GridSampleLauncher gridSample;

    /** A backend running on {@code device}, which it closes when closed. */
    public DeviceBackend(Device device) {
        this.device = device;
        this.runner = new KernelRunner(device);
        this.elementwise = new ElementwiseLauncher(runner);
        this.reduce = new ReduceLauncher(runner);
        this.movement = new MovementLauncher(runner, elementwise);
        this.gather = new GatherLauncher(runner);
        this.matmul = new MatMulLauncher(runner);
        this.conv = new ConvLauncher(runner);
        this.gridSample = new GridSampleLauncher(runner);
    }

    /** The device's backend name ({@code opencl}, {@code cuda}). */
    @Override
    public String name() {
        return device.info().backend();
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    /** The device this backend runs on. */
    public Device device() {
        return device;
    }

    @Override
    public Storage upload(double[] values) {
        float[] data = new float[values.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) values[i];
        }
        DeviceStorage storage = allocate(data.length, "uploaded tensor of " + data.length + " elements");
        device.write(storage.buffer(), data);
        return storage;
    }

    @Override
    public double[] download(Storage storage) {
        float[] data = new float[checkedLength(storage.length())];
        device.read(own(storage, "downloaded storage").buffer(), data);
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i];
        }
        return out;
    }

    @Override
    public Storage fill(double value, long n) {
        DeviceStorage storage = allocate(checkedLength(n), "filled tensor of " + n + " elements");
        elementwise.fill(storage.buffer(), (float) value, (int) n);
        return storage;
    }

    @Override
    public Storage execute(Op op, Shape out, List<Operand> inputs) {
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " inputs, got " + inputs.size());
        }
        List<DeviceBuffer> in = new ArrayList<>(inputs.size());
        List<Shape> shapes = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Operand operand = inputs.get(i);
            DeviceStorage storage = own(operand.storage(), op.name() + ": operand " + i);
            if (storage.length() != operand.shape().numel()) {
                throw new IllegalArgumentException(op.name() + ": operand of shape " + operand.shape() + " has storage of "
                        + storage.length() + " elements");
            }
            in.add(storage.buffer());
            shapes.add(operand.shape());
        }
        if (op instanceof Op.Reshape) {
            return inputs.getFirst().storage().retain();
        }
        DeviceStorage result = allocate(out.size(), "output of " + op.name() + " " + out);
        try {
            run(op, in, shapes, result.buffer(), out);
        } catch (RuntimeException e) {
            result.release();
            throw e;
        }
        return result;
    }

    /** Queues the kernels of {@code op}; {@code y} has {@code out.numel()} elements and every one gets written. */
    private void run(Op op, List<DeviceBuffer> in, List<Shape> shapes, DeviceBuffer y, Shape out) {
        DeviceBuffer x = in.get(0);
        Shape s0 = shapes.get(0);
        switch (op) {
            case Op.Unary u -> elementwise.unary(u, x, y, out.size());
            case Op.Binary b -> elementwise.binary(b, x, s0, in.get(1), shapes.get(1), y, out);
            case Op.Where _ -> elementwise.where(x, s0, in.get(1), shapes.get(1), in.get(2), shapes.get(2), y, out);
            case Op.Reduce r -> reduce.reduce(r, x, s0, y, out);
            case Op.Reshape _ -> throw new IllegalStateException("reshape shares storage and launches nothing");
            case Op.Permute p -> movement.permute(p, x, s0, y, out);
            case Op.Expand _ -> movement.expand(x, s0, y, out);
            case Op.Slice s -> movement.slice(s, x, s0, y, out);
            case Op.Pad p -> movement.pad(p, x, s0, y, out);
            case Op.Concat c -> movement.concat(out.normalizeAxis(c.axis()), in, shapes, y, out);
            case Op.Flip f -> movement.flip(f, x, s0, y);
            case Op.IndexSelect s -> gather.indexSelect(s0.normalizeAxis(s.axis()), x, s0, in.get(1), shapes.get(1).dim(0), y, out);
            case Op.IndexAdd a -> gather.indexAdd(out.normalizeAxis(a.axis()), x, s0, in.get(1), y, out);
            case Op.WeightedGather _ -> gather.weightedGather(x, s0, in.get(1), shapes.get(1), in.get(2), y, out);
            case Op.WeightedGatherInputGrad _ -> gather.weightedGatherInputGrad(x, in.get(1), shapes.get(1), in.get(2), y, out);
            case Op.WeightedGatherWeightGrad _ -> gather.weightedGatherWeightGrad(x, in.get(1), shapes.get(1), in.get(2),
                    shapes.get(2), y);
            case Op.MatMul m -> matmul.matmul(m, x, s0, in.get(1), y, out);
            case Op.Conv2d c -> conv.conv2d(c.geometry(), x, s0, in.get(1), shapes.get(1), y, out);
            case Op.Conv2dInputGrad c -> conv.inputGrad(c.geometry(), x, s0, in.get(1), shapes.get(1), y, out);
            case Op.Conv2dWeightGrad c -> conv.weightGrad(c.geometry(), x, s0, in.get(1), shapes.get(1), y, out);
            case Op.GridSample _ -> gridSample.sample(x, s0, in.get(1), y, out);
            case Op.GridSampleInputGrad _ -> gridSample.inputGrad(x, in.get(1), shapes.get(1), y, out);
            case Op.GridSampleGridGrad _ -> gridSample.gridGrad(x, s0, in.get(1), shapes.get(1), in.get(2), y);
        }
    }

    /** New storage of n elements; a zero-length tensor still gets a one-element buffer (drivers reject size 0). */
    private DeviceStorage allocate(int n, String what) {
        DeviceBuffer buffer = device.allocate(4L * Math.max(1, n), what);
        return new DeviceStorage(this, buffer, n, liveBytes);
    }

    private DeviceStorage own(Storage s, String what) {
        if (s.backend() != this || !(s instanceof DeviceStorage own)) {
            String other = s.backend().name();
            throw new IllegalArgumentException(what + " lives on backend '" + other + "', expected '" + name() + "'"
                    + (other.equals(name()) ? " (another instance)" : "") + "; move it with Tensor.to()");
        }
        own.checkLive();
        return own;
    }

    private static int checkedLength(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a device tensor holds at most 2^31 - 16 elements (int indices in the"
                    + " kernels), asked for " + n);
        }
        return (int) n;
    }

    /** Bytes of live tensor storage (4 per element); cached kernel metadata is not counted. */
    @Override
    public void synchronize() {
        device.synchronize();
    }

    @Override
    public long liveBytes() {
        return liveBytes.get();
    }

    /** Bytes of kernel metadata (shapes, strides) cached on the device, beyond {@link #liveBytes()}. */
    public long metadataBytes() {
        return runner.metadataBytes();
    }

    /** Frees cached metadata and closes the device (which frees any storage still alive). */
    @Override
    public void close() {
        runner.close();
        device.close();
    }
}
