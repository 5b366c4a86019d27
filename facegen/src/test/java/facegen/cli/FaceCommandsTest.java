package facegen.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code facegen landmarks} and {@code facegen identity} on the astronaut photo and on a photo without a face. */
class FaceCommandsTest {
    private static final String MODELS = "../test-data/face-api";
    private static final String ASTRONAUT = "../test-data/photos/astronaut.png";

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int code = new CommandLine(new Main()).setErr(new PrintWriter(err, true)).execute(args);
            return new Outcome(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void landmarksDrawsAndWrites68PointsOnTheFace(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("astronaut-landmarks.png");
        Outcome o = run("landmarks", ASTRONAUT, "--out", png.toString(), "--models", MODELS);
        assertThat(o.code()).as(o.out() + o.err()).isZero();
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(512);
        String json = Files.readString(dir.resolve("astronaut-landmarks.json"));
        assertThat(json.split("\\[\\d").length - 1).isEqualTo(68);
        assertThat(json).contains("\"box\"").contains("\"score\"");
    }

    @Test
    void identityOfAPhotoWithItselfIsOne() {
        Outcome o = run("identity", ASTRONAUT, ASTRONAUT, "--models", MODELS);
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(Double.parseDouble(o.out().trim())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void aPhotoWithoutAFaceFailsWithAClearMessage(@TempDir Path dir) throws Exception {
        Path blank = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "png", blank.toFile());
        Outcome o = run("landmarks", blank.toString(), "--out", dir.resolve("x.png").toString(), "--models", MODELS);
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("blank.png: no face found");
    }
}
