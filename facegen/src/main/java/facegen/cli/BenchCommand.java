package facegen.cli;

import facegen.audit.bench.EngineBench;
import facegen.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code facegen bench engine}: our kernels beside libtorch, same shapes, same thread count, as TSV. */
@Command(name = "bench", description = "Time our kernels beside libtorch on the same shapes (TSV on stdout).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SUITE", description = "What to time: engine.")
    String suite;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() {
        if (!suite.equals("engine")) {
            throw new IllegalArgumentException("unknown bench suite '" + suite + "'; known: engine");
        }
        try (Backend b = backend.create()) {
            EngineBench.run(b, System.err);
        }
        return 0;
    }
}
