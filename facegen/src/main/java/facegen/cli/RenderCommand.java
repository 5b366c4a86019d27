package facegen.cli;

import facegen.engine.backend.Backend;
import facegen.render.demo.RenderDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code facegen render}: a random head with a procedural albedo, rendered front and at +-45 degrees yaw. */
@Command(name = "render", description = {
        "Sample random head parameters and a procedural albedo, render front and +-45 degree yaw views with SH light,",
        "and write the OBJ/MTL/PNG set (albedo, 16-bit displacement, renders) to --out."})
final class RenderCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the head, albedo and light. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", defaultValue = "out/render", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--size", defaultValue = "" + RenderDemo.IMAGE_SIZE, description = "Render size in pixels. Default: ${DEFAULT-VALUE}.")
    int size;

    @Override
    public Integer call() throws Exception {
        if (size < 16 || size > 4096) {
            throw new IllegalArgumentException("--size must be in [16, 4096], got " + size);
        }
        try (Backend b = backend.create()) {
            RenderDemo.Output o = RenderDemo.run(b, seed, out, System.out, size, RenderDemo.UV_SIZE);
            System.out.println("wrote " + o.files().size() + " files to " + out.toAbsolutePath());
        }
        return 0;
    }
}
