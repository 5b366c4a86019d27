package facegen.render.io;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void sixteenBitPngKeepsSixteenBitsAndEightBitRgbRoundTrips() throws IOException {
        try (Backend b = Backends.create("reference")) {
            double[] d = new double[16 * 8];
            for (int i = 0; i < d.length; i++) {
                d[i] = -0.002 + 0.004 * i / (d.length - 1);
            }
            Path p16 = Images.writePng16(Tensor.of(b, d, 1, 1, 8, 16), 0, -0.002, 0.004, dir.resolve("d.png"));
            int[] shape = new int[4];
            double[] back = Images.readSamples(p16, shape);
            assertThat(shape).containsExactly(1, 1, 8, 16);
            for (int i = 0; i < d.length; i++) {
                assertThat(back[i] * 0.004 - 0.002).isCloseTo(d[i], within(0.004 / 65535));
            }
            double[] rgb = Tensor.uniform(b, 3, 0, 1, 1, 3, 4, 5).toArray();
            rgb[0] = Double.NaN;
            rgb[1] = 7;
            Path p8 = Images.writePng(Tensor.of(b, rgb, 1, 3, 4, 5), 0, dir.resolve("c.png"));
            double[] c = Images.readSamples(p8, shape);
            assertThat(shape).containsExactly(1, 3, 4, 5);
            assertThat(c[0]).isZero();
            assertThat(c[1]).isEqualTo(1);
            for (int i = 2; i < rgb.length; i++) {
                assertThat(c[i]).isCloseTo(rgb[i], within(0.5 / 255 + 1e-12));
            }
            assertThatThrownBy(() -> Images.writePng(Tensor.zeros(b, 1, 2, 4, 4), 0, dir.resolve("x.png"))).hasMessageContaining("1 or 3");
        }
    }
}
