package facegen.demo;

import facegen.train.ChartImages;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.IntStream;

/** Writes what the demo shows: planar RGB tensors and kernels as PNG (ImageIO), curves as PNG (XChart). */
final class Pictures {
    private Pictures() {}

    /** Planar [3, h, w] values in [0, 1] as an RGB PNG, each pixel drawn as a {@code scale x scale} block. */
    static void writeRgb(Path file, double[] planar, int h, int w, int scale) throws IOException {
        BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int p = (y / scale) * w + x / scale;
                img.setRGB(x, y, rgb(planar[p], planar[h * w + p], planar[2 * h * w + p]));
            }
        }
        write(img, file);
    }

    /** Two k x k kernels side by side (first channel of each), normalised to the true kernel's maximum. */
    static void writeKernels(Path file, double[] truth, double[] learned, int k, int scale) throws IOException {
        double max = IntStream.range(0, k * k).mapToDouble(i -> truth[i]).max().orElse(1);
        BufferedImage img = new BufferedImage((2 * k + 1) * scale, k * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < k * scale; y++) {
            for (int x = 0; x < (2 * k + 1) * scale; x++) {
                int col = x / scale;
                int row = y / scale;
                double v = col < k ? truth[row * k + col] : col > k ? learned[row * k + col - k - 1] : -1;
                img.setRGB(x, y, v < 0 ? rgb(0.2, 0.2, 0.2) : rgb(v / max, v / max, v / max));
            }
        }
        write(img, file);
    }

    /** A line chart of {@code values} against their index, log-scaled y. */
    static void writeCurve(Path file, String title, String xLabel, String yLabel, double[] values) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(420).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setYAxisLogarithmic(true).setLegendVisible(false).setMarkerSize(0)
                .setChartTitleBoxVisible(false).setLegendPosition(Styler.LegendPosition.InsideNE);
        double[] x = IntStream.range(0, values.length).asDoubleStream().toArray();
        double[] y = java.util.Arrays.stream(values).map(v -> Math.max(v, 1e-30)).toArray();
        chart.addSeries(yLabel, x, y);
        Optional<BufferedImage> image = ChartImages.render(chart, file);
        if (image.isPresent()) {
            write(image.get(), file);
        }
    }

    private static int rgb(double r, double g, double b) {
        return (channel(r) << 16) | (channel(g) << 8) | channel(b);
    }

    private static int channel(double v) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, v)));
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
