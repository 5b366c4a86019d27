package facegen.metrics;

import facegen.data.ProceduralFaces;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.nn.Seed;
import facegen.engine.io.Npz;
import facegen.engine.io.TensorFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SlicedWassersteinTest {
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** Our pyramid against ProGAN's (scipy 'mirror' convolutions, float32), from make_pyramid_fixture.py. */
    @Test
    void laplacianPyramidMatchesProGansScipyImplementation() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("pyramid.npz")) {
            bytes = in.readAllBytes();
        }
        TensorFile f = Npz.decode(bytes, "pyramid.npz");
        double[] pixels = f.tensor("image").values();
        byte[] image = new byte[pixels.length];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) pixels[i];
        }
        double[][] ours = SlicedWasserstein.laplacianPyramid(image, 32, 2);
        double[] level32 = f.tensor("level32").values();
        double[] level16 = f.tensor("level16").values();
        for (int i = 0; i < level32.length; i++) {
            assertThat(ours[0][i]).as("level 32 [%d]", i).isCloseTo(level32[i], within(1e-3));
        }
        for (int i = 0; i < level16.length; i++) {
            assertThat(ours[1][i]).as("level 16 [%d]", i).isCloseTo(level16[i], within(1e-3));
        }
    }

    @Test
    void levelsRunFromTheImageResolutionDownTo16() {
        assertThat(SlicedWasserstein.levels(64)).containsExactly(64, 32, 16);
        assertThat(SlicedWasserstein.levels(16)).containsExactly(16);
    }

    @Test
    void distanceIsZeroForASetAgainstItselfAndOrdersSetsByDissimilarity() {
        ProceduralFaces faces = new ProceduralFaces(32, 256, 1);
        ProceduralFaces otherFaces = new ProceduralFaces(32, 256, 2);
        Seed seed = new Seed(3);
        SlicedWasserstein.Descriptors a = SlicedWasserstein.describe(faces::image, 128, 32, seed);
        SlicedWasserstein.Descriptors sameSet = SlicedWasserstein.describe(faces::image, 128, 32, seed);
        SlicedWasserstein.Descriptors sameDistribution = SlicedWasserstein.describe(otherFaces::image, 128, 32, seed);
        SlicedWasserstein.Descriptors noise = SlicedWasserstein.describe(i -> {
            byte[] img = new byte[3 * 32 * 32];
            new java.util.SplittableRandom(i).nextBytes(img);
            return img;
        }, 128, 32, seed);

        SlicedWasserstein.Result self = SlicedWasserstein.distance(a, sameSet, cpu, seed);
        SlicedWasserstein.Result near = SlicedWasserstein.distance(a, sameDistribution, cpu, seed);
        SlicedWasserstein.Result far = SlicedWasserstein.distance(a, noise, cpu, seed);
        assertThat(self.average()).isZero();
        assertThat(near.average()).isPositive();
        assertThat(far.average()).as("faces vs noise %s, faces vs faces %s", far.summary(), near.summary())
                .isGreaterThan(3 * near.average());
        assertThat(far.resolutions()).containsExactly(32, 16);
        assertThat(SlicedWasserstein.distance(a, noise, cpu, seed).distances()).containsExactly(far.distances());
    }
}
