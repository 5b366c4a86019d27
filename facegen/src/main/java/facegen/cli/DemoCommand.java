package facegen.cli;

import facegen.demo.KernelRecoveryDemo;
import facegen.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code facegen demo}: the most complete thing facegen can do today, on the embedded default, in minutes.
 * Today that is the engine end to end (autodiff through convolutions recovering a hidden blur kernel).
 */
@Command(name = "demo", description = "Show what facegen can do today (writes pictures and plots to --out).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Option(names = "--out", defaultValue = "out/demo", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--steps", defaultValue = "1500", description = "Optimisation steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Override
    public Integer call() throws Exception {
        System.out.println("facegen demo: recover a hidden 7x7 blur kernel from a sharp and a blurred face sketch");
        System.out.println("by gradient descent through conv2d, with our reverse-mode autodiff on backend '" + backend.name + "'.");
        try (Backend b = backend.create()) {
            KernelRecoveryDemo.Result r = KernelRecoveryDemo.run(b, steps, out, System.out);
            System.out.printf("loss %.3e -> %.3e in %d steps (%.0f ms); largest kernel error %.2e (kernel values up to ~0.1)%n",
                    r.loss()[0], r.loss()[r.loss().length - 1], steps, r.millis(), r.kernelMaxError());
        }
        System.out.println("wrote " + out.toAbsolutePath() + "/{sharp,blurred-target,blurred-by-learned-kernel,kernels-true-vs-learned,loss}.png");
        System.out.println("next: bin/facegen audit (proof of every derivative rule), bin/facegen bench engine (speed vs libtorch)");
        return 0;
    }
}
