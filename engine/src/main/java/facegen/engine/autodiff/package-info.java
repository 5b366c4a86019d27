/**
 * Reverse-mode automatic differentiation: {@link facegen.engine.autodiff.Autograd} walks the graph recorded by
 * tensors and {@link facegen.engine.autodiff.DerivativeRules} holds every primitive's vector-Jacobian product,
 * written in differentiable tensor operations so that gradients of gradients work.
 */
package facegen.engine.autodiff;
