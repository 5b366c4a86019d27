package facegen.audit;

import facegen.engine.tensor.Tensor;

import java.util.List;

/** A differentiable function of several engine tensors, the thing an audit case checks: y = f(x_0, ..., x_k). */
@FunctionalInterface
public interface TensorFunction {

    /** Computes f on {@code inputs} (in the case's input order) with engine operations only. */
    Tensor apply(List<Tensor> inputs);
}
