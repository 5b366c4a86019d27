package facegen.nn.stylegan;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.GradientCheck;
import facegen.nn.Parameter;
import facegen.nn.layers.FirFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fused (grouped) and non-fused formulations of the modulated conv agree; both have correct gradients. */
class ModulatedConv2dTest {
    private static final Map<String, Backend> BACKENDS = new TreeMap<>();

    @BeforeAll
    static void open() {
        BACKENDS.put("reference", Backends.create("reference"));
        BACKENDS.put("cpu", Backends.create("cpu"));
    }

    @AfterAll
    static void close() {
        BACKENDS.values().forEach(Backend::close);
    }

    private static Tensor modconv(Tensor x, Tensor weight, Tensor styles, Tensor noise, int up, boolean demodulate,
                                  ModConvMode mode) {
        return ModulatedConv2d.modulatedConv2d(x, weight, styles, noise, up, weight.dim(2) / 2, FirFilter.RESAMPLE,
                demodulate, mode);
    }

    @ParameterizedTest(name = "up {0}, demodulate {1}, on {2}")
    @CsvSource({"1, true, reference", "2, true, reference", "1, false, reference", "2, false, reference",
            "1, true, cpu", "2, true, cpu"})
    void fusedAndNonFusedAgree(int up, boolean demodulate, String backendName) {
        Backend b = BACKENDS.get(backendName);
        Tensor x = Tensor.randn(b, 1, 3, 4, 5, 5);
        Tensor weight = Tensor.randn(b, 2, 6, 4, 3, 3);
        Tensor styles = Tensor.randn(b, 3, 3, 4).add(1);
        Tensor noise = Tensor.randn(b, 4, 3, 1, 5 * up, 5 * up);
        Tensor fused = modconv(x, weight, styles, noise, up, demodulate, ModConvMode.FUSED);
        Tensor nonFused = modconv(x, weight, styles, noise, up, demodulate, ModConvMode.NON_FUSED);
        assertThat(fused.shape().dims()).containsExactly(3, 6, 5 * up, 5 * up);
        double tolerance = b.dtype().bytes() == 8 ? 1e-12 : 1e-4;
        assertThat(fused.toArray()).containsExactly(nonFused.toArray(), within(tolerance));
    }

    @Test
    void demodulationGivesEachOutputUnitWeightNorm() {
        // x = a unit impulse per input channel at the centre: the output at the centre reads w'' (one tap each)
        Backend b = BACKENDS.get("reference");
        Tensor weight = Tensor.randn(b, 5, 2, 3, 1, 1);
        Tensor styles = Tensor.randn(b, 6, 1, 3);
        Tensor x = Tensor.randn(b, 7, 1, 3, 1, 1);
        Tensor y = modconv(x, weight, styles, null, 1, true, ModConvMode.FUSED);
        Tensor w2 = weight.reshape(2, 3).mul(styles);                        // w'_{o,i} = w_{o,i} s_i
        Tensor d = w2.square().sum(new int[] {1}, true).add(1e-8).pow(-0.5);  // d_o
        Tensor expected = w2.mul(d).matmul(x.reshape(3, 1));                 // sum_i w''_{o,i} x_i
        assertThat(y.toArray()).containsExactly(expected.toArray(), within(1e-12));
        Tensor plain = x.conv2d(weight, ConvGeometry.of(1, 0));
        assertThat(y.toArray()).isNotEqualTo(plain.toArray());
    }

    @ParameterizedTest(name = "up {0}, {1}")
    @CsvSource({"1, FUSED", "1, NON_FUSED", "2, FUSED", "2, NON_FUSED"})
    void gradientsMatchCentralDifferences(int up, ModConvMode mode) {
        Backend b = BACKENDS.get("reference");
        Parameter x = GradientCheck.variable("x", Tensor.randn(b, 1, 2, 3, 4, 4));
        Parameter weight = GradientCheck.variable("weight", Tensor.randn(b, 2, 2, 3, 3, 3));
        Parameter styles = GradientCheck.variable("styles", Tensor.randn(b, 3, 2, 3).add(1));
        Tensor r = Tensor.randn(b, 4, 2, 2, 4 * up, 4 * up);
        double error = GradientCheck.scaledError(
                () -> modconv(x.value(), weight.value(), styles.value(), null, up, true, mode).mul(r).sumAll(),
                List.of(x, weight, styles));
        assertThat(error).isLessThan(1e-6);
    }
}
