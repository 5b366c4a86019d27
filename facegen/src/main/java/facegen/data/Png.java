package facegen.data;

import facegen.nn.io.AtomicFile;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Planar RGB byte images [3, R, R] written as PNG files, singly or as a grid; atomically ({@link AtomicFile}). */
public final class Png {
    private Png() {}

    /** Writes one image of side {@code r}. */
    public static void write(Path file, byte[] planar, int r) throws IOException {
        writeGrid(file, List.of(planar), r, 1, 1);
    }

    /**
     * Writes {@code images} (each [3, r, r]) row by row, {@code columns} per row, each pixel drawn as a
     * {@code scale x scale} block.
     */
    public static void writeGrid(Path file, List<byte[]> images, int r, int columns, int scale) throws IOException {
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(columns * r * scale, rows * r * scale, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < images.size(); k++) {
            byte[] img = images.get(k);
            int ox = (k % columns) * r * scale;
            int oy = (k / columns) * r * scale;
            for (int y = 0; y < r * scale; y++) {
                for (int x = 0; x < r * scale; x++) {
                    int p = (y / scale) * r + x / scale;
                    int rgb = (img[p] & 0xff) << 16 | (img[r * r + p] & 0xff) << 8 | (img[2 * r * r + p] & 0xff);
                    grid.setRGB(ox + x, oy + y, rgb);
                }
            }
        }
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(grid, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
