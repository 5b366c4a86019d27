package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A photo as the face nets read it: [1, 3, H, W] RGB in 0..255. Any image javax.imageio decodes (PNG, JPEG,
 * BMP, GIF) is converted to 8-bit sRGB by {@link BufferedImage#getRGB}: grey becomes three equal channels,
 * alpha is dropped (as face-api drops it), 16-bit samples are reduced to 8 bits.
 */
public final class FacePhoto {
    /** Largest side accepted: bigger photos would need gigabytes as float tensors. */
    public static final int MAX_SIDE = 4096;

    private FacePhoto() {}

    /**
     * Reads {@code file} onto {@code backend}.
     *
     * @throws IOException naming the file when it is missing, not an image, or larger than {@link #MAX_SIDE}
     */
    public static Tensor read(Path file, Backend backend) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode the image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(file + ": not an image format ImageIO reads (PNG, JPEG, BMP, GIF)");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw new IOException(file + ": " + w + "x" + h + " exceeds " + MAX_SIDE + " px per side; downscale it first");
        }
        double[] rgb = new double[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                rgb[y * w + x] = (p >> 16) & 0xff;
                rgb[(h + y) * w + x] = (p >> 8) & 0xff;
                rgb[(2 * h + y) * w + x] = p & 0xff;
            }
        }
        return Tensor.of(backend, rgb, 1, 3, h, w);
    }
}
