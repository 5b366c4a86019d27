package facegen.data;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * A fixed, indexed set of square RGB training images, 8 bits per channel, as StyleGAN's datasets: the
 * generator learns their distribution and the metric compares against them.
 */
public interface ImageDataset {

    /** The number of images (>= 1). */
    int size();

    /** The side R of every image, in pixels. */
    int resolution();

    /** What the images are, for logs ("412 PNGs in faces/", "builtin procedural faces"). */
    String describe();

    /**
     * Image {@code index} as planar RGB bytes [3, R, R] (channel, row, column), values 0..255 unsigned.
     *
     * @throws IndexOutOfBoundsException for an index outside [0, size)
     */
    byte[] image(int index);

    /**
     * The images at {@code indices} as a batch [N, 3, R, R] on {@code backend}, scaled to [-1, 1]
     * (x / 127.5 - 1, StyleGAN's dynamic range).
     */
    default Tensor batch(Backend backend, int[] indices) {
        int r = resolution();
        int plane = 3 * r * r;
        double[] values = new double[indices.length * plane];
        for (int n = 0; n < indices.length; n++) {
            byte[] img = image(indices[n]);
            for (int i = 0; i < plane; i++) {
                values[n * plane + i] = (img[i] & 0xff) / 127.5 - 1;
            }
        }
        return Tensor.of(backend, values, indices.length, 3, r, r);
    }
}
