package facegen.nn;

import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

/**
 * A trained tensor: the slot holds an immutable leaf that requires grad; {@code Autograd.backward} fills that
 * leaf's gradient and an optimizer replaces the leaf with the updated value ({@link #set}).
 */
public final class Parameter extends Slot {
    private boolean requiresGrad = true;

    Parameter(String name, Shape shape, Init init) {
        super(name, shape, init);
    }

    /** True when the value is a leaf that requires grad (the default); false while the parameter is frozen. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Freezes ({@code false}) or unfreezes the parameter: a frozen value is a constant leaf, so backward passes
     * neither reach nor compute its gradient (as PyTorch's requires_grad_(False) on the module not being trained).
     */
    public void requireGrad(boolean on) {
        if (on != requiresGrad) {
            requiresGrad = on;
            if (isSet()) {
                set(value().detach());
            }
        }
    }

    /** d(loss)/d(this parameter) accumulated by backward passes since the last {@link #zeroGrad}, or null if none. */
    public Tensor grad() {
        return value().grad();
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        if (isSet()) {
            value().zeroGrad();
        }
    }

    @Override
    Tensor leaf(Tensor v) {
        if (v.isLeaf() && v.requiresGrad() == requiresGrad) {
            return v;
        }
        return requiresGrad ? v.requireGrad() : v.detach();
    }
}
