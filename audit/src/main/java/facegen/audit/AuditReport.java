package facegen.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes audit rows as tab-separated tables, one row per case and backend. */
public final class AuditReport {

    /** The header of {@code primitives.tsv}. */
    public static final String HEADER =
            "primitive\tbackend\tfd_max_rel_err\tfd2_max_rel_err\ttorch_fwd_max_abs_err\ttorch_bwd_max_abs_err\tstatus";

    /** The header for GPU backends: also the errors against the cpu backend on the same inputs. */
    public static final String GPU_HEADER = HEADER.replace("\tstatus", "\tcpu_fwd_max_abs_err\tcpu_bwd_max_abs_err\tstatus");

    /** File name of the primitive table. */
    public static final String PRIMITIVES_FILE = "primitives.tsv";

    private AuditReport() {}

    /**
     * The table: {@link #HEADER} ({@link #GPU_HEADER} for a GPU backend's rows), then one {@link AuditRow#tsv()}
     * line per row, each ending in a newline.
     */
    public static String toTsv(List<AuditRow> rows) {
        boolean gpu = !rows.isEmpty() && AuditRow.comparedWithCpu(rows.getFirst().backend());
        StringBuilder sb = new StringBuilder(gpu ? GPU_HEADER : HEADER).append('\n');
        for (AuditRow row : rows) {
            sb.append(row.tsv()).append('\n');
        }
        return sb.toString();
    }

    /** Writes {@link #toTsv} to {@code dir/primitives.tsv} (creating {@code dir}) and returns the file. */
    public static Path writePrimitives(Path dir, List<AuditRow> rows) throws IOException {
        return write(dir, PRIMITIVES_FILE, rows);
    }

    /** Writes {@link #toTsv} to {@code dir/fileName} (creating {@code dir}), e.g. a later table of layer rows. */
    public static Path write(Path dir, String fileName, List<AuditRow> rows) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(fileName), toTsv(rows));
    }

    /** True when every row passed (the CLI exits non-zero otherwise). */
    public static boolean allPass(List<AuditRow> rows) {
        return rows.stream().allMatch(AuditRow::pass);
    }
}
