package facegen.cli;

import facegen.demo.FaceNetsDemo;
import facegen.demo.KernelRecoveryDemo;
import facegen.engine.backend.Backend;
import facegen.render.demo.RenderDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

    @Mixin
    FaceModelsOption models;

    @Option(names = "--steps", defaultValue = "1500", description = "Optimisation steps of the kernel recovery. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Override
    public Integer call() throws Exception {
        try (Backend b = backend.create()) {
            System.out.println("1/3 a random face: morphable head (MediaPipe face mesh topology, procedural shape and");
            System.out.println("    expression bases), procedural albedo and displacement, SH light, rendered by our");
            System.out.println("    differentiable rasteriser at front and +-45 degrees yaw, exported as OBJ/MTL/PNG");
            Path faceDir = out.resolve("face");
            RenderDemo.Output face = RenderDemo.run(b, seed, faceDir, System.out, 256, RenderDemo.UV_SIZE);

            System.out.println("2/3 real pretrained face networks on our engine look at that face: face-api's detector,");
            System.out.println("    68-landmark net and ResNet-34 identity net (TF.js weights, outputs matched to TF.js)");
            FaceNetsDemo.Result nets = FaceNetsDemo.run(b, faceDir, face.frontLandmarks(), models.dir,
                    List.of("render_yaw-45.png", "render_yaw+45.png"), System.out);
            System.out.printf(Locale.ROOT, "    front view: %s; the 68 landmarks are %.1f px from the head model's on average%n"
                    + "    (%.0f%% of the %.0f px eye-corner distance; green = net, red = model)%n", nets.detection(),
                    nets.meanErrorPx(), 100 * nets.meanErrorPx() / nets.interocularPx(), nets.interocularPx());
            System.out.println("    identity cosine of the front view with " + String.join(", ", nets.cosines()));

            System.out.println("3/3 the engine end to end: recover a hidden 7x7 blur kernel from a sharp and a blurred");
            System.out.println("    face sketch by gradient descent through conv2d, with our reverse-mode autodiff");
            Path kernelDir = out.resolve("kernel-recovery");
            KernelRecoveryDemo.Result r = KernelRecoveryDemo.run(b, steps, kernelDir, System.out);
            System.out.printf("    loss %.3e -> %.3e in %d steps (%.0f ms); largest kernel error %.2e (kernel values up to ~0.1)%n",
                    r.loss()[0], r.loss()[r.loss().length - 1], steps, r.millis(), r.kernelMaxError());
            System.out.println("    wrote " + kernelDir.toAbsolutePath() + "/{sharp,blurred-target,blurred-by-learned-kernel,kernels-true-vs-learned,loss}.png");
        }
        System.out.println("look at " + out.resolve("face").toAbsolutePath() + "/render_front.png first");
        System.out.println("next: bin/facegen audit (proof of every derivative rule), bin/facegen bench engine|render (speed),");
        System.out.println("      bin/facegen landmarks PHOTO --out OUT.png, bin/facegen devices (GPUs: --backend opencl|cuda)");
        return 0;
    }
}
