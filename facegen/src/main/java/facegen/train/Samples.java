package facegen.train;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.nn.Seed;
import facegen.nn.stylegan.Generator;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.Truncation;

import java.util.ArrayList;
import java.util.List;

/** Images drawn from a generator as 8-bit planar RGB, as a metric or a PNG grid consumes them. */
public final class Samples {
    /** Images per generator call. */
    private static final int BATCH = 32;

    private Samples() {}

    /**
     * {@code count} images G(z), z ~ N(0, I) drawn from {@code seed} (batch k from seed.derive(k)), converted as
     * StyleGAN's metrics do: round(127.5 x + 127.5) clamped to 0..255.
     *
     * @param generator  evaluated as it is (G_ema is in evaluation mode)
     * @param truncation {@link Truncation#NONE} for metrics
     * @param noise      {@link NoiseMode#RANDOM} for metrics, {@link NoiseMode#CONST} for stable grids
     * @return planar [3, R, R] bytes per image
     */
    public static List<byte[]> generate(Generator generator, Backend backend, int count, Seed seed, Truncation truncation,
                                        NoiseMode noise) {
        int zDim = generator.config().mapping().zDim();
        List<byte[]> out = new ArrayList<>(count);
        for (int start = 0, k = 0; start < count; start += BATCH, k++) {
            int n = Math.min(BATCH, count - start);
            try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
                Tensor z = Tensor.randn(backend, seed.derive(k).derive("z").value(), n, zDim);
                double[] img = generator.forward(z, truncation, noise, seed.derive(k).derive("noise")).toArray();
                int plane = img.length / n;
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[plane];
                    for (int j = 0; j < plane; j++) {
                        double v = Math.floor(img[i * plane + j] * 127.5 + 128);
                        b[j] = (byte) Math.max(0, Math.min(255, v));
                    }
                    out.add(b);
                }
            }
        }
        return out;
    }
}
