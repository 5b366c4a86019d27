/**
 * Weights on disk: checkpoints in safetensors ({@link facegen.nn.io.Safetensors}, written atomically through
 * {@link facegen.nn.io.AtomicFile}) and PyTorch {@code torch.save} state dicts
 * ({@link facegen.nn.io.TorchStateDict}, a pickle reader that builds data and never runs code), decoded like
 * NumPy's files ({@link facegen.engine.io}) to host {@link facegen.engine.io.StoredTensor}s; and the bridge to modules,
 * {@link facegen.nn.io.StateDict} ({@code state_dict} / strict {@code load_state_dict}) with
 * {@link facegen.nn.io.WeightLayout}, the name and shape table for stylegan2-ada-pytorch and
 * rosinality/stylegan2-pytorch files.
 *
 * <p>Every loader takes the whole file as bytes, checks each offset and size against them and reports a
 * malformed file as a {@link facegen.engine.io.WeightFileException} naming the file and the tensor; the loaders are
 * fuzzed (Jazzer) for anything else escaping.
 */
package facegen.nn.io;
