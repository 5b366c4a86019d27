package facegen.train;

import facegen.nn.io.Safetensors;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.nn.stylegan.StyleGAN2LossConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Small training configurations and comparisons of run folders for the training tests. */
final class TinyRuns {
    private TinyRuns() {}

    /**
     * 16 x 16 images, 8 to 16 channels, z = w = 16, batch 4; path length every 2 steps and R1 every 3, so both
     * regularisers run on each side of a split after 4 steps.
     */
    static TrainingConfig config() {
        TrainingConfig c = TrainingConfig.defaults(16, 4, 16, 128, 16, 5);
        StyleGAN2LossConfig l = c.loss();
        StyleGAN2LossConfig loss = new StyleGAN2LossConfig(l.r1Gamma(), l.styleMixingProb(), l.plBatchShrink(), l.plDecay(),
                l.plWeight(), 2, 3);
        return new TrainingConfig(c.generator(), c.discriminator(), loss, c.batchSize(), c.gLr(), c.dLr(), c.emaKimg(),
                c.emaRampup(), c.seed());
    }

    /** Snapshots every 2 steps with an 8-image SWD, all checkpoints kept, 2 x 2 grids. */
    static TrainingRun.Options options() {
        return new TrainingRun.Options(8, 8, 100, 2);
    }

    /** Asserts that two checkpoint files hold identical tensors and metadata (train_seconds aside). */
    static void assertSameCheckpoint(Path a, Path b) throws IOException {
        TensorFile fa = Safetensors.read(a);
        TensorFile fb = Safetensors.read(b);
        assertThat(fb.tensors().keySet()).containsExactlyElementsOf(fa.tensors().keySet());
        fa.tensors().forEach((name, t) -> {
            StoredTensor u = fb.tensor(name);
            assertThat(u.shape()).as(name).isEqualTo(t.shape());
            assertThat(u.values()).as("%s in %s vs %s", name, a.getFileName(), b.getFileName()).containsExactly(t.values());
        });
        fa.metadata().forEach((k, v) -> {
            if (!k.equals("train_seconds") && !k.equals(Safetensors.CRC_KEY)) {
                assertThat(fb.metadata().get(k)).as(k).isEqualTo(v);
            }
        });
    }

    /** The rows of a TSV file with the column {@code train_seconds} removed. */
    static List<String> rowsWithoutTime(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        int timeColumn = List.of(lines.getFirst().split("\t")).indexOf("train_seconds");
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(List.of(line.split("\t", -1)));
            cells.remove(timeColumn);
            out.add(String.join("\t", cells));
        }
        return out;
    }

    /** The metadata of {@code file}. */
    static Map<String, String> metadata(Path file) throws IOException {
        return Safetensors.read(file).metadata();
    }
}
