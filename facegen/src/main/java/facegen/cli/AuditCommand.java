package facegen.cli;

import facegen.audit.Audit;
import facegen.audit.AuditReport;
import facegen.audit.AuditCase;
import facegen.audit.AuditRow;
import facegen.audit.TorchOracle;
import facegen.audit.layers.facenets.FaceNetCases;
import facegen.audit.layers.render.RenderCases;
import facegen.audit.layers.NnLayerCases;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code facegen audit}: the proof that every primitive's forward and backward rule is right, checked against
 * float64 central finite differences (first and second order) and against libtorch.
 */
@Command(name = "audit", description = {
        "Check every primitive: float64 finite differences of the VJP (and of its gradient), forward and backward",
        "against libtorch (and, for GPU backends, against the cpu backend); then every nn and render layer the same way.",
        "Writes primitives.tsv and layers.tsv to --out; exits 1 if any row fails."})
final class AuditCommand implements Callable<Integer> {
    static final String LAYERS_FILE = "layers.tsv";

    @Mixin
    BackendOption backend;

    @Option(names = "--out", defaultValue = "out/audit", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<AuditRow> primitives;
        List<AuditRow> layers;
        try (Backend underTest = backend.create(); Backend reference = Backends.create("reference")) {
            System.err.println("auditing backend '" + underTest.name() + "' (" + underTest.dtype()
                    + ") against float64 finite differences on 'reference'"
                    + TorchOracle.unavailableReason().map(why -> "; NOT against libtorch: " + why).orElse(" and against libtorch")
                    + (AuditRow.comparedWithCpu(underTest.name()) ? "; and against the cpu backend on the same inputs" : ""));
            primitives = Audit.runPrimitives(underTest, reference, System.err);
            System.err.println("layers (composed from primitives):");
            List<AuditCase> layerCases = new ArrayList<>(NnLayerCases.cases());
            layerCases.addAll(RenderCases.cases());
            layerCases.addAll(FaceNetCases.cases());
            layers = Audit.run(layerCases, underTest, reference, System.err);
        }
        Path primitivesFile = AuditReport.writePrimitives(out, primitives);
        Path layersFile = AuditReport.write(out, LAYERS_FILE, layers);
        System.out.print(AuditReport.toTsv(primitives));
        System.out.print(AuditReport.toTsv(layers));
        List<AuditRow> rows = new ArrayList<>(primitives);
        rows.addAll(layers);
        long failed = rows.stream().filter(r -> !r.pass()).count();
        System.err.printf("%d rows, %d passed, %d failed; wrote %s and %s%n", rows.size(), rows.size() - failed, failed,
                primitivesFile.toAbsolutePath(), layersFile.getFileName());
        for (AuditRow r : rows) {
            if (!r.pass()) {
                System.err.println("FAIL " + r.primitive() + ": " + r.note());
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
