package facegen.audit;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * libtorch in float64 as an independent oracle: the same inputs go through a case's {@link TorchEquivalent}
 * and its autograd, and the engine's forward values and VJP are compared with torch's by {@link ScaledError}
 * (max abs difference divided by the largest magnitude among torch's values).
 *
 * <p>Audit scope only: nothing in engine may reference libtorch. Every torch object made by a call is freed
 * when the call returns (a JavaCPP pointer scope).
 */
public final class TorchOracle {

    private static final Optional<String> UNAVAILABLE = probe();

    /** An oracle; libtorch's natives load on first use (about a second, once per JVM). */
    public TorchOracle() {}

    /**
     * Why libtorch cannot run in this JVM, or empty when it can. The GPU kit (a jlinked runtime carried to a GPU
     * machine) ships libtorch's Java classes but not its 90 MB of natives; there the audit's torch columns read
     * n/a and the comparison with the cpu backend (itself checked against libtorch here) stands in.
     */
    public static Optional<String> unavailableReason() {
        return UNAVAILABLE;
    }

    private static Optional<String> probe() {
        try {
            Loader.load(torch.class);
            return Optional.empty();
        } catch (Throwable e) {                                  // UnsatisfiedLinkError, NoClassDefFoundError
            return Optional.of("libtorch natives not loadable here (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    /**
     * max|y_engine - y_torch| / max|y_torch| for y = f(inputs).
     *
     * @param ours     the engine's output values, row-major
     * @param ourShape the engine's output shape
     * @throws IllegalStateException when torch's output shape differs from the engine's
     */
    public double forwardError(TorchEquivalent eq, List<AuditInput> inputs, double[] ours, int[] ourShape) {
        try (PointerScope _ = new PointerScope()) {
            Tensor y = eq.forward(toTorch(inputs, false));
            checkShape("forward", y, ourShape);
            return ScaledError.of(ours, toArray(y));
        }
    }

    /**
     * max|g_engine - g_torch| / max|g_torch| over all differentiable inputs, g = d(sum(f(x) * r))/dx.
     *
     * @param r         the seed, shaped like f's output
     * @param outShape  f's output shape
     * @param ourGrads  the engine's VJP, one array per differentiable input in input order
     */
    public double backwardError(TorchEquivalent eq, List<AuditInput> inputs, double[] r, int[] outShape,
                                List<double[]> ourGrads) {
        try (PointerScope _ = new PointerScope()) {
            List<Tensor> in = toTorch(inputs, true);
            List<Tensor> grads = eq.vjp(in, toTorch(r, outShape));
            List<double[]> theirs = new ArrayList<>();
            int k = 0;
            for (AuditInput input : inputs) {
                if (input.differentiable()) {
                    checkShape("gradient of " + input.name(), grads.get(k), input.dims());
                    theirs.add(toArray(grads.get(k++)));
                }
            }
            return ScaledError.of(ourGrads, theirs);
        }
    }

    private static List<Tensor> toTorch(List<AuditInput> inputs, boolean withGrad) {
        List<Tensor> out = new ArrayList<>();
        for (AuditInput input : inputs) {
            Tensor t = toTorch(input.values(), input.dims());
            if (withGrad && input.differentiable()) {
                t.set_requires_grad(true);
            }
            out.add(t);
        }
        return out;
    }

    private static Tensor toTorch(double[] values, int[] dims) {
        long[] sizes = Arrays.stream(dims).asLongStream().toArray();
        // clone(): from_blob does not own the Java-side buffer, which the scope frees
        return torch.from_blob(new DoublePointer(values), sizes, new TensorOptions(torch.ScalarType.Double)).clone();
    }

    private static double[] toArray(Tensor t) {
        Tensor c = t.toType(torch.ScalarType.Double).contiguous();
        double[] v = new double[(int) c.numel()];
        c.data_ptr_double().get(v);
        return v;
    }

    private static void checkShape(String what, Tensor t, int[] expected) {
        long[] sizes = t.sizes().vec().get();
        if (!Arrays.equals(sizes, Arrays.stream(expected).asLongStream().toArray())) {
            throw new IllegalStateException("torch " + what + " has shape " + Arrays.toString(sizes)
                    + ", the engine's has " + Arrays.toString(expected));
        }
    }
}
