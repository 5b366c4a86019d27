package facegen.engine.tensor;

/** Element type of a tensor: float32 for compute, float64 for the reference backend and gradient checks. */
public enum DType {
    FLOAT32(4),
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
