package facegen.data;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetTest {

    @Test
    void proceduralFacesAreReproducibleAndVaried() {
        ProceduralFaces a = new ProceduralFaces(32, 100, 7);
        ProceduralFaces b = new ProceduralFaces(32, 100, 7);
        assertThat(a.image(42)).containsExactly(b.image(42));
        assertThat(a.image(42)).isNotEqualTo(a.image(43));
        assertThat(new ProceduralFaces(64, 10, 7).image(3)).hasSize(3 * 64 * 64);
        assertThatThrownBy(() -> a.image(100)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void batchesAreScaledToMinusOneToOne() {
        ProceduralFaces faces = new ProceduralFaces(16, 4, 1);
        try (Backend cpu = Backends.create("cpu")) {
            double[] v = faces.batch(cpu, new int[] {0, 3}).toArray();
            assertThat(v).hasSize(2 * 3 * 16 * 16);
            assertThat(java.util.Arrays.stream(v).min().orElseThrow()).isGreaterThanOrEqualTo(-1);
            assertThat(java.util.Arrays.stream(v).max().orElseThrow()).isLessThanOrEqualTo(1);
            assertThat(v[0]).isEqualTo((faces.image(0)[0] & 0xff) / 127.5 - 1, org.assertj.core.api.Assertions.within(1e-6));
        }
    }

    @Test
    void pngFolderReadsWhatPngWrote(@TempDir Path dir) throws Exception {
        ProceduralFaces faces = new ProceduralFaces(16, 5, 1);
        for (int i = 0; i < 5; i++) {
            Png.write(dir.resolve("sub").resolve("face" + i + ".png"), faces.image(i), 16);
        }
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        PngFolder folder = PngFolder.open(dir, 16);
        assertThat(folder.size()).isEqualTo(5);
        assertThat(folder.image(2)).containsExactly(faces.image(2));
        assertThat(folder.describe()).contains("5 PNGs");
    }

    @Test
    void pngFolderRejectsWrongSizesChannelsAndCorruptFilesNamingEach(@TempDir Path dir) throws Exception {
        ProceduralFaces faces = new ProceduralFaces(16, 2, 1);
        Png.write(dir.resolve("good.png"), faces.image(0), 16);
        Png.write(dir.resolve("big.png"), new ProceduralFaces(32, 1, 1).image(0), 32);
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("gray.png").toFile());
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB), "png", dir.resolve("alpha.png").toFile());
        byte[] truncated = Files.readAllBytes(dir.resolve("good.png"));
        Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(truncated, 40));
        assertThatThrownBy(() -> PngFolder.open(dir, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 of 5 images")
                .hasMessageContaining("big.png is 32x32, expected 16x16")
                .hasMessageContaining("gray.png has 1 channels (grayscale), expected 3 (RGB)")
                .hasMessageContaining("alpha.png has 4 channels (RGB + alpha), expected 3 (RGB)")
                .hasMessageContaining("cut.png");
    }

    @Test
    void emptyOrMissingFoldersAreReported(@TempDir Path dir) {
        assertThatThrownBy(() -> PngFolder.open(dir, 16)).hasMessageContaining("no .png files under");
        assertThatThrownBy(() -> PngFolder.open(dir.resolve("nope"), 16)).hasMessageContaining("does not exist");
    }
}
