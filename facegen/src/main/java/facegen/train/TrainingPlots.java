package facegen.train;

import facegen.nn.io.AtomicFile;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The run's curves as PNG line charts (XChart, headless): losses and SWD against kimg. */
final class TrainingPlots {
    /** Smoothing of the per-step losses: an exponential moving average with this many steps of memory. */
    private static final double SMOOTHING_STEPS = 20;

    private TrainingPlots() {}

    /**
     * Writes the curves of {@code series} (name to values, all against {@code kimg}) to {@code file}.
     *
     * @param smooth replace each series by its exponential moving average (noisy per-step losses)
     */
    static void write(Path file, String title, String yLabel, double[] kimg, Map<String, double[]> series, boolean smooth)
            throws IOException {
        if (kimg.length == 0) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("kimg").yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(kimg.length > 50 ? 0 : 5).setChartTitleBoxVisible(false)
                .setLegendPosition(Styler.LegendPosition.InsideNE);
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] y = smooth ? movingAverage(e.getValue()) : e.getValue();
            XYSeries s = chart.addSeries(e.getKey(), kimg, finiteOrZero(y));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        java.awt.image.BufferedImage image = ChartImages.render(chart, file).orElse(null);
        if (image == null) {
            return;
        }
        AtomicFile.write(file, out -> {
            if (!javax.imageio.ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    private static double[] movingAverage(double[] v) {
        double[] out = new double[v.length];
        double alpha = 1 / SMOOTHING_STEPS;
        double acc = Double.NaN;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(v[i])) {
                acc = Double.isNaN(acc) ? v[i] : acc + alpha * (v[i] - acc);
            }
            out[i] = acc;
        }
        return out;
    }

    private static double[] finiteOrZero(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                out[i] = 0;
            }
        }
        return out;
    }

    /** The column {@code name} of {@code rows} (missing values NaN). */
    static double[] column(List<Map<String, Double>> rows, String name) {
        return rows.stream().mapToDouble(r -> r.getOrDefault(name, Double.NaN)).toArray();
    }
}
