package facegen.engine.backend.device;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.Assumptions;

import java.util.List;

/**
 * A GPU backend for tests, or, on a machine without it, a stand-in whose every method aborts the test with the
 * reason, so JUnit reports those cases as skipped, never as passed.
 */
public final class DeviceTestBackends {

    private DeviceTestBackends() {}

    /** A new backend {@code name} (the caller closes it), or the aborting stand-in when it is unavailable here. */
    public static Backend openOrSkipping(String name) {
        try {
            return Backends.create(name);
        } catch (BackendUnavailableException e) {
            return new Unavailable(name, e.getMessage());
        }
    }

    /** Aborts the calling test, so JUnit reports it skipped with the reason, when {@code backend} is the stand-in. */
    public static void skipIfUnavailable(Backend backend) {
        if (backend instanceof Unavailable u) {
            Assumptions.abort(u.name + " unavailable: " + u.reason);
        }
    }

    /** Every call aborts the test naming why the backend cannot run here. */
    private record Unavailable(String name, String reason) implements Backend {
        private <T> T skip() {
            return Assumptions.abort(name + " unavailable: " + reason);
        }

        @Override
        public DType dtype() {
            return skip();
        }

        @Override
        public Storage upload(double[] values) {
            return skip();
        }

        @Override
        public double[] download(Storage storage) {
            return skip();
        }

        @Override
        public Storage fill(double value, long n) {
            return skip();
        }

        @Override
        public Storage execute(Op op, Shape out, List<Operand> inputs) {
            return skip();
        }

        @Override
        public long liveBytes() {
            return skip();
        }

        @Override
        public void close() {}
    }
}
