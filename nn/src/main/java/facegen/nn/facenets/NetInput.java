package facegen.nn.facenets;

import facegen.engine.tensor.Tensor;

/**
 * face-api's input preparation ({@code src/dom/NetInput.ts}, {@code toBatchTensor(size, true)}): pad the image
 * to a square with zeros, centred ({@code src/ops/padToSquare.ts}), and resize it to size x size with TF's legacy
 * bilinear rule (alignCorners = false, halfPixelCenters = false: source coordinate = out * in / size, neighbours
 * floor and ceil clamped to the edge). The resize is two fixed interpolation matrices, out = Ry X Rx^T, so it
 * runs on every backend and passes gradients to the image. Values stay in 0..255 as the nets expect.
 */
public final class NetInput {

    private NetInput() {}

    /** The crop of image [N, C, H, W] (values 0..255), centred-padded to a square and resized to [N, C, size, size]. */
    public static Tensor squareBatch(Tensor image, Crop crop, int size) {
        checkImage(image);
        if (!crop.fits(image.dim(3), image.dim(2))) {
            throw new IllegalArgumentException(crop + " does not fit the " + image.dim(3) + "x" + image.dim(2) + " image");
        }
        Tensor face = image.slice(2, crop.y(), crop.y() + crop.height()).slice(3, crop.x(), crop.x() + crop.width());
        return resizeBilinear(padToSquare(face), size, size);
    }

    /**
     * Zero-pads the shorter axis of [N, C, H, W] to a square: round(diff / 2) after and the rest before, as
     * padToSquare.ts concatenates [prepend, image, append] with append = Math.round(diff * 0.5).
     */
    public static Tensor padToSquare(Tensor x) {
        int h = x.dim(2);
        int w = x.dim(3);
        int diff = Math.abs(h - w);
        if (diff == 0) {
            return x;
        }
        int after = (int) Math.round(diff * 0.5);
        int before = diff - after;
        return h > w ? x.pad(new int[] {0, 0, 0, before}, new int[] {0, 0, 0, after})
                : x.pad(new int[] {0, 0, before, 0}, new int[] {0, 0, after, 0});
    }

    /** TF legacy bilinear resize of [N, C, H, W] to [N, C, outH, outW]. */
    public static Tensor resizeBilinear(Tensor x, int outH, int outW) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        if (h == outH && w == outW) {
            return x;
        }
        Tensor ry = Tensor.of(x.backend(), interpolation(h, outH), 1, outH, h).expand(n * c, outH, h);
        Tensor rx = Tensor.of(x.backend(), interpolation(w, outW), 1, outW, w).expand(n * c, outW, w);
        Tensor rows = ry.matmul(x.reshape(n * c, h, w));                      // [NC, outH, W]
        return rows.matmul(rx, false, true).reshape(n, c, outH, outW);         // [NC, outH, outW]
    }

    /**
     * The [out, in] matrix of 1-D legacy bilinear interpolation: row o weights source rows floor(s) and
     * min(in - 1, ceil(s)) by 1 - f and f, s = o * in / out, f = s - floor(s) (tfjs-backend-cpu ResizeBilinear).
     */
    static double[] interpolation(int in, int out) {
        double scale = (double) in / out;
        double[] m = new double[out * in];
        for (int o = 0; o < out; o++) {
            double s = scale * o;
            int lo = (int) Math.floor(s);
            int hi = Math.min(in - 1, (int) Math.ceil(s));
            double f = s - lo;
            m[o * in + lo] += 1 - f;
            m[o * in + hi] += f;
        }
        return m;
    }

    /** The TF.js normalisation of face-api's landmark and recognition nets: (x - meanRgb) / 255 on [N, 3, H, W]. */
    public static Tensor normalize(Tensor x) {
        Tensor mean = Tensor.of(x.backend(), new double[] {122.782, 117.001, 104.298}, 1, 3, 1, 1);
        return x.sub(mean).div(255);
    }

    static void checkImage(Tensor image) {
        if (image.rank() != 4 || image.dim(1) != 3) {
            throw new IllegalArgumentException("expected an RGB image [N, 3, H, W] with values 0..255, got " + image.shape());
        }
    }
}
