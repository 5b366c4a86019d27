package facegen.nn.layers;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.layers.Upfirdn2d.Padding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** upfirdn2d against a direct loop, its filter conventions, and the resampling wrappers. */
class Upfirdn2dTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void filtersAreNormalisedAndTheGainScalesTheirSum() {
        assertThat(Arrays.stream(FirFilter.RESAMPLE.values()).sum()).isCloseTo(1, within(1e-15));
        assertThat(FirFilter.RESAMPLE.size()).isEqualTo(4);
        assertThat(FirFilter.RESAMPLE.separable()).isFalse();
        FirFilter eight = FirFilter.of(1, 2, 3, 4, 4, 3, 2, 1);
        assertThat(eight.separable()).isTrue();
        assertThat(Arrays.stream(eight.values()).sum()).isCloseTo(1, within(1e-15));
        assertThat(FirFilter.RESAMPLE.tensor(reference, 4, false).sumAll().item()).isCloseTo(4, within(1e-12));
        Tensor separable = eight.tensor(reference, 4, false);                // each pass sqrt(gain)
        assertThat(separable.sumAll().item() * separable.sumAll().item()).isCloseTo(4, within(1e-12));
    }

    @Test
    void upsampleThenDownsampleOfAConstantIsConstantAwayFromTheBorder() {
        Tensor x = Tensor.full(reference, 1.75, 1, 2, 12, 12);
        Tensor up = Upfirdn2d.upsample2d(x, FirFilter.RESAMPLE);
        assertThat(up.shape().dims()).containsExactly(1, 2, 24, 24);
        Tensor down = Upfirdn2d.downsample2d(up, FirFilter.RESAMPLE);
        assertThat(down.shape().dims()).containsExactly(1, 2, 12, 12);
        double[] u = up.toArray();
        double[] d = down.toArray();
        for (int i = 2; i < 22; i++) {
            for (int j = 2; j < 22; j++) {
                assertThat(u[i * 24 + j]).isCloseTo(1.75, within(1e-12));
            }
        }
        for (int i = 2; i < 10; i++) {
            for (int j = 2; j < 10; j++) {
                assertThat(d[12 * 12 + i * 12 + j]).isCloseTo(1.75, within(1e-12));
            }
        }
    }

    @ParameterizedTest(name = "up {0} down {1} pad ({2}, {3}, {4}, {5}) flip {6} separable {7}")
    @CsvSource({
            "2, 1, 2, 1, 1, 2, false, false",
            "1, 2, 1, 1, 1, 1, false, false",
            "3, 2, -1, 2, 0, -1, false, false",
            "2, 2, 1, 0, 2, 1, true, false",
            "1, 1, 2, 2, 1, 0, false, true",
            "2, 1, 0, 3, 2, 1, true, true"})
    void matchesADirectLoop(int up, int down, int px0, int px1, int py0, int py1, boolean flip, boolean separable) {
        SplittableRandom random = new SplittableRandom(up * 31L + down);
        double[] xv = random.doubles(2 * 3 * 5 * 6).toArray();
        FirFilter f = separable ? new FirFilter(new double[] {0.1, 0.5, 0.3}, true)
                : new FirFilter(random.doubles(9).toArray(), false);          // asymmetric: flips matter
        Padding padding = new Padding(px0, px1, py0, py1);
        double gain = 1.5;
        Tensor y = Upfirdn2d.upfirdn2d(Tensor.of(reference, xv, 2, 3, 5, 6), f, up, down, padding, flip, gain);
        double[] expected = loop(xv, 2, 3, 5, 6, f, up, down, padding, flip, gain);
        assertThat(y.shape().dims()).containsExactly(2, 3, (5 * up + py0 + py1 - 3) / down + 1,
                (6 * up + px0 + px1 - 3) / down + 1);
        assertThat(y.toArray()).containsExactly(expected, within(1e-12));
    }

    /** out[oy, ox] = gain * sum_{ky, kx} g[ky, kx] P[oy down + ky, ox down + kx], g = f flipped unless flipFilter. */
    private static double[] loop(double[] x, int n, int c, int h, int w, FirFilter f, int up, int down, Padding p,
                                 boolean flipFilter, double gain) {
        int k = f.size();
        double[] f2 = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                f2[i * k + j] = f.separable() ? f.values()[i] * f.values()[j] : f.values()[i * k + j];
            }
        }
        int outH = (h * up + p.y0() + p.y1() - k) / down + 1;
        int outW = (w * up + p.x0() + p.x1() - k) / down + 1;
        double[] out = new double[n * c * outH * outW];
        for (int b = 0; b < n * c; b++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double s = 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int uy = oy * down + ky - p.y0();                    // position in the upsampled image
                            int ux = ox * down + kx - p.x0();
                            if (uy < 0 || ux < 0 || uy >= h * up || ux >= w * up || uy % up != 0 || ux % up != 0) {
                                continue;
                            }
                            double tap = flipFilter ? f2[ky * k + kx] : f2[(k - 1 - ky) * k + (k - 1 - kx)];
                            s += tap * x[(b * h + uy / up) * w + ux / up];
                        }
                    }
                    out[(b * outH + oy) * outW + ox] = gain * s;
                }
            }
        }
        return out;
    }
}
