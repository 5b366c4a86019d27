package facegen.nn.optim;

/**
 * A rule that turns the gradients accumulated in parameters' leaves into new parameter values.
 *
 * <p>Protocol per step: {@link #zeroGrad}, one or more {@code Autograd.backward} calls (gradients accumulate),
 * {@link #step}. A step replaces each parameter's leaf with the updated value, computed without recording a
 * graph; the new leaf starts with an empty gradient. Parameters whose gradient is null are left unchanged (as
 * PyTorch skips parameters whose .grad is None).
 */
public sealed interface Optimizer permits Adam, Sgd {

    /** Updates every parameter that has a gradient. */
    void step();

    /** Clears every parameter's gradient. */
    void zeroGrad();
}
