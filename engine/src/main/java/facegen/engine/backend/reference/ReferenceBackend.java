package facegen.engine.backend.reference;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Elements;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The float64 backend that defines every primitive: plain single-threaded loops in {@link ReferenceKernels} over
 * on-heap double[] storage. Slow on purpose; other backends are tested against it and gradients are checked in it.
 */
public final class ReferenceBackend implements Backend {

    /** The most elements one Java array may hold on common JVMs. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    private final AtomicLong liveBytes = new AtomicLong();

    /** A new reference backend with no live storage. */
    public ReferenceBackend() {}

    /** Returns {@code "reference"}. */
    @Override
    public String name() {
        return "reference";
    }

    /** Returns {@link DType#FLOAT64}: values are stored and computed as doubles. */
    @Override
    public DType dtype() {
        return DType.FLOAT64;
    }

    /** New storage holding a copy of {@code values} (no rounding: they are already doubles). */
    @Override
    public Storage upload(double[] values) {
        return new ReferenceStorage(this, values.clone(), liveBytes);
    }

    /** A copy of the elements of {@code storage}, which must be live storage of this backend. */
    @Override
    public double[] download(Storage storage) {
        return own(storage, "downloaded storage").values().clone();
    }

    /** New storage of {@code n} elements all equal to {@code value}. */
    @Override
    public Storage fill(double value, long n) {
        double[] values = new double[checkedLength(n)];
        Arrays.fill(values, value);
        return new ReferenceStorage(this, values, liveBytes);
    }

    /**
     * y = op(inputs) by {@link ReferenceKernels#run} into new storage of {@code out.numel()} elements; for
     * {@link Op.Reshape} the input storage itself, with one more reference.
     *
     * @throws IllegalArgumentException when an operand lives on another backend or its storage does not match its shape
     * @throws IllegalStateException    when an operand's storage was already freed
     */
    @Override
    public Storage execute(Op op, Shape out, List<Operand> inputs) {
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " inputs, got " + inputs.size());
        }
        List<Shape> shapes = new ArrayList<>(inputs.size());
        List<Elements> elements = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Operand operand = inputs.get(i);
            ReferenceStorage storage = own(operand.storage(), "operand " + i);
            if (storage.length() != operand.shape().numel()) {
                throw new IllegalArgumentException(op.name() + ": operand " + i + " has shape " + operand.shape()
                        + " but its storage holds " + storage.length() + " elements");
            }
            shapes.add(operand.shape());
            elements.add(storage.elements());
        }
        if (op instanceof Op.Reshape) {
            return inputs.getFirst().storage().retain();
        }
        ReferenceStorage result = new ReferenceStorage(this, new double[checkedLength(out.numel())], liveBytes);
        ReferenceKernels.run(op, out, shapes, elements, result.elements());
        return result;
    }

    /** Bytes held by live storage of this backend: 8 per element. */
    @Override
    public long liveBytes() {
        return liveBytes.get();
    }

    /** Nothing to release: storage is on the Java heap and freed by reference counting. */
    @Override
    public void close() {}

    /** {@code storage} as this backend's own, failing when it lives elsewhere or was freed. */
    private ReferenceStorage own(Storage storage, String what) {
        if (storage.backend() != this || !(storage instanceof ReferenceStorage own)) {
            String other = storage.backend().name();
            throw new IllegalArgumentException(what + " lives on backend '" + other + "', expected '" + name() + "'"
                    + (other.equals(name()) ? " (another instance)" : ""));
        }
        own.checkLive();
        return own;
    }

    private static int checkedLength(long n) {
        if (n < 0 || n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("the reference backend stores at most " + MAX_ELEMENTS
                    + " elements per tensor (one Java array), asked for " + n);
        }
        return (int) n;
    }
}
