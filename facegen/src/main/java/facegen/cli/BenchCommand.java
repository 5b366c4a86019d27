package facegen.cli;

import facegen.audit.bench.BenchRow;
import facegen.audit.bench.EngineBench;
import facegen.audit.bench.StyleganBench;
import facegen.engine.backend.Backend;
import facegen.engine.backend.ProfilingBackend;
import facegen.render.bench.RenderBench;
import facegen.render.bench.RenderBenchRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code facegen bench engine}: our kernels beside libtorch, same shapes, same thread count, as TSV. */
@Command(name = "bench", description = "Time our kernels beside libtorch on the same shapes (TSV on stdout).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SUITE", description = "What to time: engine (kernels vs libtorch), stylegan (G forward, G+D step at 64x64 vs libtorch) render (rasterise+interpolate+texture+antialias) or facenets (face networks vs face-api's TF.js in Node).")
    String suite;

    @Mixin
    BackendOption backend;

    @Option(names = "--profile", description = "Also print, per benchmark row, the time spent in each engine primitive during the timed runs (render only; GPU calls are waited for one by one, which slows them).")
    boolean profile;

    @Override
    public Integer call() throws IOException {
        try (Backend b = profile ? new ProfilingBackend(backend.create(), true) : backend.create()) {
            switch (suite) {
                case "engine" -> {
                    List<BenchRow> rows = EngineBench.run(b, System.err);
                    System.out.println(BenchRow.header());
                    rows.forEach(r -> System.out.println(r.tsv()));
                }
                case "stylegan" -> {
                    List<BenchRow> rows = StyleganBench.run(b, System.err);
                    System.out.println(BenchRow.header());
                    rows.forEach(r -> System.out.println(r.tsv()));
                }
                case "render" -> {
                    List<RenderBenchRow> rows = RenderBench.run(b, System.err);
                    System.out.println(RenderBenchRow.header());
                    rows.forEach(r -> System.out.println(r.tsv()));
                    return 0;                                         // no libtorch equivalent
                }
                case "facenets" -> {
                    FacenetsBench.run(b, Path.of("test-data/face-api"), Path.of("test-data/human-models"), System.out, System.err);
                    return 0;                                         // compares with TF.js, not libtorch
                }
                default -> throw new IllegalArgumentException("unknown bench suite '" + suite + "'; known: engine, stylegan, render, facenets");
            }
        }
        System.err.println("ratio = ours / libtorch (lower is better); same JVM, " + Runtime.getRuntime().availableProcessors()
                + " threads each; libtorch on CPU");
        return 0;
    }
}
