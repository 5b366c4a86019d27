package facegen.engine.backend.cpu;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.List;

/** The float32 Vector API backend (being written). */
public final class CpuBackend implements Backend {
    @Override public String name() { return "cpu"; }
    @Override public DType dtype() { return DType.FLOAT32; }
    @Override public Storage upload(double[] values) { throw new UnsupportedOperationException(); }
    @Override public double[] download(Storage storage) { throw new UnsupportedOperationException(); }
    @Override public Storage fill(double value, long n) { throw new UnsupportedOperationException(); }
    @Override public Storage execute(Op op, Shape out, List<Operand> inputs) { throw new UnsupportedOperationException(); }
    @Override public long liveBytes() { return 0; }
    @Override public void close() {}
}
