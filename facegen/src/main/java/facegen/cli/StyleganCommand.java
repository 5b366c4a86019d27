package facegen.cli;

import facegen.data.ImageDataset;
import facegen.data.PngFolder;
import facegen.data.ProceduralFaces;
import facegen.data.Png;
import facegen.engine.backend.Backend;
import facegen.metrics.SlicedWasserstein;
import facegen.nn.Seed;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.Truncation;
import facegen.train.Checkpoint;
import facegen.train.Samples;
import facegen.train.Trainer;
import facegen.train.TrainingConfig;
import facegen.train.TrainingDivergedException;
import facegen.train.TrainingListener;
import facegen.train.TrainingRun;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code facegen stylegan train|eval|sample}: train StyleGAN2 on a folder of PNGs, measure it, draw from it. */
@Command(name = "stylegan", mixinStandardHelpOptions = true, description = "Train StyleGAN2 on images, evaluate it (SWD) and sample it.",
        subcommands = {StyleganCommand.Train.class, StyleganCommand.Eval.class, StyleganCommand.Sample.class})
final class StyleganCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The --data option: a folder of PNGs or the built-in faces. */
    static final class DataOption {
        @Option(names = "--data", required = true, paramLabel = "DIR|builtin",
                description = "Training images: a folder of RxR RGB PNGs (searched recursively), or 'builtin' for facegen's procedural faces.")
        String data;

        @Option(names = "--builtin-count", defaultValue = "10000", paramLabel = "N",
                description = "Images in the built-in dataset. Default: ${DEFAULT-VALUE}.")
        int builtinCount;

        ImageDataset open(int resolution) throws IOException {
            return data.equals("builtin") ? new ProceduralFaces(resolution, builtinCount, 2024)
                    : PngFolder.open(Path.of(data), resolution);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train (or resume) a StyleGAN2 run in --out; writes checkpoints, sample grids, loss and SWD curves.")
    static final class Train implements Callable<Integer> {
        @Mixin
        BackendOption backend;

        @Mixin
        DataOption data;

        @Option(names = "--res", defaultValue = "32", description = "Image resolution R (a power of two >= 16). Default: ${DEFAULT-VALUE}.")
        int resolution;

        @Option(names = "--kimg", required = true, description = "Train until this many thousand real images were shown (in total, across resumes).")
        double kimg;

        @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run folder; an existing run there is resumed from its newest checkpoint.")
        Path out;

        @Option(names = "--batch", defaultValue = "8", description = "Images per step. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--snap", defaultValue = "1", paramLabel = "KIMG", description = "Checkpoint, sample grid and SWD every KIMG thousand images. Default: ${DEFAULT-VALUE}.")
        double snapKimg;

        @Option(names = "--metric-images", defaultValue = "512", paramLabel = "N", description = "Images per set for SWD at snapshots; 0 = off. Default: ${DEFAULT-VALUE}.")
        int metricImages;

        @Option(names = "--latent", defaultValue = "128", description = "z_dim = w_dim. Default: ${DEFAULT-VALUE}.")
        int latent;

        @Option(names = "--channel-base", defaultValue = "0", description = "Channels at resolution r: min(base / r, max); 0 = 32 R. Default: 32 R.")
        int channelBase;

        @Option(names = "--channel-max", defaultValue = "64", description = "Most channels of any layer. Default: ${DEFAULT-VALUE}.")
        int channelMax;

        @Option(names = "--seed", defaultValue = "0", description = "Run seed (weights, latents, noise, batches). Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--gamma", paramLabel = "G", description = "R1 weight gamma. Default: stylegan2-ada's auto rule 0.0002 R^2 / batch.")
        Double gamma;

        @Option(names = "--lr", defaultValue = "0.0025", description = "Adam learning rate of G and D. Default: ${DEFAULT-VALUE}.")
        double lr;

        @Option(names = "--keep", defaultValue = "3", description = "Newest checkpoints kept. Default: ${DEFAULT-VALUE}.")
        int keep;

        @Override
        public Integer call() throws Exception {
            int base = channelBase > 0 ? channelBase : 32 * resolution;
            TrainingConfig config = TrainingConfig.defaults(resolution, batch, latent, base, channelMax, seed).withLearningRate(lr);
            if (gamma != null) {
                config = config.withR1Gamma(gamma);
            }
            long targetNimg = Math.round(kimg * 1000);
            try (Backend b = backend.create()) {
                ImageDataset images = data.open(resolution);
                TrainingRun run = TrainingRun.open(out, config, images, b,
                        new TrainingRun.Options(Math.max(1, Math.round(snapKimg * 1000)), metricImages, keep, resolution <= 32 ? 8 : 6));
                Trainer t = run.trainer();
                System.out.printf(Locale.ROOT, "%s %s at step %d (%.1f kimg) on '%s': %s%n", run.resumed() ? "resuming" : "starting",
                        out, t.step(), t.curNimg() / 1000.0, b.name(), images.describe());
                System.out.printf(Locale.ROOT, "G %,d parameters, D %,d; batch %d, R1 gamma %.4g, target %.1f kimg%n",
                        t.generator().parameterCount(), t.discriminator().parameterCount(), batch, config.loss().r1Gamma(), kimg);
                try (ProgressListener progress = new ProgressListener()) {
                    run.run(targetNimg, progress);
                } catch (TrainingDivergedException e) {
                    System.err.println("facegen: " + e.getMessage());
                    System.err.println("facegen: last good checkpoint: " + TrainingRun.latestCheckpoint(out));
                    return 2;
                }
                System.out.println("done: " + out.toAbsolutePath() + " (checkpoint-*.safetensors, fakes*.png, loss.png, swd.png, stats.tsv, swd.tsv)");
            }
            return 0;
        }
    }

    /** Draws a progress bar (img/s, losses, ETA) and prints a line per snapshot. */
    static final class ProgressListener implements TrainingListener, AutoCloseable {
        private ProgressBar bar;
        private String lastSwd = "";

        @Override
        public void started(long step, long curNimg, long targetNimg, boolean resumed) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(targetNimg).setUnit(" img", 1).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).startsFrom(curNimg, Duration.ZERO).build();
        }

        @Override
        public void stepped(Trainer.StepResult r) {
            bar.stepTo(r.curNimg());
            bar.setExtraMessage(String.format(Locale.ROOT, " G %.3f D %.3f%s", r.stats().getOrDefault("Loss/G/loss", Double.NaN),
                    r.stats().getOrDefault("Loss/D/loss", Double.NaN), lastSwd));
        }

        @Override
        public void snapshot(Snapshot s) {
            if (s.swd() != null) {
                lastSwd = String.format(Locale.ROOT, " SWD %.1f", s.swd().average());
            }
            String line = String.format(Locale.ROOT, "kimg %8.3f  step %7d  %s  (%.0f s training)  %s", s.kimg(), s.step(),
                    s.swd() == null ? "" : "SWD x1e3 " + s.swd().summary(), s.trainSeconds(), s.checkpoint().getFileName());
            System.err.println();                                        // off the progress bar's line
            System.out.println(line);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** The --checkpoint option: a checkpoint file or a run folder (its newest checkpoint). */
    static final class CheckpointOption {
        @Option(names = "--checkpoint", required = true, paramLabel = "FILE|RUN", description = "A checkpoint, or a run folder (its newest checkpoint).")
        Path checkpoint;

        Path file() throws IOException {
            if (Files.isDirectory(checkpoint)) {
                Path latest = TrainingRun.latestCheckpoint(checkpoint);
                if (latest == null) {
                    throw new IllegalArgumentException("no checkpoint-*.safetensors in " + checkpoint);
                }
                return latest;
            }
            if (!Files.isRegularFile(checkpoint)) {
                throw new IllegalArgumentException("no checkpoint file or run folder at " + checkpoint);
            }
            return checkpoint;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Print the sliced Wasserstein distance (SWD, ProGAN) between G_ema's samples and real images.")
    static final class Eval implements Callable<Integer> {
        @Mixin
        BackendOption backend;

        @Mixin
        DataOption data;

        @Mixin
        CheckpointOption checkpoint;

        @Option(names = "--images", defaultValue = "2048", paramLabel = "N", description = "Images per set. Default: ${DEFAULT-VALUE}.")
        int images;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the latents, patches and directions. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() throws Exception {
            Path file = checkpoint.file();
            try (Backend b = backend.create()) {
                Checkpoint.Generated g = Checkpoint.loadGenerator(file, b);
                int r = g.config().resolution();
                ImageDataset reals = data.open(r);
                int n = Math.min(images, reals.size());
                Seed root = new Seed(seed);
                long start = System.nanoTime();
                SlicedWasserstein.Descriptors real = SlicedWasserstein.describe(reals::image, n, r, root.derive("patches"));
                List<byte[]> fakes = Samples.generate(g.generator(), b, n, root.derive("fakes"), Truncation.NONE, NoiseMode.RANDOM);
                SlicedWasserstein.Descriptors fake = SlicedWasserstein.describe(fakes::get, n, r, root.derive("patches"));
                SlicedWasserstein.Result swd = SlicedWasserstein.distance(real, fake, b, root.derive("directions"));
                System.out.printf(Locale.ROOT, "%s (%.1f kimg) vs %s, %d images each%n", file, g.curNimg() / 1000.0, reals.describe(), n);
                System.out.println("SWD x1e3: " + swd.summary());
                if (reals.size() >= 2 * n) {
                    SlicedWasserstein.Descriptors other = SlicedWasserstein.describe(i -> reals.image(n + i), n, r, root.derive("patches"));
                    System.out.println("reals vs other reals (the floor at this sample size): "
                            + SlicedWasserstein.distance(real, other, b, root.derive("directions")).summary());
                }
                System.out.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - start) / 1e9);
            }
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Write a grid of G_ema samples as a PNG.")
    static final class Sample implements Callable<Integer> {
        @Mixin
        BackendOption backend;

        @Mixin
        CheckpointOption checkpoint;

        @Option(names = "--out", defaultValue = "samples.png", paramLabel = "PNG", description = "Output image. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Option(names = "--grid", defaultValue = "8", description = "Grid side (grid x grid samples). Default: ${DEFAULT-VALUE}.")
        int grid;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the latents. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--psi", defaultValue = "1", description = "Truncation psi around w_avg (1 = none, 0.7 as AlbedoGAN). Default: ${DEFAULT-VALUE}.")
        double psi;

        @Option(names = "--scale", defaultValue = "2", description = "Pixel size in the PNG. Default: ${DEFAULT-VALUE}.")
        int scale;

        @Override
        public Integer call() throws Exception {
            Path file = checkpoint.file();
            try (Backend b = backend.create()) {
                Checkpoint.Generated g = Checkpoint.loadGenerator(file, b);
                List<byte[]> images = Samples.generate(g.generator(), b, grid * grid, new Seed(seed), Truncation.of(psi), NoiseMode.CONST);
                Png.writeGrid(out, images, g.config().resolution(), grid, scale);
                System.out.println("wrote " + out.toAbsolutePath() + " (" + grid * grid + " samples of " + file.getFileName() + ", psi " + psi + ")");
            }
            return 0;
        }
    }
}
