package facegen.nn;

import facegen.engine.tensor.Shape;
import facegen.engine.tensor.Tensor;

/**
 * Named non-trained state of a module (w_avg, constant noise): saved in checkpoints and copied with the
 * parameters, but never differentiated; its value is always a leaf that does not require grad.
 */
public final class Buffer extends Slot {

    Buffer(String name, Shape shape, Init init) {
        super(name, shape, init);
    }

    @Override
    Tensor leaf(Tensor v) {
        return v.isLeaf() && !v.requiresGrad() ? v : v.detach();
    }
}
