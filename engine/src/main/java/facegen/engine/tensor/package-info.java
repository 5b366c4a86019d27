/**
 * Tensors and the graph they record: {@link facegen.engine.tensor.Tensor}, {@link facegen.engine.tensor.Shape},
 * {@link facegen.engine.tensor.Node}, and the thread-local modes ({@code GradMode}, {@code AnomalyMode},
 * {@code TensorScope}) that, as in PyTorch, describe one thread's work.
 */
package facegen.engine.tensor;
