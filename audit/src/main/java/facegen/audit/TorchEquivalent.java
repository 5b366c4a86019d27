package facegen.audit;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * libtorch's version of an audit case's function, on float64 torch tensors in the case's input order (index
 * tensors arrive as float64 too; convert them with {@code toType(ScalarType.Long)}).
 */
@FunctionalInterface
public interface TorchEquivalent {

    /** torch's y = f(inputs); must return a floating tensor of the engine's output shape. */
    Tensor forward(List<Tensor> inputs);

    /**
     * torch's VJP: d(sum(f(x) * r))/dx for every input with {@code requires_grad()}, in order; zeros for an
     * input f does not reach. The default differentiates {@link #forward} with libtorch's autograd; override
     * where torch cannot (e.g. it has no double backward of grid_sampler_2d), using an adjoint identity.
     */
    default List<Tensor> vjp(List<Tensor> inputs, Tensor r) {
        TensorVector wanted = new TensorVector();
        for (Tensor t : inputs) {
            if (t.requires_grad()) {
                wanted.push_back(t);
            }
        }
        TensorVector grads = torch.grad(new TensorVector(forward(inputs)), wanted, new TensorVector(r),
                new BoolOptional(false), false, true);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            Tensor g = grads.get(i);
            out.add(g.defined() ? g : torch.zeros_like(wanted.get(i)));
        }
        return out;
    }
}
