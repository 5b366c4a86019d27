package facegen.engine.backend.device;

/**
 * The inverse of a many-to-one map i -> target[i], in CSR form: for each target t, the sources
 * {@code sources[start[t]], .., sources[start[t + 1] - 1]} are the i with target[i] = t, ascending.
 *
 * <p>This is how the device backend scatter-adds (index_add, grid_sample's input gradient) deterministically:
 * each output element gathers its own sources in this fixed order instead of racing with float atomics, so the
 * rounding and hence the result is the same on every run. Built on the host by a counting sort (stable, so sources
 * stay ascending) in O(sources + targets) time; the price is one blocking device-to-host read of the target
 * vector and an upload of {@code start} (targets + 1 ints) and {@code sources} (at most one int per source).
 *
 * @param start   targets + 1 offsets into {@code sources}
 * @param sources source positions grouped by target, ascending within a target
 */
record InverseIndex(int[] start, int[] sources) {

    /** Inverts {@code target} (values in [0, targets), or -1 for a source that goes nowhere). */
    static InverseIndex of(int[] target, int targets) {
        int[] start = new int[targets + 1];
        for (int t : target) {
            if (t >= 0) {
                start[t + 1]++;
            }
        }
        for (int t = 0; t < targets; t++) {
            start[t + 1] += start[t];
        }
        int[] next = start.clone();
        int[] sources = new int[start[targets]];
        for (int i = 0; i < target.length; i++) {
            if (target[i] >= 0) {
                sources[next[target[i]]++] = i;
            }
        }
        return new InverseIndex(start, sources);
    }
}
