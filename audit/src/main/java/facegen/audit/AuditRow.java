package facegen.audit;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The outcome of one audit case on one backend: each error as a {@link ScaledError} (empty = n/a: the check
 * does not apply), and whether every applicable check met its {@link Tolerances}.
 *
 * @param primitive     the case's name
 * @param backend       name of the backend under test
 * @param fd            first-order error against central differences
 * @param fd2           second-order error against central differences
 * @param torchForward  forward error against libtorch
 * @param torchBackward VJP error against libtorch
 * @param peerForward   forward error against the cpu backend on the same float32 inputs (GPU backends only)
 * @param peerBackward  VJP error against the cpu backend (GPU backends only)
 * @param pass          true when every present error is within tolerance and nothing unexpected was thrown
 * @param note          why the row failed, then why any column reads n/a (empty when there is nothing to say)
 */
public record AuditRow(String primitive, String backend, OptionalDouble fd, OptionalDouble fd2,
                       OptionalDouble torchForward, OptionalDouble torchBackward,
                       OptionalDouble peerForward, OptionalDouble peerBackward, boolean pass, String note) {

    /**
     * True for backends whose rows are also compared with the cpu backend (the GPU backends): their tables have
     * the two columns of {@link AuditReport#GPU_HEADER} more.
     */
    public static boolean comparedWithCpu(String backend) {
        return !backend.equals("reference") && !backend.equals("cpu");
    }

    /** The row as tab-separated columns of its table's header, numbers as %.2e, n/a where absent. */
    public String tsv() {
        String errors = String.join("\t", format(fd), format(fd2), format(torchForward), format(torchBackward));
        if (comparedWithCpu(backend)) {
            errors += "\t" + format(peerForward) + "\t" + format(peerBackward);
        }
        return String.join("\t", primitive, backend, errors, status());
    }

    /** "pass" or "FAIL". */
    public String status() {
        return pass ? "pass" : "FAIL";
    }

    private static String format(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.2e", v.getAsDouble()) : "n/a";
    }
}
