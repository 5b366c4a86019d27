package facegen.demo;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Draws 2D landmarks onto photos: dots with a dark rim, so they show on any skin and background. */
public final class LandmarkPictures {
    private LandmarkPictures() {}

    /** The image at {@code file} as 8-bit RGB, so coloured dots stay coloured on grey, 16-bit or indexed photos. */
    public static BufferedImage readRgb(Path file) throws IOException {
        BufferedImage photo = ImageIO.read(file.toFile());
        if (photo == null) {
            throw new IOException("not an image ImageIO can read: " + file);
        }
        BufferedImage out = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(photo, 0, 0, null);
        g.dispose();
        return out;
    }

    /** Draws points (x, y pairs in pixels, (0, 0) the image's top-left corner) as dots of {@code colour}. */
    public static void draw(BufferedImage image, double[] points, Color colour) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double r = Math.max(1.5, Math.max(image.getWidth(), image.getHeight()) / 250.0);
        g.setStroke(new BasicStroke((float) (r / 2)));
        for (int i = 0; i < points.length / 2; i++) {
            Ellipse2D dot = new Ellipse2D.Double(points[2 * i] - r, points[2 * i + 1] - r, 2 * r, 2 * r);
            g.setColor(colour);
            g.fill(dot);
            g.setColor(Color.BLACK);
            g.draw(dot);
        }
        g.dispose();
    }

    /** Writes {@code image} as PNG, creating the folder. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }
}
