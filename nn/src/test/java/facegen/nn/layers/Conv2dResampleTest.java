package facegen.nn.layers;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.layers.Upfirdn2d.Padding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The fast paths of conv2d_resample against stylegan2-ada's generic path (upsample with FIR, then a plain conv;
 * or a plain conv, then FIR and decimation), on the reference backend.
 */
class Conv2dResampleTest {
    private static Backend reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** Transposed conv + FIR equals upfirdn2d(up 2, gain 4) then conv with the flipped weight (flip_weight = False). */
    @ParameterizedTest(name = "kernel {0}")
    @ValueSource(ints = {1, 3})
    void upsamplingPathMatchesUpsampleThenConvolve(int k) {
        Tensor x = Tensor.randn(reference, 1, 2, 3, 5, 6);
        Tensor w = Tensor.randn(reference, 2, 4, 3, k, k);
        int padding = k / 2;
        Tensor fast = Conv2dResample.conv2dResample(x, w, FirFilter.RESAMPLE, 2, 1, padding, 1);

        int p0 = padding + (4 + 2 - 1) / 2;
        int p1 = padding + (4 - 2) / 2;
        Tensor up = Upfirdn2d.upfirdn2d(x, FirFilter.RESAMPLE, 2, 1, new Padding(p0, p1, p0, p1), false, 4);
        Tensor generic = up.conv2d(w.flip(2, 3), ConvGeometry.of(1, 0));

        assertThat(fast.shape().dims()).containsExactly(2, 4, 10, 12);
        assertThat(fast.toArray()).containsExactly(generic.toArray(), within(1e-12));
    }

    /** FIR + strided conv equals a plain conv, then FIR and decimation (both are linear and shift-invariant). */
    @ParameterizedTest(name = "kernel {0}")
    @ValueSource(ints = {1, 3})
    void downsamplingPathMatchesConvolveThenDownsample(int k) {
        Tensor x = Tensor.randn(reference, 3, 2, 3, 8, 6);
        Tensor w = Tensor.randn(reference, 4, 4, 3, k, k);
        int padding = k / 2;
        Tensor fast = Conv2dResample.conv2dResample(x, w, FirFilter.RESAMPLE, 1, 2, padding, 1);

        int p0 = padding + (4 - 2 + 1) / 2;
        int p1 = padding + (4 - 2) / 2;
        Tensor padded = x.pad(new int[] {0, 0, p0, p0}, new int[] {0, 0, p1, p1});
        Tensor generic = Upfirdn2d.upfirdn2d(padded.conv2d(w, ConvGeometry.of(1, 0)), FirFilter.RESAMPLE, 1, 2,
                Padding.NONE, false, 1);

        assertThat(fast.shape().dims()).containsExactly(2, 4, 4, 3);
        assertThat(fast.toArray()).containsExactly(generic.toArray(), within(1e-12));
    }

    /** Grouped resampling equals resampling each group on its own. */
    @ParameterizedTest(name = "up {0}")
    @ValueSource(ints = {1, 2})
    void groupsAreIndependentConvolutions(int up) {
        Tensor x = Tensor.randn(reference, 5, 1, 4, 5, 5);
        Tensor w = Tensor.randn(reference, 6, 6, 2, 3, 3);
        Tensor grouped = Conv2dResample.conv2dResample(x, w, FirFilter.RESAMPLE, up, 1, 1, 2);
        Tensor first = Conv2dResample.conv2dResample(x.slice(1, 0, 2), w.slice(0, 0, 3), FirFilter.RESAMPLE, up, 1, 1, 1);
        Tensor second = Conv2dResample.conv2dResample(x.slice(1, 2, 4), w.slice(0, 3, 6), FirFilter.RESAMPLE, up, 1, 1, 1);
        assertThat(grouped.toArray()).containsExactly(Tensor.concat(1, first, second).toArray(), within(1e-12));
    }
}
