package facegen.render.io;

import facegen.engine.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PNG files from image tensors with {@code javax.imageio}: 8-bit RGB or gray for renders and albedos, 16-bit gray
 * ({@link BufferedImage#TYPE_USHORT_GRAY}) for displacement maps, and reading them back.
 */
public final class Images {

    private Images() {}

    /**
     * Writes image {@code index} of a batch [B, C, H, W] (C = 1 or 3) as an 8-bit PNG: values in [0, 1] map to
     * 0..255 (rounded), values outside are clamped, NaN is written as 0.
     *
     * @return {@code file}
     * @throws IllegalArgumentException for other channel counts or an index outside the batch
     */
    public static Path writePng(Tensor images, int index, Path file) throws IOException {
        checkImage(images, index);
        int c = images.dim(1);
        int h = images.dim(2);
        int w = images.dim(3);
        double[] v = images.slice(0, index, index + 1).toArray();
        BufferedImage out = new BufferedImage(w, h, c == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = out.getRaster();
        int[] pixel = new int[c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    pixel[k] = toByte(v[(k * h + y) * w + x]);
                }
                raster.setPixel(x, y, pixel);
            }
        }
        return write(out, file);
    }

    /**
     * Writes channel 0 of image {@code index} of [B, 1, H, W] as a 16-bit gray PNG: value d maps to
     * round((d - offset) / range * 65535) clamped to 0..65535. With offset = -range/2 a zero displacement is 32768
     * (rounded), the usual mid-grey of displacement maps.
     */
    public static Path writePng16(Tensor images, int index, double offset, double range, Path file) throws IOException {
        checkImage(images, index);
        if (images.dim(1) != 1 || !(range > 0)) {
            throw new IllegalArgumentException("16-bit PNG needs [B, 1, H, W] and range > 0, got " + images.shape() + ", range " + range);
        }
        int h = images.dim(2);
        int w = images.dim(3);
        double[] v = images.slice(0, index, index + 1).toArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = out.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double q = (v[y * w + x] - offset) / range * 65535;
                raster.setSample(x, y, 0, Double.isNaN(q) ? 0 : (int) Math.max(0, Math.min(65535, Math.round(q))));
            }
        }
        return write(out, file);
    }

    /**
     * Reads a PNG (or any format ImageIO knows): returns the samples channel-major ([1, C, H, W] row-major) in
     * [0, 1] (8-bit samples divide by 255, 16-bit by 65535) and writes {1, C, H, W} into {@code shapeOut}.
     */
    public static double[] readSamples(Path file, int[] shapeOut) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + " is not an image ImageIO can read");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        WritableRaster r = image.getRaster();
        int c = r.getNumBands();
        int bits = image.getColorModel().getComponentSize(0);
        double scale = (1L << bits) - 1;
        double[] out = new double[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    out[(k * h + y) * w + x] = r.getSample(x, y, k) / scale;
                }
            }
        }
        shapeOut[0] = 1;
        shapeOut[1] = c;
        shapeOut[2] = h;
        shapeOut[3] = w;
        return out;
    }

    private static void checkImage(Tensor images, int index) {
        if (images.rank() != 4 || (images.dim(1) != 1 && images.dim(1) != 3)) {
            throw new IllegalArgumentException("image must be [B, 1 or 3, H, W], got " + images.shape());
        }
        if (index < 0 || index >= images.dim(0)) {
            throw new IllegalArgumentException("image index " + index + " outside batch of " + images.dim(0));
        }
    }

    private static int toByte(double value) {
        if (Double.isNaN(value)) {
            return 0;
        }
        return (int) Math.round(Math.max(0, Math.min(1, value)) * 255);
    }

    private static Path write(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
        return file;
    }
}
