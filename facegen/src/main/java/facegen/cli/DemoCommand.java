package facegen.cli;

import facegen.demo.KernelRecoveryDemo;
import facegen.engine.backend.Backend;
import facegen.render.demo.RenderDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code facegen demo}: the most complete thing facegen can do today, on the embedded default, in minutes.
 * Today: a random 3D face (morphable head, procedural albedo and displacement, SH light) through the
 * differentiable renderer and exported as OBJ/PNG, and the engine end to end (autodiff through convolutions
 * recovering a hidden blur kernel).
 */
@Command(name = "demo", description = "Show what facegen can do today (writes pictures, meshes and plots to --out).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Option(names = "--out", defaultValue = "out/demo", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--seed", defaultValue = "3", description = "Seed of the random face. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--steps", defaultValue = "1500", description = "Optimisation steps of the kernel recovery. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Override
    public Integer call() throws Exception {
        try (Backend b = backend.create()) {
            System.out.println("1/2 a random face: morphable head (MediaPipe face mesh topology, procedural shape and");
            System.out.println("    expression bases), procedural albedo and displacement, SH light, rendered by our");
            System.out.println("    differentiable rasteriser at front and +-45 degrees yaw, exported as OBJ/MTL/PNG");
            Path faceDir = out.resolve("face");
            RenderDemo.run(b, seed, faceDir, System.out, 256, RenderDemo.UV_SIZE);

            System.out.println("2/2 the engine end to end: recover a hidden 7x7 blur kernel from a sharp and a blurred");
            System.out.println("    face sketch by gradient descent through conv2d, with our reverse-mode autodiff");
            Path kernelDir = out.resolve("kernel-recovery");
            KernelRecoveryDemo.Result r = KernelRecoveryDemo.run(b, steps, kernelDir, System.out);
            System.out.printf("    loss %.3e -> %.3e in %d steps (%.0f ms); largest kernel error %.2e (kernel values up to ~0.1)%n",
                    r.loss()[0], r.loss()[r.loss().length - 1], steps, r.millis(), r.kernelMaxError());
            System.out.println("    wrote " + kernelDir.toAbsolutePath() + "/{sharp,blurred-target,blurred-by-learned-kernel,kernels-true-vs-learned,loss}.png");
        }
        System.out.println("look at " + out.resolve("face").toAbsolutePath() + "/render_front.png first");
        System.out.println("next: bin/facegen audit (proof of every derivative rule), bin/facegen bench engine|render (speed)");
        return 0;
    }
}
