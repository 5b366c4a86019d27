package facegen.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Draws XChart charts to images, or explains why it cannot: a headless machine without fonts (no fontconfig, as on
 * bare GPU servers) makes Java2D fail when it lays out text, and a missing plot must never stop a training run.
 */
public final class ChartImages {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ChartImages() {}

    /** The chart as an image, or empty after a one-time warning naming {@code file} when Java2D cannot draw text. */
    public static Optional<BufferedImage> render(XYChart chart, Path file) {
        try {
            return Optional.of(BitmapEncoder.getBufferedImage(chart));
        } catch (RuntimeException | InternalError | LinkageError e) {      // Fontconfig / libfreetype failures
            if (WARNED.compareAndSet(false, true)) {
                System.err.println("facegen: cannot draw " + file.getFileName() + " (" + e.getMessage() + "); this machine "
                        + "lacks fonts for Java2D (e.g. apt-get install fontconfig fonts-dejavu-core). The numbers are in "
                        + "the .tsv files beside it; everything else goes on. Further charts are skipped silently.");
            }
            return Optional.empty();
        }
    }
}
