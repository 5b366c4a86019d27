package facegen.audit;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;

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

    /**
     * The rows of any cases (primitives, nn layers, render operations). Backends other than {@code reference} and
     * {@code cpu} (the GPU backends) are also compared with the cpu backend on the same inputs. Without libtorch's
     * natives (the GPU kit) the torch columns read n/a and say why.
     */
    public static List<AuditRow> run(List<AuditCase> cases, Backend underTest, Backend reference, PrintStream progress) {
        try (Backend peer = AuditRow.comparedWithCpu(underTest.name()) ? Backends.create("cpu") : null) {
            TorchOracle oracle = TorchOracle.unavailableReason().isEmpty() ? new TorchOracle() : null;
            return run(cases, new CaseAudit(underTest, reference, oracle, peer), progress);
        }
    }

    private static List<AuditRow> run(List<AuditCase> cases, CaseAudit audit, PrintStream progress) {
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
