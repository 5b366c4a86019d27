package facegen.engine.backend;

import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend that runs every call on another backend and adds up the wall time per primitive (and for uploads and
 * downloads), so a benchmark can say which primitives its time goes to. Storage stays the delegate's; tensors made
 * through this backend must not be mixed with tensors made on the delegate directly. GPU work is timed up to its
 * queueing unless {@code synchronizeEach} waits for every call (slower, but attributes device time to the call).
 */
public final class ProfilingBackend implements Backend {
    private final Backend delegate;
    private final boolean synchronizeEach;
    private final Map<String, long[]> totals = new LinkedHashMap<>();   // name -> {calls, nanos, elements}

    /** Profiles {@code delegate}; with {@code synchronizeEach} every call waits for the device before the clock stops. */
    public ProfilingBackend(Backend delegate, boolean synchronizeEach) {
        this.delegate = delegate;
        this.synchronizeEach = synchronizeEach;
    }

    /** One line of the profile: a primitive (or upload/download), how often it ran, its total time and output size. */
    public record Entry(String name, long calls, double millis, long elements) {}

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public DType dtype() {
        return delegate.dtype();
    }

    @Override
    public Storage upload(double[] values) {
        long t0 = System.nanoTime();
        Storage s = delegate.upload(values);
        record("upload", t0, values.length);
        return s;
    }

    @Override
    public double[] download(Storage storage) {
        long t0 = System.nanoTime();
        double[] v = delegate.download(storage);
        record("download", t0, v.length);
        return v;
    }

    @Override
    public Storage fill(double value, long n) {
        long t0 = System.nanoTime();
        Storage s = delegate.fill(value, n);
        record("fill", t0, n);
        return s;
    }

    @Override
    public Storage execute(Op op, Shape out, List<Operand> inputs) {
        long t0 = System.nanoTime();
        Storage s = delegate.execute(op, out, inputs);
        record(op.name(), t0, out.numel());
        return s;
    }

    private void record(String name, long t0, long elements) {
        if (synchronizeEach) {
            delegate.synchronize();
        }
        long nanos = System.nanoTime() - t0;
        long[] t = totals.computeIfAbsent(name, _ -> new long[3]);
        t[0]++;
        t[1] += nanos;
        t[2] += elements;
    }

    /** The totals so far, largest time first. */
    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        totals.forEach((name, t) -> list.add(new Entry(name, t[0], t[1] / 1e6, t[2])));
        list.sort(Comparator.comparingDouble(Entry::millis).reversed());
        return list;
    }

    /** Forgets the totals (e.g. after warm-up). */
    public void reset() {
        totals.clear();
    }

    /** The totals as a table divided by {@code runs}: per-run calls, milliseconds and output elements. */
    public String table(int runs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-14s %8s %10s %12s%n", "primitive", "calls", "ms", "elements"));
        for (Entry e : entries()) {
            b.append(String.format(Locale.ROOT, "%-14s %8.1f %10.3f %12d%n", e.name(), e.calls() / (double) runs,
                    e.millis() / runs, e.elements() / runs));
        }
        return b.toString();
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    @Override
    public long liveBytes() {
        return delegate.liveBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
