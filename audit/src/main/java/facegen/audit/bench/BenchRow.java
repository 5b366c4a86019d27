package facegen.audit.bench;

import java.util.Locale;

/**
 * One line of the engine speed table: the same computation timed on a facegen backend and on libtorch.
 *
 * @param op      what was timed ("matmul", "conv2d fwd+bwd", "elementwise fwd")
 * @param shape   the problem size in words, e.g. "1024x1024x1024" or "N4 C128->128 64x64 k3 p1"
 * @param backend the facegen backend's name
 * @param oursMs  median wall time of the facegen side, milliseconds
 * @param torchMs median wall time of libtorch on the same machine and thread count, milliseconds
 * @param ratio   oursMs / torchMs (below 1 = facegen is faster)
 */
public record BenchRow(String op, String shape, String backend, double oursMs, double torchMs, double ratio) {

    /** The column names of {@link #tsv()}. */
    public static String header() {
        return "op\tshape\tbackend\tours_ms\ttorch_ms\tratio";
    }

    /** The row as tab-separated values, times to 3 decimals. */
    public String tsv() {
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%.3f\t%.3f\t%.2f", op, shape, backend, oursMs, torchMs, ratio);
    }
}
