/**
 * Tensor files on the host: NumPy {@code .npy}/{@code .npz} (and the ZIP container they and PyTorch archives use),
 * read into {@link facegen.engine.io.StoredTensor}s with errors that name the file and the tensor. Shared by the
 * modules above the engine (nn's checkpoints and weight import, render's FLAME loader).
 */
package facegen.engine.io;
