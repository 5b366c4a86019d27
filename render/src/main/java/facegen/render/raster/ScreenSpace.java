package facegen.render.raster;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

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
        Tensor x = xyzw.slice(0, 0, 1).reshape(dims);
        Tensor y = xyzw.slice(0, 1, 2).reshape(dims);
        Tensor w = xyzw.slice(0, 3, 4).reshape(dims);
        Tensor inverseW = w.reciprocal();
        Tensor sx = x.mul(inverseW).add(1).mul(width / 2.0);
        Tensor sy = y.mul(inverseW).neg().add(1).mul(height / 2.0);
        return new Gathered(sx, sy, inverseW);
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
     * {@code pixels[n]} = b*H*W + y*W + x (differentiable in {@code values}: its adjoint is a gather).
     */
    static Tensor scatter(Tensor values, int[] pixels, int batch, int height, int width) {
        int channels = values.dim(0);
        int n = pixels.length;
        int hw = height * width;
        double[] idx = new double[channels * n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                int b = pixels[i] / hw;
                idx[c * n + i] = (double) (b * channels + c) * hw + pixels[i] % hw;
            }
        }
        Tensor index = indexTensor(values.backend(), idx);
        return values.reshape(channels * n).indexAdd(0, batch * channels * hw, index).reshape(batch, channels, height, width);
    }


    /**
     * Gathers per-pixel values [C, N] from an image [B, C, H, W] at flat pixel indices b*H*W + y*W + x.
     */
    static Tensor gatherPixels(Tensor image, int[] pixels) {
        int batch = image.dim(0);
        int channels = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        int n = pixels.length;
        double[] idx = new double[channels * n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                int b = pixels[i] / hw;
                if (b >= batch) {
                    throw new IllegalArgumentException("pixel " + pixels[i] + " is outside image " + image.shape());
                }
                idx[c * n + i] = (double) (b * channels + c) * hw + pixels[i] % hw;
            }
        }
        return image.reshape(-1).indexSelect(0, indexTensor(image.backend(), idx)).reshape(channels, n);
    }

    /**
     * The sum of {@code x} over {@code axis}, as the product with a row of ones: the engine's matmul is vectorised
     * and threaded along the kept inner axis, where its sum reduction walks it one element at a time.
     */
    static Tensor sumAxis(Tensor x, int axis) {
        int[] dims = x.shape().dims();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        int terms = dims[axis];
        int[] kept = new int[dims.length - 1];
        for (int i = 0, k = 0; i < dims.length; i++) {
            if (i != axis) {
                kept[k++] = dims[i];
            }
        }
        Tensor rows = x.reshape(outer, terms, -1);
        return Tensor.ones(x.backend(), outer, 1, terms).matmul(rows).reshape(kept);
    }

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
