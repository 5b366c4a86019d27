/**
 * The facegen engine: immutable tensors, a closed set of primitives with their derivative rules, reverse-mode
 * autodiff and the backends that run the primitives.
 *
 * <p>Packages, in dependency order: {@code ops} (the primitive set, {@link facegen.engine.ops.Op}) and
 * {@code tensor} (Shape, Tensor, the recorded graph, grad/anomaly modes, scopes) &lt;- {@code backend} (the
 * interface, {@code reference}, {@code cpu}) and {@code autodiff} (Autograd, DerivativeRules).
 *
 * <p>Layout rule: a tensor's data is always contiguous row-major, so a backend kernel sees a flat array and a
 * shape, never strides. Movement primitives (permute, slice, flip, ...) therefore copy; reshape shares storage.
 * This keeps every kernel short enough to audit at the cost of some copies, which GPU backends may later fuse.
 * Index tensors (index_select, index_add) hold exact integers in the backend's float type (exact up to 2^24 in
 * float32), so backends need no integer storage.
 */
package facegen.engine;
