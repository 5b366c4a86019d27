package facegen.train;

import facegen.data.ImageDataset;
import facegen.data.Png;
import facegen.engine.backend.Backend;
import facegen.metrics.SlicedWasserstein;
import facegen.nn.Seed;
import facegen.nn.io.AtomicFile;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.Truncation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training run in a folder: starts fresh or resumes from the latest checkpoint there, trains to a target
 * number of images and leaves, every snapshot interval and at the end,
 * <pre>
 *   checkpoint-STEP.safetensors   the full state ({@link Checkpoint}; the last {@code keep} are kept)
 *   fakesKIMG.png                 a grid of G_ema samples from fixed latents (StyleGAN's fakes*.png)
 *   swd.tsv, swd.png              the sliced Wasserstein distance of G_ema to the reals, per snapshot
 *   stats.tsv, loss.png           the per-step losses (smoothed in the plot)
 *   reals.png                     a grid of training images (written once)
 * </pre>
 * Files are replaced atomically; after a kill, rows of stats.tsv and swd.tsv past the checkpoint resumed from
 * are dropped, so the curves continue exactly where the resumed state was saved.
 */
public final class TrainingRun {
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)\\.safetensors");
    private static final List<String> STAT_COLUMNS = List.of("Loss/G/loss", "Loss/D/loss", "Loss/scores/real",
            "Loss/scores/fake", "Loss/G/reg", "Loss/D/reg", "Loss/pl_penalty", "Loss/r1_penalty");

    private final Path dir;
    private final Trainer trainer;
    private final Options options;
    private final boolean resumed;
    private final List<Map<String, Double>> stats = new ArrayList<>();
    private final List<double[]> swdRows = new ArrayList<>();
    private SlicedWasserstein.Descriptors realDescriptors;

    /**
     * How a run reports.
     *
     * @param snapshotNimg    images between snapshots (StyleGAN's --snap in kimg, times 1000)
     * @param metricImages    images per set for SWD at each snapshot; 0 = no metric
     * @param keepCheckpoints how many of the newest checkpoints to keep (>= 1)
     * @param gridSize        the sample grid is gridSize x gridSize images
     */
    public record Options(long snapshotNimg, int metricImages, int keepCheckpoints, int gridSize) {
        /** Validates the values. */
        public Options {
            if (snapshotNimg < 1 || metricImages < 0 || keepCheckpoints < 1 || gridSize < 1) {
                throw new IllegalArgumentException("invalid run options: " + this);
            }
        }
    }

    private TrainingRun(Path dir, Trainer trainer, Options options, boolean resumed) {
        this.dir = dir;
        this.trainer = trainer;
        this.options = options;
        this.resumed = resumed;
    }

    /**
     * Opens the run in {@code dir}: resumes from its newest checkpoint when there is one (its configuration must
     * equal {@code config}, else the differences are listed), else starts {@code config} fresh.
     *
     * @throws IOException for an unreadable or corrupt newest checkpoint (named; remove it to resume from the one before)
     */
    public static TrainingRun open(Path dir, TrainingConfig config, ImageDataset data, Backend backend, Options options)
            throws IOException {
        Files.createDirectories(dir);
        Path latest = latestCheckpoint(dir);
        if (latest == null) {
            Files.deleteIfExists(dir.resolve("stats.tsv"));            // curves of an attempt that never checkpointed
            Files.deleteIfExists(dir.resolve("swd.tsv"));
            return new TrainingRun(dir, new Trainer(config, data, backend), options, false);
        }
        Trainer t;
        try {
            t = Checkpoint.load(latest, data, backend);
        } catch (IOException e) {
            throw new IOException("cannot resume from " + latest + ": " + e.getMessage()
                    + " (move it away to resume from the checkpoint before it)", e);
        }
        List<String> diff = t.config().differencesFrom(config);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds a run with another configuration (" + String.join(", ", diff)
                    + "; checkpoint vs requested): use the same options to resume it, or another --out folder");
        }
        TrainingRun run = new TrainingRun(dir, t, options, true);
        run.reloadCurves();
        return run;
    }

    /** The newest checkpoint-STEP.safetensors in {@code dir}, or null. */
    public static Path latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .max(Comparator.comparingLong(TrainingRun::checkpointStep)).orElse(null);
        }
    }

    private static long checkpointStep(Path p) {
        Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The trainer (networks, counters). */
    public Trainer trainer() {
        return trainer;
    }

    /** True when this run continued from a checkpoint. */
    public boolean resumed() {
        return resumed;
    }

    /** The run folder. */
    public Path dir() {
        return dir;
    }

    /**
     * Trains until {@code targetNimg} real images were shown (rounded up to whole steps), snapshotting every
     * {@link Options#snapshotNimg} images and at the end. A fresh run also snapshots before its first step (the
     * curve's starting point).
     *
     * @throws TrainingDivergedException on a non-finite loss (the newest checkpoint is the last good state)
     */
    public void run(long targetNimg, TrainingListener listener) throws IOException {
        listener.started(trainer.step(), trainer.curNimg(), targetNimg, resumed);
        if (!resumed && trainer.step() == 0) {
            writeRealsGrid();
            snapshot(listener);
        } else if (options.metricImages() > 0 && (swdRows.isEmpty() || swdRows.getLast()[0] != trainer.step())) {
            snapshot(listener);                                          // killed after the checkpoint, before its metric
        }
        long snap = options.snapshotNimg();
        while (trainer.curNimg() < targetNimg) {
            long before = trainer.curNimg();
            Trainer.StepResult r = trainer.runStep();
            appendStats(r);
            listener.stepped(r);
            boolean due = r.curNimg() / snap > before / snap;
            if (due || trainer.curNimg() >= targetNimg) {
                snapshot(listener);
            }
        }
    }

    private void snapshot(TrainingListener listener) throws IOException {
        Trainer t = trainer;
        Path checkpoint = dir.resolve(String.format(Locale.ROOT, "checkpoint-%08d.safetensors", t.step()));
        Checkpoint.save(t, checkpoint);
        pruneCheckpoints();
        int r = t.config().resolution();
        Path grid = dir.resolve(String.format(Locale.ROOT, "fakes%06d.png", t.curNimg() / 1000));
        List<byte[]> fakes = Samples.generate(t.generatorEma(), t.backend(), options.gridSize() * options.gridSize(),
                new Seed(t.config().seed()).derive("grid"), Truncation.NONE, NoiseMode.CONST);
        Png.writeGrid(grid, fakes, r, options.gridSize(), r < 64 ? 2 : 1);
        SlicedWasserstein.Result swd = null;
        if (options.metricImages() > 0) {
            swd = swd();
            double[] row = new double[3 + swd.distances().length + 1];
            row[0] = t.step();
            row[1] = t.curNimg() / 1000.0;
            row[2] = t.trainSeconds();
            System.arraycopy(swd.distances(), 0, row, 3, swd.distances().length);
            row[row.length - 1] = swd.average();
            swdRows.add(row);
            writeSwd(swd.resolutions());
        }
        writeLossPlot();
        listener.snapshot(new TrainingListener.Snapshot(t.step(), t.curNimg() / 1000.0, checkpoint, grid, swd, t.trainSeconds()));
    }

    /** SWD between G_ema's samples and the first metricImages reals (fixed seeds: comparable across snapshots). */
    private SlicedWasserstein.Result swd() {
        Trainer t = trainer;
        int n = Math.min(options.metricImages(), t.data().size());
        int r = t.config().resolution();
        Seed metric = new Seed(t.config().seed()).derive("metric");
        if (realDescriptors == null) {
            realDescriptors = SlicedWasserstein.describe(i -> t.data().image(i), n, r, metric.derive("patches"));
        }
        List<byte[]> fakes = Samples.generate(t.generatorEma(), t.backend(), n, metric.derive("fakes"), Truncation.NONE,
                NoiseMode.RANDOM);
        SlicedWasserstein.Descriptors fake = SlicedWasserstein.describe(fakes::get, n, r, metric.derive("patches"));
        return SlicedWasserstein.distance(realDescriptors, fake, t.backend(), metric.derive("directions"));
    }

    private void pruneCheckpoints() throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.list(dir)) {
            all = files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(TrainingRun::checkpointStep)).toList();
        }
        for (int i = 0; i < all.size() - options.keepCheckpoints(); i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    private void writeRealsGrid() throws IOException {
        ImageDataset data = trainer.data();
        int count = Math.min(options.gridSize() * options.gridSize(), data.size());
        List<byte[]> reals = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            reals.add(data.image(i));
        }
        int r = data.resolution();
        Png.writeGrid(dir.resolve("reals.png"), reals, r, options.gridSize(), r < 64 ? 2 : 1);
    }

    // ---------------------------------------------------------------- curves

    private void appendStats(Trainer.StepResult r) throws IOException {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("step", (double) r.step());
        row.put("kimg", r.curNimg() / 1000.0);
        row.put("train_seconds", trainer.trainSeconds());
        for (String c : STAT_COLUMNS) {
            row.put(c, r.stats().getOrDefault(c, Double.NaN));
        }
        stats.add(row);
        Path file = dir.resolve("stats.tsv");
        String line = String.join("\t", row.values().stream().map(TrainingRun::format).toList()) + "\n";
        if (!Files.exists(file)) {
            line = String.join("\t", row.keySet()) + "\n" + line;
        }
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void writeLossPlot() throws IOException {
        if (stats.isEmpty()) {
            return;
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("G loss", TrainingPlots.column(stats, "Loss/G/loss"));
        series.put("D loss", TrainingPlots.column(stats, "Loss/D/loss"));
        TrainingPlots.write(dir.resolve("loss.png"), "StyleGAN2 losses (moving average)", "loss",
                TrainingPlots.column(stats, "kimg"), series, true);
    }

    private void writeSwd(int[] resolutions) throws IOException {
        StringBuilder b = new StringBuilder("step\tkimg\ttrain_seconds");
        for (int res : resolutions) {
            b.append("\tswd_").append(res);
        }
        b.append("\tswd_avg\n");
        for (double[] row : swdRows) {
            for (int i = 0; i < row.length; i++) {
                b.append(i > 0 ? "\t" : "").append(i == 0 ? Long.toString((long) row[i]) : format(row[i]));
            }
            b.append('\n');
        }
        AtomicFile.write(dir.resolve("swd.tsv"), b.toString().getBytes(StandardCharsets.UTF_8));
        double[] kimg = swdRows.stream().mapToDouble(r -> r[1]).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("SWD x1e3 (avg of levels)", swdRows.stream().mapToDouble(r -> r[r.length - 1]).toArray());
        TrainingPlots.write(dir.resolve("swd.png"), "Sliced Wasserstein distance of G_ema to the reals", "SWD x 1e3",
                kimg, series, false);
    }

    /** Reads stats.tsv and swd.tsv back, dropping rows past the resumed step (a kill after the checkpoint). */
    private void reloadCurves() throws IOException {
        long step = trainer.step();
        Path statsFile = dir.resolve("stats.tsv");
        if (Files.exists(statsFile)) {
            List<String> lines = Files.readAllLines(statsFile, StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            if (!lines.isEmpty()) {
                String[] header = lines.getFirst().split("\t");
                kept.add(lines.getFirst());
                for (String line : lines.subList(1, lines.size())) {
                    String[] cells = line.split("\t", -1);
                    if (cells.length != header.length) {
                        continue;                                        // a line cut by the kill
                    }
                    Map<String, Double> row = new LinkedHashMap<>();
                    for (int i = 0; i < header.length; i++) {
                        row.put(header[i], parse(cells[i]));
                    }
                    if (row.get("step") < step) {
                        stats.add(row);
                        kept.add(line);
                    }
                }
            }
            AtomicFile.write(statsFile, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path swdFile = dir.resolve("swd.tsv");
        if (Files.exists(swdFile)) {
            List<String> lines = Files.readAllLines(swdFile, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                double[] row = java.util.Arrays.stream(line.split("\t")).mapToDouble(TrainingRun::parse).toArray();
                if (row.length > 4 && row[0] <= step) {
                    swdRows.add(row);
                }
            }
        }
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "" : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static double parse(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
