package facegen.engine.backend;

import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.List;

/**
 * Where tensors live and primitives run. A backend implements exactly the primitive set of {@link Op}
 * (an exhaustive switch), plus moving data to and from the host; nothing else.
 *
 * <p>Implementations: {@code reference} (plain loops in float64, the auditable definition) and {@code cpu}
 * (float32, Vector API, all cores). GPU backends (OpenCL, CUDA/PTX) and a future TornadoVM backend plug in
 * behind the same interface without touching ops or derivative rules.
 */
public interface Backend extends AutoCloseable {

    /** Short name used on the command line ({@code --backend NAME}) and in audit tables. */
    String name();

    /** The element type of every tensor on this backend. */
    DType dtype();

    /** Copies host values into new storage (rounded to {@link #dtype()}). */
    Storage upload(double[] values);

    /** Copies storage to the host as doubles. */
    double[] download(Storage storage);

    /** New storage of {@code n} elements all equal to {@code value}. */
    Storage fill(double value, long n);

    /**
     * Runs one primitive. Inputs are validated by the caller ({@link Op#outputShape}); the result is new storage
     * of {@code out.numel()} elements with one reference (for {@link Op.Reshape}, the input's storage retained).
     */
    Storage execute(Op op, Shape out, List<Operand> inputs);

    /**
     * Waits until every primitive already executed has finished. CPU backends finish inside {@link #execute}; GPU
     * backends queue kernels, so benchmarks call this before reading the clock.
     */
    default void synchronize() {}

    /** Bytes currently held by live storage of this backend (for leak tests and memory reports). */
    long liveBytes();

    /** Releases resources the backend itself holds (thread pools, device contexts). */
    @Override
    void close();
}
