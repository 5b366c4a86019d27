package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FacePhotoTest {
    static Backend cpu;

    @BeforeAll
    static void backend() {
        cpu = Backends.create("cpu");
    }

    @Test
    void greyRgbaSixteenBitAndJpegAllBecomeRgbIn0To255(@TempDir Path dir) throws IOException {
        BufferedImage grey = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 2, 0, 200);
        BufferedImage rgba = new BufferedImage(4, 3, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(1, 2, 0x80102030);
        BufferedImage deep = new BufferedImage(4, 3, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(1, 2, 0, 65535);
        BufferedImage rgb = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 2, 0xffffff);
        ImageIO.write(grey, "png", dir.resolve("grey.png").toFile());
        ImageIO.write(rgba, "png", dir.resolve("rgba.png").toFile());
        ImageIO.write(deep, "png", dir.resolve("deep.png").toFile());
        ImageIO.write(rgb, "jpg", dir.resolve("photo.jpg").toFile());

        Tensor g = FacePhoto.read(dir.resolve("grey.png"), cpu);
        assertArrayEquals(new int[] {1, 3, 3, 4}, g.shape().dims());
        double[] gv = g.toArray();
        // grey through ImageIO's linear-grey colour model: three equal channels, bright where the sample is
        assertEquals(gv[2 * 4 + 1], gv[12 + 2 * 4 + 1], 0);
        assertTrue(gv[2 * 4 + 1] > 150, "grey 200 read as " + gv[2 * 4 + 1]);
        double[] av = FacePhoto.read(dir.resolve("rgba.png"), cpu).toArray();
        assertArrayEquals(new double[] {0x10, 0x20, 0x30}, new double[] {av[9], av[12 + 9], av[24 + 9]}, "alpha dropped");
        assertEquals(255, FacePhoto.read(dir.resolve("deep.png"), cpu).toArray()[9], 0);
        assertTrue(FacePhoto.read(dir.resolve("photo.jpg"), cpu).toArray()[9] > 200);
    }

    @Test
    void missingCorruptAndHugeFilesAreNamedInTheError(@TempDir Path dir) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> FacePhoto.read(dir.resolve("none.png"), cpu));
        assertTrue(missing.getMessage().contains("none.png"), missing.getMessage());
        Path corrupt = dir.resolve("corrupt.png");
        Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2});
        IOException bad = assertThrows(IOException.class, () -> FacePhoto.read(corrupt, cpu));
        assertTrue(bad.getMessage().contains("corrupt.png"), bad.getMessage());
        Path huge = dir.resolve("huge.png");
        ImageIO.write(new BufferedImage(FacePhoto.MAX_SIDE + 1, 2, BufferedImage.TYPE_BYTE_GRAY), "png", huge.toFile());
        IOException big = assertThrows(IOException.class, () -> FacePhoto.read(huge, cpu));
        assertTrue(big.getMessage().contains("exceeds"), big.getMessage());
    }

    @Test
    void tinyImagesRunThroughTheDetectorWithoutFaces() throws IOException {
        TinyFaceDetector detector = TinyFaceDetector.load(FaceApiReference.WEIGHTS, cpu);
        assertTrue(detector.detect(Tensor.full(cpu, 90, 1, 3, 1, 1), 32, 0.5).isEmpty());
        assertTrue(detector.detect(Tensor.full(cpu, 90, 1, 3, 5, 2), 64, 0.5).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> detector.detect(Tensor.full(cpu, 90, 1, 3, 5, 2), 40, 0.5));
    }
}
