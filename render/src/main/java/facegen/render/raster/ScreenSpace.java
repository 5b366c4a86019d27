package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The clip-to-screen mapping written with tensor ops, so gradients reach clip-space positions; the host side of the
 * same mapping is in {@link Rasterizer}. Screen x = (x/w + 1) W / 2, screen y = (1 - y/w) H / 2, in pixels.
 */
final class ScreenSpace {

    private ScreenSpace() {}

    /** Screen positions of chosen vertices: sx and sy, each shaped {@code dims}, plus 1/w. */
    record Gathered(Tensor sx, Tensor sy, Tensor inverseW) {}

    /**
     * Gathers vertices {@code vertex[i]} (global rows b*V + v of {@code pos} viewed as [B*V, 4]) and maps them to
     * screen space; every result is shaped {@code dims}.
     */
    static Gathered gather(Tensor pos, int[] vertex, int height, int width, int... dims) {
        // coordinates as rows [4, B*V]: one gather (and one scatter in the backward pass) serves x, y and w
        Tensor xyzw = pos.reshape(-1, 4).transpose(0, 1).indexSelect(1, index(pos.backend(), vertex));
        Tensor inverseW = xyzw.slice(0, 3, 4).reciprocal();                     // [1, k]
        // (x/w + 1) W/2 and (1 - y/w) H/2 as one affine map of the rows (x, y)/w: scale (W/2, -H/2), shift (W/2, H/2)
        Tensor screen = xyzw.slice(0, 0, 2).mul(inverseW)
                .mul(constant(pos.backend(), new double[] {width / 2.0, -height / 2.0}, 2, 1))
                .add(constant(pos.backend(), new double[] {width / 2.0, height / 2.0}, 2, 1));
        return new Gathered(screen.slice(0, 0, 1).reshape(dims), screen.slice(0, 1, 2).reshape(dims), inverseW.reshape(dims));
    }

    /**
     * Largest index a float32 index tensor holds exactly (2^24): the engine stores indices in the backend's float
     * type, and beyond this a gather or scatter would silently use a rounded (wrong) index.
     */
    static final double FLOAT32_EXACT_INDEX = 1 << 24;

    /**
     * An index tensor of the given values, refusing values a float32 backend cannot hold exactly.
     *
     * @throws IllegalArgumentException when an index reaches 2^24 on a float32 backend (split the batch or image)
     */
    static Tensor indexTensor(Backend backend, double[] v) {
        if (backend.dtype() == facegen.engine.tensor.DType.FLOAT32) {
            for (double x : v) {
                if (x >= FLOAT32_EXACT_INDEX) {
                    throw new IllegalArgumentException("index " + (long) x + " is not exact in float32 index tensors (limit 2^24 = "
                            + (long) FLOAT32_EXACT_INDEX + "); render fewer or smaller images per call on '" + backend.name() + "'");
                }
            }
        }
        return Tensor.of(backend, v, v.length);
    }

    /** An index tensor of the given integers. */
    static Tensor index(Backend backend, int[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return indexTensor(backend, v);
    }

    /** A constant tensor of the given values and shape. */
    static Tensor constant(Backend backend, double[] values, int... dims) {
        return Tensor.of(backend, values, dims);
    }

    /**
     * Scatters per-pixel values {@code values} [C, N] into a zero image [B, C, H, W] at flat pixel indices
     * {@code pixels[n]} = b*H*W + y*W + x, adding where pixels repeat (differentiable in {@code values}: its adjoint
     * is a gather).
     */
    static Tensor scatter(Tensor values, int[] pixels, int batch, int height, int width) {
        return scatter(values, pixels, false, batch, height, width);
    }

    /**
     * {@link #scatter} of values at distinct pixels (a raster's coverage); the image remembers {@code values} for
     * {@link #gatherPixels}.
     */
    static Tensor scatterCovered(Tensor values, int[] pixels, int batch, int height, int width) {
        return scatter(values, pixels, true, batch, height, width);
    }

    private static Tensor scatter(Tensor values, int[] pixels, boolean distinct, int batch, int height, int width) {
        int channels = values.dim(0);
        // one index per pixel serves every channel: the image as rows [C, B*H*W], scattered along axis 1
        Tensor rows = values.indexAdd(1, batch * height * width, index(values.backend(), pixels));
        Tensor image = batch == 1 ? rows.reshape(1, channels, height, width)
                : rows.reshape(channels, batch, height, width).permute(1, 0, 2, 3);
        if (distinct) {
            SCATTERED.put(image, new Scattered(values, pixels));
        }
        return image;
    }

    /**
     * Gathers per-pixel values [C, N] from an image [B, C, H, W] at flat pixel indices b*H*W + y*W + x. From an
     * image {@link #scatter} made at the same distinct pixels, the values it scattered are returned as they are: a
     * gather of a scatter at the same distinct indices is the identity, so value and gradient are those of the full
     * round trip (this is what lets {@link Texturing} read {@link Interpolation}'s UVs without the read-back).
     */
    static Tensor gatherPixels(Tensor image, int[] pixels) {
        Scattered behind = SCATTERED.get(image);
        if (behind != null && behind.pixels() == pixels && !behind.values().isClosed()) {
            return behind.values();
        }
        int batch = image.dim(0);
        int channels = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        for (int p : pixels) {
            if (p < 0 || p >= batch * hw) {
                throw new IllegalArgumentException("pixel " + p + " is outside image " + image.shape());
            }
        }
        Tensor rows = batch == 1 ? image.reshape(channels, hw) : image.permute(1, 0, 2, 3).reshape(channels, batch * hw);
        return rows.indexSelect(1, index(image.backend(), pixels));
    }

    /** The values an image was scattered from, and where. */
    private record Scattered(Tensor values, int[] pixels) {}

    /** Images made by {@link #scatter} at distinct pixels, weakly held (an entry goes with its image). */
    private static final Map<Tensor, Scattered> SCATTERED = Collections.synchronizedMap(new WeakHashMap<>());

    /** Zeros [B, C, H, W] that stay connected to {@code inputs} in the graph (their gradient is zero). */
    static Tensor connectedZeros(int batch, int channels, int height, int width, Tensor... inputs) {
        Tensor z = Tensor.zeros(inputs[0].backend(), batch, channels, height, width);
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                z = z.add(t.sumAll().mul(0));
            }
        }
        return z;
    }
}
