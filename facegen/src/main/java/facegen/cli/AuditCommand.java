package facegen.cli;

import facegen.audit.Audit;
import facegen.audit.AuditReport;
import facegen.audit.AuditRow;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code facegen audit}: the proof that every primitive's forward and backward rule is right, checked against
 * float64 central finite differences (first and second order) and against libtorch.
 */
@Command(name = "audit", description = {
        "Check every primitive: float64 finite differences of the VJP (and of its gradient), forward and backward",
        "against libtorch. Writes primitives.tsv to --out; exits 1 if any row fails."})
final class AuditCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Option(names = "--out", defaultValue = "out/audit", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<AuditRow> rows;
        try (Backend underTest = backend.create(); Backend reference = Backends.create("reference")) {
            System.err.println("auditing backend '" + underTest.name() + "' (" + underTest.dtype()
                    + ") against float64 finite differences on 'reference' and against libtorch");
            rows = Audit.runPrimitives(underTest, reference, System.err);
        }
        Path file = AuditReport.writePrimitives(out, rows);
        System.out.print(AuditReport.toTsv(rows));
        long failed = rows.stream().filter(r -> !r.pass()).count();
        System.err.printf("%d rows, %d passed, %d failed; wrote %s%n", rows.size(), rows.size() - failed, failed, file.toAbsolutePath());
        for (AuditRow r : rows) {
            if (!r.pass()) {
                System.err.println("FAIL " + r.primitive() + ": " + r.note());
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
