package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.nn.tfjs.TfjsWeights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The tensors of one face-api weights manifest on a backend, moved from TF.js layouts to the engine's:
 * conv filters [k, k, C, O] to [O, C, k, k], depthwise filters [k, k, C, 1] to [C, 1, k, k] (a groups = C conv),
 * per-channel vectors [C] to [1, C, 1, 1]; dense weights stay [in, out].
 *
 * @param file    the decoded manifest
 * @param backend where the tensors are created
 */
public record FaceApiWeights(TensorFile file, Backend backend) {

    /** Reads {@code dir/<model>-weights_manifest.json} and its shard. */
    public static FaceApiWeights read(Path dir, String model, Backend backend) throws IOException {
        return new FaceApiWeights(TfjsWeights.read(dir.resolve(model + "-weights_manifest.json")), backend);
    }

    /** Conv filters [O, C, kH, kW] from TF's [kH, kW, C, O]. */
    public Tensor convFilters(String name) {
        return tensor(name, 4).permute(3, 2, 0, 1);
    }

    /** Depthwise filters [C, 1, kH, kW] from TF's [kH, kW, C, 1]. */
    public Tensor depthwiseFilters(String name) {
        Tensor t = tensor(name, 4);
        if (t.dim(3) != 1) {
            throw new IllegalArgumentException("'" + name + "': depthwise multiplier must be 1, got " + t.shape());
        }
        return t.permute(2, 3, 0, 1);
    }

    /** A per-channel vector [C] as [1, C, 1, 1], to broadcast over [N, C, H, W]. */
    public Tensor channelVector(String name) {
        Tensor t = tensor(name, 1);
        return t.reshape(1, t.dim(0), 1, 1);
    }

    /** A dense weight matrix [in, out] or a bias [out], as stored. */
    public Tensor tensor(String name, int rank) {
        StoredTensor s = file.tensor(name);
        if (s.shape().rank() != rank) {
            throw new IllegalArgumentException("'" + name + "': expected rank " + rank + ", got " + s.shape());
        }
        return s.toTensor(backend);
    }
}
