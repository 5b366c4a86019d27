package facegen.demo;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The engine end to end: recover an unknown 7x7 blur from a sharp face-like image and its blurred copy by
 * gradient descent (Adam) through a depthwise conv2d, with gradients from our reverse-mode autodiff.
 *
 * <p>Minimises L(k) = mean((conv2d(x, k) - y)^2) over the kernel k, where y = conv2d(x, k_true); the optimum is
 * k = k_true, so the final kernel error measures the whole chain (forward kernels, derivative rules, tape).
 */
public final class KernelRecoveryDemo {
    static final int SIZE = 64;
    static final int K = 7;

    /** What a run produced. */
    public record Result(double[] loss, double kernelMaxError, double millis) {}

    private KernelRecoveryDemo() {}

    /** Runs {@code steps} Adam steps on {@code backend}, writes pictures to {@code out} and returns the curve. */
    public static Result run(Backend backend, int steps, Path out, PrintStream log) throws IOException {
        Tensor x = Tensor.of(backend, FaceSketch.rgb(SIZE), 1, 3, SIZE, SIZE);
        Tensor kTrue = Tensor.of(backend, blurKernel(), 3, 1, K, K);
        ConvGeometry depthwise = ConvGeometry.of(1, K / 2).withGroups(3);
        Tensor y = x.conv2d(kTrue, depthwise);

        Tensor k = Tensor.full(backend, 1.0 / (K * K), 3, 1, K, K).requireGrad();
        Tensor m = k.zerosLike();
        Tensor v = k.zerosLike();
        double lr = 2e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double[] loss = new double[steps];
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor l = x.conv2d(k, depthwise).sub(y).square().meanAll();
                Tensor g = Autograd.grad(l, java.util.List.of(k), false).get(0);
                loss[step] = l.item();
                try (GradMode noGrad = GradMode.disabled()) {
                    // Adam (Kingma & Ba 2015, Alg. 1) with bias correction.
                    m = scope.keep(m.mul(beta1).add(g.mul(1 - beta1)));
                    v = scope.keep(v.mul(beta2).add(g.square().mul(1 - beta2)));
                    double c1 = 1 - Math.pow(beta1, step + 1);
                    double c2 = 1 - Math.pow(beta2, step + 1);
                    Tensor update = m.div(c1).div(v.div(c2).sqrt().add(1e-10)).mul(lr);
                    k = scope.keep(k.detach().sub(update).requireGrad());
                }
            }
            if (step % 250 == 0 || step == steps - 1) {
                log.printf("  step %4d  loss %.3e%n", step, loss[step]);
            }
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        double[] learned = k.toArray();
        double[] truth = kTrue.toArray();
        double maxErr = 0;
        for (int i = 0; i < truth.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(learned[i] - truth[i]));
        }
        Pictures.writeRgb(out.resolve("sharp.png"), x.toArray(), SIZE, SIZE, 4);
        Pictures.writeRgb(out.resolve("blurred-target.png"), y.toArray(), SIZE, SIZE, 4);
        try (GradMode noGrad = GradMode.disabled()) {
            Pictures.writeRgb(out.resolve("blurred-by-learned-kernel.png"), x.conv2d(k, depthwise).toArray(), SIZE, SIZE, 4);
        }
        Pictures.writeKernels(out.resolve("kernels-true-vs-learned.png"), truth, learned, K, 24);
        Pictures.writeCurve(out.resolve("loss.png"), "kernel recovery: loss per Adam step", "step", "MSE (log scale)", loss);
        return new Result(loss, maxErr, millis);
    }

    /** An anisotropic Gaussian rotated by 30 degrees, normalised to sum 1, the same for R, G and B. */
    static double[] blurKernel() {
        double[] one = new double[K * K];
        double sum = 0;
        double c = Math.cos(Math.PI / 6);
        double s = Math.sin(Math.PI / 6);
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                double u = (j - K / 2) * c + (i - K / 2) * s;
                double w = -(j - K / 2) * s + (i - K / 2) * c;
                one[i * K + j] = Math.exp(-(u * u) / (2 * 2.0 * 2.0) - (w * w) / (2 * 0.8 * 0.8));
                sum += one[i * K + j];
            }
        }
        double[] k = new double[3 * K * K];
        for (int i = 0; i < k.length; i++) {
            k[i] = one[i % (K * K)] / sum;
        }
        return k;
    }
}
