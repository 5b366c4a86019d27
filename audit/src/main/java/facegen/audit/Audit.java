package facegen.audit;

import facegen.engine.backend.Backend;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the gradient audit, called by {@code facegen audit --backend NAME --out DIR}: runs the cases on
 * a backend, printing one progress line per case, and returns the rows ({@link AuditReport} writes them).
 */
public final class Audit {

    private Audit() {}

    /**
     * Every primitive's row ({@link PrimitiveAudit#cases()}) on {@code underTest}, with float64 central-difference
     * truth from {@code reference} and libtorch as second oracle.
     */
    public static List<AuditRow> runPrimitives(Backend underTest, Backend reference, PrintStream progress) {
        return run(PrimitiveAudit.cases(), underTest, reference, progress);
    }

    /** The rows of any cases (primitives now; nn layers and render ops as layer rows later). */
    public static List<AuditRow> run(List<AuditCase> cases, Backend underTest, Backend reference, PrintStream progress) {
        CaseAudit audit = new CaseAudit(underTest, reference, new TorchOracle());
        List<AuditRow> rows = new ArrayList<>();
        for (AuditCase c : cases) {
            long start = System.nanoTime();
            AuditRow row = audit.run(c);
            rows.add(row);
            progress.printf("%-28s %s  (%d ms)%s%n", c.name(), row.tsv().substring(c.name().length() + 1),
                    (System.nanoTime() - start) / 1_000_000, row.note().isEmpty() ? "" : "  " + row.note());
        }
        return rows;
    }
}
