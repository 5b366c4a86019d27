package facegen.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code facegen stylegan train / eval / sample} end to end on a tiny network. */
class StyleganCommandTest {

    private record Outcome(int code, String out) {}

    private static Outcome run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int code = new CommandLine(new Main()).execute(args);
            return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void trainEvalAndSampleATinyRun(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        Outcome train = run("stylegan", "train", "--data", "builtin", "--builtin-count", "64", "--res", "16", "--latent", "16",
                "--channel-max", "8", "--batch", "4", "--kimg", "0.016", "--snap", "0.008", "--metric-images", "16",
                "--out", runDir.toString());
        assertThat(train.code()).as(train.out()).isZero();
        assertThat(train.out()).contains("starting").contains("SWD x1e3 16px").contains("done:");
        assertThat(runDir.resolve("checkpoint-00000004.safetensors")).exists();
        assertThat(runDir.resolve("loss.png")).exists();
        assertThat(runDir.resolve("swd.png")).exists();
        assertThat(runDir.resolve("fakes000000.png")).exists();

        Outcome more = run("stylegan", "train", "--data", "builtin", "--builtin-count", "64", "--res", "16", "--latent", "16",
                "--channel-max", "8", "--batch", "4", "--kimg", "0.024", "--snap", "0.008", "--metric-images", "16",
                "--out", runDir.toString());
        assertThat(more.code()).as(more.out()).isZero();
        assertThat(more.out()).contains("resuming").contains("at step 4");

        Outcome eval = run("stylegan", "eval", "--checkpoint", runDir.toString(), "--data", "builtin", "--builtin-count", "64",
                "--images", "16");
        assertThat(eval.code()).as(eval.out()).isZero();
        assertThat(eval.out()).contains("checkpoint-00000006.safetensors").containsPattern("SWD x1e3: 16px \\d+\\.\\d+  avg");

        Path png = dir.resolve("grid.png");
        Outcome sample = run("stylegan", "sample", "--checkpoint", runDir.toString(), "--out", png.toString(), "--grid", "3",
                "--psi", "0.7");
        assertThat(sample.code()).as(sample.out()).isZero();
        BufferedImage grid = ImageIO.read(png.toFile());
        assertThat(grid.getWidth()).isEqualTo(3 * 16 * 2);
    }

    @Test
    void badDatasetFolderFailsBeforeTraining(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Outcome train = run("stylegan", "train", "--data", dir.resolve("empty").toString(), "--res", "16", "--kimg", "1",
                "--out", dir.resolve("run").toString());
        assertThat(train.code()).isNotZero();
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
