package facegen.audit;

import facegen.engine.tensor.DType;

/**
 * Every threshold of the audit, per element type of the backend under test. Each error is scaled by the truth's
 * magnitude: max|got - truth| / max|truth| (see {@link ScaledError}).
 *
 * @param fd            first-order VJP against float64 central differences
 * @param fd2           second-order (gradient of the gradient) against central differences of a float64 VJP
 * @param torchForward  forward values against libtorch in float64
 * @param torchBackward VJP against libtorch's autograd in float64
 */
public record Tolerances(double fd, double fd2, double torchForward, double torchBackward) {

    /** The thresholds for a backend computing in {@code dtype}. */
    public static Tolerances of(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> new Tolerances(
                    // central differences with h = 1e-6: truncation ~h^2 |f'''| ~ 1e-12 and rounding
                    // ~1e-16 |y| / h ~ 1e-10 per moved output element; measured <= 3e-9
                    1e-6,
                    // the differenced G is itself a float64 VJP: the same two terms; measured <= 7e-10
                    1e-6,
                    // the same math summed in another order: ulps (1e-16) times sums of <= 10^3 terms ~ 1e-13;
                    // measured <= 6e-16, the margin is for the longer sums of layer rows
                    1e-10,
                    1e-10);
            case FLOAT32 -> new Tolerances(
                    // worst-case float32 rounding of a sum of n terms is n u max|term| with u = 6e-8: 6e-5 for
                    // n = 10^3, the longest sums here (conv, matmul, reductions); measured <= 3e-7, while a wrong
                    // rule (factor, sign, axis, missing term) is off by O(1)
                    1e-4,
                    // a float32 VJP of a float32 VJP: the same bound
                    1e-4,
                    // forward values: the inputs are already float32, so only the sums round; measured <= 2e-7
                    1e-4,
                    // the VJP: the same sums again; measured <= 4e-7
                    1e-4);
        };
    }
}
